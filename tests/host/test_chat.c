/* lib/llama/chat.c against run.c's chat(): the turns, the template, the
 * prints. TinyStories models never emit EOS (token 2), so the turn logic
 * is driven by a synthetic checkpoint instead: every weight zero except a
 * one-hot embedding of four token classes and a classifier that makes a
 * chain, greedy at -t 0:
 *     any token -> X,  X -> Y,  Y -> EOS,  EOS -> X
 * The expected transcripts are worked out by hand from run.c's loop; note
 * its quirk: the token sampled after EOS (X) is printed before the next
 * "User: ". The tokenizer is tok512. */
#pragma GCC diagnostic ignored "-Wformat-zero-length"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/llama/llama.h"
#include "lib/llama/session.h"
#include "tests/check.h"
#include "tests/host/model_file.h"

#define X 300
#define Y 301
#define DIM 8
#define VOCAB 512
#define SEQ 256

/* The chain checkpoint, version 0, unshared classifier. */
static float *chain_checkpoint(size_t *size) {
    const int L = 1, H = 4;
    size_t floats = 7 + (size_t)VOCAB * DIM + 2 * L * DIM + DIM + 4 * L * DIM * DIM +
                    3 * L * DIM * H + (size_t)SEQ * DIM + (size_t)VOCAB * DIM;
    float *f = calloc(floats, sizeof *f);
    int32_t hdr[7] = {DIM, H, L, 1, 1, -VOCAB, SEQ};
    memcpy(f, hdr, sizeof hdr);
    float *emb = f + 7;
    for (int t = 0; t < VOCAB; t++) emb[t * DIM + (t == X ? 1 : t == Y ? 2 : t == 2 ? 3 : 0)] = 1;
    float *rms_final = emb + (size_t)VOCAB * DIM + L * DIM + 4 * L * DIM * DIM + L * DIM +
                       3 * L * DIM * H;
    for (int i = 0; i < DIM; i++) rms_final[i] = 1;
    float *wcls = rms_final + DIM + (size_t)SEQ * DIM;
    wcls[X * DIM + 0] = 1;        /* class 0 (any token) -> X */
    wcls[Y * DIM + 1] = 1;        /* X -> Y */
    wcls[2 * DIM + 2] = 1;        /* Y -> EOS */
    wcls[X * DIM + 3] = 1;        /* EOS -> X */
    *size = floats * sizeof *f;
    return f;
}

static char out[16384];
static size_t out_len;
static void write_out(void *ctx, const char *s, size_t n) {
    (void)ctx;
    if (out_len + n < sizeof out) {
        memcpy(out + out_len, s, n);
        out_len += n;
        out[out_len] = 0;
    }
}

/* Input lines as fgets would return them; NULL entry: -1 (stop). */
static const char *const *input;
static int read_line(void *ctx, char *buf, size_t size) {
    (void)ctx;
    if (!*input) return 0;                         /* end of input */
    const char *l = *input++;
    if (strcmp(l, "<stop>") == 0) return -1;
    snprintf(buf, size, "%s", l);
    return 1;
}

static llama_model ck;
static void *mem;
static size_t mem_size;
static const char *piece_x, *piece_y;   /* the strings of tokens X and Y */

static int setup(void) {
    static int done;
    if (done) return done > 0;
    done = -1;
    size_t msize, tsize;
    float *model = chain_checkpoint(&msize);
    unsigned char *tok = model_file("tok512.bin", &tsize);
    llama_error err;
    if (!tok || llama_checkpoint_parse(&ck, model, msize, &err) != 0 ||
        llama_model_attach_tokenizer(&ck, tok, tsize, &err) != 0)
        return 0;
    mem_size = llama_memory_needed(&ck, SEQ, LLAMA_CHAT_PROMPT_MAX);
    mem = malloc(mem_size);
    /* the token strings, from tokenizer.bin: max_len, then (score, len, bytes) each */
    static char strings[2][64];
    size_t off = 4;
    for (int t = 0; t <= Y; t++) {
        int32_t len;
        memcpy(&len, tok + off + 4, 4);
        if (t == X || t == Y) snprintf(strings[t - X], sizeof strings[0], "%.*s", len, tok + off + 8);
        off += 8 + (size_t)len;
    }
    piece_x = strings[0];
    piece_y = strings[1];
    done = 1;
    return 1;
}

