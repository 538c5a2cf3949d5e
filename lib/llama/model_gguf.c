/* A GGUF file of architecture "llama" as a llama_model, the way llama.cpp
 * reads one (src/llama-model.cpp, LLM_ARCH_LLAMA): the shape from the
 * "llama.*" metadata, the tensors by their names, the vocabulary from the
 * "tokenizer.*" metadata. The tensors and the vocabulary stay where they
 * lie in the file. Anything the forward pass could not run as llama.cpp
 * would (another architecture, biases, an unknown tensor, a type with no
 * kernel, a shape that does not fit) is refused with an error that names
 * it, never run wrong. */
#include <stddef.h>
#include "lib/llama/llama.h"
#include "lib/llama/errors.h"
#include "lib/llama/gguf.h"
#include "lib/libc.h"

/* A name from the file, printable, for an error message. */
#define SHOW(str) gguf_printable((str), (char[56]){ 0 }, 56)

#define MAX_DIM     (1 << 16)
#define MAX_HIDDEN  (1 << 18)
#define MAX_VOCAB   (1 << 22)
#define MAX_CONTEXT (1 << 24)

/* Copies a string value into a fixed buffer, cut to fit. */
static void copy_str(char *dst, size_t cap, gguf_str s) {
    size_t n = s.len < cap - 1 ? s.len : cap - 1;
    memcpy(dst, s.s, n);
    dst[n] = '\0';
}

/* "llama.KEY" (the architecture's prefix) into buf. */
static const char *arch_key(char *buf, size_t cap, const char *key) {
    size_t a = strlen("llama."), k = strlen(key);
    if (a + k + 1 > cap) k = cap - a - 1;
    memcpy(buf, "llama.", a);
    memcpy(buf + a, key, k);
    buf[a + k] = '\0';
    return buf;
}

/* A required or optional integer of the architecture. */
static int arch_int(const gguf_file *g, const char *key, int required, int64_t min, int64_t max,
                    int *out, llama_error *err) {
    char k[96];
    int64_t v;
    int r = gguf_get_int(g, arch_key(k, sizeof k, key), min, max, &v, err);
    if (r < 0) return -1;
    if (r == 0) {
        if (!required) return 0;
        return llama_fail(err, "GGUF file has no %s: it is not a complete llama model", k);
    }
    *out = (int)v;
    return 0;
}

static int arch_float(const gguf_file *g, const char *key, float *out, llama_error *err) {
    char k[96];
    return gguf_get_float(g, arch_key(k, sizeof k, key), out, err) < 0 ? -1 : 0;
}

/* ---------------------------------------------------------------- config */

