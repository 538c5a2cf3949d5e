/* The number formats under the compute layer: lib/llama/f16.h's
 * conversions (against double arithmetic, and against the CPU's F16C
 * instructions where it has them), the activation quantizers of
 * lib/llama/activations.c (bit for bit against a transcription of
 * llama.cpp's x86 code in tests/host/quant_ref.h: Q8_0, Q8_1 lane by lane,
 * Q8_K, F16, BF16, on random vectors, ties, zeros, huge and tiny values,
 * infinities and NaNs), and matmul_dequantize_row for every weight type
 * (bit for bit against quant_ref.h's unpacking with ggml's float
 * expressions, on random blocks with ordinary and extreme scales, all-zero
 * blocks and extreme quants; and the round trip of values that a block
 * holds exactly). */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/check.h"
#include "lib/llama/blocks.h"
#include "lib/llama/f16.h"
#include "lib/llama/activations.h"
#include "lib/llama/matmul.h"
#include "lib/llama/simd.h"
#include "tests/host/quant_ref.h"

static const int weight_types[] = {
    LLAMA_TYPE_F32, LLAMA_TYPE_F16, LLAMA_TYPE_BF16, LLAMA_TYPE_Q8_0, LLAMA_TYPE_Q4_0,
    LLAMA_TYPE_Q4_1, LLAMA_TYPE_Q5_0, LLAMA_TYPE_Q5_1, LLAMA_TYPE_Q2_K, LLAMA_TYPE_Q3_K,
    LLAMA_TYPE_Q4_K, LLAMA_TYPE_Q5_K, LLAMA_TYPE_Q6_K, LLAMA_TYPE_IQ4_NL, LLAMA_TYPE_IQ4_XS,
};
#define NTYPES (int)(sizeof weight_types / sizeof weight_types[0])

/* ---------------------------------------------------------------- halves */

__attribute__((target("f16c"))) static uint16_t hw_f32_to_f16(float f) { return (uint16_t)_cvtss_sh(f, 0); }
__attribute__((target("f16c"))) static float hw_f16_to_f32(uint16_t h) { return _cvtsh_ss(h); }

static int have_f16c(void) { return __builtin_cpu_supports("f16c"); }

TEST(f16_widening_all_values) {
    int hw = have_f16c();
    for (uint32_t h = 0; h < 65536 && !check_failed_; h++) {
        float got = f16_to_f32((uint16_t)h), want = ref_f16_to_f32((uint16_t)h);
        CHECK(qr_bits(got) == qr_bits(want), "f16 %04x: %08x, want %08x", h, qr_bits(got), qr_bits(want));
        if (hw) CHECK(qr_bits(got) == qr_bits(hw_f16_to_f32((uint16_t)h)), "f16 %04x: not F16C's", h);
    }
}

/* Every exponent and sign and the top 11 significand bits (2^20 values)
 * times the dropped 13 bits at the rounding edges and one random pattern. */
TEST(f16_narrowing) {
    int hw = have_f16c();
    static const uint32_t lows[] = { 0, 1, 0xfff, 0x1000, 0x1001, 0x1fff };
    for (uint32_t hi = 0; hi < (1u << 19) && !check_failed_; hi++)
        for (int k = 0; k < 7; k++) {
            uint32_t u = hi << 13 | (k < 6 ? lows[k] : (qr_rand() & 0x1fff));
            for (int sgn = 0; sgn < 2; sgn++, u ^= 0x80000000u) {
                float f = qr_float(u);
                uint16_t got = f32_to_f16(f), want = ref_f32_to_f16(f);
                CHECK(got == want, "%08x -> %04x, want %04x", u, got, want);
                if (hw) CHECK(got == hw_f32_to_f16(f), "%08x -> %04x, F16C %04x", u, got, hw_f32_to_f16(f));
            }
        }
}

TEST(bf16_both_ways) {
    static const uint32_t lows[] = { 0, 1, 0x7fff, 0x8000, 0x8001, 0xffff };
    for (uint32_t hi = 0; hi < 65536 && !check_failed_; hi++) {
        CHECK(qr_bits(bf16_to_f32((uint16_t)hi)) == hi << 16, "bf16 %04x", hi);
        for (int k = 0; k < 7; k++) {
            uint32_t u = hi << 16 | (k < 6 ? lows[k] : (qr_rand() & 0xffff));
            CHECK(f32_to_bf16(qr_float(u)) == ref_f32_to_bf16(qr_float(u)), "%08x -> %04x, want %04x", u,
                  f32_to_bf16(qr_float(u)), ref_f32_to_bf16(qr_float(u)));
        }
    }
}

