/* The forward pass (see transformer.h). Every float operation is run.c's,
 * in run.c's order, so the logits are bit-identical: rmsnorm, q/k/v
 * projections, rotary embedding, grouped-query attention over the cache,
 * output projection and residual, rmsnorm, SwiGLU feed-forward and
 * residual, per layer; then the final rmsnorm and the classifier. */
#include <stddef.h>
#include "lib/llama/transformer.h"
#include "lib/llama/mathf.h"
#include "lib/llama/ops.h"
#include "lib/libc.h"

void transformer_init(Transformer *t, const llama_checkpoint *ck, int steps,
                      const llama_platform *platform, Arena *a) {
    const llama_config *p = &ck->config;
    RunState *s = &t->state;
    size_t dim = (size_t)p->dim, hidden = (size_t)p->hidden_dim, half = (size_t)p->head_size / 2;
    size_t cache = (size_t)p->n_layers * (size_t)steps * (size_t)p->kv_dim;
    t->config = *p;
    t->weights = ck->weights;
    t->steps = steps;
    compute_init(&t->compute, platform);
    s->x = arena_alloc(a, dim, sizeof(float));
    s->xb = arena_alloc(a, dim, sizeof(float));
    s->xb2 = arena_alloc(a, dim, sizeof(float));
    s->hb = arena_alloc(a, hidden, sizeof(float));
    s->hb2 = arena_alloc(a, hidden, sizeof(float));
    s->q = arena_alloc(a, dim, sizeof(float));
    s->att = arena_alloc(a, (size_t)p->n_heads * (size_t)steps, sizeof(float));
    s->logits = arena_alloc(a, (size_t)p->vocab_size, sizeof(float));
    s->key_cache = arena_alloc(a, cache, sizeof(float));
    s->value_cache = arena_alloc(a, cache, sizeof(float));
    s->rope_freq = arena_alloc(a, half, sizeof(float));
    s->rope_cos = arena_alloc(a, half, sizeof(float));
    s->rope_sin = arena_alloc(a, half, sizeof(float));
    if (a->base == NULL || a->overflow) return;
    /* run.c: freq = 1 / 10000^(head_dim / head_size), head_dim = 0, 2, 4, ... */
    for (size_t j = 0; j < half; j++)
        s->rope_freq[j] = 1.0f / m_powf(10000.0f, (float)(2 * j) / (float)p->head_size);
}

/* ---------------------------------------------------------------- attention */

typedef struct {
    Transformer *t;
    size_t layer_offset;     /* of this layer in the caches */
    int pos;
} AttentionJob;

/* Heads [h_begin, h_end): scores against every cached key up to pos,
 * softmax, weighted sum of the cached values into xb. */
static void attention_heads(void *arg, int h_begin, int h_end) {
    const AttentionJob *job = arg;
    Transformer *t = job->t;
    const llama_config *p = &t->config;
    RunState *s = &t->state;
    int head_size = p->head_size, pos = job->pos;
    int kv_mul = p->n_heads / p->n_kv_heads;       /* query heads per kv head */
    size_t kv_dim = (size_t)p->kv_dim;
    float scale = m_sqrtf((float)head_size);
    for (int h = h_begin; h < h_end; h++) {
        const float *q = s->q + (size_t)h * head_size;
        float *att = s->att + (size_t)h * (size_t)t->steps;
        size_t head_offset = job->layer_offset + (size_t)(h / kv_mul) * head_size;
        for (int ts = 0; ts <= pos; ts++) {
            const float *k = s->key_cache + head_offset + (size_t)ts * kv_dim;
            float score = 0.0f;
            for (int i = 0; i < head_size; i++) score += q[i] * k[i];
            score /= scale;
            att[ts] = score;
        }
        softmax(att, pos + 1);
        float *xb = s->xb + (size_t)h * head_size;
        memset(xb, 0, (size_t)head_size * sizeof(float));
        for (int ts = 0; ts <= pos; ts++) {
            const float *v = s->value_cache + head_offset + (size_t)ts * kv_dim;
            float a = att[ts];
            for (int i = 0; i < head_size; i++) xb[i] += a * v[i];
        }
    }
}

