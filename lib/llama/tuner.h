/* The tuner: for each weight kind of a model (matmul.h's MATMUL_*), the
 * kernel set and the read of the rows (matmul.h's matmul_read) that its
 * products run on in one-token steps, picked by timing them with the
 * platform's clock on the first steps.
 *
 * Each kind is timed on its own: the fastest way differs by type on one
 * machine (Zen 4, kbench from DRAM, one core: Q4_0 reads 26.9 GB/s as four
 * prefetched streams, 24.3 bare; Q6_K 12.2 as streams, 29.1 bare), and one
 * model mixes types (llama-quantize's Q4_0 files keep the classifier in
 * Q6_K, its Q4_K_M ones hold Q6_K layers among Q4_K ones).
 *
 * A kind's candidates: the widest level's set, its variant if it has one
 * (matmul.h's variant_of), and the next level down, each where its kernel
 * for the kind is another than those before, each reading rows every way
 * that differs for the kind. The first one-token step runs untimed (it may
 * be the first to touch the weights), every kind on its first candidate.
 * Then each timed step shares its units of work out among each kind's
 * candidates still timed, in turn: a unit is a layer, or the classifier,
 * and each kind's products in it run on one candidate of that kind, which
 * is charged their time (the platform's clock around each product) per
 * byte of their weights. Every level and read gives the same bits, so a
 * step's result is that of any one of them. Once every candidate of a kind
 * has been timed, one more than an eighth slower than the kind's fastest
 * is timed no more; a kind's timing ends when one is left or each has had
 * TUNE_TRIALS steps. A kind only the classifier has gets one unit a step,
 * so its timing takes a step for each of its candidates and trials.
 *
 * Why units and not whole steps: whole steps on each candidate in turn
 * cost far more: on Zen 5 a TinyLlama Q4_K token took 15.6 ms on the
 * fastest, 22-31 on the three others, 30 ms more in all (4% of a 48-token
 * reply); shared out by layers, the three cost 5.5 ms.
 *
 * TUNE_AGAIN one-token steps after the timing ended it starts again
 * (without the untimed step), the choices kept meanwhile, so that a choice
 * made while another program was reading memory does not last a whole
 * session: on a shared Zen 4 VM, bench's TinyLlama Q4_K_M on one core,
 * timed in such a moment, took the four streams bare for twice as slow as
 * one stream ahead (87-103 against 52-56 us per MiB) and kept one stream
 * ahead, where undisturbed the bare ones won in five runs of five (40-45
 * against 50-57) and steps took 24-27 ms. Timing again costs 10-15 ms
 * there (0.3-0.5% of TUNE_AGAIN steps).
 *
 * Batches (several tokens) run every kind on the widest set (the one with
 * matrix-matrix kernels), read as its choice says. */
#ifndef LIB_LLAMA_TUNER_H
#define LIB_LLAMA_TUNER_H

#include <stdint.h>
#include "lib/llama/llama.h"
#include "lib/llama/matmul.h"

#define TUNE_TRIALS 3    /* steps timed on each candidate */
#define TUNE_AGAIN 128   /* one-token steps on the choices before they are timed again */
#define TUNE_SETS 3                   /* the widest, a variant of it, the next level down */
#define TUNE_MAX (TUNE_SETS * MATMUL_READS)   /* each read every way */

typedef struct {
    const MatmulKernel *kernel;
    int read;                        /* MATMUL_READ_* */
} TuneChoice;

/* One kind's timing. */
typedef struct {
    TuneChoice cand[TUNE_MAX];
    int n_cand;                      /* 0: the model has no weights of this kind */
    int kept;                        /* the candidate chosen before, while timing again (0 at first) */
    int steps;                       /* steps that timed this kind */
    int tried[TUNE_MAX];             /* steps timed on each candidate */
    unsigned dropped;                /* candidates too slow to time again */
    uint64_t best[TUNE_MAX];         /* each one's fastest step: ns per MiB of weights */
    /* the step being timed: the candidates in turn (unit u of the kind
     * takes plan[u % n_plan]; n_plan 0: not timed in this step), the
     * next unit's place, each one's time and bytes so far */
    int plan[TUNE_MAX], n_plan, next;
    uint64_t ns[TUNE_MAX], bytes[TUNE_MAX];
} KindTuner;

typedef struct {
    const MatmulKernel *widest;
    int main_kind;                   /* the kind with the most bytes (for reports) */
    KindTuner kind[MATMUL_KINDS];
    /* what each kind's products run on now (with matmul_read[kind]) */
    const MatmulKernel *runs_on[MATMUL_KINDS];
    int warm;                        /* the untimed first step has run */
    int since;                       /* one-token steps on the choices since the timing ended */
    int steps;                       /* timed steps so far */
    int in_step;                     /* a timed step is running */
    int unit[MATMUL_KINDS];          /* in it: each kind's candidate in the unit now (-1: untimed) */
    int timing;                      /* the kind of the product timed now, -1 none */
    uint64_t timing_bytes, mark;     /* its bytes of weights; when it began */
    uint64_t (*now_ns)(void *ctx);   /* the platform's clock; NULL: no tuning */
    void *ctx;
} LevelTuner;

/* Candidates for the kinds with bytes[kind] > 0 (the bytes of the model's
 * weights of each kind that a one-token step reads), the widest set first. */
void tuner_init(LevelTuner *u, const MatmulKernel *widest, const uint64_t bytes[MATMUL_KINDS],
                const llama_platform *pf);

/* Whether the next one-token steps are timed (some kind has not decided). */
int tuner_tuning(const LevelTuner *u);
/* Whether kind has not decided: its products keep their choice made
 * before (while timing again) until it has. */
int tuner_kind_tuning(const LevelTuner *u, int kind);

/* The kernel set and read kind's products run on in one-token steps: the
 * first candidate until the timing has decided, the choice made before
 * while it times again; for a kind the model lacks, the widest set. */
TuneChoice tuner_choice(const LevelTuner *u, int kind);

/* Before a forward pass of n tokens: sets what each kind runs on and
 * returns whether the pass is a timed step (then tuner_unit begins each
 * unit, tuner_product_begins/ends bracket each product, and tuner_end
 * ends the step). */
int tuner_begin(LevelTuner *u, int n);
/* In a timed step: a unit begins whose products are of the kinds in the
 * bit set `kinds`; each kind timed in this step runs on its next candidate. */
void tuner_unit(LevelTuner *u, unsigned kinds);
/* Around one product of kind's weights, `bytes` of them (a product run
 * with no timed step under way is not timed). */
void tuner_product_begins(LevelTuner *u, int kind, uint64_t bytes);
void tuner_product_ends(LevelTuner *u);
void tuner_end(LevelTuner *u);

#endif
