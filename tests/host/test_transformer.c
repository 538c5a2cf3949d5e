/* lib/llama/transformer and generate: the forward pass against a plain
 * run.c-style forward written here with libm's expf/sinf/cosf/powf/sqrtf
 * and dot products in matmul.h's 16-lane order (logits must be
 * bit-identical, on stories260K with its grouped-query attention and hidden
 * size 172, and on stories15M, at every SIMD level this CPU has); split
 * across fake cores in odd chunks; and the public API end to end (sizing,
 * errors, greedy output equal to run.c's). */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/check.h"
#include "lib/llama/llama.h"
#include "lib/llama/arena.h"
#include "lib/llama/f16.h"
#include "lib/llama/mathf.h"
#include "lib/llama/transformer.h"
#include "tests/host/flat_weights.h"
#define CHECK_FLAT(w) CHECK((w)->ok, "%s", (w)->why)
#include "tests/host/flat_weights.h"
#define CHECK_FLAT(w) CHECK((w)->ok, "%s", (w)->why)
#include "tests/host/model_file.h"

/* ---------------------------------------------------------------- files */

/* A llama2.c checkpoint or a GGUF file, parsed into ck (its bytes in
 * *file, to free); nonzero when missing or invalid (err says why). */
static int load(const char *name, llama_model *ck, unsigned char **file, llama_error *err) {
    size_t size;
    *file = model_file(name, &size);
    if (!*file) {
        snprintf(err->msg, sizeof err->msg, "%s not found", name);
        return -1;
    }
    if (!llama_is_gguf(*file, size)) return llama_checkpoint_parse(ck, *file, size, err);
    return llama_gguf_parse(ck, *file, size, err) || llama_model_prepare(ck, *file, size, err);
}

/* ---------------------------------------------------------------- oracle */

typedef struct {
    float *x, *xb, *xb2, *hb, *hb2, *q, *k, *v, *att, *logits, *kc, *vc;
} Ref;

static void ref_alloc(Ref *r, const llama_config *p) {
    r->x = calloc((size_t)p->dim, 4); r->xb = calloc((size_t)p->dim, 4); r->xb2 = calloc((size_t)p->dim, 4);
    r->hb = calloc((size_t)p->hidden_dim, 4); r->hb2 = calloc((size_t)p->hidden_dim, 4);
    r->q = calloc((size_t)p->dim, 4); r->att = calloc((size_t)p->n_heads * (size_t)p->seq_len, 4);
    r->logits = calloc((size_t)p->vocab_size, 4);
    r->kc = calloc((size_t)p->n_layers * (size_t)p->seq_len * (size_t)p->kv_dim, 4);
    r->vc = calloc((size_t)p->n_layers * (size_t)p->seq_len * (size_t)p->kv_dim, 4);
}

static void ref_free(Ref *r) {
    free(r->x); free(r->xb); free(r->xb2); free(r->hb); free(r->hb2); free(r->q);
    free(r->att); free(r->logits); free(r->kc); free(r->vc);
}

static void ref_rmsnorm(float *o, const float *x, const float *w, int n) {
    float ss = 0.0f;
    for (int j = 0; j < n; j++) ss += x[j] * x[j];
    ss /= n;
    ss += 1e-5f;
    ss = 1.0f / sqrtf(ss);
    for (int j = 0; j < n; j++) o[j] = w[j] * (ss * x[j]);
}

static void ref_softmax(float *x, int n) {
    float m = x[0], sum = 0.0f;
    for (int i = 1; i < n; i++) if (x[i] > m) m = x[i];
    for (int i = 0; i < n; i++) { x[i] = expf(x[i] - m); sum += x[i]; }
    for (int i = 0; i < n; i++) x[i] /= sum;
}

/* matmul.h's order: 16 lanes, lane k summing j = k, k+16, ...; a tree. */
static float ref_dot(const float *a, const float *b, int n) {
    float l[16] = { 0 };
    for (int j = 0; j < n; j++) l[j % 16] += a[j] * b[j];
    for (int k = 0; k < 8; k++) l[k] += l[k + 8];
    for (int k = 0; k < 4; k++) l[k] += l[k + 4];
    return (l[0] + l[2]) + (l[1] + l[3]);
}

static void ref_matmul(float *o, const float *x, const float *w, int n, int d) {
    for (int i = 0; i < d; i++) o[i] = ref_dot(w + (size_t)i * n, x, n);
}

static float *ref_forward(Ref *r, const llama_model *ck, int token, int pos) {
    const llama_config *p = &ck->config;
    FlatWeights fw = flat_weights(ck);
    const FlatWeights *w = &fw;
    CHECK_FLAT(w);
    int dim = p->dim, kv_dim = p->kv_dim, hs = p->head_size, hid = p->hidden_dim;
    int kv_mul = p->n_heads / p->n_kv_heads;
    memcpy(r->x, w->token_embedding + (size_t)token * dim, (size_t)dim * 4);
    for (int l = 0; l < p->n_layers; l++) {
        ref_rmsnorm(r->xb, r->x, w->rms_att + (size_t)l * dim, dim);
        size_t loff = (size_t)l * p->seq_len * kv_dim;
        r->k = r->kc + loff + (size_t)pos * kv_dim;
        r->v = r->vc + loff + (size_t)pos * kv_dim;
        ref_matmul(r->q, r->xb, w->wq + (size_t)l * dim * dim, dim, dim);
        ref_matmul(r->k, r->xb, w->wk + (size_t)l * dim * kv_dim, dim, kv_dim);
        ref_matmul(r->v, r->xb, w->wv + (size_t)l * dim * kv_dim, dim, kv_dim);
        for (int i = 0; i < dim; i += 2) {
            int head_dim = i % hs;
            float freq = 1.0f / powf(10000.0f, head_dim / (float)hs);
            float val = pos * freq, fcr = cosf(val), fci = sinf(val);
            for (int v = 0; v < (i < kv_dim ? 2 : 1); v++) {
                float *vec = v == 0 ? r->q : r->k;
                float v0 = vec[i], v1 = vec[i + 1];
                vec[i] = v0 * fcr - v1 * fci;
                vec[i + 1] = v0 * fci + v1 * fcr;
            }
        }
        for (int h = 0; h < p->n_heads; h++) {
            float *q = r->q + h * hs, *att = r->att + (size_t)h * p->seq_len;
            for (int t = 0; t <= pos; t++) {
                float *k = r->kc + loff + (size_t)t * kv_dim + (h / kv_mul) * hs;
                float score = ref_dot(q, k, hs);
                score /= sqrtf(hs);
                att[t] = score;
            }
            ref_softmax(att, pos + 1);
            float *xb = r->xb + h * hs;
            memset(xb, 0, (size_t)hs * 4);
            for (int t = 0; t <= pos; t++) {
                float *v = r->vc + loff + (size_t)t * kv_dim + (h / kv_mul) * hs;
                for (int i = 0; i < hs; i++) xb[i] += att[t] * v[i];
            }
        }
        ref_matmul(r->xb2, r->xb, w->wo + (size_t)l * dim * dim, dim, dim);
        for (int i = 0; i < dim; i++) r->x[i] += r->xb2[i];
        ref_rmsnorm(r->xb, r->x, w->rms_ffn + (size_t)l * dim, dim);
        ref_matmul(r->hb, r->xb, w->w1 + (size_t)l * dim * hid, dim, hid);
        ref_matmul(r->hb2, r->xb, w->w3 + (size_t)l * dim * hid, dim, hid);
        for (int i = 0; i < hid; i++) {
            float val = r->hb[i];
            val *= (1.0f / (1.0f + expf(-val)));
            val *= r->hb2[i];
            r->hb[i] = val;
        }
        ref_matmul(r->xb, r->hb, w->w2 + (size_t)l * dim * hid, hid, dim);
        for (int i = 0; i < dim; i++) r->x[i] += r->xb[i];
    }
    ref_rmsnorm(r->x, r->x, w->rms_final, dim);
    ref_matmul(r->logits, r->x, w->wcls, dim, p->vocab_size);
    return r->logits;
}

