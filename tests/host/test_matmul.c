/* lib/llama/matmul: every SIMD level this CPU offers against oracles
 * written here from matmul.h's definitions: fp32 products and attention
 * dots in the 16-lane order, axpy and attention's weighted sums, Q8_0
 * products in runq.c's scheme with matmul.h's 8-lane sums
 * (including segments shorter than a group and weights of -128; with
 * VNNI, AVX2 and SSE2 byte products), and the
 * quantization of activations against runq.c's quantize (libm round()).
 * Results must be bit-identical, for any split of the rows. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/check.h"
#include "lib/llama/llama.h"
#include "lib/llama/matmul.h"
#include "tests/host/kernel_sets.h"

static uint64_t rng = 99;
static uint32_t rnd(void) {
    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;
    return (uint32_t)((rng * 0x2545F4914F6CDD1Dull) >> 32);
}
static float rndf(void) { return ((float)(rnd() >> 8) / 16777216.0f - 0.5f) * 4.0f; }

static float oracle_dot(const float *a, const float *b, int n) {
    float l[16] = { 0 };
    for (int j = 0; j < n; j++) l[j % 16] += a[j] * b[j];
    for (int k = 0; k < 8; k++) l[k] += l[k + 8];
    for (int k = 0; k < 4; k++) l[k] += l[k + 4];
    return (l[0] + l[2]) + (l[1] + l[3]);
}

TEST(f32_products) {
    const MatmulKernel *lv[MATMUL_SETS];
    int nl = levels(lv);
    static const int ns[] = { 16, 48, 64, 172, 288, 768, 1376, 8, 20 };
    for (size_t t = 0; t < sizeof ns / sizeof ns[0] && !check_failed_; t++) {
        int n = ns[t], d = 37;
        float *w = malloc((size_t)n * d * 4), *x = malloc((size_t)n * 4);
        float want[37], got[37];
        for (int i = 0; i < n * d; i++) w[i] = rndf();
        for (int i = 0; i < n; i++) x[i] = rndf();
        for (int i = 0; i < d; i++) want[i] = oracle_dot(w + (size_t)i * n, x, n);
        Matrix m = { w, NULL, NULL, 0 };
        for (int l = 0; l < nl; l++) {
            memset(got, 0, sizeof got);
            /* odd splits: rows computed in blocks or alone give the same bits */
            matrix_rows(lv[l], got, x, NULL, &m, n, 0, 5);
            matrix_rows(lv[l], got, x, NULL, &m, n, 5, 6);
            matrix_rows(lv[l], got, x, NULL, &m, n, 6, 23);
            matrix_rows(lv[l], got, x, NULL, &m, n, 23, d);
            CHECK(memcmp(got, want, sizeof want) == 0, "%s: fp32 n=%d differs", lv[l]->set, n);
            float dots[37];
            matmul_dots(lv[l], dots, x, w, (size_t)n, n, d);
            CHECK(memcmp(dots, want, sizeof want) == 0, "%s: dots n=%d differ", lv[l]->set, n);
            CHECK(dot16(lv[l], w, x, n) == want[0], "%s: dot16 n=%d", lv[l]->set, n);
        }
        free(w);
        free(x);
    }
}

TEST(axpy) {
    const MatmulKernel *lv[MATMUL_SETS];
    int nl = levels(lv);
    float x[53], y0[53], want[53], got[53];
    for (int i = 0; i < 53; i++) { x[i] = rndf(); y0[i] = rndf(); }
    float a = rndf();
    for (int i = 0; i < 53; i++) want[i] = y0[i] + a * x[i];
    for (int l = 0; l < nl; l++) {
        memcpy(got, y0, sizeof got);
        lv[l]->axpy(got, a, x, 53);
        CHECK(memcmp(got, want, sizeof want) == 0, "%s: axpy differs", lv[l]->set);
    }
}

/* Attention's weighted sum of values: run.c's loop, xb[i] += a * v[i] per t. */
TEST(weighted_sums) {
    const MatmulKernel *lv[MATMUL_SETS];
    int nl = levels(lv);
    /* every width of a pass over the columns: 16 to 128 at a time, and more */
    static const int ns[] = { 48, 64, 16, 8, 20, 32, 80, 96, 112, 128, 144, 208, 256 };
    enum { T = 70, STRIDE = 260 };
    static float v[T * STRIDE], a[T], want[256], got[256];
    for (int i = 0; i < T * STRIDE; i++) v[i] = rndf();
    for (int t = 0; t < T; t++) a[t] = rndf() * 0.1f;
    for (size_t k = 0; k < sizeof ns / sizeof ns[0]; k++) {
        int n = ns[k];
        for (int count = 1; count <= T; count += 23) {
            memset(want, 0, sizeof want);
            for (int t = 0; t < count; t++)
                for (int i = 0; i < n; i++) want[i] += a[t] * v[t * STRIDE + i];
            for (int l = 0; l < nl; l++) {
                memset(got, 0x7f, sizeof got);
                matmul_wsum(lv[l], got, a, v, STRIDE, n, count);
                CHECK(memcmp(got, want, (size_t)n * 4) == 0, "%s: wsum n=%d count=%d", lv[l]->set,
                      n, count);
            }
        }
    }
}

