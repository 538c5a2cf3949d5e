/* The sampler (see sampler.h), following run.c step by step. */
#include "lib/llama/sampler.h"
#include "lib/llama/ops.h"
#include "lib/llama/sort.h"

uint32_t random_u32(uint64_t *state) {
    /* xorshift* (Marsaglia / Vigna), as in run.c */
    *state ^= *state >> 12;
    *state ^= *state << 25;
    *state ^= *state >> 27;
    return (uint32_t)((*state * 0x2545F4914F6CDD1Dull) >> 32);
}

float random_f32(uint64_t *state) {
    return (float)(random_u32(state) >> 8) / 16777216.0f;   /* [0, 1) */
}

int sample_argmax(const float *probabilities, int n) {
    int max_i = 0;
    float max_p = probabilities[0];
    for (int i = 1; i < n; i++) {
        if (probabilities[i] > max_p) {     /* the first maximum wins */
            max_i = i;
            max_p = probabilities[i];
        }
    }
    return max_i;
}

int sample_mult(const float *probabilities, int n, float coin) {
    float cdf = 0.0f;
    for (int i = 0; i < n; i++) {
        cdf += probabilities[i];
        if (coin < cdf) return i;
    }
    return n - 1;                           /* rounding left the coin above the sum */
}

/* Descending probability; equal ones keep index order (stable sort). */
static int by_prob_desc(const void *a, const void *b, void *ctx) {
    (void)ctx;
    float pa = ((const ProbIndex *)a)->prob, pb = ((const ProbIndex *)b)->prob;
    if (pa > pb) return -1;
    if (pa < pb) return 1;
    return 0;
}

int sample_topp(const float *probabilities, int n, float topp, ProbIndex *probindex,
                ProbIndex *scratch, float coin) {
    /* Tokens below (1 - topp) / (n - 1) cannot be in the nucleus; dropping
     * them first keeps the sort short. */
    int n0 = 0;
    const float cutoff = (1.0f - topp) / (float)(n - 1);
    for (int i = 0; i < n; i++) {
        if (probabilities[i] >= cutoff) {
            probindex[n0].index = i;
            probindex[n0].prob = probabilities[i];
            n0++;
        }
    }
    /* run.c would read probindex[-1] here; only a topp below 1/n (or a
     * one-token vocabulary) gets there. Take the most likely token. */
    if (n0 == 0) return sample_argmax(probabilities, n);
    stable_sort(probindex, (size_t)n0, sizeof *probindex, scratch, by_prob_desc, NULL);

    /* the smallest prefix whose probability exceeds topp */
    float cumulative_prob = 0.0f;
    int last_idx = n0 - 1;
    for (int i = 0; i < n0; i++) {
        cumulative_prob += probindex[i].prob;
        if (cumulative_prob > topp) {
            last_idx = i;
            break;
        }
    }

    float r = coin * cumulative_prob;
    float cdf = 0.0f;
    for (int i = 0; i <= last_idx; i++) {
        cdf += probindex[i].prob;
        if (r < cdf) return probindex[i].index;
    }
    return probindex[last_idx].index;
}

void sampler_init(Sampler *s, int vocab_size, float temperature, float topp,
                  uint64_t seed, Arena *a) {
    s->vocab_size = vocab_size;
    s->temperature = temperature;
    s->topp = topp;
    s->rng_state = seed;
    s->probindex = arena_alloc(a, (size_t)vocab_size, sizeof *s->probindex);
    s->scratch = arena_alloc(a, (size_t)vocab_size, sizeof *s->scratch);
}

int sampler_sample(Sampler *s, float *logits) {
    if (s->temperature == 0.0f) return sample_argmax(logits, s->vocab_size);
    for (int q = 0; q < s->vocab_size; q++) logits[q] /= s->temperature;
    softmax(logits, s->vocab_size);
    float coin = random_f32(&s->rng_state);
    if (s->topp <= 0 || s->topp >= 1) return sample_mult(logits, s->vocab_size, coin);
    return sample_topp(logits, s->vocab_size, s->topp, s->probindex, s->scratch, coin);
}
