/* lib/llama/matmul's tensor API (matmul_prepare, matmul_rows) for every
 * weight type, at every SIMD level this CPU has:
 *   - bit for bit against tests/host/quant_ref.h's product in matmul.h's
 *     order (random blocks with ordinary and extreme scales, all-zero
 *     blocks, extreme quants; rows of one block, odd row counts, odd
 *     splits of the rows);
 *   - close to the double-precision dot product of the dequantized row
 *     with the prepared activations (only float rounding apart) and with
 *     the original x (the activation's quantization apart);
 *   - batched: m = 1..17 vectors give, for every (row, vector), the bits
 *     of the one-vector product;
 *   - F32 and RUNQ8 through the tensor API give the old API's bits;
 *   - real tensors of ../shared/models/gguf (found with gguf_peek.h until
 *     the engine has its GGUF parser): Q8_0, Q4_0, F16 tensors of
 *     stories15M dequantize to within their format's error of
 *     stories15M.bin's fp32 weights, and the Q4_K and Q6_K tensors of
 *     tinyllama-mini give the same products at every level as the
 *     reference, close to the dequantized double products. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/check.h"
#include "lib/llama/llama.h"
#include "lib/llama/matmul.h"
#include "tests/host/kernel_sets.h"
#include "lib/llama/f16.h"
#include "tests/host/quant_ref.h"
#include "tests/host/model_file.h"
#include "tests/host/gguf_peek.h"

static const int weight_types[] = {
    LLAMA_TYPE_F32, LLAMA_TYPE_F16, LLAMA_TYPE_BF16, LLAMA_TYPE_Q8_0, LLAMA_TYPE_Q4_0,
    LLAMA_TYPE_Q4_1, LLAMA_TYPE_Q5_0, LLAMA_TYPE_Q5_1, LLAMA_TYPE_Q2_K, LLAMA_TYPE_Q3_K,
    LLAMA_TYPE_Q4_K, LLAMA_TYPE_Q5_K, LLAMA_TYPE_Q6_K, LLAMA_TYPE_IQ4_NL, LLAMA_TYPE_IQ4_XS,
};
#define NTYPES (int)(sizeof weight_types / sizeof weight_types[0])

static const char *tname(int type) { return llama_type_get(type)->name; }

/* A random matrix of rows x cols of a type; blocks cycle through
 * quant_ref.h's modes (ordinary, extreme scales, zero, extreme quants)
 * when extremes is set, else ordinary scales only. */
static uint8_t *random_matrix(int type, int rows, int cols, int extremes) {
    size_t rb = llama_type_row_bytes(type, cols);
    uint8_t *m = malloc(rb * (size_t)rows + 1);
    int bn = ref_block_values(type), bb = ref_block_bytes(type);
    if (bn == 1) {              /* F32, F16, BF16: values up to 1, some 0, some up to 1e4 */
        for (size_t i = 0; i < (size_t)rows * (size_t)cols; i++) {
            float v = qr_unit();
            if (extremes && i % 17 == 3) v = 0.0f;
            if (extremes && i % 29 == 5) v *= 1e4f;
            if (extremes && i % 13 == 7) v *= 1e-6f;                /* F16 subnormals */
            if (extremes && i == 5) v = INFINITY;                   /* row 0: inf and NaN */
            if (extremes && i == 9 && (size_t)cols > 9) v = NAN;
            uint16_t h = type == LLAMA_TYPE_F16 ? f32_to_f16(v) : f32_to_bf16(v);
            if (type == LLAMA_TYPE_F32) memcpy(m + 4 * i, &v, 4);
            else memcpy(m + 2 * i, &h, 2);
        }
        return m;
    }
    size_t blocks = (size_t)rows * (size_t)(cols / bn);
    for (size_t b = 0; b < blocks; b++) {
        int mode = extremes ? (int)(qr_rand() % 8) : 0;
        ref_random_block(type, m + b * (size_t)bb, mode < 4 ? mode : 0);
    }
    return m;
}

static float *random_vectors(int n, int count, size_t ld) {
    float *x = malloc((ld * (size_t)count + 1) * sizeof *x);
    for (int t = 0; t < count; t++) {
        float mag = powf(10.0f, 2.0f * qr_unit());
        for (int i = 0; i < n; i++) x[(size_t)t * ld + (size_t)i] = qr_unit() * mag;
    }
    return x;
}

/* |x . row| bound of the float rounding in matmul.h's order, and the
 * double products with the prepared activations (*with_act) and with the
 * original x (*with_x, *x_err its bound). */
