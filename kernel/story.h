/* The story: validate the model and tokenizer modules, print what they are,
 * run the engine and stream its text to the consoles, with a status line on
 * the screen. -m chat: run.c's chat, typed on the consoles. --ask: a story
 * for each prompt typed after "Prompt: " (chat: a conversation after
 * another), until Ctrl-D or, under --exit, an empty line. */
#ifndef KERNEL_STORY_H
#define KERNEL_STORY_H

#include <stddef.h>
#include "lib/options.h"

void story_run(const Options *opt, void *model, size_t model_size,
               const void *tokenizer, size_t tokenizer_size);

#endif
