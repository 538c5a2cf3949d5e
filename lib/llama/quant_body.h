/* The x86 kernels for ggml's block types (matmul.h's tensor kernels),
 * written once for 256-bit vectors in terms of a few byte products made
 * here from what the including file defines: quant_avx2.c includes it with
 * AVX2's byte products and again with AVX-VNNI's, quant_avx512.c with
 * AVX-512 VNNI's and again with AVX2's under an AVX-512F target, and
 * quant_sse4.c and quant_sse2.c with AVX2's on vec256_sse.h's pairs of
 * 128-bit registers (for the CPUs without AVX2). Not a header to include anywhere else.
 *
 * The including file defines:
 *   TARGET             the function attribute of its level
 *   NAME(x)            a prefix for the functions made here
 *   NAME(halves8)(h)   a function: 8 binary16 values (packed in 128 bits) as fp32
 *   VNNI_DPBUSD, VNNI_DPWSSD  where the level has VNNI: its 256-bit VPDPBUSD
 *                      and VPDPWSSD intrinsics (AVX-512 VL's or AVX-VNNI's)
 * and this makes the byte products from them (all exact, in int32):
 *   prod_ss(x, w)      8 int32 partial sums of 32 signed bytes x times signed w;
 *                      their total may be off by 128 times the sum of x,
 *   ss_corr(v, s)      which this takes away: v the 8 block totals, s the
 *                      blocks' sums of x
 *   prod_us(u, x)      8 int32 partial sums of 32 unsigned u (< 64) times signed x
 *   prod_us2(u, x, v, y) the same of u times x plus v times y (u, v < 32)
 *   scaled_acc(a, p, s) a + the int32 sums of pairs of int16 p times int16 s
 * Without VNNI: VPMADDUBSW multiplies unsigned by signed bytes and adds
 * pairs into int16; signed by signed goes as |w| times x with w's sign (at
 * most 2 * 128 * 127 a pair: no saturation), then VPMADDWD adds pairs into
 * int32. With it: VPDPBUSD adds four products into each int32 lane in one
 * operation; signed weights are made unsigned, w XOR 0x80 = w + 128, and
 * 128 times the block's sum of x (from the prepared activations) is taken
 * away.
 *
 * Blocks of 32 (Q8_0, Q4_0, ...): eight blocks at a time (whole groups of
 * 4-bit and 5-bit quants two blocks a register, against the activations'
 * quads), each block's exact
 * int32 sum in one lane of a vector, times the eight d_w * d_x, added to
 * the eight lanes of matmul.h; a row's last blocks the same way with the
 * missing lanes zero (adding +0 changes no lane). Super-blocks: one at a
 * time (Q4_K's and Q5_K's scales two at a time); quants times x through
 * VPMADDUBSW (whose pairs cannot saturate: quants below 64, |x| at most
 * 127 in Q8_K), weighted by
 * the sub-block scales in int16 pairs (Q4_K's and Q5_K's split rows:
 * each int32 lane one sub-block's sum, times its scale), isum and
 * msum exact in int32, p in scalar code, into the lane of the super-block's
 * number. Every result is
 * matmul_plain.c's, bit for bit.
 *
 * Several vectors (m > 1) go through the rows a chunk of about 64 KiB of
 * weights at a time, so the chunk is read from memory once and from the
 * cache m times; each (row, vector) result is the one-vector product. One
 * vector takes the whole range as its chunk, read as four streams where it
 * is big enough (matmul.h's matmul_stream_quarter), a group of a row of
 * each in turn (ROW_FNS's T_row4). */

#define LOAD(p) _mm256_loadu_si256((const __m256i *)(const void *)(p))

/* The int32 lanes 0 4 1 5 2 6 3 7 of t: its two 128-bit halves'
 * interleaved (one VPERMD; vec256_sse.h's halves need no permute). */
#ifndef INTERLEAVE_HALVES32
#define INTERLEAVE_HALVES32(t) _mm256_permutevar8x32_epi32(t, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7))
#endif

/* ---------------------------------------------------------------- byte products */

#ifdef VNNI_DPBUSD
TARGET static INLINE __m256i NAME(prod_ss)(__m256i x, __m256i w) {
    return VNNI_DPBUSD(_mm256_setzero_si256(), _mm256_xor_si256(w, _mm256_set1_epi8((char)0x80)), x);
}
TARGET static INLINE __m256i NAME(ss_corr)(__m256i v, __m256i s) { return _mm256_sub_epi32(v, _mm256_slli_epi32(s, 7)); }
TARGET static INLINE __m256i NAME(prod_us)(__m256i u, __m256i x) { return VNNI_DPBUSD(_mm256_setzero_si256(), u, x); }
TARGET static INLINE __m256i NAME(prod_us2)(__m256i u, __m256i x, __m256i v, __m256i y) {
    return VNNI_DPBUSD(VNNI_DPBUSD(_mm256_setzero_si256(), u, x), v, y);
}
TARGET static INLINE __m256i NAME(scaled_acc)(__m256i acc, __m256i p, __m256i s) { return VNNI_DPWSSD(acc, p, s); }
#else
TARGET static INLINE __m256i NAME(prod_ss)(__m256i x, __m256i w) {
    __m256i p = _mm256_maddubs_epi16(_mm256_abs_epi8(w), _mm256_sign_epi8(x, w));
    return _mm256_madd_epi16(p, _mm256_set1_epi16(1));
}
TARGET static INLINE __m256i NAME(ss_corr)(__m256i v, __m256i s) { return (void)s, v; }
TARGET static INLINE __m256i NAME(prod_us)(__m256i u, __m256i x) {
    return _mm256_madd_epi16(_mm256_maddubs_epi16(u, x), _mm256_set1_epi16(1));
}
/* the two VPMADDUBSW's int16 added first: |.| <= 2 * 2 * 31 * 127 < 2^15 */
TARGET static INLINE __m256i NAME(prod_us2)(__m256i u, __m256i x, __m256i v, __m256i y) {
    __m256i p = _mm256_add_epi16(_mm256_maddubs_epi16(u, x), _mm256_maddubs_epi16(v, y));
    return _mm256_madd_epi16(p, _mm256_set1_epi16(1));
}
TARGET static INLINE __m256i NAME(scaled_acc)(__m256i acc, __m256i p, __m256i s) {
    return _mm256_add_epi32(acc, _mm256_madd_epi16(p, s));
}
#endif

/* l[k] += l[k+4], l[k] += l[k+2], l[0] + l[1]. */
TARGET static INLINE float NAME(reduce8)(__m256 acc) {
    __m128 t4 = _mm_add_ps(_mm256_castps256_ps128(acc), _mm256_extractf128_ps(acc, 1));
    __m128 t2 = _mm_add_ps(t4, _mm_movehl_ps(t4, t4));
    return _mm_cvtss_f32(_mm_add_ss(t2, _mm_shuffle_ps(t2, t2, 1)));
}

/* The sum of the eight int32 lanes of v. */
TARGET static INLINE int32_t NAME(hsum32)(__m256i v) {
    __m128i h = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
    h = _mm_add_epi32(h, _mm_shuffle_epi32(h, 0x4e));
    h = _mm_add_epi32(h, _mm_shuffle_epi32(h, 0xb1));
    return _mm_cvtsi128_si32(h);
}

/* Lane k: the sum of the eight lanes of s[k]. */
TARGET static INLINE __m256i NAME(hsum8)(const __m256i s[8]) {
    __m256i abcd = _mm256_hadd_epi32(_mm256_hadd_epi32(s[0], s[1]), _mm256_hadd_epi32(s[2], s[3]));
    __m256i efgh = _mm256_hadd_epi32(_mm256_hadd_epi32(s[4], s[5]), _mm256_hadd_epi32(s[6], s[7]));
    return _mm256_add_epi32(_mm256_permute2x128_si256(abcd, efgh, 0x20),
                            _mm256_permute2x128_si256(abcd, efgh, 0x31));
}

/* Software prefetch of the weights `ahead` bytes past [p, p + bytes)
 * (one line per 64 bytes read): with it the kernels read a matrix that
 * does not fit the cache at 90-100% of the memory roofline, without it at
 * 50-80% (the hardware prefetchers alone do not keep enough lines in
 * flight once there is work between the loads; measured with kbench).
 * How far ahead depends on how the rows are read (matmul.h's
 * matmul_read). Four streams: PREFETCH_NEAR of a block type's size, 2 KiB
 * for blocks of 32, 1 KiB for super-blocks, whose groups of eight already
 * span 0.7-1.7 KiB (on the AMX Xeon, kbench from DRAM with two streams:
 * 2 KiB rather than 4 made Q4_K and Q6_K 5-9% faster, Q8_0 and Q4_0 the
 * same; with four streams, bench's TinyLlama: 1 KiB rather than 2 made
 * Q6_K 9% faster, Q5_K 4%, Q4_K the same, and Q8_0 3% slower). One
 * stream: PREFETCH_FAR, the next rows' bytes (on the AMD EPYC, Zen 5,
 * kbench from DRAM, one core: Q4_K 31 GB/s at 4 KiB, 35 at 8, 31 at 16;
 * Q6_K 35, 39, 34; Q4_0 and Q8_0 the same at 8 KiB as four streams at
 * 2), 10 KiB for super-blocks (the same machine, bench's TinyLlama on one
 * core, 8, 10 and 12 KiB in turn, twice or three times each: Q4_K_M 60.1,
 * 60.9 and 60.8 tok/s; Q4_K 64.7, 67.2, 67.1; Q5_K 53.0, 54.6, 53.0; Q6_K
 * 42.6, 43.8, 44.0; but Q8_0 36.9 at 8 KiB, 36.1 at 10). */