static void double_products(int type, const uint8_t *row, int n, const RefAct *a, const float *x,
                            double *with_act, double *act_err, double *with_x, double *x_err) {
    float *w = malloc((size_t)n * 4);
    ref_dequantize(type, row, n, w);
    double sa = 0, sx = 0, mag = 0, qerr = 0;
    int bn = ref_block_values(type);
    RefBlock r;
    for (int j = 0; j < n; j++) {
        double av;
        if (a->type == LLAMA_TYPE_F32 || a->type == LLAMA_TYPE_F16 || a->type == LLAMA_TYPE_BF16) av = a->x[j];
        else av = (double)a->q[j] * a->d[j / (a->type == LLAMA_TYPE_Q8_K ? 256 : 32)];
        sa += (double)w[j] * av;
        sx += (double)w[j] * x[j];
        double wm = fabs(w[j]);
        if (bn > 1) {
            if (j % bn == 0) ref_unpack(type, row + (size_t)(j / bn) * ref_block_bytes(type), &r);
            int s = (j % bn) / r.sub;
            wm = ref_is_k(type) ? fabs((double)r.d * r.sc[s] * r.q[j % bn]) + fabs((double)r.dmin * r.mn[s])
                                : fabs((double)r.d * r.q[j % bn]) + fabs((double)r.dmin);
        }
        mag += wm * fabs(av);
        qerr += fabs(w[j]) * fabs(av - x[j]);
    }
    double extra = 0;        /* Q4_1, Q5_1: s = fp16(d * sum q), not d16 * sum q */
    if (type == LLAMA_TYPE_Q4_1 || type == LLAMA_TYPE_Q5_1)
        for (int b = 0; b < n / 32; b++) {
            ref_unpack(type, row + (size_t)b * ref_block_bytes(type), &r);
            double sq = 0;
            for (int j = 0; j < 32; j++) sq += a->q[32 * b + j];
            extra += fabs((double)r.dmin) * (fabs(a->s[b] - a->d[b] * sq) + 0.0);
        }
    *with_act = sa;
    *act_err = 2e-6 * (n / bn + 16) * mag + extra + 1e-30;
    *with_x = sx;
    *x_err = qerr * 1.0001 + *act_err + fabs(sx - sa) * 0 + 1e-30;
    free(w);
}

/* The matrix wm (rows x cols of a type; freed here) at every level, one
 * vector and m = 1..17 at a time, against the reference. */
static void check_matrix(const MatmulKernel *const *lv, int nl, int type, int rows, int cols, uint8_t *wm) {
    size_t rb = llama_type_row_bytes(type, cols);
    llama_tensor w = ref_kernel_tensor((llama_tensor){ wm, type, rows, cols, rb, NULL, 0 });
    enum { M = 17 };
    size_t ldx = (size_t)cols + 3, ldy = (size_t)rows + 5;
    float *x = random_vectors(cols, M, ldx);
    float *want = malloc((size_t)rows * M * 4), *got = malloc(ldy * M * 4), *one = malloc((size_t)rows * 4);
    unsigned char *act = aligned_alloc(64, matmul_act_bytes(&w, M));
    unsigned char *act1 = aligned_alloc(64, matmul_act_bytes(&w, 1));
    for (int t = 0; t < M; t++) {
        RefAct a;
        ref_act_make(&a, type, x + (size_t)t * ldx, cols);
        for (int i = 0; i < rows; i++) {
            want[(size_t)t * rows + i] = ref_product(type, wm + (size_t)i * rb, cols, &a);
            if (t < 3 && (i < 4 || i == rows - 1)) {
                double sa, ea, sx, ex;
                double_products(type, wm + (size_t)i * rb, cols, &a, x + (size_t)t * ldx, &sa, &ea, &sx, &ex);
                float r = want[(size_t)t * rows + i];
                if (isfinite(r) && isfinite(sa)) {
                    CHECK(fabs(r - sa) <= ea, "%s %dx%d row %d: %.9g, double %.9g (bound %.3g)", tname(type),
                          rows, cols, i, r, sa, ea);
                    CHECK(fabs(r - sx) <= ex, "%s %dx%d row %d: %.9g, with x %.9g (bound %.3g)", tname(type),
                          rows, cols, i, r, sx, ex);
                }
            }
        }
        ref_act_free(&a);
    }
    matmul_prepare(lv[nl - 1], &w, x, ldx, M, act);
    for (int l = 0; l < nl && !check_failed_; l++) {
        /* one vector at a time, rows in odd pieces */
        for (int t = 0; t < M && !check_failed_; t++) {
            matmul_prepare(lv[l], &w, x + (size_t)t * ldx, ldx, 1, act1);
            memset(one, 0xff, (size_t)rows * 4);
            int cut1 = rows / 3, cut2 = cut1 + 1 < rows ? cut1 + 1 : rows;
            matmul_rows(lv[l], &w, act1, 1, one, 0, 0, cut1);
            matmul_rows(lv[l], &w, act1, 1, one, 0, cut1, cut2);
            matmul_rows(lv[l], &w, act1, 1, one, 0, cut2, rows);
            for (int i = 0; i < rows; i++) {
                float wv = want[(size_t)t * rows + i];
                CHECK(qr_bits(one[i]) == qr_bits(wv) || (isnan(one[i]) && isnan(wv)),
                      "%s: %s %dx%d row %d vector %d: %.9g, want %.9g", lv[l]->set, tname(type), rows, cols, i, t,
                      one[i], wv);
            }
        }
        /* batched: m vectors, m = 1..17, rows in two pieces */
        for (int m = 1; m <= M && !check_failed_; m++) {
            memset(got, 0xff, ldy * M * 4);
            int cut = (rows * m / 7) % (rows + 1);
            matmul_rows(lv[l], &w, act, m, got, ldy, 0, cut);
            matmul_rows(lv[l], &w, act, m, got, ldy, cut, rows);
            for (int t = 0; t < m; t++)
                for (int i = 0; i < rows; i++) {
                    float g = got[(size_t)t * ldy + i], wv = want[(size_t)t * rows + i];
                    CHECK(qr_bits(g) == qr_bits(wv) || (isnan(g) && isnan(wv)),
                          "%s: %s %dx%d batched m=%d row %d vector %d: %.9g, want %.9g", lv[l]->set,
                          tname(type), rows, cols, m, i, t, g, wv);
                }
            CHECK(got[rows] != got[rows] || qr_bits(got[rows]) == 0xffffffffu, "wrote past the rows");
        }
    }
    ref_kernel_free(&w, wm);
    free(wm); free(x); free(want); free(got); free(one); free(act); free(act1);
}

