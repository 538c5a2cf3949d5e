/* The forward pass (see transformer.h), for a batch of tokens at a time:
 * per layer, rmsnorm, the q/k/v projections (k and v straight into the
 * cache), rotary embedding, grouped-query attention over the cache (causal:
 * token t of the batch sees positions up to its own), the output
 * projection and residual, rmsnorm, the SwiGLU feed-forward and residual;
 * then the final rmsnorm and the classifier for the last token only.
 *
 * The float operations are run.c's, in run.c's order (llama2.c models), or
 * ggml's where it differs (GGUF models, config.ggml_arith): rmsnorm's sum
 * in double, RoPE angles by repeated products with Llama 3.1's frequency
 * factors, attention scores scaled by a product and softmax summed in
 * double, SiLU as a division. Matrix products take their inputs prepared
 * for the weight type (quantized as llama.cpp quantizes them, see
 * matmul.h) and add up in matmul.h's order.
 *
 * Work on several cores: the q, k and v rows of a layer are one parallel
 * loop, the heads of attention another, then the rows of wo, the rows of
 * w1 and w3 with SwiGLU, the rows of w2 and of the classifier. Every row
 * and head is computed the same way whichever core takes it and whatever
 * the batch, so the results depend on neither. */
#include <stddef.h>
#include "lib/llama/transformer.h"
#include "lib/llama/mathf.h"
#include "lib/llama/ops.h"
#include "lib/libc.h"

/* ---------------------------------------------------------------- the level */

/* The weight matrices of a step's unit u of products: layer u's seven, or
 * (u = n_layers) the classifier alone. Returns how many. */
#define UNIT_PRODUCTS 7
static int unit_products(const llama_weights *ws, int n_layers, int u, const llama_tensor *w[UNIT_PRODUCTS]) {
    if (u == n_layers) {
        w[0] = &ws->wcls;
        return 1;
    }
    const llama_layer *y = &ws->layer[u];
    w[0] = &y->wq, w[1] = &y->wk, w[2] = &y->wv, w[3] = &y->wo, w[4] = &y->w1, w[5] = &y->w3, w[6] = &y->w2;
    return UNIT_PRODUCTS;
}

static uint64_t weight_bytes(const llama_tensor *w) { return (uint64_t)w->rows * w->row_bytes; }

/* The bytes of each kind's weights (matmul_kind) that a one-token step
 * reads: the layers' and the classifier's. */
static void kind_bytes(const llama_model *m, uint64_t bytes[MATMUL_KINDS]) {
    const llama_tensor *w[UNIT_PRODUCTS];
    for (int kind = 0; kind < MATMUL_KINDS; kind++) bytes[kind] = 0;
    for (int u = 0; u <= m->config.n_layers; u++)
        for (int i = 0, n = unit_products(&m->weights, m->config.n_layers, u, w); i < n; i++)
            if (matmul_kind(w[i]->type) >= 0) bytes[matmul_kind(w[i]->type)] += weight_bytes(w[i]);
}

/* The kinds (a bit per matmul_kind) of unit u's weights. */
static unsigned unit_kinds(const Transformer *t, int u) {
    const llama_tensor *w[UNIT_PRODUCTS];
    unsigned kinds = 0;
    for (int i = 0, n = unit_products(&t->weights, t->config.n_layers, u, w); i < n; i++)
        if (matmul_kind(w[i]->type) >= 0) kinds |= 1u << matmul_kind(w[i]->type);
    return kinds;
}

TuneChoice transformer_choice(const Transformer *t, int kind) {
    if (kind < 0 || kind >= MATMUL_KINDS || !t->tuner.kind[kind].n_cand) return (TuneChoice){ NULL, 0 };
    return tuner_choice(&t->tuner, kind);
}

int transformer_tuning(const Transformer *t) { return tuner_tuning(&t->tuner); }

const MatmulKernel *transformer_level(const Transformer *t) { return tuner_choice(&t->tuner, t->tuner.main_kind).kernel; }

/* The most any product of the model needs for one prepared input, over
 * the tensors that take inputs of `cols` values. */
static size_t act_bytes(const llama_model *m, int cols, int batch) {
    const llama_tensor *w[UNIT_PRODUCTS];
    size_t most = 0;
    for (int u = 0; u <= m->config.n_layers; u++)
        for (int i = 0, n = unit_products(&m->weights, m->config.n_layers, u, w); i < n; i++)
            if (w[i]->cols == cols && matmul_act_bytes(w[i], batch) > most) most = matmul_act_bytes(w[i], batch);
    return most;
}

