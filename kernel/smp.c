/* Starting the other cores, and smp_run (see smp.h).
 *
 * Start-up, one core at a time (Intel SDM volume 3, "MP initialization"):
 * the boot CPU copies boot/trampoline.asm to a free page below 1 MiB,
 * writes the core's stack and per-CPU pointer into its parameter block, and
 * sends INIT, waits 10 ms, then STARTUP (twice, 200 us apart, the second
 * only if the first got no sign of life). The core climbs from real mode to
 * long mode and calls ap_entry, which loads the kernel's tables, marks
 * itself up and spins on its work slot. A core that is not up 100 ms after
 * the last STARTUP (1 s if it reported progress, or under a hypervisor) is
 * given up: an INIT stops it for good, so it can never wake later on a
 * stack given to the next one.
 *
 * Work: smp_run writes fn, arg and ncpu into each helper's slot and then,
 * with release ordering, a new generation number; the helper, spinning
 * with acquire loads, sees the new generation, claims the share (a CAS of
 * its claim word to the generation), runs fn and stores the generation
 * into its done word; the caller runs its own share and waits for every
 * done word to show the generation. A helper that has not claimed its
 * share within 50 us of the caller finishing its own (a virtual core whose
 * host thread is not running, a core held in SMM) loses it: the caller
 * claims it with the same CAS and runs it itself, so such a core delays a
 * dispatch by 50 us instead of by however long it is away. Slots (written
 * by core 0) and claim/done lines (written by core i) are 64-byte aligned:
 * no two cores write one cache line in the normal course.
 *
 * Idle: a helper that has had no work for 10 ms halts (idle.h) after
 * raising its asleep flag and looking at its slot once more; smp_run, after
 * writing the slots, looks at the flags and sends each sleeper a wake
 * message. A full fence between each side's write and its read (Dekker's
 * pattern) means that either the helper sees the new generation and does
 * not halt, or core 0 sees the flag and wakes it. Boot checks that sleepers
 * wake; if they do not, helpers spin between jobs as before. */
#include "kernel/smp.h"
#include <stdbool.h>
#include "kernel/acpi.h"
#include "kernel/console.h"
#include "kernel/cpu.h"
#include "kernel/gdt.h"
#include "kernel/idt.h"
#include "kernel/idle.h"
#include "kernel/io.h"
#include "kernel/lapic.h"
#include "kernel/memory.h"
#include "kernel/paging.h"
#include "kernel/stacks.h"
#include "kernel/time.h"
#include "lib/format.h"
#include "lib/libc.h"

_Static_assert(SMP_MAX_CPUS <= GDT_MAX_CPUS, "every core needs a TSS");

#define MSR_GS_BASE 0xc0000101
#define PAGE 4096ull
#define AP_STACK_SIZE (256 * 1024)     /* as large as the boot CPU's */
#define IST_SIZE (16 * 1024)
/* Per started core: guard, kernel stack, guard, fault stack, guard, double-fault stack. */
#define AP_AREA (3 * PAGE + AP_STACK_SIZE + 2 * IST_SIZE)
/* How long a core may take to come up after its last STARTUP: 100 ms on
 * hardware (it needs microseconds), 1 s when it shows progress or runs
 * under a hypervisor, whose virtual cores wait for a host thread. */
#define START_WAIT_NS (100 * 1000000ull)
#define SLOW_START_WAIT_NS (1000 * 1000000ull)
#define LOW_MEMORY_END 0x9f000ull      /* the EBDA and the VGA hole lie above */

extern uint8_t trampoline_start[], trampoline_end[];   /* boot/trampoline.asm */
extern uint8_t boot_stack_top[];                       /* boot/entry32.asm */

/* Must match the parameter block in boot/trampoline.asm. */
#define TRAMPOLINE_MAGIC 0x504d5254u
#define TRAMPOLINE_PARAMS 8
struct trampoline_params {
    uint32_t magic, stage;
    uint64_t cr3, stack, arg, entry;
};

enum { AP_STARTING = 1, AP_UP, AP_ABANDONED };

