/* Idle halts (see idle.h). A halt is `sti; hlt; cli`: STI takes effect
 * after the next instruction, so an interrupt already pending when the core
 * decides to halt ends the HLT at once instead of being lost before it. The
 * interrupt itself does nothing but wake (boot/interrupt_stub.asm). */
#include "kernel/idle.h"
#include "kernel/console.h"
#include "kernel/cpu.h"
#include "kernel/io.h"
#include "kernel/lapic.h"
#include "kernel/time.h"
#include "lib/libc.h"

#define WAKE_VECTOR 0xf1
#define NAP_VECTOR  0xf2

extern volatile uint64_t interrupts_taken;   /* boot/interrupt_stub.asm */

static uint32_t timer_per_ms;   /* APIC timer counts per ms; 0: naps spin */

/* The two 8259s: initialised with their vectors at 0x20-0x2f, clear of the
 * CPU exceptions (the BIOS leaves the first at 0x08, the double fault's
 * vector), then every line masked. Machines without them ignore the ports. */
static void mask_legacy_pics(void) {
    static const uint8_t init[][2] = {{0x20, 0x11}, {0xa0, 0x11},   /* ICW1: initialise, ICW4 follows */
                                      {0x21, 0x20}, {0xa1, 0x28},   /* ICW2: vector bases */
                                      {0x21, 0x04}, {0xa1, 0x02},   /* ICW3: the second on line 2 */
                                      {0x21, 0x01}, {0xa1, 0x01},   /* ICW4: 8086 mode */
                                      {0x21, 0xff}, {0xa1, 0xff}};  /* every line masked */
    for (unsigned i = 0; i < sizeof init / sizeof init[0]; i++) {
        outb(init[i][0], init[i][1]);
        outb(0x80, 0);   /* a short pause for old controllers */
    }
}

/* Counts of the APIC timer (bus clock / 16) across 2 ms of the TSC. */
static uint32_t measure_timer(void) {
    lapic_timer_start_masked(0xffffffffu);
    time_delay_us(2000);
    uint32_t left = lapic_timer_count();
    lapic_timer_stop();
    return (0xffffffffu - left) / 2;
}

/* A nap of 100 us, with up to 20 ms (of the TSC) for its interrupt to come,
 * spinning with interrupts on rather than halting: where the timer never
 * fires, naps are not used and nothing hangs. */
static bool try_nap(uint32_t per_ms) {
    uint64_t before = interrupts_taken;
    lapic_timer_start(NAP_VECTOR, per_ms / 10 ? per_ms / 10 : 1);
    uint64_t end = rdtsc() + time_tsc_hz() / 50;
    __asm__ volatile("sti" ::: "memory");
    while (interrupts_taken == before && rdtsc() < end) cpu_pause();
    __asm__ volatile("cli" ::: "memory");
    lapic_timer_stop();
    return interrupts_taken != before;
}

/* AMD's families 0fh-11h may enter C1E on HLT, where the APIC timer stops
 * (their erratum 400): a nap would never end. Under a hypervisor HLT only
 * leaves to the host, and the virtual timer runs. */
static bool timer_may_stop_in_halt(void) {
    return !cpu.hypervisor[0] && strcmp(cpu.vendor, "AuthenticAMD") == 0 && cpu.family >= 0xf &&
           cpu.family <= 0x11;
}

void idle_init(void) {
    mask_legacy_pics();
    uint32_t per_ms = timer_may_stop_in_halt() ? 0 : measure_timer();
    timer_per_ms = per_ms && try_nap(per_ms) ? per_ms : 0;
    if (timer_per_ms)
        kdetail("idle: the boot core naps between polls of its inputs (APIC timer: %u counts a ms)\n",
                timer_per_ms);
    else
        kdetail("idle: no APIC timer to nap on (it did not interrupt, or it may stop in a halt on this "
                "CPU); the boot core polls its inputs without naps\n");
}

void idle_init_core(void) { lapic_enable(); }

void idle_halt(void) { __asm__ volatile("sti; hlt; cli" ::: "memory"); }

void idle_wake(uint32_t apic_id) { lapic_send(apic_id, LAPIC_IPI_FIXED | WAKE_VECTOR); }

void idle_nap_us(uint32_t us) {
    if (!timer_per_ms) {
        time_delay_us(us);
        return;
    }
    uint64_t count = (uint64_t)timer_per_ms * us / 1000;
    lapic_timer_start(NAP_VECTOR, count ? (uint32_t)(count < 0xffffffffu ? count : 0xffffffffu) : 1);
    idle_halt();   /* the timer's interrupt, or any other, ends it */
    lapic_timer_stop();
}