/* ---------------------------------------------------------------- engine */

/* A fake multi-core platform: odd-sized chunks, last chunk first. */
static void odd_parallel_for(void *ctx, int n, llama_range_fn fn, void *arg) {
    (void)ctx;
    int cuts[6] = { 0, n / 7, n / 3, n / 3 + 1, (2 * n) / 3, n };
    for (int c = 4; c >= 0; c--)
        if (cuts[c] < cuts[c + 1]) fn(arg, cuts[c], cuts[c + 1]);
}

typedef struct { Transformer t; void *mem; } Engine;

static void engine_open(Engine *e, const llama_model *ck, int steps, const llama_platform *pf) {
    Arena a;
    arena_measure(&a);
    transformer_init(&e->t, ck, steps, pf, &a);
    size_t need = arena_needed(&a);
    e->mem = calloc(1, need);
    arena_init(&a, e->mem, need);
    transformer_init(&e->t, ck, steps, pf, &a);
}

static uint64_t lcg = 77;
static int rnd_token(int vocab) {
    lcg = lcg * 6364136223846793005ull + 1442695040888963407ull;
    return (int)((lcg >> 33) % (uint64_t)vocab);
}

/* Logits of positions 0..positions-1 against the oracle. */
static void compare(const char *name, int positions, int hw_fma, const llama_platform *pf) {
    llama_model ck;
    unsigned char *file;
    llama_error err;
    CHECK(load(name, &ck, &file, &err) == 0, "%s: %s", name, err.msg);
    if (check_failed_) return;
    m_set_fma(hw_fma);
    m_set_vector(hw_fma && (llama_cpu_detect() & LLAMA_CPU_AVX2));   /* exponentials four at a time */
    Engine e;
    engine_open(&e, &ck, ck.config.seq_len, pf);
    Ref r;
    ref_alloc(&r, &ck.config);
    int token = 1;
    for (int pos = 0; pos < positions; pos++) {
        float *a = transformer_forward(&e.t, &token, 1, pos);
        float *b = ref_forward(&r, &ck, token, pos);
        int same = memcmp(a, b, (size_t)ck.config.vocab_size * 4) == 0;
        CHECK(same, "%s: logits differ at pos %d (fma %s)", name, pos, hw_fma ? "hw" : "soft");
        if (!same) break;
        token = rnd_token(ck.config.vocab_size);
    }
    m_set_vector(0);
    m_set_fma(0);
    ref_free(&r);
    free(e.mem);
    free(file);
}

static int have_fma(void) { return (llama_cpu_detect() & LLAMA_CPU_FMA) != 0; }

TEST(forward_260k_all_positions) {
    compare("stories260K.bin", CHECK_SCALE(512, 64), have_fma(), NULL);
    compare("stories260K.bin", 64, 0, NULL);
}

TEST(forward_15m) { compare("stories15M.bin", CHECK_SCALE(48, 6), have_fma(), NULL); }

/* Every SIMD level this CPU offers gives the oracle's bits. */
TEST(forward_every_simd_level) {
    unsigned have = llama_cpu_detect();
    for (int i = 0; matmul_levels[i] && !check_failed_; i++) {
        if (matmul_levels[i]->needs & ~have) continue;
        llama_platform pf = { NULL, NULL, NULL, NULL, matmul_levels[i]->needs, NULL, NULL, 1 };
        compare("stories260K.bin", 64, have_fma(), &pf);
        compare("stories15M.bin", 6, have_fma(), &pf);
        if (check_failed_)
            snprintf(check_why_ + strlen(check_why_), sizeof check_why_ - strlen(check_why_),
                     " (set %s)", matmul_levels[i]->set);
    }
}

TEST(forward_split_across_cores) {
    llama_platform pf = { NULL, NULL, NULL, odd_parallel_for, 0, NULL, NULL, 0 };
    compare("stories260K.bin", 100, have_fma(), &pf);
    compare("stories15M.bin", 8, have_fma(), &pf);
}

/* A prompt run in batches (of any size, cut anywhere) gives the logits of
 * running it one position at a time, bit for bit: a llama2.c model, and
 * GGUF models of each kind of weights and attention. */
static void batched_equals_sequential(const char *name, int n, const llama_platform *pf) {
    unsigned char *file;
    static llama_model m;
    llama_error err;
    int bad = load(name, &m, &file, &err);
    CHECK(bad == 0, "%s: %s", name, err.msg);
    if (bad) { free(file); return; }
    if (n > m.config.seq_len) n = m.config.seq_len;
    int *tokens = malloc((size_t)n * sizeof *tokens);
    for (int i = 0; i < n; i++) tokens[i] = i == 0 ? 1 : rnd_token(m.config.vocab_size);
    size_t V = (size_t)m.config.vocab_size;
    float *one = malloc(V * sizeof *one);
    Engine a, b;
    engine_open(&a, &m, n, pf);
    engine_open(&b, &m, n, pf);
    for (int pos = 0; pos < n; pos++) transformer_forward(&a.t, tokens + pos, 1, pos);
    memcpy(one, a.t.state.logits, V * sizeof *one);
    /* cut the same prompt into pieces of 1, 5, 64 (a full batch) and the rest */
    int cuts[] = { 1, 5, TRANSFORMER_BATCH, n };
    float *last = NULL;
    for (int pos = 0, c = 0; pos < n; c++) {
        int len = c < 3 ? cuts[c] : n - pos;
        if (len > n - pos) len = n - pos;
        last = transformer_forward(&b.t, tokens + pos, len, pos);
        pos += len;
    }
    CHECK(memcmp(one, last, V * sizeof *one) == 0, "%s: batched logits differ", name);
    size_t cache = (size_t)m.config.n_layers * (size_t)n * (size_t)m.config.kv_dim;
    CHECK(memcmp(a.t.state.key_cache, b.t.state.key_cache, cache * 4) == 0 &&
          memcmp(a.t.state.value_cache, b.t.state.value_cache, cache * 4) == 0,
          "%s: batched KV cache differs", name);
    free(a.mem);
    free(b.mem);
    free(one);
    free(tokens);
    free(file);
}

