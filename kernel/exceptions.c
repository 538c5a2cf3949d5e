/* The report of a CPU exception: which one, the error code, where (RIP, RSP,
 * CR2) and every general register, on every console; then the kernel stops
 * with EXIT_EXCEPTION. A fault on the guard page below a stack is named as
 * the stack overflow it is. A fault inside this handler is reported in one
 * line on the serial port alone, never looped on.
 *
 * With several cores the first to fault reports: it stops the others
 * (smp_halt_others sends each an NMI, which lands here and parks it) and
 * names itself in the report; a core that faults while another reports
 * parks silently. */
#include <stdint.h>
#include "drivers/qemu_exit.h"
#include "drivers/serial.h"
#include "kernel/console.h"
#include "kernel/io.h"
#include "kernel/panic.h"
#include "kernel/smp.h"
#include "kernel/stacks.h"
#include "lib/format.h"

struct exception_frame {
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8, rbp, rdi, rsi, rdx, rcx, rbx, rax;
    uint64_t vector, error, rip, cs, rflags, rsp, ss;
};

static const char *const names[32] = {
    "divide error", "debug", "non-maskable interrupt", "breakpoint", "overflow",
    "bound range exceeded", "invalid opcode", "device not available", "double fault",
    "coprocessor segment overrun", "invalid TSS", "segment not present",
    "stack-segment fault", "general protection fault", "page fault", "reserved",
    "x87 floating-point error", "alignment check", "machine check",
    "SIMD floating-point error", "virtualization exception", "control protection",
    "reserved", "reserved", "reserved", "reserved", "reserved", "reserved",
    "hypervisor injection", "VMM communication", "security exception", "reserved",
};

void exception_handler(struct exception_frame *f) __attribute__((noreturn));

void exception_handler(struct exception_frame *f) {
    if (f->vector == 2 && smp_halt_requested()) smp_park();   /* stopped by the reporting core */
    static volatile int depth[SMP_MAX_CPUS];
    if (depth[smp_cpu_id()]++) {
        static const char msg[] = "\nerror: CPU exception while reporting a CPU exception; halted\n"
                                  "outcome: exception\n";
        serial_write(msg, sizeof msg - 1);
        if (exit_when_done) qemu_exit(EXIT_EXCEPTION);
        halt_forever();
    }
    uint64_t cr2 = READ_CR(2);
    if (!smp_claim_failure()) smp_park();   /* another core is reporting its own */
    smp_halt_others();
    console_force_unlock();
    unsigned v = (unsigned)f->vector & 31;
    char where[48] = "";
    struct percpu *me = smp_this_cpu();
    if (smp_cpu_count() > 1 && me)
        fmt_snprintf(where, sizeof where, " on CPU %d (apic id %u)", me->id, me->apic_id);
    kprintf("\nerror: CPU exception %u (%s)%s, error code %#llx\n", v, names[v], where,
            (unsigned long long)f->error);
    if (v == 14) {
        const char *stack = stack_guard_owner(cr2);
        if (stack)
            kprintf("error: stack overflow: %s ran into its guard page at %#llx\n", stack,
                    (unsigned long long)cr2);
        else
            kprintf("page fault: %s %s of address %#llx (%s)\n",
                    f->error & 4 ? "user" : "kernel", f->error & 2 ? "write" : "read",
                    (unsigned long long)cr2, f->error & 1 ? "protection" : "not mapped");
    }
    kprintf("  RIP=%016llx  RSP=%016llx  CR2=%016llx  RFLAGS=%016llx\n",
            (unsigned long long)f->rip, (unsigned long long)f->rsp, (unsigned long long)cr2,
            (unsigned long long)f->rflags);
    kprintf("  RAX=%016llx  RBX=%016llx  RCX=%016llx  RDX=%016llx\n",
            (unsigned long long)f->rax, (unsigned long long)f->rbx, (unsigned long long)f->rcx,
            (unsigned long long)f->rdx);
    kprintf("  RSI=%016llx  RDI=%016llx  RBP=%016llx  R8 =%016llx\n",
            (unsigned long long)f->rsi, (unsigned long long)f->rdi, (unsigned long long)f->rbp,
            (unsigned long long)f->r8);
    kprintf("  R9 =%016llx  R10=%016llx  R11=%016llx  R12=%016llx\n",
            (unsigned long long)f->r9, (unsigned long long)f->r10, (unsigned long long)f->r11,
            (unsigned long long)f->r12);
    kprintf("  R13=%016llx  R14=%016llx  R15=%016llx  CS=%04llx SS=%04llx\n",
            (unsigned long long)f->r13, (unsigned long long)f->r14, (unsigned long long)f->r15,
            (unsigned long long)f->cs, (unsigned long long)f->ss);
    kernel_stop(EXIT_EXCEPTION);
}