#define PREFETCH_NEAR(block_bytes) ((block_bytes) < 64 ? 2048 : 1024)
#define PREFETCH_FAR(block_bytes) ((block_bytes) < 64 ? MATMUL_PREFETCH_FAR : MATMUL_PREFETCH_FAR_K)
#define PREFETCH_L2(block_bytes) \
    (((block_bytes) < 64 ? MATMUL_PREFETCH_L2 : MATMUL_PREFETCH_L2_K) | MATMUL_PREFETCH_TO_L2)
/* n blocks from p, `ahead` bytes ahead */
#define PREFETCH_BLOCKS(p, n, ahead) matmul_prefetch((p), (n) * (int)sizeof *(p), (ahead))

/* Lanes below r all ones. */
TARGET static INLINE __m256i NAME(lanes_mask)(int r) {
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(r), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

/* The d of blocks b .. b+7 (r of them present) of a row of blocks of
 * `stride` bytes whose fp16 d comes first; missing lanes 0. Eight scalar
 * loads packed in two 64-bit words: faster here than VPGATHERDD. */
TARGET static INLINE __m256 NAME(block_d8)(const void *first, int stride, int r) {
    const unsigned char *p = first;
    uint64_t lo = 0, hi = 0;
    /* unrolled: r is 8 in a row's whole groups (gcc -O2 kept the loops,
     * about a third of a Q4_0 group's instructions) */
    _Pragma("GCC unroll 4") for (int k = 0; k < 4; k++)
        if (k < r) lo |= (uint64_t)*(const uint16_t *)(const void *)(p + k * stride) << (16 * k);
    _Pragma("GCC unroll 4") for (int k = 4; k < 8; k++)
        if (k < r) hi |= (uint64_t)*(const uint16_t *)(const void *)(p + k * stride) << (16 * (k - 4));
    return NAME(halves8)(_mm_unpacklo_epi64(_mm_cvtsi64_si128((long long)lo), _mm_cvtsi64_si128((long long)hi)));
}

/* The fp16 d (or m) of blocks b .. b+7 (r of them present) side by side
 * from d (a split run's field: 16 bytes there lie in the run, other
 * fields after it); missing lanes 0. */
TARGET static INLINE __m256 NAME(d8_apart)(const uint16_t *d, int r) {
    __m128i h = _mm_loadu_si128((const __m128i *)(const void *)d);
    if (r < 8) h = _mm_and_si128(h, _mm_cmpgt_epi16(_mm_set1_epi16((short)r), _mm_setr_epi16(0, 1, 2, 3, 4, 5, 6, 7)));
    return NAME(halves8)(h);
}

/* One binary16 value as fp32. */
TARGET static INLINE float NAME(half1)(uint16_t h) { return _mm256_cvtss_f32(NAME(halves8)(_mm_cvtsi32_si128(h))); }

/* p into lane k of v (the p of a row's last blocks, fewer than 8 from a
 * multiple of 8, gathered in registers: a store and a wider load would
 * stall store forwarding). */
TARGET static INLINE __m256 NAME(put_lane)(__m256 v, int k, float p) {
    __m256i is_k = _mm256_cmpeq_epi32(_mm256_set1_epi32(k), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
    return _mm256_blendv_ps(v, _mm256_set1_ps(p), _mm256_castsi256_ps(is_k));
}

/* The 32 quants of a Q4_0 block, 0..15, in value order: the 16 bytes
 * broadcast (a load, no shuffle), the high copy shifted down a nibble. */
TARGET static INLINE __m256i NAME(q4_nibbles)(const uint8_t *qs) {
    __m256i q = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)(const void *)qs));
    __m256i both = _mm256_blend_epi32(q, _mm256_srli_epi16(q, 4), 0xf0);
    return _mm256_and_si256(both, _mm256_set1_epi8(0x0f));
}

/* One vector of prepared activations (activations.h). */
typedef ActView NAME(Act);

/* ---------------------------------------------------------------- Q8_0, Q4_0 */

/* The fifth bits of blocks 2p and 2p + 1 of the four whose qh bytes
 * (blocks.h: their low halves, then their high halves) are at four, as
 * 0x10 in the bytes of values 0-15 (*lo) and 16-31 (*hi), each block's
 * in its own 128-bit lane: one broadcast load, where ggml's words took
 * two and a blend. */
TARGET static INLINE void NAME(fifth_pair)(const uint8_t *four, const int p, __m256i *lo, __m256i *hi) {
    __m256i v = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)(const void *)four));
    const __m256i bit = _mm256_set1_epi64x((long long)0x8040201008040201ull), b4 = _mm256_set1_epi8(0x10);
    /* lane 0: block 2p's low half, bytes 4p and 4p + 1 eight times each; lane 1: 2p + 1's */
    __m256i idx = _mm256_add_epi8(_mm256_setr_epi8(0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2,
                                                   2, 2, 3, 3, 3, 3, 3, 3, 3, 3),
                                  _mm256_set1_epi8((char)(4 * p)));
    __m256i l = _mm256_shuffle_epi8(v, idx), h = _mm256_shuffle_epi8(v, _mm256_add_epi8(idx, _mm256_set1_epi8(8)));
    *lo = _mm256_and_si256(_mm256_cmpeq_epi8(_mm256_and_si256(l, bit), bit), b4);
    *hi = _mm256_and_si256(_mm256_cmpeq_epi8(_mm256_and_si256(h, bit), bit), b4);
}

/* Whole blocks b .. b+7 of 4-bit quants (Q4_0, Q4_1; with qh: Q5_0, Q5_1)
 * in split rows (blocks.h): their qs side by side from qs (and their qh
 * from qh, NULL for none): the eight blocks' int32 sums of products with
 * x, in order. Two blocks a register (one load): the low nibbles values
 * 0-15 of each, the high nibbles 16-31, as the activations' quads hold x
 * (activations.h); a pair's low and high nibbles in one prod_us2, and the
 * four pairs' lanes reduced by three VPHADDD: per block one VPMADDWD
 * (AVX2) and less than half a reduction step, where a block a register
 * took one each and its nibbles a broadcast, a shift and a blend. */
TARGET static INLINE __m256i NAME(nibble_sums8)(const uint8_t *qs, const uint8_t *qh, const NAME(Act) *a, int b) {
    const __m256i m4 = _mm256_set1_epi8(0x0f);
    __m256i e[4];
#pragma GCC unroll 4
    for (int j = 0; j < 4; j++) {
        __m256i v = LOAD(qs + 32 * j);
        __m256i lo = _mm256_and_si256(v, m4), hi = _mm256_and_si256(_mm256_srli_epi16(v, 4), m4);
        if (qh) {
            __m256i f0, f1;
            NAME(fifth_pair)(qh + 16 * (j / 2), j % 2, &f0, &f1);
            lo = _mm256_or_si256(lo, f0);
            hi = _mm256_or_si256(hi, f1);
        }
        /* the quads of blocks b + 4 (j / 2) .. +3: pair j % 2's values 0-15, then 16-31 64 bytes on */
        const int8_t *xq = a->quads + 32 * (b + 4 * (j / 2)) + 32 * (j % 2);
        e[j] = NAME(prod_us2)(lo, LOAD(xq), hi, LOAD(xq + 64));
    }
    /* 128-bit lanes: blocks 0, 2, 4, 6 | 1, 3, 5, 7 */
    __m256i t = _mm256_hadd_epi32(_mm256_hadd_epi32(e[0], e[1]), _mm256_hadd_epi32(e[2], e[3]));
    return INTERLEAVE_HALVES32(t);
}
/* Field F of block b + k of the split row W of nb blocks (blocks.h). */
#define FIELD(W, F, k) BLOCK32_FIELD(__typeof__(*(W)), F, W, nb, b + (k))
/* Block b + k's fifth bits as a ggml qh word. */
#define QH_WORD(W, k) BLOCK32_QH(__typeof__(*(W)), W, nb, b + (k))
#define HALVES_AT(W, F) NAME(d8_apart)((const uint16_t *)(const void *)FIELD(W, F, 0), r)
#define NIBBLES8(W, PART) NAME(nibble_sums8)(FIELD(W, qs, 0), NULL, a, b)
#define NIBBLES8_Q5(W, PART) NAME(nibble_sums8)(FIELD(W, qs, 0), FIELD(W, qh, 0), a, b)

