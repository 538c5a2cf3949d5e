/* run.c's sampler: greedy argmax at temperature 0, otherwise softmax of
 * logits / temperature and a draw from the xorshift generator, either from
 * the whole distribution or from the top-p nucleus. */
#ifndef LIB_LLAMA_SAMPLER_H
#define LIB_LLAMA_SAMPLER_H

#include <stdint.h>
#include "lib/llama/arena.h"

typedef struct {
    float prob;
    int index;
} ProbIndex;

typedef struct {
    int vocab_size;
    float temperature;
    float topp;
    uint64_t rng_state;
    ProbIndex *probindex;      /* vocab_size candidates for top-p */
    ProbIndex *scratch;        /* vocab_size, for the merge sort */
} Sampler;

void sampler_init(Sampler *s, int vocab_size, float temperature, float topp,
                  uint64_t seed, Arena *a);

/* Picks the next token; logits are overwritten (scaled, softmaxed). */
int sampler_sample(Sampler *s, float *logits);

/* The pieces, for tests. */
uint32_t random_u32(uint64_t *state);
float random_f32(uint64_t *state);
int sample_argmax(const float *probabilities, int n);
int sample_mult(const float *probabilities, int n, float coin);
int sample_topp(const float *probabilities, int n, float topp, ProbIndex *probindex,
                ProbIndex *scratch, float coin);

#endif
