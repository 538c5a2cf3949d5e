/* The forward pass (see transformer.h). Every float operation is run.c's,
 * in run.c's order, except that dot products add up in matmul.h's order:
 * rmsnorm, q/k/v projections, rotary embedding, grouped-query attention
 * over the cache, output projection and residual, rmsnorm, SwiGLU
 * feed-forward and residual, per layer; then the final rmsnorm and the
 * classifier. A Q8_0 checkpoint runs runq.c's forward: each matrix input
 * is quantized first, and the embedding row is dequantized.
 *
 * Work on several cores: the q, k and v rows of a layer are one parallel
 * loop, the heads of attention another, then the rows of wo, the rows of
 * w1 and w3 with SwiGLU, the rows of w2 and of the classifier. Every row
 * and head is computed the same way whichever core takes it, so the
 * results do not depend on the number of cores. */
#include <stddef.h>
#include "lib/llama/transformer.h"
#include "lib/llama/mathf.h"
#include "lib/llama/ops.h"
#include "lib/libc.h"

void transformer_init(Transformer *t, const llama_model *ck, int steps,
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
    if (p->group_size > 0) {
        int gd = p->group_size, gh = gcd_int(p->hidden_dim, p->group_size);
        s->xq = (QuantVec){ arena_alloc(a, dim, 1), arena_alloc(a, dim / (size_t)gd, sizeof(float)),
                            p->dim, gd, arena_alloc(a, dim / (size_t)gd, sizeof(int32_t)) };
        s->hq = (QuantVec){ arena_alloc(a, hidden, 1),
                            arena_alloc(a, hidden / (size_t)gh, sizeof(float)), p->hidden_dim, gh,
                            arena_alloc(a, hidden / (size_t)gh, sizeof(int32_t)) };
    }
    if (a->base == NULL || a->overflow) return;
    /* run.c: freq = 1 / 10000^(head_dim / head_size), head_dim = 0, 2, 4, ... */
    for (size_t j = 0; j < half; j++)
        s->rope_freq[j] = 1.0f / m_powf(10000.0f, (float)(2 * j) / (float)p->head_size);
}

/* ---------------------------------------------------------------- weights */

/* A weight tensor as the kernels take it: fp32, or Q8_0 values with their
 * scales. */
static Matrix matrix_of(const llama_tensor *x) {
    Matrix m = { 0 };
    if (x->type == LLAMA_TYPE_F32) {
        m.f = x->data;
        return m;
    }
    m.q = x->data;
    m.s = x->scales;
    m.gs = x->group_size;
    return m;
}

/* x = the embedding of token (a row of fp32, or dequantized as runq.c does). */
static void embed(const Transformer *t, float *x, int token) {
    const llama_tensor *e = &t->weights.token_embedding;
    size_t D = (size_t)t->config.dim, row = (size_t)token * D;
    if (e->type == LLAMA_TYPE_F32) {
        memcpy(x, (const float *)e->data + row, D * sizeof(float));
        return;
    }
    const int8_t *q = e->data;
    for (size_t i = 0; i < D; i++)
        x[i] = (float)q[row + i] * e->scales[(row + i) / (size_t)e->group_size];
}

/* ---------------------------------------------------------------- parallel jobs */

/* Rows [begin, end) of a product whose rows are numbered from first in
 * the combined range: the part of it that falls in [first, first + d). */
static void rows_part(const MatmulKernel *k, float *xout, const float *x, const QuantVec *xq,
                      const Matrix *w, int n, int first, int d, int begin, int end) {
    int b = begin > first ? begin - first : 0;
    int e = end - first < d ? end - first : d;
    if (b < e) matmul_rows(k, xout, x, xq, w, n, b, e);
}

typedef struct {
    Transformer *t;
    Matrix wq, wk, wv;
    float *k, *v;              /* this position's rows of the caches */
} QKVJob;

/* Rows of q (dim), then k (kv_dim), then v (kv_dim), all from xb. */
static void qkv_rows(void *arg, int begin, int end) {
    const QKVJob *j = arg;
    const Transformer *t = j->t;
    const RunState *s = &t->state;
    const MatmulKernel *k = t->compute.kernel;
    int dim = t->config.dim, kv = t->config.kv_dim;
    rows_part(k, s->q, s->xb, &s->xq, &j->wq, dim, 0, dim, begin, end);
    rows_part(k, j->k, s->xb, &s->xq, &j->wk, dim, dim, kv, begin, end);
    rows_part(k, j->v, s->xb, &s->xq, &j->wv, dim, dim + kv, kv, begin, end);
}

