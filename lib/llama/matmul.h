/* Matrix-vector products and attention's dot products: the bulk of the work.
 *
 * One summation order, whatever the SIMD width, the core or the number of
 * cores, so that every build and every --simd level gives the same bits.
 *
 * fp32 ("dot16"): a dot product of two n-vectors keeps 16 partial sums
 * starting at +0; lane k adds a[j] * b[j] (multiplied and rounded, then
 * added: never fused) for j = k, k+16, k+32, ... in that order. Then the
 * lanes are added as a tree: l[k] += l[k+8] for k < 8, l[k] += l[k+4] for
 * k < 4, l[k] += l[k+2] for k < 2, and the result is l[0] + l[1]. SSE2 keeps
 * the 16 lanes in four registers, AVX2 in two, AVX-512 in one; plain C (for
 * sizes no kernel takes) in an array. This is not run.c's order (one
 * running sum): logits differ from run.c's in the last bits, and the
 * reference stories stay the same (tests/host/reference.sh checks them).
 * Each output row of a product is one dot16, so rows can be split across
 * cores any way at all.
 *
 * Q8_0 (int8 weights, runq.c's scheme): a matrix holds int8 values and one
 * fp32 scale per gs consecutive values (row-major, so a group may straddle
 * two rows when n % gs != 0). The input vector is quantized in groups of
 * g = gcd(n, gs) values (g = gs for every matrix whose rows hold whole
 * groups, as in runq.c): scale = max|x| / 127, q = round(x / scale), halves
 * away from zero. Each segment j = 0, g, 2g, ... of row i gives, as in
 * runq.c, p = ((float)isum * wscale[(i*n + j) / gs]) * xscale[j / g], isum
 * the exact int32 sum of the segment's byte products. The row adds the p
 * of its whole blocks of 8 segments in 8 lanes, lane k taking segments k,
 * k+8, k+16, ... in order from +0, then l[k] += l[k+4] for k < 4,
 * l[k] += l[k+2] for k < 2, s = l[0] + l[1]; then the p of the segments
 * after the last whole block, one by one: s = s + p (runq.c adds all in one
 * running sum, which costs a third of the speed here). This is RUNQ8 in
 * the tensor API below.
 *
 * GGUF weight types (ggml's block formats, blocks.h; the blocks of 4 and
 * 5 bits rearranged by llama_tensor_prepare, the _SPLIT types, the same
 * blocks' values),
 * each against the activations llama.cpp's x86 CPU backend pairs it with
 * (activations.h):
 * the integer sums are llama.cpp's, exactly; the float operations after
 * them are ours, the same at every level:
 *
 * F16, BF16: x rounded to F16 (BF16), then dot16 of the widened weights and
 * the rounded x (every product is exact in fp32, so fused or not is the
 * same). F32: dot16.
 *
 * Blocks of 32 (Q8_0, Q4_0, Q5_0, IQ4_NL with Q8_0 activations; Q4_1, Q5_1
 * with Q8_1): block b of the row gives isum = the exact int32 sum of its 32
 * products q_w * q_x (q_w as the format defines it: Q4_0 nibble - 8, Q5_0
 * 5 bits - 16, Q4_1 nibble, Q5_1 5 bits, Q8_0 int8, IQ4_NL the table's
 * value of the nibble) and
 *     p = (float)isum * (d_w * d_x)                       (Q8_0, Q4_0, Q5_0, IQ4_NL)
 *     p = (float)isum * (d_w * d_x) + m_w * s_x           (Q4_1, Q5_1)
 * (d_w * d_x and m_w * s_x are products of two fp16 values: exact).
 *
 * Super-blocks of 256 (the K-quants, Q8_K activations): super-block b
 * gives isum = the exact sum over its sub-blocks j of sc_j times the
 * sub-block's sum of products q_w * q_x, and for the types with minimums
 * msum = the exact sum over j of mn_j times the sub-block's sum of q_x
 * (sc_j, mn_j the integer scale and minimum; q_w the unsigned quant for
 * Q2_K, Q4_K, Q5_K, minus 4 or 32 for Q3_K, Q6_K as ggml defines them;
 * IQ4_XS: sc_j its 6-bit scale minus 32, q_w the table's value);
 * with dd = d_x * d_w, dm = d_x * dmin_w (each rounded):
 *     p = dd * (float)isum - dm * (float)msum             (Q2_K, Q4_K, Q5_K)
 *     p = dd * (float)isum                                (Q3_K, Q6_K, IQ4_XS)
 *
 * Both kinds of blocks: the row adds the p of its blocks in 8 lanes, lane
 * k taking blocks k, k+8, k+16, ... in order from +0 (a row of fewer than
 * 8 blocks leaves lanes at +0), then the tree l[k] += l[k+4] for k < 4,
 * l[k] += l[k+2] for k < 2, result l[0] + l[1]. No step is fused. Each
 * (row, vector) result depends on nothing else: any split of rows, any
 * number of vectors m, any level gives the same bits. */