static void check_type(const MatmulKernel *const *lv, int nl, int type, int rows, int cols, int extremes) {
    check_matrix(lv, nl, type, rows, cols, random_matrix(type, rows, cols, extremes));
}

TEST(every_type_every_level) {
    const MatmulKernel *lv[MATMUL_SETS];
    int nl = levels(lv);
    for (int t = 0; t < NTYPES && !check_failed_; t++) {
        int type = weight_types[t], bn = ref_block_values(type);
        int k = bn == 256;
        /* rows of one block, of a few blocks, of more than 8 blocks; odd row counts */
        check_type(lv, nl, type, 7, k ? 256 : 32, 1);
        check_type(lv, nl, type, 37, k ? 768 : (bn == 1 ? 272 : 288), 1);
        check_type(lv, nl, type, 13, k ? 2304 : (bn == 1 ? 784 : 800), 1);
        check_type(lv, nl, type, 19, k ? 512 : 512, 0);
        /* every count of blocks after the last whole 8, for kernels that treat them apart */
        if (bn > 1)
            for (int nbk = 2; nbk <= 15 && !check_failed_; nbk++)
                if (nbk != 8 && nbk != 9) check_type(lv, nl, type, 3, nbk * bn, 1);
        /* more than one of Q4_0's runs of 32 blocks (blocks.h), the last one whole, or with
         * whole groups of 8 and a tail, or shorter than a group */
        if (bn == 32) {
            static const int runs[] = { 32, 33, 40, 43, 57, 64, 71, 96, 100 };
            for (size_t i = 0; i < sizeof runs / sizeof runs[0] && !check_failed_; i++)
                check_type(lv, nl, type, 5, runs[i] * bn, 1);
        }
    }
}

/* Every value of the K-quants' sub-block scales, which the AMX kernels
 * fold into the weights (Q4_K and Q5_K split into two 3-bit halves, Q6_K
 * into base-7 digits): one super-block a row, row r's scales (and
 * minimums) a run of the values; quants random, and in the last rows all
 * at their largest. */
TEST(k_scales_every_value) {
    const MatmulKernel *lv[MATMUL_SETS];
    int nl = levels(lv);
    /* Q6_K: 16 rows x 16 int8 scales, -128..127 (at byte 192 of the block) */
    uint8_t *w6 = random_matrix(LLAMA_TYPE_Q6_K, 16, 256, 0);
    size_t rb6 = llama_type_row_bytes(LLAMA_TYPE_Q6_K, 256);
    for (int r = 0; r < 16; r++) {
        for (int j = 0; j < 16; j++) w6[(size_t)r * rb6 + 192 + j] = (uint8_t)(16 * r + j);
        if (r >= 14) memset(w6 + (size_t)r * rb6, 0xff, 192);          /* quants 63 */
    }
    check_matrix(lv, nl, LLAMA_TYPE_Q6_K, 16, 256, w6);
    /* Q4_K, Q5_K: 8 rows x 8 six-bit scales 0..63, the minimums 63..0, in
     * get_scale_min_k4's packing (the 12 bytes at byte 4 of the block) */
    const int types[2] = { LLAMA_TYPE_Q4_K, LLAMA_TYPE_Q5_K };
    for (int k = 0; k < 2 && !check_failed_; k++) {
        uint8_t *w = random_matrix(types[k], 8, 256, 0);
        size_t rb = llama_type_row_bytes(types[k], 256);
        for (int r = 0; r < 8; r++) {
            uint8_t sc[8], mn[8], *q = w + (size_t)r * rb + 4;
            for (int j = 0; j < 8; j++) sc[j] = (uint8_t)(8 * r + j), mn[j] = (uint8_t)(63 - 8 * r - j);
            for (int j = 0; j < 4; j++) {
                q[j] = (uint8_t)(sc[j] | (sc[j + 4] >> 4) << 6);
                q[j + 4] = (uint8_t)(mn[j] | (mn[j + 4] >> 4) << 6);
                q[j + 8] = (uint8_t)((sc[j + 4] & 15) | (mn[j + 4] & 15) << 4);
            }
            if (r >= 6) memset(w + (size_t)r * rb + 16, 0xff, rb - 16);  /* quants 15 (31) */
        }
        check_matrix(lv, nl, types[k], 8, 256, w);
    }
}

