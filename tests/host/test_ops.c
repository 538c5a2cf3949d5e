/* lib/llama/ops: softmax (and run.c's scores divided first), ggml's scaled
 * softmax, silu_mul and both norms over rows, against the
 * same formulas written here with libm's expf, bit for bit, at every
 * length from 1 to 200 (every tail of the four-wide exponentials), with
 * the exponentials one at a time and (when this CPU has AVX2 and FMA)
 * four at a time. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "tests/check.h"
#include "lib/llama/llama.h"
#include "lib/llama/mathf.h"
#include "lib/llama/ops.h"

static uint64_t rng = 12345;
static float uniform(float lo, float hi) {
    rng = rng * 6364136223846793005ull + 1442695040888963407ull;
    return lo + (hi - lo) * (float)((rng >> 40) * 0x1p-24);
}

static int modes(void) {
    unsigned f = llama_cpu_detect();
    int n = (f & LLAMA_CPU_FMA) && (f & LLAMA_CPU_AVX2) ? 2 : 1;
    if (n == 1) printf("  info: no AVX2 and FMA here: the four-wide exponentials are not tried\n");
    return n;
}

/* mode 0: exponentials one at a time (FMA instruction if any); 1: four-wide */
static void set_mode(int mode) {
    m_set_fma(mode == 1 || (llama_cpu_detect() & LLAMA_CPU_FMA) ? 1 : 0);
    m_set_vector(mode == 1);
}

static void reset(void) { m_set_vector(0); m_set_fma(0); }

TEST(softmax_as_run_c) {
    float x[200], want[200];
    long bad = 0;
    for (int mode = 0; mode < modes(); mode++) {
        set_mode(mode);
        for (int n = 1; n <= 200; n++) {
            for (int i = 0; i < n; i++) x[i] = uniform(-30.0f, 30.0f);
            if (n % 5 == 0) x[n / 2] = -INFINITY;           /* a masked score */
            memcpy(want, x, sizeof x);
            float m = want[0], sum = 0.0f;
            for (int i = 1; i < n; i++) if (want[i] > m) m = want[i];
            for (int i = 0; i < n; i++) { want[i] = expf(want[i] - m); sum += want[i]; }
            for (int i = 0; i < n; i++) want[i] /= sum;
            softmax(x, n);
            if (memcmp(x, want, (size_t)n * 4)) bad++;
        }
    }
    reset();
    CHECK(bad == 0, "softmax differs from run.c's at %ld lengths", bad);
}

/* run.c's attention: each score / sqrt(head_size), then softmax */
TEST(softmax_divided_as_run_c) {
    float x[200], want[200];
    long bad = 0;
    for (int mode = 0; mode < modes(); mode++) {
        set_mode(mode);
        for (int n = 1; n <= 200; n++) {
            for (int i = 0; i < n; i++) x[i] = uniform(-60.0f, 60.0f);
            memcpy(want, x, sizeof x);
            float d = sqrtf(48.0f), m, sum = 0.0f;
            for (int i = 0; i < n; i++) want[i] /= d;
            m = want[0];
            for (int i = 1; i < n; i++) if (want[i] > m) m = want[i];
            for (int i = 0; i < n; i++) { want[i] = expf(want[i] - m); sum += want[i]; }
            for (int i = 0; i < n; i++) want[i] /= sum;
            softmax_divided(x, n, d);
            if (memcmp(x, want, (size_t)n * 4)) bad++;
        }
    }
    reset();
    CHECK(bad == 0, "softmax_divided differs from run.c's at %ld lengths", bad);
}

/* Both norms over m rows (in place and not), row by row against the
 * formulas: run.c's float sum, ggml's double sum, each in one chain. */
