/* The tuner (see tuner.h): each weight kind's candidates, their timing
 * and the choice. */
#include "lib/llama/tuner.h"
#include "lib/libc.h"

/* ---------------------------------------------------------------- the candidates */

/* The ways of reading rows (a bit per MATMUL_READ_*) that differ for a
 * kind: the block types read all four ways; llama2.c's Q8_0 (AVX-512
 * VNNI's RUNQ8 rows) in order ahead or as streams, which are never
 * prefetched; F16 and BF16 always as two streams, prefetched or bare; F32
 * one way. */
static unsigned reads_that_differ(int kind) {
    switch (kind) {
    case MATMUL_F32: return 1u << MATMUL_READ_STREAMS;
    case MATMUL_RUNQ8: return 1u << MATMUL_READ_STREAMS | 1u << MATMUL_READ_AHEAD;
    case MATMUL_F16:
    case MATMUL_BF16: return 1u << MATMUL_READ_STREAMS | 1u << MATMUL_READ_BARE;
    default: return (1u << MATMUL_READS) - 1;
    }
}

/* Whether level k, below the widest, is worth timing for every one of
 * the kinds: it has kernels of its own for each (where it has none, the
 * plain C code is ten to forty times slower: one Q4_K_M token of
 * TinyLlama's shape took 0.66 s, 0.024 on AVX2, so a single timed token
 * on it would cost an AVX2 machine's run more than all its other tokens);
 * and below AVX2, only llama2.c's kinds (F32, RUNQ8), whose SSE2 code is
 * its own: the SSE levels' kernels for ggml's types are AVX2's on 128-bit
 * halves (quant_sse2.c, quant_sse4.c) or widen binary16 in integer code,
 * never faster than AVX2's. */
static int serves_all(const MatmulKernel *k, const MatmulKernel *widest, unsigned kinds) {
    int below_avx2 = (widest->needs & LLAMA_CPU_AVX2) && !(k->needs & LLAMA_CPU_AVX2);
    for (int kind = 0; kind < MATMUL_KINDS; kind++) {
        if (!(kinds >> kind & 1)) continue;
        if (!matmul_level_serves(k, kind)) return 0;
        if (below_avx2 && kind != MATMUL_F32 && kind != MATMUL_RUNQ8) return 0;
    }
    return 1;
}

/* The sets to time: the widest, a variant of it that the CPU has (--simd
 * or not: it is the same level), and the next level down that the CPU has,
 * if any: past the levels of the same name, and past those whose
 * one-vector kernels are the widest's (AMX's are VNNI's), with their
 * names; none if that one lacks kernels for some of the model's weights,
 * or under --simd (it fixes the level; how its rows are read is still
 * timed). Returns how many. */
static int sets_to_time(const MatmulKernel *levels[TUNE_SETS], const MatmulKernel *widest, unsigned kinds,
                        const llama_platform *pf) {
    int n = 0;
    levels[n++] = widest;
    unsigned have = pf ? pf->cpu_features : widest->needs;
    for (int v = 0; matmul_levels[v] && n < TUNE_SETS - 1; v++)
        if (matmul_levels[v]->variant_of == widest && (matmul_levels[v]->needs & ~have) == 0)
            levels[n++] = matmul_levels[v];
    int i = 0;
    while (matmul_levels[i] && matmul_levels[i] != widest) i++;
    const char *same = pf && pf->simd_fixed ? NULL : widest->name;
    for (i++; matmul_levels[i] && same; i++) {
        const MatmulKernel *k = matmul_levels[i];
        if ((k->needs & ~have) != 0 || !k->name || k->variant_of) continue;
        /* SSE4.1's set: SSE2's kernels for llama2.c's kinds, AVX2's on halves for the rest */
        if ((widest->needs & LLAMA_CPU_AVX2) && (k->needs & LLAMA_CPU_SSE41)) continue;
        if (k->q8_rows == widest->q8_rows && k->f32_rows == widest->f32_rows) same = k->name;
        else if (strcmp(k->name, same) != 0) {
            if (serves_all(k, widest, kinds)) levels[n++] = k;
            break;
        }
    }
    return n;
}