struct slot {                           /* written by core 0, read by core i */
    uint64_t gen;
    void (*fn)(void *arg, int cpu, int ncpu);
    void *arg;
    int ncpu;
} __attribute__((aligned(64)));

struct done {                           /* written by core i, read by core 0 */
    uint64_t claim;                     /* the last generation claimed (by core i, or core 0 taking it over) */
    uint64_t gen;                       /* the last generation core i finished */
    int asleep;                         /* core i halts, or is about to: wake it */
} __attribute__((aligned(64)));

static struct percpu cpus[SMP_MAX_CPUS];
static struct slot slots[SMP_MAX_CPUS];
static struct done done[SMP_MAX_CPUS];
static int ap_state[SMP_MAX_CPUS];
static int parked[SMP_MAX_CPUS];
static int ncpus = 1;
static bool percpu_ready;
static uint64_t job_gen;
static bool running;                    /* core 0 is inside smp_run */
static uint64_t grace_ticks;            /* TSC ticks a helper has to claim its share */
static uint64_t taken_over;             /* shares core 0 ran for a helper that was away */
static uint64_t doze_ticks;             /* TSC ticks without work before a helper halts; 0: never */
static int halt_requested;
static int failure_cpu = -1;

/* The spin-wait hint. PAUSE is right on hardware (it spares the sibling
 * hyperthread and the memory-order flush on exit), but QEMU's TCG ends the
 * translated block on it and takes its global lock, so that spinning cores
 * queue on that lock and a dispatch takes milliseconds; under TCG a plain
 * load loop is the fast way to wait. */
static bool use_pause = true;
static inline void spin_hint(void) {
    if (use_pause) cpu_pause();
}

/* ---------------------------------------------------------------- per-CPU */

struct percpu *smp_this_cpu(void) {
    if (!percpu_ready) return 0;
    struct percpu *p;
    __asm__ volatile("mov %%gs:0, %0" : "=r"(p));
    return p;
}

int smp_cpu_id(void) {
    struct percpu *p = smp_this_cpu();
    return p ? p->id : 0;
}

int smp_cpu_count(void) { return ncpus; }

/* ---------------------------------------------------------------- work */

static void park_if_asked(void) {
    if (__atomic_load_n(&halt_requested, __ATOMIC_RELAXED)) smp_park();
}

/* Claims share `gen` of slot i for the caller; fails when it is taken (or
 * a later one is: generations only grow). */
static bool claim(int i, uint64_t gen) {
    uint64_t c = __atomic_load_n(&done[i].claim, __ATOMIC_ACQUIRE);
    return c < gen && __atomic_compare_exchange_n(&done[i].claim, &c, gen, false, __ATOMIC_ACQ_REL,
                                                   __ATOMIC_ACQUIRE);
}

/* Halts helper `me` until smp_run wakes it, unless a job newer than `seen`
 * is already there. */
static void doze(int me, uint64_t seen) {
    __atomic_store_n(&done[me].asleep, 1, __ATOMIC_SEQ_CST);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    if (__atomic_load_n(&slots[me].gen, __ATOMIC_SEQ_CST) == seen) idle_halt();
    __atomic_store_n(&done[me].asleep, 0, __ATOMIC_RELAXED);
}

__attribute__((noreturn)) static void worker(int me) {
    uint64_t seen = 0;
    for (;;) {
        uint64_t g, idle_since = rdtsc();
        while ((g = __atomic_load_n(&slots[me].gen, __ATOMIC_ACQUIRE)) == seen) {
            park_if_asked();
            uint64_t wait = __atomic_load_n(&doze_ticks, __ATOMIC_RELAXED);
            if (wait && rdtsc() - idle_since > wait) {
                doze(me, seen);
                idle_since = rdtsc();
            }
            spin_hint();
        }
        seen = g;
        if (!claim(me, g)) continue;    /* core 0 ran it already */
        slots[me].fn(slots[me].arg, me, slots[me].ncpu);
        __atomic_store_n(&done[me].gen, g, __ATOMIC_RELEASE);
    }
}

