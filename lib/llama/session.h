/* The session (see llama.h): what llama_init lays out in the arena. Shared
 * by the generate loop and the chat loop. */
#ifndef LIB_LLAMA_SESSION_H
#define LIB_LLAMA_SESSION_H

#include <stddef.h>
#include "lib/llama/llama.h"
#include "lib/llama/sampler.h"
#include "lib/llama/tokenizer.h"
#include "lib/llama/transformer.h"

struct llama_session {
    Transformer transformer;
    Tokenizer tokenizer;
    Sampler sampler;
    llama_platform platform;
    int steps;
    size_t max_prompt_len;
    int *prompt_tokens;          /* max_prompt_len + 3 (BOS, " ", EOS) */
};

#endif
