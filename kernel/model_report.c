/* The model's report (see model_report.h). */
#include "kernel/model_report.h"
#include "kernel/console.h"
#include "lib/format.h"
#include "lib/libc.h"

#define MIB (1024.0 * 1024.0)

struct known_model { const char *name; int dim, hidden_dim, n_layers, n_heads, n_kv_heads, vocab_size; };
static const struct known_model known_models[] = {
    {"stories260K", 64, 172, 5, 8, 4, 512},
    {"stories15M", 288, 768, 6, 6, 6, 32000},
    {"stories42M", 512, 1376, 8, 8, 8, 32000},
    {"stories110M", 768, 2048, 12, 12, 12, 32000},
};

const char *model_report_name(const llama_model *m) {
    const llama_config *c = &m->config;
    if (m->name[0] && strcmp(m->name, "llama") != 0) return m->name;   /* "llama": a converter's default */
    for (unsigned i = 0; i < sizeof known_models / sizeof known_models[0]; i++) {
        const struct known_model *k = &known_models[i];
        if (c->dim == k->dim && c->hidden_dim == k->hidden_dim && c->n_layers == k->n_layers &&
            c->n_heads == k->n_heads && c->n_kv_heads == k->n_kv_heads && c->vocab_size == k->vocab_size)
            return k->name;
    }
    return "custom";
}

/* "Q4_K x155, Q6_K x45, F32 x45": each type of the model's tensors, with
 * how many tensors have it, in the order first met. */
static void type_counts(const llama_model *m, char *buf, size_t size) {
    int types[16], counts[16], n = 0;
    const llama_weights *w = &m->weights;
    const llama_tensor *globals[] = { &w->token_embedding, &w->rms_final, &w->wcls, &w->rope_freqs };
    int total = 4 + 9 * m->config.n_layers;
    for (int i = 0; i < total; i++) {
        const llama_tensor *t;
        if (i < 4) {
            t = globals[i];
            if (i == 2 && m->config.shared_classifier) continue;   /* the embedding again */
        } else {
            const llama_layer *l = &w->layer[(i - 4) / 9];
            const llama_tensor *kinds[9] = { &l->attn_norm, &l->wq, &l->wk, &l->wv, &l->wo,
                                             &l->ffn_norm, &l->w1, &l->w2, &l->w3 };
            t = kinds[(i - 4) % 9];
        }
        if (!t->data) continue;
        int k = 0;
        while (k < n && types[k] != t->type) k++;
        if (k == n && n < 16) types[n] = t->type, counts[n++] = 0;
        if (k < n) counts[k]++;
    }
    size_t at = 0;
    buf[0] = 0;
    for (int k = 0; k < n && at < size; k++) {
        const llama_type_info *ti = llama_type_get(types[k]);
        at += (size_t)fmt_snprintf(buf + at, size - at, "%s%s x%d", k ? ", " : "",
                                   ti ? ti->name : "?", counts[k]);
    }
}

static const char *vocab_kind(const llama_vocab *v) {
    switch (v->kind) {
    case LLAMA_VOCAB_SPM: return "SentencePiece";
    case LLAMA_VOCAB_BPE: return "byte-level BPE";
    default: return "llama2.c tokenizer.bin";
    }
}

void model_report(const llama_model *m, size_t file_size, int steps, size_t kv_bytes,
                  size_t need) {
    const llama_config *c = &m->config;
    char types[160], pre[64] = "";
    type_counts(m, types, sizeof types);
    if (m->vocab.kind == LLAMA_VOCAB_BPE && m->vocab.pre[0])
        fmt_snprintf(pre, sizeof pre, " (%s)", m->vocab.pre);
    if (m->format == LLAMA_FORMAT_GGUF)
        kprintf("model: GGUF v%d, %s \"%s\", dim %d, hidden %d, %d layers, %d heads (%d KV)%s, "
                "context %d; vocabulary %s%s, %d tokens\n", c->version, m->arch, m->name, c->dim,
                c->hidden_dim, c->n_layers, c->n_heads, c->n_kv_heads,
                c->shared_classifier ? ", output tied to the embedding" : "", c->seq_len,
                vocab_kind(&m->vocab), pre, c->vocab_size);
    else
        kprintf("model: llama2.c checkpoint version %d (%s), dim %d, hidden %d, %d layers, %d heads "
                "(%d KV), context %d; vocabulary %s, %d tokens\n", c->version, model_report_name(m),
                c->dim, c->hidden_dim, c->n_layers, c->n_heads, c->n_kv_heads, c->seq_len,
                vocab_kind(&m->vocab), c->vocab_size);
    kprintf("model: tensors %s; %.1f MiB used in place; KV cache %.1f MiB for %d steps, with the "
            "run state %.1f MiB\n", types, file_size / MIB, kv_bytes / MIB, steps, need / MIB);
}