void smp_run(int ncpu, void (*fn)(void *arg, int cpu, int ncpu), void *arg) {
    if (ncpu > ncpus) ncpu = ncpus;
    if (ncpu <= 1 || running || smp_cpu_id() != 0) {
        fn(arg, 0, 1);
        return;
    }
    running = true;
    uint64_t g = ++job_gen;
    for (int i = 1; i < ncpu; i++) {
        slots[i].fn = fn;
        slots[i].arg = arg;
        slots[i].ncpu = ncpu;
        __atomic_store_n(&slots[i].gen, g, __ATOMIC_RELEASE);
    }
    __atomic_thread_fence(__ATOMIC_SEQ_CST);   /* the slots' writes before the flags' reads */
    for (int i = 1; i < ncpu; i++)
        if (__atomic_load_n(&done[i].asleep, __ATOMIC_RELAXED)) idle_wake(cpus[i].apic_id);
    fn(arg, 0, ncpu);

    /* Shares not claimed by the deadline are run here. */
    uint64_t deadline = 0;
    bool mine[SMP_MAX_CPUS];
    for (int i = 1; i < ncpu; i++) {
        mine[i] = false;
        while (__atomic_load_n(&done[i].claim, __ATOMIC_ACQUIRE) < g) {
            uint64_t now = rdtsc();
            if (!deadline) deadline = now + grace_ticks;
            if (now > deadline && claim(i, g)) {
                mine[i] = true;
                taken_over++;
                fn(arg, i, ncpu);
                break;
            }
            park_if_asked();
            spin_hint();
        }
    }
    for (int i = 1; i < ncpu; i++) {
        while (!mine[i] && __atomic_load_n(&done[i].gen, __ATOMIC_ACQUIRE) != g) {
            park_if_asked();
            spin_hint();
        }
    }
    running = false;
}

uint64_t smp_taken_over(void) { return taken_over; }

/* ---------------------------------------------------------------- stopping */

int smp_halt_requested(void) { return __atomic_load_n(&halt_requested, __ATOMIC_ACQUIRE); }

void smp_park(void) {
    __atomic_store_n(&parked[smp_cpu_id()], 1, __ATOMIC_RELEASE);
    halt_forever();
}