/* ---------------------------------------------------------------- activations */

/* Test vectors of n values, by kind: random of a random magnitude, with
 * exact halves after scaling, with zero blocks, with huge and tiny
 * values, with infinities and NaNs. */
static void make_vector(float *x, int n, int kind) {
    float mag = powf(10.0f, 4.0f * qr_unit());
    for (int i = 0; i < n; i++) x[i] = qr_unit() * mag;
    switch (kind) {
    case 1:    /* blocks whose max is 127: x * id = x, so halves are ties */
        for (int b = 0; b < n / 32; b++) {
            x[32 * b] = (b & 1) ? -127.0f : 127.0f;
            for (int j = 1; j < 32; j++) x[32 * b + j] = (float)((int)(qr_rand() % 253) - 126) + 0.5f;
        }
        break;
    case 2:    /* zero blocks of 32 and 256, and negative zeros */
        for (int i = 0; i < n && i < 288; i++) x[i] = (i & 1) ? -0.0f : 0.0f;
        break;
    case 3:    /* huge and tiny (subnormal) values */
        for (int i = 0; i < n; i++) x[i] = qr_unit() * ((i / 32) % 2 ? 1e30f : 1e-40f);
        break;
    case 4:    /* one infinity and one NaN */
        x[5] = INFINITY;
        x[300 % n] = NAN;
        x[40] = -INFINITY;
        break;
    case 5:    /* ties for Q8_K: x = max / 127 * (k + 0.5) */
        for (int b = 0; b < n / 256; b++) {
            x[256 * b] = -127.0f;
            for (int j = 1; j < 256; j++) x[256 * b + j] = (float)((int)(qr_rand() % 253) - 126) + 0.5f;
        }
        break;
    }
}

static llama_tensor tensor_of(int type, int cols) {
    llama_tensor w = { NULL, type, 1, cols, llama_type_row_bytes(type, cols), NULL, 0 };
    return w;
}

TEST(activations_as_llama_cpp_x86) {
    enum { N = 1024 };
    static float x[N];
    unsigned char *v = aligned_alloc(64, 16384);
    for (int round = 0; round < 300 && !check_failed_; round++) {
        int kind = round % 6, n = 256 * (1 + round % 4);
        make_vector(x, n, kind);
        static const int types[] = { LLAMA_TYPE_Q8_0, LLAMA_TYPE_Q4_1, LLAMA_TYPE_Q4_K, LLAMA_TYPE_F16,
                                     LLAMA_TYPE_BF16, LLAMA_TYPE_F32 };
        for (int t = 0; t < 6 && !check_failed_; t++) {
            llama_tensor w = tensor_of(types[t], n);
            ActLayout L = act_layout(&w);
            CHECK(L.bytes % 64 == 0 && L.bytes <= 16384, "layout of %d", types[t]);
            memset(v, 0xa5, L.bytes);
            act_quantize(&L, x, v);
            RefAct a;
            ref_act_make(&a, types[t], x, n);
            if (L.type == LLAMA_TYPE_F32 || L.type == LLAMA_TYPE_F16 || L.type == LLAMA_TYPE_BF16) {
                for (int j = 0; j < n; j++)
                    CHECK(qr_bits(((float *)(void *)v)[j]) == qr_bits(a.x[j]), "type %d value %d: %g, want %g (kind %d)",
                          L.type, j, ((float *)(void *)v)[j], a.x[j], kind);
                /* F16, BF16: the same values again in that type (the half part) */
                CHECK((L.type == LLAMA_TYPE_F32) == (L.half == 0), "type %d: half part", L.type);
                if (L.half) {
                    const uint16_t *h = (const uint16_t *)(void *)(v + L.half);
                    CHECK(L.half >= (size_t)n * 4 && L.half % 64 == 0 && L.half + (size_t)n * 2 <= L.bytes, "half part");
                    for (int j = 0; j < n; j++) {
                        float hv = L.type == LLAMA_TYPE_F16 ? f16_to_f32(h[j]) : bf16_to_f32(h[j]);
                        CHECK(qr_bits(hv) == qr_bits(a.x[j]), "type %d half %d: %g, want %g (kind %d)", L.type, j,
                              hv, a.x[j], kind);
                    }
                }
            } else {
                int g = L.g, nb = n / g;
                const float *d = (const float *)(void *)(v + L.d);
                CHECK(memcmp(v, a.q, (size_t)n) == 0, "type %d: quants differ (kind %d)", L.type, kind);
                for (int b = 0; b < nb; b++) {
                    CHECK(qr_bits(d[b]) == qr_bits(a.d[b]), "type %d block %d: d %g, want %g (kind %d)", L.type,
                          b, d[b], a.d[b], kind);
                    if (L.type == LLAMA_TYPE_Q8_1) {
                        const float *s = (const float *)(void *)(v + L.s);
                        CHECK(qr_bits(s[b]) == qr_bits(a.s[b]), "Q8_1 block %d: s %g, want %g", b, s[b], a.s[b]);
                    }
                }
                if (L.type == LLAMA_TYPE_Q8_0 || L.type == LLAMA_TYPE_Q8_1) {
                    const int32_t *sum = (const int32_t *)(void *)(v + L.sum);
                    for (int b = 0; b < nb; b++) {
                        int32_t s = 0;
                        for (int j = 0; j < 32; j++) s += a.q[32 * b + j];
                        CHECK(sum[b] == s, "block %d: sum %d, want %d", b, sum[b], s);
                    }
                    /* the quads: per four blocks, values 0-15 of each, then 16-31 of each */
                    const int8_t *quads = (const int8_t *)(v + L.quads);
                    CHECK(L.quads >= L.sum + (size_t)nb * 4 && L.quads + (size_t)(n - n % 128) <= L.bytes, "quads part");
                    for (int i = 0; i < n - n % 128; i++) {
                        int four = i / 128, half = i % 128 / 64, k = i % 64 / 16, j = i % 16;
                        CHECK(quads[i] == a.q[128 * four + 32 * k + 16 * half + j], "quads[%d]", i);
                    }
                }
                if (L.type == LLAMA_TYPE_Q8_K) {
                    const int16_t *bs = (const int16_t *)(void *)(v + L.sum), *s32 = (const int16_t *)(void *)(v + L.s);
                    for (int j = 0; j < n / 16; j++) {
                        int s = 0;
                        for (int k = 0; k < 16; k++) s += a.q[16 * j + k];
                        CHECK(bs[j] == s, "bsums[%d] %d, want %d", j, bs[j], s);
                        if (j % 2) CHECK(s32[j / 2] == bs[j] + bs[j - 1], "sums32[%d]", j / 2);
                    }
                }
            }
            ref_act_free(&a);
        }
    }
    free(v);
}

