/* Halting a core that has nothing to do instead of spinning: a helper core
 * between jobs (woken by a message from core 0, see smp.c), the boot core
 * between polls of the keyboards and the serial port (woken by its APIC
 * timer). A spinning core keeps a PC hot and, under QEMU, takes a host core
 * for each virtual one. Interrupts are enabled only inside these halts. */
#ifndef KERNEL_IDLE_H
#define KERNEL_IDLE_H

#include <stdint.h>

/* On the boot core once its local APIC is enabled, before the other cores
 * start: the legacy 8259 interrupt controllers moved past the exceptions
 * and masked (the BIOS leaves the timer's line unmasked, on the double
 * fault's vector); the APIC timer's rate measured and one nap tried,
 * its outcome in a detail line. */
void idle_init(void);
void idle_init_core(void);       /* on every other core as it starts: its APIC enabled */
/* Halts until an interrupt (a wake message, a timer) or an NMI. */
void idle_halt(void);
void idle_wake(uint32_t apic_id);   /* ends that core's idle_halt */
/* Halts about `us` microseconds; spins them where naps do not work. */
void idle_nap_us(uint32_t us);

#endif
