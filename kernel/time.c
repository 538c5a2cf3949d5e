#include "kernel/time.h"
#include "kernel/cpu.h"
#include "kernel/io.h"

#define PIT_HZ 1193182u
#define PIT_CH2 0x42
#define PIT_CMD 0x43
#define PIT_GATE 0x61

static uint64_t tsc_hz, tsc_start, tsc_entry;

/* Counts TSC ticks while PIT channel 2 counts down `ms` milliseconds in
 * mode 0 (its output goes high at terminal count). 0 when the PIT never
 * answers, as on machines that no longer have one. */
static uint64_t pit_measure(unsigned ms) {
    uint32_t count = PIT_HZ * ms / 1000;
    if (count > 0xffff) count = 0xffff;
    uint8_t gate = inb(PIT_GATE);
    outb(PIT_GATE, (uint8_t)((gate & ~0x02) | 0x01));   /* gate on, speaker off */
    outb(PIT_CMD, 0xb0);                               /* channel 2, lo/hi, mode 0 */
    outb(PIT_CH2, (uint8_t)count);
    outb(PIT_CH2, (uint8_t)(count >> 8));
    uint64_t t0 = rdtsc();
    /* Give up after ~4 G ticks: over a second on any CPU that has a PIT. */
    while (!(inb(PIT_GATE) & 0x20))
        if (rdtsc() - t0 > (1ull << 32)) { outb(PIT_GATE, gate); return 0; }
    uint64_t t1 = rdtsc();
    outb(PIT_GATE, gate);
    return (t1 - t0) * PIT_HZ / count;
}

const char *time_init(void) {
    tsc_start = rdtsc();
    const char *source = "cpuid";
    tsc_hz = cpu.tsc_hz_cpuid;
    if (!tsc_hz) {
        /* Two 50 ms windows (the PIT's 16-bit counter holds up to 54 ms); keep
         * the lower, as a delay during one only makes it longer. */
        uint64_t a = pit_measure(50), b = pit_measure(50);
        tsc_hz = a < b ? a : b;
        source = "pit";
    }
    if (!tsc_hz) {
        tsc_hz = 2000000000ull;   /* a guess, so timings print something */
        return 0;
    }
    return source;
}

uint64_t time_tsc_hz(void) { return tsc_hz; }

void time_mark_entry(void) { tsc_entry = rdtsc(); }

uint64_t time_since_entry_ns(void) {
    uint64_t t = rdtsc() - tsc_entry;
    return (uint64_t)((unsigned __int128)t * 1000000000u / tsc_hz);
}

uint64_t time_ns(void) {
    uint64_t t = rdtsc() - tsc_start;
    return (uint64_t)((unsigned __int128)t * 1000000000u / tsc_hz);
}

void time_delay_us(uint64_t us) {
    uint64_t end = rdtsc() + us * tsc_hz / 1000000;
    while (rdtsc() < end) cpu_pause();
}

/* CMOS real-time clock register (BCD or binary, whatever the firmware chose:
 * only variety matters here). */
static uint8_t cmos_read(uint8_t reg) {
    outb(0x70, reg);
    return inb(0x71);
}

uint64_t time_entropy(void) {
    uint64_t rtc = 0;
    static const uint8_t regs[] = {0x00, 0x02, 0x04, 0x07, 0x08, 0x09};   /* s m h day month year */
    for (unsigned i = 0; i < sizeof regs; i++) rtc = rtc << 8 | cmos_read(regs[i]);
    uint64_t x = rtc ^ rdtsc() * 0x9E3779B97F4A7C15ull;
    x ^= x >> 31;
    return x ? x : 1;
}

static int from_bcd(uint8_t v, bool bcd) { return bcd ? (v >> 4) * 10 + (v & 15) : v; }

bool time_rtc_date(int *year, int *month, int *day) {
    /* wait (bounded) while the RTC updates its registers */
    for (int i = 0; i < 100000 && (cmos_read(0x0A) & 0x80); i++) cpu_pause();
    bool bcd = !(cmos_read(0x0B) & 0x04);
    int d = from_bcd(cmos_read(0x07), bcd), m = from_bcd(cmos_read(0x08), bcd);
    int y = from_bcd(cmos_read(0x09), bcd);
    if (d < 1 || d > 31 || m < 1 || m > 12 || y > 99) return false;   /* no RTC, or nonsense */
    *year = 2000 + y;
    *month = m;
    *day = d;
    return true;
}
