/* Checkpoint files: validate the header, check the file is exactly as big as
 * the config says, and point the weights into the file (no copy).
 *
 * Version 0 (llama2.c's legacy export): seven int32 (dim, hidden_dim,
 * n_layers, n_heads, n_kv_heads, vocab_size, seq_len), then fp32 tensors:
 * embedding, rms_att, wq, wk, wv, wo, rms_ffn, w1, w2, w3, rms_final, two
 * RoPE tables of seq_len * head_size/2 (not used: run.c computes RoPE), and
 * the classifier when vocab_size is negative (unshared).
 *
 * Version 1 (export.py version1_export): a 256-byte header of uint32 magic
 * "ak42" (bytes "24ka"), int32 version, the seven int32, uint8
 * shared_classifier, zero padding; then fp32: rms_att, rms_ffn, rms_final,
 * embedding, wq, wk, wv, wo, w1, w2, w3, and the classifier if unshared.
 *
 * Version 2 (export.py version2_export, runq.c's Q8_0): the same header
 * with version 2 and, after shared_classifier, int32 group_size (at byte
 * 37, unaligned); then fp32 rms_att, rms_ffn, rms_final; then each matrix,
 * layer by layer in the order embedding, wq, wk, wv, wo, w1, w2, w3 (and
 * the classifier if unshared), as int8 values followed by its fp32 scales,
 * one per group_size values. export.py picks group_size 64, halved until it
 * divides dim. */
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include "lib/llama/llama.h"
#include "lib/llama/errors.h"
#include "lib/libc.h"

#define MAGIC 0x616b3432u            /* "ak42" as a little-endian uint32 */
#define V0_HEADER 28
#define V1_HEADER 256

/* Upper bounds: generous for any llama2.c model, small enough that every
 * size and offset the engine computes fits in 64 bits, and every product of
 * two dimensions the forward pass uses as an int index fits in an int. */
#define MAX_DIM       (1 << 16)
#define MAX_HIDDEN    (1 << 18)
#define MAX_LAYERS    LLAMA_MAX_LAYERS
#define MAX_VOCAB     (1 << 22)
#define MAX_SEQ_LEN   (1 << 20)

static int32_t read_i32(const unsigned char *p) {
    uint32_t v = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
                 (uint32_t)p[3] << 24;
    return (int32_t)v;
}

static int check_range(const char *name, int32_t v, int32_t max, llama_error *err) {
    if (v >= 1 && v <= max) return 0;
    return llama_fail(err, "checkpoint config has %s = %d, which must be between 1 and %d: "
                "the file is not a llama2.c checkpoint or is corrupt", name, (int)v, (int)max);
}

/* Checks the seven config fields (vocab_size already made positive). */
static int check_config(llama_config *c, llama_error *err) {
    if (check_range("dim", c->dim, MAX_DIM, err) ||
        check_range("hidden_dim", c->hidden_dim, MAX_HIDDEN, err) ||
        check_range("n_layers", c->n_layers, MAX_LAYERS, err) ||
        check_range("n_heads", c->n_heads, c->dim < MAX_DIM ? c->dim : MAX_DIM, err) ||
        check_range("n_kv_heads", c->n_kv_heads, c->n_heads, err) ||
        check_range("seq_len", c->seq_len, MAX_SEQ_LEN, err))
        return -1;
    if (c->vocab_size < 3 || c->vocab_size > MAX_VOCAB)
        return llama_fail(err, "checkpoint config has vocab_size = %d, which must be between 3 and %d "
                    "(ids 0-2 are <unk>, <s>, </s>): the file is not a llama2.c checkpoint or is corrupt",
                    c->vocab_size, MAX_VOCAB);
    if (c->dim % c->n_heads != 0)
        return llama_fail(err, "checkpoint config has dim = %d, not a multiple of n_heads = %d: "
                    "the file is corrupt", c->dim, c->n_heads);
    if (c->n_heads % c->n_kv_heads != 0)
        return llama_fail(err, "checkpoint config has n_heads = %d, not a multiple of n_kv_heads = %d: "
                    "the file is corrupt", c->n_heads, c->n_kv_heads);
    c->head_size = c->dim / c->n_heads;
    if (c->head_size % 2 != 0)
        return llama_fail(err, "checkpoint config has head size dim/n_heads = %d, which must be even "
                    "for rotary embeddings: the file is corrupt", c->head_size);
    c->kv_dim = c->head_size * c->n_kv_heads;
    return 0;
}

