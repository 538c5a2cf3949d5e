/* For host tests of the kernels: the kernel sets this CPU has, best first
 * (the SSE2 baseline always), from matmul_levels. */
#ifndef TESTS_HOST_KERNEL_SETS_H
#define TESTS_HOST_KERNEL_SETS_H

#include "lib/llama/llama.h"
#include "lib/llama/matmul.h"

/* Fills out (room for MATMUL_SETS) and returns how many. */
static inline int levels(const MatmulKernel **out) {
    unsigned have = llama_cpu_detect();
    int n = 0;
    for (int i = 0; matmul_levels[i]; i++)
        if (!(matmul_levels[i]->needs & ~have)) out[n++] = matmul_levels[i];
    return n;
}

#endif