#ifndef LIB_LLAMA_MATMUL_H
#define LIB_LLAMA_MATMUL_H

#include <stddef.h>
#include <stdint.h>
#include "lib/llama/llama.h"
#include "lib/llama/tensor.h"
#include "lib/llama/activations.h"

/* A weight matrix (d rows of n): fp32, or Q8_0 values with their scales. */
typedef struct {
    const float *f;       /* fp32 weights, or NULL when quantized */
    const int8_t *q;      /* int8 values */
    const float *s;       /* one scale per group of gs values */
    int gs;               /* group size of the scales */
} Matrix;

/* An input vector quantized for Q8_0 products: n int8 values and one
 * scale per g of them. */
typedef struct {
    int8_t *q;
    float *s;
    int n, g;
    int32_t *bias;        /* per group: 128 times the sum of its q (for unsigned-by-signed
                             byte products), or NULL */
} QuantVec;

/* The weight kinds the tensor API computes, one kernel each. */
enum {
    MATMUL_F32, MATMUL_F16, MATMUL_BF16, MATMUL_Q8_0, MATMUL_Q4_0, MATMUL_Q4_1, MATMUL_Q5_0,
    MATMUL_Q5_1, MATMUL_Q2_K, MATMUL_Q3_K, MATMUL_Q4_K, MATMUL_Q5_K, MATMUL_Q6_K, MATMUL_IQ4_NL, MATMUL_IQ4_XS,
    MATMUL_RUNQ8,
    MATMUL_KINDS
};

/* MATMUL_* of a weight type; -1 for none. */
int matmul_kind(int type);
/* Their names, for tools and reports ("Q4_K"; "RUNQ8": llama2.c's Q8_0). */
extern const char *const matmul_kind_names[MATMUL_KINDS];

/* A tensor kernel: y[t * ldy + i] = row i of w . vector t of act (m
 * vectors of L->bytes bytes each, prepared by act_quantize), for t < m and
 * i in [r0, r1), in matmul.h's order. */
typedef void (*matmul_tensor_fn)(const llama_tensor *w, const ActLayout *L, const void *act, int m,
                                 float *y, size_t ldy, int r0, int r1);

/* One-vector kernels read a range of rows that is big enough to come
 * from memory (MATMUL_STREAMS_BYTES) as several streams instead of one.
 * Here (MATMUL_STREAM_ROWS, the F32/F16/BF16 and AVX2 kernels) its two
 * halves alternately (i0, i0 + h, i0 + 1, i0 + h + 1, ...; an odd last row
 * last). Measured with kbench from DRAM on a Xeon (one core, 4 KiB pages):
 * Q4_0 17%, Q8_0 8%, Q4_K and Q6_K 5-10% faster than one stream; three or
 * four streams taken row by row did no better than two. A smaller range
 * comes from the cache, where the order gains nothing, and is read in
 * order (under QEMU's TCG, two streams for every range made stories15M's
 * kernel 10% slower). Each row is computed alone, so the order changes no
 * bits. quant_body.h's kernels go further (its ROWS): four streams, the
 * range's quarters (matmul_stream_quarter), rows i0 + n, i0 + q + n,
 * i0 + 2q + n and i0 + 3q + n in one call, a group of each in turn, so that
 * no stream waits a whole row while the others are read (kbench from
 * DRAM, on the AMX Xeon, one core: two streams a group at a time made the
 * K-quants with 5632 and 8192 columns 8-15% faster than row by row; four
 * made Q4_0 15% and Q8_0 8% faster than two, and bench's whole TinyLlama
 * on two cores Q4_0 10%, Q8_0, Q5_0 and Q4_1 5-11%, Q4_K_M 3-7%). */