/* Batched products of long rows (more than 4096 values, which batched
 * kernels may take in pieces) and many vectors (more than a kernel's
 * chunk): every result the one-vector product's at each level, and the
 * reference's for a few. */
TEST(batched_long_rows_many_vectors) {
    const MatmulKernel *lv[MATMUL_SETS];
    int nl = levels(lv);
    static const int types[] = { LLAMA_TYPE_Q8_0, LLAMA_TYPE_Q4_0, LLAMA_TYPE_Q4_K, LLAMA_TYPE_Q6_K,
                                 LLAMA_TYPE_F16, LLAMA_TYPE_F32, LLAMA_TYPE_BF16, LLAMA_TYPE_Q5_0,
                                 LLAMA_TYPE_Q4_1, LLAMA_TYPE_Q5_1, LLAMA_TYPE_Q2_K, LLAMA_TYPE_Q3_K,
                                 LLAMA_TYPE_Q5_K, LLAMA_TYPE_IQ4_NL, LLAMA_TYPE_IQ4_XS };
    for (size_t ti = 0; ti < sizeof types / sizeof types[0] && !check_failed_; ti++) {
        int type = types[ti], bn = ref_block_values(type);
        int rows = 21, cols = bn == 256 ? 4096 + 768 : 4096 + 96, m = 67;
        size_t rb = llama_type_row_bytes(type, cols);
        uint8_t *wm = random_matrix(type, rows, cols, 0);
        llama_tensor w = ref_kernel_tensor((llama_tensor){ wm, type, rows, cols, rb, NULL, 0 });
        float *x = random_vectors(cols, m, (size_t)cols);
        float *y = malloc((size_t)rows * m * 4), *one = malloc((size_t)rows * 4);
        unsigned char *act = aligned_alloc(64, matmul_act_bytes(&w, m)), *act1 = aligned_alloc(64, matmul_act_bytes(&w, 1));
        for (int l = 0; l < nl && !check_failed_; l++) {
            matmul_prepare(lv[l], &w, x, (size_t)cols, m, act);
            matmul_rows(lv[l], &w, act, m, y, (size_t)rows, 0, 7);
            matmul_rows(lv[l], &w, act, m, y, (size_t)rows, 7, rows);
            for (int t = 0; t < m && !check_failed_; t++) {
                matmul_prepare(lv[l], &w, x + (size_t)t * cols, (size_t)cols, 1, act1);
                matmul_rows(lv[l], &w, act1, 1, one, 0, 0, rows);
                for (int i = 0; i < rows; i++)
                    CHECK(qr_bits(y[(size_t)t * rows + i]) == qr_bits(one[i]), "%s: %s batched row %d vector %d: %.9g, alone %.9g",
                          lv[l]->set, tname(type), i, t, y[(size_t)t * rows + i], one[i]);
                if (t % 13 == 0) {
                    RefAct a;
                    ref_act_make(&a, type, x + (size_t)t * cols, cols);
                    for (int i = 0; i < rows; i += 5)
                        CHECK(qr_bits(one[i]) == qr_bits(ref_product(type, wm + (size_t)i * rb, cols, &a)),
                              "%s: %s row %d vector %d differs from the reference", lv[l]->set, tname(type), i, t);
                    ref_act_free(&a);
                }
            }
        }
        ref_kernel_free(&w, wm);
        free(wm); free(x); free(y); free(one); free(act); free(act1);
    }
}

/* F32 and RUNQ8 weights: the tensor API gives the old API's bits (the
 * llama2.c reference stories rest on them). */
