/* Dispatch of the matmul kernels, and the plain C versions of the fp32 and
 * RUNQ8 summation orders (see matmul.h) for the shapes no SIMD kernel
 * takes: stories260K's hidden size 172 and head size 8, groups that
 * straddle rows. The tensor API (matmul_prepare, matmul_rows) sends each
 * weight kind to the level's kernel, or to matmul_plain.c's. */
#include <stddef.h>
#include <stdint.h>
#include "lib/llama/matmul.h"
#include "lib/llama/simd.h"
#include "lib/libc.h"

extern const MatmulKernel matmul_kernel_sse2, matmul_kernel_sse4, matmul_kernel_sse4_avx, matmul_kernel_avx2, matmul_kernel_avx2_no_f16c, matmul_kernel_avx2vnni,
    matmul_kernel_avx512, matmul_kernel_avx512vnni, matmul_kernel_avx512vnni_ymm, matmul_kernel_avx512amx;

/* Best first (a variant after the set it is a variant of). */
const MatmulKernel *const matmul_levels[] = {
    &matmul_kernel_avx512amx, &matmul_kernel_avx512vnni, &matmul_kernel_avx512vnni_ymm, &matmul_kernel_avx512,
    &matmul_kernel_avx2vnni, &matmul_kernel_avx2, &matmul_kernel_avx2_no_f16c, &matmul_kernel_sse4_avx, &matmul_kernel_sse4,
    &matmul_kernel_sse2, NULL,
};
_Static_assert(sizeof matmul_levels / sizeof *matmul_levels == MATMUL_SETS + 1, "MATMUL_SETS: the sets listed");

int matmul_read[MATMUL_KINDS];   /* MATMUL_READ_STREAMS (0) for callers that set none */
const char *const matmul_read_names[MATMUL_READS] = { "streams", "ahead", "bare", "l2" };

void matmul_read_every(int read) {
    for (int k = 0; k < MATMUL_KINDS; k++) __atomic_store_n(&matmul_read[k], read, __ATOMIC_RELAXED);
}

const MatmulKernel *matmul_select(unsigned cpu_features) {
    for (int i = 0; matmul_levels[i]; i++)
        if ((matmul_levels[i]->needs & ~cpu_features) == 0 && !matmul_levels[i]->variant_of) return matmul_levels[i];
    return &matmul_kernel_sse2;
}

int gcd_int(int a, int b) {
    while (b) {
        int t = a % b;
        a = b;
        b = t;
    }
    return a;
}

/* ---------------------------------------------------------------- plain C */

static float dot16_c(const float *a, const float *b, int n) {
    float l[16] = { 0 };
    int j = 0;
    for (; j + 16 <= n; j += 16)
        for (int k = 0; k < 16; k++) l[k] += a[j + k] * b[j + k];
    for (int k = 0; j + k < n; k++) l[k] += a[j + k] * b[j + k];
    for (int k = 0; k < 8; k++) l[k] += l[k + 8];
    for (int k = 0; k < 4; k++) l[k] += l[k + 4];
    for (int k = 0; k < 2; k++) l[k] += l[k + 2];
    return l[0] + l[1];
}

static void q8_rows_c(float *xout, const QuantVec *x, const Matrix *w, int n,
                      int row_begin, int row_end) {
    int g = x->g, gs = w->gs;
    for (int i = row_begin; i < row_end; i++) {
        size_t row = (size_t)i * (size_t)n;
        const int8_t *wr = w->q + row;
        float l[8] = { 0 }, sum = 0.0f;
        int full = n / g / 8 * 8 * g;              /* values in whole blocks of 8 segments */
        for (int j = 0; j < n; j += g) {
            int32_t isum = 0;
            for (int k = 0; k < g; k++) isum += (int32_t)x->q[j + k] * (int32_t)wr[j + k];
            float p = ((float)isum * w->s[(row + (size_t)j) / (size_t)gs]) * x->s[j / g];
            if (j < full) {
                l[(j / g) % 8] += p;
            } else {
                if (j == full) {
                    for (int k = 0; k < 4; k++) l[k] += l[k + 4];
                    for (int k = 0; k < 2; k++) l[k] += l[k + 2];
                    sum = l[0] + l[1];
                }
                sum += p;
            }
        }
        if (full == n) {
            for (int k = 0; k < 4; k++) l[k] += l[k + 4];
            for (int k = 0; k < 2; k++) l[k] += l[k + 2];
            sum = l[0] + l[1];
        }
        xout[i] = sum;
    }
}