/* F16 and BF16 activations (four values at a time in SSE2, the rest one
 * by one): every value as f32_to_f16 (f32_to_bf16) rounds it and
 * f16_to_f32 (bf16_to_f32) widens it back, over a sweep of the fp32 bit
 * patterns and, for every exponent, the mantissas around each rounding
 * tie (the 13 or 16 bits dropped at 0x1000 or 0x8000, and either side). */
TEST(half_activations_every_pattern) {
    enum { N = 4099 };   /* not a multiple of four: a tail one by one */
    static float x[N];
    unsigned char *v = aligned_alloc(64, 65536);
    const int types[2] = { LLAMA_TYPE_F16, LLAMA_TYPE_BF16 };
    for (int t = 0; t < 2 && !check_failed_; t++) {
        llama_tensor w = tensor_of(types[t], N);
        ActLayout L = act_layout(&w);
        CHECK(L.half && L.bytes <= 65536, "layout");
        uint64_t next = 0;
        int fill = 0, ties = 0;
        for (int round = 0; !check_failed_; round++) {
            /* the sweep: every 97th pattern; then the ties */
            for (fill = 0; fill < N; fill++) {
                uint32_t u;
                if (next < (1ull << 32)) {
                    u = (uint32_t)next;
                    next += 97;
                } else {
                    int k = ties++, e = k / 24 % 256, side = k % 3, bit = k / 3 % 2, neg = k / 6 % 2, top = k / 12 % 2;
                    if (k >= 256 * 24) break;
                    /* the kept mantissa's last bit (bit), its higher bits all clear or all set (top) */
                    uint32_t low = t == 0 ? 0x1000 : 0x8000, high = 0x7fffff & ~((low << 2) - 1);
                    u = (uint32_t)neg << 31 | (uint32_t)e << 23 | (uint32_t)top * high | (uint32_t)bit * (low << 1) |
                        (low - 1 + (uint32_t)side);
                }
                memcpy(&x[fill], &u, 4);
            }
            if (fill == 0) break;
            act_quantize(&L, x, v);
            const float *xf = (const float *)(void *)v;
            const uint16_t *h = (const uint16_t *)(void *)(v + L.half);
            for (int j = 0; j < fill; j++) {
                uint16_t want = t == 0 ? f32_to_f16(x[j]) : f32_to_bf16(x[j]);
                float back = t == 0 ? f16_to_f32(want) : bf16_to_f32(want);
                CHECK(h[j] == want && qr_bits(xf[j]) == qr_bits(back), "%s of 0x%08x (value %d): 0x%04x, %08x; want 0x%04x, %08x",
                      t == 0 ? "F16" : "BF16", qr_bits(x[j]), j, h[j], qr_bits(xf[j]), want, qr_bits(back));
                if (check_failed_) break;
            }
            if (fill < N) break;
        }
        CHECK(ties == 256 * 24 + 1 || check_failed_, "%d tie patterns", ties);
    }
    free(v);
}