/* runq.c's quantize, with libm's round(). */
static void oracle_quantize(int8_t *q, float *s, const float *x, int n, int g) {
    for (int j = 0; j < n; j += g) {
        float wmax = 0.0f;
        for (int k = 0; k < g; k++)
            if (fabsf(x[j + k]) > wmax) wmax = fabsf(x[j + k]);
        float scale = wmax / 127.0f;
        s[j / g] = scale;
        for (int k = 0; k < g; k++) q[j + k] = scale ? (int8_t)round(x[j + k] / scale) : 0;
    }
}

TEST(quantize_like_runq) {
    enum { N = 1408 };             /* a multiple of every g below */
    static float x[N];
    static int8_t q[N], wq[N];
    static float s[N], ws[N];
    for (int round_ = 0; round_ < 50 && !check_failed_; round_++) {
        for (int i = 0; i < N; i++) x[i] = rndf() * (float)(1 + round_);
        /* halves: values that divide to exactly k + 0.5 */
        for (int i = 0; i < 64; i += 8) { x[i] = 127.0f; x[i + 1] = 2.5f; x[i + 2] = -0.5f; x[i + 3] = 126.5f; }
        for (int i = 64; i < 96; i++) x[i] = 0.0f;       /* an all-zero group */
        static const int gs[] = { 32, 64, 16, 4 };
        for (int k = 0; k < 4; k++) {
            int g = gs[k];
            QuantVec v = { q, s, N, g, NULL };
            quantize(&v, x);
            oracle_quantize(wq, ws, x, N, g);
            CHECK(memcmp(q, wq, N) == 0 && memcmp(s, ws, (size_t)(N / g) * 4) == 0,
                  "quantize differs from runq.c's (g %d, round %d)", g, round_);
        }
    }
}

/* matmul.h's Q8_0 row: runq.c's segment products, whole blocks of 8 in 8
 * lanes and a tree, then the rest one by one. */
static float oracle_q8_row(const int8_t *xq, const float *xs, const int8_t *wq, const float *ws,
                           int n, int g, int gs, int i) {
    float l[8] = { 0 }, p[4096];
    int segs = n / g, full = segs / 8 * 8;
    for (int sg = 0; sg < segs; sg++) {
        int j = sg * g;
        int32_t isum = 0;
        for (int k = 0; k < g; k++) isum += (int32_t)xq[j + k] * (int32_t)wq[(size_t)i * n + j + k];
        p[sg] = ((float)isum * ws[((size_t)i * n + j) / gs]) * xs[sg];
        if (sg < full) l[sg % 8] += p[sg];
    }
    float sum = ((l[0] + l[4]) + (l[2] + l[6])) + ((l[1] + l[5]) + (l[3] + l[7]));
    for (int sg = full; sg < segs; sg++) sum += p[sg];
    return sum;
}