#define MATMUL_STREAMS_BYTES (256 * 1024)

/* How quant_body.h's one-vector kernels (the blocks of 32 and the
 * K-quants at the AVX2 and AVX-512 levels) and AVX-512 VNNI's RUNQ8 rows
 * read their rows:
 * MATMUL_READ_STREAMS (matmul_read's initial value, for callers that set
 * none) as above, four streams with the prefetch near; MATMUL_READ_AHEAD as one stream in order with the
 * prefetch far ahead. Which is faster depends on the machine: on the AMX
 * Xeon, four streams (above); on an AMD EPYC (Zen 5), kbench from DRAM,
 * one core: one stream made Q4_K 1.3x and Q6_K 2.8x as fast, Q4_0 and
 * Q8_0 the same, and bench's TinyLlama Q4_K_M 1.5x. MATMUL_READ_BARE: four
 * streams with no software prefetch at all, the hardware prefetchers'
 * alone, which is what an AMD EPYC of the generation before (Zen 4) reads
 * fastest: kbench from DRAM, one core, GB/s with the prefetch near / far
 * ahead / none: Q6_K 12.7 / 18.0 / 29.4, Q4_K 14.6 / 19.9 / 19.5-23;
 * bench's TinyLlama Q4_K_M 29 -> 33 tok/s, Q4_0 40.5 -> 44 (the F16 and
 * BF16 rows too: their two streams without the prefetch 4 KiB ahead,
 * 26 -> 30 GB/s). The tuner (tuner.h) times the ways that differ for
 * each weight kind on the first tokens (one stream ahead first) and sets
 * each kind's read before and during each forward pass; the workers only
 * read it. The same bits every way: each row is computed alone.
 * MATMUL_READ_L2: four streams prefetched into L2 only (PREFETCHT1),
 * 2 KiB ahead for the blocks of 32 and 4 KiB for the super-blocks: the
 * read of wide rows on Zen 4. There the bare streams slow down as rows
 * grow past what the L1 cache holds four of beside the vector (kbench
 * from DRAM, one core, 512-bit VNNI, bare at 2048 / 14336 columns, the
 * width of Llama 3 8B's and Mistral 7B's w2: Q4_K 30-31 / 16.8-17.1 GB/s,
 * Q6_K 28-29 / 17.2-17.4, Q4_0 30-31 / 20.8-21.1; Q8_0 31-32 / 29.7-30).
 * Prefetched into L2 they read Q4_K 27.4 / 25.7-28.7, Q6_K 28.4 / 25.3-
 * 27.5, Q4_0 33.4 / 30.1-31.4 (4096 / 14336 columns). The distance has a
 * narrow optimum there: super-blocks 1, 2, 4 and 8 KiB ahead read Q4_K
 * at 14336 columns 12, 24, 26-29 and 14 GB/s; blocks of 32 at 2, 4 and 8
 * KiB Q4_0 30, 26 and 20; and into L1 (PREFETCHT0, as the streams) 4 KiB
 * ahead Q4_K 15, 2 KiB ahead Q4_0 25.6. */
enum { MATMUL_READ_STREAMS, MATMUL_READ_AHEAD, MATMUL_READ_BARE, MATMUL_READ_L2, MATMUL_READS };
/* The read of each weight kind (MATMUL_*): the fastest way differs by
 * type on one machine (Zen 4, kbench from DRAM, one core: Q4_0 26.9 GB/s
 * as streams, 24.3 bare; Q6_K 12.2 as streams, 29.1 bare), and a model
 * mixes types (llama-quantize's Q4_0 files keep the classifier in Q6_K). */
extern int matmul_read[MATMUL_KINDS];
/* Their names, for tools and tests: "streams", "ahead", "bare", "l2". */
extern const char *const matmul_read_names[MATMUL_READS];
/* Sets every kind's read (tools and tests). */
void matmul_read_every(int read);
/* The read of kind's rows now (the workers only read it). */
static inline int matmul_read_of(int kind) { return __atomic_load_n(&matmul_read[kind], __ATOMIC_RELAXED); }