/* ---------------------------------------------------------------- dispatch */

float dot16(const MatmulKernel *k, const float *a, const float *b, int n) {
    float r;
    matmul_dots(k, &r, a, b, 0, n, 1);
    return r;
}

void matmul_dots(const MatmulKernel *k, float *out, const float *q, const float *kbase,
                 size_t stride, int n, int count) {
    if (n % 16 == 0) {
        k->dots(out, q, kbase, stride, n, count);
        return;
    }
    for (int t = 0; t < count; t++) out[t] = dot16_c(q, kbase + (size_t)t * stride, n);
}

void matmul_wsum(const MatmulKernel *k, float *out, const float *a, const float *v,
                 size_t stride, int n, int count) {
    if (n % 16 == 0) {
        k->wsum(out, a, v, stride, n, count);
        return;
    }
    memset(out, 0, (size_t)n * sizeof *out);
    for (int t = 0; t < count; t++) k->axpy(out, a[t], v + (size_t)t * stride, n);
}

void matrix_rows(const MatmulKernel *k, float *xout, const float *x, const QuantVec *xq,
                 const Matrix *w, int n, int row_begin, int row_end) {
    if (row_begin >= row_end) return;
    if (w->f) {
        if (n % 16 == 0) {
            k->f32_rows(xout, x, w->f, n, row_begin, row_end);
            return;
        }
        for (int i = row_begin; i < row_end; i++)
            xout[i] = dot16_c(w->f + (size_t)i * (size_t)n, x, n);
        return;
    }
    if (xq->g % 32 == 0 && (w->gs & (w->gs - 1)) == 0) {
        k->q8_rows(xout, xq, w->q, w->s, n, w->gs, row_begin, row_end);
        return;
    }
    q8_rows_c(xout, xq, w, n, row_begin, row_end);
}

/* ---------------------------------------------------------------- tensors */

const char *const matmul_kind_names[MATMUL_KINDS] = {
    "F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K",
    "IQ4_NL", "IQ4_XS", "RUNQ8",
};

int matmul_kind(int type) {
    switch (type) {
    case LLAMA_TYPE_F32: return MATMUL_F32;
    case LLAMA_TYPE_F16: return MATMUL_F16;
    case LLAMA_TYPE_BF16: return MATMUL_BF16;
    case LLAMA_TYPE_Q8_0: return MATMUL_Q8_0;
    /* ggml's rows of these: none (llama_tensor_prepare first) */
    case LLAMA_TYPE_Q4_0_SPLIT: return MATMUL_Q4_0;
    case LLAMA_TYPE_Q4_1_SPLIT: return MATMUL_Q4_1;
    case LLAMA_TYPE_Q5_0_SPLIT: return MATMUL_Q5_0;
    case LLAMA_TYPE_Q5_1_SPLIT: return MATMUL_Q5_1;
    case LLAMA_TYPE_Q2_K: return MATMUL_Q2_K;
    case LLAMA_TYPE_Q3_K: return MATMUL_Q3_K;
    case LLAMA_TYPE_Q4_K_SPLIT: return MATMUL_Q4_K;
    case LLAMA_TYPE_Q5_K_SPLIT: return MATMUL_Q5_K;
    case LLAMA_TYPE_Q6_K: return MATMUL_Q6_K;
    case LLAMA_TYPE_IQ4_NL_SPLIT: return MATMUL_IQ4_NL;
    case LLAMA_TYPE_IQ4_XS: return MATMUL_IQ4_XS;
    case LLAMA_TYPE_RUNQ8: return MATMUL_RUNQ8;
    default: return -1;
    }
}

size_t matmul_act_bytes(const llama_tensor *w, int m) {
    return m > 0 ? act_layout(w).bytes * (size_t)m : 0;
}

int matmul_act_key(const llama_tensor *w) {
    ActLayout L = act_layout(w);
    return L.type == LLAMA_TYPE_RUNQ8 ? LLAMA_TYPE_RUNQ8 + L.g : L.type;
}

void matmul_prepare(const MatmulKernel *k, const llama_tensor *w, const float *x, size_t ldx,
                    int m, void *act) {
    matmul_prepare_rows(w, x, ldx, 0, m, act);
}

void matmul_prepare_rows(const llama_tensor *w, const float *x, size_t ldx, int b0, int b1, void *act) {
    ActLayout L = act_layout(w);
    for (int t = b0; t < b1; t++)
        act_quantize(&L, x + (size_t)t * ldx, (unsigned char *)act + (size_t)t * L.bytes);
}

