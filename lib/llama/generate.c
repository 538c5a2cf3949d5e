/* A session (model, vocabulary, run state, sampler in one arena) and
 * run.c's generate loop (see llama.h), for llama2.c models (run.c's
 * tokenizer, byte for byte) and GGUF models (llama.cpp's tokenizers). */
#include <stdint.h>
#include "lib/llama/llama.h"
#include "lib/llama/arena.h"
#include "lib/llama/errors.h"
#include "lib/llama/mathf.h"
#include "lib/llama/sampler.h"
#include "lib/llama/session.h"
#include "lib/llama/tokenizer.h"
#include "lib/llama/transformer.h"
#include "lib/format.h"
#include "lib/libc.h"

#define BOS 1

int llama_steps(const llama_config *config, int requested) {
    if (requested <= 0 || requested > config->seq_len) return config->seq_len;
    return requested;
}

/* Tokens a prompt of len bytes can take: SentencePiece may give three for
 * a byte (a space becomes U+2581, three bytes, and a vocabulary without
 * that piece spells it in byte tokens), plus BOS, a dummy prefix and EOS. */
static size_t prompt_room(size_t len) { return 3 * len + 4; }

/* Exponentials four at a time (AVX2 and FMA), or eight (AVX-512), only
 * if they are faster here, timed on the spot: under QEMU's TCG four at a
 * time made the kernel's stories15M three times slower (4.5 tok/s against
 * 13.6), on the host they are about five times faster than one at a
 * time, and eight at a time on Zen 5 2.2 times as fast as four. The
 * same bits every way. Without a clock: the widest. */
static void choose_expf(const llama_platform *pf) {
    const unsigned need = LLAMA_CPU_FMA | LLAMA_CPU_AVX2;
    m_set_vector(0);
    if ((pf->cpu_features & need) != need) return;
    int n_widths = pf->cpu_features & LLAMA_CPU_AVX512 ? 3 : 2;
    static const int widths[3] = { 0, 4, 8 };
    if (!pf->now_ns) {
        m_set_vector(widths[n_widths - 1]);
        return;
    }
    enum { N = 512 };
    float x[N], y[N];
    for (int i = 0; i < N; i++) x[i] = (float)(i - N / 2) * 0.03f;   /* attention's and silu's range */
    uint64_t best[3] = { UINT64_MAX, UINT64_MAX, UINT64_MAX };
    for (int rep = 0; rep < 3; rep++)
        for (int v = 0; v < n_widths; v++) {
            m_set_vector(widths[v]);
            uint64_t t0 = pf->now_ns(pf->ctx);
            m_expf_array(y, x, N, 1.0f, 0.0f);
            uint64_t dt = pf->now_ns(pf->ctx) - t0;
            if (dt < best[v]) best[v] = dt;
        }
    int pick = 0;
    for (int v = 1; v < n_widths; v++)
        if (best[v] <= best[pick]) pick = v;
    m_set_vector(widths[pick]);
}

/* Places (or, in a measuring arena, only counts) everything but the
 * session struct itself. The one layout both sizing and setup use. */
static void layout(llama_session *s, const llama_model *m, int steps, size_t max_prompt_len,
                   const llama_sampling *sampling, const llama_platform *platform, Arena *a) {
    transformer_init(&s->transformer, m, steps, platform, a);
    if (m->vocab.kind == LLAMA_VOCAB_RUNC) tokenizer_init(&s->tokenizer, &m->vocab.runc, a);
    else vocab_init(&s->vocab, &m->vocab, max_prompt_len, a);
    sampler_init(&s->sampler, m->config.vocab_size, sampling ? sampling->temperature : 0.0f,
                 sampling ? sampling->topp : 0.0f, sampling ? sampling->seed : 0, a);
    if (max_prompt_len > (size_t)(1 << 30)) {   /* no prompt is a GiB: refuse the absurd */
        a->overflow = 1;
        return;
    }
    s->max_prompt_tokens = (int)prompt_room(max_prompt_len);
    s->prompt_tokens = arena_alloc(a, (size_t)s->max_prompt_tokens, sizeof(int));
}

size_t llama_memory_needed(const llama_model *m, int steps, size_t max_prompt_len) {
    if (steps < 1 || steps > m->config.seq_len) return SIZE_MAX;
    Arena a;
    arena_measure(&a);
    static llama_session scratch;   /* only its fields' addresses are written */
    arena_alloc(&a, 1, sizeof scratch);
    layout(&scratch, m, steps, max_prompt_len, NULL, NULL, &a);
    return arena_needed(&a);
}

uint64_t session_now(const llama_session *s) {
    return s->platform.now_ns ? s->platform.now_ns(s->platform.ctx) : 0;
}