/* matmul_prepare: m vectors at a stride, each as act_quantize makes it alone. */
TEST(prepare_many_vectors) {
    enum { N = 512, M = 5 };
    static float x[M * 600];
    for (int i = 0; i < M * 600; i++) x[i] = qr_unit();
    const MatmulKernel *k = matmul_select(0);
    unsigned char *many = aligned_alloc(64, 65536), *one = aligned_alloc(64, 16384);
    for (int t = 0; t < NTYPES; t++) {
        llama_tensor w = tensor_of(weight_types[t], N);
        ActLayout L = act_layout(&w);
        CHECK(matmul_act_bytes(&w, M) == M * L.bytes, "bytes");
        memset(many, 0x5a, 65536);
        matmul_prepare(k, &w, x, 600, M, many);
        for (int m = 0; m < M; m++) {
            memset(one, 0x5a, 16384);
            act_quantize(&L, x + 600 * m, one);
            CHECK(memcmp(one, many + m * L.bytes, L.bytes) == 0, "type %d vector %d", weight_types[t], m);
        }
    }
    free(many);
    free(one);
}

TEST(activation_keys) {
    llama_tensor a = tensor_of(LLAMA_TYPE_Q4_0, 256), b = tensor_of(LLAMA_TYPE_Q8_0, 256),
                 c = tensor_of(LLAMA_TYPE_Q4_K, 256), d = tensor_of(LLAMA_TYPE_Q6_K, 256),
                 e = tensor_of(LLAMA_TYPE_Q4_1, 256), f = tensor_of(LLAMA_TYPE_F16, 256);
    CHECK(matmul_act_key(&a) == matmul_act_key(&b), "Q4_0 and Q8_0 share Q8_0 activations");
    CHECK(matmul_act_key(&c) == matmul_act_key(&d), "Q4_K and Q6_K share Q8_K");
    CHECK(matmul_act_key(&a) != matmul_act_key(&c) && matmul_act_key(&a) != matmul_act_key(&e) &&
          matmul_act_key(&f) != matmul_act_key(&a), "different preparations, different keys");
    llama_tensor r1 = { NULL, LLAMA_TYPE_RUNQ8, 4, 288, 288, NULL, 32 };
    llama_tensor r2 = { NULL, LLAMA_TYPE_RUNQ8, 4, 768, 768, NULL, 64 };
    llama_tensor r3 = { NULL, LLAMA_TYPE_RUNQ8, 4, 288, 288, NULL, 64 };
    CHECK(matmul_act_key(&r1) != matmul_act_key(&r2) && matmul_act_key(&r1) == matmul_act_key(&r3),
          "RUNQ8 keys follow gcd(cols, group size)");
    llama_tensor bad = tensor_of(LLAMA_TYPE_Q8_K, 256);
    CHECK(matmul_act_key(&bad) == -1, "Q8_K is no weight type");
}

/* ---------------------------------------------------------------- dequantize */

TEST(dequantize_every_type) {
    enum { BLOCKS = 12 };
    for (int t = 0; t < NTYPES && !check_failed_; t++) {
        int type = weight_types[t];
        int bn = ref_block_values(type), bb = ref_block_bytes(type);
        /* blocks of 32: more than one of Q4_0's runs of 32 (blocks.h) */
        int blocks = bn == 32 ? 45 : BLOCKS;
        int n = (type == LLAMA_TYPE_F32 || type == LLAMA_TYPE_F16 || type == LLAMA_TYPE_BF16) ? 272 : bn * blocks;
        size_t row_bytes = llama_type_row_bytes(type, n);
        uint8_t *data = malloc(row_bytes * 3);
        float *got = malloc((size_t)n * 4), *want = malloc((size_t)n * 4);
        for (int round = 0; round < 40 && !check_failed_; round++) {
            if (bn == 1) {
                for (size_t i = 0; i < row_bytes * 3; i++) data[i] = (uint8_t)qr_rand();
            } else {
                for (int b = 0; b < blocks * 3; b++) ref_random_block(type, data + (size_t)b * bb, (b + round) % 4);
            }
            llama_tensor w = ref_kernel_tensor((llama_tensor){ data, type, 3, n, row_bytes, NULL, 0 });
            for (int r = 0; r < 3; r++) {
                matmul_dequantize_row(&w, r, got);
                ref_dequantize(type, data + r * row_bytes, n, want);
                for (int j = 0; j < n; j++)
                    CHECK(qr_bits(got[j]) == qr_bits(want[j]) || (isnan(got[j]) && isnan(want[j])),
                          "%s row %d value %d: %g, want %g", llama_type_get(type)->name, r, j, got[j], want[j]);
            }
            ref_kernel_free(&w, data);
        }
        free(data); free(got); free(want);
    }
}