/* How far ahead one stream is prefetched: rows of blocks of 32 (and
 * llama2.c's Q8_0), and rows of the K-quants' super-blocks (quant_body.h's
 * PREFETCH_FAR says why 8 and 10 KiB). */
#define MATMUL_PREFETCH_FAR 8192
#define MATMUL_PREFETCH_FAR_K 10240
/* MATMUL_READ_L2's distances (above), with this bit set: into L2 only. */
#define MATMUL_PREFETCH_L2 2048
#define MATMUL_PREFETCH_L2_K 4096
#define MATMUL_PREFETCH_TO_L2 1

/* Software prefetch of [p + ahead, p + ahead + bytes), one line per 64
 * bytes (none for ahead 0; into L2 only where ahead has
 * MATMUL_PREFETCH_TO_L2). Unrolled (bytes is a constant in the kernels'
 * whole groups): the loop cost two instructions a line, 7% of a K-quant
 * row's. Near (the four streams) PREFETCHT0; far ahead (one stream)
 * PREFETCHNTA: each weight is read once a token, so its line need not
 * push the run state (activations, the layer's cache) out of the L2 and L3
 * that the state comes back from between the products (AMD EPYC, Zen 5,
 * bench's TinyLlama on one core, in turn: Q4_K 67.5 -> 69.8 tok/s, Q6_K
 * 44.1 -> 44.9, Q4_K_M 61.8 -> 62.6, Q8_0 37.9 -> 38.6, Q4_0 and Q5_0 the
 * same; kbench's reads from DRAM alone the same). PREFETCHT1 (into L2)
 * instead, on Zen 4: kbench from DRAM, one core, Q4_0 24.6 -> 27.3 GB/s,
 * Q4_K 20 -> 28, Q6_K 15.5 -> 30, but bench's whole TinyLlama the same
 * as the bare rows (forced, three alternations), so not kept. */
static inline __attribute__((always_inline)) void matmul_prefetch(const void *p, int bytes, int ahead) {
    if (ahead <= 0) return;   /* MATMUL_READ_BARE */
    if (ahead & MATMUL_PREFETCH_TO_L2) {
        ahead &= ~MATMUL_PREFETCH_TO_L2;
        _Pragma("GCC unroll 32") for (int o = 0; o < bytes; o += 64)
            __builtin_prefetch((const char *)p + ahead + o, 0, 2);
    } else if (ahead >= MATMUL_PREFETCH_FAR) {
        _Pragma("GCC unroll 32") for (int o = 0; o < bytes; o += 64)
            __builtin_prefetch((const char *)p + ahead + o, 0, 0);
    } else {
        _Pragma("GCC unroll 32") for (int o = 0; o < bytes; o += 64)
            __builtin_prefetch((const char *)p + ahead + o, 0, 3);
    }
}

/* How far ahead the F16 and BF16 rows (two streams, read in the same way
 * whatever their kind's matmul_read says but for their prefetch) are prefetched: 4 KiB,
 * or not at all for MATMUL_READ_BARE (where the AVX2 and AVX-512 levels
 * read a large range's quarters four rows at a time instead). */
static inline int matmul_halves_ahead(int kind) {
    return matmul_read_of(kind) == MATMUL_READ_BARE ? 0 : 4096;
}

/* The values of the F16 (BF16) vector at v as binary16 (bfloat16), its
 * layout's half, for the rows read four at a time where the vector has
 * more than 2048 values; NULL: read it as fp32. Why: in fp32 it shares
 * the L1 cache with four weight streams and does not stay there when it
 * is large (5632 values take 22 KiB, Zen 4's L1 32). kbench from DRAM,
 * one core, F16 5632 columns (TinyLlama's w2) 23.9 -> 28.4 GB/s, BF16
 * 20.5 -> 28.3, F16 14336 18 -> 29; widening x costs a fifth more
 * conversions, which shows from L2 (F16 2048 columns 47.9 -> 42.9) and
 * not from DRAM (29.4 either way). The same bits: the values are the same. */