static int read_config(llama_model *m, const gguf_file *g, llama_error *err) {
    llama_config *c = &m->config;
    gguf_str s;
    int r = gguf_get_str(g, "general.architecture", &s, err);
    if (r < 0) return -1;
    if (r == 0) return llama_fail(err, "GGUF file has no general.architecture: not a model file");
    copy_str(m->arch, sizeof m->arch, s);
    if (!gguf_str_is(s, "llama"))
        return llama_fail(err, "GGUF model architecture '%s' is not supported: this engine runs "
                          "architecture 'llama' (Llama 2 and 3, TinyLlama, SmolLM, Mistral 7B "
                          "and other Llama-shaped models)", SHOW(s));
    if ((r = gguf_get_str(g, "general.name", &s, err)) < 0) return -1;
    if (r) copy_str(m->name, sizeof m->name, s);
    int64_t ft;
    m->file_type = -1;
    if ((r = gguf_get_int(g, "general.file_type", 0, 1 << 20, &ft, err)) < 0) return -1;
    if (r) m->file_type = (int)ft;

    if (arch_int(g, "embedding_length", 1, 1, MAX_DIM, &c->dim, err) ||
        arch_int(g, "feed_forward_length", 1, 1, MAX_HIDDEN, &c->hidden_dim, err) ||
        arch_int(g, "block_count", 1, 1, LLAMA_MAX_LAYERS, &c->n_layers, err) ||
        arch_int(g, "attention.head_count", 1, 1, MAX_DIM, &c->n_heads, err) ||
        arch_int(g, "context_length", 1, 1, MAX_CONTEXT, &c->seq_len, err))
        return -1;
    c->n_kv_heads = c->n_heads;
    if (arch_int(g, "attention.head_count_kv", 0, 1, c->n_heads, &c->n_kv_heads, err)) return -1;
    if (c->dim % c->n_heads != 0)
        return llama_fail(err, "GGUF model has embedding_length %d, not a multiple of its %d "
                          "heads: the file is corrupt", c->dim, c->n_heads);
    if (c->n_heads % c->n_kv_heads != 0)
        return llama_fail(err, "GGUF model has %d heads, not a multiple of its %d key/value "
                          "heads: the file is corrupt", c->n_heads, c->n_kv_heads);
    c->head_size = c->dim / c->n_heads;
    c->kv_dim = c->head_size * c->n_kv_heads;
    int kl = c->head_size, vl = c->head_size;
    if (arch_int(g, "attention.key_length", 0, 1, MAX_DIM, &kl, err) ||
        arch_int(g, "attention.value_length", 0, 1, MAX_DIM, &vl, err))
        return -1;
    if (kl != c->head_size || vl != c->head_size)
        return llama_fail(err, "GGUF model has attention heads of %d (keys) and %d (values) "
                          "values, not embedding_length / head_count = %d: such models are not "
                          "supported", kl, vl, c->head_size);
    c->rope_dim = c->head_size;
    if (arch_int(g, "rope.dimension_count", 0, 2, c->head_size, &c->rope_dim, err)) return -1;
    if (c->rope_dim % 2 != 0)
        return llama_fail(err, "GGUF model rotates %d values of each head, which must be even: "
                          "the file is corrupt", c->rope_dim);
    c->rope_theta = 10000.0f;
    c->rms_eps = 1e-5f;
    c->rope_scale = 1.0f;
    if (arch_float(g, "rope.freq_base", &c->rope_theta, err) ||
        arch_float(g, "attention.layer_norm_rms_epsilon", &c->rms_eps, err))
        return -1;
    if (!(c->rope_theta > 0.0f) || !(c->rms_eps >= 0.0f))
        return llama_fail(err, "GGUF model has rope.freq_base %g and rms epsilon %g; both must be "
                          "positive: the file is corrupt", (double)c->rope_theta, (double)c->rms_eps);
    char k[96];
    if ((r = gguf_get_str(g, arch_key(k, sizeof k, "rope.scaling.type"), &s, err)) < 0) return -1;
    if (r && !gguf_str_is(s, "none")) {
        float factor = 1.0f;
        if (!gguf_str_is(s, "linear"))
            return llama_fail(err, "GGUF model uses RoPE scaling '%s'; only 'linear' (and Llama "
                              "3.1's rope_freqs) are supported", SHOW(s));
        if (arch_float(g, "rope.scaling.factor", &factor, err)) return -1;
        if (!(factor >= 1.0f))
            return llama_fail(err, "GGUF model has rope.scaling.factor %g, which must be at least "
                              "1: the file is corrupt", (double)factor);
        c->rope_scale = 1.0f / factor;
    }
    c->ggml_arith = 1;
    c->version = (int)g->version;
    c->group_size = 0;
    return 0;
}

/* ---------------------------------------------------------------- tensors */

/* Which tensor a name is: a global one, or (layer, kind). */
enum { T_EMBD, T_NORM, T_OUTPUT, T_ROPE_FREQS, T_GLOBALS };
static const char *const global_names[T_GLOBALS] = {
    "token_embd.weight", "output_norm.weight", "output.weight", "rope_freqs.weight",
};
enum { L_ATTN_NORM, L_Q, L_K, L_V, L_O, L_FFN_NORM, L_GATE, L_DOWN, L_UP, L_KINDS };
static const char *const layer_names[L_KINDS] = {
    "attn_norm.weight", "attn_q.weight", "attn_k.weight", "attn_v.weight", "attn_output.weight",
    "ffn_norm.weight", "ffn_gate.weight", "ffn_down.weight", "ffn_up.weight",
};
static const size_t layer_member[L_KINDS] = {
    offsetof(llama_layer, attn_norm), offsetof(llama_layer, wq), offsetof(llama_layer, wk),
    offsetof(llama_layer, wv), offsetof(llama_layer, wo), offsetof(llama_layer, ffn_norm),
    offsetof(llama_layer, w1), offsetof(llama_layer, w2), offsetof(llama_layer, w3),
};