TEST(forward_batched_is_sequential) {
    batched_equals_sequential("stories260K.bin", CHECK_SCALE(150, 70), NULL);
    batched_equals_sequential("gguf/tinyllama-mini-Q4_K_M.gguf", CHECK_SCALE(90, 20), NULL);
    batched_equals_sequential("gguf/llama3-mini-Q4_K_M.gguf", CHECK_SCALE(80, 20), NULL);
    batched_equals_sequential("gguf/stories15M-Q4_0.gguf", CHECK_SCALE(70, 20), NULL);
    llama_platform pf = { NULL, NULL, NULL, odd_parallel_for, llama_cpu_detect(), NULL, NULL, 0 };
    batched_equals_sequential("gguf/stories15M-F16.gguf", CHECK_SCALE(70, 20), &pf);
    /* on the widest level: AMX's tiles where the CPU has them (batches of
     * 16 and more, the rest of a batch on VNNI) */
    batched_equals_sequential("gguf/stories15M-Q8_0.gguf", CHECK_SCALE(70, 40), &pf);
    batched_equals_sequential("gguf/stories15M-Q4_0.gguf", CHECK_SCALE(70, 40), &pf);
    batched_equals_sequential("gguf/tinyllama-mini-Q4_K_M.gguf", CHECK_SCALE(90, 40), &pf);
}

/* The tuner: a clock under which a product timed on candidate c of its
 * kind takes ns[c] per MiB of its weights, or ns_of[kind][c] where the
 * test gives a kind its own (the candidates in tuner_init's order: the
 * widest level reading one stream ahead where the kind is a block type,
 * then four streams, then bare, then prefetched into L2, then the next
 * sets the same; the
 * candidate is the one the tuner times, and the engine must be running
 * its kind's products on it). After the trials, one-token steps run each
 * kind on its fastest; the logits are those of an engine that never
 * tunes, all along (the timed steps run their units on several
 * candidates); batches stay on the widest; --simd (simd_fixed) keeps the
 * widest. */
typedef struct {
    uint64_t now;
    const Transformer *t;
    const uint64_t *ns, *ns_of[MATMUL_KINDS];
    int runs[MATMUL_KINDS][TUNE_MAX];     /* clock readings while timing each candidate */
} TunerClock;
static uint64_t tuner_clock(void *ctx) {
    TunerClock *c = ctx;
    const LevelTuner *u = &c->t->tuner;
    int kind = u->timing < 0 ? -1 : u->timing, k = kind < 0 ? -1 : u->unit[kind];
    if (k < 0) return c->now;                  /* a product begins */
    TuneChoice want = u->kind[kind].cand[k];
    CHECK(u->runs_on[kind] == want.kernel && matmul_read[kind] == want.read,
          "timing %s on %s/%s while it runs on %s/%s", matmul_kind_names[kind], want.kernel->set,
          matmul_read_names[want.read], u->runs_on[kind]->set, matmul_read_names[matmul_read[kind]]);
    c->runs[kind][k]++;
    const uint64_t *ns = c->ns_of[kind] ? c->ns_of[kind] : c->ns;
    return c->now += (ns[k] * u->timing_bytes) >> 20;
}

/* The choice for `kind` (-1: that of the layers' wq) after the trials,
 * that kind's number of candidates, and (timed, when not NULL) the steps
 * timed on each; tuned_steps: how many steps timed that kind, tuned_cand
 * the choice's place among its candidates. ns_of: a
 * kind's own times, or NULL. */
static int tuned_steps, tuned_cand;
static TuneChoice tuned_kind(unsigned features, const uint64_t *ns, const uint64_t *const *ns_of, int fixed,
                             const llama_model *m, int kind, int *n_cand, int *timed) {
    TunerClock clock = { 1, NULL, ns, { NULL }, { { 0 } } };
    for (int k = 0; ns_of && k < MATMUL_KINDS; k++) clock.ns_of[k] = ns_of[k];
    llama_platform pf = { &clock, NULL, tuner_clock, NULL, features, NULL, NULL, fixed };
    llama_platform plain = { NULL, NULL, NULL, NULL, features, NULL, NULL, 1 };
    Engine e, ref;
    engine_open(&e, m, 64, &pf);
    engine_open(&ref, m, 64, &plain);
    clock.t = &e.t;
    const LevelTuner *u = &e.t.tuner;
    if (kind < 0) kind = matmul_kind(m->weights.layer[0].wq.type);
    const KindTuner *kt = &u->kind[kind];
    *n_cand = kt->n_cand;
    int token = 1;
    for (int pos = 0; pos < 2 * TUNE_MAX * TUNE_TRIALS + 2 && !check_failed_; pos++) {
        float *a = transformer_forward(&e.t, &token, 1, pos);
        float *b = transformer_forward(&ref.t, &token, 1, pos);
        CHECK(memcmp(a, b, (size_t)m->config.vocab_size * 4) == 0, "logits differ at pos %d", pos);
        token = rnd_token(m->config.vocab_size);
    }
    CHECK(!transformer_tuning(&e.t), "still timing after %d steps", u->steps);
    for (int k = 0; fixed && k < kt->n_cand; k++)
        CHECK(kt->cand[k].kernel == u->widest || kt->cand[k].kernel->variant_of == u->widest,
              "--simd: candidate %d on %s", k, kt->cand[k].kernel->set);
    /* a step timed on a candidate ran some of its products there */
    for (int k = 0; k < kt->n_cand; k++)
        CHECK(clock.runs[kind][k] >= kt->tried[k], "candidate %d: %d steps timed, %d products run", k,
              kt->tried[k], clock.runs[kind][k]);
    if (timed) memcpy(timed, kt->tried, sizeof kt->tried);
    tuned_steps = kt->steps;
    TuneChoice c = transformer_choice(&e.t, kind);
    tuned_cand = -1;
    for (int k = 0; k < kt->n_cand; k++)
        if (kt->cand[k].kernel == c.kernel && kt->cand[k].read == c.read) tuned_cand = k;
    /* one-token steps run each kind on its choice */
    transformer_forward(&e.t, &token, 1, 0);
    for (int k = 0; k < MATMUL_KINDS; k++) {
        TuneChoice ck = transformer_choice(&e.t, k);
        if (ck.kernel)
            CHECK(u->runs_on[k] == ck.kernel && matmul_read[k] == ck.read, "%s runs on %s/%s, its choice %s/%s",
                  matmul_kind_names[k], u->runs_on[k]->set, matmul_read_names[matmul_read[k]], ck.kernel->set,
                  matmul_read_names[ck.read]);
    }
    free(e.mem);
    free(ref.mem);
    return c;
}
static TuneChoice tuned_on(unsigned features, const uint64_t *ns, int fixed, const llama_model *m, int *n_cand,
                           int *timed) {
    return tuned_kind(features, ns, NULL, fixed, m, -1, n_cand, timed);
}
static TuneChoice tuned(const uint64_t *ns, int fixed, const llama_model *m, int *n_cand, int *timed) {
    return tuned_on(llama_cpu_detect(), ns, fixed, m, n_cand, timed);
}