/* Blocks built from chosen integer quants and scales give back q * d
 * (and the K-quants' (d * sc) * q - dmin * mn) exactly: a check of the bit
 * layouts that does not go through quant_ref.h's unpacking. Q8_0, Q4_0,
 * Q4_K, IQ4_NL and IQ4_XS written field by field here. */
TEST(dequantize_known_blocks) {
    /* Q8_0: d = 0.5, q = j - 16 */
    uint8_t b8[34];
    uint16_t half = f32_to_f16(0.5f);
    memcpy(b8, &half, 2);
    for (int j = 0; j < 32; j++) b8[2 + j] = (uint8_t)(int8_t)(j - 16);
    float out[256];
    llama_tensor w8 = { b8, LLAMA_TYPE_Q8_0, 1, 32, 34, NULL, 0 };
    matmul_dequantize_row(&w8, 0, out);
    for (int j = 0; j < 32; j++) CHECK(out[j] == 0.5f * (float)(j - 16), "Q8_0 value %d: %g", j, out[j]);
    /* Q4_0: d = 2, value j < 16 from the low nibble of byte j, j >= 16 from the high nibble of j - 16 */
    uint8_t b4[18];
    half = f32_to_f16(2.0f);
    memcpy(b4, &half, 2);
    for (int j = 0; j < 16; j++) b4[2 + j] = (uint8_t)(j | (15 - j) << 4);
    llama_tensor w4 = ref_kernel_tensor((llama_tensor){ b4, LLAMA_TYPE_Q4_0, 1, 32, 18, NULL, 0 });
    matmul_dequantize_row(&w4, 0, out);
    ref_kernel_free(&w4, b4);
    for (int j = 0; j < 16; j++) {
        CHECK(out[j] == 2.0f * (float)(j - 8), "Q4_0 value %d: %g", j, out[j]);
        CHECK(out[j + 16] == 2.0f * (float)(7 - j), "Q4_0 value %d: %g", j + 16, out[j + 16]);
    }
    /* Q4_K: d = 1, dmin = 0.25, sub-block j scale j + 1 and min 2 * j (6 bits each:
     * scales 4-7 and mins 4-7 use the top bits of bytes 0-7) */
    uint8_t bk[144] = { 0 };
    uint16_t one = f32_to_f16(1.0f), quarter = f32_to_f16(0.25f);
    memcpy(bk, &one, 2);
    memcpy(bk + 2, &quarter, 2);
    int sc[8] = { 1, 2, 3, 4, 45, 50, 61, 63 }, mn[8] = { 0, 2, 4, 6, 33, 40, 51, 62 };
    for (int j = 0; j < 4; j++) {
        bk[4 + j] = (uint8_t)(sc[j] | (sc[j + 4] >> 4) << 6);
        bk[8 + j] = (uint8_t)(mn[j] | (mn[j + 4] >> 4) << 6);
        bk[12 + j] = (uint8_t)((sc[j + 4] & 15) | (mn[j + 4] & 15) << 4);
    }
    for (int v = 0; v < 256; v++) {      /* quant of value v: v % 16 */
        int p = v / 64, hi = v / 32 % 2, l = v % 32;
        bk[16 + 32 * p + l] |= (uint8_t)((v % 16) << (4 * hi));
    }
    llama_tensor wk = ref_kernel_tensor((llama_tensor){ bk, LLAMA_TYPE_Q4_K, 1, 256, 144, NULL, 0 });
    matmul_dequantize_row(&wk, 0, out);
    ref_kernel_free(&wk, bk);
    for (int v = 0; v < 256; v++) {
        float want = (1.0f * (float)sc[v / 32]) * (float)(v % 16) - 0.25f * (float)mn[v / 32];
        CHECK(out[v] == want, "Q4_K value %d: %g, want %g", v, out[v], want);
    }
    /* IQ4_NL: d = 0.5, nibble j of byte j (low), 15 - j (high); IQ4_XS: d =
     * 0.25, sub-block j's 6-bit scale ls[j] (low nibble in scales_l[j / 2],
     * top bits at 2j of scales_h), byte i of sub-block j: nibbles (i + j) % 16
     * and 15 - i. The table as ggml's kvalues_iq4nl lists it. */
    static const int table[16] = { -127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113 };
    uint8_t bn[18];
    half = f32_to_f16(0.5f);
    memcpy(bn, &half, 2);
    for (int j = 0; j < 16; j++) bn[2 + j] = (uint8_t)(j | (15 - j) << 4);
    llama_tensor wn = ref_kernel_tensor((llama_tensor){ bn, LLAMA_TYPE_IQ4_NL, 1, 32, 18, NULL, 0 });
    matmul_dequantize_row(&wn, 0, out);
    ref_kernel_free(&wn, bn);
    for (int j = 0; j < 16; j++) {
        CHECK(out[j] == 0.5f * (float)table[j], "IQ4_NL value %d: %g", j, out[j]);
        CHECK(out[j + 16] == 0.5f * (float)table[15 - j], "IQ4_NL value %d: %g", j + 16, out[j + 16]);
    }
    uint8_t bx[136] = { 0 };
    int ls[8] = { 0, 1, 31, 32, 33, 47, 62, 63 };
    half = f32_to_f16(0.25f);
    memcpy(bx, &half, 2);
    uint16_t high = 0;
    for (int j = 0; j < 8; j++) {
        bx[4 + j / 2] |= (uint8_t)((ls[j] & 15) << (4 * (j % 2)));
        high |= (uint16_t)((ls[j] >> 4) << (2 * j));
        for (int i = 0; i < 16; i++) bx[8 + 16 * j + i] = (uint8_t)((i + j) % 16 | (15 - i) << 4);
    }
    memcpy(bx + 2, &high, 2);
    llama_tensor wx = { bx, LLAMA_TYPE_IQ4_XS, 1, 256, 136, NULL, 0 };
    matmul_dequantize_row(&wx, 0, out);
    for (int v = 0; v < 256; v++) {
        int j = v / 32, i = v % 16, nib = v % 32 < 16 ? (i + j) % 16 : 15 - i;
        float want = (0.25f * (float)(ls[j] - 32)) * (float)table[nib];
        CHECK(out[v] == want, "IQ4_XS value %d: %g, want %g", v, out[v], want);
    }
}

