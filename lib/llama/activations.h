/* Prepared activations: the layout of one input vector made ready for
 * products with a weight type (matmul.h's matmul_prepare), for the
 * kernels of every level.
 *
 * One vector of n values (n = the weight's cols) takes act_layout(...).bytes
 * bytes, a multiple of 64; m vectors lie one after another. Each part
 * starts on a 64-byte boundary of the vector (the buffer itself must be
 * 64-byte aligned):
 *   F32, F16, BF16   float x[n]: the values, rounded to the activation type
 *                    (F16: binary16; BF16: bfloat16), held as fp32.
 *   F16, BF16        uint16 half[n]: the same values in that type, half the
 *                    bytes, for kernels whose x in fp32 would crowd the L1
 *                    cache (matmul.h's matmul_half_x).
 *   Q8_0  (blocks of 32)  int8 q[n]; float d[n/32] (the block's fp16 scale, as
 *                    fp32); int32 sum[n/32] (the sum of the block's q).
 *   Q8_1  (blocks of 32)  q, d, sum as Q8_0; float s[n/32] (the fp16 value of
 *                    d * sum, before d was rounded to fp16: ggml's "s").
 *   both             int8 quads[n - n % 128]: q again, each four blocks in
 *                    the order the 512-bit kernels take a four-block
 *                    register of nibbles (quant_avx512.c): values 0-15 of
 *                    blocks 0, 1, 2, 3, then values 16-31 of the same.
 *   Q8_K  (blocks of 256) int8 q[n]; float d[n/256]; int16 bsums[n/16] (the sums
 *                    of each 16 q); int16 sums32[n/32] (each 32 q);
 *                    int8 k4[n]: q again, each block of 256 in the order of
 *                    Q4_K's split quants (blocks.h): for c < 4 and h < 2, at
 *                    128 (c / 2) + 64 h + 32 (c % 2), 32 bytes whose byte
 *                    4j + i is value 32j + 8c + 4h + i (the low nibbles of
 *                    32 bytes of quants, h = 0, or their high ones; a
 *                    512-bit kernel's two loads of quants, c and c + 1,
 *                    take 64 bytes each).
 *   RUNQ8 (groups of g = gcd(n, group size)) int8 q[n]; float s[n/g];
 *                    int32 bias[n/g] (128 times the group's sum of q).
 * The quantizers are ggml's x86 ones value for value (see activations.c). */
#ifndef LIB_LLAMA_ACTIVATIONS_H
#define LIB_LLAMA_ACTIVATIONS_H

#include <stddef.h>
#include <stdint.h>
#include "lib/llama/tensor.h"

typedef struct {
    int type;        /* the activation type: LLAMA_TYPE_F32, _F16, _BF16, _Q8_0, _Q8_1, _Q8_K, _RUNQ8 */
    int n;           /* values per vector */
    int g;           /* values per scale: 32, 256, RUNQ8's group; 1 for the float types */
    size_t d;        /* offset of the float scales (d, or RUNQ8's s) */
    size_t sum;      /* offset of the int32 block sums (Q8_0, Q8_1), RUNQ8's bias,
                        or Q8_K's int16 bsums */
    size_t s;        /* offset of Q8_1's s, or Q8_K's int16 sums32 */
    size_t quads;    /* offset of Q8_0's and Q8_1's quads; 0: none */
    size_t half;     /* offset of F16's and BF16's half; 0: none */
    size_t k4;       /* offset of Q8_K's k4; 0: none */
    size_t bytes;    /* of one vector, a multiple of 64 */
} ActLayout;

/* The activation type that weight type `type` pairs with (ggml's
 * vec_dot_type; RUNQ8 with itself); -1 for a type that is no weight. */
int act_type_of(int weight_type);

/* Where k4's 32 bytes (c, h) of a block of 256 lie from its start. */
static inline int act_k4_at(int c, int h) { return 128 * (c / 2) + 64 * h + 32 * (c % 2); }

/* The layout of one vector prepared for products with w. */
ActLayout act_layout(const llama_tensor *w);

/* The bytes of one vector that sizes the batched kernels' chunks of
 * vectors: Q8_K's without k4, which lies last and only the one-vector
 * Q4_K kernels read (counted, it halved the chunks, and kbench's batched
 * Q4_K at 2048 columns went from 302 to 280 GFLOP/s). */
static inline size_t act_chunk_bytes(const ActLayout *L) { return L->k4 ? L->k4 : L->bytes; }

/* Prepares x (n = L->n floats) into one vector at v (L->bytes bytes). */
void act_quantize(const ActLayout *L, const float *x, void *v);

/* Vector t of m prepared ones at act, its parts as the kernels read them
 * (a part the type lacks points at whatever lies at its offset). */
typedef struct {
    const int8_t *q;
    const float *d;
    const int32_t *sum;             /* Q8_0, Q8_1 */
    const int16_t *bsums, *sums32;  /* Q8_K */
    const float *s;                 /* Q8_1 */
    const int8_t *quads;            /* Q8_0, Q8_1 */
    const int8_t *k4;               /* Q8_K */
} ActView;

static inline ActView act_view(const ActLayout *L, const void *act, int t) {
    const unsigned char *v = (const unsigned char *)act + (size_t)t * L->bytes;
    ActView a = { (const int8_t *)v, (const float *)(const void *)(v + L->d),
                  (const int32_t *)(const void *)(v + L->sum), (const int16_t *)(const void *)(v + L->sum),
                  (const int16_t *)(const void *)(v + L->s), (const float *)(const void *)(v + L->s),
                  (const int8_t *)(v + L->quads), (const int8_t *)(v + L->k4) };
    return a;
}

#endif
