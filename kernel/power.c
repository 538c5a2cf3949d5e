/* Rebooting and switching off (see power.h).
 *
 * Reboot, in the order Linux's reboot=acpi,kbd,pci tries them:
 *  1. the FADT's reset register (ACPI 2.0+, when its flags say it is
 *     supported): write RESET_VALUE to it, an I/O port, memory, or PCI
 *     configuration space of bus 0;
 *  2. the 8042 keyboard controller: command 0xFE pulses the CPU reset line;
 *  3. the chipset's reset control register, I/O port 0xCF9: 0x02 then 0x06
 *     (a hard reset on Intel chipsets and many others).
 * Each gets half a second. Under QEMU with -no-reboot a reset ends QEMU.
 *
 * Switch off (ACPI S5): put the system in ACPI mode if the firmware left
 * it in legacy mode (SCI_EN, bit 0 of PM1 control, clear: write
 * ACPI_ENABLE to the SMI command port and wait for SCI_EN), then write
 * SLP_TYPx << 10 | SLP_EN (bit 13) to PM1a's control block, and to PM1b's
 * when there is one, with \_S5_'s two values. Hardware-reduced ACPI
 * machines have a sleep control register instead: SLP_TYP << 2 | SLP_EN
 * (bit 5). The AML methods an OS runs first (_PTS) are skipped: this kernel
 * has no AML interpreter, and the write alone switches off nearly all
 * machines. */
#include "kernel/power.h"
#include "kernel/acpi.h"
#include "kernel/console.h"
#include "kernel/input.h"
#include "kernel/io.h"
#include "kernel/time.h"
#include "lib/format.h"

#define PM1_SCI_EN (1u << 0)
#define PM1_SLP_TYP_SHIFT 10
#define PM1_SLP_TYP_MASK (7u << 10)
#define PM1_SLP_EN (1u << 13)

static struct acpi_power acpi;
static bool have_acpi;

/* paging_init maps all of the first 4 GiB (uncached where no region says
 * otherwise), which is where firmware puts ACPI tables and registers. */
static const void *map_low(void *ctx, uint64_t phys, uint64_t len) {
    (void)ctx;
    if (!len || phys + len < phys || phys + len > (4ull << 30)) return 0;
    return (const void *)(uintptr_t)phys;
}

static const char *space_name(uint8_t s) {
    return s == ACPI_SPACE_IO ? "I/O" : s == ACPI_SPACE_MEMORY ? "memory" : "PCI";
}

void power_init(const struct mb2_info *mb) {
    char err[200];
    have_acpi = acpi_read_power(mb->rsdp_v2, mb->rsdp_v2_size, mb->rsdp_v1, mb->rsdp_v1_size,
                                map_low, 0, &acpi, err, sizeof err) == 0;
    if (!have_acpi) {
        kdetail("power: %s; reboot by the keyboard controller, no power off\n", err);
        return;
    }
    char reboot[80], off[120];
    if (acpi.reset_supported)
        fmt_snprintf(reboot, sizeof reboot, "ACPI reset register (%s %#llx = %#x)",
                     space_name(acpi.reset_reg.space), (unsigned long long)acpi.reset_reg.addr,
                     acpi.reset_value);
    else
        fmt_snprintf(reboot, sizeof reboot, "the keyboard controller");
    if (acpi.have_s5 && acpi.hw_reduced)
        fmt_snprintf(off, sizeof off, "ACPI S5 (sleep control register, SLP_TYP %u)", acpi.slp_typa);
    else if (acpi.have_s5)
        fmt_snprintf(off, sizeof off, "ACPI S5 (PM1a %s %#llx%s, SLP_TYP %u/%u)",
                     space_name(acpi.pm1a_cnt.space), (unsigned long long)acpi.pm1a_cnt.addr,
                     acpi.pm1b_cnt.addr ? " and PM1b" : "", acpi.slp_typa, acpi.slp_typb);
    else
        fmt_snprintf(off, sizeof off, "none (%s)", acpi.note);
    kdetail("power: reboot by %s; power off by %s\n", reboot, off);
}

bool power_can_switch_off(void) {
    return have_acpi && acpi.have_s5 &&
           (acpi.hw_reduced ? acpi.sleep_control.addr != 0 : acpi.pm1a_cnt.addr != 0);
}

/* ------------------------------------------------------------ registers */

static unsigned width_of(const struct acpi_gas *g, unsigned dflt) {
    switch (g->access_size) {
    case 1: return 8;
    case 2: return 16;
    case 3: return 32;
    }
    return g->bit_width == 8 || g->bit_width == 16 || g->bit_width == 32 ? g->bit_width : dflt;
}

static void pci_write8(uint64_t a, uint8_t v) {
    uint32_t dev = (uint32_t)(a >> 32) & 31, fn = (uint32_t)(a >> 16) & 7, off = (uint32_t)a & 0xff;
    outl(0xCF8, 0x80000000u | dev << 11 | fn << 8 | (off & 0xFC));
    outb((uint16_t)(0xCFC + (off & 3)), v);
}

