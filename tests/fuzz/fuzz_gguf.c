/* Fuzzes the GGUF reader (lib/llama/gguf.c) and the llama model it fills
 * (lib/llama/model_gguf.c) with arbitrary bytes.
 *
 * Properties: llama_gguf_parse returns 0 or -1; a failure leaves one line
 * of message; after gguf_open succeeds every metadata pair, every string of
 * every string array and every tensor lies inside the file; after the
 * model parse succeeds the config is consistent and every tensor the
 * forward pass will read (rows x row_bytes) lies inside the file, and
 * llama_model_prepare rearranges every Q4_0 (Q4_1, Q5_0, Q5_1) weight in place without
 * failing or touching anything outside the file (the sanitizers watch). */
#include <stdint.h>
#include <string.h>
#include "lib/llama/gguf.h"
#include "lib/llama/llama.h"
#include "tests/fuzz/fuzz.h"

static const unsigned char *file_begin, *file_end;

static void inside(const void *p, uint64_t bytes, const char *what)
{
    const unsigned char *q = p;
    FUZZ_ASSERT(q >= file_begin && q <= file_end && bytes <= (uint64_t)(file_end - q),
                "%s (%llu bytes) is not inside the file", what, (unsigned long long)bytes);
    if (bytes) {
        volatile unsigned char first = q[0], last = q[bytes - 1];
        (void)first;
        (void)last;
    }
}

static void check_container(const gguf_file *g)
{
    for (uint64_t i = 0; i < g->n_kv; i++) {
        gguf_kv kv;
        gguf_kv_at(g, i, &kv);
        inside(kv.key.s, kv.key.len, "a key");
        gguf_kv again;
        /* a key found by name is the first pair with that name: keys are unique */
        char key[256];
        if (kv.key.len < sizeof key && !memchr(kv.key.s, 0, kv.key.len)) {
            memcpy(key, kv.key.s, kv.key.len);
            key[kv.key.len] = 0;
            FUZZ_ASSERT(gguf_find(g, key, &again) && again.value == kv.value, "pair %llu not found",
                        (unsigned long long)i);
        }
        if (kv.type == GGUF_STRING) inside(kv.str.s, kv.str.len, "a string value");
        if (kv.type == GGUF_ARRAY && kv.elem_type == GGUF_STRING) {
            const unsigned char *p = kv.value;
            for (uint64_t j = 0; j < kv.count; j++) {
                gguf_str s = gguf_next_str(&p);
                inside(s.s, s.len, "a string in an array");
            }
        } else if (kv.type == GGUF_ARRAY && gguf_type_size(kv.elem_type)) {
            inside(kv.value, kv.count * gguf_type_size(kv.elem_type), "an array");
        }
    }
    size_t cursor = 0;
    for (uint64_t i = 0; i < g->n_tensors; i++) {
        gguf_tensor t;
        gguf_tensor_next(g, &cursor, &t);
        inside(t.name.s, t.name.len, "a tensor name");
        inside(t.data, t.bytes, "a tensor");
        FUZZ_ASSERT(((const unsigned char *)t.data - file_begin - g->data_offset) % g->alignment == 0,
                    "a tensor is not aligned");
    }
}

static void check_tensor(const llama_tensor *t, int rows, int cols, const char *what)
{
    FUZZ_ASSERT(t->data && t->rows == rows && t->cols == cols, "%s: %dx%d, want %dx%d", what,
                t->rows, t->cols, rows, cols);
    FUZZ_ASSERT(t->row_bytes == llama_type_row_bytes(t->type, cols) && t->row_bytes > 0,
                "%s: row_bytes", what);
    inside(t->data, (uint64_t)rows * t->row_bytes, what);
}