TEST(f32_and_runq8_as_before) {
    const MatmulKernel *lv[MATMUL_SETS];
    int nl = levels(lv);
    static const int shapes[][2] = { { 288, 32 }, { 768, 64 }, { 172, 64 }, { 48, 16 } };
    for (int s = 0; s < 4; s++) {
        int n = shapes[s][0], gs = shapes[s][1], d = 23;
        float *wf = malloc((size_t)n * d * 4), *x = random_vectors(n, 3, (size_t)n);
        int8_t *wq = malloc((size_t)n * d);
        float *ws = malloc((size_t)n * d / gs * 4 + 4);
        for (int i = 0; i < n * d; i++) { wf[i] = qr_unit(); wq[i] = (int8_t)(qr_rand() % 255 - 127); }
        for (int i = 0; i < n * d / gs; i++) ws[i] = qr_unit() * 0.01f;
        llama_tensor tf = { wf, LLAMA_TYPE_F32, d, n, (size_t)n * 4, NULL, 0 };
        llama_tensor tq = { wq, LLAMA_TYPE_RUNQ8, d, n, (size_t)n, ws, gs };
        int g = gcd_int(n, gs);
        int8_t *xq = malloc((size_t)n);
        float *xs = malloc((size_t)n / g * 4);
        int32_t *xb = malloc((size_t)n / g * 4);
        unsigned char *act = aligned_alloc(64, matmul_act_bytes(&tq, 3) + matmul_act_bytes(&tf, 3));
        for (int l = 0; l < nl; l++) {
            float old[3][23], now[3][23];
            Matrix mf = { wf, NULL, NULL, 0 }, mq = { NULL, wq, ws, gs };
            for (int t = 0; t < 3; t++) matrix_rows(lv[l], old[t], x + t * n, NULL, &mf, n, 0, d);
            matmul_prepare(lv[l], &tf, x, (size_t)n, 3, act);
            matmul_rows(lv[l], &tf, act, 3, &now[0][0], 23, 0, d);
            CHECK(memcmp(old, now, sizeof old) == 0, "%s: F32 n=%d differs from the old API", lv[l]->set, n);
            for (int t = 0; t < 3; t++) {
                QuantVec v = { xq, xs, n, g, xb };
                quantize(&v, x + t * n);
                matrix_rows(lv[l], old[t], NULL, &v, &mq, n, 0, d);
            }
            CHECK(matmul_act_key(&tq) == LLAMA_TYPE_RUNQ8 + g, "RUNQ8 key");
            matmul_prepare(lv[l], &tq, x, (size_t)n, 3, act);
            matmul_rows(lv[l], &tq, act, 3, &now[0][0], 23, 0, 11);
            matmul_rows(lv[l], &tq, act, 3, &now[0][0], 23, 11, d);
            CHECK(memcmp(old, now, sizeof old) == 0, "%s: RUNQ8 n=%d gs=%d differs from the old API",
                  lv[l]->set, n, gs);
        }
        free(wf); free(x); free(wq); free(ws); free(xq); free(xs); free(xb); free(act);
    }
}

/* ---------------------------------------------------------------- real files */

/* The largest |dequantized - fp32| allowed for value j of a row of type
 * quantized from fp32 row f by llama-quantize: Q8_0 about half a step
 * (amax / 127 / 2, plus the fp16 rounding of d over 127 steps), Q4_0 one
 * step (amax / 8: its clamp at 15 can cost a whole one), F16 half an ulp. */
static float allowed_error(int type, const float *f, int j) {
    if (type == LLAMA_TYPE_F16) return fabsf(f[j]) * 0x1p-11f + 0x1p-25f;
    float amax = 0;
    for (int k = j / 32 * 32; k < j / 32 * 32 + 32; k++) amax = fmaxf(amax, fabsf(f[k]));
    return type == LLAMA_TYPE_Q8_0 ? amax / 127.0f * 0.56f + 1e-12f : amax / 8.0f * 1.01f + 1e-12f;
}

static int check_against_fp32(const char *file, const char *tensor, int want_type, const float *fp32,
                              int rows, int cols) {
    size_t size;
    unsigned char *g = model_file(file, &size);
    CHECK(g != NULL, "cannot read %s", file);
    if (!g) return -1;
    llama_tensor t;
    CHECK(gguf_peek(g, size, tensor, &t) == 0, "%s: no tensor %s", file, tensor);
    if (check_failed_) { free(g); return -1; }
    CHECK(t.type == want_type && t.rows == rows && t.cols == cols, "%s %s: type %d, %dx%d", file, tensor,
          t.type, t.rows, t.cols);
    float *out = malloc((size_t)cols * 4), *ref = malloc((size_t)cols * 4);
    double worst = 0;
    llama_tensor k = ref_kernel_tensor(t);
    for (int r = 0; r < rows && !check_failed_; r += (r < 40 ? 1 : 97)) {
        matmul_dequantize_row(&k, r, out);
        ref_dequantize(t.type, (const uint8_t *)t.data + (size_t)r * t.row_bytes, cols, ref);
        CHECK(memcmp(out, ref, (size_t)cols * 4) == 0, "%s %s row %d: differs from the reference", file, tensor, r);
        const float *f = fp32 + (size_t)r * cols;
        for (int j = 0; j < cols; j++) {
            float e = fabsf(out[j] - f[j]), a = allowed_error(t.type, f, j);
            if (e / a > worst) worst = e / a;
            CHECK(e <= a, "%s %s row %d value %d: %.8g, fp32 %.8g (allowed %.3g)", file, tensor, r, j, out[j],
                  f[j], a);
        }
    }
    printf("    (%s %s: worst error %.2f of the allowed)\n", file, tensor, worst);
    ref_kernel_free(&k, t.data);
    free(out); free(ref); free(g);
    return 0;
}