/* "blk.N.KIND": 0 with *layer and *kind, or -1. */
static int parse_layer_name(gguf_str name, int *layer, int *kind) {
    if (name.len < 5 || memcmp(name.s, "blk.", 4) != 0) return -1;
    size_t i = 4;
    long n = 0;
    if (name.s[i] < '0' || name.s[i] > '9') return -1;
    while (i < name.len && name.s[i] >= '0' && name.s[i] <= '9' && n < 1000000)
        n = n * 10 + (name.s[i++] - '0');
    if (i >= name.len || name.s[i] != '.' || (name.s[4] == '0' && i > 5)) return -1;
    gguf_str rest = { name.s + i + 1, name.len - i - 1 };
    for (int k = 0; k < L_KINDS; k++)
        if (gguf_str_is(rest, layer_names[k])) {
            *layer = (int)n;
            *kind = k;
            return 0;
        }
    return -1;
}

static int fail_shape(const gguf_tensor *t, uint64_t cols, uint64_t rows, llama_error *err) {
    return llama_fail(err, "GGUF tensor %s has shape [%llu, %llu, %llu, %llu], but this model "
                      "needs [%llu, %llu]: the file is corrupt or not the model its metadata "
                      "describes", SHOW(t->name), (unsigned long long)t->ne[0],
                      (unsigned long long)t->ne[1], (unsigned long long)t->ne[2],
                      (unsigned long long)t->ne[3], (unsigned long long)cols,
                      (unsigned long long)rows);
}

/* Checks t's shape and type for a slot of cols x rows; vectors (rows 1)
 * must be F32, matrices any type the kernels run. */
static int make_tensor(const gguf_tensor *t, int cols, int rows, llama_tensor *out,
                       llama_error *err) {
    if (t->ne[0] != (uint64_t)cols || t->ne[1] != (uint64_t)rows || t->ne[2] != 1 || t->ne[3] != 1)
        return fail_shape(t, (uint64_t)cols, (uint64_t)rows, err);
    const llama_type_info *ti = llama_type_get((int)t->type);
    if (rows == 1 && t->type != LLAMA_TYPE_F32)
        return llama_fail(err, "GGUF tensor %s is a vector of type %s; this engine needs F32 "
                          "vectors (as llama.cpp's converters write them)", SHOW(t->name),
                          gguf_tensor_type_name(t->type));
    if (!ti || !ti->weight)
        return llama_fail(err, "GGUF tensor %s has type %s, which this engine does not run: "
                          "supported are F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q2_K, "
                          "Q3_K, Q4_K, Q5_K, Q6_K, IQ4_NL and IQ4_XS (llama-quantize's presets "
                          "Q2_K..Q8_0, IQ4_NL and IQ4_XS); "
                          "use a file quantized to one of them", SHOW(t->name),
                          gguf_tensor_type_name(t->type));
    llama_tensor x = { t->data, (int)t->type, rows, cols, llama_type_row_bytes((int)t->type, cols),
                       0, 0 };
    *out = x;
    return 0;
}