/* The next level of another name below the widest that a CPU with
 * features `have` runs, past those with the widest's one-vector kernels
 * (AMX's are VNNI's: nothing to time), or NULL; NULL too where it has no
 * kernels of its own for weights of `kind` (SSE2's for the GGUF types),
 * which the tuner never times. */
static const MatmulKernel *next_level(const MatmulKernel *widest, unsigned have, int kind) {
    const char *same = widest->name;
    int below = 0;
    for (int i = 0; matmul_levels[i]; i++) {
        const MatmulKernel *k = matmul_levels[i];
        below |= k == widest;
        if (!below || k == widest || (k->needs & ~have) || k->variant_of) continue;
        int under_avx2 = (widest->needs & LLAMA_CPU_AVX2) && !(k->needs & LLAMA_CPU_AVX2);
        if (under_avx2 && (k->needs & LLAMA_CPU_SSE41)) continue;   /* AVX2's kernels on halves */
        if (k->q8_rows == widest->q8_rows && k->f32_rows == widest->f32_rows) same = k->name;
        else if (strcmp(k->name, same) != 0)      /* below AVX2: llama2.c's kinds only */
            return matmul_level_serves(k, kind) && (!under_avx2 || kind == MATMUL_F32 || kind == MATMUL_RUNQ8)
                       ? k : NULL;
    }
    return NULL;
}

#define PICKED(c, level, rd) (strcmp((c).kernel->name, (level)->name) == 0 && (c).read == (rd))

TEST(level_tuner_keeps_the_faster) {
    const MatmulKernel *widest = matmul_select(llama_cpu_detect()),
                      *next = next_level(widest, llama_cpu_detect(), MATMUL_F32);
    llama_model ck;
    unsigned char *file;
    llama_error err;
    CHECK(load("stories260K.bin", &ck, &file, &err) == 0, "%s", err.msg);
    if (check_failed_) return;
    /* fp32 weights: the reads change nothing, only the levels are timed */
    int n;
    TuneChoice a = tuned((const uint64_t[]){ 100000, 50000 }, 0, &ck, &n, NULL);   /* narrower twice as fast */
    CHECK(n == (next ? 2 : 1), "%d candidates for an fp32 model", n);
    if (next) CHECK(PICKED(a, next, MATMUL_READ_STREAMS), "picked %s/%d, want %s", a.kernel->name, a.read, next->name);
    TuneChoice b = tuned((const uint64_t[]){ 100000, 200000 }, 0, &ck, &n, NULL);  /* narrower slower */
    CHECK(PICKED(b, widest, MATMUL_READ_STREAMS), "picked %s/%d", b.kernel->name, b.read);
    TuneChoice c = tuned((const uint64_t[]){ 100000, 50000 }, 1, &ck, &n, NULL);   /* --simd: fixed */
    CHECK(PICKED(c, widest, MATMUL_READ_STREAMS), "with simd_fixed picked %s/%d", c.kernel->name, c.read);
    free(file);
}

TEST(level_tuner_times_every_read) {
    const MatmulKernel *widest = matmul_select(llama_cpu_detect()),
                      *next = next_level(widest, llama_cpu_detect(), MATMUL_Q4_0);
    unsigned char *file;
    static llama_model m;
    llama_error err;
    CHECK(load("gguf/stories15M-Q4_0.gguf", &m, &file, &err) == 0, "%s", err.msg);
    if (check_failed_) { free(file); return; }
    int n;
    /* widest ahead fastest; next ahead fastest; widest streams fastest;
     * widest bare fastest; widest into L2 fastest (each level: ahead,
     * streams, bare, L2) */
    int timed[TUNE_MAX];
    TuneChoice a = tuned((const uint64_t[]){ 50000, 100000, 100000, 100000, 80000, 90000, 90000, 90000 }, 0, &m, &n,
                         timed);
    CHECK(n == (next ? 8 : 4), "%d candidates for a Q4_0 model", n);
    CHECK(PICKED(a, widest, MATMUL_READ_AHEAD), "picked %s/%d", a.kernel->name, a.read);
    /* more than an eighth slower than the fastest: timed in one step, no
     * more; with one candidate left, the timing ends: after the steps that
     * time each once (the model's layers shared out among them) */
    int units = m.config.n_layers, first = (n + units - 1) / units;
    for (int c = 0; c < n; c++) CHECK(timed[c] == 1, "candidate %d timed %d times", c, timed[c]);
    CHECK(tuned_steps == first, "%d steps timed, want %d shared by all %d candidates (%d layers)", tuned_steps, first,
          n, units);
    if (next) {
        TuneChoice b = tuned((const uint64_t[]){ 90000, 100000, 100000, 100000, 50000, 95000, 95000, 95000 }, 0, &m,
                             &n, NULL);
        CHECK(PICKED(b, next, MATMUL_READ_AHEAD), "picked %s/%d, want %s ahead", b.kernel->name, b.read, next->name);
    }
    /* within an eighth of the fastest: every one timed in full, the fastest kept */
    TuneChoice c = tuned((const uint64_t[]){ 56000, 50000, 56200, 55500, 55000, 54000, 53000, 52000 }, 0, &m, &n,
                         timed);
    CHECK(PICKED(c, widest, MATMUL_READ_STREAMS), "picked %s/%d", c.kernel->name, c.read);
    for (int k = 0; k < n; k++) CHECK(timed[k] == TUNE_TRIALS, "candidate %d timed %d times", k, timed[k]);
    /* the steps that time each once, then the other trials, at most a
     * unit each for each candidate in a step */
    int rest = (n * (TUNE_TRIALS - 1) + units - 1) / units;
    rest = rest > TUNE_TRIALS - 1 ? rest : TUNE_TRIALS - 1;
    CHECK(tuned_steps == first + rest, "%d steps timed, want %d", tuned_steps, first + rest);
    /* the rows bare (no software prefetch: Zen 4) fastest */
    TuneChoice e = tuned((const uint64_t[]){ 100000, 90000, 60000, 100000, 100000, 90000, 80000, 90000 }, 0, &m, &n,
                         NULL);
    CHECK(PICKED(e, widest, MATMUL_READ_BARE), "picked %s/%d, want bare", e.kernel->name, e.read);
    /* prefetched into L2 (wide rows on Zen 4) fastest */
    TuneChoice g = tuned((const uint64_t[]){ 100000, 90000, 90000, 60000, 100000, 90000, 80000, 90000 }, 0, &m, &n,
                         NULL);
    CHECK(PICKED(g, widest, MATMUL_READ_L2), "picked %s/%d, want l2", g.kernel->name, g.read);
    /* --simd: the widest level only, every way of reading still timed (on
     * Zen 5 the K-quants read as four streams take 2.5 times as long) */
    TuneChoice d = tuned((const uint64_t[]){ 50000, 100000, 100000, 100000 }, 1, &m, &n, NULL);
    CHECK(n == 4, "%d candidates under --simd for a Q4_0 model", n);
    CHECK(PICKED(d, widest, MATMUL_READ_AHEAD), "under --simd picked %s/%d", d.kernel->name, d.read);
    free(file);
    /* F16 rows are read as two streams, prefetched or bare: two ways */
    CHECK(load("gguf/stories15M-F16.gguf", &m, &file, &err) == 0, "%s", err.msg);
    if (check_failed_) { free(file); return; }
    TuneChoice f = tuned((const uint64_t[]){ 100000, 50000, 100000, 90000 }, 0, &m, &n, NULL);
    CHECK(n == (next ? 4 : 2), "%d candidates for an F16 model", n);
    CHECK(PICKED(f, widest, MATMUL_READ_BARE), "F16: picked %s/%d, want bare", f.kernel->name, f.read);
    free(file);
}

