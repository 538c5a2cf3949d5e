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
 * vectors): the first few tokens alternate between the widest level and
 * the next, timed with the platform's clock, and the faster one runs the
 * rest. Every level gives the same bits, so the choice shows only in the
 * speed. */
#ifndef LIB_LLAMA_TRANSFORMER_H
#define LIB_LLAMA_TRANSFORMER_H

#include "lib/llama/llama.h"
#include "lib/llama/arena.h"
#include "lib/llama/matmul.h"

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

/* Picks how one-token steps run by timing the candidates: the widest
 * level's set, its variant if it has one (matmul.h's variant_of), and the
 * next level down, each reading rows every way that differs for the model
 * (matmul.h's matmul_read). The first one-token step runs untimed (it may
 * be the first to touch the weights). Then each timed step shares its
 * layers out among the candidates still timed, in turn (every level gives the
 * same bits, so the step's result is that of any one of them), and each
 * is charged its layers' time per byte of their weights; the classifier
 * runs on the fastest so far, untimed. Once every candidate has been
 * timed, one more than an eighth slower than the fastest is timed no
 * more; the timing ends when one is left or each has had TUNE_TRIALS
 * steps. Whole steps on each candidate in turn cost far more: on Zen 5 a
 * TinyLlama Q4_K token took 15.6 ms on the fastest, 22-31 on the three
 * others, 30 ms more in all (4% of a 48-token reply); shared out by
 * layers, the three cost 5.5 ms. TUNE_AGAIN one-token steps after the
 * timing ended it starts again (without the untimed step), so that a
 * choice made while another program was reading memory does not last a
 * whole session: on a shared Zen 4 VM, bench's TinyLlama Q4_K_M on one
 * core, timed in such a moment, took the four streams bare for twice as
 * slow as one stream ahead (87-103 against 52-56 us per MiB) and kept one
 * stream ahead, where undisturbed the bare ones won in five runs of five
 * (40-45 against 50-57) and steps took 24-27 ms. Timing again costs 10-15
 * ms there (0.3-0.5% of TUNE_AGAIN steps). */
#define TUNE_TRIALS 3    /* steps timed on each candidate */
#define TUNE_AGAIN 128   /* one-token steps on the choice before it is timed again */
#define TUNE_SETS 3                   /* the widest, a variant of it, the next level down */
#define TUNE_MAX (TUNE_SETS * MATMUL_READS)   /* each read every way */
typedef struct {
    const MatmulKernel *kernel;
    int read;                        /* MATMUL_READ_* */
} TuneChoice;
typedef struct {
    const MatmulKernel *widest;      /* batches run on it */
    TuneChoice cand[TUNE_MAX];       /* for one token at a time */
    int n_cand;
    int warm;                        /* the untimed first step has run */
    int since;                       /* one-token steps on the choice since the timing ended */
    int kept;                        /* the candidate chosen before, while timing again (0 at first) */
    int steps;                       /* timed steps so far */
    int tried[TUNE_MAX];             /* steps timed on each candidate */
    unsigned dropped;                /* candidates too slow to time again */
    uint64_t best[TUNE_MAX];         /* each one's fastest step: ns per MiB of weights */
    /* the step being timed (in_step): its candidates in layer order
     * (layer l takes plan[l % n_plan]), the one running now, when its
     * layer began, and each one's time and bytes so far */
    int in_step;
    int plan[TUNE_MAX], n_plan, running;
    uint64_t mark, ns[TUNE_MAX], bytes[TUNE_MAX];
    uint64_t (*now_ns)(void *ctx);   /* the platform's clock; NULL: no tuning */
    void *ctx;
} LevelTuner;

typedef struct {
    llama_config config;
    llama_weights weights;
    int steps;           /* positions the cache holds (<= seq_len) */
    int batch;           /* tokens per forward call, at most */
    RunState state;
    Compute compute;
    LevelTuner tuner;
} Transformer;

/* The level and read one-token steps run on now (for reports, and the
 * read of batches); the widest, one stream ahead where reads are timed
 * (four streams where they are not), until the timing has decided; while
 * it times again, the choice it made before. */
TuneChoice transformer_choice(const Transformer *t);
/* Whether the next one-token steps are timed (the timing has not decided). */
int transformer_tuning(const Transformer *t);
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