/* Runs a chat of `steps` on the lines; returns llama_chat's result. */
static int chat(int steps, const char *user, const char *system, const char *const *lines) {
    llama_platform pf = {.write = write_out};
    llama_sampling sampling = {0.0f, 0.9f, 1};
    llama_error err;
    llama_session *s = llama_init(mem, mem_size, &ck, steps, LLAMA_CHAT_PROMPT_MAX,
                                  &sampling, &pf, &err);
    if (!s) return -2;
    out_len = 0;
    out[0] = 0;
    input = lines;
    llama_stats st;
    return llama_chat(s, user, system, read_line, NULL, &st, &err);
}

/* Tokens run.c's encode gives for a rendered prompt (BOS included). */
static int n_tokens(const char *rendered) {
    llama_platform pf = {.write = write_out};
    llama_error err;
    llama_session *s = llama_init(mem, mem_size, &ck, 8, LLAMA_CHAT_PROMPT_MAX, NULL, &pf, &err);
    int n = 0;
    tokenizer_encode(&s->tokenizer, rendered, 1, 0, s->prompt_tokens, &n, &err);
    return n;
}

/* "%X" and "%Y" in a pattern stand for the two pieces. */
static const char *expand(const char *pattern) {
    static char buf[4096];
    size_t n = 0;
    for (const char *p = pattern; *p && n < sizeof buf - 64; p++) {
        if (p[0] == '%' && (p[1] == 'X' || p[1] == 'Y')) {
            n += (size_t)snprintf(buf + n, sizeof buf - n, "%s", *++p == 'X' ? piece_x : piece_y);
        } else {
            buf[n++] = *p;
        }
    }
    buf[n] = 0;
    return buf;
}

#define SYS_HELLO "[INST] <<SYS>>\nsys\n<</SYS>>\n\nhello [/INST]"

TEST(the_chain_model_loads) {
    CHECK(setup(), "tok512.bin not found or the chain checkpoint is refused");
    CHECK(strlen(piece_x) > 0 && strlen(piece_y) > 0 && strncmp(piece_x, "<0x", 3) != 0);
}

TEST(first_turn_then_eos) {
    if (!setup()) return;
    int n1 = n_tokens(SYS_HELLO);
    const char *lines[] = {"sys\n", "hello\n", "bye\n", NULL};
    /* the prompt, X, Y, EOS: "\n", then X sampled after EOS; the steps end */
    CHECK(chat(n1 + 3, NULL, NULL, lines) == 0);
    CHECK(strcmp(out, expand("Enter system prompt (optional): User: Assistant: %X%Y\n%X\n")) == 0,
          "got [%.300s]", out);
}

TEST(second_turn_has_no_system_prompt) {
    if (!setup()) return;
    int n1 = n_tokens(SYS_HELLO), n2 = n_tokens("[INST] bye [/INST]");
    const char *lines[] = {"sys\n", "hello\n", "bye\n", NULL};
    CHECK(chat(n1 + 3 + n2 + 2, NULL, NULL, lines) == 0);
    CHECK(strcmp(out, expand("Enter system prompt (optional): User: Assistant: %X%Y\n%X"
                             "User: Assistant: %X%Y\n\n")) == 0, "got [%.300s]", out);
}

TEST(cut_inside_the_prompt) {
    if (!setup()) return;
    const char *lines[] = {"sys\n", "hello\n", NULL};
    CHECK(chat(5, NULL, NULL, lines) == 0);
    CHECK(strcmp(out, "Enter system prompt (optional): User: Assistant: \n") == 0, "got [%.300s]", out);
}

TEST(prompts_from_the_command_line) {
    if (!setup()) return;
    int n1 = n_tokens(SYS_HELLO), n2 = n_tokens("[INST] again [/INST]");
    const char *lines[] = {"again\n", NULL};
    CHECK(chat(n1 + 3 + n2 + 3, "hello", "sys", lines) == 0);
    CHECK(strcmp(out, expand("Assistant: %X%Y\n%XUser: Assistant: %X%Y\n%X\n")) == 0, "got [%.300s]", out);
}