TEST(real_files_decode_as_stories15M) {
    size_t size;
    unsigned char *bin = model_file("stories15M.bin", &size);
    CHECK(bin != NULL, "cannot read stories15M.bin");
    if (!bin) return;
    static llama_model ck;
    llama_error err;
    CHECK(llama_checkpoint_parse(&ck, bin, size, &err) == 0, "%s", err.msg);
    const llama_config *p = &ck.config;
    const llama_weights *w = &ck.weights;
    static const struct { const char *file; int type; } files[] = {
        { "gguf/stories15M-Q8_0.gguf", LLAMA_TYPE_Q8_0 },
        { "gguf/stories15M-Q4_0.gguf", LLAMA_TYPE_Q4_0 },
        { "gguf/stories15M-F16.gguf", LLAMA_TYPE_F16 },
    };
    for (int f = 0; f < 3 && !check_failed_; f++) {
        check_against_fp32(files[f].file, "blk.0.ffn_gate.weight", files[f].type,
                           w->layer[0].w1.data, p->hidden_dim, p->dim);
        check_against_fp32(files[f].file, "blk.5.ffn_down.weight", files[f].type,
                           w->layer[5].w2.data, p->dim, p->hidden_dim);
        check_against_fp32(files[f].file, "blk.3.ffn_up.weight", files[f].type,
                           w->layer[3].w3.data, p->hidden_dim, p->dim);
        check_against_fp32(files[f].file, "token_embd.weight", files[f].type,
                           w->token_embedding.data, p->vocab_size, p->dim);
    }
    free(bin);
}

/* Products of real tensors at every level against the reference, and
 * close to double products. */
static void check_real_products(const char *file, const char *tensor, int want_type) {
    const MatmulKernel *lv[MATMUL_SETS];
    int nl = levels(lv);
    size_t size;
    unsigned char *g = model_file(file, &size);
    CHECK(g != NULL, "cannot read %s", file);
    if (!g) return;
    llama_tensor t;
    CHECK(gguf_peek(g, size, tensor, &t) == 0, "%s: no tensor %s", file, tensor);
    CHECK(check_failed_ || t.type == want_type, "%s %s: type %d", file, tensor, t.type);
    if (check_failed_) { free(g); return; }
    int rows = t.rows < 512 ? t.rows : 512, m = 5;
    llama_tensor k = ref_kernel_tensor(t);
    float *x = random_vectors(t.cols, m, (size_t)t.cols);
    float *y = malloc((size_t)rows * m * 4);
    unsigned char *act = aligned_alloc(64, matmul_act_bytes(&t, m));
    for (int v = 0; v < m; v++) {
        RefAct a;
        ref_act_make(&a, t.type, x + (size_t)v * t.cols, t.cols);
        for (int l = 0; l < nl && !check_failed_; l++) {
            matmul_prepare(lv[l], &k, x, (size_t)t.cols, m, act);
            matmul_rows(lv[l], &k, act, m, y, (size_t)rows, 0, rows);
            for (int i = 0; i < rows; i++) {
                const uint8_t *row = (const uint8_t *)t.data + (size_t)i * t.row_bytes;
                float want = ref_product(t.type, row, t.cols, &a);
                CHECK(qr_bits(y[(size_t)v * rows + i]) == qr_bits(want), "%s: %s %s row %d: %.9g, want %.9g",
                      lv[l]->set, file, tensor, i, y[(size_t)v * rows + i], want);
                if (l == 0 && i % 61 == 0) {
                    double sa, ea, sx, ex;
                    double_products(t.type, row, t.cols, &a, x + (size_t)v * t.cols, &sa, &ea, &sx, &ex);
                    CHECK(fabs(want - sa) <= ea && fabs(want - sx) <= ex, "%s %s row %d: %.9g, double %.9g / %.9g",
                          file, tensor, i, want, sa, sx);
                }
            }
        }
        ref_act_free(&a);
    }
    ref_kernel_free(&k, t.data);
    free(x); free(y); free(act); free(g);
}

TEST(real_tensors_products) {
    check_real_products("gguf/stories15M-Q8_0.gguf", "blk.2.attn_q.weight", LLAMA_TYPE_Q8_0);
    check_real_products("gguf/stories15M-Q4_0.gguf", "blk.1.ffn_down.weight", LLAMA_TYPE_Q4_0);
    check_real_products("gguf/stories15M-F16.gguf", "blk.0.ffn_up.weight", LLAMA_TYPE_F16);
    check_real_products("gguf/tinyllama-mini-Q4_K_M.gguf", "blk.0.ffn_gate.weight", LLAMA_TYPE_Q4_K);
    check_real_products("gguf/tinyllama-mini-Q4_K_M.gguf", "output.weight", LLAMA_TYPE_Q6_K);
    check_real_products("gguf/tinyllama-mini-Q4_K_M.gguf", "blk.3.ffn_down.weight", LLAMA_TYPE_Q6_K);
    check_real_products("gguf/tinyllama-mini-Q4_K_M.gguf", "blk.1.ffn_down.weight", LLAMA_TYPE_Q4_K);
}