/* Blocks b .. b+7 of a row of 32-value blocks W (r of them present; R:
 * r is 8): their eight sums, block by block (PART(k): block b+k's partial
 * sums). */
#define BY_BLOCK8(W, PART)                                                                      \
    ({                                                                                          \
        __m256i s_[8];                                                                          \
        if (R) {                                                                                \
            _Pragma("GCC unroll 8") for (int k = 0; k < 8; k++) s_[k] = PART(k);               \
        } else {                                                                                \
            for (int k = 0; k < 8; k++) s_[k] = k < r ? PART(k) : _mm256_setzero_si256();      \
        }                                                                                       \
        NAME(hsum8)(s_);                                                                        \
    })

/* Their eight p: whole groups by WHOLE(W, PART) (BY_BLOCK8, or NIBBLES8
 * and NIBBLES8_Q5 from the quads), a row's last blocks by BY_BLOCK8;
 * CORR(v): the block totals v corrected (xs_: the blocks' sums of x);
 * D8: the blocks' d (BLOCK_D8_AT: each at the start of its block, Q8_0;
 * HALVES_AT(W, d): side by side, the split rows). */
#define BLOCK_D8_AT(W) NAME(block_d8)(&W[b], (int)sizeof *W, r)
#define BLOCKS8(W, PART, CORR, WHOLE, D8)                                                       \
    ({                                                                                          \
        __m256i t_ = R ? WHOLE(W, PART) : BY_BLOCK8(W, PART);                                   \
        __m256i m_ = NAME(lanes_mask)(r);                                                       \
        __m256 dx_ = R ? _mm256_loadu_ps(a->d + b) : _mm256_maskload_ps(a->d + b, m_);           \
        __m256i xs_ = R ? LOAD(a->sum + b) : _mm256_maskload_epi32(a->sum + b, m_);              \
        __m256 isum_ = _mm256_cvtepi32_ps(CORR(t_, xs_));                                       \
        _mm256_mul_ps(isum_, _mm256_mul_ps(D8, dx_));                                           \
    })

/* The same with Q4_1's and Q5_1's minimum term: p + m_w * s_x. */
#define BLOCKS8_MIN(W, PART, WHOLE)                                                             \
    ({                                                                                          \
        __m256 p_ = BLOCKS8(W, PART, NO_CORR, WHOLE, HALVES_AT(W, d));                          \
        __m256i m2_ = NAME(lanes_mask)(r);                                                      \
        __m256 sx_ = R ? _mm256_loadu_ps(a->s + b) : _mm256_maskload_ps(a->s + b, m2_);          \
        _mm256_add_ps(p_, _mm256_mul_ps(HALVES_AT(W, m), sx_));                                 \
    })

#define NO_CORR(v, xs) ((void)(xs), (v))
#define Q8_0_PART(k) NAME(prod_ss)(LOAD(a->q + 32 * (b + k)), LOAD(w[b + k].qs))
#define Q4_0_PART(k) NAME(prod_us)(NAME(q4_nibbles)(FIELD(w, qs, k)), LOAD(a->q + 32 * (b + k)))
/* (q - 8) . x = q . x - 8 * sum(x) */
#define Q4_0_CORR(v, xs) _mm256_sub_epi32(v, _mm256_slli_epi32(xs, 3))

TARGET static INLINE __m256 NAME(q8_0_8)(const block_q8_0 *w, const NAME(Act) *a, int b, int r,
                                          const int R, int nb) {
    return BLOCKS8(w, Q8_0_PART, NAME(ss_corr), BY_BLOCK8, BLOCK_D8_AT(w));
}

/* One block's p, for a row's last blocks (a whole group of 8 costs as much). */
TARGET static INLINE float NAME(q8_0_1)(const block_q8_0 *w, const NAME(Act) *a, int b, int nb) {
    __m256i s1 = NAME(prod_ss)(LOAD(a->q + 32 * b), LOAD(w[b].qs));
    int32_t isum = _mm256_cvtsi256_si32(NAME(ss_corr)(_mm256_set1_epi32(NAME(hsum32)(s1)), _mm256_set1_epi32(a->sum[b])));
    return (float)isum * (NAME(half1)(w[b].d) * a->d[b]);
}


TARGET static INLINE __m256 NAME(q4_0_8)(const block_q4_0 *w, const NAME(Act) *a, int b, int r,
                                          const int R, int nb) {
    return BLOCKS8(w, Q4_0_PART, Q4_0_CORR, NIBBLES8, HALVES_AT(w, d));
}

TARGET static INLINE float NAME(q4_0_1)(const block_q4_0 *w, const NAME(Act) *a, int b, int nb) {
    int32_t isum = NAME(hsum32)(NAME(prod_us)(NAME(q4_nibbles)(FIELD(w, qs, 0)), LOAD(a->q + 32 * b))) - 8 * a->sum[b];
    uint16_t d;
    __builtin_memcpy(&d, FIELD(w, d, 0), 2);
    return (float)isum * (NAME(half1)(d) * a->d[b]);
}


/* ---------------------------------------------------------------- IQ4_NL, IQ4_XS */

/* The 32 quants of an IQ4_NL block (or an IQ4_XS sub-block) at qs as
 * their values in iq4_values (signed bytes): q4_nibbles, then one VPSHUFB
 * of the table. */
TARGET static INLINE __m256i NAME(iq4_values32)(const uint8_t *qs) {
    const __m256i table = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)(const void *)iq4_values));
    return _mm256_shuffle_epi8(table, NAME(q4_nibbles)(qs));
}

/* IQ4_NL: Q4_0's split rows (blocks.h) with the nibbles looked up into
 * signed bytes, in Q8_0's signed products. A whole group of 8 blocks as
 * nibble_sums8 takes Q4_0's: two blocks a register (one load), their low
 * nibbles' values against the activations' quads of values 0-15, the high
 * ones' against 16-31, the four pairs' lanes reduced by three VPHADDD
 * (kbench, Zen 3, one core, 2048 columns: ggml's layout a block a
 * register read 7.2 GB/s from DRAM and 8.3-8.6 from L3; split, two a
 * register, 9.5-12.9 and 10.8-13.6 in a noisy hour; Q4_0 16 and 19). */
#define IQ4_NL_PART(k) NAME(prod_ss)(LOAD(a->q + 32 * (b + k)), NAME(iq4_values32)(FIELD(w, qs, k)))

TARGET static INLINE __m256i NAME(iq4_nl_sums8)(const uint8_t *qs, const NAME(Act) *a, int b) {
    const __m256i table = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)(const void *)iq4_values));
    const __m256i m4 = _mm256_set1_epi8(0x0f);
    __m256i e[4];
#pragma GCC unroll 4
    for (int j = 0; j < 4; j++) {
        __m256i v = LOAD(qs + 32 * j);
        __m256i lo = _mm256_shuffle_epi8(table, _mm256_and_si256(v, m4));
        __m256i hi = _mm256_shuffle_epi8(table, _mm256_and_si256(_mm256_srli_epi16(v, 4), m4));
        const int8_t *xq = a->quads + 32 * (b + 4 * (j / 2)) + 32 * (j % 2);
        e[j] = _mm256_add_epi32(NAME(prod_ss)(LOAD(xq), lo), NAME(prod_ss)(LOAD(xq + 64), hi));
    }
    /* 128-bit lanes: blocks 0, 2, 4, 6 | 1, 3, 5, 7 */
    __m256i t = _mm256_hadd_epi32(_mm256_hadd_epi32(e[0], e[1]), _mm256_hadd_epi32(e[2], e[3]));
    return INTERLEAVE_HALVES32(t);
}
#define IQ4_NL_WHOLE(W, PART) NAME(iq4_nl_sums8)(FIELD(W, qs, 0), a, b)

TARGET static INLINE __m256 NAME(iq4_nl_8)(const block_iq4_nl *w, const NAME(Act) *a, int b, int r,
                                            const int R, int nb) {
    return BLOCKS8(w, IQ4_NL_PART, NAME(ss_corr), IQ4_NL_WHOLE, HALVES_AT(w, d));
}

TARGET static INLINE float NAME(iq4_nl_1)(const block_iq4_nl *w, const NAME(Act) *a, int b, int nb) {
    __m256i s1 = NAME(prod_ss)(LOAD(a->q + 32 * b), NAME(iq4_values32)(FIELD(w, qs, 0)));
    int32_t isum = _mm256_cvtsi256_si32(NAME(ss_corr)(_mm256_set1_epi32(NAME(hsum32)(s1)), _mm256_set1_epi32(a->sum[b])));
    uint16_t d;
    __builtin_memcpy(&d, FIELD(w, d, 0), 2);
    return (float)isum * (NAME(half1)(d) * a->d[b]);
}

/* IQ4_XS: super-block B's isum partial sums (8 int32 lanes), a sub-block
 * at a time: its 32 values times x as VPMADDUBSW's int16 pairs of |w| and
 * x with w's sign (at most 2 * 127 * 127: no saturation), weighted by its
 * scale - 32 in the widening VPMADDWD (VPDPWSSD with VNNI). */
