/* The calling core's local APIC, just enough to start, stop and wake the
 * other cores and to time a nap: its id, inter-processor messages (INIT,
 * STARTUP, NMI, a fixed vector) and its timer, one-shot. The mode is whatever IA32_APIC_BASE says on the
 * calling core: xAPIC (registers in a 4 KiB MMIO page, uncached, below
 * 4 GiB) or x2APIC (registers as MSRs 0x800 + offset / 16). */
#ifndef KERNEL_LAPIC_H
#define KERNEL_LAPIC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Interrupt command register, low half: delivery mode and level. */
#define LAPIC_IPI_INIT    0x4500u   /* INIT, assert */
#define LAPIC_IPI_STARTUP 0x4600u   /* STARTUP; | the start page number (address >> 12) */
#define LAPIC_IPI_NMI     0x4400u   /* NMI, assert */
#define LAPIC_IPI_FIXED   0x4000u   /* a fixed interrupt; | its vector */

/* On the boot CPU: checks the APIC is on and reachable, software-enables it.
 * Returns 0, or -1 with the reason in why. */
int lapic_init(char *why, size_t n);
/* On every core: software-enables its APIC (spurious vector 0xff), every
 * vector let through. */
void lapic_enable(void);
/* The timer, counting down at the bus clock / 16: one interrupt at `vector`
 * after `count` counts; or no interrupt (to measure its rate); its count
 * left; stopped. */
void lapic_timer_start(uint8_t vector, uint32_t count);
void lapic_timer_start_masked(uint32_t count);
uint32_t lapic_timer_count(void);
void lapic_timer_stop(void);
bool lapic_x2apic(void);               /* this core's APIC is in x2APIC mode */
int lapic_enable_x2apic(void);         /* switch this core to x2APIC; -1 if it has none */
uint64_t lapic_mmio_base(void);        /* this core's xAPIC register page */
uint32_t lapic_id(void);               /* this core's APIC id */
/* Sends an IPI to the core with that APIC id; returns -1 when the APIC
 * never took it (xAPIC delivery stuck pending) or the id cannot be named in
 * this mode (above 255 in xAPIC mode). */
int lapic_send(uint32_t apic_id, uint32_t icr_low);

#endif
