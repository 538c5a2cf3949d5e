/* run.c's chat loop (see llama.h), line for line: the same turns, the same
 * prompt template, the same prints, so that the host program's -m chat
 * writes what run.c writes for the same input.
 *
 * Two places differ, both where run.c has undefined behaviour: a prompt
 * passed in longer than its 512-byte buffers is refused instead of
 * overflowing them, and a buffer never filled (end of input at the first
 * read) is "" instead of whatever the stack held. */
#include "lib/llama/llama.h"
#include "lib/llama/errors.h"
#include "lib/llama/session.h"
#include "lib/libc.h"

#define EOS 2
#define LINE_BUF (LLAMA_CHAT_LINE_MAX + 1)
#define RENDERED_MAX 1151     /* run.c's rendered_prompt[1152], less its NUL */

static void say(const llama_platform *pf, const char *text) {
    pf->write(pf->ctx, text, strlen(text));
}

/* run.c's read_stdin: print the guide, read a line, strip its newline.
 * Returns read_line's answer. */
static int read_stdin(const llama_platform *pf, const char *guide, char *buf, size_t size,
                      llama_read_line_fn read_line, void *ctx) {
    say(pf, guide);
    int r = read_line(ctx, buf, size);
    if (r == 1) {
        size_t len = strlen(buf);
        if (len > 0 && buf[len - 1] == '\n') buf[len - 1] = '\0';
    }
    return r;
}

/* dst = the concatenation of the NULL-terminated list; it always fits:
 * 34 bytes of template and two prompts of at most 511 bytes. */
static void render(char *dst, const char *const *parts) {
    size_t n = 0;
    for (; *parts; parts++) {
        size_t k = strlen(*parts);
        memcpy(dst + n, *parts, k);
        n += k;
    }
    dst[n] = '\0';
}

static uint64_t now(const llama_platform *p) {
    return p->now_ns ? p->now_ns(p->ctx) : 0;
}

int chat_runc(llama_session *s, const char *cli_user_prompt, const char *cli_system_prompt,
               llama_read_line_fn read_line, void *read_ctx, llama_stats *stats,
               llama_error *err) {
    const llama_platform *pf = &s->platform;
    memset(stats, 0, sizeof *stats);
    stats->t_begin_ns = now(pf);
    if (s->vocab_kind != LLAMA_VOCAB_RUNC)
        return llama_fail(err, "internal error: run.c's chat needs a llama2.c vocabulary");
    if (s->max_prompt_len < LLAMA_CHAT_PROMPT_MAX)
        return llama_fail(err, "internal error: a chat session needs max_prompt_len >= %d",
                          LLAMA_CHAT_PROMPT_MAX);
    if (cli_user_prompt && strlen(cli_user_prompt) > LLAMA_CHAT_LINE_MAX)
        return llama_fail(err, "the prompt (-i) is %llu bytes; chat mode takes at most %d",
                          (unsigned long long)strlen(cli_user_prompt), LLAMA_CHAT_LINE_MAX);
    if (cli_system_prompt && strlen(cli_system_prompt) > LLAMA_CHAT_LINE_MAX)
        return llama_fail(err, "the system prompt (-y) is %llu bytes; chat mode takes at most %d",
                          (unsigned long long)strlen(cli_system_prompt), LLAMA_CHAT_LINE_MAX);

    char system_prompt[LINE_BUF] = "";
    char user_prompt[LINE_BUF] = "";
    char rendered_prompt[RENDERED_MAX + 1];
    int *prompt_tokens = s->prompt_tokens;
    int num_prompt_tokens = 0;
    int user_idx = 0;

    int user_turn = 1;   /* the user starts */
    int next = 0;        /* the next token in the sequence */
    int token;           /* the current token, fed to the transformer */
    int pos = 0;
    int stopped = 0;
    while (pos < s->steps) {
        /* the user's turn to contribute tokens to the dialogue */
        if (user_turn) {
            if (pos == 0) {       /* the (optional) system prompt, at position 0 only */
                if (cli_system_prompt == NULL) {
                    if (read_stdin(pf, "Enter system prompt (optional): ", system_prompt,
                                   sizeof system_prompt, read_line, read_ctx) < 0) {
                        stopped = 1;
                        break;
                    }
                } else {
                    memcpy(system_prompt, cli_system_prompt, strlen(cli_system_prompt) + 1);
                }
            }
            if (pos == 0 && cli_user_prompt != NULL) {
                memcpy(user_prompt, cli_user_prompt, strlen(cli_user_prompt) + 1);
            } else if (read_stdin(pf, "User: ", user_prompt, sizeof user_prompt, read_line,
                                  read_ctx) < 0) {
                stopped = 1;
                break;
            }
            /* the Llama 2 chat schema */
            if (pos == 0 && system_prompt[0] != '\0')
                render(rendered_prompt, (const char *const[]){"[INST] <<SYS>>\n", system_prompt,
                                                              "\n<</SYS>>\n\n", user_prompt,
                                                              " [/INST]", NULL});
            else
                render(rendered_prompt,
                       (const char *const[]){"[INST] ", user_prompt, " [/INST]", NULL});
            if (tokenizer_encode(&s->tokenizer, rendered_prompt, 1, 0, prompt_tokens,
                                 &num_prompt_tokens, err))
                return -1;
            stats->prompt_tokens += num_prompt_tokens;
            user_idx = 0;
            user_turn = 0;
            say(pf, "Assistant: ");
        }

        /* the prompt's tokens first, then what the model sampled */
        if (user_idx < num_prompt_tokens) token = prompt_tokens[user_idx++];
        else token = next;
        if (token == EOS) user_turn = 1;   /* EOS ends the assistant's turn */

        /* one position at a time: run.c samples (and may print "\n") after
         * every prompt token too, so a batch would not print the same */
        float *logits = transformer_forward(&s->transformer, &token, 1, pos);
        next = sampler_sample(&s->sampler, logits);
        pos++;
        if (user_idx >= num_prompt_tokens) stats->generated++;

        if (user_idx >= num_prompt_tokens && next != EOS) {   /* the assistant speaks */
            const char *piece = tokenizer_decode(&s->tokenizer, token, next);
            size_t n = piece_print_length(piece);
            if (n) pf->write(pf->ctx, piece, n);
            if (!stats->t_first_ns) stats->t_first_ns = now(pf);
        }
        if (next == EOS) say(pf, "\n");
        if (pf->progress) pf->progress(pf->ctx, pos, s->steps);
    }
    say(pf, "\n");
    stats->pos = pos;
    stats->t_end_ns = now(pf);
    return stopped;
}
