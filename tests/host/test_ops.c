/* lib/llama/ops: softmax, ggml's scaled softmax and silu_mul against the
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
            double sum = 0.0;
            for (int i = 0; i < n; i++) { want[i] = expf(want[i] - m); sum += want[i]; }
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
    RUN(softmax_scaled_as_ggml);
    RUN(silu_mul_both_forms);
    return failures_ != 0;
}
