/* lib/llama/checkpoint: version 0 and version 1 files written here from the
 * same random weights must map to the same tensors and give the same
 * logits; a version 2 (Q8_0) file of them maps each matrix's values and
 * scales in place and gives logits close to those; every kind of bad
 * header is refused with a one-line message. */
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tests/check.h"
#include "lib/llama/llama.h"
#include "lib/llama/arena.h"
#include "lib/llama/transformer.h"
#include "tests/host/model_file.h"
#include "tests/host/flat_weights.h"
#define CHECK_FLAT(w) CHECK((w)->ok, "%s", (w)->why)

enum { D = 16, H = 20, L = 2, NH = 4, NKV = 2, V = 40, S = 10, HS = D / NH, KV = HS * NKV };

typedef struct {
    float emb[V * D], rms_att[L * D], rms_ffn[L * D], rms_final[D];
    float wq[L * D * D], wk[L * KV * D], wv[L * KV * D], wo[L * D * D];
    float w1[L * H * D], w2[L * D * H], w3[L * H * D], wcls[V * D];
    float rope[S * HS];                 /* version 0 only: two unused tables */
} Model;

static Model model;

static uint64_t lcg = 5;
static float rndf(void) {
    lcg = lcg * 6364136223846793005ull + 1442695040888963407ull;
    return (float)((int)(lcg >> 40) % 2001 - 1000) / 1000.0f;
}

static void fill_model(void) {
    float *all = (float *)&model;
    for (size_t i = 0; i < sizeof model / sizeof(float); i++) all[i] = rndf();
    for (int i = 0; i < L * D; i++) { model.rms_att[i] += 1.5f; model.rms_ffn[i] += 1.5f; }
}

typedef struct { unsigned char *buf; size_t len, cap; } Buf;
static void put(Buf *b, const void *p, size_t n) {
    if (b->len + n > b->cap) { b->cap = (b->len + n) * 2 + 256; b->buf = realloc(b->buf, b->cap); }
    memcpy(b->buf + b->len, p, n);
    b->len += n;
}
static void put_i32(Buf *b, int32_t v) { put(b, &v, 4); }
#define PUT(b, field) put((b), model.field, sizeof model.field)

static void put_params(Buf *b, int vocab) {
    int32_t p[7] = { D, H, L, NH, NKV, vocab, S };
    put(b, p, sizeof p);
}

static Buf write_v0(int shared) {
    Buf b = { 0 };
    put_params(&b, shared ? V : -V);
    PUT(&b, emb); PUT(&b, rms_att); PUT(&b, wq); PUT(&b, wk); PUT(&b, wv); PUT(&b, wo);
    PUT(&b, rms_ffn); PUT(&b, w1); PUT(&b, w2); PUT(&b, w3); PUT(&b, rms_final); PUT(&b, rope);
    if (!shared) PUT(&b, wcls);
    return b;
}

static Buf write_v1(int shared) {
    Buf b = { 0 };
    put_i32(&b, 0x616b3432);
    put_i32(&b, 1);
    put_params(&b, V);
    unsigned char flag = (unsigned char)shared;
    put(&b, &flag, 1);
    unsigned char zero[256] = { 0 };
    put(&b, zero, 256 - b.len);
    PUT(&b, rms_att); PUT(&b, rms_ffn); PUT(&b, rms_final); PUT(&b, emb);
    PUT(&b, wq); PUT(&b, wk); PUT(&b, wv); PUT(&b, wo); PUT(&b, w1); PUT(&b, w2); PUT(&b, w3);
    if (!shared) PUT(&b, wcls);
    return b;
}

/* Version 2 (Q8_0): every matrix quantized in groups of gs (any int8
 * values do for mapping; these are export.py's). */
static void put_q8(Buf *b, const float *w, size_t n, int gs) {
    int8_t *q = malloc(n);
    float *sc = malloc(n / (size_t)gs * sizeof *sc);
    for (size_t g = 0; g < n / (size_t)gs; g++) {
        float m = 0.0f;
        for (int i = 0; i < gs; i++) m = fabsf(w[g * gs + i]) > m ? fabsf(w[g * gs + i]) : m;
        sc[g] = m / 127.0f;
        for (int i = 0; i < gs; i++) q[g * gs + i] = (int8_t)rintf(w[g * gs + i] / sc[g]);
    }
    put(b, q, n);
    put(b, sc, n / (size_t)gs * sizeof *sc);
    free(q);
    free(sc);
}

