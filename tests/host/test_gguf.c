/* The GGUF reader (lib/llama/gguf.c) and the llama model it describes
 * (lib/llama/model_gguf.c): the real test files, a small model built here,
 * and that model broken one way at a time. Every broken file must give
 * -1 with an error naming the problem, never a crash (this program also
 * runs under ASan/UBSan: tests/host/sanitize.sh). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/check.h"
#include "lib/llama/gguf.h"
#include "lib/llama/llama.h"
#include "tests/host/gguf_writer.h"
#include "tests/host/model_file.h"

/* ---------------------------------------------------------------- a small model */

enum { D = 64, H = 96, L = 2, NH = 4, NKV = 2, V = 6, CTX = 32 };

/* What to break in the model the builder writes. */
typedef struct {
    const char *arch;           /* default "llama" */
    int drop_tensor;            /* skip the ffn_up of layer 1 */
    int extra_tensor;           /* add blk.0.attn_q.bias */
    int dup_tensor;             /* write blk.0.attn_norm twice */
    int dup_key;                /* write general.name twice */
    int bad_type;               /* attn_q of type 99 */
    int unrun_type;             /* attn_q of type I8 (known to ggml, not run here) */
    int bad_shape;              /* attn_k as (D, D) */
    int layer_past_end;         /* blk.2.* in a 2-layer model */
    int untied;                 /* write output.weight */
    int no_context;             /* leave out llama.context_length */
    int kv_heads;               /* head_count_kv (default NKV) */
    int nested_array;           /* an array of arrays of u32 among the metadata */
    uint32_t alignment;         /* general.alignment (0: not written) */
    int norm_f16;               /* attn_norm of layer 0 as F16 */
    int embd_q4_0;              /* token_embd as Q4_0 */
} Opts;

static void tensor2(Gw *g, const char *name, uint32_t type, uint64_t cols, uint64_t rows) {
    uint64_t ne[2] = { cols, rows };
    size_t per = type == 0 ? 4 : type == 1 ? 2 : 0;
    size_t bytes = per ? cols * rows * per : type == 2 ? cols / 32 * 18 * rows : 0;
    if (type == 99 || type == 24) bytes = cols * rows;   /* I8: a byte a value */
    gw_tensor(g, name, type, rows == 1 ? 1 : 2, ne, NULL, bytes);
}

