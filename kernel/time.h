/* Time from the TSC. Its frequency comes from CPUID (leaf 0x15/0x16) when the
 * CPU states it, else from counting TSC ticks across 50 ms of the PIT. */
#ifndef KERNEL_TIME_H
#define KERNEL_TIME_H

#include <stdbool.h>
#include <stdint.h>

/* Returns a description of the source used ("cpuid", "pit"), or 0 when no
 * timer could calibrate the TSC. */
const char *time_init(void);
uint64_t time_tsc_hz(void);
uint64_t time_ns(void);          /* since time_init */
/* The kernel's first instruction of C (kmain calls time_mark_entry first
 * thing); the time since then, once time_init has run. */
void time_mark_entry(void);
uint64_t time_since_entry_ns(void);
/* Today's date from the CMOS clock (years 2000-2099); false without one. */
bool time_rtc_date(int *year, int *month, int *day);
void time_delay_us(uint64_t us);
/* A seed that differs from boot to boot: the RTC's date and time mixed with
 * the TSC (run.c seeds with time(NULL)); never 0. */
uint64_t time_entropy(void);

#endif
