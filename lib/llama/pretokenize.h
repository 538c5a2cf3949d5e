/* The pre-tokenizers of byte-level BPE vocabularies: how text is cut into
 * words before the merges run, as llama.cpp does it for each
 * tokenizer.ggml.pre (src/llama-vocab.cpp, llm_tokenizer_bpe; the splitters
 * of src/unicode.cpp). Hand-written matchers, no regex engine: each gives
 * exactly what llama.cpp's custom splitter, or its std::regex over the
 * text with every code point collapsed to its class, gives. */
#ifndef LIB_LLAMA_PRETOKENIZE_H
#define LIB_LLAMA_PRETOKENIZE_H

#include <stddef.h>
#include <stdint.h>

enum pretok {
    PRETOK_DEFAULT,   /* "default" (or no name): punctuation runs, then GPT-2's
                         regex, then number runs, then ASCII digit triples */
    PRETOK_GPT2,      /* "gpt-2" and the like: GPT-2's regex alone */
    PRETOK_LLAMA3,    /* "llama-bpe" (Llama 3) and the like */
    PRETOK_SMOLLM,    /* "smollm" and the like: single digits, then GPT-2's regex */
};

/* What a tokenizer.ggml.pre name means in llama.cpp: the pre-tokenizer, and
 * whether llama.cpp then ignores merges for words that are whole tokens and
 * adds BOS by default. 0, or -1 for a name it does not map here. An empty
 * name is "default". */
int pretok_lookup(const char *name, int *pre, int *ignore_merges, int *add_bos);

/* The names pretok_lookup knows, for an error message. */
extern const char pretok_known_names[];

/* Cuts cpts[0..n) (flags[i] = unicode_flags(cpts[i])) into words: writes
 * their lengths in code points into words[] and returns how many there are
 * (at most n). scratch holds n entries. */
size_t pretok_split(int pre, const uint32_t *cpts, const uint8_t *flags, size_t n,
                    uint32_t *words, uint32_t *scratch);

#endif