/* One vector over ranges big enough to be read as several streams
 * (matmul.h's MATMUL_STREAMS_BYTES), with 0 to 3 rows past the streams'
 * (401, 200, 201, 400, 399 and 398 rows), whole and in pieces, and the
 * same read as one stream (MATMUL_READ_AHEAD), as streams without
 * software prefetch (MATMUL_READ_BARE) and as streams prefetched into L2
 * (MATMUL_READ_L2): every row the reference's at
 * every level. Rows of 4096 values, and of 2048 for the types whose rows
 * are still long enough (the F16 and BF16 rows read bare take x as fp32
 * up to 2048 values, as binary16 past that: matmul.h's matmul_half_x). */
TEST(one_vector_streams) {
    const MatmulKernel *lv[MATMUL_SETS];
    int nl = levels(lv);
    enum { ROWS = 401, MAXCOLS = 4096 };
    float *x = random_vectors(MAXCOLS, 1, MAXCOLS), *want = malloc(ROWS * 4), *got = malloc(ROWS * 4);
    int halves_short = 0;
    for (int t = 0; t < 2 * NTYPES && !check_failed_; t++) {
        int type = weight_types[t % NTYPES], COLS = t < NTYPES ? MAXCOLS : MAXCOLS / 2;
        size_t rb = llama_type_row_bytes(type, COLS);
        if (COLS < MAXCOLS && (size_t)(ROWS / 2) * rb < MATMUL_STREAMS_BYTES) continue;
        halves_short += COLS < MAXCOLS && (type == LLAMA_TYPE_F16 || type == LLAMA_TYPE_BF16);
        CHECK((size_t)(ROWS / 2) * rb >= MATMUL_STREAMS_BYTES, "%s: %zu-byte rows too short", tname(type), rb);
        uint8_t *wm = random_matrix(type, ROWS, COLS, 0);
        llama_tensor w = ref_kernel_tensor((llama_tensor){ wm, type, ROWS, COLS, rb, NULL, 0 });
        RefAct a;
        ref_act_make(&a, type, x, COLS);
        for (int i = 0; i < ROWS; i++) want[i] = ref_product(type, wm + (size_t)i * rb, COLS, &a);
        ref_act_free(&a);
        unsigned char *act = aligned_alloc(64, matmul_act_bytes(&w, 1));
        for (int l = 0; l < nl && !check_failed_; l++) {
            matmul_prepare(lv[l], &w, x, COLS, 1, act);
            static const int cuts[][2] = { { 0, ROWS }, { 0, ROWS / 2 }, { ROWS / 2, ROWS }, { 1, ROWS },
                                           { 2, ROWS }, { 3, ROWS } };
            /* every way of reading the rows (matmul_read) */
            for (int c = 0; c < 6 * MATMUL_READS; c++) {
                int r = c / 6, b = cuts[c % 6][0], e = cuts[c % 6][1];
                matmul_read_every(r);
                memset(got, 0xff, ROWS * 4);
                matmul_rows(lv[l], &w, act, 1, got, 0, b, e);
                for (int i = b; i < e; i++)
                    CHECK(qr_bits(got[i]) == qr_bits(want[i]), "%s: %s %s rows [%d, %d) row %d: %.9g, want %.9g",
                          lv[l]->set, tname(type), matmul_read_names[r], b, e, i, got[i],
                          want[i]);
            }
            matmul_read_every(MATMUL_READ_STREAMS);
        }
        free(act);
        ref_kernel_free(&w, wm);
        free(wm);
    }
    CHECK(halves_short == 2, "F16 and BF16 at 2048 columns: %d of 2 read", halves_short);
    free(x); free(want); free(got);
}

/* The blocks of 4 and 5 bits read as four streams (the 512-bit kernels
 * take them two rows at a time and sum the pair's blocks in int16 steps)
 * at their largest sums: every quant at its top (15, or 31 with the
 * fifth bit) against x all +1 or all -1 (quantized to +-127), and every
 * row's quants zero but one block's; each level's result the reference's. */
