/* The local APIC (Intel SDM volume 3, chapter "Advanced Programmable
 * Interrupt Controller"): IA32_APIC_BASE (MSR 0x1b) holds the enable bit
 * (11), the x2APIC bit (10) and the register page address (bits 12 and up).
 * Registers used: id (0x20; xAPIC: bits 24-31), task priority (0x80; 0
 * lets every vector through), spurious-interrupt vector (0xf0; bit 8
 * software-enables the APIC), the timer's vector entry (0x320; bit 16
 * masks it; mode bits 17-18 are 0, one-shot), initial and current count
 * (0x380, 0x390) and divide configuration (0x3e0), interrupt command (0x300 low,
 * 0x310 high; xAPIC: destination in bits 24-31 of the high half, writing
 * the low half sends, bit 12 is "send pending"). In x2APIC mode register
 * r is MSR 0x800 + r / 16, the id is all 32 bits of MSR 0x802, and the
 * command register is one 64-bit MSR (0x830), destination in the top half. */
#include "kernel/lapic.h"
#include "kernel/io.h"
#include "lib/format.h"

#define MSR_APIC_BASE 0x1b
#define APIC_BASE_ENABLE (1ull << 11)
#define APIC_BASE_X2APIC (1ull << 10)
#define APIC_BASE_ADDR 0x000ffffffffff000ull

#define REG_ID  0x020
#define REG_TPR 0x080
#define REG_SVR 0x0f0
#define REG_LVT_TIMER 0x320
#define REG_TIMER_INITIAL 0x380
#define REG_TIMER_CURRENT 0x390
#define REG_TIMER_DIVIDE 0x3e0
#define LVT_MASKED (1u << 16)
#define DIVIDE_BY_16 0x3u
#define REG_ICR_LOW  0x300
#define REG_ICR_HIGH 0x310
#define ICR_PENDING (1u << 12)
#define SVR_ENABLE (1u << 8)

bool lapic_x2apic(void) { return rdmsr(MSR_APIC_BASE) & APIC_BASE_X2APIC; }

uint64_t lapic_mmio_base(void) { return rdmsr(MSR_APIC_BASE) & APIC_BASE_ADDR; }

static volatile uint32_t *mmio(unsigned reg) {
    return (volatile uint32_t *)(uintptr_t)(lapic_mmio_base() + reg);
}

static uint32_t rd(unsigned reg) {
    return lapic_x2apic() ? (uint32_t)rdmsr(0x800 + reg / 16) : *mmio(reg);
}

static void wr(unsigned reg, uint32_t v) {
    if (lapic_x2apic()) wrmsr(0x800 + reg / 16, v);
    else *mmio(reg) = v;
}

uint32_t lapic_id(void) { return lapic_x2apic() ? (uint32_t)rdmsr(0x802) : rd(REG_ID) >> 24; }

int lapic_init(char *why, size_t n) {
    uint64_t base = rdmsr(MSR_APIC_BASE);
    if (!(base & APIC_BASE_ENABLE)) {
        fmt_snprintf(why, n, "the local APIC is disabled (IA32_APIC_BASE bit 11 clear)");
        return -1;
    }
    if (!(base & APIC_BASE_X2APIC) && (base & APIC_BASE_ADDR) >= (4ull << 30)) {
        fmt_snprintf(why, n, "the local APIC registers at %#llx are above 4 GiB, outside the kernel's map",
                     (unsigned long long)(base & APIC_BASE_ADDR));
        return -1;
    }
    lapic_enable();
    return 0;
}

void lapic_enable(void) {
    wr(REG_SVR, rd(REG_SVR) | SVR_ENABLE | 0xff);   /* spurious vector 0xff */
    wr(REG_TPR, 0);
}

static void timer_start(uint32_t lvt, uint32_t count) {
    wr(REG_TIMER_DIVIDE, DIVIDE_BY_16);
    wr(REG_LVT_TIMER, lvt);
    wr(REG_TIMER_INITIAL, count);
}

void lapic_timer_start(uint8_t vector, uint32_t count) { timer_start(vector, count); }

void lapic_timer_start_masked(uint32_t count) { timer_start(LVT_MASKED, count); }

uint32_t lapic_timer_count(void) { return rd(REG_TIMER_CURRENT); }

void lapic_timer_stop(void) {
    wr(REG_LVT_TIMER, LVT_MASKED);
    wr(REG_TIMER_INITIAL, 0);
}

int lapic_enable_x2apic(void) {
    uint32_t r[4];
    cpuid(1, 0, r);
    if (!(r[2] & (1u << 21))) return -1;
    wrmsr(MSR_APIC_BASE, rdmsr(MSR_APIC_BASE) | APIC_BASE_ENABLE | APIC_BASE_X2APIC);
    return 0;
}

/* Waits (boundedly) for the xAPIC to finish sending the previous message. */
static bool idle(void) {
    for (long i = 0; i < 10000000; i++) {
        if (!(*mmio(REG_ICR_LOW) & ICR_PENDING)) return true;
        cpu_pause();
    }
    return false;
}

int lapic_send(uint32_t apic_id, uint32_t icr_low) {
    if (lapic_x2apic()) {
        wrmsr(0x830, ((uint64_t)apic_id << 32) | icr_low);
        return 0;
    }
    if (apic_id > 0xfe || !idle()) return -1;   /* 0xff is the xAPIC broadcast id */
    *mmio(REG_ICR_HIGH) = apic_id << 24;
    *mmio(REG_ICR_LOW) = icr_low;
    return idle() ? 0 : -1;
}
