/* Rebooting and switching off, the ways a PC offers: the ACPI reset
 * register and S5 sleep state (from the FADT and the DSDT's \_S5_), the
 * keyboard controller's reset line, the chipset's reset control port. */
#ifndef KERNEL_POWER_H
#define KERNEL_POWER_H

#include <stdbool.h>
#include "kernel/multiboot2.h"

/* Reads the ACPI tables (after paging) and says what it found:
 * "power: reboot by ...; power off by ..." */
void power_init(const struct mb2_info *mb);

/* Whether the tables allow switching off (ACPI S5 found). */
bool power_can_switch_off(void);

/* Resets the machine: the ACPI reset register, else the keyboard
 * controller, else port 0xCF9; says which. If none works, says so and
 * halts (never a deliberate triple fault). */
__attribute__((noreturn)) void power_reboot(void);

/* Enters ACPI S5 (soft off). Returns, after saying why, when it cannot. */
void power_off(void);

/* The end of a run on a machine without QEMU's exit device: asks for a
 * key on every console, then reboots, or switches off for 'p'. */
__attribute__((noreturn)) void power_offer(void);

#endif