TEST(empty_system_prompt_uses_the_user_template) {
    if (!setup()) return;
    int n1 = n_tokens("[INST] hi [/INST]");
    const char *lines[] = {"\n", "hi\n", NULL};
    CHECK(chat(n1 + 2, NULL, NULL, lines) == 0);
    CHECK(strcmp(out, expand("Enter system prompt (optional): User: Assistant: %X%Y\n\n")) == 0,
          "got [%.300s]", out);
    CHECK(n_tokens("[INST] hi [/INST]") < n_tokens("[INST] <<SYS>>\n\n<</SYS>>\n\nhi [/INST]"));
}

TEST(end_of_input_keeps_the_last_line) {
    if (!setup()) return;
    /* run.c: fgets returns NULL and the buffer keeps "hello" */
    int n1 = n_tokens(SYS_HELLO), n2 = n_tokens("[INST] hello [/INST]");
    const char *lines[] = {"sys\n", "hello\n", NULL};
    CHECK(chat(n1 + 3 + n2 + 2, NULL, NULL, lines) == 0);
    CHECK(strcmp(out, expand("Enter system prompt (optional): User: Assistant: %X%Y\n%X"
                             "User: Assistant: %X%Y\n\n")) == 0, "got [%.300s]", out);
    /* at the very first read: "" where run.c would read uninitialised memory */
    const char *none[] = {NULL};
    int n0 = n_tokens("[INST]  [/INST]");
    CHECK(chat(n0 + 2, NULL, NULL, none) == 0);
    CHECK(strcmp(out, expand("Enter system prompt (optional): User: Assistant: %X%Y\n\n")) == 0,
          "got [%.300s]", out);
}

TEST(a_line_without_newline_and_a_long_line) {
    if (!setup()) return;
    /* fgets gives at most 511 bytes; the rest comes with the next read */
    int n1 = n_tokens("[INST] last [/INST]");
    const char *lines[] = {"\n", "last", NULL};
    CHECK(chat(n1 + 2, NULL, NULL, lines) == 0);
    CHECK(strcmp(out, expand("Enter system prompt (optional): User: Assistant: %X%Y\n\n")) == 0,
          "got [%.300s]", out);
}

TEST(stop_from_the_reader) {
    if (!setup()) return;
    int n1 = n_tokens(SYS_HELLO);
    const char *lines[] = {"sys\n", "hello\n", "<stop>", NULL};
    CHECK(chat(n1 + 40, NULL, NULL, lines) == 1);
    CHECK(strcmp(out, expand("Enter system prompt (optional): User: Assistant: %X%Y\n%XUser: \n")) == 0,
          "got [%.300s]", out);
}

TEST(overlong_prompts_are_refused) {
    if (!setup()) return;
    char big[600];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = 0;
    const char *none[] = {NULL};
    CHECK(chat(20, big, NULL, none) == -1);
    CHECK(chat(20, NULL, big, none) == -1);
    big[511] = 0;                                   /* 511 bytes: run.c's buffer holds it */
    CHECK(chat(20, big, big, none) == 0);
}

TEST(sessions_too_small_for_chat_are_refused) {
    if (!setup()) return;
    llama_platform pf = {.write = write_out};
    llama_error err;
    llama_stats st;
    llama_session *s = llama_init(mem, mem_size, &ck, 16, 100, NULL, &pf, &err);
    static const char *none[] = {NULL};
    input = none;
    CHECK(s && llama_chat(s, NULL, NULL, read_line, NULL, &st, &err) == -1);
    CHECK(strstr(err.msg, "max_prompt_len") != NULL, "%s", err.msg);
}

RUN_TESTS(the_chain_model_loads, first_turn_then_eos, second_turn_has_no_system_prompt,
          cut_inside_the_prompt, prompts_from_the_command_line,
          empty_system_prompt_uses_the_user_template, end_of_input_keeps_the_last_line,
          a_line_without_newline_and_a_long_line, stop_from_the_reader,
          overlong_prompts_are_refused, sessions_too_small_for_chat_are_refused)