static inline const uint16_t *matmul_half_x(const ActLayout *L, const void *v) {
    return L->half && L->n > 2048 ? (const uint16_t *)(const void *)((const unsigned char *)v + L->half) : NULL;
}

/* h for count rows of row_bytes each: half of them, or 0 (in order). */
static inline int matmul_stream_half(int count, size_t row_bytes) {
    return (size_t)count * row_bytes >= MATMUL_STREAMS_BYTES ? count / 2 : 0;
}

/* q for count rows of row_bytes each: a quarter of them, or 0 (in order). */
static inline int matmul_stream_quarter(int count, size_t row_bytes) {
    return (size_t)count * row_bytes >= MATMUL_STREAMS_BYTES ? count / 4 : 0;
}

/* q for count fp32 rows of n values: a quarter of them for the AVX2 and
 * AVX-512 f32_rows to read four rows at a time from the quarters, or 0
 * (one row at a time, in matmul_stream_row's order). Rows of more than
 * 1024 values only: one row at a time, their x (over 4 KiB) shares the L1
 * cache with the row's stream and comes back from L2 for every row. Zen 4,
 * kbench from DRAM, one core, AVX-512, GB/s one row / four: 5632 columns
 * 20 / 29.8, 2048 columns 27.3-28 / 30.6-32.5, 1024 columns 34 either way.
 * Each row is its own dot16 either way: the same bits. */
static inline int matmul_f32_quarter(int count, int n) {
    return n > 1024 ? matmul_stream_quarter(count, (size_t)n * sizeof(float)) : 0;
}

/* The n-th row (from 0) read of the rows from i0, h from matmul_stream_half. */
static inline int matmul_stream_row(int i0, int h, int n) {
    return n < 2 * h ? i0 + (n >> 1) + (n & 1) * h : i0 + n;
}

/* Rows [r0, r1) a one-vector kernel takes at a time for m vectors: one
 * vector the whole range (read as above); several a chunk of about 64 KiB
 * of weights and `extra` rows more, read from memory once and from the
 * cache m times. */
static inline int matmul_chunk_rows(int m, int r0, int r1, size_t row_bytes, int extra) {
    return m == 1 ? r1 - r0 : (int)(65536 / row_bytes) + extra;
}

/* for (int i ...) over rows [begin, end) of row_bytes each in that order. */
#define MATMUL_STREAM_ROWS(i, begin, end, row_bytes)                                             \
    for (int n_ = 0, count_ = (end) - (begin), h_ = matmul_stream_half(count_, (row_bytes)), i = 0; \
         n_ < count_ && ((i = matmul_stream_row((begin), h_, n_)), 1); n_++)

/* FN##_or_batch: a tensor kernel that sends m >= MIN vectors to BATCH[KIND]
 * (a batched kernel of the same bits; MIN where packing its panel starts
 * to pay) and fewer, or a kind BATCH lacks, to the one-vector kernel FN. */
#define MATMUL_WITH_BATCH(FN, BATCH, KIND, MIN)                                                  \
    static void FN##_or_batch(const llama_tensor *w, const ActLayout *L, const void *act, int m, \
                              float *y, size_t ldy, int r0, int r1) {                            \
        if (m >= (MIN) && (BATCH)[KIND]) (BATCH)[KIND](w, L, act, m, y, ldy, r0, r1);            \
        else FN(w, L, act, m, y, ldy, r0, r1);                                                   \
    }

/* batch_avx2.c's batched kernels (the AVX2 level and AVX-512 without
 * VNNI; NULL where a kind has none), worth their packing from
 * MATMUL_AVX2_BATCH_MIN(kind) vectors on: Q8_0's blocks are twice the
 * bytes of the others' (kbench -m: batched Q8_0 at m = 4 was 34.6 GFLOP/s
 * against 46.2 one vector at a time, at m = 8 50.9 against 41). */
extern const matmul_tensor_fn matmul_avx2_batch[MATMUL_KINDS];
#define MATMUL_AVX2_BATCH_MIN(kind) ((kind) == MATMUL_Q8_0 ? 8 : 4)
/* The same with AVX-VNNI's byte products where they pay (batch_avx2.c). */
extern const matmul_tensor_fn matmul_avxvnni_batch[MATMUL_KINDS];