TEST(q8_products) {
    const MatmulKernel *lv[MATMUL_SETS];
    int nl = levels(lv);
    static const int shapes[][2] = {   /* n, gs */
        { 288, 32 }, { 768, 32 }, { 512, 64 }, { 1376, 64 }, { 2048, 64 }, { 64, 64 },
        { 172, 64 }, { 96, 32 }, { 160, 32 }, { 48, 16 }, { 768, 64 }, { 1088, 64 }, { 800, 64 },
    };
    for (size_t t = 0; t < sizeof shapes / sizeof shapes[0] && !check_failed_; t++) {
        /* rows of 768 values and more: enough of them to be read as streams (MATMUL_STREAMS_BYTES) */
        int n = shapes[t][0], gs = shapes[t][1], d = n >= 768 ? 401 : 29;
        int g = gcd_int(n, gs);
        int8_t *w = malloc((size_t)n * d), *xq = malloc((size_t)n);
        float *ws = malloc((size_t)n * d / gs * 4 + 4), *x = malloc((size_t)n * 4);
        float *xs = malloc((size_t)n / g * 4);
        int32_t *xb = malloc((size_t)n / g * 4);
        for (int i = 0; i < n * d; i++) w[i] = (int8_t)(rnd() % 255 - 127);
        for (int i = 0; i < 40 && i < n * d; i++) w[i * 7 % (n * d)] = -128;   /* a malformed file's */
        for (int i = 0; i < n * d / gs; i++) ws[i] = rndf() * 0.01f;
        for (int i = 0; i < n; i++) x[i] = rndf();
        QuantVec v = { xq, xs, n, g, xb };
        quantize(&v, x);
        for (int j = 0; j < n; j += g) {
            int32_t sum = 0;
            for (int k = 0; k < g; k++) sum += xq[j + k];
            CHECK(xb[j / g] == 128 * sum, "bias = 128 times the group's sum");
        }
        float *want = malloc((size_t)d * 4), *got = malloc((size_t)d * 4);
        for (int i = 0; i < d; i++) want[i] = oracle_q8_row(xq, xs, w, ws, n, g, gs, i);
        Matrix m = { NULL, w, ws, gs };
        for (int l = 0; l < nl; l++)
            for (int r = 0; r < MATMUL_READS; r++) {      /* every way of reading the rows (matmul_read) */
                matmul_read_every(r);
                memset(got, 0, (size_t)d * 4);
                matrix_rows(lv[l], got, NULL, &v, &m, n, 0, 9);
                matrix_rows(lv[l], got, NULL, &v, &m, n, 9, 10);
                matrix_rows(lv[l], got, NULL, &v, &m, n, 10, d);
                CHECK(memcmp(got, want, (size_t)d * 4) == 0, "%s: Q8_0 n=%d gs=%d (%s) differs", lv[l]->set,
                      n, gs, matmul_read_names[r]);
            }
        matmul_read_every(MATMUL_READ_STREAMS);
        free(w); free(xq); free(ws); free(x); free(xs); free(xb); free(want); free(got);
    }
}

TEST(levels_and_selection) {
    CHECK(strcmp(matmul_select(0)->name, "sse2") == 0, "no features: sse2");
    CHECK(matmul_select(LLAMA_CPU_AVX2 | LLAMA_CPU_AVX512 | LLAMA_CPU_AVX512VNNI)->q8_rows !=
          matmul_select(LLAMA_CPU_AVX2 | LLAMA_CPU_AVX512)->q8_rows, "VNNI's own Q8_0 kernel");
    /* a variant (timed by the tuner beside its set) is never selected */
    for (unsigned f = 0; f < 1u << 12; f++)
        CHECK(matmul_select(f)->variant_of == NULL, "features %#x select the variant %s", f, matmul_select(f)->set);
    CHECK(strcmp(matmul_select(LLAMA_CPU_AVX2 | LLAMA_CPU_FMA)->name, "avx2") == 0, "avx2");
    /* its F16 kernels fuse multiply-adds: no AVX2 level without FMA */
    CHECK(strcmp(matmul_select(LLAMA_CPU_AVX2)->name, "sse2") == 0, "avx2 without fma");
    CHECK(strcmp(matmul_select(LLAMA_CPU_AVX2 | LLAMA_CPU_FMA | LLAMA_CPU_AVX512)->name,
                 "avx512") == 0, "avx512");
    CHECK(strcmp(matmul_select(LLAMA_CPU_AVX512)->name, "sse2") == 0, "avx512 without avx2");
    /* SSSE3 and SSE4.1: the sse4 level, with kernels for every block type; below AVX2 */
    const MatmulKernel *sse4 = matmul_select(LLAMA_CPU_SSE41);
    CHECK(strcmp(sse4->name, "sse4") == 0, "sse4: %s", sse4->name);
    for (int kind = MATMUL_F16; kind < MATMUL_RUNQ8; kind++)
        CHECK(matmul_level_serves(sse4, kind), "sse4 lacks a kernel for %s", matmul_kind_names[kind]);
    CHECK(strcmp(matmul_select(LLAMA_CPU_SSE41 | LLAMA_CPU_AVX2 | LLAMA_CPU_FMA)->name, "avx2") == 0, "avx2 first");
    CHECK(strcmp(sse4->set, "sse4") == 0, "without AVX's state: the SSE-encoded set, not %s", sse4->set);
    /* with AVX's state (Sandy and Ivy Bridge): the same level VEX-encoded, its own kernels */
    const MatmulKernel *vex = matmul_select(LLAMA_CPU_SSE41 | LLAMA_CPU_AVX | LLAMA_CPU_F16C);
    CHECK(strcmp(vex->name, "sse4") == 0 && strcmp(vex->set, "sse4-avx") == 0, "sse4 with avx: %s", vex->set);
    CHECK(vex->tensor != sse4->tensor && vex->q8_rows == sse4->q8_rows && vex->f32_rows == sse4->f32_rows,
          "sse4-avx: its own block kernels, SSE2's llama2.c kernels");
    for (int kind = MATMUL_F16; kind < MATMUL_RUNQ8; kind++)
        CHECK(matmul_level_serves(vex, kind), "sse4-avx lacks a kernel for %s", matmul_kind_names[kind]);
    CHECK(strcmp(matmul_select(LLAMA_CPU_AVX)->name, "sse2") == 0, "avx without SSE4.1's set: sse2");
    /* AVX-VNNI: the AVX2 level with its own block kernels; AVX-512 still first */
    const MatmulKernel *vnni = matmul_select(LLAMA_CPU_AVX2 | LLAMA_CPU_FMA | LLAMA_CPU_AVXVNNI);
    CHECK(strcmp(vnni->name, "avx2") == 0 && vnni->tensor != matmul_select(LLAMA_CPU_AVX2 | LLAMA_CPU_FMA)->tensor,
          "AVX-VNNI's own block kernels at the avx2 level");
    CHECK(strcmp(vnni->set, "avx2-vnni") == 0, "its set's name: %s", vnni->set);
    /* IQ4_NL and IQ4_XS: SIMD kernels in every set (quant_body.h's) */
    for (int i = 0; matmul_levels[i]; i++)
        CHECK(matmul_level_serves(matmul_levels[i], MATMUL_IQ4_NL) && matmul_level_serves(matmul_levels[i], MATMUL_IQ4_XS),
              "%s lacks an IQ4 kernel", matmul_levels[i]->set);
    /* each set's own name (tests and kbench tell them apart by it) begins with its level's */
    for (int i = 0; matmul_levels[i]; i++) {
        const MatmulKernel *k = matmul_levels[i];
        CHECK(k->set && strncmp(k->set, k->name, strlen(k->name)) == 0, "set %d: %s of level %s", i,
              k->set ? k->set : "(none)", k->name);
        for (int j = 0; j < i && k->set; j++)
            CHECK(!matmul_levels[j]->set || strcmp(k->set, matmul_levels[j]->set) != 0, "two sets named %s", k->set);
    }
    CHECK(strcmp(matmul_select(LLAMA_CPU_AVX2 | LLAMA_CPU_AVXVNNI | LLAMA_CPU_AVX512)->name, "avx512") == 0,
          "avx512 before avx-vnni");
    unsigned f = 0;
    llama_error err;
    CHECK(llama_cpu_level(LLAMA_CPU_AVX2 | LLAMA_CPU_FMA | LLAMA_CPU_AVXVNNI | LLAMA_CPU_AVX512, "avx2", &f, &err) == 0 &&
          f == (LLAMA_CPU_AVX2 | LLAMA_CPU_FMA | LLAMA_CPU_AVXVNNI), "--simd avx2 keeps AVX-VNNI");
    CHECK(llama_cpu_level(LLAMA_CPU_AVX2 | LLAMA_CPU_FMA | LLAMA_CPU_AVXVNNI, "sse2", &f, &err) == 0 && f == 0,
          "--simd sse2 drops it");
}

