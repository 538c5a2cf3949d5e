/* ACPI, only as far as starting the other cores, rebooting and switching
 * off need it: from the RSDP (which GRUB copies into the multiboot2
 * information) to the XSDT or RSDT, to the MADT, whose entries name every
 * processor's local APIC, and to the FADT (reset register, PM1 control
 * blocks) and its DSDT (the \_S5_ sleep values).
 *
 * The walker touches no hardware. It reads physical memory only through a
 * callback that says whether a range can be read, so the kernel can refuse
 * tables it has not mapped and the host tests can hand it synthesized ones.
 * Nothing in the tables is trusted: signatures, lengths and checksums are
 * checked before a table is used, and no read leaves a table's length. */
#ifndef KERNEL_ACPI_H
#define KERNEL_ACPI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ACPI_MAX_CPUS 256   /* processors kept; more are counted in cpus_dropped */

/* Returns a pointer through which the `len` bytes at physical address
 * `phys` may be read, or 0 when they cannot be. */
typedef const void *(*acpi_map_fn)(void *ctx, uint64_t phys, uint64_t len);

struct acpi_cpu {
    uint32_t apic_id;
    uint32_t uid;               /* ACPI processor UID */
    bool enabled;               /* usable now; else only "online capable" (hot-plug) */
    bool x2apic_entry;          /* came from a type 9 (x2APIC) entry */
};

struct acpi_madt {
    char root[5];               /* "XSDT" or "RSDT": where the MADT was found */
    uint8_t rsdp_revision;
    char oem_id[7];             /* the MADT's, NUL-terminated */
    uint64_t madt_addr;
    uint32_t madt_length;
    uint64_t lapic_addr;        /* the MADT's 32-bit field, or the type 5 override */
    bool lapic_override;        /* a type 5 entry set lapic_addr */
    uint32_t flags;             /* bit 0: PC-AT dual 8259 PICs present */
    /* Processors whose flags say enabled or online capable, in table order,
     * each APIC id once (type 0 and type 9 entries for one id are merged). */
    int cpu_count;
    int cpus_dropped;           /* beyond ACPI_MAX_CPUS */
    int cpus_disabled;          /* entries with neither flag: ignored, only counted */
    struct acpi_cpu cpus[ACPI_MAX_CPUS];
    char note[160];             /* why a fallback was taken (bad XSDT, bad 2.0 RSDP), or "" */
};

/* Finds and reads the MADT. rsdp_v2 (ACPI 2.0+, its XSDT preferred) and
 * rsdp_v1 (ACPI 1.0, RSDT) are the boot loader's copies of the RSDP and
 * their sizes; either may be 0. Returns 0 with *out filled in, or -1 with one
 * line in err (starting "acpi: ", no newline). */
int acpi_read_madt(const void *rsdp_v2, size_t v2_size, const void *rsdp_v1, size_t v1_size,
                   acpi_map_fn map, void *ctx, struct acpi_madt *out, char *err, size_t errlen);

/* Reads one MADT already in memory (its checksum is checked here too). */
int acpi_parse_madt(const void *madt, size_t len, struct acpi_madt *out, char *err, size_t errlen);

/* ---------------------------------------------------------------- power */

/* A Generic Address Structure: where a register lives. */
enum { ACPI_SPACE_MEMORY = 0, ACPI_SPACE_IO = 1, ACPI_SPACE_PCI = 2 };
struct acpi_gas {
    uint8_t space;              /* ACPI_SPACE_* (others are not used here) */
    uint8_t bit_width, bit_offset, access_size;
    uint64_t addr;              /* 0: absent. PCI: device << 32 | function << 16 | offset, bus 0 */
};

/* What rebooting and switching off need, from the FADT ("FACP") and the
 * \_S5_ object of the DSDT. */
struct acpi_power {
    uint8_t fadt_revision;
    uint32_t fadt_length;
    uint32_t flags;             /* FADT flags: bit 10 reset register, bit 20 hardware-reduced */
    bool hw_reduced;
    bool has_8042;              /* IAPC_BOOT_ARCH says "8042" (only from FADT revision 2 on) */
    bool reset_supported;       /* the reset register is there and the flags say it works */
    struct acpi_gas reset_reg;
    uint8_t reset_value;
    uint32_t smi_cmd;           /* port to write acpi_enable to, for ACPI mode; 0: none */
    uint8_t acpi_enable;
    struct acpi_gas pm1a_cnt, pm1b_cnt;   /* PM1 control blocks (X_ forms preferred) */
    struct acpi_gas sleep_control;        /* hardware-reduced ACPI's sleep register */
    uint64_t dsdt_addr;
    bool have_s5;               /* \_S5_ found in the DSDT, or else in an SSDT */
    uint8_t slp_typa, slp_typb; /* its first two values */
    char note[160];             /* why no \_S5_ was found, or a fallback taken; or "" */
};

/* Finds the FADT through the RSDP (as acpi_read_madt), reads it and looks
 * for \_S5_ in its DSDT, then in the SSDTs. Returns 0 with *out filled in (have_s5 may be
 * false: note says why), or -1 with one line in err ("acpi: ..."). */
int acpi_read_power(const void *rsdp_v2, size_t v2_size, const void *rsdp_v1, size_t v1_size,
                    acpi_map_fn map, void *ctx, struct acpi_power *out, char *err, size_t errlen);

/* Reads one FADT already in memory (checksum checked). */
int acpi_parse_fadt(const void *fadt, size_t len, struct acpi_power *out, char *err, size_t errlen);

/* Looks through AML bytecode (a DSDT's body) for the S5 sleep object,
 * Name (_S5_, Package () { a, b, ... }), in the forms compilers emit
 * (NameOp, an optional root prefix '\\', PackageOp, a package length,
 * element count, then ZeroOp, OneOp, OnesOp or a BytePrefix/WordPrefix/
 * DWordPrefix constant). 0 with SLP_TYPa and SLP_TYPb (the low 3 bits; b is
 * 0 when the package has one element), or -1. */
int acpi_find_s5(const void *aml, size_t len, uint8_t *slp_typa, uint8_t *slp_typb);

#endif