void tuner_init(LevelTuner *u, const MatmulKernel *widest, const uint64_t bytes[MATMUL_KINDS],
                const llama_platform *pf) {
    memset(u, 0, sizeof *u);
    u->widest = widest;
    u->timing = -1;
    unsigned kinds = 0;
    for (int kind = 0; kind < MATMUL_KINDS; kind++) {
        if (bytes[kind]) kinds |= 1u << kind;
        if (bytes[kind] > bytes[u->main_kind]) u->main_kind = kind;
        u->runs_on[kind] = widest;
        u->unit[kind] = -1;
    }
    const MatmulKernel *levels[TUNE_SETS];
    int n_levels = sets_to_time(levels, widest, kinds, pf);
    /* each set that runs the kind with code of its own, every way that
     * differs, one stream ahead first: the first candidate runs the untimed
     * first step, and the ways rank differently on each machine: on the
     * AMX Xeon four streams read the K-quants 8-15% faster, on Zen 5 one
     * stream reads Q6_K 3 times and Q3_K twice as fast as four, on Zen 4
     * four streams without software prefetch read Q6_K 1.6 times as fast
     * as one (kbench from DRAM, one core; matmul.h) */
    static const int order[MATMUL_READS] = { MATMUL_READ_AHEAD, MATMUL_READ_STREAMS, MATMUL_READ_BARE,
                                             MATMUL_READ_L2 };
    for (int kind = 0; kind < MATMUL_KINDS; kind++) {
        KindTuner *k = &u->kind[kind];
        if (!(kinds >> kind & 1)) continue;
        for (int l = 0; l < n_levels; l++) {
            int seen = 0;
            for (int e = 0; e < l; e++) seen |= matmul_same_code(levels[e], levels[l], kind);
            for (int i = 0; i < MATMUL_READS && !seen; i++)
                if (reads_that_differ(kind) >> order[i] & 1) k->cand[k->n_cand++] = (TuneChoice){ levels[l], order[i] };
        }
    }
    u->now_ns = pf ? pf->now_ns : NULL;
    u->ctx = pf ? pf->ctx : NULL;
}

/* ---------------------------------------------------------------- one kind's timing */

/* Candidate c is still timed: not dropped and short of its trials. */
static int timed_more(const KindTuner *k, int c) { return !(k->dropped >> c & 1) && k->tried[c] < TUNE_TRIALS; }

static int kind_tuning(const KindTuner *k) {
    if (k->n_cand < 2) return 0;
    int live = 0, more = 0;
    for (int c = 0; c < k->n_cand; c++) {
        live += !(k->dropped >> c & 1);
        more += timed_more(k, c);
    }
    return live > 1 && more > 0;
}

/* Once each candidate has been timed: those more than an eighth slower
 * than the fastest are timed no more. */
static void drop_slow(KindTuner *k) {
    uint64_t best = UINT64_MAX;
    for (int c = 0; c < k->n_cand; c++) {
        if (!k->tried[c]) return;
        if (k->best[c] < best) best = k->best[c];
    }
    for (int c = 0; c < k->n_cand; c++)
        if (k->best[c] - best > best / 8) k->dropped |= 1u << c;
}

/* The fastest candidate timed so far; the first before any. */
static int leader(const KindTuner *k) {
    int best = 0;
    for (int c = 1; c < k->n_cand; c++)
        if (k->tried[c] && (!k->tried[best] || k->best[c] < k->best[best])) best = c;
    return best;
}

/* A timed step's plan for the kind: the candidates still timed, those
 * timed least first, and among equals from a place that moves on each
 * step, so that no candidate always gets the same units. While some have
 * never been timed (more candidates than a step has units), those alone:
 * the others wait for drop_slow rather than take a second slow trial. */
static void plan_step(KindTuner *k) {
    k->n_plan = k->next = 0;
    if (!kind_tuning(k)) return;
    for (int least = 0; least < TUNE_TRIALS && !(least == 1 && k->n_plan); least++)
        for (int i = 0; i < k->n_cand; i++) {
            int c = (i + k->steps) % k->n_cand;
            if (timed_more(k, c) && k->tried[c] == least) k->plan[k->n_plan++] = c;
        }
    for (int c = 0; c < k->n_cand; c++) k->ns[c] = k->bytes[c] = 0;
}

/* After a timed step: each candidate's time per MiB of the weights it
 * read, its best kept. */
