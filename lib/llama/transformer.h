/* The forward pass: tokens at consecutive positions in, the logits of the
 * last one out, with the key/value cache updated. run.c's forward()
 * (runq.c's for its int8 checkpoints) operation for operation but for the
 * summation order of dot products (matmul.h); for GGUF models the small
 * float operations follow ggml's order instead (llama_config.ggml_arith).
 *
 * A prompt goes through in batches of up to TRANSFORMER_BATCH tokens: each
 * weight matrix is read once per batch (matrix-matrix products) instead of
 * once per token. Every value of every token is computed exactly as when
 * the tokens go one at a time (the products give the same bits for any
 * batch, attention is causal within the batch), so the logits do not
 * depend on how a prompt is cut. Work is split across cores by rows and by
 * heads; the results do not depend on the number of cores either.
 *
 * The SIMD level: a batch runs on the widest the CPU has (the one with
 * matrix-matrix kernels). One token at a time, the widest is not always the
 * fastest (a memory-bound product, a CPU that slows its clock for wide
 * vectors), nor is one way of reading the rows: the first few tokens run
 * each weight type's products on the candidates in turn, timed with the
 * platform's clock, and the fastest for each type runs the rest (tuner.h).
 * Attention and the small steps run on the widest. Every level gives the
 * same bits, so the choice shows only in the speed. */
#ifndef LIB_LLAMA_TRANSFORMER_H
#define LIB_LLAMA_TRANSFORMER_H

#include "lib/llama/llama.h"
#include "lib/llama/arena.h"
#include "lib/llama/matmul.h"
#include "lib/llama/tuner.h"

#define TRANSFORMER_BATCH 64

typedef struct {
    float *x;            /* activations (batch, dim) */
    float *xb, *xb2;     /* inside a residual branch (batch, dim) */
    float *q;            /* queries (batch, dim) */
    float *hb, *hb2;     /* FFN (batch, hidden_dim) */
    float *att;          /* attention scores (n_heads, steps) */
    float *logits;       /* (vocab_size), of the last token */
    float *key_cache;    /* (n_layers, steps, kv_dim) */
    float *value_cache;  /* (n_layers, steps, kv_dim) */
    float *rope_freq;    /* (rope_dim / 2) run.c: the angle per position of each pair */
    float rope_theta_scale;  /* ggml: the ratio of one pair's angle to the previous one's */
    float *rope_cos, *rope_sin;  /* (batch, rope_dim / 2) */
    void *act[3];        /* inputs of dim values prepared for products (q, k, v may differ) */
    void *act_hidden;    /* an input of hidden_dim values prepared for w2 */
} RunState;

typedef struct {
    llama_config config;
    llama_weights weights;
    int steps;           /* positions the cache holds (<= seq_len) */
    int batch;           /* tokens per forward call, at most */
    RunState state;
    Compute compute;
    LevelTuner tuner;
} Transformer;

/* The kernel set and read one-token steps run kind's products on now
 * (tuner.h's tuner_choice; kernel NULL for a kind the model lacks). */
TuneChoice transformer_choice(const Transformer *t, int kind);
/* Whether the next one-token steps are timed (the timing has not decided). */
int transformer_tuning(const Transformer *t);
/* The set of the kind with the most bytes of weights (for reports). */
const MatmulKernel *transformer_level(const Transformer *t);

/* Allocates the run state for steps positions (and batches of up to
 * TRANSFORMER_BATCH tokens, fewer when steps is smaller); unless the arena
 * only measures, zeroes it and precomputes the RoPE frequencies. */
void transformer_init(Transformer *t, const llama_model *m, int steps,
                      const llama_platform *platform, Arena *a);

/* Runs tokens[0..n) (each 0 <= token < vocab_size) at positions pos, pos+1,
 * ..., pos+n-1 (pos + n <= steps), in batches; returns the logits of the
 * last (vocab_size floats in the run state). */
float *transformer_forward(Transformer *t, const int *tokens, int n, int pos);

#endif