TARGET static INLINE __m256i NAME(iq4_xs_sums)(const block_iq4_xs *B, const int8_t *x, const int16_t *bsums) {
    (void)bsums;     /* (KGROUP's argument: no minimums, no offset to take away) */
    __m256i acc = _mm256_setzero_si256();
#pragma GCC unroll 8
    for (int j = 0; j < 8; j++) {
        __m256i w = NAME(iq4_values32)(B->qs + 16 * j);
        __m256i p = _mm256_maddubs_epi16(_mm256_abs_epi8(w), _mm256_sign_epi8(LOAD(x + 32 * j), w));
        acc = NAME(scaled_acc)(acc, p, _mm256_set1_epi16((short)(iq4xs_scale(B, j) - 32)));
    }
    return acc;
}

/* ---------------------------------------------------------------- Q5_0, Q4_1, Q5_1 */

/* Byte j of the result: 0x10 when bit j of qh is set (a Q5 block's fifth
 * bits, for values 0..31). */
TARGET static INLINE __m256i NAME(bits32)(uint32_t qh) {
    __m256i v = _mm256_shuffle_epi8(_mm256_set1_epi32((int)qh),
                                    _mm256_setr_epi8(0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1,
                                                     2, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3));
    __m256i bit = _mm256_set1_epi64x((long long)0x8040201008040201ull);
    v = _mm256_cmpeq_epi8(_mm256_and_si256(v, bit), bit);
    return _mm256_and_si256(v, _mm256_set1_epi8(0x10));
}

#define Q5_PART(k) NAME(prod_us)(_mm256_or_si256(NAME(q4_nibbles)(FIELD(w, qs, k)), NAME(bits32)(QH_WORD(w, k))), \
                           LOAD(a->q + 32 * (b + k)))
#define Q4_1_PART(k) NAME(prod_us)(NAME(q4_nibbles)(FIELD(w, qs, k)), LOAD(a->q + 32 * (b + k)))
/* (q - 16) . x = q . x - 16 * sum(x) */
#define Q5_0_CORR(v, xs) _mm256_sub_epi32(v, _mm256_slli_epi32(xs, 4))

TARGET static INLINE __m256 NAME(q5_0_8)(const block_q5_0 *w, const NAME(Act) *a, int b, int r, const int R, int nb) {
    return BLOCKS8(w, Q5_PART, Q5_0_CORR, NIBBLES8_Q5, HALVES_AT(w, d));
}
TARGET static INLINE __m256 NAME(q4_1_8)(const block_q4_1 *w, const NAME(Act) *a, int b, int r, const int R, int nb) {
    return BLOCKS8_MIN(w, Q4_1_PART, NIBBLES8);
}
TARGET static INLINE __m256 NAME(q5_1_8)(const block_q5_1 *w, const NAME(Act) *a, int b, int r, const int R, int nb) {
    return BLOCKS8_MIN(w, Q5_PART, NIBBLES8_Q5);
}


/* ---------------------------------------------------------------- K-quants */

/* A VPSHUFB pattern that copies int16 lane `lane` of each 128-bit half
 * into its int16 lanes 0-3, and lane `lane` + 1 into lanes 4-7. */
TARGET static INLINE __m256i NAME(pick_pair)(int lane) {
    short a = (short)(0x0100 * (2 * lane + 1) + 2 * lane), b = (short)(a + 0x0202);
    return _mm256_setr_epi16(a, a, a, a, b, b, b, b, a, a, a, a, b, b, b, b);
}

/* The fp16 fields at byte `off` of super-blocks b .. b+7 (r present; the
 * others 0) of a row of blocks of `stride` bytes: d (off 0 or stride - 2),
 * dmin (off 2). */
TARGET static INLINE __m256 NAME(kd8)(const unsigned char *first, int stride, int off, int r) {
    return NAME(block_d8)(first + off, stride, r);
}

/* The sums of lanes 0-3 and of lanes 4-7 of m[0..3] (super-blocks 2i and
 * 2i + 1 in m[i]), in order. */
TARGET static INLINE __m256i NAME(hsum4x8)(const __m256i m[4]) {
    /* lanes: m0 m2 m4 m6 | m1 m3 m5 m7 */
    __m256i t = _mm256_hadd_epi32(_mm256_hadd_epi32(m[0], m[1]), _mm256_hadd_epi32(m[2], m[3]));
    return INTERLEAVE_HALVES32(t);
}

/* Q4_K's 6-bit scales and minimums (blocks.h's k4_scales) in vector
 * registers, two super-blocks at once (v: 16 bytes of each one in its
 * 128-bit lane, its scales from byte `at`, 0 or 4 (the whole head)):
 * sc[0..7] in bytes 0-7 of the lane, mn[0..7] in bytes 8-15. Eight
 * vector operations for the two in place of about sixty scalar ones,
 * which would compete for the same ports. */
TARGET static INLINE __m256i NAME(k4_scales32)(__m256i v, const int at) {
    const char s = (char)at, z = -1;
    /* a: s0-3, s8-11 | s4-7, s8-11; b: 0, s0-3 | 0, s4-7 */
    __m256i a = _mm256_shuffle_epi8(v, _mm256_setr_epi8(s, s + 1, s + 2, s + 3, s + 8, s + 9, s + 10, s + 11, s + 4,
                                                        s + 5, s + 6, s + 7, s + 8, s + 9, s + 10, s + 11, s, s + 1,
                                                        s + 2, s + 3, s + 8, s + 9, s + 10, s + 11, s + 4, s + 5,
                                                        s + 6, s + 7, s + 8, s + 9, s + 10, s + 11));
    __m256i b = _mm256_shuffle_epi8(v, _mm256_setr_epi8(z, z, z, z, s, s + 1, s + 2, s + 3, z, z, z, z, s + 4, s + 5,
                                                        s + 6, s + 7, z, z, z, z, s, s + 1, s + 2, s + 3, z, z, z, z,
                                                        s + 4, s + 5, s + 6, s + 7));
    /* the minimums' high halves are the high nibbles of s8-11 */
    a = _mm256_blend_epi32(a, _mm256_srli_epi16(a, 4), 0x88);
    __m256i low = _mm256_and_si256(a, _mm256_set1_epi64x(0x0f0f0f0f3f3f3f3fll));
    /* bits 6-7 of s0-7 as bits 4-5 of the high halves */
    return _mm256_or_si256(low, _mm256_and_si256(_mm256_srli_epi16(b, 2), _mm256_set1_epi8(0x30)));
}

/* Q4_K's split rows (blocks.h): super-block B's quants (qs) with its x
 * in the activations' k4 order, sc: its eight scales as int32. Lane j of
 * each VPDPBUSD sums sub-block j alone: the low nibbles into lo, the high
 * ones as they lie (16 times the value, VPANDN's one operation where a
 * shift and an AND took two) into hi, exact in int32 (|hi| < 16 * 16 *
 * 15 * 128); lane j of the result is sc_j times sub-block j's sum.
 * Without VNNI, VPMADDUBSW's int16 pairs are added up over the whole
 * block before one VPMADDWD widens them: each at most 4 * 4 * 15 * 127 =
 * 30480 (kbench, Zen 4, AVX2, from L2: 30.1-30.6 -> 33.9-35.8 GB/s against a VPMADDWD
 * for each 64 values). */
TARGET static INLINE __m256i NAME(q4_ks_isum)(const uint8_t *qs, const int8_t *x, __m256i sc) {
    const __m256i m4 = _mm256_set1_epi8(0x0f);
    __m256i lo = _mm256_setzero_si256(), hi = _mm256_setzero_si256();
#pragma GCC unroll 4
    for (int c = 0; c < 4; c++) {
        __m256i q = LOAD(qs + 32 * c);
        const int8_t *xl = x + act_k4_at(c, 0), *xh = x + act_k4_at(c, 1);
#ifdef VNNI_DPBUSD
        lo = VNNI_DPBUSD(lo, _mm256_and_si256(q, m4), LOAD(xl));
        hi = VNNI_DPBUSD(hi, _mm256_andnot_si256(m4, q), LOAD(xh));
#else
        lo = _mm256_add_epi16(lo, _mm256_maddubs_epi16(_mm256_and_si256(q, m4), LOAD(xl)));
        hi = _mm256_add_epi16(hi, _mm256_maddubs_epi16(_mm256_and_si256(_mm256_srli_epi16(q, 4), m4), LOAD(xh)));
#endif
    }
#ifdef VNNI_DPBUSD
    lo = _mm256_add_epi32(lo, _mm256_srai_epi32(hi, 4));
#else
    lo = _mm256_madd_epi16(_mm256_add_epi16(lo, hi), _mm256_set1_epi16(1));
#endif
    return _mm256_mullo_epi32(lo, sc);
}

/* Q5_K's split rows: q4_ks_isum's with the fifth bits at qh, bit 2c of
 * byte 4j + i for the low nibble of quant byte 32c + 4j + i, 2c + 1 for
 * its high one, each moved to bit 4 by one word shift (a word shift of at
 * most four places never carries the other byte's bit onto bit 4; the AND
 * keeps only that bit). Both halves are quants 0..31, into one sum with
 * VNNI (a lane's 32 products below 2^17); without, into two sets of
 * VPMADDUBSW int16 pairs, each at most 4 * 2 * 31 * 128 = 31744 over the
 * block. */
