/* A session (model, tokenizer, run state, sampler in one arena) and run.c's
 * generate loop (see llama.h). */
#include <stdint.h>
#include "lib/llama/llama.h"
#include "lib/llama/arena.h"
#include "lib/llama/errors.h"
#include "lib/llama/mathf.h"
#include "lib/llama/sampler.h"
#include "lib/llama/session.h"
#include "lib/llama/tokenizer.h"
#include "lib/llama/transformer.h"
#include "lib/libc.h"

#define BOS 1

int llama_steps(const llama_config *config, int requested) {
    if (requested <= 0 || requested > config->seq_len) return config->seq_len;
    return requested;
}

/* Places (or, in a measuring arena, only counts) everything but the
 * session struct itself. The one layout both sizing and setup use. */
static void layout(llama_session *s, const llama_model *ck, int steps, size_t max_prompt_len,
                   const llama_sampling *sampling, const llama_platform *platform, Arena *a) {
    transformer_init(&s->transformer, ck, steps, platform, a);
    tokenizer_init(&s->tokenizer, &ck->vocab.runc, a);
    sampler_init(&s->sampler, ck->config.vocab_size, sampling ? sampling->temperature : 0.0f,
                 sampling ? sampling->topp : 0.0f, sampling ? sampling->seed : 0, a);
    s->prompt_tokens = max_prompt_len > SIZE_MAX / sizeof(int) - 3
                           ? (a->overflow = 1, NULL)
                           : arena_alloc(a, max_prompt_len + 3, sizeof(int));
}

size_t llama_memory_needed(const llama_model *ck, int steps, size_t max_prompt_len) {
    if (steps < 1 || steps > ck->config.seq_len) return SIZE_MAX;
    Arena a;
    arena_measure(&a);
    llama_session scratch;
    arena_alloc(&a, 1, sizeof scratch);
    layout(&scratch, ck, steps, max_prompt_len, NULL, NULL, &a);
    return arena_needed(&a);
}

static uint64_t now(const llama_platform *p) {
    return p->now_ns ? p->now_ns(p->ctx) : 0;
}

llama_session *llama_init(void *mem, size_t mem_size, const llama_model *ck, int steps,
                          size_t max_prompt_len, const llama_sampling *sampling,
                          const llama_platform *platform, llama_error *err) {
    if (steps < 1 || steps > ck->config.seq_len) {
        llama_fail(err, "steps = %d is outside 1..seq_len (%d): use llama_steps()", steps,
                   ck->config.seq_len);
        return NULL;
    }
    if (ck->vocab.kind != LLAMA_VOCAB_RUNC || ck->vocab.runc.vocab_size != ck->config.vocab_size) {
        llama_fail(err, "the model has no llama2.c vocabulary of its %d tokens",
                   ck->config.vocab_size);
        return NULL;
    }
    if (platform == NULL || platform->write == NULL) {
        llama_fail(err, "no platform write callback");
        return NULL;
    }
    size_t need = llama_memory_needed(ck, steps, max_prompt_len);
    if (need == SIZE_MAX || mem == NULL || mem_size < need) {
        llama_fail(err, "the model needs %llu bytes (%llu MiB) of working memory for %d steps, "
                   "but only %llu bytes (%llu MiB) were given: give it more memory or ask "
                   "for fewer steps (-n)", (unsigned long long)need,
                   (unsigned long long)((need + (1u << 20) - 1) >> 20), steps,
                   (unsigned long long)mem_size, (unsigned long long)(mem_size >> 20));
        return NULL;
    }
    memset(mem, 0, need);
    Arena a;
    arena_init(&a, mem, mem_size);
    llama_session *s = arena_alloc(&a, 1, sizeof *s);
    if (s == NULL) {
        llama_fail(err, "internal error: session layout does not fit");
        return NULL;
    }
    m_set_fma((platform->cpu_features & LLAMA_CPU_FMA) != 0);
    layout(s, ck, steps, max_prompt_len, sampling, platform, &a);
    if (a.overflow) {
        llama_fail(err, "internal error: session layout does not fit");
        return NULL;
    }
    s->platform = *platform;
    s->steps = steps;
    s->max_prompt_len = max_prompt_len;
    return s;
}

int llama_generate(llama_session *s, const char *prompt, llama_stats *stats,
                   llama_error *err) {
    const llama_platform *pf = &s->platform;
    memset(stats, 0, sizeof *stats);
    stats->t_begin_ns = now(pf);
    if (prompt == NULL) prompt = "";
    size_t len = strlen(prompt);
    if (len > s->max_prompt_len)
        return llama_fail(err, "the prompt is %llu bytes, longer than the %llu this session "
                          "was set up for", (unsigned long long)len,
                          (unsigned long long)s->max_prompt_len);

    int n_prompt = 0;
    if (tokenizer_encode(&s->tokenizer, prompt, 1, 0, s->prompt_tokens, &n_prompt, err))
        return -1;
    if (n_prompt < 1) return llama_fail(err, "the prompt encoded to no tokens");
    stats->prompt_tokens = n_prompt;

    /* Feed the prompt, then sample, one position at a time. The clock
     * starts after the first position, which can be slower. */
    int token = s->prompt_tokens[0];
    int pos = 0, started = 0;
    while (pos < s->steps) {
        float *logits = transformer_forward(&s->transformer, token, pos);
        int next;
        if (pos < n_prompt - 1) next = s->prompt_tokens[pos + 1];
        else next = sampler_sample(&s->sampler, logits);
        pos++;
        if (next == BOS) break;        /* BOS delimits sequences */
        const char *piece = tokenizer_decode(&s->tokenizer, token, next);
        size_t n = piece_print_length(piece);
        if (n) pf->write(pf->ctx, piece, n);
        token = next;
        if (!started) {
            stats->t_first_ns = now(pf);
            started = 1;
        }
        if (pf->progress) pf->progress(pf->ctx, pos, s->steps);
    }
    pf->write(pf->ctx, "\n", 1);
    stats->pos = pos;
    stats->t_end_ns = now(pf);
    return 0;
}

double llama_tokens_per_second(const llama_stats *stats) {
    /* run.c reads a millisecond clock */
    int64_t start = (int64_t)(stats->t_first_ns / 1000000);
    int64_t end = (int64_t)(stats->t_end_ns / 1000000);
    return (stats->pos - 1) / (double)(end - start) * 1000;
}
