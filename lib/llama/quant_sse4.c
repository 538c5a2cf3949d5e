/* SSE4.1 kernels for ggml's block types (matmul.h's tensor kernels), for
 * the CPUs without AVX2: quant_body.h's AVX2 kernels compiled on
 * vec256_sse.h's pairs of 128-bit registers (SSSE3's PMADDUBSW, PSHUFB
 * and PHADDD, SSE4.1's PMULLD and blends), with the blocks' fp16 scales
 * widened in integer code. Every result is matmul_plain.c's, bit for bit,
 * as the AVX2 kernels' are: the same operations on the same lanes.
 * Several vectors (prompts) go through the one-vector kernels a chunk of
 * rows at a time; F16 and BF16 rows are matmul_sse2.c's.
 * quant_sse4_avx.c compiles this file again, VEX-encoded, with its own
 * SSE4_TARGET, SSE4_PREFIX and SSE4_TABLE. */
#include <stddef.h>
#include <stdint.h>
#include "lib/llama/blocks.h"
#include "lib/llama/f16.h"
#include "lib/llama/matmul.h"
#include "lib/llama/simd.h"

#ifndef SSE4_TARGET
#define SSE4_TARGET "ssse3,sse4.1"
#define SSE4_PREFIX sse4
#define SSE4_TABLE matmul_sse4_tensor
#endif

#define INLINE __attribute__((always_inline)) inline
#define TARGET __attribute__((target(SSE4_TARGET)))
#define V2_TARGET TARGET
#define V2_SSE4
#include "lib/llama/vec256_sse.h"

#define SSE4_CAT(p, x) p##_##x
#define SSE4_NAME(p, x) SSE4_CAT(p, x)
#define NAME(x) SSE4_NAME(SSE4_PREFIX, x)
TARGET static INLINE __m256 NAME(halves8)(__m128i h) { return v2_halves8(h); }
#include "lib/llama/quant_body.h"

/* No batched kernels at this level: every entry NULL. */
static const matmul_tensor_fn no_batch[MATMUL_KINDS];

/* (through one more macro, so that SSE4_PREFIX is expanded before it is pasted) */
#define SSE4_BODY_TABLE(table, prefix) BODY_TENSOR_TABLE(table, prefix, no_batch, matmul_sse2_f16_rows, matmul_sse2_bf16_rows)
SSE4_BODY_TABLE(SSE4_TABLE, SSE4_PREFIX)