int matmul_level_serves(const MatmulKernel *k, int kind) {
    if (kind == MATMUL_F32 || kind == MATMUL_RUNQ8) return 1;
    return kind >= 0 && kind < MATMUL_KINDS && k->tensor && k->tensor[kind];
}

int matmul_same_code(const MatmulKernel *a, const MatmulKernel *b, int kind) {
    matmul_tensor_fn fa = a->tensor ? a->tensor[kind] : NULL, fb = b->tensor ? b->tensor[kind] : NULL;
    if (fa || fb) return fa == fb;
    if (kind == MATMUL_F32) return a->f32_rows == b->f32_rows;
    if (kind == MATMUL_RUNQ8) return a->q8_rows == b->q8_rows;
    return 1;
}

void matmul_rows(const MatmulKernel *k, const llama_tensor *w, const void *act, int m,
                 float *y, size_t ldy, int r0, int r1) {
    int kind = matmul_kind(w->type);
    if (kind < 0 || r0 >= r1 || m <= 0) return;
    ActLayout L = act_layout(w);
    if (k->tensor && k->tensor[kind]) {
        k->tensor[kind](w, &L, act, m, y, ldy, r0, r1);
        return;
    }
    if (kind == MATMUL_F32 || kind == MATMUL_RUNQ8) {     /* the level's fp32 and Q8_0 kernels */
        Matrix M = { NULL, NULL, NULL, 0 };
        if (kind == MATMUL_F32) M.f = w->data;
        else M = (Matrix){ NULL, w->data, w->scales, w->group_size };
        for (int t = 0; t < m; t++) {
            unsigned char *v = (unsigned char *)act + (size_t)t * L.bytes;
            QuantVec qv = { (int8_t *)v, (float *)(void *)(v + L.d), L.n, L.g,
                            (int32_t *)(void *)(v + L.sum) };
            matrix_rows(k, y + (size_t)t * ldy, (const float *)(void *)v, &qv, &M, w->cols, r0, r1);
        }
        return;
    }
    matmul_plain[kind](w, &L, act, m, y, ldy, r0, r1);
}

typedef struct {
    const MatmulKernel *kernel;
    const llama_tensor *w;
    const void *act;
    int m;
    float *y;
    size_t ldy;
} TensorJob;

static void tensor_range(void *arg, int begin, int end) {
    const TensorJob *j = arg;
    matmul_rows(j->kernel, j->w, j->act, j->m, j->y, j->ldy, begin, end);
}

void matmul_tensor(const Compute *c, const llama_tensor *w, const void *act, int m, float *y,
                   size_t ldy) {
    TensorJob job = { c->kernel, w, act, m, y, ldy };
    compute_for(c, w->rows, (long)w->rows * w->cols * m, tensor_range, &job);
}

/* Rows per unit: 16 when every worker gets at least one such unit. */
static int chunk_unit(int n, int workers) { return n >= 16 * workers ? 16 : 1; }

int llama_chunks(int n, int workers) {
    if (n <= 0) return 0;
    if (workers < 1) workers = 1;
    int unit = chunk_unit(n, workers), units = (n + unit - 1) / unit;
    return units < 4 * workers ? units : 4 * workers;
}

void llama_chunk(int n, int workers, int c, int *begin, int *end) {
    if (workers < 1) workers = 1;
    int unit = chunk_unit(n, workers), chunks = llama_chunks(n, workers);
    long units = (n + unit - 1) / unit;
    long b = units * c / chunks * unit, e = units * (c + 1) / chunks * unit;
    *begin = (int)(b < n ? b : n);
    *end = (int)(e < n ? e : n);
}

void llama_share(int chunks, int workers, int w, int *first, int *end) {
    if (workers < 1) workers = 1;
    *first = (int)((long)chunks * w / workers);
    *end = (int)((long)chunks * (w + 1) / workers);
}

void compute_init(Compute *c, const llama_platform *platform) {
    c->kernel = matmul_select(platform ? platform->cpu_features : 0);
    c->parallel_for = platform ? platform->parallel_for : NULL;
    c->ctx = platform ? platform->ctx : NULL;
}

void compute_for(const Compute *c, int n, long work, llama_range_fn fn, void *arg) {
    if (n <= 0) return;
    if (c->parallel_for && work >= COMPUTE_MIN_PARALLEL_WORK) c->parallel_for(c->ctx, n, fn, arg);
    else fn(arg, 0, n);
}