/* matmul_sse2.c's F16 and BF16 rows (the SSE2 and SSE4.1 levels'), and
 * quant_sse2.c's, quant_sse4.c's and quant_sse4_avx.c's tables (those
 * levels'). */
void matmul_sse2_f16_rows(const llama_tensor *w, const ActLayout *L, const void *act, int m, float *y, size_t ldy,
                          int r0, int r1);
void matmul_sse2_bf16_rows(const llama_tensor *w, const ActLayout *L, const void *act, int m, float *y, size_t ldy,
                           int r0, int r1);
extern const matmul_tensor_fn matmul_sse2_tensor[MATMUL_KINDS], matmul_sse4_tensor[MATMUL_KINDS],
    matmul_sse4_avx_tensor[MATMUL_KINDS];

/* The plain C kernels, one per kind (the definition of each order; F32
 * and RUNQ8 go through the level's f32_rows and q8_rows). */
extern const matmul_tensor_fn matmul_plain[MATMUL_KINDS];

/* The kernels of one SIMD level. Each takes only the shapes its comment
 * says; matmul.c sends every other shape to plain C code of the same order. */
typedef struct MatmulKernel {
    const char *name;          /* the level (--simd's names); several sets may share one */
    const char *set;           /* this set's own name: the level and what it adds (avx2-vnni) */
    unsigned needs;            /* LLAMA_CPU_* features the kernels use */
    /* Rows [row_begin, row_end) of xout = W x, W row-major (d, n); n % 16 == 0. */
    void (*f32_rows)(float *xout, const float *x, const float *w, int n,
                     int row_begin, int row_end);
    /* out[t] = dot16(q, k + t * stride) for t < count; n % 16 == 0. */
    void (*dots)(float *out, const float *q, const float *k, size_t stride, int n, int count);
    /* y[i] = y[i] + a * x[i] (unfused), any n. */
    void (*axpy)(float *y, float a, const float *x, int n);
    /* out[i] = sum of a[t] * v[t * stride + i] over t = 0, 1, ..., count-1
     * in that order, from +0 (run.c's attention-weighted values: axpy for
     * each t, the sum kept in registers); n % 16 == 0. */
    void (*wsum)(float *out, const float *a, const float *v, size_t stride, int n, int count);
    /* Rows [row_begin, row_end) of a Q8_0 product, x quantized in segments
     * of g (g % 32 == 0), wq (d, n) with scales ws, one per gs values (gs a
     * power of two). */
    void (*q8_rows)(float *xout, const QuantVec *x, const int8_t *wq, const float *ws, int n,
                    int gs, int row_begin, int row_end);
    /* Tensor kernels: a table of MATMUL_KINDS entries (or NULL); a NULL
     * entry means matmul_plain's. */
    const matmul_tensor_fn *tensor;
    /* A set never selected but timed beside this one by the transformer's
     * tuner (the same level and needs, other kernels for some kinds): which
     * is faster depends on the machine. NULL for the others. */
    const struct MatmulKernel *variant_of;
} MatmulKernel;

/* The best kernel set whose needs are all in cpu_features. */
const MatmulKernel *matmul_select(unsigned cpu_features);

/* The kernel sets of each level, best first, for tests; NULL-terminated:
 * MATMUL_SETS of them (matmul.c checks the count), so that a list of the
 * sets a CPU has can be sized by it. */
#define MATMUL_SETS 10
extern const MatmulKernel *const matmul_levels[];

/* How the forward pass runs its loops: which kernels, which cores. */
typedef struct {
    const MatmulKernel *kernel;
    void (*parallel_for)(void *ctx, int n, llama_range_fn fn, void *arg);
    void *ctx;
} Compute;

void compute_init(Compute *c, const llama_platform *platform);

/* Loops with less work than this (multiply-adds) run on the calling core:
 * handing them out would cost more than it saves (stories260K's products,
 * attention over the first few dozen positions). */
#define COMPUTE_MIN_PARALLEL_WORK 32768

/* fn(arg, begin, end) over [0, n), on the platform's cores if it has any
 * and the loop's work (about `work` multiply-adds in all) is worth it. */
void compute_for(const Compute *c, int n, long work, llama_range_fn fn, void *arg);

