/* USB mass storage, Bulk-Only Transport, and the SCSI commands a USB stick
 * answers: the bytes of each command block and the reading of each answer.
 * No hardware: drivers/usb_msc.c sends and receives them, the host tests
 * and the fuzzer check them.
 *
 * Bulk-Only Transport (USB Mass Storage Class, Bulk-Only Transport 1.0):
 * each command is a 31-byte Command Block Wrapper sent on the bulk OUT
 * endpoint (signature "USBC", a tag, the data length and direction, the
 * LUN, the SCSI command block), then the data, then a 13-byte Command
 * Status Wrapper on the bulk IN endpoint (signature "USBS", the same tag,
 * the residue, a status). SCSI commands (SPC-4, SBC-3): INQUIRY, TEST
 * UNIT READY, REQUEST SENSE, READ CAPACITY (10) and (16), READ (10) and
 * (16). */
#ifndef DRIVERS_USB_SCSI_H
#define DRIVERS_USB_SCSI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BOT_CBW_SIZE 31
#define BOT_CSW_SIZE 13

/* Writes the CBW for cdb (1-16 bytes) into cbw. */
void bot_cbw(uint8_t cbw[BOT_CBW_SIZE], uint32_t tag, uint32_t data_len, bool data_in, uint8_t lun,
             const uint8_t *cdb, uint8_t cdb_len);

enum bot_status {
    BOT_PASSED,        /* the command worked */
    BOT_FAILED,        /* the command failed: REQUEST SENSE says why */
    BOT_PHASE_ERROR,   /* the device lost track: reset recovery needed */
    BOT_INVALID,       /* not a CSW of this command: reset recovery needed */
};
/* Reads the n-byte CSW that answered the command with this tag. */
enum bot_status bot_csw(const uint8_t *csw, size_t n, uint32_t tag, uint32_t *residue);

/* Command blocks; each returns its length. */
uint8_t scsi_inquiry(uint8_t cdb[16], uint8_t alloc_len);
uint8_t scsi_test_unit_ready(uint8_t cdb[16]);
uint8_t scsi_request_sense(uint8_t cdb[16], uint8_t alloc_len);
uint8_t scsi_read_capacity10(uint8_t cdb[16]);
uint8_t scsi_read_capacity16(uint8_t cdb[16], uint8_t alloc_len);
/* READ (10) when lba and count fit it, else READ (16). */
uint8_t scsi_read(uint8_t cdb[16], uint64_t lba, uint32_t count);

struct scsi_inquiry_info {
    uint8_t device_type;     /* 0 direct access (a disk, a stick), 5 CD/DVD, 0x1F none */
    bool removable;
    char model[26];          /* vendor and product, trimmed, printable ASCII */
};
/* 0, or what is wrong. */
const char *scsi_parse_inquiry(const uint8_t *b, size_t n, struct scsi_inquiry_info *info);

/* READ CAPACITY answers: sectors and sector size. A (10) answer whose last
 * block is 0xFFFFFFFF means "ask READ CAPACITY (16)": *need16 is set. 0, or
 * what is wrong (a sector size that is not 512..65536 and a power of two,
 * no sectors). */
const char *scsi_parse_capacity10(const uint8_t *b, size_t n, uint64_t *sectors,
                                  uint32_t *sector_size, bool *need16);
const char *scsi_parse_capacity16(const uint8_t *b, size_t n, uint64_t *sectors,
                                  uint32_t *sector_size);

/* Sense data (fixed or descriptor format): key, additional code and
 * qualifier. False when the bytes are not sense data. */
bool scsi_parse_sense(const uint8_t *b, size_t n, uint8_t *key, uint8_t *asc, uint8_t *ascq);

#endif