static unsigned char *build(const Opts *o, size_t *size) {
    Gw g;
    gw_init(&g);
    if (o->alignment) {
        g.alignment = o->alignment;
        gw_kv_u32(&g, "general.alignment", o->alignment);
    }
    gw_kv_str(&g, "general.architecture", o->arch ? o->arch : "llama");
    gw_kv_str(&g, "general.name", "tiny test model");
    if (o->dup_key) gw_kv_str(&g, "general.name", "again");
    gw_kv_u32(&g, "llama.embedding_length", D);
    gw_kv_u32(&g, "llama.feed_forward_length", H);
    gw_kv_u32(&g, "llama.block_count", L);
    gw_kv_u32(&g, "llama.attention.head_count", NH);
    gw_kv_u32(&g, "llama.attention.head_count_kv", o->kv_heads ? (uint32_t)o->kv_heads : NKV);
    if (!o->no_context) gw_kv_u32(&g, "llama.context_length", CTX);
    gw_kv_f32(&g, "llama.rope.freq_base", 10000.0f);
    gw_kv_f32(&g, "llama.attention.layer_norm_rms_epsilon", 1e-6f);
    if (o->nested_array) {
        GwBuf *b = gw_key(&g, "test.nested");
        gw_u32(b, 9);          /* array */
        gw_u32(b, 9);          /* of arrays */
        gw_u64(b, 2);
        for (int i = 0; i < 2; i++) {
            gw_u32(b, 4);      /* of u32 */
            gw_u64(b, 3);
            for (int j = 0; j < 3; j++) gw_u32(b, (uint32_t)(i * 3 + j));
        }
    }
    gw_kv_str(&g, "tokenizer.ggml.model", "llama");
    const char *toks[V] = { "<unk>", "<s>", "</s>", "\xe2\x96\x81" "a", "a", "b" };
    GwBuf *b = gw_key(&g, "tokenizer.ggml.tokens");
    gw_u32(b, 9);
    gw_u32(b, 8);
    gw_u64(b, V);
    for (int i = 0; i < V; i++) gw_str(b, toks[i]);
    b = gw_key(&g, "tokenizer.ggml.scores");
    gw_u32(b, 9);
    gw_u32(b, 6);
    gw_u64(b, V);
    for (int i = 0; i < V; i++) gw_f32(b, (float)-i);
    b = gw_key(&g, "tokenizer.ggml.token_type");
    gw_u32(b, 9);
    gw_u32(b, 5);
    gw_u64(b, V);
    for (int i = 0; i < V; i++) gw_u32(b, i < 3 ? 3 : 1);
    gw_kv_u32(&g, "tokenizer.ggml.bos_token_id", 1);
    gw_kv_u32(&g, "tokenizer.ggml.eos_token_id", 2);
    gw_kv_u32(&g, "tokenizer.ggml.padding_token_id", 0xffffffffu);
    gw_kv_bool(&g, "tokenizer.ggml.add_bos_token", 1);

    tensor2(&g, "token_embd.weight", o->embd_q4_0 ? 2 : 0, D, V);
    tensor2(&g, "output_norm.weight", 0, D, 1);
    if (o->untied) tensor2(&g, "output.weight", 1, D, V);
    for (int l = 0; l < L; l++) {
        char n[64];
#define T(kind, type, cols, rows) \
        (snprintf(n, sizeof n, "blk.%d.%s.weight", l, kind), tensor2(&g, n, type, cols, rows))
        T("attn_norm", o->norm_f16 && l == 0 ? 1 : 0, D, 1);
        if (o->dup_tensor && l == 0) T("attn_norm", 0, D, 1);
        T("attn_q", o->bad_type && l == 0 ? 99 : o->unrun_type && l == 0 ? 24 : 1, D, D);
        T("attn_k", 1, D, o->bad_shape ? D : D / NH * NKV);
        T("attn_v", 1, D, D / NH * NKV);
        T("attn_output", 1, D, D);
        T("ffn_norm", 0, D, 1);
        T("ffn_gate", 1, D, H);
        T("ffn_down", 1, H, D);
        if (!(o->drop_tensor && l == 1)) T("ffn_up", 1, D, H);
#undef T
    }
    if (o->extra_tensor) tensor2(&g, "blk.0.attn_q.bias", 0, D, 1);
    if (o->layer_past_end) tensor2(&g, "blk.2.ffn_up.weight", 1, D, H);
    unsigned char *f = gw_finish(&g, 3, size);
    gw_free(&g);
    return f;
}

/* Parses; returns the result, err filled. */
static int parse(const unsigned char *f, size_t n, llama_model *m, llama_error *err) {
    err->msg[0] = 0;
    return llama_gguf_parse(m, f, n, err);
}

static llama_model model;