typedef struct {
    const MatmulKernel *kernel;
    float *xout;
    const float *x;
    const QuantVec *xq;
    const Matrix *w;
    int n;
} MatmulJob;

static void matmul_range(void *arg, int begin, int end) {
    const MatmulJob *j = arg;
    matrix_rows(j->kernel, j->xout, j->x, j->xq, j->w, j->n, begin, end);
}

void matmul(const Compute *c, float *xout, const float *x, const QuantVec *xq,
            const Matrix *w, int n, int d) {
    MatmulJob job = { c->kernel, xout, x, xq, w, n };
    compute_for(c, d, (long)n * d, matmul_range, &job);
}

/* ---------------------------------------------------------------- quantize */

/* round() of a float in [-127.5, 127.5] as C's round does it (halves away
 * from zero), without libm: the fraction v - trunc(v) is exact. */
static int8_t round_q(float v) {
    if (!(v == v)) return 0;                 /* NaN (0/0): what runq.c's cast gives */
    if (v > 127.0f) v = 127.0f;
    if (v < -127.0f) v = -127.0f;
    int i = (int)v;
    float f = v - (float)i;
    if (f >= 0.5f) i++;
    else if (f <= -0.5f) i--;
    return (int8_t)i;
}

/* The same, four values at a time (SSE2, in every build): the division
 * is IEEE's, truncation then the exact fraction decide the rounding, so
 * the bits are round_q's. g % 4 == 0. */
static void quantize_sse2(QuantVec *v, const float *x) {
    int g = v->g;
    const __m128 abs_mask = _mm_castsi128_ps(_mm_set1_epi32(0x7fffffff));
    const __m128 lim = _mm_set1_ps(127.0f), half = _mm_set1_ps(0.5f);
    for (int j = 0; j < v->n; j += g) {
        __m128 m = _mm_setzero_ps();
        for (int k = 0; k < g; k += 4)    /* a NaN never wins, as in "if (a > wmax)" */
            m = _mm_max_ps(_mm_and_ps(_mm_loadu_ps(x + j + k), abs_mask), m);
        m = _mm_max_ps(m, _mm_movehl_ps(m, m));
        m = _mm_max_ss(m, _mm_shuffle_ps(m, m, 1));
        float scale = _mm_cvtss_f32(m) / 127.0f;
        v->s[j / g] = scale;
        __m128 sc = _mm_set1_ps(scale);
        for (int k = 0; k < g; k += 4) {
            __m128 q = _mm_div_ps(_mm_loadu_ps(x + j + k), sc);
            __m128 ok = _mm_cmpord_ps(q, q);
            q = _mm_and_ps(_mm_max_ps(_mm_min_ps(q, lim), _mm_sub_ps(_mm_setzero_ps(), lim)), ok);
            __m128i i = _mm_cvttps_epi32(q);
            __m128 f = _mm_sub_ps(q, _mm_cvtepi32_ps(i));
            i = _mm_sub_epi32(i, _mm_castps_si128(_mm_cmpge_ps(f, half)));
            i = _mm_add_epi32(i, _mm_castps_si128(_mm_cmple_ps(f, _mm_sub_ps(_mm_setzero_ps(), half))));
            __m128i b = _mm_packs_epi16(_mm_packs_epi32(i, i), _mm_setzero_si128());
            int32_t four = _mm_cvtsi128_si32(b);
            memcpy(v->q + j + k, &four, 4);
        }
    }
}

static void quantize_any(QuantVec *v, const float *x);

void quantize(QuantVec *v, const float *x) {
    if (v->g % 4 == 0) quantize_sse2(v, x);
    else quantize_any(v, x);
    if (v->bias)
        for (int j = 0; j < v->n; j += v->g) {
            int32_t sum = 0;
            for (int k = 0; k < v->g; k++) sum += v->q[j + k];
            v->bias[j / v->g] = 128 * sum;
        }
}

static void quantize_any(QuantVec *v, const float *x) {
    int g = v->g;
    for (int j = 0; j < v->n; j += g) {
        float wmax = 0.0f;
        for (int k = 0; k < g; k++) {
            float a = __builtin_fabsf(x[j + k]);
            if (a > wmax) wmax = a;
        }
        float scale = wmax / 127.0f;
        v->s[j / g] = scale;
        for (int k = 0; k < g; k++) v->q[j + k] = round_q(x[j + k] / scale);
    }
}