void transformer_init(Transformer *t, const llama_model *m, int steps,
                      const llama_platform *platform, Arena *a) {
    const llama_config *p = &m->config;
    RunState *s = &t->state;
    int batch = steps < TRANSFORMER_BATCH ? steps : TRANSFORMER_BATCH;
    size_t B = (size_t)batch, dim = (size_t)p->dim, hidden = (size_t)p->hidden_dim;
    size_t half = (size_t)p->rope_dim / 2;
    size_t cache = (size_t)p->n_layers * (size_t)steps * (size_t)p->kv_dim;
    t->config = *p;
    t->weights = m->weights;
    t->steps = steps;
    t->batch = batch;
    compute_init(&t->compute, platform);
    uint64_t bytes[MATMUL_KINDS];
    kind_bytes(m, bytes);
    tuner_init(&t->tuner, t->compute.kernel, bytes, platform);
    s->x = arena_alloc(a, B * dim, sizeof(float));
    s->xb = arena_alloc(a, B * dim, sizeof(float));
    s->xb2 = arena_alloc(a, B * dim, sizeof(float));
    s->q = arena_alloc(a, B * dim, sizeof(float));
    s->hb = arena_alloc(a, B * hidden, sizeof(float));
    s->hb2 = arena_alloc(a, B * hidden, sizeof(float));
    s->att = arena_alloc(a, (size_t)p->n_heads * (size_t)steps, sizeof(float));
    s->logits = arena_alloc(a, (size_t)p->vocab_size, sizeof(float));
    s->key_cache = arena_alloc(a, cache, sizeof(float));
    s->value_cache = arena_alloc(a, cache, sizeof(float));
    s->rope_freq = arena_alloc(a, half, sizeof(float));
    s->rope_cos = arena_alloc(a, B * half, sizeof(float));
    s->rope_sin = arena_alloc(a, B * half, sizeof(float));
    size_t ad = act_bytes(m, p->dim, batch), ah = act_bytes(m, p->hidden_dim, batch);
    for (int i = 0; i < 3; i++) s->act[i] = arena_alloc(a, ad, 1);
    s->act_hidden = arena_alloc(a, ah, 1);
    if (a->base == NULL || a->overflow) return;
    if (p->ggml_arith) {
        /* ggml: the angle of pair j is pos * base^(-2/n_dims) * ... (j
         * times), by repeated products from pos (rope_angles) */
        s->rope_theta_scale = m_powf(p->rope_theta, -2.0f / (float)p->rope_dim);
    } else {
        /* run.c: freq = 1 / 10000^(head_dim / head_size), head_dim = 0, 2, 4, ... */
        for (size_t j = 0; j < half; j++)
            s->rope_freq[j] = 1.0f / m_powf(p->rope_theta, (float)(2 * j) / (float)p->head_size);
    }
}

/* ---------------------------------------------------------------- small steps */

/* x = the embedding row of token, as fp32 (ggml's get_rows: dequantized). */
static void embed(const Transformer *t, float *x, int token) {
    matmul_dequantize_row(&t->weights.token_embedding, token, x);
}

/* m rows of dim floats. */
static void norm(const Transformer *t, float *o, const float *x, int m, const llama_tensor *w) {
    size_t D = (size_t)t->config.dim;
    if (t->config.ggml_arith) rmsnorm_ggml_rows(o, x, w->data, t->config.dim, t->config.rms_eps, m, D);
    else rmsnorm_rows(o, x, w->data, t->config.dim, m, D);
}

/* The rotation angles of position pos into row b of rope_cos/rope_sin. */
static void rope_angles(Transformer *t, int b, int pos) {
    const llama_config *p = &t->config;
    RunState *s = &t->state;
    int half = p->rope_dim / 2;
    float *c = s->rope_cos + (size_t)b * half, *sn = s->rope_sin + (size_t)b * half;
    const float *ff = t->weights.rope_freqs.data;
    float theta = (float)pos;
    for (int j = 0; j < half; j++) {
        float val;
        if (p->ggml_arith) {
            /* ggml's rope_yarn without extrapolation: scale * (theta / factor) */
            val = p->rope_scale * (ff ? theta / ff[j] : theta);
            theta *= s->rope_theta_scale;
        } else {
            val = (float)pos * s->rope_freq[j];
        }
        c[j] = m_cosf(val);
        sn[j] = m_sinf(val);
    }
}

/* Rotates pairs (v[i], v[i+1]) of each head of a vector of n values by the
 * angles of batch row b; only the first rope_dim values of a head turn. */