/* A variant of the widest set (matmul.h's variant_of: on AVX-512 VNNI,
 * Q4_K and Q5_K by 256-bit kernels) is timed, every way, where it differs
 * for the model's weights (Q4_K_M) and not where it does not (Q4_0), with
 * --simd too (it is the same level); picked when it is the fastest. */
TEST(level_tuner_times_a_variant) {
    const MatmulKernel *widest = matmul_select(llama_cpu_detect()),
                      *next = next_level(widest, llama_cpu_detect(), MATMUL_Q4_0), *variant = NULL;
    for (int i = 0; matmul_levels[i]; i++)
        if (matmul_levels[i]->variant_of == widest) variant = matmul_levels[i];
    if (!variant) {
        printf("    (no variant of %s here: nothing to time)\n", widest->set);
        return;
    }
    CHECK(variant->tensor[MATMUL_Q4_K] != widest->tensor[MATMUL_Q4_K], "the variant takes Q4_K as the widest does");
    unsigned char *file;
    static llama_model m;
    llama_error err;
    CHECK(load("gguf/tinyllama-mini-Q4_K_M.gguf", &m, &file, &err) == 0, "%s", err.msg);
    if (check_failed_) { free(file); return; }
    int n, timed[TUNE_MAX];
    /* widest ahead, streams, bare, L2; the variant's; the next level's */
    TuneChoice a = tuned((const uint64_t[]){ 90000, 95000, 80000, 85000, 85000, 90000, 60000, 90000, 100000, 100000,
                                             100000, 100000 },
                         0, &m, &n, timed);
    CHECK(n == (next ? 12 : 8), "%d candidates for a Q4_K_M model", n);
    CHECK(a.kernel == variant && a.read == MATMUL_READ_BARE, "picked %s/%d, want %s bare", a.kernel->set, a.read,
          variant->set);
    TuneChoice b = tuned((const uint64_t[]){ 60000, 95000, 80000, 85000, 85000, 90000, 90000, 90000, 100000, 100000,
                                             100000, 100000 },
                         0, &m, &n, NULL);
    CHECK(b.kernel == widest && b.read == MATMUL_READ_AHEAD, "picked %s/%d, want %s ahead", b.kernel->set, b.read,
          widest->set);
    TuneChoice c = tuned((const uint64_t[]){ 90000, 95000, 80000, 85000, 60000, 90000, 90000, 90000 }, 1, &m, &n, NULL);
    CHECK(n == 8, "%d candidates under --simd for a Q4_K_M model", n);
    CHECK(c.kernel == variant && c.read == MATMUL_READ_AHEAD, "under --simd picked %s/%d", c.kernel->set, c.read);
    free(file);
    CHECK(load("gguf/stories15M-Q4_0.gguf", &m, &file, &err) == 0, "%s", err.msg);
    if (check_failed_) { free(file); return; }
    tuned((const uint64_t[]){ 90000, 95000, 80000, 85000, 85000, 90000, 60000, 90000 }, 0, &m, &n, NULL);
    CHECK(n == (next ? 8 : 4), "%d candidates for a Q4_0 model, where the variant is the same", n);
    free(file);
}

/* Each kind is timed and chosen on its own: in a Q4_K_M model whose
 * Q4_K products are fastest on one candidate and Q6_K ones on another,
 * each runs on its own (the tuned engine's logits still an untuned one's);
 * a kind only the classifier has (stories15M-Q4_0's Q8_0 classifier) is
 * timed one candidate a step, every one of them, and picked by its own
 * times. */