TARGET static INLINE __m256i NAME(q5_ks_isum)(const uint8_t *qs, const uint8_t *qhp, const int8_t *x, __m256i sc) {
    const __m256i m4 = _mm256_set1_epi8(0x0f), b4 = _mm256_set1_epi8(0x10);
    __m256i qh = LOAD(qhp), lo = _mm256_setzero_si256(), hi = _mm256_setzero_si256();
#pragma GCC unroll 4
    for (int c = 0; c < 4; c++) {
        __m256i q = LOAD(qs + 32 * c);
        __m256i l5 = 2 * c <= 4 ? _mm256_slli_epi16(qh, 4 - 2 * c) : _mm256_srli_epi16(qh, 2 * c - 4);
        __m256i h5 = 2 * c + 1 <= 4 ? _mm256_slli_epi16(qh, 3 - 2 * c) : _mm256_srli_epi16(qh, 2 * c - 3);
        __m256i vl = _mm256_or_si256(_mm256_and_si256(q, m4), _mm256_and_si256(l5, b4));
        __m256i vh = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(q, 4), m4), _mm256_and_si256(h5, b4));
        const int8_t *xl = x + act_k4_at(c, 0), *xh = x + act_k4_at(c, 1);
#ifdef VNNI_DPBUSD
        lo = VNNI_DPBUSD(VNNI_DPBUSD(lo, vl, LOAD(xl)), vh, LOAD(xh));
#else
        lo = _mm256_add_epi16(lo, _mm256_maddubs_epi16(vl, LOAD(xl)));
        hi = _mm256_add_epi16(hi, _mm256_maddubs_epi16(vh, LOAD(xh)));
#endif
    }
#ifndef VNNI_DPBUSD
    const __m256i ones = _mm256_set1_epi16(1);
    lo = _mm256_add_epi32(_mm256_madd_epi16(lo, ones), _mm256_madd_epi16(hi, ones));
#else
    (void)hi;
#endif
    return _mm256_mullo_epi32(lo, sc);
}

/* The d (*d) and dmin (*dm) of split Q4_K super-blocks b .. b+7 from
 * the heads of their four pairs (heads[i]: pair i's two heads, one in
 * each 128-bit lane; zero where absent), in registers: each head's first
 * dword (d, dmin) gathered by unpacks, then the d and the dmin apart
 * (eight 32-bit loads of them again and their inserts made kbench's
 * reads from DRAM 10% slower, 27 against 30 GB/s, Zen 4). */
TARGET static INLINE void NAME(q4_ks_dm8)(const __m256i heads[4], __m256 *d, __m256 *dm) {
    /* dwords: blocks 0, 2, 4, 6 in the low lane, 1, 3, 5, 7 in the high one */
    __m256i v = _mm256_unpacklo_epi64(_mm256_unpacklo_epi32(heads[0], heads[1]),
                                      _mm256_unpacklo_epi32(heads[2], heads[3]));
    /* each lane: its four d, then its four dmin */
    v = _mm256_shuffle_epi8(v, _mm256_setr_epi8(0, 1, 4, 5, 8, 9, 12, 13, 2, 3, 6, 7, 10, 11, 14, 15, 0, 1, 4, 5, 8, 9,
                                                12, 13, 2, 3, 6, 7, 10, 11, 14, 15));
    __m128i even = _mm256_castsi256_si128(v), odd = _mm256_extracti128_si256(v, 1);
    *d = NAME(halves8)(_mm_unpacklo_epi16(even, odd));
    *dm = NAME(halves8)(_mm_unpackhi_epi16(even, odd));
}

/* Split Q4_K or Q5_K (BT) super-blocks b .. b+7 (r present, R: r is 8)
 * of a row of nb (b even): their p, a pair at a time (ISUM: a pair's first
 * or second block's isum). A pair's two heads come in one aligned load
 * (one 128-bit lane each), unpacked together by k4_scales32; msum's
 * products (minimums by the sub-blocks' sums of x) in one VPMADDWD a
 * pair. A macro rather than one function with the block's size as an
 * argument: compiled that way, Q4_K read 8-10% slower from DRAM (kbench,
 * Zen 4, 26-28.5 against 29-31 GB/s), the same from L2. */
#define Q45_KS_8(FN, BT, ISUM)                                                                           \
    TARGET static INLINE __m256 NAME(FN)(const BT *w, const NAME(Act) *a, int b, int r, const int R, int nb) { \
        const unsigned char *row = (const unsigned char *)w;                                            \
        __m256i acc[8], ms[4], heads[4];                                                                \
        _Pragma("GCC unroll 4") for (int i = 0; i < 4; i++) {                                           \
            int k = 2 * i, two = R || k + 1 < r;                                                        \
            acc[k] = acc[k + 1] = ms[i] = heads[i] = _mm256_setzero_si256();                            \
            if (!R && k >= r) continue;                                                                 \
            /* the pair's (or a row's last block's) heads */                                            \
            const unsigned char *pair = row + (size_t)(b + k) * sizeof(BT);                             \
            const int16_t *sums = a->sums32 + 8 * (b + k);                                              \
            __m256i raw, sx;                                                                            \
            if (two) {                                                                                  \
                raw = LOAD(pair);                                                                       \
                sx = LOAD(sums);                                                                        \
            } else {                                                                                    \
                raw = _mm256_inserti128_si256(_mm256_setzero_si256(),                                   \
                                              _mm_loadu_si128((const __m128i *)(const void *)pair), 0); \
                sx = _mm256_inserti128_si256(_mm256_setzero_si256(),                                    \
                                             _mm_loadu_si128((const __m128i *)(const void *)sums), 0);  \
            }                                                                                           \
            heads[i] = raw;                                                                             \
            __m256i scmn = NAME(k4_scales32)(raw, K4_SCALES_IN_HEAD);                                   \
            ms[i] = _mm256_madd_epi16(_mm256_unpackhi_epi8(scmn, _mm256_setzero_si256()), sx);          \
            const int8_t *x = a->k4 + 256 * (b + k);                                                    \
            OPAQUE_PTR(x);                                                                              \
            acc[k] = ISUM(pair, two, 0, x, _mm256_cvtepu8_epi32(_mm256_castsi256_si128(scmn)));         \
            if (two) acc[k + 1] = ISUM(pair, 1, 1, x + 256, _mm256_cvtepu8_epi32(_mm256_extracti128_si256(scmn, 1))); \
        }                                                                                               \
        __m256i isum = NAME(hsum8)(acc), msum = NAME(hsum4x8)(ms);                                      \
        __m256 dx = R ? _mm256_loadu_ps(a->d + b) : _mm256_maskload_ps(a->d + b, NAME(lanes_mask)(r)), dw, dmw; \
        NAME(q4_ks_dm8)(heads, &dw, &dmw);                                                              \
        __m256 dd = _mm256_mul_ps(dx, dw), dm = _mm256_mul_ps(dx, dmw);                                 \
        return _mm256_sub_ps(_mm256_mul_ps(dd, _mm256_cvtepi32_ps(isum)), _mm256_mul_ps(dm, _mm256_cvtepi32_ps(msum))); \
    }
/* The isum of a pair's first (second: 0) or second block (paired: 0 for
 * a row's lone last block). */
#define Q4_KS_ISUM(pair, paired, second, x, sc) \
    NAME(q4_ks_isum)((pair) + k4_pair_qs_at(sizeof(block_q4_K), paired, second), x, sc)
#define Q5_KS_ISUM(pair, paired, second, x, sc) \
    NAME(q5_ks_isum)((pair) + k4_pair_qs_at(sizeof(block_q5_K), paired, second), (pair) + k4_pair_qh_at(paired, second), x, sc)
Q45_KS_8(q4_ks_8, block_q4_K, Q4_KS_ISUM)
Q45_KS_8(q5_ks_8, block_q5_K, Q5_KS_ISUM)


/* Q6_K: q - 32 with q = 4 low bits | 2 high bits << 4 (0..63, unsigned in
 * prod_us); the -32 comes back as -32 * sum_j sc_j * bsums_j. Super-block
 * B's isum partial sums (8 lanes). */