static void rope(const Transformer *t, float *v, int n, int b) {
    const llama_config *p = &t->config;
    int half = p->rope_dim / 2;
    const float *c = t->state.rope_cos + (size_t)b * half, *sn = t->state.rope_sin + (size_t)b * half;
    for (int h = 0; h < n; h += p->head_size)
        for (int i = 0; i < p->rope_dim; i += 2) {
            float fcr = c[i / 2], fci = sn[i / 2];
            float v0 = v[h + i], v1 = v[h + i + 1];
            v[h + i] = v0 * fcr - v1 * fci;
            v[h + i + 1] = v0 * fci + v1 * fcr;
        }
}

/* ---------------------------------------------------------------- parallel jobs */

/* The set w's products run on now (tuner.h: each kind its own). */
static const MatmulKernel *kernel_for(const Transformer *t, const llama_tensor *w) {
    int kind = matmul_kind(w->type);
    return kind < 0 ? t->compute.kernel : t->tuner.runs_on[kind];
}

/* Rows [begin, end) of a product whose rows are numbered from first in the
 * combined range: the part of it that falls in [first, first + d). */
static void rows_part(const Transformer *t, const llama_tensor *w, const void *act, int m,
                      float *y, size_t ldy, int first, int d, int begin, int end) {
    int b = begin > first ? begin - first : 0;
    int e = end - first < d ? end - first : d;
    if (b < e) matmul_rows(kernel_for(t, w), w, act, m, y, ldy, b, e);
}

typedef struct {
    Transformer *t;
    const llama_tensor *wq, *wk, *wv;
    const void *aq, *ak, *av;
    int m;
    float *k, *v;              /* the batch's first rows of the caches */
} QKVJob;

/* Rows of q (dim), then k (kv_dim), then v (kv_dim), for every token. */
static void qkv_rows(void *arg, int begin, int end) {
    const QKVJob *j = arg;
    const Transformer *t = j->t;
    int dim = t->config.dim, kv = t->config.kv_dim;
    rows_part(t, j->wq, j->aq, j->m, t->state.q, (size_t)dim, 0, dim, begin, end);
    rows_part(t, j->wk, j->ak, j->m, j->k, (size_t)kv, dim, kv, begin, end);
    rows_part(t, j->wv, j->av, j->m, j->v, (size_t)kv, dim + kv, kv, begin, end);
}

typedef struct {
    Transformer *t;
    const llama_tensor *w1, *w3;
    const void *act;
    int m;
} FFNJob;

/* Rows of hb = silu(w1 xb) * (w3 xb), for every token. */
static void ffn_rows(void *arg, int begin, int end) {
    const FFNJob *j = arg;
    const Transformer *t = j->t;
    const RunState *s = &t->state;
    const MatmulKernel *k = kernel_for(t, j->w1);   /* w3 is of the same kind */
    size_t hidden = (size_t)t->config.hidden_dim;
    matmul_rows(k, j->w1, j->act, j->m, s->hb, hidden, begin, end);
    matmul_rows(k, j->w3, j->act, j->m, s->hb2, hidden, begin, end);
    for (int b = 0; b < j->m; b++) {
        size_t row = (size_t)b * hidden + (size_t)begin;
        silu_mul(s->hb + row, s->hb2 + row, end - begin, t->config.ggml_arith);
    }
}

typedef struct {
    const MatmulKernel *kernel;
    const llama_tensor *w;
    const void *act;
    int m;
    float *y;
    size_t ldy;
} RowsJob;

static void rows_job(void *arg, int begin, int end) {
    const RowsJob *j = arg;
    matmul_rows(j->kernel, j->w, j->act, j->m, j->y, j->ldy, begin, end);
}

/* fn over n rows of products of one kind's weights, `bytes` of them: timed
 * for the tuner in a timed step. */
static void products_for(Transformer *t, int kind, uint64_t bytes, int n, long work, llama_range_fn fn, void *arg) {
    tuner_product_begins(&t->tuner, kind, bytes);
    compute_for(&t->compute, n, work, fn, arg);
    tuner_product_ends(&t->tuner);
}

/* y = w x for the m prepared inputs, on the platform's cores. */
static void product(Transformer *t, const llama_tensor *w, const void *act, int m, float *y,
                    size_t ldy) {
    RowsJob j = { kernel_for(t, w), w, act, m, y, ldy };
    products_for(t, matmul_kind(w->type), weight_bytes(w), w->rows, (long)w->cols * w->rows * m, rows_job, &j);
}

typedef struct {
    Transformer *t;
    size_t layer_offset;     /* of this layer in the caches */
    int pos, m;              /* the batch's first position and size */
} AttentionJob;

/* Heads [h_begin, h_end), for every token b of the batch: scores against
 * every cached key up to its position, softmax, weighted sum of the cached
 * values into xb. */