static void test_small_model(void) {
    Opts o = { 0 };
    size_t n;
    unsigned char *f = build(&o, &n);
    llama_error err;
    CHECK(parse(f, n, &model, &err) == 0, "%s", err.msg);
    const llama_config *c = &model.config;
    CHECK(c->dim == D && c->hidden_dim == H && c->n_layers == L && c->n_heads == NH &&
          c->n_kv_heads == NKV && c->vocab_size == V && c->seq_len == CTX &&
          c->head_size == D / NH && c->kv_dim == D / NH * NKV && c->rope_dim == D / NH &&
          c->ggml_arith == 1, "config");
    CHECK(c->rms_eps == 1e-6f && c->rope_theta == 10000.0f && c->rope_scale == 1.0f, "floats");
    CHECK(c->shared_classifier == 1 && model.weights.wcls.data == model.weights.token_embedding.data,
          "no output.weight: tied to the embedding");
    CHECK(strcmp(model.name, "tiny test model") == 0 && strcmp(model.arch, "llama") == 0, "names");
    const llama_tensor *q = &model.weights.layer[1].wq;
    CHECK(q->type == LLAMA_TYPE_F16 && q->rows == D && q->cols == D && q->row_bytes == 2 * D &&
          (const unsigned char *)q->data > f && (const unsigned char *)q->data + 2 * D * D <= f + n,
          "a tensor points into the file, with its shape");
    const llama_vocab *v = &model.vocab;
    CHECK(v->kind == LLAMA_VOCAB_SPM && v->n_tokens == V && v->bos == 1 && v->eos == 2 &&
          v->pad == LLAMA_TOKEN_NONE && v->eot == LLAMA_TOKEN_ABSENT && v->add_bos == 1 &&
          v->add_eos == -1 && v->scores && v->types && !v->merges, "vocabulary");
    const unsigned char *p = v->tokens;
    gguf_str s = { 0 };
    for (int i = 0; i < 4; i++) s = gguf_next_str(&p);
    CHECK(gguf_str_is(s, "\xe2\x96\x81" "a"), "token strings walk");
    free(f);

    o.untied = 1;
    f = build(&o, &n);
    CHECK(parse(f, n, &model, &err) == 0 && model.config.shared_classifier == 0 &&
          model.weights.wcls.type == LLAMA_TYPE_F16 &&
          model.weights.wcls.data != model.weights.token_embedding.data, "output.weight: untied");
    free(f);
}

static void test_every_truncation(void) {
    Opts o = { 0 };
    size_t n;
    unsigned char *f = build(&o, &n);
    int bad = 0;
    llama_error err;
    for (size_t k = 0; k < n; k++) {
        unsigned char *t = malloc(k ? k : 1);   /* exactly k bytes: ASan sees overreads */
        memcpy(t, f, k);
        if (parse(t, k, &model, &err) != -1 || err.msg[0] == 0) bad++;
        free(t);
    }
    CHECK(bad == 0, "%d of %zu truncations were accepted or gave no message", bad, n);
    free(f);
}

/* Builds with one option, expects a failure whose message holds `want`. */
static void expect_error(const char *label, const Opts *o, const char *want) {
    size_t n;
    unsigned char *f = build(o, &n);
    llama_error err;
    int r = parse(f, n, &model, &err);
    CHECK(r == -1 && strstr(err.msg, want), "%s: got %d, \"%s\"; wanted \"%s\"", label, r, err.msg,
          want);
    free(f);
}

static void test_bad_models(void) {
    Opts o;
#define CASE(field, value, want) (memset(&o, 0, sizeof o), o.field = value, expect_error(#field, &o, want))
    CASE(arch, "qwen2", "architecture 'qwen2' is not supported");
    CASE(arch, "qwen2", "'llama'");
    CASE(drop_tensor, 1, "no tensor blk.1.ffn_up.weight");
    CASE(extra_tensor, 1, "blk.0.attn_q.bias is not one this engine knows");
    CASE(dup_tensor, 1, "appears twice");
    CASE(dup_key, 1, "general.name' appears twice");
    CASE(bad_type, 1, "type 99");
    CASE(unrun_type, 1, "I8, which this engine does not run");
    CASE(bad_shape, 1, "blk.0.attn_k.weight has shape [64, 64");
    CASE(layer_past_end, 1, "layer 2, but the model has 2 layers");
    CASE(no_context, 1, "no llama.context_length");
    CASE(kv_heads, 3, "not a multiple of its 3 key/value heads");
    CASE(kv_heads, 8, "outside 1..4");
    CASE(alignment, 24, "not a power of two");
    CASE(norm_f16, 1, "vector of type F16");
#undef CASE
    memset(&o, 0, sizeof o);
    o.nested_array = 1;
    o.alignment = 64;
    size_t n;
    unsigned char *f = build(&o, &n);
    llama_error err;
    CHECK(parse(f, n, &model, &err) == 0, "nested arrays and alignment 64: %s", err.msg);
    gguf_file g;
    CHECK(gguf_open(&g, f, n, &err) == 0 && g.alignment == 64 && g.data_offset % 64 == 0,
          "alignment 64 is honoured");
    gguf_kv kv;
    CHECK(gguf_find(&g, "test.nested", &kv) && kv.type == GGUF_ARRAY && kv.elem_type == GGUF_ARRAY &&
          kv.count == 2, "a nested array reads back");
    CHECK(gguf_find(&g, "tokenizer.ggml.add_bos_token", &kv) && kv.type == GGUF_BOOL,
          "keys after the nested array are found");
    free(f);
}

