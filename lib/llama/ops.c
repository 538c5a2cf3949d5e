/* rmsnorm and softmax (see ops.h): sequential float sums, as in run.c;
 * and ggml's versions, whose sums are doubles. */
#include "lib/llama/ops.h"
#include "lib/llama/mathf.h"

void rmsnorm(float *o, const float *x, const float *weight, int size) {
    float ss = 0.0f;
    for (int j = 0; j < size; j++) ss += x[j] * x[j];
    ss /= (float)size;
    ss += 1e-5f;
    ss = 1.0f / m_sqrtf(ss);
    for (int j = 0; j < size; j++) o[j] = weight[j] * (ss * x[j]);
}

void softmax(float *x, int size) {
    float max_val = x[0];
    for (int i = 1; i < size; i++)
        if (x[i] > max_val) max_val = x[i];
    m_expf_array(x, x, size, 1.0f, max_val);
    float sum = 0.0f;
    for (int i = 0; i < size; i++) sum += x[i];
    for (int i = 0; i < size; i++) x[i] /= sum;
}

void rmsnorm_ggml(float *o, const float *x, const float *weight, int size, float eps) {
    double sum = 0.0;
    for (int j = 0; j < size; j++) sum += (double)(x[j] * x[j]);
    float mean = (float)(sum / size);
    float scale = 1.0f / m_sqrtf(mean + eps);
    for (int j = 0; j < size; j++) o[j] = (x[j] * scale) * weight[j];
}

void softmax_scaled_ggml(float *x, int size, float scale) {
    float max_val = -__builtin_inff();
    for (int i = 0; i < size; i++) {
        x[i] *= scale;
        if (x[i] > max_val) max_val = x[i];
    }
    m_expf_array(x, x, size, 1.0f, max_val);
    double sum = 0.0;
    for (int i = 0; i < size; i++) sum += (double)x[i];
    float inv = (float)(1.0 / sum);
    for (int i = 0; i < size; i++) x[i] *= inv;
}

void silu_mul(float *h, const float *g, int n, int ggml) {
    float e[64];
    for (int i = 0; i < n; i += 64) {
        int c = n - i < 64 ? n - i : 64;
        m_expf_array(e, h + i, c, -1.0f, 0.0f);
        for (int k = 0; k < c; k++) {
            float v = h[i + k];
            v = ggml ? v / (1.0f + e[k]) : v * (1.0f / (1.0f + e[k]));
            h[i + k] = v * g[i + k];
        }
    }
}