TEST(level_tuner_chooses_per_kind) {
    unsigned char *file;
    static llama_model m;
    llama_error err;
    CHECK(load("gguf/tinyllama-mini-Q4_K_M.gguf", &m, &file, &err) == 0, "%s", err.msg);
    if (check_failed_) { free(file); return; }
    int n4, n6, timed[TUNE_MAX];
    /* every candidate 100000 but one (the arrays' first TUNE_MAX) */
#define ALL_SLOW 100000, 100000, 100000, 100000, 100000, 100000, 100000, 100000, 100000, 100000, 100000, 100000
    _Static_assert(TUNE_MAX <= 12, "ALL_SLOW: one for each candidate");
    static const uint64_t slow[] = { ALL_SLOW };
    static const uint64_t q4k[] = { 100000, 100000, 50000, ALL_SLOW };
    static const uint64_t q6k[] = { 100000, 50000, ALL_SLOW };
    const uint64_t *ns_of[MATMUL_KINDS] = { NULL };
    ns_of[MATMUL_Q4_K] = q4k;
    ns_of[MATMUL_Q6_K] = q6k;
    TuneChoice a = tuned_kind(llama_cpu_detect(), slow, ns_of, 0, &m, MATMUL_Q4_K, &n4, NULL);
    TuneChoice b = tuned_kind(llama_cpu_detect(), slow, ns_of, 0, &m, MATMUL_Q6_K, &n6, NULL);
    const MatmulKernel *widest = matmul_select(llama_cpu_detect());
    CHECK(n4 >= 3 && n6 >= 3, "%d Q4_K and %d Q6_K candidates", n4, n6);
    CHECK(a.kernel == widest && a.read == MATMUL_READ_BARE, "Q4_K on %s/%s, want %s/bare", a.kernel->set,
          matmul_read_names[a.read], widest->set);
    CHECK(b.kernel == widest && b.read == MATMUL_READ_STREAMS, "Q6_K on %s/%s, want %s/streams", b.kernel->set,
          matmul_read_names[b.read], widest->set);
    free(file);

    CHECK(load("gguf/stories15M-Q4_0.gguf", &m, &file, &err) == 0, "%s", err.msg);
    if (check_failed_) { free(file); return; }
    int cls = matmul_kind(m.weights.wcls.type), layers = matmul_kind(m.weights.layer[0].wq.type), n;
    CHECK(cls >= 0 && cls != layers, "the classifier of kind %d, the layers %d", cls, layers);
    if (check_failed_) { free(file); return; }
    /* the last of one level's four (a machine may have one level) */
    static const uint64_t fourth[] = { 100000, 100000, 100000, 50000, ALL_SLOW };
    for (int k = 0; k < MATMUL_KINDS; k++) ns_of[k] = NULL;
    ns_of[cls] = fourth;
    TuneChoice c = tuned_kind(llama_cpu_detect(), slow, ns_of, 0, &m, cls, &n, timed);
    CHECK(n >= 4, "%d candidates for the classifier's %s", n, matmul_kind_names[cls]);
    if (check_failed_) { free(file); return; }
    CHECK(tuned_cand == 3, "the classifier on its candidate %d (%s/%s), want 3", tuned_cand, c.kernel->set,
          matmul_read_names[c.read]);
    for (int k = 0; k < n; k++) CHECK(timed[k] >= 1, "classifier candidate %d never timed", k);
    /* one unit a step: a step for each candidate, then the others, more
     * than an eighth slower, are dropped */
    CHECK(tuned_steps == n, "the classifier's kind timed in %d steps, want %d", tuned_steps, n);
    free(file);
}

/* On an AVX2 machine (this one's features cut down to AVX2 and FMA) the
 * level below is SSE2, which has kernels of its own for fp32 weights but
 * none for the GGUF types: it is timed for an fp32 model, never for a
 * Q4_0 one (a token of plain C code costs more than a short run). */
TEST(level_tuner_skips_a_level_without_kernels) {
    unsigned avx2 = llama_cpu_detect() & (LLAMA_CPU_AVX2 | LLAMA_CPU_FMA);
    CHECK(avx2 == (LLAMA_CPU_AVX2 | LLAMA_CPU_FMA), "this test needs a CPU with AVX2 and FMA");
    if (check_failed_) return;
    const MatmulKernel *widest = matmul_select(avx2), *next = next_level(widest, avx2, MATMUL_F32);
    CHECK(strcmp(widest->name, "avx2") == 0 && next && strcmp(next->name, "sse2") == 0, "levels %s, %s",
          widest->name, next ? next->name : "none");
    llama_model ck;
    static llama_model m;
    unsigned char *f1, *f2;
    llama_error err;
    CHECK(load("stories260K.bin", &ck, &f1, &err) == 0, "%s", err.msg);
    if (check_failed_) return;
    CHECK(load("gguf/stories15M-Q4_0.gguf", &m, &f2, &err) == 0, "%s", err.msg);
    if (check_failed_) { free(f1); return; }
    int n, timed[TUNE_MAX];
    TuneChoice a = tuned_on(avx2, (const uint64_t[]){ 100000, 50000 }, 0, &ck, &n, NULL);
    CHECK(n == 2 && PICKED(a, next, MATMUL_READ_STREAMS), "fp32: %d candidates, picked %s", n, a.kernel->name);
    /* SSE2 twice as fast if it were timed: it is not a candidate */
    TuneChoice b = tuned_on(avx2, (const uint64_t[]){ 90000, 100000, 95000, 97000, 50000, 50000, 50000, 50000 }, 0, &m,
                            &n, timed);
    CHECK(n == 4, "%d candidates for a Q4_0 model on AVX2", n);
    CHECK(PICKED(b, widest, MATMUL_READ_AHEAD), "Q4_0: picked %s/%d", b.kernel->name, b.read);
    for (int k = 0; k < 4; k++) CHECK(timed[k] == TUNE_TRIALS, "candidate %d timed %d times", k, timed[k]);
    free(f1);
    free(f2);
}

/* TUNE_AGAIN one-token steps after the timing ended, it runs again from
 * the start: a clock under which another candidate becomes the fastest
 * after the first timing gets that one picked, and not before, the first
 * choice kept while the kind's second timing goes on; batches count no
 * step; the logits stay an untuned engine's all along. */