/* Hands out consecutive tensors of the weight area. */
typedef struct {
    const float *p;
} Cursor;

static const float *take(Cursor *c, uint64_t n) {
    const float *t = c->p;
    c->p += n;
    return t;
}

static llama_tensor f32_tensor(const void *data, int rows, int cols) {
    llama_tensor t = { data, LLAMA_TYPE_F32, rows, cols, (size_t)cols * sizeof(float), 0, 0 };
    return t;
}

/* Layer tensor `member` (offsetof in llama_layer) of every layer: the
 * first layer's tensor, then each next one layer_bytes further. */
static void set_layers(llama_model *m, size_t member, llama_tensor first, uint64_t layer_bytes) {
    for (int l = 0; l < m->config.n_layers; l++) {
        llama_tensor t = first;
        t.data = (const unsigned char *)first.data + (uint64_t)l * layer_bytes;
        if (t.scales) t.scales = (const float *)(const void *)((const int8_t *)t.data +
                                                               (size_t)t.rows * (size_t)t.cols);
        memcpy((unsigned char *)&m->weights.layer[l] + member, &t, sizeof t);
    }
}

#define LAYER(field) offsetof(llama_layer, field)

/* A layered fp32 tensor of rows x cols per layer, from the cursor. */
static void f32_layers(llama_model *m, size_t member, Cursor *cur, int rows, int cols) {
    uint64_t n = (uint64_t)rows * (uint64_t)cols;
    set_layers(m, member, f32_tensor(take(cur, (uint64_t)m->config.n_layers * n), rows, cols),
               n * sizeof(float));
}

/* The fp32 norm vectors, one per layer. */
static void norm_layers(llama_model *m, size_t member, Cursor *cur) {
    f32_layers(m, member, cur, 1, m->config.dim);
}

/* Floats each layout holds; every term fits easily in 64 bits (bounds). */
static uint64_t weight_floats(const llama_config *c, int with_rope_tables) {
    uint64_t L = (uint64_t)c->n_layers, D = (uint64_t)c->dim, H = (uint64_t)c->hidden_dim;
    uint64_t KV = (uint64_t)c->kv_dim, V = (uint64_t)c->vocab_size;
    uint64_t n = V * D                       /* embedding */
               + 2 * L * D + D               /* rms_att, rms_ffn, rms_final */
               + 2 * L * D * D + 2 * L * D * KV  /* wq, wo; wk, wv */
               + 3 * L * D * H;              /* w1, w2, w3 */
    if (with_rope_tables) n += (uint64_t)c->seq_len * (uint64_t)c->head_size;
    if (!c->shared_classifier) n += V * D;
    return n;
}

static int check_size(const llama_config *c, uint64_t header, size_t size, llama_error *err) {
    uint64_t expected = header + 4 * weight_floats(c, c->version == 0);
    if ((uint64_t)size == expected) return 0;
    return llama_fail(err, "checkpoint is %llu bytes but its config (version %d, dim %d, hidden_dim %d, "
                "%d layers, %d heads, %d kv heads, vocab %d, seq_len %d, %s classifier) needs "
                "exactly %llu bytes: the file is %s; download or export it again",
                (unsigned long long)size, c->version, c->dim, c->hidden_dim, c->n_layers,
                c->n_heads, c->n_kv_heads, c->vocab_size, c->seq_len,
                c->shared_classifier ? "shared" : "separate", (unsigned long long)expected,
                (uint64_t)size < expected ? "truncated" : "longer than that (extra bytes at the end)");
}

