/* Every CPU core, and one way to use them: smp_run(n, fn, arg) runs fn on
 * cores 0..n-1 at once and returns when all have finished.
 *
 * smp_init starts each enabled processor that the ACPI MADT lists (INIT,
 * STARTUP, STARTUP through the real-mode trampoline in boot/trampoline.asm)
 * on the kernel's page tables, GDT (its own TSS) and IDT, with its own stack
 * above an unmapped guard page. A started core then spins on its work slot:
 * no interrupts, so handing out work costs a few cache-line transfers. A
 * core that does not answer within a bounded time is reported and left out.
 *
 * Core 0 is the boot CPU, the only one that calls smp_run. */
#ifndef KERNEL_SMP_H
#define KERNEL_SMP_H

#include <stdint.h>
#include "kernel/multiboot2.h"

#define SMP_MAX_CPUS 256

/* What each core can reach through its GS base (smp_this_cpu). */
struct percpu {
    struct percpu *self;        /* at %gs:0 */
    int id;                     /* 0 .. smp_cpu_count() - 1; 0 is the boot CPU */
    uint32_t apic_id;
    uint64_t stack_bottom, stack_top;   /* its kernel stack; the guard page is just below */
};

/* Starts the other cores (after memory, paging and time are up) and prints
 * what happened: "cpus: N of M started (apic ids ...)", the self-check and
 * the measured cost of an empty smp_run. info_addr is where the multiboot2
 * information lies (the trampoline page must not overlap it). Never fails:
 * without ACPI or a usable local APIC the kernel runs on the boot CPU. */
void smp_init(const struct mb2_info *mb, uint64_t info_addr);

/* Started cores, the boot CPU included (1 before smp_init). */
int smp_cpu_count(void);

/* Runs fn(arg, i, ncpu) for shares i = 0..ncpu-1 on cores 0..ncpu-1, the
 * caller (core 0) running i = 0, and returns when every call has returned;
 * what the calls wrote is then visible to the caller. ncpu is clamped to
 * 1..smp_cpu_count(). A call from inside fn, or from a core other than 0,
 * runs fn(arg, 0, 1) on the calling core: fn must split its work by the
 * ncpu it is given. */
void smp_run(int ncpu, void (*fn)(void *arg, int cpu, int ncpu), void *arg);
/* Each share runs exactly once, normally on core i; a core that has not
 * picked its share up 50 us after core 0 finished its own (a virtual core
 * whose host thread is descheduled) has it run on core 0 instead, after
 * core 0's share. This counts those shares. */
uint64_t smp_taken_over(void);

/* This core's index (0 before smp_init) and per-CPU data (0 before smp_init). */
int smp_cpu_id(void);
struct percpu *smp_this_cpu(void);

/* For the error path: stops every other started core (an NMI, which parks
 * it in a halt loop) and waits, for at most about 100 ms, until each has. */
void smp_halt_others(void);
/* The first core to call this gets 1 (it reports the failure); every later
 * caller gets 0 and should smp_park. */
int smp_claim_failure(void);
/* Whether smp_halt_others has asked this core to stop; then the NMI it got
 * is that request, not a hardware fault. */
int smp_halt_requested(void);
/* Marks this core as stopped and halts it for good. */
__attribute__((noreturn)) void smp_park(void);

#endif