static void gas_write(const struct acpi_gas *g, uint32_t v, unsigned dflt) {
    unsigned w = width_of(g, dflt);
    if (g->space == ACPI_SPACE_IO) {
        uint16_t port = (uint16_t)g->addr;
        if (w == 8) outb(port, (uint8_t)v);
        else if (w == 16) outw(port, (uint16_t)v);
        else outl(port, v);
    } else if (g->space == ACPI_SPACE_MEMORY && g->addr < (4ull << 30)) {
        volatile void *p = (volatile void *)(uintptr_t)g->addr;
        if (w == 8) *(volatile uint8_t *)p = (uint8_t)v;
        else if (w == 16) *(volatile uint16_t *)p = (uint16_t)v;
        else *(volatile uint32_t *)p = v;
    } else if (g->space == ACPI_SPACE_PCI) {
        pci_write8(g->addr, (uint8_t)v);
    }
}

static uint32_t gas_read(const struct acpi_gas *g, unsigned dflt) {
    unsigned w = width_of(g, dflt);
    if (g->space == ACPI_SPACE_IO) {
        uint16_t port = (uint16_t)g->addr;
        return w == 8 ? inb(port) : w == 16 ? inw(port) : inl(port);
    }
    if (g->space == ACPI_SPACE_MEMORY && g->addr < (4ull << 30)) {
        volatile void *p = (volatile void *)(uintptr_t)g->addr;
        return w == 8 ? *(volatile uint8_t *)p : w == 16 ? *(volatile uint16_t *)p : *(volatile uint32_t *)p;
    }
    return 0;
}

/* ------------------------------------------------------------ reboot */

void power_reboot(void) {
    if (have_acpi && acpi.reset_supported) {
        kprintf("rebooting through the ACPI reset register\n");
        gas_write(&acpi.reset_reg, acpi.reset_value, 8);
        time_delay_us(500000);
    }
    kprintf("rebooting through the keyboard controller\n");
    for (int i = 0; i < 100000 && (inb(0x64) & 2); i++) {}
    outb(0x64, 0xFE);
    time_delay_us(500000);
    kprintf("rebooting through the reset control port 0xCF9\n");
    outb(0xCF9, 0x02);
    time_delay_us(10);
    outb(0xCF9, 0x06);
    time_delay_us(500000);
    kprintf("error: this machine did not reboot; switch it off with its power button\n");
    halt_forever();
}

/* ------------------------------------------------------------ switch off */

void power_off(void) {
    if (!power_can_switch_off()) {
        kprintf("cannot power off: %s; use the power button\n",
                !have_acpi ? "no ACPI tables" : acpi.note[0] ? acpi.note : "no \\_S5_ in the ACPI tables");
        return;
    }
    kprintf("powering off through ACPI S5\n");
    if (acpi.hw_reduced) {
        gas_write(&acpi.sleep_control, (uint32_t)(acpi.slp_typa & 7) << 2 | 1u << 5, 8);
    } else {
        if (!(gas_read(&acpi.pm1a_cnt, 16) & PM1_SCI_EN) && acpi.smi_cmd && acpi.acpi_enable) {
            outb((uint16_t)acpi.smi_cmd, acpi.acpi_enable);   /* into ACPI mode */
            for (int i = 0; i < 300 && !(gas_read(&acpi.pm1a_cnt, 16) & PM1_SCI_EN); i++)
                time_delay_us(10000);
        }
        uint32_t a = (gas_read(&acpi.pm1a_cnt, 16) & ~(PM1_SLP_TYP_MASK | PM1_SLP_EN)) |
                     (uint32_t)acpi.slp_typa << PM1_SLP_TYP_SHIFT;
        uint32_t b = acpi.pm1b_cnt.addr
                         ? (gas_read(&acpi.pm1b_cnt, 16) & ~(PM1_SLP_TYP_MASK | PM1_SLP_EN)) |
                               (uint32_t)acpi.slp_typb << PM1_SLP_TYP_SHIFT
                         : 0;
        gas_write(&acpi.pm1a_cnt, a | PM1_SLP_EN, 16);
        if (acpi.pm1b_cnt.addr) gas_write(&acpi.pm1b_cnt, b | PM1_SLP_EN, 16);
    }
    time_delay_us(2000000);
    kprintf("error: this machine did not switch off through ACPI S5; use the power button\n");
}

/* ------------------------------------------------------------ the offer */

void power_offer(void) {
    if (!input_available()) {
        kprintf("nothing to type on: switch the machine off with its power button.\n");
        halt_forever();
    }
    input_flush();
    for (;;) {
        kprintf(power_can_switch_off() ? "press a key to reboot, or p to power off\n"
                                       : "press a key to reboot (power off: the power button)\n");
        int c = input_wait_key();
        if ((c == 'p' || c == 'P') && power_can_switch_off()) {
            power_off();
            continue;
        }
        power_reboot();
    }
}
