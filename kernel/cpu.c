/* CPUID and the SSE/AVX enabling. SSE is switched on in boot/entry64.asm
 * before any C runs (the compiler uses it); here we add XSAVE and the AVX and
 * AVX-512 register state when the CPU offers them, so that wider kernels can
 * be chosen at start-up. An instruction set is "usable" only when the CPU has
 * it and XCR0 enables its state: the engine must never see more than that. */
#include "kernel/cpu.h"
#include "kernel/io.h"
#include "lib/format.h"
#include "lib/libc.h"

struct cpu_info cpu;

#define CR4_OSXSAVE (1ull << 18)
#define XCR0_X87 (1ull << 0)
#define XCR0_SSE (1ull << 1)
#define XCR0_AVX (1ull << 2)
#define XCR0_AVX512 ((1ull << 5) | (1ull << 6) | (1ull << 7))   /* opmask, ZMM_Hi256, Hi16_ZMM */
#define XCR0_TILES ((1ull << 17) | (1ull << 18))                /* XTILECFG, XTILEDATA: both or neither */

static void xsetbv(uint32_t idx, uint64_t v) {
    __asm__ volatile("xsetbv" ::"c"(idx), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

static void copy_regs(char *dst, const uint32_t *regs, int n) {
    memcpy(dst, regs, 4u * (unsigned)n);
}

void cpu_init(void) {
    uint32_t r[4];
    memset(&cpu, 0, sizeof cpu);
    cpuid(0, 0, r);
    uint32_t max_leaf = r[0];
    uint32_t v[3] = {r[1], r[3], r[2]};
    copy_regs(cpu.vendor, v, 3);

    cpuid(1, 0, r);
    cpu.family = (r[0] >> 8) & 0xf;
    if (cpu.family == 0xf) cpu.family += (r[0] >> 20) & 0xff;
    cpu.sse3 = r[2] & (1u << 0);
    cpu.ssse3 = r[2] & (1u << 9);
    cpu.fma = r[2] & (1u << 12);
    cpu.sse41 = r[2] & (1u << 19);
    cpu.sse42 = r[2] & (1u << 20);
    cpu.x2apic = r[2] & (1u << 21);
    cpu.popcnt = r[2] & (1u << 23);
    cpu.xsave = r[2] & (1u << 26);
    cpu.avx = r[2] & (1u << 28);
    cpu.f16c = r[2] & (1u << 29);
    bool hypervisor = r[2] & (1u << 31);

    if (max_leaf >= 7) {
        cpuid(7, 0, r);
        uint32_t subleaves = r[0];
        cpu.avx2 = r[1] & (1u << 5);
        cpu.avx512f = r[1] & (1u << 16);
        cpu.avx512bw = r[1] & (1u << 30);
        cpu.avx512vl = r[1] & (1u << 31);
        cpu.avx512vnni = r[2] & (1u << 11);
        cpu.amx_int8 = (r[3] & (1u << 24)) && (r[3] & (1u << 25));   /* AMX-TILE, AMX-INT8 */
        if (subleaves >= 1) {
            cpuid(7, 1, r);
            cpu.avx_vnni = r[0] & (1u << 4);
        }
    }
    if (max_leaf >= 0x15) {
        cpuid(0x15, 0, r);   /* TSC = crystal * ebx / eax */
        if (r[0] && r[1] && r[2]) cpu.tsc_hz_cpuid = (uint32_t)((uint64_t)r[2] * r[1] / r[0]);
    }
    if (!cpu.tsc_hz_cpuid && max_leaf >= 0x16) {
        cpuid(0x16, 0, r);   /* base frequency in MHz: close to the TSC on Intel */
        if (r[0]) cpu.tsc_hz_cpuid = r[0] * 1000000u;
    }
    if (hypervisor) {
        cpuid(0x40000000, 0, r);
        uint32_t h[3] = {r[1], r[2], r[3]};
        copy_regs(cpu.hypervisor, h, 3);
    }

    cpuid(0x80000000, 0, r);
    uint32_t max_ext = r[0];
    if (max_ext >= 0x80000001) {
        cpuid(0x80000001, 0, r);
        cpu.pdpe1gb = r[3] & (1u << 26);
    }
    if (max_ext >= 0x80000004) {
        for (uint32_t i = 0; i < 3; i++) {
            cpuid(0x80000002 + i, 0, r);
            copy_regs(cpu.brand + 16 * i, r, 4);
        }
    }
    if (max_ext >= 0x80000007) {
        cpuid(0x80000007, 0, r);
        cpu.invariant_tsc = r[3] & (1u << 8);
    }
    /* Trim the padding some vendors put around the brand string. */
    char *b = cpu.brand;
    while (*b == ' ') b++;
    memmove(cpu.brand, b, strlen(b) + 1);
    for (size_t n = strlen(cpu.brand); n && cpu.brand[n - 1] == ' '; n--) cpu.brand[n - 1] = 0;
    if (!cpu.brand[0]) memcpy(cpu.brand, cpu.vendor, sizeof cpu.vendor);

    cpu_enable_features();
}

void cpu_enable_features(void) {
    if (!cpu.xsave) return;
    WRITE_CR(4, READ_CR(4) | CR4_OSXSAVE);
    uint32_t r[4];
    cpuid(0xd, 0, r);
    uint64_t supported = ((uint64_t)r[3] << 32) | r[0];
    uint64_t want = XCR0_X87 | XCR0_SSE;
    if (cpu.avx) want |= XCR0_AVX;
    if (cpu.avx512f) want |= XCR0_AVX512;
    /* AMX's tiles: nothing here saves them (no XSAVE anywhere), and the
     * engine releases them after each product */
    if (cpu.amx_int8 && (supported & XCR0_TILES) == XCR0_TILES) want |= XCR0_TILES;
    want &= supported;
    xsetbv(0, want);
    cpu.xcr0 = want;
    cpu.avx_usable = cpu.avx && (want & (XCR0_SSE | XCR0_AVX)) == (XCR0_SSE | XCR0_AVX);
    cpu.avx512_usable = cpu.avx_usable && cpu.avx512f &&
                        (want & XCR0_AVX512) == XCR0_AVX512;
    cpu.amx_usable = cpu.amx_int8 && (want & XCR0_TILES) == XCR0_TILES;
}

void cpu_describe(char *buf, unsigned len) {
    struct { bool on; const char *name; } f[] = {
        {true, "sse2"}, {cpu.sse3, "sse3"}, {cpu.ssse3, "ssse3"}, {cpu.sse41, "sse4.1"},
        {cpu.sse42, "sse4.2"}, {cpu.popcnt, "popcnt"}, {cpu.xsave, "xsave"},
        {cpu.avx_usable, "avx"}, {cpu.avx_usable && cpu.avx2, "avx2"},
        {cpu.avx_usable && cpu.fma, "fma"}, {cpu.avx512_usable, "avx512f"},
        {cpu.avx512_usable && cpu.avx512bw, "avx512bw"},
        {cpu.avx512_usable && cpu.avx512vl, "avx512vl"},
        {cpu.avx512_usable && cpu.avx512vnni, "avx512vnni"}, {cpu.avx_usable && cpu.avx_vnni, "avx-vnni"},
        {cpu.amx_usable, "amx-int8"},
        {cpu.pdpe1gb, "1g-pages"}, {cpu.invariant_tsc, "invariant-tsc"},
    };
    unsigned n = (unsigned)fmt_snprintf(buf, len, "cpu: %s [", cpu.brand);
    const char *sep = "";
    for (unsigned i = 0; i < sizeof f / sizeof f[0] && n < len; i++) {
        if (!f[i].on) continue;
        n += (unsigned)fmt_snprintf(buf + n, len - n, "%s%s", sep, f[i].name);
        sep = " ";
    }
    if (n < len) n += (unsigned)fmt_snprintf(buf + n, len - n, "]");
    if (cpu.hypervisor[0] && n < len) fmt_snprintf(buf + n, len - n, " hypervisor=%s", cpu.hypervisor);
}
