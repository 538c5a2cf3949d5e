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

/* t (a matrix of the model) prepared, its bytes found in [file, file + size). */
static int prepare_in(llama_tensor *t, unsigned char *file, size_t size, llama_error *err) {
    if (t->type != LLAMA_TYPE_Q4_0) return 0;
    const unsigned char *d = t->data;
    size_t bytes = (size_t)t->rows * t->row_bytes;
    if (d < file || (size_t)(d - file) > size || bytes > size - (size_t)(d - file))
        return llama_fail(err, "a tensor does not lie in the bytes given to llama_model_prepare: "
                          "give it the bytes llama_model_open read");
    llama_tensor_prepare(t, file + (d - file));
    return 0;
}

int llama_model_prepare(llama_model *m, void *file, size_t size, llama_error *err) {
    llama_weights *w = &m->weights;
    int shared = w->wcls.data == w->token_embedding.data;
    if (prepare_in(&w->token_embedding, file, size, err)) return -1;
    if (shared) w->wcls = w->token_embedding;     /* the same bytes: once */
    else if (prepare_in(&w->wcls, file, size, err)) return -1;
    for (int l = 0; l < m->config.n_layers; l++) {
        llama_layer *y = &w->layer[l];
        llama_tensor *mats[] = { &y->wq, &y->wk, &y->wv, &y->wo, &y->w1, &y->w3, &y->w2 };
        for (size_t i = 0; i < sizeof mats / sizeof mats[0]; i++)
            if (prepare_in(mats[i], file, size, err)) return -1;
    }
    return 0;
}
