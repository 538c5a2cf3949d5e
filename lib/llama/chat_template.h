/* Chat prompts for GGUF models: the model's tokenizer.chat_template is
 * recognised among the formats below and one turn at a time is rendered
 * byte for byte as Hugging Face renders the Jinja template (trim_blocks,
 * lstrip_blocks), as parts for vocab_encode: template text with special
 * tokens parsed, system and user text without.
 *
 *   Llama 3    <|start_header_id|>ROLE<|end_header_id|>\n\nTEXT<|eot_id|>, text
 *              trimmed; Llama 3.1 and later ("Cutting Knowledge Date") always
 *              open with a system header naming the knowledge cutoff and a date
 *   ChatML     <|im_start|>ROLE\nTEXT<|im_end|>\n (SmolLM, Qwen), with the
 *              template's default system prompt when none is given (SmolLM2)
 *   Zephyr     <|ROLE|>\nTEXT</s>\n (TinyLlama chat)
 *   Llama 2    [INST] <<SYS>>\nSYSTEM\n<</SYS>>\n\nUSER [/INST], stripped
 *   plain      (no template, or one not recognised) SYSTEM\n\nUser: USER\nAssistant:
 *              and later turns \nUser: USER\nAssistant: ; the platform says so
 *
 * The chat keeps its KV cache, so the platform evaluates one turn at a time:
 *   1. the first turn (chat_template_turn with first = 1): encode with
 *      add_bos = -1 (the model's rule; the template's own BOS is left out);
 *   2. generate until vocab_is_eog(), and evaluate that end-of-turn token
 *      too (<|eot_id|>, <|im_end|>, </s>): it is part of the conversation;
 *   3. each later turn (first = 0): encode with add_bos = 0 and evaluate it
 *      right after that token. It begins with whatever the template puts
 *      after the end of a reply: ChatML's and Zephyr's "\n", Llama 2's <s>
 *      (as text that parses to BOS). Nothing else is fed between turns. */
#ifndef LIB_LLAMA_CHAT_TEMPLATE_H
#define LIB_LLAMA_CHAT_TEMPLATE_H

#include <stddef.h>
#include "lib/llama/llama.h"
#include "lib/llama/vocab.h"

enum chat_format { CHAT_PLAIN, CHAT_LLAMA3, CHAT_CHATML, CHAT_ZEPHYR, CHAT_LLAMA2 };

#define CHAT_TEMPLATE_MAX_PARTS 12
#define CHAT_DEFAULT_SYSTEM_MAX 1024

typedef struct {
    int format;                  /* enum chat_format */
    int has_template;            /* the model has a tokenizer.chat_template */
    int dated;                   /* Llama 3.1+: the system header with a date */
    int date_from_clock;         /* and the template asks for today's date */
    char date[16];               /* "26 Jul 2024" (the templates' fallback) */
    const char *bos, *eos;       /* the vocabulary's BOS and EOS strings */
    size_t bos_len, eos_len;
    char default_system[CHAT_DEFAULT_SYSTEM_MAX];  /* ChatML's, when it has one */
    size_t default_system_len;
    int has_default_system;
} ChatTemplate;

/* Recognises d's template (v: its vocabulary, set up). Never fails: a
 * template it does not know, or none, is CHAT_PLAIN. */
void chat_template_init(ChatTemplate *t, const llama_vocab *d, const Vocab *v);

/* "Llama 3", "ChatML", "Zephyr", "Llama 2" or "plain". */
const char *chat_template_name(const ChatTemplate *t);

/* Today's date for the templates that take it from the clock (Llama 3.2's
 * strftime_now("%d %b %Y")); month 1..12. Others keep "26 Jul 2024", as
 * their templates do. Ignored when out of range. */
void chat_template_set_date(ChatTemplate *t, int year, int month, int day);

/* One turn: (first turn only) the system prompt, system[0..system_len), or
 * NULL for none; the user's text; then the generation prompt. Writes the
 * parts to parts[0..cap) and returns their count, or -1 when cap is below
 * CHAT_TEMPLATE_MAX_PARTS. The parts point into t, the arguments and
 * static text: keep them until encoded. */
int chat_template_turn(const ChatTemplate *t, int first, const char *system, size_t system_len,
                       const char *user, size_t user_len, VocabPart *parts, int cap);

#endif
