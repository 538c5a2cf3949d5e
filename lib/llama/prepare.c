/* Weights put into the layouts the kernels read, in place (tensor.h's
 * llama_tensor_prepare, llama.h's llama_model_prepare): the blocks of 4
 * and 5 bits (Q4_0, Q4_1, Q5_0, Q5_1; blocks.h says why), each run of 32
 * blocks of a row becoming each of its fields side by side, in the same
 * bytes. */
#include "lib/llama/llama.h"
#include "lib/llama/blocks.h"
#include "lib/llama/errors.h"
#include "lib/libc.h"

/* The fields of a block of S bytes (the d, and m, qh where the type has
 * them, then the 16 bytes of qs), in order: their sizes, 0-ended. */
static const int *block_fields(int type) {
    static const int q4_0[] = { 2, 16, 0 }, q4_1[] = { 2, 2, 16, 0 }, q5_0[] = { 2, 4, 16, 0 },
                     q5_1[] = { 2, 2, 4, 16, 0 };
    switch (type) {
    case LLAMA_TYPE_Q4_0: return q4_0;
    case LLAMA_TYPE_Q4_1: return q4_1;
    case LLAMA_TYPE_Q5_0: return q5_0;
    default: return q5_1;
    }
}

/* One row of nb ggml blocks of S bytes at p, rearranged run by run. */
static void split_row(unsigned char *p, int nb, int S, const int *fields) {
    unsigned char old[BLOCK32_RUN * 24];
    for (int b = 0; b < nb; b += BLOCK32_RUN) {
        int n = run32_blocks(b, nb);
        unsigned char *run = p + run32_start(b, S);
        memcpy(old, run, (size_t)n * (size_t)S);
        for (int f = 0, off = 0; fields[f]; off += fields[f++])
            for (int k = 0; k < n; k++)
                memcpy(run + split_field_at(S, off, fields[f], nb, b + k) - run32_start(b, S),
                       old + (size_t)k * (size_t)S + (size_t)off, (size_t)fields[f]);
    }
}

void llama_tensor_prepare(llama_tensor *t, void *data) {
    int split = llama_type_split(t->type);
    if (split < 0 || !data) return;
    const llama_type_info *ti = llama_type_get(t->type);
    for (int r = 0; r < t->rows; r++)
        split_row((unsigned char *)data + (size_t)r * t->row_bytes, t->cols / 32, ti->bytes, block_fields(t->type));
    t->type = split;
}

/* Matrix i of the model's 2 + 7 * n_layers (the embedding, the
 * classifier, the layers'), or NULL for a classifier that is the
 * embedding itself. */
static llama_tensor *matrix_at(llama_model *m, int i) {
    llama_weights *w = &m->weights;
    if (i == 0) return &w->token_embedding;
    if (i == 1) return w->wcls.data == w->token_embedding.data ? NULL : &w->wcls;
    llama_layer *y = &w->layer[(i - 2) / 7];
    llama_tensor *mats[] = { &y->wq, &y->wk, &y->wv, &y->wo, &y->w1, &y->w3, &y->w2 };
    return mats[(i - 2) % 7];
}

int llama_model_prepare(llama_model *m, void *file, size_t size, llama_error *err) {
    int n = 2 + 7 * m->config.n_layers;
    unsigned char *f = file;
    /* all checked before any is touched */
    for (int i = 0; i < n; i++) {
        const llama_tensor *t = matrix_at(m, i);
        if (!t || llama_type_split(t->type) < 0) continue;
        const unsigned char *d = t->data;
        size_t bytes = (size_t)t->rows * t->row_bytes;
        if (d < f || (size_t)(d - f) > size || bytes > size - (size_t)(d - f))
            return llama_fail(err, "a tensor does not lie in the bytes given to llama_model_prepare: "
                              "give it the bytes llama_model_open read");
    }
    for (int i = 0; i < n; i++) {
        llama_tensor *t = matrix_at(m, i);
        if (t && llama_type_split(t->type) >= 0) llama_tensor_prepare(t, f + ((const unsigned char *)t->data - f));
    }
    if (m->weights.wcls.data == m->weights.token_embedding.data) m->weights.wcls = m->weights.token_embedding;
    return 0;
}