TEST(norm_rows_as_formulas) {
    enum { N = 37, LD = 41, M = 11 };
    static float x[M * LD], o[M * LD], w[N], want[M * LD];
    long bad = 0;
    for (int i = 0; i < N; i++) w[i] = uniform(0.5f, 2.0f);
    for (int ggml = 0; ggml < 2; ggml++)
        for (int size = 1; size <= N; size += 4)
            for (int m = 1; m <= M; m++)
                for (int inplace = 0; inplace < 2; inplace++) {
                    for (int i = 0; i < M * LD; i++) x[i] = uniform(-4.0f, 4.0f);
                    memcpy(o, x, sizeof o);
                    for (int r = 0; r < m; r++) {
                        const float *xr = x + r * LD;
                        float *wr = want + r * LD;
                        if (ggml) {
                            double sum = 0.0;
                            for (int j = 0; j < size; j++) sum += (double)(xr[j] * xr[j]);
                            float sc = 1.0f / sqrtf((float)(sum / size) + 1e-6f);
                            for (int j = 0; j < size; j++) wr[j] = (xr[j] * sc) * w[j];
                        } else {
                            float ss = 0.0f;
                            for (int j = 0; j < size; j++) ss += xr[j] * xr[j];
                            ss /= (float)size;
                            ss += 1e-5f;
                            ss = 1.0f / sqrtf(ss);
                            for (int j = 0; j < size; j++) wr[j] = w[j] * (ss * xr[j]);
                        }
                    }
                    const float *src = inplace ? o : x;
                    if (ggml) rmsnorm_ggml_rows(o, src, w, size, 1e-6f, m, LD);
                    else rmsnorm_rows(o, src, w, size, m, LD);
                    for (int r = 0; r < m; r++)
                        if (memcmp(o + r * LD, want + r * LD, (size_t)size * 4)) bad++;
                }
    CHECK(bad == 0, "%ld norm rows differ from their formula", bad);
}

TEST(softmax_scaled_as_ggml) {
    float x[200], want[200];
    long bad = 0;
    for (int mode = 0; mode < modes(); mode++) {
        set_mode(mode);
        for (int n = 1; n <= 200; n++) {
            for (int i = 0; i < n; i++) x[i] = uniform(-200.0f, 200.0f);
            memcpy(want, x, sizeof x);
            float scale = 0.125f, m = -INFINITY;
            for (int i = 0; i < n; i++) { want[i] *= scale; if (want[i] > m) m = want[i]; }
            double lane[4] = { 0, 0, 0, 0 }, sum;   /* four lanes, then the tail in order */
            int body = n / 4 * 4;
            for (int i = 0; i < n; i++) want[i] = expf(want[i] - m);
            for (int i = 0; i < body; i++) lane[i % 4] += want[i];
            sum = (lane[0] + lane[1]) + (lane[2] + lane[3]);
            for (int i = body; i < n; i++) sum += want[i];
            float inv = (float)(1.0 / sum);
            for (int i = 0; i < n; i++) want[i] *= inv;
            softmax_scaled_ggml(x, n, scale);
            if (memcmp(x, want, (size_t)n * 4)) bad++;
        }
    }
    reset();
    CHECK(bad == 0, "softmax_scaled_ggml differs from ggml's formula at %ld lengths", bad);
}

TEST(silu_mul_both_forms) {
    float h[200], g[200], want[200];
    long bad = 0, checked = 0;
    for (int mode = 0; mode < modes(); mode++) {
        set_mode(mode);
        for (int ggml = 0; ggml < 2; ggml++)
            for (int n = 1; n <= 200; n++) {
                for (int i = 0; i < n; i++) h[i] = uniform(-12.0f, 12.0f), g[i] = uniform(-3.0f, 3.0f);
                if (n > 3) h[1] = -100.0f, h[2] = 100.0f;     /* lanes outside expf's main range */
                for (int i = 0; i < n; i++) {
                    float v = h[i];
                    v = ggml ? v / (1.0f + expf(-v)) : v * (1.0f / (1.0f + expf(-v)));
                    want[i] = v * g[i];
                }
                silu_mul(h, g, n, ggml);
                checked++;
                if (memcmp(h, want, (size_t)n * 4)) bad++;
            }
    }
    reset();
    CHECK(bad == 0, "silu_mul differs from its formula at %ld of %ld lengths", bad, checked);
}

int main(void) {
    int failures_ = 0;
    RUN(softmax_as_run_c);
    RUN(softmax_divided_as_run_c);
    RUN(softmax_scaled_as_ggml);
    RUN(norm_rows_as_formulas);
    RUN(silu_mul_both_forms);
    return failures_ != 0;
}
