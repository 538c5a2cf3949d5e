/* Which vector extensions the engine may use: CPUID says what the CPU has,
 * XCR0 (XGETBV) whether the OS saves the wider registers. Both
 * instructions work at any privilege level, in the kernel and on the host.
 * AMX's tile data is one more step on Linux: XCR0 has it enabled for
 * every process, but a process that has not asked for it
 * (ARCH_REQ_XCOMP_PERM) dies of SIGILL at its first tile instruction. A
 * freestanding build has no one to ask: whoever set XCR0 granted it. */
#include <stdint.h>
#include "lib/llama/llama.h"
#include "lib/llama/errors.h"

#if defined(__linux__) && __STDC_HOSTED__     /* a Linux process, not a freestanding build */
#include <sys/syscall.h>
#include <unistd.h>
#define ARCH_REQ_XCOMP_PERM 0x1023
#define XFEATURE_XTILEDATA 18
/* 1 when this process may use the tile data (asked once; idempotent). */
static int amx_granted(void) { return syscall(SYS_arch_prctl, ARCH_REQ_XCOMP_PERM, XFEATURE_XTILEDATA) == 0; }
#else
static int amx_granted(void) { return 1; }
#endif

#define XCR0_TILES ((1ull << 17) | (1ull << 18))   /* XTILECFG, XTILEDATA */

static void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4]) {
    __asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
                     : "a"(leaf), "c"(sub));
}

static uint64_t xgetbv0(void) {
    uint32_t lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return (uint64_t)hi << 32 | lo;
}

unsigned llama_cpu_detect(void) {
    uint32_t r[4];
    cpuid(0, 0, r);
    uint32_t max_leaf = r[0];
    if (max_leaf < 1) return 0;
    cpuid(1, 0, r);
    int osxsave = (r[2] >> 27) & 1, avx = (r[2] >> 28) & 1, fma = (r[2] >> 12) & 1, f16c = (r[2] >> 29) & 1;
    unsigned f = 0;
    if (((r[2] >> 9) & 1) && ((r[2] >> 19) & 1)) f |= LLAMA_CPU_SSE41;   /* SSSE3, SSE4.1 */
    if (!osxsave || !avx) return f;
    uint64_t xcr0 = xgetbv0();
    if ((xcr0 & 0x6) != 0x6) return f;           /* SSE and AVX state */
    f |= LLAMA_CPU_AVX;
    if (fma) f |= LLAMA_CPU_FMA;
    if (f16c) f |= LLAMA_CPU_F16C;
    if (max_leaf >= 7) {
        cpuid(7, 0, r);
        uint32_t subleaves = r[0];
        if ((r[1] >> 5) & 1) f |= LLAMA_CPU_AVX2;
        if (((r[1] >> 16) & 1) && (xcr0 & 0xe0) == 0xe0) {
            f |= LLAMA_CPU_AVX512;
            if (((r[1] >> 30) & 1) && ((r[1] >> 31) & 1) && ((r[2] >> 11) & 1))
                f |= LLAMA_CPU_AVX512VNNI;          /* BW, VL, VNNI */
            /* AMX-TILE, AMX-INT8 (the kernels scale the tiles' sums in AVX-512) */
            if ((f & LLAMA_CPU_AVX512VNNI) && ((r[3] >> 24) & 1) && ((r[3] >> 25) & 1) &&
                (xcr0 & XCR0_TILES) == XCR0_TILES && amx_granted())
                f |= LLAMA_CPU_AMX;
        }
        /* AVX-VNNI: leaf 7 subleaf 1, EAX bit 4 (every CPU with it has F16C) */
        if (subleaves >= 1 && f16c && (f & LLAMA_CPU_AVX2)) {
            cpuid(7, 1, r);
            if ((r[0] >> 4) & 1) f |= LLAMA_CPU_AVXVNNI;
        }
    }
    return f;
}

int llama_cpu_level(unsigned have, const char *level, unsigned *features, llama_error *err) {
    const unsigned avx2 = LLAMA_CPU_AVX2 | LLAMA_CPU_FMA;
    if (__builtin_strcmp(level, "sse2") == 0) *features = 0;
    else if (__builtin_strcmp(level, "sse4") == 0) {
        if (!(have & LLAMA_CPU_SSE41))
            return llama_fail(err, "--simd sse4: this CPU has no SSSE3 and SSE4.1; use --simd sse2");
        *features = LLAMA_CPU_SSE41 | (have & LLAMA_CPU_AVX);   /* VEX-encoded where it can */
    } else if (__builtin_strcmp(level, "avx2") == 0) {
        if ((have & avx2) != avx2)
            return llama_fail(err, "--simd avx2: this CPU (or its XCR0 state) has no AVX2 and FMA; "
                                   "use --simd sse4 or sse2");
        *features = avx2 | (have & (LLAMA_CPU_AVXVNNI | LLAMA_CPU_F16C | LLAMA_CPU_SSE41 | LLAMA_CPU_AVX));
    } else if (__builtin_strcmp(level, "avx512") == 0) {
        if (!(have & LLAMA_CPU_AVX512))
            return llama_fail(err, "--simd avx512: this CPU (or its XCR0 state) has no AVX-512; "
                                   "use --simd avx2, sse4 or sse2");
        *features = have & ~LLAMA_CPU_AMX;
    } else if (__builtin_strcmp(level, "amx") == 0) {
        if (!(have & LLAMA_CPU_AMX))
            return llama_fail(err, "--simd amx: this CPU (or its OS) offers no AMX-INT8 tiles with AVX-512 "
                                   "VNNI; use --simd avx512, avx2, sse4 or sse2");
        *features = have;
    } else
        return llama_fail(err, "--simd %s: not a level; use sse2, sse4, avx2, avx512 or amx", level);
    return 0;
}