TARGET static INLINE __m256i NAME(q6_k_sums)(const block_q6_K *B, const int8_t *x, const int16_t *bsums) {
    const __m256i m4 = _mm256_set1_epi8(0x0f);
    __m128i sc8 = _mm_loadu_si128((const __m128i *)(const void *)B->scales);
    __m256i acc = _mm256_madd_epi16(_mm256_cvtepi8_epi16(sc8), LOAD(bsums));
    acc = _mm256_sub_epi32(_mm256_setzero_si256(), _mm256_slli_epi32(acc, 5));
    /* the scales as int16: even ones in the low half, odd ones in the high half */
    __m256i eo = _mm256_cvtepi8_epi16(
        _mm_shuffle_epi8(sc8, _mm_setr_epi8(0, 2, 4, 6, 8, 10, 12, 14, 1, 3, 5, 7, 9, 11, 13, 15)));
#pragma GCC unroll 2
    for (int h = 0; h < 2; h++) {
        __m256i ql0 = LOAD(B->ql + 64 * h), ql1 = LOAD(B->ql + 64 * h + 32), qh = LOAD(B->qh + 32 * h);
        __m256i q[4] = {
            _mm256_or_si256(_mm256_and_si256(ql0, m4),
                            _mm256_slli_epi16(_mm256_and_si256(qh, _mm256_set1_epi8(0x03)), 4)),
            _mm256_or_si256(_mm256_and_si256(ql1, m4),
                            _mm256_slli_epi16(_mm256_and_si256(qh, _mm256_set1_epi8(0x0c)), 2)),
            _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(ql0, 4), m4),
                            _mm256_and_si256(qh, _mm256_set1_epi8(0x30))),
            _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(ql1, 4), m4),
                            _mm256_srli_epi16(_mm256_and_si256(qh, _mm256_set1_epi8((char)0xc0)), 2)),
        };
#pragma GCC unroll 2
        for (int s = 0; s < 4; s += 2) {
            /* q[s]: sub-blocks 8h + 2s (int32 lanes 0-3 of prod_us) and
             * 8h + 2s + 1 (lanes 4-7), below 2^15 (quants below 64, |x|
             * at most 127), packed with q[s + 1]'s; pick_pair(4h + s) of eo
             * their four scales in the same places */
            __m256i packed = _mm256_packs_epi32(NAME(prod_us)(q[s], LOAD(x + 128 * h + 32 * s)),
                                                NAME(prod_us)(q[s + 1], LOAD(x + 128 * h + 32 * s + 32)));
            acc = NAME(scaled_acc)(acc, packed, _mm256_shuffle_epi8(eo, NAME(pick_pair)(4 * h + s)));
        }
    }
    return acc;
}

/* Super-blocks b .. b+7 (r present, R: r is 8) of a Q6_K row: their p. */
TARGET static INLINE __m256 NAME(q6_k_8)(const block_q6_K *w, const NAME(Act) *a, int b, int r, const int R, int nb) {
    __m256i acc[8];
    if (R) {
        _Pragma("GCC unroll 8") for (int k = 0; k < 8; k++)
            acc[k] = NAME(q6_k_sums)(w + b + k, a->q + 256 * (b + k), a->bsums + 16 * (b + k));
    } else {
        for (int k = 0; k < 8; k++)
            acc[k] = k < r ? NAME(q6_k_sums)(w + b + k, a->q + 256 * (b + k), a->bsums + 16 * (b + k))
                           : _mm256_setzero_si256();
    }
    __m256 isum = _mm256_cvtepi32_ps(NAME(hsum8)(acc));
    __m256 dx = R ? _mm256_loadu_ps(a->d + b) : _mm256_maskload_ps(a->d + b, NAME(lanes_mask)(r));
    __m256 dd = _mm256_mul_ps(dx, NAME(kd8)((const unsigned char *)(w + b), (int)sizeof *w, 208, r));
    return _mm256_mul_ps(dd, isum);
}

TARGET static INLINE float NAME(q6_k_1)(const block_q6_K *w, const NAME(Act) *a, int b, int nb) {
    int32_t isum = NAME(hsum32)(NAME(q6_k_sums)(w + b, a->q + 256 * b, a->bsums + 16 * b));
    return (a->d[b] * NAME(half1)(w[b].d)) * (float)isum;
}


/* Q2_K and Q3_K: 16 sub-blocks of 16, value 128h + 32s + l (l < 32) from
 * bits 2s..2s+1 of qs[32h + l]; sub-blocks 8h + 2s (l < 16) and 8h + 2s + 1.
 * eo: the 16 int16 scales, even ones in the low half, odd ones in the high.
 * Q(h, s): the run's 32 unsigned quants. Two runs' int32 sums (|.| < 2^15)
 * packed into int16 and weighted by one VPMADDWD, their four scales picked
 * by pick_pair(4h + s) as Q6_K's (each run's int16 pairs weighted by its
 * own VPMADDWD was slower: kbench, Zen 5, AVX2 level from L2, Q2_K 16 ->
 * 19 GB/s, Q3_K 13-14 -> 15). */
#define K16_SUMS(acc, eo, x, Q)                                                                 \
    _Pragma("GCC unroll 2") for (int h = 0; h < 2; h++)                                         \
        _Pragma("GCC unroll 2") for (int s = 0; s < 4; s += 2)                                  \
            acc = NAME(scaled_acc)(acc,                                                         \
                                   _mm256_packs_epi32(NAME(prod_us)(Q(h, s), LOAD((x) + 128 * h + 32 * s)), \
                                                      NAME(prod_us)(Q(h, s + 1), LOAD((x) + 128 * h + 32 * s + 32))), \
                                   _mm256_shuffle_epi8(eo, NAME(pick_pair)(4 * h + s)));

#define EVEN_ODD _mm_setr_epi8(0, 2, 4, 6, 8, 10, 12, 14, 1, 3, 5, 7, 9, 11, 13, 15)

/* Q2_K: quants 0..3, scale sc & 15, minimum sc >> 4 (per sub-block of 16). */
TARGET static INLINE __m256i NAME(q2_k_sums)(const block_q2_K *B, const int8_t *x, const int16_t *bsums,
                                             __m128i *msum) {
    __m128i sc = _mm_loadu_si128((const __m128i *)(const void *)B->scales);
    __m128i lo = _mm_and_si128(sc, _mm_set1_epi8(0x0f)), hi = _mm_and_si128(_mm_srli_epi16(sc, 4), _mm_set1_epi8(0x0f));
    __m256i m8 = _mm256_madd_epi16(_mm256_cvtepu8_epi16(hi), LOAD(bsums));
    *msum = _mm_add_epi32(_mm256_castsi256_si128(m8), _mm256_extracti128_si256(m8, 1));
    __m256i eo = _mm256_cvtepu8_epi16(_mm_shuffle_epi8(lo, EVEN_ODD));
    __m256i acc = _mm256_setzero_si256(), q0 = LOAD(B->qs), q1 = LOAD(B->qs + 32), m3 = _mm256_set1_epi8(3);
#define Q2(h, s) _mm256_and_si256(_mm256_srli_epi16((h) ? q1 : q0, 2 * (s)), m3)
    K16_SUMS(acc, eo, x, Q2)
#undef Q2
    return acc;
}

/* Q3_K: quants 2 bits | hmask bit << 2 (0..7) = the format's + 4; the 4
 * comes back as -4 * sum_j sc_j * bsums_j. */
/* Q3_K's 16 scales (blocks.h's k3_scales), minus 32, as 16 bytes: the low
 * four bits from bytes 0-7 (low nibbles, then high nibbles), the top two
 * from bytes 8-11, two bits per scale. */
TARGET static INLINE __m128i NAME(k3_scales16)(const uint8_t s[12]) {
    uint64_t lo8;
    uint32_t hi4;
    __builtin_memcpy(&lo8, s, 8);
    __builtin_memcpy(&hi4, s + 8, 4);
    __m128i l = _mm_cvtsi64_si128((long long)lo8);
    l = _mm_and_si128(_mm_unpacklo_epi64(l, _mm_srli_epi16(l, 4)), _mm_set1_epi8(0x0f));
    __m128i h = _mm_setr_epi32((int)(hi4 & 0x03030303), (int)((hi4 >> 2) & 0x03030303),
                               (int)((hi4 >> 4) & 0x03030303), (int)((hi4 >> 6) & 0x03030303));
    return _mm_sub_epi8(_mm_or_si128(l, _mm_slli_epi16(h, 4)), _mm_set1_epi8(32));
}

TARGET static INLINE __m256i NAME(q3_k_sums)(const block_q3_K *B, const int8_t *x, const int16_t *bsums) {
    __m128i sc8 = NAME(k3_scales16)(B->scales);
    __m256i acc = _mm256_madd_epi16(_mm256_cvtepi8_epi16(sc8), LOAD(bsums));
    acc = _mm256_sub_epi32(_mm256_setzero_si256(), _mm256_slli_epi32(acc, 2));
    __m256i eo = _mm256_cvtepi8_epi16(_mm_shuffle_epi8(sc8, EVEN_ODD));
    __m256i q0 = LOAD(B->qs), q1 = LOAD(B->qs + 32), hm = LOAD(B->hmask), m3 = _mm256_set1_epi8(3),
            one = _mm256_set1_epi8(1);
#define Q3(h, s) _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16((h) ? q1 : q0, 2 * (s)), m3), \
                                 _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(hm, 4 * (h) + (s)), one), 2))
    K16_SUMS(acc, eo, x, Q3)
#undef Q3
    return acc;
}

/* Super-blocks b .. b+7 (r present, R: r is 8) of a K-quant row with
 * minimums (Q2_K; DOFF, MOFF: their d and dmin), and one of them. */