static Buf write_v2(int shared, int gs) {
    Buf b = { 0 };
    put_i32(&b, 0x616b3432);
    put_i32(&b, 2);
    put_params(&b, V);
    unsigned char flag = (unsigned char)shared;
    put(&b, &flag, 1);
    put_i32(&b, gs);
    unsigned char zero[256] = { 0 };
    put(&b, zero, 256 - b.len);
    PUT(&b, rms_att); PUT(&b, rms_ffn); PUT(&b, rms_final);
    put_q8(&b, model.emb, V * D, gs);
    for (int l = 0; l < L; l++) put_q8(&b, model.wq + l * D * D, D * D, gs);
    for (int l = 0; l < L; l++) put_q8(&b, model.wk + l * KV * D, KV * D, gs);
    for (int l = 0; l < L; l++) put_q8(&b, model.wv + l * KV * D, KV * D, gs);
    for (int l = 0; l < L; l++) put_q8(&b, model.wo + l * D * D, D * D, gs);
    for (int l = 0; l < L; l++) put_q8(&b, model.w1 + l * H * D, H * D, gs);
    for (int l = 0; l < L; l++) put_q8(&b, model.w2 + l * D * H, D * H, gs);
    for (int l = 0; l < L; l++) put_q8(&b, model.w3 + l * H * D, H * D, gs);
    if (!shared) put_q8(&b, model.wcls, V * D, gs);
    return b;
}

/* A heap copy, so the pointer is aligned and ASan sees every byte. */
static unsigned char *copy(const Buf *b) {
    unsigned char *p = malloc(b->len ? b->len : 1);
    memcpy(p, b->buf, b->len);
    return p;
}

#define SAME(ptr, field) (memcmp((ptr), model.field, sizeof model.field) == 0)

static void check_tensors(const llama_model *ck, const unsigned char *file, size_t size, int shared) {
    FlatWeights fw = flat_weights(ck);
    const FlatWeights *w = &fw;
    CHECK_FLAT(w);
    CHECK(SAME(w->token_embedding, emb) && SAME(w->rms_att, rms_att) && SAME(w->rms_ffn, rms_ffn) &&
          SAME(w->rms_final, rms_final) && SAME(w->wq, wq) && SAME(w->wk, wk) && SAME(w->wv, wv) &&
          SAME(w->wo, wo) && SAME(w->w1, w1) && SAME(w->w2, w2) && SAME(w->w3, w3),
          "a tensor differs (version %d)", ck->config.version);
    if (shared) CHECK(w->wcls == w->token_embedding, "shared classifier is the embedding");
    else CHECK(SAME(w->wcls, wcls) && w->wcls != w->token_embedding, "separate classifier");
    const float *ptrs[] = { w->token_embedding, w->rms_att, w->rms_ffn, w->rms_final, w->wq, w->wk,
                            w->wv, w->wo, w->w1, w->w2, w->w3, w->wcls };
    for (size_t i = 0; i < sizeof ptrs / sizeof ptrs[0]; i++)
        CHECK((const unsigned char *)ptrs[i] >= file && (const unsigned char *)ptrs[i] < file + size,
              "tensor %zu points outside the file (no copies)", i);
    const llama_config *c = &ck->config;
    CHECK(c->dim == D && c->hidden_dim == H && c->n_layers == L && c->n_heads == NH &&
          c->n_kv_heads == NKV && c->vocab_size == V && c->seq_len == S && c->head_size == HS &&
          c->kv_dim == KV && c->shared_classifier == shared, "config fields");
}

/* Logits of a few tokens through the forward pass. */
static void run_logits(const llama_model *ck, float *out /* S * V */) {
    Arena a;
    arena_measure(&a);
    Transformer t;
    transformer_init(&t, ck, S, NULL, &a);
    size_t need = arena_needed(&a);
    void *mem = calloc(1, need);
    arena_init(&a, mem, need);
    transformer_init(&t, ck, S, NULL, &a);
    for (int pos = 0; pos < S; pos++) {
        int token = (pos * 7 + 1) % V;
        float *logits = transformer_forward(&t, &token, 1, pos);
        memcpy(out + pos * V, logits, V * sizeof(float));
    }
    free(mem);
}