/* dot16(a, b) of n elements (see above). */
float dot16(const MatmulKernel *k, const float *a, const float *b, int n);

/* Rows [row_begin, row_end) of xout = W x: W fp32 with x, or Q8_0 with
 * xq (quantized in groups of gcd(n, W->gs)). xout must not overlap the inputs.
 * (The llama2.c-only API, before llama_tensor: see matmul_rows below.) */
void matrix_rows(const MatmulKernel *k, float *xout, const float *x, const QuantVec *xq,
                 const Matrix *w, int n, int row_begin, int row_end);

/* All d rows, on the platform's cores. */
void matmul(const Compute *c, float *xout, const float *x, const QuantVec *xq,
            const Matrix *w, int n, int d);

/* out[i] = sum over t < count of a[t] * v[t * stride + i] (see wsum). */
void matmul_wsum(const MatmulKernel *k, float *out, const float *a, const float *v,
                 size_t stride, int n, int count);

/* out[t] = dot16(q, k + t * stride), t < count. */
void matmul_dots(const MatmulKernel *k, float *out, const float *q, const float *kbase,
                 size_t stride, int n, int count);

/* Quantizes x[0..v->n) into v in groups of v->g (runq.c's quantize),
 * and fills v->bias when it is there. */
void quantize(QuantVec *v, const float *x);

/* ---------------------------------------------------------------- tensors
 *
 * Products of a weight tensor (any type of tensor.h that is a weight, with
 * w->cols a multiple of its block) with m input vectors. The inputs are
 * first prepared (rounded or quantized as llama.cpp does for that type:
 * activations.h) into a buffer that products with every tensor of the same
 * key and cols can share; then any rows, on any cores. */

/* Bytes to hold m vectors prepared for products with w (a multiple of 64). */
size_t matmul_act_bytes(const llama_tensor *w, int m);

/* Which preparation w needs: tensors with equal keys and equal cols can
 * share one prepared buffer. The activation type's number (LLAMA_TYPE_F32,
 * _F16, _BF16, _Q8_0, _Q8_1, _Q8_K); for RUNQ8, LLAMA_TYPE_RUNQ8 + g (its
 * groups of g = gcd(cols, group_size)); -1 for a type that is no weight. */
int matmul_act_key(const llama_tensor *w);

/* Prepares the m vectors x + t * ldx (t < m, w->cols floats each) for
 * products with w into act (matmul_act_bytes(w, m) bytes, 64-byte aligned). */
void matmul_prepare(const MatmulKernel *k, const llama_tensor *w, const float *x, size_t ldx,
                    int m, void *act);
/* The same for vectors [b0, b1) alone (each goes where matmul_prepare puts
 * it), so that cores can share the work. */
void matmul_prepare_rows(const llama_tensor *w, const float *x, size_t ldx, int b0, int b1, void *act);

/* Whether level k has kernels of its own for products of `kind` (the
 * level's fp32 and Q8_0 rows, or a tensor kernel), rather than
 * matmul_plain's C code. */
int matmul_level_serves(const MatmulKernel *k, int kind);
/* Whether sets a and b run products of `kind` with the same code (as
 * matmul_rows picks it: the set's tensor kernel, else its fp32 or Q8_0
 * rows, else plain C). */
int matmul_same_code(const MatmulKernel *a, const MatmulKernel *b, int kind);

/* y[t * ldy + i] = row i of w . vector t, for t < m and rows [r0, r1), in
 * the order above: the same bits for any m, any split of rows, any level.
 * y must not overlap act. */
void matmul_rows(const MatmulKernel *k, const llama_tensor *w, const void *act, int m,
                 float *y, size_t ldy, int r0, int r1);

/* All w->rows rows for the m vectors, on the platform's cores. */
void matmul_tensor(const Compute *c, const llama_tensor *w, const void *act, int m, float *y,
                   size_t ldy);

/* Row r of w as fp32 (w->cols floats): ggml's dequantize_row_* value for
 * value; RUNQ8 as runq.c dequantizes. */
void matmul_dequantize_row(const llama_tensor *w, int r, float *out);

/* Greatest common divisor of two positive ints. */
int gcd_int(int a, int b);

#endif
