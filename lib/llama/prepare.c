/* Weights put into the layouts the kernels read, in place (tensor.h's
 * llama_tensor_prepare, llama.h's llama_model_prepare). Only Q4_0 has one
 * of its own (blocks.h says why): each run of 32 blocks of a row becomes
 * its d side by side, then its qs side by side, in the same bytes. */
#include "lib/llama/llama.h"
#include "lib/llama/blocks.h"
#include "lib/llama/errors.h"
#include "lib/libc.h"

/* One row of nb ggml blocks of Q4_0 at p, rearranged run by run. */
static void split_q4_0_row(unsigned char *p, int nb) {
    for (int b = 0; b < nb; b += Q4_0_RUN) {
        int n = q4_0_run_blocks(b, nb);
        unsigned char *run = p + q4_0_run_start(b), old[Q4_0_RUN * 18];
        memcpy(old, run, (size_t)n * 18);
        for (int k = 0; k < n; k++) {
            memcpy(run + 2 * k, old + 18 * k, 2);
            memcpy(run + 2 * n + 16 * k, old + 18 * k + 2, 16);
        }
    }
}

void llama_tensor_prepare(llama_tensor *t, void *data) {
    if (t->type != LLAMA_TYPE_Q4_0 || !data) return;
    for (int r = 0; r < t->rows; r++) split_q4_0_row((unsigned char *)data + (size_t)r * t->row_bytes, t->cols / 32);
    t->type = LLAMA_TYPE_Q4_0_SPLIT;
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
        if (!t || t->type != LLAMA_TYPE_Q4_0) continue;
        const unsigned char *d = t->data;
        size_t bytes = (size_t)t->rows * t->row_bytes;
        if (d < f || (size_t)(d - f) > size || bytes > size - (size_t)(d - f))
            return llama_fail(err, "a tensor does not lie in the bytes given to llama_model_prepare: "
                              "give it the bytes llama_model_open read");
    }
    for (int i = 0; i < n; i++) {
        llama_tensor *t = matrix_at(m, i);
        if (t && t->type == LLAMA_TYPE_Q4_0) llama_tensor_prepare(t, f + ((const unsigned char *)t->data - f));
    }
    if (m->weights.wcls.data == m->weights.token_embedding.data) m->weights.wcls = m->weights.token_embedding;
    return 0;
}
