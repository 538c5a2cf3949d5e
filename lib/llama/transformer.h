/* The forward pass: one token at one position in, logits out, with the
 * key/value cache updated. run.c's forward() (runq.c's for Q8_0
 * checkpoints), operation for operation but for the summation order of
 * dot products (matmul.h), split across cores by rows and by heads. */
#ifndef LIB_LLAMA_TRANSFORMER_H
#define LIB_LLAMA_TRANSFORMER_H

#include "lib/llama/llama.h"
#include "lib/llama/arena.h"
#include "lib/llama/matmul.h"

typedef struct {
    float *x;            /* activation (dim) */
    float *xb, *xb2;     /* inside a residual branch (dim) */
    float *hb, *hb2;     /* FFN (hidden_dim) */
    float *q;            /* query (dim) */
    float *att;          /* attention scores (n_heads, steps) */
    float *logits;       /* (vocab_size) */
    float *key_cache;    /* (n_layers, steps, kv_dim) */
    float *value_cache;  /* (n_layers, steps, kv_dim) */
    float *rope_freq;    /* (head_size / 2) */
    float *rope_cos, *rope_sin;  /* (head_size / 2), for the current position */
    QuantVec xq;         /* Q8_0: a dim vector quantized (groups of group_size) */
    QuantVec hq;         /* Q8_0: a hidden_dim vector (groups of gcd(hidden_dim, group_size)) */
} RunState;

typedef struct {
    llama_config config;
    llama_weights weights;
    int steps;           /* positions the cache holds (<= seq_len) */
    RunState state;
    Compute compute;
} Transformer;

/* Allocates the run state for steps positions; unless the arena only
 * measures, zeroes it and precomputes the RoPE frequencies. */
void transformer_init(Transformer *t, const llama_model *ck, int steps,
                      const llama_platform *platform, Arena *a);

/* Runs token (0 <= token < vocab_size) at pos (0 <= pos < steps); returns
 * the logits (vocab_size floats in the run state). */
float *transformer_forward(Transformer *t, int token, int pos);

#endif
