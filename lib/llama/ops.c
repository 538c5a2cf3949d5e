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
    float sum = 0.0f;
    for (int i = 0; i < size; i++) {
        x[i] = m_expf(x[i] - max_val);
        sum += x[i];
    }
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
    double sum = 0.0;
    for (int i = 0; i < size; i++) {
        x[i] = m_expf(x[i] - max_val);
        sum += (double)x[i];
    }
    float inv = (float)(1.0 / sum);
    for (int i = 0; i < size; i++) x[i] *= inv;
}