#define KGROUP_MIN(T, BT, SUMS, SRC, DOFF, MOFF)                                                \
    TARGET static INLINE __m256 NAME(T##_8)(const BT *w, const NAME(Act) *a, int b, int r, const int R, int nb) { \
        __m256i acc[8];                                                                         \
        __m128i ms[8];                                                                          \
        if (R) {                                                                                \
            _Pragma("GCC unroll 8") for (int k = 0; k < 8; k++)                                 \
                acc[k] = NAME(SUMS)(w + b + k, a->q + 256 * (b + k), SRC(b + k), &ms[k]);       \
        } else {                                                                                \
            for (int k = 0; k < 8; k++) {                                                       \
                if (k < r) acc[k] = NAME(SUMS)(w + b + k, a->q + 256 * (b + k), SRC(b + k), &ms[k]); \
                else { acc[k] = _mm256_setzero_si256(); ms[k] = _mm_setzero_si128(); }           \
            }                                                                                   \
        }                                                                                       \
        __m256i mp_[4];                                                                         \
        _Pragma("GCC unroll 4") for (int i = 0; i < 4; i++)                                     \
            mp_[i] = _mm256_inserti128_si256(_mm256_castsi128_si256(ms[2 * i]), ms[2 * i + 1], 1); \
        __m256 isum = _mm256_cvtepi32_ps(NAME(hsum8)(acc)), msum = _mm256_cvtepi32_ps(NAME(hsum4x8)(mp_)); \
        __m256 dx = R ? _mm256_loadu_ps(a->d + b) : _mm256_maskload_ps(a->d + b, NAME(lanes_mask)(r)); \
        const unsigned char *first = (const unsigned char *)(w + b);                             \
        __m256 dd = _mm256_mul_ps(dx, NAME(kd8)(first, (int)sizeof *w, DOFF, r));               \
        __m256 dm = _mm256_mul_ps(dx, NAME(kd8)(first, (int)sizeof *w, MOFF, r));               \
        return _mm256_sub_ps(_mm256_mul_ps(dd, isum), _mm256_mul_ps(dm, msum));                 \
    }                                                                                           \
    TARGET static INLINE float NAME(T##_1)(const BT *w, const NAME(Act) *a, int b, int nb) {            \
        __m128i ms;                                                                             \
        int32_t isum = NAME(hsum32)(NAME(SUMS)(w + b, a->q + 256 * b, SRC(b), &ms));            \
        ms = _mm_add_epi32(ms, _mm_shuffle_epi32(ms, 0x4e));                                    \
        ms = _mm_add_epi32(ms, _mm_shuffle_epi32(ms, 0xb1));                                    \
        int32_t msum = _mm_cvtsi128_si32(ms);                                                   \
        float dd = a->d[b] * NAME(half1)(w[b].d), dm = a->d[b] * NAME(half1)(w[b].dmin);        \
        return dd * (float)isum - dm * (float)msum;                                             \
    }

/* The same for the types without minimums (Q3_K). */
#define KGROUP(T, BT, SUMS, SRC, DOFF)                                                          \
    TARGET static INLINE __m256 NAME(T##_8)(const BT *w, const NAME(Act) *a, int b, int r, const int R, int nb) { \
        __m256i acc[8];                                                                         \
        if (R) {                                                                                \
            _Pragma("GCC unroll 8") for (int k = 0; k < 8; k++)                                 \
                acc[k] = NAME(SUMS)(w + b + k, a->q + 256 * (b + k), SRC(b + k));               \
        } else {                                                                                \
            for (int k = 0; k < 8; k++)                                                         \
                acc[k] = k < r ? NAME(SUMS)(w + b + k, a->q + 256 * (b + k), SRC(b + k)) : _mm256_setzero_si256(); \
        }                                                                                       \
        __m256 isum = _mm256_cvtepi32_ps(NAME(hsum8)(acc));                                     \
        __m256 dx = R ? _mm256_loadu_ps(a->d + b) : _mm256_maskload_ps(a->d + b, NAME(lanes_mask)(r)); \
        __m256 dd = _mm256_mul_ps(dx, NAME(kd8)((const unsigned char *)(w + b), (int)sizeof *w, DOFF, r)); \
        return _mm256_mul_ps(dd, isum);                                                         \
    }                                                                                           \
    TARGET static INLINE float NAME(T##_1)(const BT *w, const NAME(Act) *a, int b, int nb) {            \
        int32_t isum = NAME(hsum32)(NAME(SUMS)(w + b, a->q + 256 * b, SRC(b)));                 \
        return (a->d[b] * NAME(half1)(w[b].d)) * (float)isum;                                   \
    }

#define SRC_BSUMS(b) (a->bsums + 16 * (b))
KGROUP_MIN(q2_k, block_q2_K, q2_k_sums, SRC_BSUMS, 80, 82)
KGROUP(q3_k, block_q3_K, q3_k_sums, SRC_BSUMS, 108)
KGROUP(iq4_xs, block_iq4_xs, iq4_xs_sums, SRC_BSUMS, 0)

/* ---------------------------------------------------------------- rows */

/* A row of type T: groups of 8 blocks (T_8(w, a, b, r, R, nb): blocks b ..
 * b+7 of a row of nb, r present, R: r is 8), then the last ones as a
 * masked group when there are at least MIN of them, else one by one (ONE:
 * T_1(w, a, b, nb); NO_ONE where MIN is 1). The last ones are prefetched too (as a
 * masked group they once were not: with 22 super-blocks a row, TinyLlama's
 * w2, 27% of each row came from memory unprefetched).
 * T_tail: from block b on, added to acc; T_row: one row; T_row4: rows w
 * and the three `stride` bytes apart after it, a group of each in turn
 * (matmul.h's four streams, all kept busy however long a row is), each
 * with its own T_row's bits, into y[0], y[ystride], ... */
/* (left defined for the including file: quant_avx512.c's 512-bit
 * kernels; including this again redefines them identically, which C
 * allows) */