int smp_claim_failure(void) {
    int me = smp_cpu_id(), none = -1;
    if (__atomic_compare_exchange_n(&failure_cpu, &none, me, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
        return 1;
    return none == me;
}

void smp_halt_others(void) {
    int n = __atomic_load_n(&ncpus, __ATOMIC_ACQUIRE), me = smp_cpu_id();
    if (n <= 1) return;
    __atomic_store_n(&halt_requested, 1, __ATOMIC_SEQ_CST);
    for (int i = 0; i < n; i++)
        if (i != me && !__atomic_load_n(&parked[i], __ATOMIC_ACQUIRE)) lapic_send(cpus[i].apic_id, LAPIC_IPI_NMI);
    uint64_t t0 = rdtsc(), limit = time_tsc_hz() / 10;   /* ~100 ms */
    while (rdtsc() - t0 < limit) {
        int stopped = 0;
        for (int i = 0; i < n; i++) stopped += i != me && __atomic_load_n(&parked[i], __ATOMIC_ACQUIRE);
        if (stopped == n - 1) return;
        cpu_pause();
    }
}

/* ---------------------------------------------------------------- memory */

/* Whether the kernel's page tables map address a (walked, not assumed:
 * above 4 GiB only RAM is mapped, and the table pool can run out). */
static bool page_mapped(uint64_t a) {
    if (a >> 47) return false;
    const uint64_t *t = (const uint64_t *)paging_root();
    for (int level = 3;; level--) {
        uint64_t e = t[(a >> (12 + 9 * level)) & 511];
        if (!(e & 1)) return false;
        if (level == 0 || ((level == 1 || level == 2) && (e & 0x80))) return true;
        t = (const uint64_t *)(e & 0x000ffffffffff000ull);
    }
}

static const void *acpi_map(void *ctx, uint64_t phys, uint64_t len) {
    (void)ctx;
    if (!len || phys + len < phys) return 0;
    for (uint64_t p = phys & ~(PAGE - 1); p < phys + len; p += PAGE)
        if (!page_mapped(p)) return 0;
    return (const void *)(uintptr_t)phys;
}

static bool overlaps(uint64_t a, uint64_t b, uint64_t s, uint64_t e) { return a < e && s < b; }

/* A page below 1 MiB for the trampoline: usable RAM in the memory map, not
 * holding the boot information or a module (GRUB may put either there). */
static uint64_t trampoline_page(const struct mb2_info *mb, uint64_t info_addr) {
    for (int pass = 0; pass < 2; pass++) {
        uint64_t from = pass == 0 ? 0x8000 : PAGE, to = pass == 0 ? LOW_MEMORY_END : 0x8000;
        for (uint64_t p = from; p < to; p += PAGE) {
            bool ram = false, busy = overlaps(p, p + PAGE, info_addr, info_addr + mb->total_size);
            for (int i = 0; i < mb->mmap_count; i++)
                if (mb->mmap[i].type == MB2_MEM_AVAILABLE && mb->mmap[i].base <= p &&
                    mb->mmap[i].base + mb->mmap[i].length >= p + PAGE)
                    ram = true;
            for (int i = 0; i < mb->module_count; i++)
                busy |= overlaps(p, p + PAGE, mb->modules[i].start, mb->modules[i].end);
            if (ram && !busy && page_mapped(p)) return p;
        }
    }
    return 0;
}

/* ---------------------------------------------------------------- start-up */

__attribute__((noreturn)) static void ap_entry(struct percpu *me) {
    wrmsr(MSR_GS_BASE, (uint64_t)me);   /* first: everything below may print */
    paging_load();                      /* PAT; the trampoline already loaded CR3 */
    gdt_load(me->id);
    idt_load();
    cpu_enable_features();              /* XSAVE/AVX state, as on the boot CPU */
    idle_init_core();
    int want = AP_STARTING;
    if (!__atomic_compare_exchange_n(&ap_state[me->id], &want, AP_UP, false, __ATOMIC_ACQ_REL,
                                     __ATOMIC_ACQUIRE))
        halt_forever();                 /* given up on a moment ago; an INIT is on its way */
    worker(me->id);
}

static const char *stage_name(uint32_t stage) {
    switch (stage) {
    case 0: return "no sign of life";
    case 1: return "it reached 16-bit real mode";
    case 2: return "it reached 32-bit protected mode";
    case 3: return "it reached 64-bit mode";
    default: return "its trampoline was overwritten";
    }
}

/* Starts the core with that APIC id as core `idx`; false (and how far it
 * got in *why) when it did not come up. */
static bool start_core(int idx, uint32_t apic_id, volatile struct trampoline_params *tp, uint64_t page,
                       const char **why) {
    tp->stage = 0;
    tp->cr3 = paging_root();
    tp->stack = cpus[idx].stack_top;
    tp->arg = (uint64_t)&cpus[idx];
    tp->entry = (uint64_t)ap_entry;
    __atomic_store_n(&ap_state[idx], AP_STARTING, __ATOMIC_SEQ_CST);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);

    if (lapic_send(apic_id, LAPIC_IPI_INIT) != 0) {
        *why = "its local APIC did not accept INIT";
        return false;
    }
    time_delay_us(10000);
    for (int i = 0; i < 2 && tp->stage == 0; i++) {
        lapic_send(apic_id, LAPIC_IPI_STARTUP | (uint32_t)(page >> 12));
        time_delay_us(200);
    }
    uint64_t t0 = time_ns();
    while (__atomic_load_n(&ap_state[idx], __ATOMIC_ACQUIRE) != AP_UP) {
        uint64_t waited = time_ns() - t0;
        bool slow = tp->stage != 0 || cpu.hypervisor[0];
        if (waited > (slow ? SLOW_START_WAIT_NS : START_WAIT_NS)) {
            int want = AP_STARTING;
            if (!__atomic_compare_exchange_n(&ap_state[idx], &want, AP_ABANDONED, false, __ATOMIC_ACQ_REL,
                                             __ATOMIC_ACQUIRE))
                return true;            /* it made it after all */
            *why = stage_name(tp->stage);
            lapic_send(apic_id, LAPIC_IPI_INIT);   /* stop it before its stack is reused */
            time_delay_us(10000);
            return false;
        }
        cpu_pause();
    }
    return true;
}

/* Gives core idx (>= 1) its stacks from area, with unmapped guard pages
 * (made once: the area of a core that did not start goes to the next). */
static void give_stacks(int idx, uint64_t area) {
    static int guarded;   /* areas 1..guarded have their guard pages */
    uint64_t kstack = area + PAGE, fault = kstack + AP_STACK_SIZE + PAGE, dfault = fault + IST_SIZE + PAGE;
    uint64_t guards[3] = {area, kstack + AP_STACK_SIZE, fault + IST_SIZE};
    static const char *const what[3] = {"kernel stack", "fault stack", "double-fault stack"};
    for (int g = 0; g < 3 && idx > guarded; g++) {
        paging_unmap_page(guards[g]);
        if (page_mapped(guards[g]))
            kprintf("smp: page-table pool full: the %s of CPU %d has no guard page\n", what[g], idx);
        else
            stack_guard_add(guards[g], idx, what[g]);
    }
    if (idx > guarded) guarded = idx;
    cpus[idx].stack_bottom = kstack;
    cpus[idx].stack_top = kstack + AP_STACK_SIZE;
    gdt_add_cpu(idx, fault + IST_SIZE, dfault + IST_SIZE);   /* again on reuse: clears "busy" */
}

/* ---------------------------------------------------------------- self-check */

struct check {
    int seen[SMP_MAX_CPUS];
    int ncpu_seen[SMP_MAX_CPUS];
    int calls;
};

static void check_fn(void *arg, int i, int n) {
    struct check *c = arg;
    c->seen[i] = smp_cpu_id() * 1000 + i;   /* which core ran share i */
    c->ncpu_seen[i] = n;
    __atomic_fetch_add(&c->calls, 1, __ATOMIC_RELAXED);
}

static void empty_fn(void *arg, int i, int n) { (void)arg; (void)i; (void)n; }

/* Runs shares on every subset size, many times over, and checks that
 * share i ran exactly once, on core i (or core 0), and that its writes
 * reached core 0. The later rounds give the helpers no time to claim their
 * shares, so that core 0 races them for every one. */
static bool self_check(char *why, size_t n) {
    static struct check c;
    uint64_t grace = grace_ticks;
    for (int round = 0; round < 40; round++) {
        grace_ticks = round < 8 ? grace : 0;
        for (int k = 1; k <= ncpus; k++) {
            for (int i = 0; i < SMP_MAX_CPUS; i++) c.seen[i] = c.ncpu_seen[i] = -1;
            c.calls = 0;
            smp_run(k, check_fn, &c);
            for (int i = 0; i < SMP_MAX_CPUS; i++) {
                /* share i ran on core i, or on core 0 if core i was away */
                int want = i < k ? i * 1000 + i : -1, also = i < k ? i : -1, want_n = i < k ? k : -1;
                if ((c.seen[i] != want && c.seen[i] != also) || c.ncpu_seen[i] != want_n) {
                    fmt_snprintf(why, n, "smp_run(%d): share %d saw (%d, ncpu %d), expected (%d, ncpu %d)",
                                 k, i, c.seen[i], c.ncpu_seen[i], want, want_n);
                    grace_ticks = grace;
                    return false;
                }
            }
            if (c.calls != k) {
                fmt_snprintf(why, n, "smp_run(%d) made %d calls", k, c.calls);
                grace_ticks = grace;
                return false;
            }
        }
    }
    grace_ticks = grace;
    return true;
}

/* Whether halted helpers wake: every helper is let fall asleep (after
 * 100 us without work), then one job runs with 100 ms of grace; true when
 * every share ran on its own core, that is, every helper woke. */
static bool wake_check(void) {
    static struct check c;
    uint64_t grace = grace_ticks, hz = time_tsc_hz();
    __atomic_store_n(&doze_ticks, hz / 10000, __ATOMIC_RELAXED);
    uint64_t end = rdtsc() + hz / 5;
    for (int i = 1; i < ncpus; i++)
        while (!__atomic_load_n(&done[i].asleep, __ATOMIC_ACQUIRE) && rdtsc() < end) cpu_pause();
    time_delay_us(1000);   /* from raising the flag to the HLT */
    for (int i = 0; i < SMP_MAX_CPUS; i++) c.seen[i] = -1;
    grace_ticks = hz / 10;
    smp_run(ncpus, check_fn, &c);
    grace_ticks = grace;
    __atomic_store_n(&doze_ticks, 0, __ATOMIC_RELAXED);
    for (int i = 1; i < ncpus; i++)
        if (c.seen[i] != i * 1000 + i) return false;
    return true;
}

/* The cost of an empty smp_run on k cores: up to 10000 calls, at most ~200 ms. */
static double dispatch_us(int k, int *calls) {
    uint64_t t0 = time_ns(), t = t0;
    int i = 0;
    while (i < 10000 && t - t0 < 200 * 1000000ull) {
        smp_run(k, empty_fn, 0);
        if (++i % 64 == 0) t = time_ns();
    }
    t = time_ns();
    *calls = i;
    return (double)(t - t0) / 1000.0 / i;
}

/* ---------------------------------------------------------------- init */

static void print_ids(char *buf, size_t n) {
    size_t at = 0;
    for (int i = 0; i < ncpus && at < n; i++) {
        if (i == 16 && ncpus > 17) {
            fmt_snprintf(buf + at, n - at, " ... %u", cpus[ncpus - 1].apic_id);
            return;
        }
        at += (size_t)fmt_snprintf(buf + at, n - at, "%s%u", i ? " " : "", cpus[i].apic_id);
    }
}

void smp_init(const struct mb2_info *mb, uint64_t info_addr) {
    char why[256];
    static struct acpi_madt madt;

    /* Core 0, the boot CPU: per-CPU data through GS, like every other core. */
    cpus[0] = (struct percpu){&cpus[0], 0, 0, (uint64_t)boot_stack_guard + PAGE, (uint64_t)boot_stack_top};
    wrmsr(MSR_GS_BASE, (uint64_t)&cpus[0]);
    percpu_ready = true;
    use_pause = strcmp(cpu.hypervisor, "TCGTCGTCGTCG") != 0;
    grace_ticks = time_tsc_hz() / 20000;   /* 50 us */

    if (lapic_init(why, sizeof why) != 0) {
        kprintf("cpus: 1 (%s); running on the boot CPU alone\n", why);
        return;
    }
    idle_init();   /* before any other core starts and may halt */
    uint32_t bsp = lapic_id();
    cpus[0].apic_id = bsp;
    if (acpi_read_madt(mb->rsdp_v2, mb->rsdp_v2_size, mb->rsdp_v1, mb->rsdp_v1_size, acpi_map, 0, &madt, why,
                       sizeof why) != 0) {
        kprintf("cpus: 1 (%s); running on the boot CPU alone\n", why);
        return;
    }
    if (madt.note[0]) kprintf("acpi: %s\n", madt.note);

    /* The other cores: enabled ones only ("online capable" means hot-pluggable). */
    uint32_t ids[SMP_MAX_CPUS];
    int want = 0, listed = 1, hotplug = 0, too_many = madt.cpus_dropped;
    bool bsp_listed = false, need_x2apic = false;
    for (int i = 0; i < madt.cpu_count; i++) {
        const struct acpi_cpu *c = &madt.cpus[i];
        if (!c->enabled) { hotplug++; continue; }
        if (c->apic_id == bsp) { bsp_listed = true; continue; }
        listed++;
        if (want + 1 >= SMP_MAX_CPUS) { too_many++; continue; }
        ids[want++] = c->apic_id;
        need_x2apic |= c->apic_id > 0xfe;
    }
    if (!bsp_listed) kprintf("acpi: the MADT does not list the boot CPU (apic id %u)\n", bsp);
    if (need_x2apic && !lapic_x2apic() && lapic_enable_x2apic() != 0)
        kprintf("smp: cores with APIC ids above 254 need x2APIC, which this CPU lacks; they stay off\n");

    /* Everything the cores need, before any starts. */
    uint64_t page = 0, area = 0;
    size_t blob = (size_t)(trampoline_end - trampoline_start);
    volatile struct trampoline_params *tp = 0;
    if (want) {
        struct trampoline_params check;
        memcpy(&check, trampoline_start + TRAMPOLINE_PARAMS, sizeof check);
        page = trampoline_page(mb, info_addr);
        area = (uint64_t)memory_alloc((uint64_t)want * AP_AREA, 2ull << 20);
        if (!area) area = (uint64_t)memory_alloc((uint64_t)want * AP_AREA, PAGE);
        const char *no = check.magic != TRAMPOLINE_MAGIC || blob > PAGE ? "the trampoline's layout is not what smp.c expects"
                         : paging_root() >> 32 ? "the page tables lie above 4 GiB, out of the trampoline's reach"
                         : !page ? "no free page of RAM below 1 MiB for the trampoline"
                         : !area ? "no memory for their stacks" : 0;
        if (no) {
            kprintf("cpus: 1 of %d started (apic id %u): %s; running on the boot CPU alone\n", listed, bsp, no);
            return;
        }
        memcpy((void *)(uintptr_t)page, trampoline_start, blob);
        tp = (volatile struct trampoline_params *)(uintptr_t)(page + TRAMPOLINE_PARAMS);
    }

    int next = 1;
    for (int i = 0; i < want; i++) {
        uint32_t id = ids[i];
        if (id > 0xfe && !lapic_x2apic()) {
            kprintf("cpu %d (apic id %u) did not start (its id needs x2APIC); continuing without it\n", next, id);
            continue;
        }
        cpus[next] = (struct percpu){&cpus[next], next, id, 0, 0};
        give_stacks(next, area + (uint64_t)(next - 1) * AP_AREA);   /* a failed core's are reused */
        const char *how = "";
        if (!start_core(next, id, tp, page, &how)) {
            kprintf("cpu %d (apic id %u) did not start (%s); continuing without it\n", next, id, how);
            continue;
        }
        __atomic_store_n(&ncpus, next + 1, __ATOMIC_RELEASE);
        next++;
    }

    char idbuf[200];
    print_ids(idbuf, sizeof idbuf);
    kdetail("cpus: %d of %d started (apic ids %s)", ncpus, listed, idbuf);
    if (hotplug) kdetail("; %d more listed as hot-pluggable, not started", hotplug);
    if (too_many) kdetail("; %d more than the %d supported, not started", too_many, SMP_MAX_CPUS);
    kdetail("\n");

    if (!self_check(why, sizeof why)) {
        kprintf("smp: self-check failed: %s; running on the boot CPU alone\n", why);
        smp_halt_others();
        ncpus = 1;
        return;
    }
    kdetail("smp: self-check ok on %d core%s\n", ncpus, ncpus == 1 ? "" : "s");
    if (ncpus > 1) {
        bool wakes = false;
        for (int attempt = 0; attempt < 3 && !wakes; attempt++) wakes = wake_check();
        if (wakes) {
            __atomic_store_n(&doze_ticks, time_tsc_hz() / 100, __ATOMIC_RELAXED);
            kdetail("smp: helpers halt after 10 ms without work and wake on a message\n");
        } else {
            kprintf("smp: a halted helper did not wake on a message; helpers spin between jobs\n");
        }
    }
    if (ncpus > 1 && console_verbose()) {   /* a figure for the curious: not measured otherwise */
        int calls2, calls_all = 0;
        uint64_t before = taken_over;
        double us2 = dispatch_us(2, &calls2);
        double us_all = ncpus > 2 ? dispatch_us(ncpus, &calls_all) : us2;
        kdetail("smp: an empty smp_run takes %.2f us on 2 cores", us2);
        if (ncpus > 2) kdetail(", %.2f us on %d", us_all, ncpus);
        kdetail(" (%d calls; %llu shares taken over by core 0)\n", calls2 + calls_all,
                (unsigned long long)(taken_over - before));
    }
}