TEST(level_tuner_times_again) {
    static llama_model m;
    unsigned char *file;
    llama_error err;
    CHECK(load("gguf/stories15M-Q4_0.gguf", &m, &file, &err) == 0, "%s", err.msg);
    if (check_failed_) { free(file); return; }
    /* first the second candidate (four streams) fastest, then the third
     * (bare), the second within an eighth of it: timed in full */
    static const uint64_t before[] = { 100000, 50000, ALL_SLOW };
    static const uint64_t after[] = { 100000, 53000, 50000, ALL_SLOW };
    TunerClock clock = { 1, NULL, before, { NULL }, { { 0 } } };
    llama_platform pf = { &clock, NULL, tuner_clock, NULL, llama_cpu_detect(), NULL, NULL, 0 };
    llama_platform plain = { NULL, NULL, NULL, NULL, llama_cpu_detect(), NULL, NULL, 1 };
    Engine e, ref;
    engine_open(&e, &m, 64, &pf);
    engine_open(&ref, &m, 64, &plain);
    clock.t = &e.t;
    const LevelTuner *t = &e.t.tuner;
    const KindTuner *u = &t->kind[MATMUL_Q4_0];
    CHECK(u->n_cand >= 3, "%d candidates for a Q4_0 model", u->n_cand);
    int token = 1, step = 0, ended = -1, again = -1, timed = 0, batches = 0;
    for (; step < 3 * TUNE_AGAIN && again < 0 && !check_failed_; step++) {
        int pos = step % 64;
        if (pos == 8 && step > 64) {
            /* a batch of two: counts no one-token step */
            int two[2] = { token, 7 };
            float *a = transformer_forward(&e.t, two, 2, pos), *b = transformer_forward(&ref.t, two, 2, pos);
            CHECK(memcmp(a, b, (size_t)m.config.vocab_size * 4) == 0, "batch logits differ at step %d", step);
            batches += ended >= 0;
            step++;
            pos++;
        }
        float *a = transformer_forward(&e.t, &token, 1, pos);
        float *b = transformer_forward(&ref.t, &token, 1, pos);
        CHECK(memcmp(a, b, (size_t)m.config.vocab_size * 4) == 0, "logits differ at step %d", step);
        token = rnd_token(m.config.vocab_size);
        TuneChoice c = transformer_choice(&e.t, MATMUL_Q4_0);
        if (ended < 0 && !transformer_tuning(&e.t)) {
            ended = step;
            timed = t->steps;
            CHECK(c.kernel == u->cand[1].kernel && c.read == u->cand[1].read, "first picked %s/%d",
                  c.kernel->set, c.read);
            clock.ns = after;
        } else if (ended >= 0 && t->steps > timed) {
            again = step;
        }
    }
    CHECK(ended > 0 && again > ended, "timing ended at step %d, began again at %d", ended, again);
    /* the (TUNE_AGAIN + 1)-th one-token step after the end is timed */
    CHECK(batches > 0 && again - ended == TUNE_AGAIN + 1 + batches, "timed again %d steps after (%d, %d batches)",
          again - ended, TUNE_AGAIN, batches);
    int during = 0;
    for (int k = 0; k < TUNE_MAX * TUNE_TRIALS && tuner_kind_tuning(t, MATMUL_Q4_0) && !check_failed_; k++, step++) {
        TuneChoice c = transformer_choice(&e.t, MATMUL_Q4_0);
        CHECK(c.kernel == u->cand[1].kernel && c.read == u->cand[1].read, "while timing again: %s/%d",
              c.kernel->set, c.read);
        during++;
        float *a = transformer_forward(&e.t, &token, 1, step % 64);
        float *b = transformer_forward(&ref.t, &token, 1, step % 64);
        CHECK(memcmp(a, b, (size_t)m.config.vocab_size * 4) == 0, "logits differ at step %d", step);
    }
    /* the steps that time each candidate once (the layers shared out), then
     * the trials of the two left */
    int first = (u->n_cand + m.config.n_layers - 1) / m.config.n_layers;
    CHECK(during == first + TUNE_TRIALS - 2, "%d more steps timed, want %d", during, first + TUNE_TRIALS - 2);
    TuneChoice c = transformer_choice(&e.t, MATMUL_Q4_0);
    CHECK(!tuner_kind_tuning(t, MATMUL_Q4_0) && c.kernel == u->cand[2].kernel && c.read == u->cand[2].read, "then picked %s/%d, want %s/%d",
          c.kernel->set, c.read, u->cand[2].kernel->set, u->cand[2].read);
    free(e.mem);
    free(ref.mem);
    free(file);
}

/* ---------------------------------------------------------------- API */

typedef struct { char buf[1 << 16]; size_t n; } Capture;
static void capture(void *ctx, const char *bytes, size_t n) {
    Capture *c = ctx;
    if (c->n + n < sizeof c->buf) memcpy(c->buf + c->n, bytes, n);
    c->n += n;
}
static uint64_t fake_clock(void *ctx) {
    static uint64_t t = 1000000000ull;
    (void)ctx;
    return t += 1000000;                 /* 1 ms per reading */
}

typedef struct {
    llama_model ck;
    unsigned char *model, *tok;
} Files;

static int open_files(Files *f, const char *model, const char *tok) {
    size_t ms, ts;
    llama_error err;
    f->model = model_file(model, &ms);
    f->tok = model_file(tok, &ts);
    if (!f->model || !f->tok) return -1;
    if (llama_checkpoint_parse(&f->ck, f->model, ms, &err)) return -1;
    return llama_model_attach_tokenizer(&f->ck, f->tok, ts, &err);
}

TEST(generate_matches_run_c) {
    Files f;
    CHECK(open_files(&f, "stories260K.bin", "tok512.bin") == 0, "model files");
    if (check_failed_) return;
    static Capture cap;
    llama_platform pf = { &cap, capture, fake_clock, NULL, llama_cpu_detect(), NULL, NULL, 0 };
    llama_sampling sp = { 0.0f, 0.9f, 1 };
    int steps = llama_steps(&f.ck.config, 200);
    size_t need = llama_memory_needed(&f.ck, steps, 0);
    void *mem = malloc(need + 1);
    llama_error err;
    /* any alignment of the arena works */
    llama_session *s = llama_init((char *)mem + 1, need, &f.ck, steps, 0, &sp, &pf, &err);
    CHECK(s != NULL, "%s", err.msg);
    if (!s) return;
    llama_stats st;
    CHECK(llama_generate(s, NULL, &st, &err) == 0, "%s", err.msg);
    size_t rsize;
    FILE *rf = fopen("../shared/reference/s260k_greedy_n200.txt", "rb");
    CHECK(rf != NULL, "reference output not found");
    if (rf) {
        static char want[1 << 16];
        rsize = fread(want, 1, sizeof want, rf);
        fclose(rf);
        CHECK(cap.n == rsize && memcmp(cap.buf, want, rsize) == 0, "output differs from run.c's");
    }
    CHECK(st.pos == 200 && st.prompt_tokens == 1, "pos %d prompt %d", st.pos, st.prompt_tokens);
    CHECK(st.t_begin_ns < st.t_first_ns && st.t_first_ns < st.t_end_ns, "clock order");
    CHECK(llama_tokens_per_second(&st) > 0, "tok/s");

    /* a second run in the same session gives the same greedy story */
    size_t first = cap.n;
    CHECK(llama_generate(s, "", &st, &err) == 0 && cap.n == 2 * first &&
          memcmp(cap.buf, cap.buf + first, first) == 0, "second generate");
    /* prompts longer than the session was sized for are refused */
    CHECK(llama_generate(s, "Once", &st, &err) == -1 && strstr(err.msg, "longer than"), "%s", err.msg);
    free(mem);
    free(f.model);
    free(f.tok);
}

