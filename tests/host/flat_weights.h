/* A llama2.c checkpoint's tensors as the file lays them out: each kind of
 * tensor of every layer in one run (run.c's TransformerWeights), fp32 or
 * (version 2) int8 with scales. The tests that check the checkpoint
 * mapping and the run.c oracle read the model through this view;
 * flat_weights also checks that the model's per-layer tensors are exactly
 * those runs cut into layers (ok = 0 otherwise, with what differs). */
#ifndef TESTS_HOST_FLAT_WEIGHTS_H
#define TESTS_HOST_FLAT_WEIGHTS_H

#include <stdio.h>
#include <string.h>
#include "lib/llama/llama.h"

typedef struct {
    const float *token_embedding, *rms_att, *rms_ffn, *wq, *wk, *wv, *wo, *w1, *w2, *w3,
        *rms_final, *wcls;
    const int8_t *q_token_embedding, *q_wq, *q_wk, *q_wv, *q_wo, *q_w1, *q_w2, *q_w3, *q_wcls;
    int ok;
    char why[160];
} FlatWeights;

/* Layer l's tensor of a kind must follow layer 0's by l runs of `bytes`,
 * with the same type and shape. */
static inline int flat_layers_ok(const llama_model *m, size_t member, size_t bytes,
                                 FlatWeights *f, const char *name) {
    const llama_tensor *t0 = (const llama_tensor *)(const void *)
        ((const unsigned char *)&m->weights.layer[0] + member);
    for (int l = 1; l < m->config.n_layers; l++) {
        const llama_tensor *t = (const llama_tensor *)(const void *)
            ((const unsigned char *)&m->weights.layer[l] + member);
        if ((const unsigned char *)t->data != (const unsigned char *)t0->data + (size_t)l * bytes ||
            t->type != t0->type || t->rows != t0->rows || t->cols != t0->cols) {
            f->ok = 0;
            snprintf(f->why, sizeof f->why, "layer %d of %s is not where (or what) it should be", l, name);
            return 0;
        }
    }
    return 1;
}

static inline FlatWeights flat_weights(const llama_model *m) {
    FlatWeights f;
    memset(&f, 0, sizeof f);
    f.ok = 1;
    const llama_config *c = &m->config;
    const llama_weights *w = &m->weights;
    const llama_layer *l0 = &w->layer[0];
    size_t D = (size_t)c->dim, H = (size_t)c->hidden_dim, KV = (size_t)c->kv_dim;
    int q8 = c->group_size > 0;
    size_t gs = q8 ? (size_t)c->group_size : 1;
#define LAYER_BYTES(n) (q8 ? (n) + 4 * ((n) / gs) : 4 * (n))   /* bytes of one layer's tensor */
    flat_layers_ok(m, offsetof(llama_layer, attn_norm), 4 * D, &f, "rms_att");
    flat_layers_ok(m, offsetof(llama_layer, ffn_norm), 4 * D, &f, "rms_ffn");
    flat_layers_ok(m, offsetof(llama_layer, wq), LAYER_BYTES(D * D), &f, "wq");
    flat_layers_ok(m, offsetof(llama_layer, wk), LAYER_BYTES(KV * D), &f, "wk");
    flat_layers_ok(m, offsetof(llama_layer, wv), LAYER_BYTES(KV * D), &f, "wv");
    flat_layers_ok(m, offsetof(llama_layer, wo), LAYER_BYTES(D * D), &f, "wo");
    flat_layers_ok(m, offsetof(llama_layer, w1), LAYER_BYTES(H * D), &f, "w1");
    flat_layers_ok(m, offsetof(llama_layer, w2), LAYER_BYTES(D * H), &f, "w2");
    flat_layers_ok(m, offsetof(llama_layer, w3), LAYER_BYTES(H * D), &f, "w3");
#undef LAYER_BYTES
    f.rms_att = l0->attn_norm.data;
    f.rms_ffn = l0->ffn_norm.data;
    f.rms_final = w->rms_final.data;
    if (!q8) {
        f.token_embedding = w->token_embedding.data;
        f.wq = l0->wq.data; f.wk = l0->wk.data; f.wv = l0->wv.data; f.wo = l0->wo.data;
        f.w1 = l0->w1.data; f.w2 = l0->w2.data; f.w3 = l0->w3.data;
        f.wcls = w->wcls.data;
    } else {
        f.q_token_embedding = w->token_embedding.data;
        f.q_wq = l0->wq.data; f.q_wk = l0->wk.data; f.q_wv = l0->wv.data; f.q_wo = l0->wo.data;
        f.q_w1 = l0->w1.data; f.q_w2 = l0->w2.data; f.q_w3 = l0->w3.data;
        f.q_wcls = w->wcls.data;
    }
    return f;
}

#endif