#define NO_ONE(w, a, b, nb) 0.0f
#define ROW_FNS(T, BT, MIN, ONE) ROW_FNS_ONE(T, BT, MIN, ONE) ROW_FNS_FOUR(T, BT)
/* T_tail and T_row alone (for a file with its own T_row4) */
#define ROW_FNS_ONE(T, BT, MIN, ONE)                                                            \
    TARGET static INLINE float NAME(T##_tail)(const BT *w, const NAME(Act) *a, int b, int nb, __m256 acc, \
                                              int ahead) {                                      \
        if (b < nb) PREFETCH_BLOCKS(w + b, nb - b, ahead);                                      \
        if (b < nb && nb - b >= (MIN)) acc = _mm256_add_ps(acc, NAME(T##_8)(w, a, b, nb - b, 0, nb)); \
        else if (b < nb) {                                                                      \
            __m256 tail = _mm256_setzero_ps();                                                  \
            for (int k = 0; b + k < nb; k++) tail = NAME(put_lane)(tail, k, ONE(w, a, b + k, nb));  \
            acc = _mm256_add_ps(acc, tail);                                                     \
        }                                                                                       \
        return NAME(reduce8)(acc);                                                              \
    }                                                                                           \
    TARGET static INLINE float NAME(T##_row)(const BT *w, const NAME(Act) *a, int nb, int ahead) { \
        __m256 acc = _mm256_setzero_ps();                                                       \
        int b = 0;                                                                              \
        for (; b + 8 <= nb; b += 8) {                                                           \
            PREFETCH_BLOCKS(w + b, 8, ahead);                                                   \
            acc = _mm256_add_ps(acc, NAME(T##_8)(w, a, b, 8, 1, nb));                               \
        }                                                                                       \
        return NAME(T##_tail)(w, a, b, nb, acc, ahead);                                         \
    }
/* How the four streams' groups are written out: one after another
 * (unrolled), unless the including file says otherwise (quant_avx2.c). */
#ifndef ROW4_UNROLL
#define ROW4_UNROLL "GCC unroll 4"
#endif
#define ROW_FNS_FOUR(T, BT)                                                                     \
    TARGET static INLINE void NAME(T##_row4)(const BT *w, size_t stride, const NAME(Act) *a, int nb, \
                                             float *y, size_t ystride, int ahead) {             \
        const BT *r[4];                                                                         \
        __m256 acc[4];                                                                          \
        _Pragma("GCC unroll 4") for (int k = 0; k < 4; k++) {                                   \
            r[k] = (const BT *)(const void *)((const unsigned char *)w + k * stride);           \
            acc[k] = _mm256_setzero_ps();                                                       \
        }                                                                                       \
        int b = 0;                                                                              \
        for (; b + 8 <= nb; b += 8)                                                             \
            _Pragma(ROW4_UNROLL) for (int k = 0; k < 4; k++) {                                   \
                PREFETCH_BLOCKS(r[k] + b, 8, ahead);                                            \
                acc[k] = _mm256_add_ps(acc[k], NAME(T##_8)(r[k], a, b, 8, 1, nb));                  \
            }                                                                                   \
        for (int k = 0; k < 4; k++)                                                             \
            y[k * ystride] = NAME(T##_tail)(r[k], a, b, nb, acc[k], ahead);                     \
    }

ROW_FNS(q8_0, block_q8_0, 4, NAME(q8_0_1))
ROW_FNS(q4_0, block_q4_0, 4, NAME(q4_0_1))
ROW_FNS(q5_0, block_q5_0, 1, NO_ONE)
ROW_FNS(q4_1, block_q4_1, 1, NO_ONE)
ROW_FNS(q5_1, block_q5_1, 1, NO_ONE)
ROW_FNS(q4_ks, block_q4_K, 1, NO_ONE)
ROW_FNS(q6_k, block_q6_K, 6, NAME(q6_k_1))
ROW_FNS(q5_ks, block_q5_K, 1, NO_ONE)
ROW_FNS(q2_k, block_q2_K, 6, NAME(q2_k_1))
ROW_FNS(q3_k, block_q3_K, 6, NAME(q3_k_1))
ROW_FNS(iq4_nl, block_iq4_nl, 4, NAME(iq4_nl_1))
ROW_FNS(iq4_xs, block_iq4_xs, 6, NAME(iq4_xs_1))


/* Rows [r0, r1) for m vectors, a chunk of rows at a time (see the top).
 * MATMUL_READ_STREAMS (matmul.h): the four streams' rows in one T_row4
 * call each, the last rows (fewer than four) and the chunks of several
 * vectors (read in order) one at a time, prefetched near; MATMUL_READ_AHEAD:
 * every row in order, prefetched far ahead; MATMUL_READ_BARE: as four
 * streams, not prefetched; MATMUL_READ_L2: as four streams, prefetched
 * into L2. */
#define ROWS(FN, T, BT, QK, KIND)                                                                \
    TARGET __attribute__((unused)) static void FN(const llama_tensor *w, const ActLayout *L,   \
                                                  const void *act, int m,                        \
                          float *y, size_t ldy, int r0, int r1) {                                \
        int chunk = matmul_chunk_rows(m, r0, r1, w->row_bytes, 1), nb = w->cols / (QK);          \
        const unsigned char *base = w->data;                                                     \
        for (int i0 = r0; i0 < r1; i0 += chunk) {                                                \
            int i1 = r1 - i0 < chunk ? r1 : i0 + chunk;                                          \
            int read = matmul_read_of(KIND), far = read == MATMUL_READ_AHEAD;                     \
            int q = far ? 0 : matmul_stream_quarter(i1 - i0, w->row_bytes);                     \
            int ahead = far ? PREFETCH_FAR(sizeof(BT)) : read == MATMUL_READ_BARE ? 0                 \
                      : read == MATMUL_READ_L2 ? PREFETCH_L2(sizeof(BT)) : PREFETCH_NEAR(sizeof(BT));  \
            for (int t = 0; t < m; t++) {                                                        \
                NAME(Act) a = act_view(L, act, t);                                               \
                float *yt = y + (size_t)t * ldy;                                                 \
                for (int i = i0; i < i0 + q; i++)                                                \
                    NAME(T##_row4)((const BT *)(const void *)(base + (size_t)i * w->row_bytes),  \
                                   (size_t)q * w->row_bytes, &a, nb, &yt[i], (size_t)q, ahead);  \
                for (int i = i0 + 4 * q; i < i1; i++)                                            \
                    yt[i] = NAME(T##_row)((const BT *)(const void *)(base + (size_t)i * w->row_bytes), &a, nb, \
                                          ahead);                                                \
            }                                                                                    \
        }                                                                                        \
    }

ROWS(NAME(q8_0_rows), q8_0, block_q8_0, 32, MATMUL_Q8_0)
ROWS(NAME(q4_0_rows), q4_0, block_q4_0, 32, MATMUL_Q4_0)
ROWS(NAME(q4_k_rows), q4_ks, block_q4_K, 256, MATMUL_Q4_K)
ROWS(NAME(q6_k_rows), q6_k, block_q6_K, 256, MATMUL_Q6_K)
ROWS(NAME(q5_0_rows), q5_0, block_q5_0, 32, MATMUL_Q5_0)
ROWS(NAME(q4_1_rows), q4_1, block_q4_1, 32, MATMUL_Q4_1)
ROWS(NAME(q5_1_rows), q5_1, block_q5_1, 32, MATMUL_Q5_1)
ROWS(NAME(q5_k_rows), q5_ks, block_q5_K, 256, MATMUL_Q5_K)
ROWS(NAME(q2_k_rows), q2_k, block_q2_K, 256, MATMUL_Q2_K)
ROWS(NAME(q3_k_rows), q3_k, block_q3_K, 256, MATMUL_Q3_K)
ROWS(NAME(iq4_nl_rows), iq4_nl, block_iq4_nl, 32, MATMUL_IQ4_NL)
ROWS(NAME(iq4_xs_rows), iq4_xs, block_iq4_xs, 256, MATMUL_IQ4_XS)

/* (left defined for the including file, like ROW_FNS) TABLE, the tensor
 * table of the kernels made here under prefix P (NAME's), several vectors
 * going to BATCH's batched kernels where it has one, from
 * MATMUL_AVX2_BATCH_MIN on (the same bits); F16 and BF16 by the including
 * file's F16_ROWS and BF16_ROWS. */
#define BODY_OR_BATCH(P, T, BATCH, KIND) MATMUL_WITH_BATCH(P##_##T##_rows, BATCH, KIND, MATMUL_AVX2_BATCH_MIN(KIND))
#define BODY_TENSOR_TABLE(TABLE, P, BATCH, F16_ROWS, BF16_ROWS)                                                          \
    BODY_OR_BATCH(P, q8_0, BATCH, MATMUL_Q8_0)                                                      \
    BODY_OR_BATCH(P, q4_0, BATCH, MATMUL_Q4_0)                                                      \
    BODY_OR_BATCH(P, q5_0, BATCH, MATMUL_Q5_0)                                                      \
    BODY_OR_BATCH(P, q4_1, BATCH, MATMUL_Q4_1)                                                      \
    BODY_OR_BATCH(P, q5_1, BATCH, MATMUL_Q5_1)                                                      \
    BODY_OR_BATCH(P, q2_k, BATCH, MATMUL_Q2_K)                                                      \
    BODY_OR_BATCH(P, q3_k, BATCH, MATMUL_Q3_K)                                                      \
    BODY_OR_BATCH(P, q4_k, BATCH, MATMUL_Q4_K)                                                      \
    BODY_OR_BATCH(P, q5_k, BATCH, MATMUL_Q5_K)                                                      \
    BODY_OR_BATCH(P, q6_k, BATCH, MATMUL_Q6_K)                                                      \
    BODY_OR_BATCH(P, iq4_nl, BATCH, MATMUL_IQ4_NL)                                                  \
    BODY_OR_BATCH(P, iq4_xs, BATCH, MATMUL_IQ4_XS)                                                  \
    const matmul_tensor_fn TABLE[MATMUL_KINDS] = {                                                  \
        [MATMUL_Q8_0] = P##_q8_0_rows_or_batch, [MATMUL_Q4_0] = P##_q4_0_rows_or_batch,             \
        [MATMUL_Q5_0] = P##_q5_0_rows_or_batch, [MATMUL_Q4_1] = P##_q4_1_rows_or_batch,             \
        [MATMUL_Q5_1] = P##_q5_1_rows_or_batch, [MATMUL_Q2_K] = P##_q2_k_rows_or_batch,             \
        [MATMUL_Q3_K] = P##_q3_k_rows_or_batch, [MATMUL_Q4_K] = P##_q4_k_rows_or_batch,             \
        [MATMUL_Q5_K] = P##_q5_k_rows_or_batch, [MATMUL_Q6_K] = P##_q6_k_rows_or_batch,             \
        [MATMUL_IQ4_NL] = P##_iq4_nl_rows_or_batch, [MATMUL_IQ4_XS] = P##_iq4_xs_rows_or_batch,     \
        [MATMUL_F16] = F16_ROWS, [MATMUL_BF16] = BF16_ROWS,                                         \
    };

#undef BLOCKS8
#undef BY_BLOCK8
#undef NIBBLES8
#undef NIBBLES8_Q5
#undef BLOCKS8_MIN
#undef NO_CORR
#undef Q5_PART
#undef Q4_1_PART
#undef Q5_0_CORR
#undef K16_SUMS
#undef EVEN_ODD
#undef Q8_0_PART
#undef IQ4_NL_PART
#undef IQ4_NL_WHOLE
#undef Q4_0_PART
#undef FIELD
#undef HALVES_AT
#undef QH_WORD
#undef BLOCK_D8_AT
#undef Q4_0_CORR
#undef LOAD
#undef VNNI_DPBUSD
#undef VNNI_DPWSSD
#undef KGROUP_MIN
#undef KGROUP
#undef SRC_BSUMS
#undef Q45_KS_8
#undef Q4_KS_ISUM
#undef Q5_KS_ISUM