TEST(version0_and_version1_agree) {
    for (int shared = 0; shared < 2; shared++) {
        Buf b0 = write_v0(shared), b1 = write_v1(shared);
        unsigned char *f0 = copy(&b0), *f1 = copy(&b1);
        llama_model c0, c1;
        llama_error err;
        CHECK(llama_checkpoint_parse(&c0, f0, b0.len, &err) == 0, "v0: %s", err.msg);
        CHECK(llama_checkpoint_parse(&c1, f1, b1.len, &err) == 0, "v1: %s", err.msg);
        if (check_failed_) return;
        CHECK(c0.config.version == 0 && c1.config.version == 1, "versions");
        check_tensors(&c0, f0, b0.len, shared);
        check_tensors(&c1, f1, b1.len, shared);
        CHECK((const unsigned char *)flat_weights(&c0).token_embedding == f0 + 28, "v0 weights start at 28");
        CHECK((const unsigned char *)flat_weights(&c1).rms_att == f1 + 256, "v1 weights start at 256");
        static float l0[S * V], l1[S * V];
        run_logits(&c0, l0);
        run_logits(&c1, l1);
        CHECK(memcmp(l0, l1, sizeof l0) == 0, "logits differ between versions (shared %d)", shared);
        int finite = 1;
        for (int i = 0; i < S * V; i++) finite &= l0[i] == l0[i] && l0[i] > -1e30f && l0[i] < 1e30f;
        CHECK(finite, "logits are finite");
        free(f0); free(f1); free(b0.buf); free(b1.buf);
    }
}

TEST(version2_maps_in_place) {
    static float lf[S * V], lq[S * V];
    for (int shared = 0; shared < 2; shared++) {
        Buf b1 = write_v1(shared), b2 = write_v2(shared, 16);
        unsigned char *f1 = copy(&b1), *f2 = copy(&b2);
        llama_model c1, c2;
        llama_error err;
        CHECK(llama_checkpoint_parse(&c1, f1, b1.len, &err) == 0, "v1: %s", err.msg);
        CHECK(llama_checkpoint_parse(&c2, f2, b2.len, &err) == 0, "v2: %s", err.msg);
        if (check_failed_) return;
        const llama_config *c = &c2.config;
        FlatWeights fw = flat_weights(&c2);
        const FlatWeights *w = &fw;
        CHECK_FLAT(w);
        CHECK(c->version == 2 && c->group_size == 16 && c->dim == D && c->hidden_dim == H &&
              c->vocab_size == V && c->shared_classifier == shared, "v2 config");
        CHECK(!w->token_embedding && !w->wq && !w->w2 && !w->wcls, "no fp32 matrices");
        CHECK((const unsigned char *)w->rms_att == f2 + 256 && SAME(w->rms_att, rms_att) &&
              SAME(w->rms_ffn, rms_ffn) && SAME(w->rms_final, rms_final), "fp32 rms vectors");
        size_t q8 = V * D + 4 * (V * D / 16);
        CHECK((const unsigned char *)w->q_token_embedding == f2 + 256 + 4 * (2 * L * D + D) &&
              (const unsigned char *)w->q_wq == (const unsigned char *)w->q_token_embedding + q8,
              "embedding, then wq");
        CHECK(shared ? w->q_wcls == w->q_token_embedding
                     : (const unsigned char *)w->q_wcls + q8 == f2 + b2.len, "classifier");
        /* the embedding's first scale follows its values */
        float s0;
        memcpy(&s0, (const unsigned char *)w->q_token_embedding + V * D, 4);
        float m = 0.0f;
        for (int i = 0; i < 16; i++) m = fabsf(model.emb[i]) > m ? fabsf(model.emb[i]) : m;
        CHECK(s0 == m / 127.0f, "first scale %g, want %g", s0, m / 127.0f);
        run_logits(&c1, lf);
        run_logits(&c2, lq);
        float worst = 0.0f;
        for (int i = 0; i < S * V; i++) worst = fabsf(lf[i] - lq[i]) > worst ? fabsf(lf[i] - lq[i]) : worst;
        CHECK(worst < 0.5f, "Q8_0 logits are %g away from fp32's", worst);
        free(f1); free(f2); free(b1.buf); free(b2.buf);
    }
}

/* ---------------------------------------------------------------- refusals */