static void end_step(KindTuner *k) {
    if (!k->n_plan) return;
    for (int c = 0; c < k->n_cand; c++) {
        if (!k->bytes[c]) continue;
        uint64_t rate = (k->ns[c] << 20) / k->bytes[c];
        if (!k->tried[c] || rate < k->best[c]) k->best[c] = rate;
        k->tried[c]++;
    }
    k->steps++;
    k->n_plan = 0;
    drop_slow(k);
}

/* ---------------------------------------------------------------- the model's timing */

int tuner_tuning(const LevelTuner *u) {
    if (!u->now_ns) return 0;
    for (int kind = 0; kind < MATMUL_KINDS; kind++)
        if (kind_tuning(&u->kind[kind])) return 1;
    return 0;
}

int tuner_kind_tuning(const LevelTuner *u, int kind) { return u->now_ns && kind_tuning(&u->kind[kind]); }

TuneChoice tuner_choice(const LevelTuner *u, int kind) {
    const KindTuner *k = &u->kind[kind];
    if (!k->n_cand) return (TuneChoice){ u->widest, MATMUL_READ_STREAMS };
    if (k->n_cand < 2 || !u->now_ns) return k->cand[0];
    return k->cand[kind_tuning(k) ? k->kept : leader(k)];
}

static void run_on(LevelTuner *u, int kind, TuneChoice c) {
    u->runs_on[kind] = c.kernel;
    __atomic_store_n(&matmul_read[kind], c.read, __ATOMIC_RELAXED);
}

/* The timing from the start, as at the beginning (after the untimed
 * step), each kind's choice kept meanwhile. */
static void time_again(LevelTuner *u) {
    for (int kind = 0; kind < MATMUL_KINDS; kind++) {
        KindTuner *k = &u->kind[kind];
        k->kept = leader(k);
        for (int c = 0; c < k->n_cand; c++) k->tried[c] = 0, k->best[c] = 0;
        k->dropped = 0;
    }
    u->since = 0;
}

int tuner_begin(LevelTuner *u, int n) {
    if (n == 1 && u->warm && !tuner_tuning(u) && ++u->since > TUNE_AGAIN) time_again(u);
    if (n > 1 || !tuner_tuning(u) || !u->warm) {
        /* batches on the widest, read as the choices say; one-token steps
         * on the choices, the untimed first one on the first candidates */
        for (int kind = 0; kind < MATMUL_KINDS; kind++) {
            if (!u->kind[kind].n_cand) continue;
            TuneChoice c = tuner_choice(u, kind);
            if (n > 1) c.kernel = u->widest;
            run_on(u, kind, c);
        }
        if (n == 1) u->warm = 1;
        return 0;
    }
    for (int kind = 0; kind < MATMUL_KINDS; kind++) plan_step(&u->kind[kind]);
    u->in_step = 1;
    return 1;
}

void tuner_unit(LevelTuner *u, unsigned kinds) {
    for (int kind = 0; kind < MATMUL_KINDS; kind++) {
        KindTuner *k = &u->kind[kind];
        if (!(kinds >> kind & 1) || !k->n_cand) continue;
        u->unit[kind] = k->n_plan ? k->plan[k->next++ % k->n_plan] : -1;
        run_on(u, kind, u->unit[kind] >= 0 ? k->cand[u->unit[kind]] : tuner_choice(u, kind));
    }
}

void tuner_product_begins(LevelTuner *u, int kind, uint64_t bytes) {
    if (!u->in_step || kind < 0 || u->unit[kind] < 0) return;
    u->timing = kind;
    u->timing_bytes = bytes;
    u->mark = u->now_ns(u->ctx);
}

void tuner_product_ends(LevelTuner *u) {
    if (u->timing < 0) return;
    KindTuner *k = &u->kind[u->timing];
    k->ns[u->unit[u->timing]] += u->now_ns(u->ctx) - u->mark;
    k->bytes[u->unit[u->timing]] += u->timing_bytes;
    u->timing = -1;
}

void tuner_end(LevelTuner *u) {
    for (int kind = 0; kind < MATMUL_KINDS; kind++) {
        end_step(&u->kind[kind]);
        u->unit[kind] = -1;
    }
    u->steps++;
    u->in_step = 0;
}