static void check_model(const llama_model *m)
{
    const llama_config *c = &m->config;
    FUZZ_ASSERT(c->dim >= 1 && c->n_heads >= 1 && c->dim % c->n_heads == 0 &&
                c->n_kv_heads >= 1 && c->n_heads % c->n_kv_heads == 0 &&
                c->head_size * c->n_heads == c->dim && c->kv_dim == c->head_size * c->n_kv_heads &&
                c->rope_dim >= 2 && c->rope_dim <= c->head_size && c->rope_dim % 2 == 0 &&
                c->n_layers >= 1 && c->n_layers <= LLAMA_MAX_LAYERS && c->seq_len >= 1 &&
                c->vocab_size == m->vocab.n_tokens, "inconsistent config");
    const llama_weights *w = &m->weights;
    check_tensor(&w->token_embedding, c->vocab_size, c->dim, "token_embd");
    check_tensor(&w->wcls, c->vocab_size, c->dim, "output");
    check_tensor(&w->rms_final, 1, c->dim, "output_norm");
    FUZZ_ASSERT(w->rms_final.type == LLAMA_TYPE_F32, "output_norm is not F32");
    if (w->rope_freqs.data) check_tensor(&w->rope_freqs, 1, c->rope_dim / 2, "rope_freqs");
    for (int l = 0; l < c->n_layers; l++) {
        const llama_layer *y = &w->layer[l];
        check_tensor(&y->attn_norm, 1, c->dim, "attn_norm");
        check_tensor(&y->ffn_norm, 1, c->dim, "ffn_norm");
        check_tensor(&y->wq, c->dim, c->dim, "attn_q");
        check_tensor(&y->wk, c->kv_dim, c->dim, "attn_k");
        check_tensor(&y->wv, c->kv_dim, c->dim, "attn_v");
        check_tensor(&y->wo, c->dim, c->dim, "attn_output");
        check_tensor(&y->w1, c->hidden_dim, c->dim, "ffn_gate");
        check_tensor(&y->w3, c->hidden_dim, c->dim, "ffn_up");
        check_tensor(&y->w2, c->dim, c->hidden_dim, "ffn_down");
    }
    const llama_vocab *v = &m->vocab;
    FUZZ_ASSERT(v->kind == LLAMA_VOCAB_SPM || v->kind == LLAMA_VOCAB_BPE, "vocab kind %d", v->kind);
    const unsigned char *p = v->tokens;
    for (int i = 0; i < v->n_tokens; i++) {
        gguf_str s = gguf_next_str(&p);
        inside(s.s, s.len, "a token");
    }
    if (v->scores) inside(v->scores, 4ull * (uint64_t)v->n_tokens, "scores");
    if (v->types) inside(v->types, 4ull * (uint64_t)v->n_tokens, "token types");
    int ids[] = { v->bos, v->eos, v->eot, v->eom, v->unk, v->pad, v->sep };
    for (unsigned i = 0; i < sizeof ids / sizeof ids[0]; i++)
        FUZZ_ASSERT(ids[i] == LLAMA_TOKEN_ABSENT || ids[i] == LLAMA_TOKEN_NONE ||
                    (ids[i] >= 0 && ids[i] < v->n_tokens), "special token id %d", ids[i]);
    if (v->chat_template) inside(v->chat_template, v->chat_template_len, "chat template");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static llama_model model;
    unsigned char *file = fuzz_dup(data, size);
    file_begin = file;
    file_end = file + size;
    llama_error err;
    memset(&err, 0x55, sizeof err);

    gguf_file g;
    int r = gguf_open(&g, file, size, &err);
    FUZZ_ASSERT(r == 0 || r == -1, "gguf_open returned %d", r);
    if (r == 0) check_container(&g);
    else fuzz_check_message(err.msg, sizeof err.msg, 1, "gguf error");

    memset(&err, 0x55, sizeof err);
    int m = llama_gguf_parse(&model, file, size, &err);
    FUZZ_ASSERT(m == 0 || m == -1, "llama_gguf_parse returned %d", m);
    FUZZ_ASSERT(r == 0 || m == -1, "a model from a file gguf_open refused");
    if (m == 0) {
        check_model(&model);
        /* the blocks of 4 and 5 bits rearranged in place: inside the file, and done */
        int p = llama_model_prepare(&model, file, size, &err);
        FUZZ_ASSERT(p == 0, "llama_model_prepare of a parsed model failed: %.200s", err.msg);
        check_model(&model);
        FUZZ_ASSERT(llama_type_split(model.weights.token_embedding.type) < 0 &&
                    llama_type_split(model.weights.layer[0].w2.type) < 0, "a weight left as it was");
    } else {
        fuzz_check_message(err.msg, sizeof err.msg, 1, "model error");
    }
    free(file);
    return 0;
}