static int read_tensors(llama_model *m, const gguf_file *g, llama_error *err) {
    const llama_config *c = &m->config;
    llama_weights *w = &m->weights;
    int D = c->dim, H = c->hidden_dim, KV = c->kv_dim, V = c->vocab_size;
    const int shapes[L_KINDS][2] = {   /* cols, rows */
        { D, 1 }, { D, D }, { D, KV }, { D, KV }, { D, D }, { D, 1 }, { D, H }, { H, D }, { D, H },
    };
    size_t cursor = 0;
    for (uint64_t i = 0; i < g->n_tensors; i++) {
        gguf_tensor t;
        gguf_tensor_next(g, &cursor, &t);
        int layer, kind, gi;
        for (gi = 0; gi < T_GLOBALS; gi++)
            if (gguf_str_is(t.name, global_names[gi])) break;
        llama_tensor *slot;
        int cols, rows;
        if (gi == T_EMBD) slot = &w->token_embedding, cols = D, rows = V;
        else if (gi == T_NORM) slot = &w->rms_final, cols = D, rows = 1;
        else if (gi == T_OUTPUT) slot = &w->wcls, cols = D, rows = V;
        else if (gi == T_ROPE_FREQS) slot = &w->rope_freqs, cols = c->rope_dim / 2, rows = 1;
        else if (parse_layer_name(t.name, &layer, &kind) == 0) {
            if (layer >= c->n_layers)
                return llama_fail(err, "GGUF tensor %s belongs to layer %d, but the model has "
                                  "%d layers: the file is corrupt", SHOW(t.name),
                                  layer, c->n_layers);
            slot = (llama_tensor *)(void *)((unsigned char *)&w->layer[layer] + layer_member[kind]);
            cols = shapes[kind][0];
            rows = shapes[kind][1];
        } else {
            return llama_fail(err, "GGUF tensor %s is not one this engine knows for the llama "
                              "architecture (attention or FFN biases, or another model's "
                              "tensors): this model is not supported", SHOW(t.name));
        }
        if (make_tensor(&t, cols, rows, slot, err)) return -1;
    }
    /* every tensor the forward pass needs */
    if (!w->token_embedding.data)
        return llama_fail(err, "GGUF file has no tensor token_embd.weight: it is incomplete");
    if (!w->rms_final.data)
        return llama_fail(err, "GGUF file has no tensor output_norm.weight: it is incomplete");
    for (int l = 0; l < c->n_layers; l++)
        for (int k = 0; k < L_KINDS; k++) {
            const llama_tensor *s = (const llama_tensor *)(const void *)
                ((const unsigned char *)&w->layer[l] + layer_member[k]);
            if (!s->data)
                return llama_fail(err, "GGUF file has no tensor blk.%d.%s: it is incomplete", l,
                                  layer_names[k]);
        }
    m->config.shared_classifier = w->wcls.data == NULL;
    if (!w->wcls.data) w->wcls = w->token_embedding;   /* tied, as llama.cpp does */
    return 0;
}

/* ---------------------------------------------------------------- vocabulary */

/* A special token id: the value, LLAMA_TOKEN_NONE for -1 (u32 0xffffffff,
 * as converters write "none"), LLAMA_TOKEN_ABSENT when the key is missing. */
static int token_id(const gguf_file *g, const char *key, int n_tokens, int *out, llama_error *err) {
    gguf_kv kv;
    *out = LLAMA_TOKEN_ABSENT;
    if (!gguf_find(g, key, &kv)) return 0;
    int64_t v;
    if (gguf_get_int(g, key, -1, 0xffffffffll, &v, err) < 0) return -1;
    if (v == -1 || v == 0xffffffffll) {
        *out = LLAMA_TOKEN_NONE;
        return 0;
    }
    if (v >= n_tokens)
        return llama_fail(err, "GGUF metadata %s is %lld, but the vocabulary has %d tokens: the "
                          "file is corrupt", key, (long long)v, n_tokens);
    *out = (int)v;
    return 0;
}

static int flag(const gguf_file *g, const char *key, int *out, llama_error *err) {
    *out = -1;
    return gguf_get_bool(g, key, out, err) < 0 ? -1 : 0;
}