TEST(streams_at_the_largest_sums) {
    const MatmulKernel *lv[MATMUL_SETS];
    int nl = levels(lv);
    static const int types[] = { LLAMA_TYPE_Q4_0, LLAMA_TYPE_Q4_1, LLAMA_TYPE_Q5_0, LLAMA_TYPE_Q5_1 };
    enum { ROWS = 251, COLS = 4096 + 96 };
    float *x = malloc(COLS * 4), *want = malloc(ROWS * 4), *got = malloc(ROWS * 4);
    for (size_t ti = 0; ti < sizeof types / sizeof types[0] && !check_failed_; ti++) {
        int type = types[ti], bb = ref_block_bytes(type);
        /* the fp16 fields first (d, and m where there is one), then qh and qs */
        int fields = type == LLAMA_TYPE_Q4_1 || type == LLAMA_TYPE_Q5_1 ? 4 : 2;
        size_t rb = llama_type_row_bytes(type, COLS);
        CHECK((size_t)(ROWS / 2) * rb >= MATMUL_STREAMS_BYTES, "%s: rows too short for streams", tname(type));
        uint8_t *wm = random_matrix(type, ROWS, COLS, 0);
        for (int i = 0; i < ROWS; i++)
            for (int b = 0; b < COLS / 32; b++) {
                uint8_t *blk = wm + (size_t)i * rb + (size_t)b * bb;
                memset(blk + fields, i % 3 == 2 && b != i % (COLS / 32) ? 0 : 0xff, (size_t)(bb - fields));
            }
        llama_tensor w = ref_kernel_tensor((llama_tensor){ wm, type, ROWS, COLS, rb, NULL, 0 });
        unsigned char *act = aligned_alloc(64, matmul_act_bytes(&w, 1));
        for (int sign = -1; sign <= 1 && !check_failed_; sign += 2) {
            for (int i = 0; i < COLS; i++) x[i] = (float)sign;
            RefAct a;
            ref_act_make(&a, type, x, COLS);
            for (int i = 0; i < ROWS; i++) want[i] = ref_product(type, wm + (size_t)i * rb, COLS, &a);
            ref_act_free(&a);
            for (int l = 0; l < nl && !check_failed_; l++) {
                matmul_prepare(lv[l], &w, x, COLS, 1, act);
                for (int r = 0; r < MATMUL_READS; r++) {
                    matmul_read_every(r);
                    memset(got, 0xff, ROWS * 4);
                    matmul_rows(lv[l], &w, act, 1, got, 0, 0, ROWS);
                    for (int i = 0; i < ROWS; i++)
                        CHECK(qr_bits(got[i]) == qr_bits(want[i]), "%s: %s %s x %+d row %d: %.9g, want %.9g",
                              lv[l]->set, tname(type), matmul_read_names[r], sign, i, got[i], want[i]);
                }
                matmul_read_every(MATMUL_READ_STREAMS);
            }
        }
        free(act);
        ref_kernel_free(&w, wm);
        free(wm);
    }
    free(x); free(want); free(got);
}

/* The K-quants with every quant at its largest and every x at +-127 (x
 * all one sign): the kernels' integer sums at their bounds (the split
 * Q4_K's AVX2 int16 sums of a block's pairs reach 30480), at every level,
 * one vector and several, against the reference. */
TEST(k_quants_at_the_largest_sums) {
    const MatmulKernel *lv[MATMUL_SETS];
    int nl = levels(lv);
    static const struct { int type, from, to; } quants[] = {    /* the bytes of quants in a block */
        { LLAMA_TYPE_Q4_K, 16, 144 }, { LLAMA_TYPE_Q5_K, 16, 176 }, { LLAMA_TYPE_Q6_K, 0, 192 },
    };
    enum { ROWS = 9, COLS = 768, M = 5 };
    float *x = malloc(COLS * M * 4), *want = malloc(ROWS * 4), *got = malloc(ROWS * M * 4);
    for (size_t ti = 0; ti < sizeof quants / sizeof quants[0] && !check_failed_; ti++) {
        int type = quants[ti].type, bb = ref_block_bytes(type);
        size_t rb = llama_type_row_bytes(type, COLS);
        uint8_t *wm = random_matrix(type, ROWS, COLS, 0);
        for (int i = 0; i < ROWS; i++)
            for (int b = 0; b < COLS / 256; b++)
                memset(wm + (size_t)i * rb + (size_t)b * bb + quants[ti].from, 0xff, (size_t)(quants[ti].to - quants[ti].from));
        llama_tensor w = ref_kernel_tensor((llama_tensor){ wm, type, ROWS, COLS, rb, NULL, 0 });
        unsigned char *act = aligned_alloc(64, matmul_act_bytes(&w, M));
        for (int sign = -1; sign <= 1 && !check_failed_; sign += 2) {
            for (int i = 0; i < COLS * M; i++) x[i] = (float)sign;
            RefAct a;
            ref_act_make(&a, type, x, COLS);
            for (int i = 0; i < ROWS; i++) want[i] = ref_product(type, wm + (size_t)i * rb, COLS, &a);
            ref_act_free(&a);
            for (int l = 0; l < nl && !check_failed_; l++)
                for (int m = 1; m <= M; m += M - 1) {
                    matmul_prepare(lv[l], &w, x, COLS, m, act);
                    matmul_rows(lv[l], &w, act, m, got, ROWS, 0, ROWS);
                    for (int t = 0; t < m; t++)
                        for (int i = 0; i < ROWS; i++)
                            CHECK(qr_bits(got[t * ROWS + i]) == qr_bits(want[i]), "%s: %s x %+d m=%d row %d: %.9g, want %.9g",
                                  lv[l]->set, tname(type), sign, m, i, got[t * ROWS + i], want[i]);
                }
        }
        free(act);
        ref_kernel_free(&w, wm);
        free(wm);
    }
    free(x); free(want); free(got);
}

RUN_TESTS(every_type_every_level, k_scales_every_value, batched_long_rows_many_vectors, f32_and_runq8_as_before,
          real_files_decode_as_stories15M, real_tensors_products, one_vector_streams, streams_at_the_largest_sums,
          k_quants_at_the_largest_sums)
