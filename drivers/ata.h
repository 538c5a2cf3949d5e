/* What an AHCI controller and a SATA device exchange (Serial ATA AHCI 1.3.1,
 * ATA8-ACS, SCSI MMC for the ATAPI packets): the command list entry, the
 * command table with its scatter list, the host-to-device register FIS,
 * and the ATA and SCSI command codes the AHCI driver uses. */
#ifndef DRIVERS_ATA_H
#define DRIVERS_ATA_H

#include <stdint.h>

/* A host-to-device register FIS (Frame Information Structure): the ATA
 * taskfile a command is written into. 20 bytes. */
struct fis_h2d {
    uint8_t type;             /* FIS_TYPE_H2D */
    uint8_t flags;            /* bit 7: this is a command (not a control write) */
    uint8_t command, features;
    uint8_t lba0, lba1, lba2, device;
    uint8_t lba3, lba4, lba5, features_hi;
    uint8_t count, count_hi, icc, control;
    uint8_t reserved[4];
};
#define FIS_TYPE_H2D 0x27
#define FIS_H2D_COMMAND 0x80
#define ATA_DEVICE_LBA 0x40

/* One entry of a port's command list (32 of them, 1 KiB, 1 KiB-aligned). */
struct ahci_cmd_header {
    uint16_t flags;           /* bits 4:0 FIS length in dwords, bit 5 ATAPI, bit 6 write */
    uint16_t prdt_length;     /* entries in the table's scatter list */
    uint32_t bytes_done;      /* written by the controller */
    uint64_t table;           /* the command table, 128-byte aligned */
    uint32_t reserved[4];
};
#define AHCI_CMD_ATAPI (1u << 5)

/* One scatter-list entry: a physically contiguous piece of at most 4 MiB,
 * at an even address, of an even length. */
struct ahci_prd {
    uint64_t address;
    uint32_t reserved;
    uint32_t count;           /* bytes - 1; bit 31: interrupt on completion */
};
#define AHCI_PRD_MAX (4u << 20)

/* The command table: the FIS, the ATAPI packet, then the scatter list. */
struct ahci_cmd_table {
    uint8_t fis[64];
    uint8_t atapi[16];
    uint8_t reserved[48];
    struct ahci_prd prd[1];
};

/* ATA commands. */
#define ATA_READ_DMA_EXT 0x25
#define ATA_PACKET 0xA0
#define ATA_IDENTIFY_PACKET 0xA1
#define ATA_IDENTIFY 0xEC

/* SCSI (MMC) commands sent in an ATAPI packet. */
#define SCSI_TEST_UNIT_READY 0x00
#define SCSI_READ_CAPACITY_10 0x25
#define SCSI_READ_10 0x28

/* Taskfile status bits (PxTFD low byte). */
#define ATA_STATUS_ERR 0x01
#define ATA_STATUS_DRQ 0x08
#define ATA_STATUS_BSY 0x80

/* PxSIG: what a device says it is after a reset. */
#define SATA_SIG_ATA 0x00000101u
#define SATA_SIG_ATAPI 0xEB140101u

#endif