/* Edits a byte range of a good file and expects an error containing want. */
static void expect_patched(const char *label, size_t at, const void *bytes, size_t len,
                           const char *want) {
    Opts o = { 0 };
    size_t n;
    unsigned char *f = build(&o, &n);
    memcpy(f + at, bytes, len);
    llama_error err;
    int r = parse(f, n, &model, &err);
    CHECK(r == -1 && strstr(err.msg, want), "%s: got %d, \"%s\"; wanted \"%s\"", label, r, err.msg,
          want);
    free(f);
}

/* Offset of the first tensor info (after the metadata) in a good file. */
static size_t first_info(void) {
    Opts o = { 0 };
    size_t n;
    unsigned char *f = build(&o, &n);
    gguf_file g;
    llama_error err;
    gguf_open(&g, f, n, &err);
    free(f);
    return g.tensor_info_offset;
}

static void test_bad_containers(void) {
    uint32_t v;
    expect_patched("magic", 0, "GGML", 4, "not a GGUF file");
    v = 1;
    expect_patched("version 1", 4, &v, 4, "GGUF version 1 is not supported");
    v = 7;
    expect_patched("version 7", 4, &v, 4, "GGUF version 7 is not supported");
    v = 0x03000000u;
    expect_patched("big-endian", 4, &v, 4, "big-endian");
    uint64_t big = 1ull << 40;
    expect_patched("tensor count", 8, &big, 8, "claims");
    uint64_t nkv = 1000;
    expect_patched("metadata count past the end", 16, &nkv, 8, "truncated or corrupt");
    /* the first pair: general.architecture (a string): make its type 77 */
    v = 77;
    expect_patched("value type", 24 + 8 + strlen("general.architecture"), &v, 4, "unknown value type 77");
    /* a huge string length */
    expect_patched("string length", 24 + 8 + strlen("general.architecture") + 4, &big, 8,
                   "truncated or corrupt");
    /* the first tensor info: token_embd.weight, 2 dims; patch its type and offset */
    size_t ti = first_info(), name = 8 + strlen("token_embd.weight");
    v = 5;
    expect_patched("n_dims", ti + name, &v, 4, "5 dimensions");
    uint64_t zero = 0;
    expect_patched("zero dimension", ti + name + 4, &zero, 8, "absurd shape");
    v = 2;   /* Q4_0: rows of 64 are two blocks, so the size changes and the layout breaks */
    expect_patched("type changes size", ti + name + 4 + 16, &v, 4, "lies at offset");
    v = 12;  /* Q4_K: 64 is no multiple of 256 */
    expect_patched("block multiple", ti + name + 4 + 16, &v, 4, "not a multiple of its block");
    uint64_t off = 32;
    expect_patched("misplaced tensor", ti + name + 4 + 16 + 4, &off, 8, "lies at offset 32");
}

static void test_tensor_past_end(void) {
    Opts o = { 0 };
    size_t n;
    unsigned char *f = build(&o, &n);
    llama_error err;
    CHECK(parse(f, n - 1, &model, &err) == -1 && strstr(err.msg, "runs past the end of the file"),
          "last tensor cut short: %s", err.msg);
    free(f);
}

/* ---------------------------------------------------------------- the real files */