/* The row order of one-vector kernels visits every row of the range once:
 * a big range (MATMUL_STREAMS_BYTES) as its two halves alternately,
 * an odd last row last; a smaller one in order. */
TEST(stream_row_order) {
    for (int big = 0; big <= 1; big++)
        for (int count = 0; count <= 9; count++) {
            size_t row_bytes = big ? MATMUL_STREAMS_BYTES / 2 : MATMUL_STREAMS_BYTES / 10;
            int two = (size_t)count * row_bytes >= MATMUL_STREAMS_BYTES;
            int seen[9] = { 0 }, order[9], k = 0;
            MATMUL_STREAM_ROWS(i, 100, 100 + count, row_bytes) {
                CHECK(i >= 100 && i < 100 + count, "count %d: row %d outside", count, i);
                if (i >= 100 && i < 100 + count) seen[i - 100]++;
                if (k < 9) order[k] = i - 100;
                k++;
            }
            CHECK(k == count, "count %d: %d rows visited", count, k);
            for (int r = 0; r < count; r++)
                CHECK(seen[r] == 1, "count %d: row %d seen %d times", count, r, seen[r]);
            for (int n = 0; n < count; n++) {
                int want = !two || n >= 2 * (count / 2) ? n : n % 2 ? count / 2 + n / 2 : n / 2;
                CHECK(order[n] == want, "count %d, %s: read %d is row %d, not %d", count,
                      two ? "two streams" : "in order", n, order[n], want);
            }
        }
    CHECK(matmul_stream_half(8, MATMUL_STREAMS_BYTES / 8) == 4, "256 KiB in two streams");
    CHECK(matmul_stream_half(8, MATMUL_STREAMS_BYTES / 8 - 1) == 0, "less in order");
}

RUN_TESTS(f32_products, axpy, weighted_sums, quantize_like_runq, q8_products, levels_and_selection,
          stream_row_order)