TEST(memory_sizing) {
    Files f;
    CHECK(open_files(&f, "stories15M.bin", "tokenizer.bin") == 0, "model files");
    if (check_failed_) return;
    const llama_config *c = &f.ck.config;
    CHECK(llama_steps(c, 0) == 256 && llama_steps(c, -3) == 256 && llama_steps(c, 257) == 256 &&
          llama_steps(c, 5) == 5, "steps clamp");
    size_t n16 = llama_memory_needed(&f.ck, 16, 100);
    size_t n64 = llama_memory_needed(&f.ck, 64, 100);   /* a whole batch from here on */
    size_t n256 = llama_memory_needed(&f.ck, 256, 100);
    size_t kv = 2 * (size_t)c->n_layers * c->kv_dim * 4;   /* cache bytes per step */
    CHECK(n64 > n16 && n256 > n64 && n256 - n64 >= 192 * kv && n256 - n64 < 192 * kv + 64 * 1024,
          "cache grows with steps: %zu -> %zu", n64, n256);
    CHECK(llama_memory_needed(&f.ck, 0, 0) == SIZE_MAX &&
          llama_memory_needed(&f.ck, 257, 0) == SIZE_MAX, "bad steps");
    CHECK(llama_memory_needed(&f.ck, 16, SIZE_MAX - 1) == SIZE_MAX, "huge prompt");
    static Capture cap;
    llama_platform pf = { &cap, capture, NULL, NULL, 0, NULL, NULL, 0 };
    llama_sampling sp = { 1.0f, 0.9f, 42 };
    llama_error err;
    void *mem = malloc(n16);
    CHECK(llama_init(mem, n16 - 1, &f.ck, 16, 100, &sp, &pf, &err) == NULL &&
          strstr(err.msg, "MiB"), "too little memory: %s", err.msg);
    CHECK(llama_init(mem, n16, &f.ck, 300, 100, &sp, &pf, &err) == NULL, "steps > seq_len");
    llama_session *s = llama_init(mem, n16, &f.ck, 16, 100, &sp, &pf, &err);
    CHECK(s != NULL, "%s", err.msg);
    llama_stats st;
    if (s) CHECK(llama_generate(s, "Once upon a time", &st, &err) == 0 && st.pos == 16 &&
                 st.prompt_tokens == 5 && cap.n > 16 && cap.buf[cap.n - 1] == '\n', "short run: %s", err.msg);
    free(mem);
    free(f.model);
    free(f.tok);
}

/* llama_model_prepare: llama_init refuses a model whose Q4_0 weights are
 * still in ggml's layout; bytes that do not hold the tensors are refused;
 * prepared, every Q4_0 matrix (stories15M-Q4_0's layers and embedding)
 * has the kernels' type and still dequantizes to the file's values, and
 * the model runs. */
TEST(q4_0_prepared_before_init) {
    size_t size;
    unsigned char *file = model_file("gguf/stories15M-Q4_0.gguf", &size);
    CHECK(file != NULL, "stories15M-Q4_0.gguf not found");
    if (!file) return;
    static llama_model m;
    llama_error err;
    CHECK(llama_gguf_parse(&m, file, size, &err) == 0, "%s", err.msg);
    const llama_tensor raw_emb = m.weights.token_embedding;
    CHECK(raw_emb.type == LLAMA_TYPE_Q4_0 && m.weights.layer[3].w2.type == LLAMA_TYPE_Q4_0, "a Q4_0 file");
    float *want = malloc((size_t)raw_emb.cols * 4), *got = malloc((size_t)raw_emb.cols * 4);
    /* row 7 of the embedding as ggml's layout reads (one block at a time, each copied apart) */
    for (int b = 0; b < raw_emb.cols / 32; b++) {
        const unsigned char *blk = (const unsigned char *)raw_emb.data + 7 * raw_emb.row_bytes + 18 * (size_t)b;
        uint16_t h;
        memcpy(&h, blk, 2);
        float d = f16_to_f32(h);
        for (int j = 0; j < 16; j++) {
            want[32 * b + j] = (float)((blk[2 + j] & 0xf) - 8) * d;
            want[32 * b + j + 16] = (float)((blk[2 + j] >> 4) - 8) * d;
        }
    }
    size_t need = llama_memory_needed(&m, 8, 16);
    void *mem = malloc(need);
    static Capture cap;
    llama_platform pf = { &cap, capture, NULL, NULL, 0, NULL, NULL, 0 };
    llama_sampling sp = { 0.0f, 0.9f, 1 };
    CHECK(llama_init(mem, need, &m, 8, 16, &sp, &pf, &err) == NULL && strstr(err.msg, "llama_model_prepare"),
          "unprepared: %s", err.msg);
    CHECK(llama_model_prepare(&m, file, 64, &err) == -1 && strstr(err.msg, "does not lie"), "bytes too few: %s",
          err.msg);
    CHECK(m.weights.layer[0].wq.type == LLAMA_TYPE_Q4_0 && !llama_model_prepared(&m), "nothing rearranged");
    CHECK(llama_model_prepare(&m, file, size, &err) == 0 && llama_model_prepared(&m), "%s", err.msg);
    for (int l = 0; l < m.config.n_layers; l++) {
        const llama_layer *y = &m.weights.layer[l];
        const llama_tensor *mats[] = { &y->wq, &y->wk, &y->wv, &y->wo, &y->w1, &y->w3, &y->w2 };
        for (int i = 0; i < 7; i++)
            CHECK(mats[i]->type == LLAMA_TYPE_Q4_0_SPLIT, "layer %d matrix %d: type %d", l, i, mats[i]->type);
    }
    CHECK(m.weights.token_embedding.type == LLAMA_TYPE_Q4_0_SPLIT && m.weights.wcls.type == LLAMA_TYPE_Q8_0,
          "embedding %d, classifier %d", m.weights.token_embedding.type, m.weights.wcls.type);
    matmul_dequantize_row(&m.weights.token_embedding, 7, got);
    CHECK(memcmp(got, want, (size_t)raw_emb.cols * 4) == 0, "embedding row 7 dequantizes as before");
    llama_session *s = llama_init(mem, need, &m, 8, 16, &sp, &pf, &err);
    CHECK(s != NULL, "prepared: %s", err.msg);
    llama_stats st;
    if (s) CHECK(llama_generate(s, "Once", &st, &err) == 0 && st.pos == 8, "%s", err.msg);
    free(mem); free(want); free(got); free(file);
}

RUN_TESTS(forward_260k_all_positions, forward_15m, forward_every_simd_level, forward_split_across_cores,
          forward_batched_is_sequential, level_tuner_keeps_the_faster, level_tuner_times_every_read,
          level_tuner_times_a_variant, level_tuner_chooses_per_kind, level_tuner_skips_a_level_without_kernels, level_tuner_times_again,
          generate_matches_run_c, memory_sizing, q4_0_prepared_before_init)
