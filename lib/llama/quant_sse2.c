/* SSE2 kernels for ggml's block types (matmul.h's tensor kernels), for
 * the x86-64 baseline (QEMU's default CPU model, AMD before Bobcat and
 * Bulldozer): quant_body.h's AVX2 kernels on vec256_sse.h's pairs of
 * 128-bit registers, as quant_sse4.c's, with SSSE3's and SSE4.1's
 * instructions as SSE2 sequences of the same results (PMADDUBSW as two
 * PMULLW of the even and odd bytes; PSHUFB through memory): kbench, one
 * core, GB/s, plain C -> these: Q4_0 0.56 -> 6.7, Q4_K 0.25 -> 2.1, Q6_K
 * 0.29 -> 1.35, Q8_0 4.4 -> 7.5. Every result is matmul_plain.c's, bit
 * for bit. F16 and BF16 rows are matmul_sse2.c's. */
#include <stddef.h>
#include <stdint.h>
#include "lib/llama/blocks.h"
#include "lib/llama/f16.h"
#include "lib/llama/matmul.h"
#include "lib/llama/simd.h"

#define INLINE __attribute__((always_inline)) inline
#define TARGET
#define V2_TARGET
#include "lib/llama/vec256_sse.h"

#define NAME(x) sse2_##x
TARGET static INLINE __m256 sse2_halves8(__m128i h) { return v2_halves8(h); }
#include "lib/llama/quant_body.h"

/* One vector at a time (no batched kernels at this level). Q2_K stays in
 * plain C, faster there: kbench, one core, 1.0 against 0.6 GB/s (its
 * scales' PSHUFBs through memory). */
const matmul_tensor_fn matmul_sse2_tensor[MATMUL_KINDS] = {
    [MATMUL_Q8_0] = sse2_q8_0_rows, [MATMUL_Q4_0] = sse2_q4_0_rows, [MATMUL_Q5_0] = sse2_q5_0_rows,
    [MATMUL_Q4_1] = sse2_q4_1_rows, [MATMUL_Q5_1] = sse2_q5_1_rows, [MATMUL_Q3_K] = sse2_q3_k_rows,
    [MATMUL_Q4_K] = sse2_q4_k_rows, [MATMUL_Q5_K] = sse2_q5_k_rows, [MATMUL_Q6_K] = sse2_q6_k_rows,
    [MATMUL_IQ4_NL] = sse2_iq4_nl_rows, [MATMUL_IQ4_XS] = sse2_iq4_xs_rows,
    [MATMUL_F16] = matmul_sse2_f16_rows, [MATMUL_BF16] = matmul_sse2_bf16_rows,
};
