/* SSE4.1 kernels for ggml's block types (matmul.h's tensor kernels), for
 * the CPUs without AVX2: quant_body.h's AVX2 kernels compiled on
 * vec256_sse.h's pairs of 128-bit registers (SSSE3's PMADDUBSW, PSHUFB
 * and PHADDD, SSE4.1's PMULLD and blends), with the blocks' fp16 scales
 * widened in integer code. Every result is matmul_plain.c's, bit for bit,
 * as the AVX2 kernels' are: the same operations on the same lanes.
 * Several vectors (prompts) go through the one-vector kernels a chunk of
 * rows at a time; F16 and BF16 rows are matmul_sse2.c's. */
#include <stddef.h>
#include <stdint.h>
#include "lib/llama/blocks.h"
#include "lib/llama/f16.h"
#include "lib/llama/matmul.h"
#include "lib/llama/simd.h"

#define INLINE __attribute__((always_inline)) inline
#define TARGET __attribute__((target("ssse3,sse4.1")))
#define V2_TARGET TARGET
#define V2_SSE4
#include "lib/llama/vec256_sse.h"

#define NAME(x) sse4_##x
TARGET static INLINE __m256 sse4_halves8(__m128i h) { return v2_halves8(h); }
#include "lib/llama/quant_body.h"

/* No batched kernels at this level: every entry NULL. */
static const matmul_tensor_fn no_batch[MATMUL_KINDS];

BODY_TENSOR_TABLE(matmul_sse4_tensor, sse4, no_batch, matmul_sse2_f16_rows, matmul_sse2_bf16_rows)