/* ---------------------------------------------------------------- forward */

/* Rotate pairs (v[i], v[i+1]) of q (all of dim) and k (the first kv_dim)
 * by the angle of their position in the head. */
static void rope(const Transformer *t, float *k) {
    const llama_config *p = &t->config;
    const RunState *s = &t->state;
    for (int i = 0; i < p->dim; i += 2) {
        int j = (i % p->head_size) / 2;
        float fcr = s->rope_cos[j], fci = s->rope_sin[j];
        float q0 = s->q[i], q1 = s->q[i + 1];
        s->q[i] = q0 * fcr - q1 * fci;
        s->q[i + 1] = q0 * fci + q1 * fcr;
        if (i < p->kv_dim) {
            float k0 = k[i], k1 = k[i + 1];
            k[i] = k0 * fcr - k1 * fci;
            k[i + 1] = k0 * fci + k1 * fcr;
        }
    }
}

float *transformer_forward(Transformer *t, int token, int pos) {
    const llama_config *p = &t->config;
    const llama_weights *w = &t->weights;
    RunState *s = &t->state;
    const Compute *c = &t->compute;
    int dim = p->dim, kv_dim = p->kv_dim, hidden_dim = p->hidden_dim;
    size_t D = (size_t)dim, KV = (size_t)kv_dim, H = (size_t)hidden_dim;
    float *x = s->x;

    memcpy(x, w->token_embedding + (size_t)token * D, D * sizeof(float));

    /* the rotation angles of this position, the same for every layer */
    for (int j = 0; j < p->head_size / 2; j++) {
        float val = (float)pos * s->rope_freq[j];
        s->rope_cos[j] = m_cosf(val);
        s->rope_sin[j] = m_sinf(val);
    }

    for (int l = 0; l < p->n_layers; l++) {
        size_t L = (size_t)l;
        rmsnorm(s->xb, x, w->rms_att + L * D, dim);

        /* q, and this position's key and value straight into the cache */
        size_t layer_offset = L * (size_t)t->steps * KV;
        float *k = s->key_cache + layer_offset + (size_t)pos * KV;
        float *v = s->value_cache + layer_offset + (size_t)pos * KV;
        matmul(c, s->q, s->xb, w->wq + L * D * D, dim, dim);
        matmul(c, k, s->xb, w->wk + L * D * KV, dim, kv_dim);
        matmul(c, v, s->xb, w->wv + L * D * KV, dim, kv_dim);
        rope(t, k);

        AttentionJob job = { t, layer_offset, pos };
        compute_for(c, p->n_heads, attention_heads, &job);

        matmul(c, s->xb2, s->xb, w->wo + L * D * D, dim, dim);
        for (int i = 0; i < dim; i++) x[i] += s->xb2[i];

        /* feed-forward: w2(silu(w1 x) * w3 x) */
        rmsnorm(s->xb, x, w->rms_ffn + L * D, dim);
        matmul(c, s->hb, s->xb, w->w1 + L * D * H, dim, hidden_dim);
        matmul(c, s->hb2, s->xb, w->w3 + L * D * H, dim, hidden_dim);
        for (int i = 0; i < hidden_dim; i++) {
            float val = s->hb[i];
            val *= (1.0f / (1.0f + m_expf(-val)));
            val *= s->hb2[i];
            s->hb[i] = val;
        }
        matmul(c, s->xb, s->hb, w->w2 + L * D * H, hidden_dim, dim);
        for (int i = 0; i < dim; i++) x[i] += s->xb[i];
    }

    rmsnorm(x, x, w->rms_final, dim);
    matmul(c, s->logits, x, w->wcls, dim, p->vocab_size);
    return s->logits;
}