static void expect_refused(const char *what, const Buf *b, size_t size, const char *needle) {
    unsigned char *f = copy(b);
    llama_model ck;
    llama_error err;
    memset(&err, 0, sizeof err);
    int r = llama_checkpoint_parse(&ck, f, size, &err);
    CHECK(r == -1, "%s: accepted", what);
    if (r == -1)
        CHECK(strstr(err.msg, needle) && !strchr(err.msg, '\n') && strncmp(err.msg, "error", 5) != 0 &&
              strlen(err.msg) > 20, "%s: message \"%s\" lacks \"%s\"", what, err.msg, needle);
    free(f);
}

/* A version 0 file whose header has these seven values (and some bytes). */
static void v0_config(const char *what, int32_t dim, int32_t hidden, int32_t layers, int32_t heads,
                      int32_t kv, int32_t vocab, int32_t seq, const char *needle) {
    Buf b = { 0 };
    int32_t p[7] = { dim, hidden, layers, heads, kv, vocab, seq };
    put(&b, p, sizeof p);
    unsigned char pad[4096] = { 0 };
    put(&b, pad, sizeof pad);
    expect_refused(what, &b, b.len, needle);
    free(b.buf);
}

TEST(bad_configs_refused) {
    v0_config("dim 0", 0, H, L, NH, NKV, V, S, "dim = 0");
    v0_config("dim negative", -16, H, L, NH, NKV, V, S, "dim = -16");
    v0_config("dim huge", 1 << 20, H, L, NH, NKV, V, S, "between 1 and");
    v0_config("hidden 0", D, 0, L, NH, NKV, V, S, "hidden_dim = 0");
    v0_config("layers 0", D, H, 0, NH, NKV, V, S, "n_layers = 0");
    v0_config("layers huge", D, H, 100000, NH, NKV, V, S, "n_layers = 100000");
    v0_config("heads 0", D, H, L, 0, NKV, V, S, "n_heads = 0");
    v0_config("heads > dim", D, H, L, 32, NKV, V, S, "n_heads = 32");
    v0_config("kv 0", D, H, L, NH, 0, V, S, "n_kv_heads = 0");
    v0_config("kv > heads", D, H, L, NH, 8, V, S, "n_kv_heads = 8");
    v0_config("vocab 0", D, H, L, NH, NKV, 0, S, "vocab_size = 0");
    v0_config("vocab 2", D, H, L, NH, NKV, 2, S, "vocab_size = 2");
    v0_config("vocab -2", D, H, L, NH, NKV, -2, S, "vocab_size = 2");
    v0_config("vocab INT_MIN", D, H, L, NH, NKV, INT_MIN, S, "vocab_size = -2147483648");
    v0_config("vocab huge", D, H, L, NH, NKV, 1 << 30, S, "vocab_size");
    v0_config("seq 0", D, H, L, NH, NKV, V, 0, "seq_len = 0");
    v0_config("seq negative", D, H, L, NH, NKV, V, -1, "seq_len = -1");
    v0_config("dim % heads", 18, H, L, NH, NKV, V, S, "not a multiple of n_heads");
    v0_config("heads % kv", 24, H, L, 6, 4, V, S, "not a multiple of n_kv_heads");
    v0_config("odd head size", 12, H, L, 4, 2, V, S, "must be even");
    v0_config("all ones", 1, 1, 1, 1, 1, 3, 1, "must be even");
}

TEST(sizes_refused) {
    Buf b = write_v0(1);
    char size[32], want[32];
    snprintf(want, sizeof want, "exactly %zu bytes", b.len);
    snprintf(size, sizeof size, "is %zu bytes", b.len - 4);
    expect_refused("truncated", &b, b.len - 4, want);
    expect_refused("truncated (actual size)", &b, b.len - 4, size);
    expect_refused("truncated (says so)", &b, b.len - 4, "truncated");
    put(&b, "x", 1);
    expect_refused("one extra byte", &b, b.len, "extra bytes");
    expect_refused("tiny", &b, 27, "too small");
    expect_refused("empty", &b, 0, "is 0 bytes");
    free(b.buf);
    Buf u = write_v0(0);                            /* unshared needs the classifier too */
    expect_refused("unshared without classifier", &u, u.len - sizeof model.wcls, "separate classifier");
    free(u.buf);
    Buf c = write_v1(1);
    expect_refused("v1 truncated", &c, c.len - 1, "truncated");
    expect_refused("v1 header cut", &c, 100, "too small for a version 1 header");
    free(c.buf);
}