static void attention_heads(void *arg, int h_begin, int h_end) {
    const AttentionJob *job = arg;
    Transformer *t = job->t;
    const llama_config *p = &t->config;
    RunState *s = &t->state;
    const MatmulKernel *k = t->compute.kernel;
    int head_size = p->head_size;
    int kv_mul = p->n_heads / p->n_kv_heads;       /* query heads per kv head */
    size_t kv_dim = (size_t)p->kv_dim, dim = (size_t)p->dim;
    float scale = m_sqrtf((float)head_size), inv_scale = 1.0f / scale;
    for (int h = h_begin; h < h_end; h++) {
        float *att = s->att + (size_t)h * (size_t)t->steps;
        size_t head_offset = job->layer_offset + (size_t)(h / kv_mul) * head_size;
        for (int b = 0; b < job->m; b++) {
            int pos = job->pos + b;
            const float *q = s->q + (size_t)b * dim + (size_t)h * head_size;
            matmul_dots(k, att, q, s->key_cache + head_offset, kv_dim, head_size, pos + 1);
            if (p->ggml_arith) {
                softmax_scaled_ggml(att, pos + 1, inv_scale);
            } else {
                softmax_divided(att, pos + 1, scale);
            }
            matmul_wsum(k, s->xb + (size_t)b * dim + (size_t)h * head_size, att,
                        s->value_cache + head_offset, kv_dim, head_size, pos + 1);
        }
    }
}

/* ---------------------------------------------------------------- forward */

/* What comes before a group of products, for tokens [b0, b1): x += add
 * (a residual; add may be NULL), xb = norm(x) (without norm_w, xb as it
 * is), then xb prepared for each of n_w weights. On the cores, by tokens. */
typedef struct {
    const Transformer *t;
    float *x;
    const float *add;
    const llama_tensor *norm_w;
    float *xb;
    size_t ld;                  /* floats from one token's xb to the next */
    int n_w;
    const llama_tensor *w[3];
    void *act[3];
} PrepareJob;

static void prepare_rows(void *arg, int b0, int b1) {
    const PrepareJob *j = arg;
    size_t D = (size_t)j->t->config.dim;
    if (j->add)
        for (size_t i = (size_t)b0 * D; i < (size_t)b1 * D; i++) j->x[i] += j->add[i];
    if (j->norm_w) norm(j->t, j->xb + (size_t)b0 * D, j->x + (size_t)b0 * D, b1 - b0, j->norm_w);
    for (int k = 0; k < j->n_w; k++) matmul_prepare_rows(j->w[k], j->xb, j->ld, b0, b1, j->act[k]);
}

/* Adds weight w to the job unless an earlier one shares its preparation;
 * returns the prepared buffer w's product reads. */
static const void *prepare_for(PrepareJob *j, const llama_tensor *w, void *act) {
    for (int k = 0; k < j->n_w; k++)
        if (matmul_act_key(j->w[k]) == matmul_act_key(w)) return j->act[k];
    j->w[j->n_w] = w;
    j->act[j->n_w++] = act;
    return act;
}

static void prepare(Transformer *t, const PrepareJob *j, int m) {
    compute_for(&t->compute, m, 4L * (long)j->ld * m, prepare_rows, (void *)j);
}

