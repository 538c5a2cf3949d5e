/* The session (see llama.h): what llama_init lays out in the arena, and
 * the few steps the generate and chat loops share, whatever the model's
 * vocabulary: encode a prompt, print a token, tell an ending token. */
#ifndef LIB_LLAMA_SESSION_H
#define LIB_LLAMA_SESSION_H

#include <stddef.h>
#include "lib/llama/llama.h"
#include "lib/llama/sampler.h"
#include "lib/llama/tokenizer.h"
#include "lib/llama/transformer.h"
#include "lib/llama/vocab.h"
#include "lib/llama/chat_template.h"

struct llama_session {
    Transformer transformer;
    int vocab_kind;              /* enum llama_vocab_kind */
    Tokenizer tokenizer;         /* LLAMA_VOCAB_RUNC: run.c's */
    Vocab vocab;                 /* SPM and BPE: llama.cpp's */
    ChatTemplate chat;           /* SPM and BPE: the model's chat format */
    const llama_vocab *vocab_desc;
    Sampler sampler;
    llama_platform platform;
    int steps;
    size_t max_prompt_len;
    int max_prompt_tokens;       /* room in prompt_tokens */
    int *prompt_tokens;
    int prompt_specials;         /* special tokens in prompts are parsed (llama_set_prompt_specials) */
    int strip_space;             /* the next piece printed loses a leading space (SPM) */
    char piece[256];             /* a GGUF token's text */
};

/* Encodes parts (see vocab.h; RUNC models take one part, run.c's way, with
 * BOS) into s->prompt_tokens. 0 or -1. */
int session_encode(llama_session *s, const VocabPart *parts, int n_parts, int add_bos,
                   int *n_tokens, llama_error *err);

/* Writes token's text (after prev) through the platform: run.c's decode and
 * safe_printf rule, or llama.cpp's piece. */
void session_print(llama_session *s, int prev, int token);

/* Whether a generated token ends the text: BOS for run.c's models (it
 * delimits sequences), an end-of-generation token for GGUF models. */
int session_ends(const llama_session *s, int token);

/* run.c's chat (chat.c), for llama2.c models. */
int chat_runc(llama_session *s, const char *user_prompt, const char *system_prompt,
              llama_read_line_fn read_line, void *read_ctx, llama_stats *stats, llama_error *err);

/* The platform's clock, 0 without one. */
uint64_t session_now(const llama_session *s);

#endif
