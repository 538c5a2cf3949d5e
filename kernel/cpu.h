/* What this CPU can do (CPUID) and the state we switched on for it
 * (x87/SSE always; XSAVE, AVX, AVX-512 and AMX's tiles where both CPU and
 * XCR0 allow). */
#ifndef KERNEL_CPU_H
#define KERNEL_CPU_H

#include <stdbool.h>
#include <stdint.h>

struct cpu_info {
    char vendor[13];
    char brand[49];
    char hypervisor[13];        /* "TCGTCGTCGTCG" under QEMU TCG, "" on bare metal */
    uint32_t family;            /* the display family: base + extended where base is 0xf */
    bool sse3, ssse3, sse41, sse42, popcnt, fma, f16c;
    bool xsave, avx, avx2, avx512f, avx512bw, avx512vl, avx512vnni, avx_vnni, amx_int8;
    bool pdpe1gb, invariant_tsc, x2apic;
    uint64_t xcr0;              /* 0 when XSAVE is off */
    bool avx_usable;            /* AVX/AVX2 instructions may run (CPU + XCR0) */
    bool avx512_usable;         /* AVX-512 instructions may run (CPU + XCR0) */
    bool amx_usable;            /* AMX-TILE and AMX-INT8 instructions may run (CPU + XCR0) */
    uint32_t tsc_hz_cpuid;      /* TSC frequency from leaf 0x15/0x16, 0 if not given */
};

extern struct cpu_info cpu;

/* Reads CPUID into `cpu` and turns on XSAVE/AVX/AVX-512 state where present.
 * Run on every core (the application processors repeat the enabling). */
void cpu_init(void);
void cpu_enable_features(void);
/* One line: brand and features, for the boot log. */
void cpu_describe(char *buf, unsigned len);

#endif