static void map_v0(llama_model *m, const unsigned char *file) {
    const llama_config *c = &m->config;
    llama_weights *w = &m->weights;
    int D = c->dim, H = c->hidden_dim, KV = c->kv_dim, V = c->vocab_size;
    Cursor cur = { (const float *)(file + V0_HEADER) };
    w->token_embedding = f32_tensor(take(&cur, (uint64_t)V * D), V, D);
    norm_layers(m, LAYER(attn_norm), &cur);
    f32_layers(m, LAYER(wq), &cur, D, D);
    f32_layers(m, LAYER(wk), &cur, KV, D);
    f32_layers(m, LAYER(wv), &cur, KV, D);
    f32_layers(m, LAYER(wo), &cur, D, D);
    norm_layers(m, LAYER(ffn_norm), &cur);
    f32_layers(m, LAYER(w1), &cur, H, D);
    f32_layers(m, LAYER(w2), &cur, D, H);
    f32_layers(m, LAYER(w3), &cur, H, D);
    w->rms_final = f32_tensor(take(&cur, (uint64_t)D), 1, D);
    take(&cur, (uint64_t)c->seq_len * (uint64_t)c->head_size);  /* RoPE tables */
    w->wcls = c->shared_classifier ? w->token_embedding
                                   : f32_tensor(take(&cur, (uint64_t)V * D), V, D);
}

static void map_v1(llama_model *m, const unsigned char *file) {
    const llama_config *c = &m->config;
    llama_weights *w = &m->weights;
    int D = c->dim, H = c->hidden_dim, KV = c->kv_dim, V = c->vocab_size;
    Cursor cur = { (const float *)(file + V1_HEADER) };
    norm_layers(m, LAYER(attn_norm), &cur);
    norm_layers(m, LAYER(ffn_norm), &cur);
    w->rms_final = f32_tensor(take(&cur, (uint64_t)D), 1, D);
    w->token_embedding = f32_tensor(take(&cur, (uint64_t)V * D), V, D);
    f32_layers(m, LAYER(wq), &cur, D, D);
    f32_layers(m, LAYER(wk), &cur, KV, D);
    f32_layers(m, LAYER(wv), &cur, KV, D);
    f32_layers(m, LAYER(wo), &cur, D, D);
    f32_layers(m, LAYER(w1), &cur, H, D);
    f32_layers(m, LAYER(w2), &cur, D, H);
    f32_layers(m, LAYER(w3), &cur, H, D);
    w->wcls = c->shared_classifier ? w->token_embedding
                                   : f32_tensor(take(&cur, (uint64_t)V * D), V, D);
}

static void read_params(llama_config *c, const unsigned char *p);

/* Version 2: bytes of a matrix of n values with its scales. */
static uint64_t q8_bytes(const llama_config *c, uint64_t n) {
    return n + 4 * (n / (uint64_t)c->group_size);
}

static uint64_t v2_size(const llama_config *c) {
    uint64_t L = (uint64_t)c->n_layers, D = (uint64_t)c->dim, H = (uint64_t)c->hidden_dim;
    uint64_t KV = (uint64_t)c->kv_dim, V = (uint64_t)c->vocab_size;
    uint64_t n = V1_HEADER + 4 * (2 * L * D + D)
               + q8_bytes(c, V * D)
               + L * (2 * q8_bytes(c, D * D) + 2 * q8_bytes(c, KV * D) + 3 * q8_bytes(c, H * D));
    if (!c->shared_classifier) n += q8_bytes(c, V * D);
    return n;
}

/* A RUNQ8 matrix of rows x cols per layer (values, then scales, layer
 * after layer), from *p. */
static llama_tensor q8_tensor(const llama_config *c, const unsigned char *at, int rows, int cols) {
    size_t n = (size_t)rows * (size_t)cols;
    llama_tensor t = { at, LLAMA_TYPE_RUNQ8, rows, cols, (size_t)cols,
                       (const float *)(const void *)(at + n), c->group_size };
    return t;
}

static void q8_layers(llama_model *m, size_t member, const unsigned char **p, int rows, int cols) {
    uint64_t bytes = q8_bytes(&m->config, (uint64_t)rows * (uint64_t)cols);
    set_layers(m, member, q8_tensor(&m->config, *p, rows, cols), bytes);
    *p += (uint64_t)m->config.n_layers * bytes;
}