llama_session *llama_init(void *mem, size_t mem_size, const llama_model *m, int steps,
                          size_t max_prompt_len, const llama_sampling *sampling,
                          const llama_platform *platform, llama_error *err) {
    if (steps < 1 || steps > m->config.seq_len) {
        llama_fail(err, "steps = %d is outside 1..seq_len (%d): use llama_steps()", steps,
                   m->config.seq_len);
        return NULL;
    }
    if (m->vocab.n_tokens != m->config.vocab_size ||
        (m->vocab.kind == LLAMA_VOCAB_RUNC && m->vocab.runc.vocab_size != m->config.vocab_size)) {
        llama_fail(err, "the model has no vocabulary of its %d tokens", m->config.vocab_size);
        return NULL;
    }
    if (m->vocab.kind != LLAMA_VOCAB_RUNC && vocab_check(&m->vocab, err) != 0) return NULL;
    if (!llama_model_prepared(m)) {
        llama_fail(err, "the model's weights are not prepared for the kernels: call "
                   "llama_model_prepare after opening it");
        return NULL;
    }
    if (platform == NULL || platform->write == NULL) {
        llama_fail(err, "no platform write callback");
        return NULL;
    }
    size_t need = llama_memory_needed(m, steps, max_prompt_len);
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
    choose_expf(platform);
    layout(s, m, steps, max_prompt_len, sampling, platform, &a);
    if (a.overflow) {
        llama_fail(err, "internal error: session layout does not fit");
        return NULL;
    }
    s->vocab_kind = m->vocab.kind;
    s->vocab_desc = &m->vocab;
    if (s->vocab_kind != LLAMA_VOCAB_RUNC) chat_template_init(&s->chat, &m->vocab, &s->vocab);
    s->platform = *platform;
    s->steps = steps;
    s->max_prompt_len = max_prompt_len;
    s->prompt_specials = 1;
    return s;
}

void llama_set_prompt_specials(llama_session *s, int on) { s->prompt_specials = on != 0; }

const char *llama_simd_level(const llama_session *s) {
    return transformer_level(&s->transformer)->name;
}

/* ---------------------------------------------------------------- shared steps */

int session_encode(llama_session *s, const VocabPart *parts, int n_parts, int add_bos,
                   int *n_tokens, llama_error *err) {
    if (s->vocab_kind == LLAMA_VOCAB_RUNC) {
        /* run.c: one text, BOS, its dummy prefix */
        if (n_parts != 1 || parts[0].len > s->max_prompt_len)
            return llama_fail(err, "internal error: a prompt of %d parts", n_parts);
        return tokenizer_encode(&s->tokenizer, parts[0].text, add_bos != 0, 0, s->prompt_tokens,
                                n_tokens, err);
    }
    size_t len = 0;
    for (int i = 0; i < n_parts; i++) len += parts[i].len;
    if (len > s->max_prompt_len)
        return llama_fail(err, "the prompt is %llu bytes, longer than the %llu this session "
                          "was set up for", (unsigned long long)len,
                          (unsigned long long)s->max_prompt_len);
    return vocab_encode(&s->vocab, parts, n_parts, add_bos, s->prompt_tokens,
                        s->max_prompt_tokens, n_tokens, err);
}

void session_print(llama_session *s, int prev, int token) {
    const llama_platform *pf = &s->platform;
    if (s->vocab_kind == LLAMA_VOCAB_RUNC) {
        const char *piece = tokenizer_decode(&s->tokenizer, prev, token);
        size_t n = piece_print_length(piece);
        if (n) pf->write(pf->ctx, piece, n);
        return;
    }
    size_t n = vocab_piece(&s->vocab, token, s->piece, sizeof s->piece);
    const char *p = s->piece;
    if (n > 0 && s->strip_space) {
        /* SentencePiece's dummy prefix: the text's first space is not the user's
         * (llama.cpp's detokenizer drops it too) */
        if (p[0] == ' ') p++, n--;
        s->strip_space = 0;
    }
    if (n) pf->write(pf->ctx, p, n);
}

int session_ends(const llama_session *s, int token) {
    if (s->vocab_kind == LLAMA_VOCAB_RUNC) return token == BOS;
    return vocab_is_eog(&s->vocab, token);
}

int llama_tokenize(llama_session *s, const char *text, int *out, int cap, llama_error *err) {
    VocabPart part = { text, strlen(text), 1 };
    int n;
    if (session_encode(s, &part, 1, s->vocab_kind == LLAMA_VOCAB_RUNC ? 1 : -1, &n, err)) return -1;
    if (n > cap) return llama_fail(err, "the text is %d tokens; room for %d", n, cap);
    memcpy(out, s->prompt_tokens, (size_t)n * sizeof *out);
    return n;
}

