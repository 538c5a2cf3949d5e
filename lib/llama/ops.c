/* rmsnorm and softmax (see ops.h): sequential float sums, as in run.c;
 * and ggml's versions, whose sums are doubles. The element-wise parts run
 * four at a time in SSE2 (every x86-64 has it; each lane rounds as the
 * scalar operation would); a sequential sum stays one chain, and the
 * norms interleave four rows' chains instead. */
#include <stddef.h>
#include "lib/llama/ops.h"
#include "lib/llama/mathf.h"
#include "lib/llama/simd.h"

/* The largest of x[0..n): the same value as run.c's running "if (x[i] >
 * max)" for inputs without NaN (a zero's sign aside, which no x - max
 * can tell). */
static float max_of(const float *x, int n, float start) {
    __m128 m = _mm_set1_ps(start);
    int i = 0;
    for (; i + 4 <= n; i += 4) m = _mm_max_ps(m, _mm_loadu_ps(x + i));
    m = _mm_max_ps(m, _mm_movehl_ps(m, m));
    m = _mm_max_ps(m, _mm_shuffle_ps(m, m, 1));
    float r = _mm_cvtss_f32(m);
    for (; i < n; i++)
        if (x[i] > r) r = x[i];
    return r;
}

/* x[i] = x[i] * a (mul) or x[i] / a (div). */
static void scale(float *x, int n, float a, int div) {
    __m128 av = _mm_set1_ps(a);
    int i = 0;
    for (; i + 4 <= n; i += 4) {
        __m128 v = _mm_loadu_ps(x + i);
        _mm_storeu_ps(x + i, div ? _mm_div_ps(v, av) : _mm_mul_ps(v, av));
    }
    for (; i < n; i++) x[i] = div ? x[i] / a : x[i] * a;
}

/* o[j] = weight[j] * (ss * x[j]): run.c's, and bit for bit ggml's
 * (x[j] * ss) * weight[j] (the same two products, each commutative). */
static void scale_by(float *o, const float *x, const float *weight, int n, float ss) {
    __m128 sv = _mm_set1_ps(ss);
    int j = 0;
    for (; j + 4 <= n; j += 4) {
        __m128 xs = _mm_mul_ps(_mm_loadu_ps(x + j), sv);
        _mm_storeu_ps(o + j, _mm_mul_ps(_mm_loadu_ps(weight + j), xs));
    }
    for (; j < n; j++) o[j] = weight[j] * (ss * x[j]);
}

void rmsnorm_rows(float *o, const float *x, const float *weight, int size, int m, size_t ld) {
    for (int r = 0; r < m; r += 4) {
        int k = m - r < 4 ? m - r : 4;
        float ss[4] = { 0.0f, 0.0f, 0.0f, 0.0f };
        const float *xr = x + (size_t)r * ld;
        if (k == 4) {
            for (int j = 0; j < size; j++)
                for (int u = 0; u < 4; u++) ss[u] += xr[u * ld + j] * xr[u * ld + j];
        } else {
            for (int u = 0; u < k; u++)
                for (int j = 0; j < size; j++) ss[u] += xr[u * ld + j] * xr[u * ld + j];
        }
        for (int u = 0; u < k; u++) {
            float s = ss[u] / (float)size;
            s += 1e-5f;
            s = 1.0f / m_sqrtf(s);
            scale_by(o + (size_t)(r + u) * ld, xr + u * ld, weight, size, s);
        }
    }
}

void rmsnorm_ggml_rows(float *o, const float *x, const float *weight, int size, float eps, int m,
                       size_t ld) {
    for (int r = 0; r < m; r += 4) {
        int k = m - r < 4 ? m - r : 4;
        double sum[4] = { 0.0, 0.0, 0.0, 0.0 };
        const float *xr = x + (size_t)r * ld;
        if (k == 4) {
            for (int j = 0; j < size; j++)
                for (int u = 0; u < 4; u++) sum[u] += (double)(xr[u * ld + j] * xr[u * ld + j]);
        } else {
            for (int u = 0; u < k; u++)
                for (int j = 0; j < size; j++) sum[u] += (double)(xr[u * ld + j] * xr[u * ld + j]);
        }
        for (int u = 0; u < k; u++) {
            float mean = (float)(sum[u] / size);
            scale_by(o + (size_t)(r + u) * ld, xr + u * ld, weight, size, 1.0f / m_sqrtf(mean + eps));
        }
    }
}

void softmax(float *x, int size) {
    float max_val = max_of(x + 1, size - 1, x[0]);
    m_expf_array(x, x, size, 1.0f, max_val);
    float sum = 0.0f;
    for (int i = 0; i < size; i++) sum += x[i];
    scale(x, size, sum, 1);
}

void softmax_divided(float *x, int size, float d) {
    scale(x, size, d, 1);
    softmax(x, size);
}

/* The sum in four double lanes (i mod 4), then (s0 + s1) + (s2 + s3),
 * then the last few in order: ggml's own order is its SIMD width's, not
 * one chain either. */
void softmax_scaled_ggml(float *x, int size, float scale_by_) {
    scale(x, size, scale_by_, 0);
    float max_val = max_of(x, size, -__builtin_inff());
    m_expf_array(x, x, size, 1.0f, max_val);
    __m128d s01 = _mm_setzero_pd(), s23 = s01;
    int i = 0;
    for (; i + 4 <= size; i += 4) {
        __m128 v = _mm_loadu_ps(x + i);
        s01 = _mm_add_pd(s01, _mm_cvtps_pd(v));
        s23 = _mm_add_pd(s23, _mm_cvtps_pd(_mm_movehl_ps(v, v)));
    }
    double sum = (_mm_cvtsd_f64(s01) + _mm_cvtsd_f64(_mm_unpackhi_pd(s01, s01))) +
                 (_mm_cvtsd_f64(s23) + _mm_cvtsd_f64(_mm_unpackhi_pd(s23, s23)));
    for (; i < size; i++) sum += (double)x[i];
    scale(x, size, (float)(1.0 / sum), 0);
}

void silu_mul(float *h, const float *g, int n, int ggml) {
    float e[64];
    const __m128 one = _mm_set1_ps(1.0f);
    for (int i = 0; i < n; i += 64) {
        int c = n - i < 64 ? n - i : 64, k = 0;
        m_expf_array(e, h + i, c, -1.0f, 0.0f);
        for (; k + 4 <= c; k += 4) {
            __m128 v = _mm_loadu_ps(h + i + k), d = _mm_add_ps(one, _mm_loadu_ps(e + k));
            v = ggml ? _mm_div_ps(v, d) : _mm_mul_ps(v, _mm_div_ps(one, d));
            _mm_storeu_ps(h + i + k, _mm_mul_ps(v, _mm_loadu_ps(g + i + k)));
        }
        for (; k < c; k++) {
            float v = h[i + k];
            v = ggml ? v / (1.0f + e[k]) : v * (1.0f / (1.0f + e[k]));
            h[i + k] = v * g[i + k];
        }
    }
}