/* RUNQ8: runq.c's dequantize, groups straddling rows. */
TEST(dequantize_runq8) {
    int8_t q[4 * 48];
    float s[4 * 48 / 32];
    for (int i = 0; i < 4 * 48; i++) q[i] = (int8_t)(qr_rand() % 255 - 127);
    for (int i = 0; i < 4 * 48 / 32; i++) s[i] = qr_unit();
    llama_tensor w = { q, LLAMA_TYPE_RUNQ8, 4, 48, 48, s, 32 };
    float out[48];
    for (int r = 0; r < 4; r++) {
        matmul_dequantize_row(&w, r, out);
        for (int j = 0; j < 48; j++)
            CHECK(out[j] == (float)q[r * 48 + j] * s[(r * 48 + j) / 32], "row %d value %d", r, j);
    }
}

/* llama_tensor_prepare's layout of the blocks of 4 and 5 bits (blocks.h)
 * byte for byte: rows of 45 blocks (a run of 32 and one of 13: its last
 * four blocks' qh one short), every field of every block marked with its
 * row, block and byte, found where the run puts it (each field of the
 * run's blocks side by side, in the blocks' order of fields; qh in halves,
 * each four blocks' low ones then their high ones) and where
 * BLOCK32_FIELD_AT (qh: of each four's first block) and BLOCK32_QH say;
 * other types left alone. */
static size_t field_at(int type, int field, int nb, int b) {
    switch (type) {
    case LLAMA_TYPE_Q4_0: return field ? BLOCK32_FIELD_AT(block_q4_0, qs, nb, b) : BLOCK32_FIELD_AT(block_q4_0, d, nb, b);
    case LLAMA_TYPE_IQ4_NL:
        return field ? BLOCK32_FIELD_AT(block_iq4_nl, qs, nb, b) : BLOCK32_FIELD_AT(block_iq4_nl, d, nb, b);
    case LLAMA_TYPE_Q4_1:
        return field == 2 ? BLOCK32_FIELD_AT(block_q4_1, qs, nb, b)
             : field == 1 ? BLOCK32_FIELD_AT(block_q4_1, m, nb, b) : BLOCK32_FIELD_AT(block_q4_1, d, nb, b);
    case LLAMA_TYPE_Q5_0:
        return field == 2 ? BLOCK32_FIELD_AT(block_q5_0, qs, nb, b)
             : field == 1 ? BLOCK32_FIELD_AT(block_q5_0, qh, nb, b) : BLOCK32_FIELD_AT(block_q5_0, d, nb, b);
    default:
        return field == 3 ? BLOCK32_FIELD_AT(block_q5_1, qs, nb, b) : field == 2 ? BLOCK32_FIELD_AT(block_q5_1, qh, nb, b)
             : field == 1 ? BLOCK32_FIELD_AT(block_q5_1, m, nb, b) : BLOCK32_FIELD_AT(block_q5_1, d, nb, b);
    }
}