/* ---------------------------------------------------------------- generate */

int llama_generate(llama_session *s, const char *prompt, llama_stats *stats,
                   llama_error *err) {
    const llama_platform *pf = &s->platform;
    memset(stats, 0, sizeof *stats);
    stats->t_begin_ns = session_now(s);
    if (prompt == NULL) prompt = "";
    size_t len = strlen(prompt);
    if (len > s->max_prompt_len)
        return llama_fail(err, "the prompt is %llu bytes, longer than the %llu this session "
                          "was set up for", (unsigned long long)len,
                          (unsigned long long)s->max_prompt_len);

    int n_prompt = 0;
    VocabPart part = { prompt, len, s->prompt_specials };
    if (session_encode(s, &part, 1, s->vocab_kind == LLAMA_VOCAB_RUNC ? 1 : -1, &n_prompt, err))
        return -1;
    if (n_prompt < 1)
        return llama_fail(err, "the prompt encoded to no tokens, and this model adds no BOS: "
                          "give a prompt (-i)");
    const int *tokens = s->prompt_tokens;
    /* run.c runs at most steps positions: a longer prompt is cut there */
    int run = n_prompt < s->steps ? n_prompt : s->steps;
    stats->prompt_tokens = run;          /* the ones run, for the timing line */

    /* The prompt in batches; then its pieces as run.c prints them while it
     * feeds them (a BOS inside it ends the text there, as in run.c); then
     * sample, print, run, one position at a time. */
    float *logits = transformer_forward(&s->transformer, tokens, run, 0);
    int pos = run;
    stats->t_prompt_ns = session_now(s) - stats->t_begin_ns;
    if (pf->prompt_logits) pf->prompt_logits(pf->ctx, logits, s->transformer.config.vocab_size);
    s->strip_space = s->vocab_kind == LLAMA_VOCAB_SPM && s->vocab_desc->add_space_prefix != 0;
    /* run.c prints the prompt's tokens 1, 2, ... as each is fed, the one
     * after the last position it runs included; a GGUF prompt's first token
     * may be text (no BOS), and control tokens print nothing */
    int first = s->vocab_kind == LLAMA_VOCAB_RUNC ? 1 : 0;
    int last = n_prompt - 1 < s->steps ? n_prompt - 1 : s->steps;
    int ended = 0;
    for (int i = first; i <= last && !ended; i++) {
        if (s->vocab_kind == LLAMA_VOCAB_RUNC && tokens[i] == BOS) ended = 1;
        else session_print(s, i > 0 ? tokens[i - 1] : -1, tokens[i]);
    }
    int token = tokens[run - 1];
    while (!ended && pos <= s->steps && run == n_prompt) {
        int next = sampler_sample(&s->sampler, logits);
        stats->generated++;
        if (session_ends(s, next)) break;
        session_print(s, token, next);
        if (!stats->t_first_ns) stats->t_first_ns = session_now(s);
        if (pf->progress) pf->progress(pf->ctx, pos, s->steps);
        if (pos == s->steps) break;          /* run.c's last sample is printed, never run */
        token = next;
        logits = transformer_forward(&s->transformer, &token, 1, pos);
        pos++;
    }
    pf->write(pf->ctx, "\n", 1);
    stats->pos = pos;
    stats->t_end_ns = session_now(s);
    return 0;
}

double llama_tokens_per_second(const llama_stats *stats) {
    /* run.c reads a millisecond clock */
    int64_t start = (int64_t)(stats->t_first_ns / 1000000);
    int64_t end = (int64_t)(stats->t_end_ns / 1000000);
    return (stats->generated - 1) / (double)(end - start) * 1000;
}

void llama_timing_line(const llama_stats *st, char *buf, size_t size) {
    double ps = st->t_prompt_ns / 1e9;
    uint64_t gen_ns = st->t_end_ns > st->t_begin_ns + st->t_prompt_ns
                          ? st->t_end_ns - st->t_begin_ns - st->t_prompt_ns : 0;
    double gs = gen_ns / 1e9;
    char pr[32] = "-", gr[32] = "-";
    if (ps > 0) fmt_snprintf(pr, sizeof pr, "%.2f", st->prompt_tokens / ps);
    if (gs > 0) fmt_snprintf(gr, sizeof gr, "%.2f", st->generated / gs);
    fmt_snprintf(buf, size, "prompt: %d tokens in %.3f s (%s tok/s); generation: %d tokens in "
                 "%.3f s (%s tok/s)", st->prompt_tokens, ps, pr, st->generated, gs, gr);
}
