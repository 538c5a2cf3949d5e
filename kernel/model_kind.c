/* What a model file is (see model_kind.h). The container is read with
 * lib/llama/gguf.c and the model with the same parsers the story uses, so
 * the list says "cannot run" for exactly the files the story would refuse,
 * and why. Those parsers look at the header and at the tensors' places and
 * shapes, never at their values: a view whose tail reads as zeros tells
 * the same as the whole file. */
#include "kernel/model_kind.h"
#include "lib/format.h"
#include "lib/libc.h"
#include "lib/llama/gguf.h"
#include "lib/llama/llama.h"

/* llama.cpp's llama_ftype (include/llama.h); 4-6 are long gone. */
static const char *const file_types[] = {
    "F32", "F16", "Q4_0", "Q4_1", "Q4_1_SOME_F16", 0, 0, "Q8_0", "Q5_0", "Q5_1", "Q2_K",
    "Q3_K_S", "Q3_K_M", "Q3_K_L", "Q4_K_S", "Q4_K_M", "Q5_K_S", "Q5_K_M", "Q6_K", "IQ2_XXS",
    "IQ2_XS", "Q2_K_S", "IQ3_XS", "IQ3_XXS", "IQ1_S", "IQ4_NL", "IQ3_S", "IQ3_M", "IQ2_S",
    "IQ2_M", "IQ4_XS", "IQ1_M", "BF16",
};

const char *model_file_type_name(int64_t t) {
    return t >= 0 && t < (int64_t)(sizeof file_types / sizeof file_types[0]) ? file_types[t] : 0;
}

static llama_model model;   /* large (every layer's tensors): not on the stack */

/* The ggml type that holds the most bytes of the file's tensors. */
static const char *main_tensor_type(const gguf_file *g) {
    uint64_t bytes[64] = {0};
    size_t cursor = 0;
    for (uint64_t i = 0; i < g->n_tensors; i++) {
        gguf_tensor t;
        gguf_tensor_next(g, &cursor, &t);
        if (t.type < 64) bytes[t.type] += t.bytes;
    }
    int best = 0;
    for (int k = 1; k < 64; k++)
        if (bytes[k] > bytes[best]) best = k;
    const char *name = gguf_tensor_type_name((uint32_t)best);
    return name ? name : "?";
}

/* A string for "%.*s": at most 48 bytes of a metadata string. */
#define SHOWN(str) (int)((str).len < 48 ? (str).len : 48), (str).s

static enum model_kind describe_gguf(const void *file, uint64_t size, char *desc, size_t n) {
    gguf_file g;
    llama_error err;
    if (gguf_open(&g, file, (size_t)size, &err) != 0) {
        fmt_snprintf(desc, n, "GGUF, unreadable: %s", err.msg);
        return MODEL_GGUF;
    }
    gguf_str name = { "", 0 }, arch = { "?", 1 };
    int64_t ftype = -1;
    gguf_get_str(&g, "general.name", &name, &err);
    gguf_get_str(&g, "general.architecture", &arch, &err);
    if (gguf_get_int(&g, "general.file_type", 0, 1 << 20, &ftype, &err) != 1) ftype = -1;
    if (g.n_tensors == 0) {
        fmt_snprintf(desc, n, "GGUF '%.*s' with no tensors: a vocabulary, not a model", SHOWN(name));
        return MODEL_GGUF;
    }
    char type[48];
    const char *ft = model_file_type_name(ftype), *main = main_tensor_type(&g);
    if (ft) fmt_snprintf(type, sizeof type, "%s (mostly %s)", ft, main);
    else if (ftype >= 0) fmt_snprintf(type, sizeof type, "file type %lld (mostly %s)", (long long)ftype, main);
    else fmt_snprintf(type, sizeof type, "mostly %s", main);
    if (llama_gguf_parse(&model, file, (size_t)size, &err) != 0) {
        fmt_snprintf(desc, n, "GGUF '%.*s', %.*s, %s; cannot run: %s", SHOWN(name), SHOWN(arch), type, err.msg);
        return MODEL_GGUF;
    }
    const llama_config *c = &model.config;
    fmt_snprintf(desc, n, "GGUF '%.*s', %.*s, %s, dim %d, %d layers, vocabulary %d", SHOWN(name),
                 SHOWN(arch), type, c->dim, c->n_layers, model.vocab.n_tokens);
    return MODEL_GGUF;
}

enum model_kind model_describe(const void *file, uint64_t size, char *desc, size_t n) {
    if (n) desc[0] = 0;
    if (size != (size_t)size) return MODEL_NONE;
    if (llama_is_gguf(file, (size_t)size)) return describe_gguf(file, size, desc, n);
    llama_error err;
    if (llama_checkpoint_parse(&model, file, (size_t)size, &err) != 0) return MODEL_NONE;
    const llama_config *c = &model.config;
    fmt_snprintf(desc, n, "llama2.c checkpoint version %d, %s, dim %d, %d layers, vocabulary %d, context %d",
                 c->version, c->version == 2 ? "Q8_0" : "fp32", c->dim, c->n_layers, c->vocab_size,
                 c->seq_len);
    return MODEL_LLAMA2C;
}
