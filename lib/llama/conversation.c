/* The chat (see llama_chat in llama.h): run.c's for llama2.c models
 * (chat.c), and for GGUF models a conversation in the model's own template
 * (chat_template.h) that keeps the KV cache from turn to turn: each turn's
 * text runs once, as a batch, right after the previous reply's end-of-turn
 * token, so a long history costs nothing again. */
#include "lib/llama/llama.h"
#include "lib/llama/chat_template.h"
#include "lib/llama/errors.h"
#include "lib/llama/session.h"
#include "lib/libc.h"

static void say(const llama_platform *pf, const char *text) {
    pf->write(pf->ctx, text, strlen(text));
}

/* Prints the guide, reads a line, drops its newline. 1 when a line came;
 * otherwise the chat ends (end of input, or the platform said stop). */
static int ask(const llama_platform *pf, const char *guide, char *buf, size_t size,
               llama_read_line_fn read_line, void *ctx) {
    say(pf, guide);
    buf[0] = '\0';
    if (read_line(ctx, buf, size) != 1) return 0;
    size_t len = strlen(buf);
    if (len > 0 && buf[len - 1] == '\n') buf[--len] = '\0';
    if (len > 0 && buf[len - 1] == '\r') buf[--len] = '\0';
    return 1;
}

static int converse(llama_session *s, const char *cli_user, const char *cli_system,
                    llama_read_line_fn read_line, void *read_ctx, llama_stats *stats,
                    llama_error *err) {
    const llama_platform *pf = &s->platform;
    Transformer *t = &s->transformer;
    char system[LLAMA_CHAT_LINE_MAX + 1] = "", user[LLAMA_CHAT_LINE_MAX + 1] = "";
    int pos = 0, result = 0;
    const float *logits = NULL;

    if (cli_system) memcpy(system, cli_system, strlen(cli_system) + 1);
    else if (!ask(pf, "Enter system prompt (optional): ", system, sizeof system, read_line, read_ctx))
        result = 1;
    for (int first = 1; result == 0; first = 0) {
        if (first && cli_user) memcpy(user, cli_user, strlen(cli_user) + 1);
        else if (!ask(pf, "User: ", user, sizeof user, read_line, read_ctx)) {
            result = 1;
            break;
        }
        /* this turn's text in the template, the typed parts never parsed
         * for special tokens */
        VocabPart parts[CHAT_TEMPLATE_MAX_PARTS];
        int n_parts = chat_template_turn(&s->chat, first, system[0] ? system : NULL,
                                         strlen(system), user, strlen(user), parts,
                                         CHAT_TEMPLATE_MAX_PARTS);
        int n;
        if (n_parts < 0) return llama_fail(err, "internal error: a chat turn of too many parts");
        if (session_encode(s, parts, n_parts, first ? -1 : 0, &n, err)) return -1;
        if (pos + n >= s->steps) break;   /* no room to answer: the conversation is full */
        say(pf, "Assistant: ");
        uint64_t t0 = session_now(s);
        logits = transformer_forward(t, s->prompt_tokens, n, pos);
        stats->t_prompt_ns += session_now(s) - t0;
        if (pf->prompt_logits) pf->prompt_logits(pf->ctx, logits, t->config.vocab_size);
        stats->prompt_tokens += n;
        pos += n;

        /* the reply, up to its end-of-turn token (which joins the cache) */
        s->strip_space = s->vocab_kind == LLAMA_VOCAB_SPM;
        int token = s->prompt_tokens[n - 1];
        for (;;) {
            int next = sampler_sample(&s->sampler, (float *)logits);
            stats->generated++;
            int end = session_ends(s, next);
            if (!end) {
                session_print(s, token, next);
                if (!stats->t_first_ns) stats->t_first_ns = session_now(s);
            }
            if (pos >= s->steps) {            /* the steps ran out */
                stats->pos = pos;
                return 0;
            }
            token = next;
            logits = transformer_forward(t, &token, 1, pos++);
            if (pf->progress) pf->progress(pf->ctx, pos, s->steps);
            if (end) break;
        }
        say(pf, "\n");
    }
    stats->pos = pos;
    return result;
}

int llama_chat(llama_session *s, const char *user_prompt, const char *system_prompt,
               llama_read_line_fn read_line, void *read_ctx, llama_stats *stats,
               llama_error *err) {
    if (s->vocab_kind == LLAMA_VOCAB_RUNC)
        return chat_runc(s, user_prompt, system_prompt, read_line, read_ctx, stats, err);
    memset(stats, 0, sizeof *stats);
    stats->t_begin_ns = session_now(s);
    if (s->max_prompt_len < LLAMA_CHAT_PROMPT_MAX)
        return llama_fail(err, "internal error: a chat session needs max_prompt_len >= %d",
                          LLAMA_CHAT_PROMPT_MAX);
    if (user_prompt && strlen(user_prompt) > LLAMA_CHAT_LINE_MAX)
        return llama_fail(err, "the prompt (-i) is %llu bytes; chat mode takes at most %d",
                          (unsigned long long)strlen(user_prompt), LLAMA_CHAT_LINE_MAX);
    if (system_prompt && strlen(system_prompt) > LLAMA_CHAT_LINE_MAX)
        return llama_fail(err, "the system prompt (-y) is %llu bytes; chat mode takes at most %d",
                          (unsigned long long)strlen(system_prompt), LLAMA_CHAT_LINE_MAX);
    int r = converse(s, user_prompt, system_prompt, read_line, read_ctx, stats, err);
    s->platform.write(s->platform.ctx, "\n", 1);
    stats->t_end_ns = session_now(s);
    return r;
}

void llama_set_date(llama_session *s, int year, int month, int day) {
    if (s->vocab_kind != LLAMA_VOCAB_RUNC) chat_template_set_date(&s->chat, year, month, day);
}

const char *llama_chat_format(const llama_session *s, int *recognised) {
    if (s->vocab_kind == LLAMA_VOCAB_RUNC) {
        if (recognised) *recognised = 1;
        return "run.c's Llama 2";
    }
    if (recognised) *recognised = s->chat.format != CHAT_PLAIN;
    return chat_template_name(&s->chat);
}