static void map_v2(llama_model *m, const unsigned char *file) {
    const llama_config *c = &m->config;
    llama_weights *w = &m->weights;
    int D = c->dim, H = c->hidden_dim, KV = c->kv_dim, V = c->vocab_size;
    Cursor cur = { (const float *)(file + V1_HEADER) };
    norm_layers(m, LAYER(attn_norm), &cur);
    norm_layers(m, LAYER(ffn_norm), &cur);
    w->rms_final = f32_tensor(take(&cur, (uint64_t)D), 1, D);
    const unsigned char *p = (const unsigned char *)cur.p;
    w->token_embedding = q8_tensor(c, p, V, D);
    p += q8_bytes(c, (uint64_t)V * D);
    q8_layers(m, LAYER(wq), &p, D, D);
    q8_layers(m, LAYER(wk), &p, KV, D);
    q8_layers(m, LAYER(wv), &p, KV, D);
    q8_layers(m, LAYER(wo), &p, D, D);
    q8_layers(m, LAYER(w1), &p, H, D);
    q8_layers(m, LAYER(w2), &p, D, H);
    q8_layers(m, LAYER(w3), &p, H, D);
    w->wcls = c->shared_classifier ? w->token_embedding : q8_tensor(c, p, V, D);
}

static int parse_v2(llama_model *ck, const unsigned char *p, size_t size, llama_error *err) {
    llama_config *c = &ck->config;
    if (size < V1_HEADER)
        return llama_fail(err, "checkpoint is %llu bytes, too small for a version 2 header "
                    "(%d bytes): the file is truncated", (unsigned long long)size, V1_HEADER);
    read_params(c, p + 8);
    uint8_t shared = p[36];
    if (shared > 1)
        return llama_fail(err, "checkpoint header has shared_classifier = %d, which must be 0 or 1: "
                    "the file is corrupt", shared);
    int32_t gs = read_i32(p + 37);
    for (int i = 41; i < V1_HEADER; i++)
        if (p[i] != 0)
            return llama_fail(err, "checkpoint header padding byte %d is 0x%02x, not 0: "
                        "the file is corrupt or not a version 2 export", i, p[i]);
    if (c->vocab_size < 0)
        return llama_fail(err, "checkpoint config has vocab_size = %d, which must be positive in "
                    "a version 2 file: the file is corrupt", c->vocab_size);
    c->shared_classifier = shared;
    c->version = 2;
    if (check_config(c, err)) return -1;
    if (gs < 1 || c->dim % gs != 0)
        return llama_fail(err, "checkpoint header has group_size = %d, which must divide dim = %d "
                    "(export.py halves 64 until it does): the file is corrupt", (int)gs, c->dim);
    if (c->dim % 4 != 0)
        return llama_fail(err, "version 2 checkpoint has dim = %d; Q8_0 files are supported for dim "
                    "a multiple of 4 (so that the fp32 scales are aligned): export it with "
                    "--version 1 instead", c->dim);
    c->group_size = gs;
    uint64_t expected = v2_size(c);
    if ((uint64_t)size != expected)
        return llama_fail(err, "checkpoint is %llu bytes but its config (version 2, dim %d, hidden_dim %d, "
                    "%d layers, %d heads, %d kv heads, vocab %d, seq_len %d, group size %d, %s "
                    "classifier) needs exactly %llu bytes: the file is %s; download or export it again",
                    (unsigned long long)size, c->dim, c->hidden_dim, c->n_layers, c->n_heads,
                    c->n_kv_heads, c->vocab_size, c->seq_len, c->group_size,
                    c->shared_classifier ? "shared" : "separate", (unsigned long long)expected,
                    (uint64_t)size < expected ? "truncated" : "longer than that (extra bytes at the end)");
    map_v2(ck, p);
    return 0;
}