static int read_vocab(llama_vocab *v, const gguf_file *g, llama_error *err) {
    gguf_str model;
    int r = gguf_get_str(g, "tokenizer.ggml.model", &model, err);
    if (r < 0) return -1;
    if (r == 0) return llama_fail(err, "GGUF file has no tokenizer.ggml.model: it has no vocabulary");
    if (gguf_str_is(model, "llama")) v->kind = LLAMA_VOCAB_SPM;
    else if (gguf_str_is(model, "gpt2")) v->kind = LLAMA_VOCAB_BPE;
    else
        return llama_fail(err, "GGUF tokenizer model '%s' is not supported: this engine has "
                          "'llama' (SentencePiece) and 'gpt2' (byte-level BPE)",
                          SHOW(model));
    gguf_kv tokens, kv;
    if ((r = gguf_get_array(g, "tokenizer.ggml.tokens", GGUF_STRING, &tokens, err)) < 0) return -1;
    if (r == 0) return llama_fail(err, "GGUF file has no tokenizer.ggml.tokens: it has no vocabulary");
    if (tokens.count < 3 || tokens.count > MAX_VOCAB)
        return llama_fail(err, "GGUF vocabulary has %llu tokens; between 3 and %d are supported",
                          (unsigned long long)tokens.count, MAX_VOCAB);
    v->n_tokens = (int)tokens.count;
    v->tokens = tokens.value;
    if ((r = gguf_get_array(g, "tokenizer.ggml.scores", GGUF_F32, &kv, err)) < 0) return -1;
    if (r) {
        if (kv.count != tokens.count)
            return llama_fail(err, "GGUF vocabulary has %llu tokens but %llu scores: the file is "
                              "corrupt", (unsigned long long)tokens.count,
                              (unsigned long long)kv.count);
        v->scores = kv.value;
    }
    if ((r = gguf_get_array(g, "tokenizer.ggml.token_type", GGUF_I32, &kv, err)) < 0) return -1;
    if (r) {
        if (kv.count != tokens.count)
            return llama_fail(err, "GGUF vocabulary has %llu tokens but %llu token types: the "
                              "file is corrupt", (unsigned long long)tokens.count,
                              (unsigned long long)kv.count);
        v->types = kv.value;
    }
    if ((r = gguf_get_array(g, "tokenizer.ggml.merges", GGUF_STRING, &kv, err)) < 0) return -1;
    if (r) {
        v->merges = kv.value;
        v->n_merges = kv.count;
    }
    if (v->kind == LLAMA_VOCAB_BPE && !v->merges)
        return llama_fail(err, "GGUF vocabulary is byte-level BPE (gpt2) but has no "
                          "tokenizer.ggml.merges: the file is incomplete");
    gguf_str pre;
    if ((r = gguf_get_str(g, "tokenizer.ggml.pre", &pre, err)) < 0) return -1;
    if (r) copy_str(v->pre, sizeof v->pre, pre);
    int n = v->n_tokens;
    if (token_id(g, "tokenizer.ggml.bos_token_id", n, &v->bos, err) ||
        token_id(g, "tokenizer.ggml.eos_token_id", n, &v->eos, err) ||
        token_id(g, "tokenizer.ggml.eot_token_id", n, &v->eot, err) ||
        token_id(g, "tokenizer.ggml.eom_token_id", n, &v->eom, err) ||
        token_id(g, "tokenizer.ggml.unknown_token_id", n, &v->unk, err) ||
        token_id(g, "tokenizer.ggml.padding_token_id", n, &v->pad, err) ||
        token_id(g, "tokenizer.ggml.seperator_token_id", n, &v->sep, err) ||
        flag(g, "tokenizer.ggml.add_bos_token", &v->add_bos, err) ||
        flag(g, "tokenizer.ggml.add_eos_token", &v->add_eos, err) ||
        flag(g, "tokenizer.ggml.add_space_prefix", &v->add_space_prefix, err))
        return -1;
    gguf_str tmpl;
    if ((r = gguf_get_str(g, "tokenizer.chat_template", &tmpl, err)) < 0) return -1;
    if (r) {
        v->chat_template = tmpl.s;
        v->chat_template_len = tmpl.len;
    }
    return 0;
}

/* ---------------------------------------------------------------- entry */

int llama_gguf_vocab(llama_vocab *v, const void *file, size_t size, llama_error *err) {
    memset(v, 0, sizeof *v);
    gguf_file g;
    if (gguf_open(&g, file, size, err)) return -1;
    return read_vocab(v, &g, err);
}

int llama_gguf_parse(llama_model *m, const void *file, size_t size, llama_error *err) {
    memset(m, 0, sizeof *m);
    gguf_file g;
    if (gguf_open(&g, file, size, err)) return -1;
    m->format = LLAMA_FORMAT_GGUF;
    if (read_config(m, &g, err) || read_vocab(&m->vocab, &g, err)) return -1;
    m->config.vocab_size = m->vocab.n_tokens;
    int64_t nv;
    char k[96];
    int r = gguf_get_int(&g, arch_key(k, sizeof k, "vocab_size"), 1, MAX_VOCAB, &nv, err);
    if (r < 0) return -1;
    if (r && nv != m->vocab.n_tokens)
        return llama_fail(err, "GGUF metadata llama.vocab_size is %lld but the vocabulary has %d "
                          "tokens: the file is corrupt", (long long)nv, m->vocab.n_tokens);
    return read_tensors(m, &g, err);
}