static void test_real_files(void) {
    static const struct {
        const char *name;
        int dim, hidden, layers, heads, kv_heads, vocab, ctx, tied, kind;
        float theta;
        int rope_freqs;
    } files[] = {
        { "gguf/stories15M-F16.gguf", 288, 768, 6, 6, 6, 32000, 128, 0, LLAMA_VOCAB_SPM, 10000.0f, 0 },
        { "gguf/stories15M-Q8_0.gguf", 288, 768, 6, 6, 6, 32000, 128, 0, LLAMA_VOCAB_SPM, 10000.0f, 0 },
        { "gguf/stories15M-Q4_0.gguf", 288, 768, 6, 6, 6, 32000, 128, 0, LLAMA_VOCAB_SPM, 10000.0f, 0 },
        { "gguf/tinyllama-mini-Q4_K_M.gguf", 256, 768, 4, 8, 2, 32000, 2048, 0, LLAMA_VOCAB_SPM,
          10000.0f, 0 },
        { "gguf/llama3-mini-Q4_K_M.gguf", 256, 768, 2, 4, 1, 128256, 131072, 1, LLAMA_VOCAB_BPE,
          500000.0f, 1 },
    };
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        size_t n;
        unsigned char *f = model_file(files[i].name, &n);
        CHECK(f != NULL, "%s not found", files[i].name);
        if (!f) continue;
        llama_error err;
        int r = parse(f, n, &model, &err);
        CHECK(r == 0, "%s: %s", files[i].name, err.msg);
        const llama_config *c = &model.config;
        CHECK(r == 0 && c->dim == files[i].dim && c->hidden_dim == files[i].hidden &&
              c->n_layers == files[i].layers && c->n_heads == files[i].heads &&
              c->n_kv_heads == files[i].kv_heads && c->vocab_size == files[i].vocab &&
              c->seq_len == files[i].ctx && c->shared_classifier == files[i].tied &&
              model.vocab.kind == files[i].kind && c->rope_theta == files[i].theta &&
              (model.weights.rope_freqs.data != NULL) == files[i].rope_freqs,
              "%s: config", files[i].name);
        free(f);
    }
    /* the vocabulary-only files are valid GGUF, but no model */
    const char *vocabs[] = { "gguf/llama2-vocab.gguf", "gguf/llama3-vocab.gguf" };
    for (int i = 0; i < 2; i++) {
        size_t n;
        unsigned char *f = model_file(vocabs[i], &n);
        CHECK(f != NULL, "%s not found", vocabs[i]);
        if (!f) continue;
        gguf_file g;
        llama_error err;
        CHECK(gguf_open(&g, f, n, &err) == 0 && g.n_tensors == 0, "%s opens: %s", vocabs[i], err.msg);
        CHECK(parse(f, n, &model, &err) == -1, "%s is no model", vocabs[i]);
        free(f);
    }
}

/* A tied Q4_0 embedding (the classifier is the same bytes) is rearranged
 * once by llama_model_prepare, and both slots then say so. */
static void test_prepare_tied_q4_0(void) {
    Opts o = { 0 };
    o.embd_q4_0 = 1;
    size_t n;
    unsigned char *f = build(&o, &n);
    llama_error err;
    CHECK(parse(f, n, &model, &err) == 0, "%s", err.msg);
    llama_tensor *e = &model.weights.token_embedding;
    CHECK(e->type == LLAMA_TYPE_Q4_0 && model.weights.wcls.data == e->data, "a tied Q4_0 embedding");
    if (check_failed_) { free(f); return; }
    size_t bytes = (size_t)e->rows * e->row_bytes;
    unsigned char *at = f + ((const unsigned char *)e->data - f), *once = malloc(bytes);
    for (size_t i = 0; i < bytes; i++) at[i] = (unsigned char)(i * 7 + i / 18);
    memcpy(once, at, bytes);
    llama_tensor copy = *e;
    llama_tensor_prepare(&copy, once);
    CHECK(llama_model_prepare(&model, f, n, &err) == 0, "%s", err.msg);
    CHECK(memcmp(at, once, bytes) == 0, "the embedding rearranged once");
    CHECK(e->type == LLAMA_TYPE_Q4_0_SPLIT && model.weights.wcls.type == LLAMA_TYPE_Q4_0_SPLIT &&
          model.weights.wcls.data == e->data, "both slots prepared");
    free(once);
    free(f);
}

RUN_TESTS(test_small_model, test_prepare_tied_q4_0, test_every_truncation, test_bad_models, test_bad_containers,
          test_tensor_past_end, test_real_files)