static void read_params(llama_config *c, const unsigned char *p) {
    c->dim = read_i32(p);
    c->hidden_dim = read_i32(p + 4);
    c->n_layers = read_i32(p + 8);
    c->n_heads = read_i32(p + 12);
    c->n_kv_heads = read_i32(p + 16);
    c->vocab_size = read_i32(p + 20);
    c->seq_len = read_i32(p + 24);
}

/* The llama2.c defaults for what GGUF files state: run.c's constants. */
static void llama2c_defaults(llama_model *m) {
    llama_config *c = &m->config;
    c->rms_eps = 1e-5f;
    c->rope_theta = 10000.0f;
    c->rope_scale = 1.0f;
    c->rope_dim = c->head_size;
    m->format = LLAMA_FORMAT_LLAMA2C;
    m->file_type = -1;
    memcpy(m->arch, "llama", 6);
}

static int parse(llama_model *ck, const unsigned char *p, size_t size, llama_error *err);

int llama_checkpoint_parse(llama_model *m, const void *file, size_t size, llama_error *err) {
    memset(m, 0, sizeof *m);
    if (parse(m, file, size, err)) return -1;
    llama2c_defaults(m);
    return 0;
}

static int parse(llama_model *ck, const unsigned char *p, size_t size, llama_error *err) {
    if (size >= 4 && p[0] == 'G' && p[1] == 'G' && p[2] == 'U')   /* "GGUF" damaged */
        return llama_fail(err, "the file begins like a GGUF file but with \"GGU%c\", not \"GGUF\": "
                          "it is corrupt; download or convert it again", p[3] >= 0x20 && p[3] < 0x7f ? p[3] : '?');
    if (((uintptr_t)p & 3) != 0)
        return llama_fail(err, "checkpoint is not 4-byte aligned in memory (at %p): "
                    "load it at an aligned address", (const void *)p);
    if (size < V0_HEADER)
        return llama_fail(err, "checkpoint is %llu bytes, too small for a llama2.c header (%d bytes): "
                    "not a llama2.c model file", (unsigned long long)size, V0_HEADER);
    llama_config *c = &ck->config;

    if ((uint32_t)read_i32(p) == MAGIC) {
        int32_t version = read_i32(p + 4);
        if (version == 2) return parse_v2(ck, p, size, err);
        if (version != 1)
            return llama_fail(err, "checkpoint has the llama2.c magic but version %d; only versions 0 "
                        "and 1 (fp32) and 2 (Q8_0) are supported", (int)version);
        if (size < V1_HEADER)
            return llama_fail(err, "checkpoint is %llu bytes, too small for a version 1 header "
                        "(%d bytes): the file is truncated", (unsigned long long)size, V1_HEADER);
        read_params(c, p + 8);
        uint8_t shared = p[36];
        if (shared > 1)
            return llama_fail(err, "checkpoint header has shared_classifier = %d, which must be 0 or 1: "
                        "the file is corrupt", shared);
        for (int i = 37; i < V1_HEADER; i++)
            if (p[i] != 0)
                return llama_fail(err, "checkpoint header padding byte %d is 0x%02x, not 0: "
                            "the file is corrupt or not a version 1 export", i, p[i]);
        if (c->vocab_size < 0)
            return llama_fail(err, "checkpoint config has vocab_size = %d, which must be positive in "
                        "a version 1 file: the file is corrupt", c->vocab_size);
        c->shared_classifier = shared;
        c->version = 1;
        if (check_config(c, err) || check_size(c, V1_HEADER, size, err)) return -1;
        map_v1(ck, p);
        return 0;
    }

    read_params(c, p);
    /* legacy: a negative vocab_size means the classifier is not shared */
    c->shared_classifier = c->vocab_size > 0;
    if (c->vocab_size == INT_MIN)
        return llama_fail(err, "checkpoint config has vocab_size = %d: the file is not a "
                          "llama2.c checkpoint or is corrupt", c->vocab_size);
    if (c->vocab_size < 0) c->vocab_size = -c->vocab_size;
    c->version = 0;
    if (check_config(c, err) || check_size(c, V0_HEADER, size, err)) return -1;
    map_v0(ck, p);
    return 0;
}