TEST(split_layout) {
    enum { ROWS = 3, NB = 45 };
    static const struct { int type, split, S, sizes[5], qh; } types[] = {
        { LLAMA_TYPE_Q4_0, LLAMA_TYPE_Q4_0_SPLIT, 18, { 2, 16 }, -1 },
        { LLAMA_TYPE_Q4_1, LLAMA_TYPE_Q4_1_SPLIT, 20, { 2, 2, 16 }, -1 },
        { LLAMA_TYPE_Q5_0, LLAMA_TYPE_Q5_0_SPLIT, 22, { 2, 4, 16 }, 1 },
        { LLAMA_TYPE_Q5_1, LLAMA_TYPE_Q5_1_SPLIT, 24, { 2, 2, 4, 16 }, 2 },
        { LLAMA_TYPE_IQ4_NL, LLAMA_TYPE_IQ4_NL_SPLIT, 18, { 2, 16 }, -1 },
    };
    for (size_t ti = 0; ti < sizeof types / sizeof types[0] && !check_failed_; ti++) {
        int S = types[ti].S;
        const int *sizes = types[ti].sizes;
        uint8_t *raw = malloc(ROWS * NB * (size_t)S), *split = malloc(ROWS * NB * (size_t)S);
        for (int i = 0; i < ROWS * NB * S; i++) raw[i] = (uint8_t)(i * 7 + i / S);
        memcpy(split, raw, ROWS * NB * (size_t)S);
        llama_tensor t = { split, types[ti].type, ROWS, NB * 32, (size_t)NB * S, NULL, 0 };
        llama_tensor_prepare(&t, split);
        CHECK(t.type == types[ti].split && t.row_bytes == (size_t)NB * S && t.data == split, "prepared: %d", t.type);
        CHECK(llama_type_split(t.type) < 0 && strcmp(llama_type_get(t.type)->name, llama_type_get(types[ti].type)->name) == 0 &&
              llama_type_row_bytes(t.type, 64) == (size_t)(2 * S), "the same values, bytes and name");
        for (int r = 0; r < ROWS && !check_failed_; r++) {
            const uint8_t *row = split + (size_t)r * NB * S;
            for (int b = 0; b < NB; b++) {
                int run = b / 32, n = run ? NB - 32 : 32, k = b % 32;
                const uint8_t *block = raw + ((size_t)r * NB + b) * S;
                for (int f = 0, off = 0; sizes[f]; off += sizes[f++]) {
                    size_t at = (size_t)run * 32 * S + (size_t)n * off + (size_t)k * sizes[f];
                    if (f == types[ti].qh) {
                        size_t four = at - (size_t)(k % 4) * 4;
                        int m = n - k / 4 * 4 < 4 ? n - k / 4 * 4 : 4;
                        size_t lo = four + 2 * (size_t)(k % 4), hi = lo + 2 * (size_t)m;
                        CHECK(k % 4 || field_at(types[ti].type, f, NB, b) == four, "%s block %d qh",
                              llama_type_get(t.type)->name, b);
                        CHECK(memcmp(row + lo, block + off, 2) == 0 && memcmp(row + hi, block + off + 2, 2) == 0,
                              "%s row %d block %d qh halves", llama_type_get(t.type)->name, r, b);
                        uint32_t word = (uint32_t)block[off] | (uint32_t)block[off + 1] << 8 |
                                        (uint32_t)block[off + 2] << 16 | (uint32_t)block[off + 3] << 24;
                        uint32_t got = types[ti].type == LLAMA_TYPE_Q5_0 ? BLOCK32_QH(block_q5_0, row, NB, b)
                                                                         : BLOCK32_QH(block_q5_1, row, NB, b);
                        CHECK(got == word, "%s row %d block %d: qh word %08x, want %08x",
                              llama_type_get(t.type)->name, r, b, got, word);
                        continue;
                    }
                    CHECK(field_at(types[ti].type, f, NB, b) == at, "%s block %d field %d: at %zu, want %zu",
                          llama_type_get(t.type)->name, b, f, field_at(types[ti].type, f, NB, b), at);
                    CHECK(memcmp(row + at, block + off, (size_t)sizes[f]) == 0,
                          "%s row %d block %d field %d", llama_type_get(t.type)->name, r, b, f);
                }
            }
        }
        /* already prepared: left alone */
        memcpy(raw, split, ROWS * NB * (size_t)S);
        llama_tensor_prepare(&t, split);
        CHECK(memcmp(raw, split, ROWS * NB * (size_t)S) == 0, "prepared twice through one tensor");
        free(raw); free(split);
    }
    /* Q4_K and Q5_K: pairs of heads, then (Q5_K) of fifth bits, then of
     * quants, a row's odd last block in ggml's places; value 32j + 8c +
     * 4h + i in nibble h of quant byte 32c + 4j + i, its fifth bit in bit
     * 2c + h of byte 4j + i (ggml: bit v / 32 of qh[v % 32]) */
    static const struct { int type, split, S; } ks[] = {
        { LLAMA_TYPE_Q4_K, LLAMA_TYPE_Q4_K_SPLIT, 144 }, { LLAMA_TYPE_Q5_K, LLAMA_TYPE_Q5_K_SPLIT, 176 },
    };
    for (int ti = 0; ti < 2; ti++)
        for (int nb = 1; nb <= 4 && !check_failed_; nb++) {
            int S = ks[ti].S, qhb = S - 144;
            const char *name = llama_type_get(ks[ti].type)->name;
            size_t bytes = (size_t)ROWS * (size_t)nb * (size_t)S;
            uint8_t *raw = malloc(bytes), *split = malloc(bytes);
            for (size_t i = 0; i < bytes; i++) raw[i] = (uint8_t)(i * 13 + i / (size_t)S);
            memcpy(split, raw, bytes);
            llama_tensor t = { split, ks[ti].type, ROWS, nb * 256, (size_t)nb * (size_t)S, NULL, 0 };
            llama_tensor_prepare(&t, split);
            CHECK(t.type == ks[ti].split && strcmp(llama_type_get(t.type)->name, name) == 0, "%s prepared", name);
            for (int r = 0; r < ROWS; r++)
                for (int b = 0; b < nb; b++) {
                    const uint8_t *row = split + (size_t)r * nb * S, *B = raw + ((size_t)r * nb + b) * S;
                    int paired = (b | 1) < nb, second = b % 2;
                    size_t pair = 2 * (size_t)S * (size_t)(b / 2);
                    size_t head = pair + (paired ? 16 * (size_t)second : 0);
                    size_t qh = pair + (paired ? 32 + (size_t)qhb * (size_t)second : 16);
                    size_t qs = pair + (paired ? 32 + 2 * (size_t)qhb + 128 * (size_t)second : 16 + (size_t)qhb);
                    CHECK(memcmp(row + head, B, 16) == 0, "%s nb %d row %d block %d: head", name, nb, r, b);
                    for (int v = 0; v < 256; v++) {
                        int j = v / 32, c = v % 32 / 8, h = v % 8 / 4, i = v % 4;
                        int want = B[16 + qhb + 32 * (v / 64) + v % 32] >> (4 * (v / 32 % 2)) & 15;
                        int got = row[qs + 32 * (size_t)c + 4 * (size_t)j + (size_t)i] >> (4 * h) & 15;
                        CHECK(got == want, "%s nb %d row %d block %d value %d: %d, want %d", name, nb, r, b, v, got,
                              want);
                        if (!qhb) continue;
                        want = B[16 + v % 32] >> (v / 32) & 1;
                        got = row[qh + 4 * (size_t)j + (size_t)i] >> (2 * c + h) & 1;
                        CHECK(got == want, "%s nb %d row %d block %d value %d: fifth bit %d, want %d", name, nb, r, b,
                              v, got, want);
                    }
                }
            free(raw); free(split);
        }
    /* another type stays as it is */
    uint8_t q8[34], before[34];
    for (int i = 0; i < 34; i++) q8[i] = before[i] = (uint8_t)i;
    llama_tensor w8 = { q8, LLAMA_TYPE_Q8_0, 1, 32, 34, NULL, 0 };
    llama_tensor_prepare(&w8, q8);
    CHECK(w8.type == LLAMA_TYPE_Q8_0 && memcmp(before, q8, 34) == 0, "Q8_0 is read as ggml has it");
}

RUN_TESTS(f16_widening_all_values, f16_narrowing, bf16_both_ways, activations_as_llama_cpp_x86,
          half_activations_every_pattern, prepare_many_vectors, activation_keys, dequantize_every_type, dequantize_known_blocks,
          dequantize_runq8, split_layout)