typedef struct {
    Transformer *t;
    Matrix w1, w3;
} FFNJob;

/* Rows of hb = silu(w1 xb) * (w3 xb). */
static void ffn_rows(void *arg, int begin, int end) {
    const FFNJob *j = arg;
    const Transformer *t = j->t;
    const RunState *s = &t->state;
    const MatmulKernel *k = t->compute.kernel;
    int dim = t->config.dim;
    matmul_rows(k, s->hb, s->xb, &s->xq, &j->w1, dim, begin, end);
    matmul_rows(k, s->hb2, s->xb, &s->xq, &j->w3, dim, begin, end);
    for (int i = begin; i < end; i++) {
        float val = s->hb[i];
        val *= (1.0f / (1.0f + m_expf(-val)));
        val *= s->hb2[i];
        s->hb[i] = val;
    }
}

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
    const MatmulKernel *k = t->compute.kernel;
    int head_size = p->head_size, pos = job->pos;
    int kv_mul = p->n_heads / p->n_kv_heads;       /* query heads per kv head */
    size_t kv_dim = (size_t)p->kv_dim;
    float scale = m_sqrtf((float)head_size);
    for (int h = h_begin; h < h_end; h++) {
        const float *q = s->q + (size_t)h * head_size;
        float *att = s->att + (size_t)h * (size_t)t->steps;
        size_t head_offset = job->layer_offset + (size_t)(h / kv_mul) * head_size;
        matmul_dots(k, att, q, s->key_cache + head_offset, kv_dim, head_size, pos + 1);
        for (int ts = 0; ts <= pos; ts++) att[ts] /= scale;
        softmax(att, pos + 1);
        matmul_wsum(k, s->xb + (size_t)h * head_size, att, s->value_cache + head_offset, kv_dim,
                    head_size, pos + 1);
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
    size_t KV = (size_t)kv_dim;
    int q8 = p->group_size > 0;
    float *x = s->x;

    embed(t, x, token);

    /* the rotation angles of this position, the same for every layer */
    for (int j = 0; j < p->head_size / 2; j++) {
        float val = (float)pos * s->rope_freq[j];
        s->rope_cos[j] = m_cosf(val);
        s->rope_sin[j] = m_sinf(val);
    }

    for (int l = 0; l < p->n_layers; l++) {
        size_t L = (size_t)l;
        const llama_layer *ly = &w->layer[l];
        rmsnorm(s->xb, x, ly->attn_norm.data, dim);

        /* q, and this position's key and value straight into the cache */
        size_t layer_offset = L * (size_t)t->steps * KV;
        QKVJob qkv = {
            t, matrix_of(&ly->wq), matrix_of(&ly->wk), matrix_of(&ly->wv),
            s->key_cache + layer_offset + (size_t)pos * KV,
            s->value_cache + layer_offset + (size_t)pos * KV,
        };
        if (q8) quantize(&s->xq, s->xb);
        compute_for(c, dim + 2 * kv_dim, (long)dim * (dim + 2 * kv_dim), qkv_rows, &qkv);
        rope(t, qkv.k);

        AttentionJob job = { t, layer_offset, pos };
        compute_for(c, p->n_heads, 2L * dim * (pos + 1), attention_heads, &job);

        Matrix wo = matrix_of(&ly->wo);
        if (q8) quantize(&s->xq, s->xb);
        matmul(c, s->xb2, s->xb, &s->xq, &wo, dim, dim);
        for (int i = 0; i < dim; i++) x[i] += s->xb2[i];

        /* feed-forward: w2(silu(w1 x) * w3 x) */
        rmsnorm(s->xb, x, ly->ffn_norm.data, dim);
        FFNJob ffn = { t, matrix_of(&ly->w1), matrix_of(&ly->w3) };
        if (q8) quantize(&s->xq, s->xb);
        compute_for(c, hidden_dim, 2L * dim * hidden_dim, ffn_rows, &ffn);
        Matrix w2 = matrix_of(&ly->w2);
        if (q8) quantize(&s->hq, s->hb);
        matmul(c, s->xb, s->hb, &s->hq, &w2, hidden_dim, dim);
        for (int i = 0; i < dim; i++) x[i] += s->xb[i];
    }

    rmsnorm(x, x, w->rms_final.data, dim);
    Matrix wcls = matrix_of(&w->wcls);
    if (q8) quantize(&s->xq, x);
    matmul(c, s->logits, x, &s->xq, &wcls, dim, p->vocab_size);
    return s->logits;
}