/* One batch: m tokens at pos, pos+1, ... (m <= t->batch). */
static void forward_batch(Transformer *t, const int *tokens, int m, int pos) {
    const llama_config *p = &t->config;
    const llama_weights *w = &t->weights;
    RunState *s = &t->state;
    int dim = p->dim, kv_dim = p->kv_dim, hidden_dim = p->hidden_dim;
    size_t D = (size_t)dim, KV = (size_t)kv_dim, HD = (size_t)hidden_dim;

    for (int b = 0; b < m; b++) {
        embed(t, s->x + (size_t)b * D, tokens[b]);
        rope_angles(t, b, pos + b);   /* the same for every layer */
    }

    for (int l = 0; l < p->n_layers; l++) {
        const llama_layer *ly = &w->layer[l];
        if (t->tuner.in_step) tuner_unit(&t->tuner, unit_kinds(t, l));

        /* q, and these positions' keys and values straight into the cache;
         * the three products share prepared inputs where their types agree */
        size_t layer_offset = (size_t)l * (size_t)t->steps * KV;
        PrepareJob pre = { t, s->x, NULL, &ly->attn_norm, s->xb, D, 0, { NULL }, { NULL } };
        const void *aq = prepare_for(&pre, &ly->wq, s->act[0]);
        const void *ak = prepare_for(&pre, &ly->wk, s->act[1]);
        const void *av = prepare_for(&pre, &ly->wv, s->act[2]);
        prepare(t, &pre, m);
        QKVJob qkv = {
            t, &ly->wq, &ly->wk, &ly->wv, aq, ak, av, m,
            s->key_cache + layer_offset + (size_t)pos * KV,
            s->value_cache + layer_offset + (size_t)pos * KV,
        };
        int kq = matmul_kind(ly->wq.type);
        if (kq == matmul_kind(ly->wk.type) && kq == matmul_kind(ly->wv.type)) {
            products_for(t, kq, weight_bytes(&ly->wq) + weight_bytes(&ly->wk) + weight_bytes(&ly->wv),
                         dim + 2 * kv_dim, (long)dim * (dim + 2 * kv_dim) * m, qkv_rows, &qkv);
        } else {   /* types that differ (llama-quantize's Q4_K_M: some wv Q6_K), each timed as its own */
            product(t, &ly->wq, aq, m, s->q, D);
            product(t, &ly->wk, ak, m, qkv.k, KV);
            product(t, &ly->wv, av, m, qkv.v, KV);
        }
        for (int b = 0; b < m; b++) {
            rope(t, s->q + (size_t)b * D, dim, b);
            rope(t, qkv.k + (size_t)b * KV, kv_dim, b);
        }

        AttentionJob job = { t, layer_offset, pos, m };
        compute_for(&t->compute, p->n_heads, 2L * dim * (pos + m) * m, attention_heads, &job);

        PrepareJob pre_o = { t, s->x, NULL, NULL, s->xb, D, 0, { NULL }, { NULL } };
        const void *ao = prepare_for(&pre_o, &ly->wo, s->act[0]);
        prepare(t, &pre_o, m);
        product(t, &ly->wo, ao, m, s->xb2, D);

        /* the residual, then the feed-forward: w2(silu(w1 x) * w3 x) */
        PrepareJob pre_f = { t, s->x, s->xb2, &ly->ffn_norm, s->xb, D, 0, { NULL }, { NULL } };
        const void *a1 = prepare_for(&pre_f, &ly->w1, s->act[0]);
        const void *a3 = prepare_for(&pre_f, &ly->w3, s->act[1]);
        prepare(t, &pre_f, m);
        FFNJob ffn = { t, &ly->w1, &ly->w3, a1, m };
        if (matmul_kind(ly->w3.type) != matmul_kind(ly->w1.type)) {
            /* rare mixed types: the two halves apart */
            product(t, &ly->w1, a1, m, s->hb, HD);
            product(t, &ly->w3, a3, m, s->hb2, HD);
            for (int b = 0; b < m; b++)
                silu_mul(s->hb + (size_t)b * HD, s->hb2 + (size_t)b * HD, hidden_dim, p->ggml_arith);
        } else {
            products_for(t, matmul_kind(ly->w1.type), weight_bytes(&ly->w1) + weight_bytes(&ly->w3), hidden_dim,
                         2L * dim * hidden_dim * m, ffn_rows, &ffn);
        }
        PrepareJob pre_2 = { t, s->x, NULL, NULL, s->hb, HD, 0, { NULL }, { NULL } };
        prepare_for(&pre_2, &ly->w2, s->act_hidden);
        prepare(t, &pre_2, m);
        product(t, &ly->w2, s->act_hidden, m, s->xb, D);
        for (size_t i = 0; i < (size_t)m * D; i++) s->x[i] += s->xb[i];
    }
}

static void forward_all(Transformer *t, const int *tokens, int n, int pos) {
    RunState *s = &t->state;
    size_t D = (size_t)t->config.dim;
    int last = 0;
    for (int done = 0; done < n;) {
        int m = n - done < t->batch ? n - done : t->batch;
        forward_batch(t, tokens + done, m, pos + done);
        last = m - 1;
        done += m;
    }
    /* the last token: final norm and classifier */
    float *x = s->x + (size_t)last * D;
    norm(t, x, x, 1, &t->weights.rms_final);
    matmul_prepare(t->compute.kernel, &t->weights.wcls, x, D, 1, s->act[0]);
    if (t->tuner.in_step) tuner_unit(&t->tuner, unit_kinds(t, t->config.n_layers));   /* a unit of its own */
    product(t, &t->weights.wcls, s->act[0], 1, s->logits, 0);
}

float *transformer_forward(Transformer *t, const int *tokens, int n, int pos) {
    int timed = tuner_begin(&t->tuner, n);
    forward_all(t, tokens, n, pos);
    if (timed) tuner_end(&t->tuner);
    return t->state.logits;
}