TEST(version1_headers_refused) {
    Buf b = write_v1(1);
    b.buf[4] = 2;                                   /* group size 0 (the v1 padding) */
    expect_refused("version 2 without group size", &b, b.len, "group_size = 0");
    b.buf[4] = 3;
    expect_refused("version 3", &b, b.len, "version 3");
    b.buf[4] = 1;
    b.buf[36] = 2;
    expect_refused("shared flag 2", &b, b.len, "shared_classifier = 2");
    b.buf[36] = 1;
    b.buf[200] = 7;
    expect_refused("padding", &b, b.len, "padding byte 200");
    b.buf[200] = 0;
    int32_t neg = -V;
    memcpy(b.buf + 28, &neg, 4);
    expect_refused("v1 negative vocab", &b, b.len, "must be positive");
    free(b.buf);
}

TEST(version2_headers_refused) {
    Buf b = write_v2(1, 16);
    expect_refused("v2 truncated", &b, b.len - 1, "truncated");
    expect_refused("v2 header cut", &b, 200, "too small for a version 2 header");
    int32_t gs = 5;
    memcpy(b.buf + 37, &gs, 4);
    expect_refused("group size 5", &b, b.len, "group_size = 5");
    gs = -16;
    memcpy(b.buf + 37, &gs, 4);
    expect_refused("group size -16", &b, b.len, "group_size = -16");
    gs = 8;                                         /* valid, but the file is for 16 */
    memcpy(b.buf + 37, &gs, 4);
    expect_refused("group size 8 (other size)", &b, b.len, "group size 8");
    gs = 16;
    memcpy(b.buf + 37, &gs, 4);
    b.buf[100] = 1;
    expect_refused("v2 padding", &b, b.len, "padding byte 100");
    b.buf[100] = 0;
    b.buf[36] = 3;
    expect_refused("v2 shared flag 3", &b, b.len, "shared_classifier = 3");
    b.buf[36] = 1;
    put(&b, "xxxx", 4);
    expect_refused("v2 extra bytes", &b, b.len, "extra bytes");
    free(b.buf);
    /* dim 6 (3 heads of 2), group size 2: scales would not be aligned */
    Buf o = { 0 };
    put_i32(&o, 0x616b3432);
    put_i32(&o, 2);
    int32_t p[7] = { 6, 4, 1, 3, 3, 8, 4 };
    put(&o, p, sizeof p);
    unsigned char flag = 1;
    put(&o, &flag, 1);
    put_i32(&o, 2);
    unsigned char zero[512] = { 0 };
    put(&o, zero, sizeof zero);
    expect_refused("v2 dim 6", &o, o.len, "multiple of 4");
    free(o.buf);
}

TEST(misaligned_refused) {
    Buf b = write_v0(1);
    unsigned char *f = malloc(b.len + 1);
    memcpy(f + 1, b.buf, b.len);
    llama_model ck;
    llama_error err;
    CHECK(llama_checkpoint_parse(&ck, f + 1, b.len, &err) == -1 && strstr(err.msg, "aligned"),
          "misaligned: %s", err.msg);
    free(f);
    free(b.buf);
}

/* The real models parse, with the configs the README gives. */
TEST(real_models) {
    static const struct { const char *name; int cfg[7]; } models[] = {
        { "stories15M.bin", { 288, 768, 6, 6, 6, 32000, 256 } },
        { "stories260K.bin", { 64, 172, 5, 8, 4, 512, 512 } },
    };
    for (size_t m = 0; m < 2; m++) {
        size_t size;
        unsigned char *buf = model_file(models[m].name, &size);
        CHECK(buf != NULL, "%s not found or unreadable", models[m].name);
        if (!buf) return;
        llama_model ck;
        llama_error err;
        CHECK(llama_checkpoint_parse(&ck, buf, size, &err) == 0, "%s: %s", models[m].name, err.msg);
        const llama_config *c = &ck.config;
        int got[7] = { c->dim, c->hidden_dim, c->n_layers, c->n_heads, c->n_kv_heads, c->vocab_size, c->seq_len };
        CHECK(memcmp(got, models[m].cfg, sizeof got) == 0 && c->shared_classifier && c->version == 0,
              "%s config", models[m].name);
        free(buf);
    }
}

int main(void) {
    int failures_ = 0;
    fill_model();
    RUN(version0_and_version1_agree);
    RUN(bad_configs_refused);
    RUN(sizes_refused);
    RUN(version1_headers_refused);
    RUN(version2_maps_in_place);
    RUN(version2_headers_refused);
    RUN(misaligned_refused);
    RUN(real_models);
    return failures_ != 0;
}
