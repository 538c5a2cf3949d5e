/* llama2.c's byte-pair tokenizer: tokenizer.bin loading, encode (prompt to
 * ids) and decode (id to printable piece), exactly as run.c does them. */
#ifndef LIB_LLAMA_TOKENIZER_H
#define LIB_LLAMA_TOKENIZER_H

#include "lib/llama/llama.h"
#include "lib/llama/arena.h"

typedef struct {
    int vocab_size;
    int max_token_length;
    char **vocab;              /* NUL-terminated copies of the token strings */
    float *scores;             /* merge scores */
    int *sorted;               /* ids in strcmp order of their strings (stable) */
    char *merge_buf;           /* two tokens joined, or one UTF-8 sequence */
    unsigned char byte_pieces[512];  /* "\x00", "\x01", ... "\xff" */
} Tokenizer;

/* Allocates from the arena and, unless it is measuring (or full), copies
 * the vocabulary out of tf and sorts it. tf must have passed
 * llama_tokenizer_check. */
void tokenizer_init(Tokenizer *t, const llama_tokenizer_file *tf, Arena *a);

/* The id of the token spelled str, or -1: a binary search that probes the
 * same entries as glibc's bsearch, so that a vocabulary with duplicate
 * strings yields the same id as run.c. */
int tokenizer_lookup(const Tokenizer *t, const char *str);

/* run.c's encode(): BOS (1) if bos, the dummy-prefix " " token if text is
 * not empty, one token per UTF-8 sequence (or byte fallback, id = byte + 3),
 * then the best-scoring merges; EOS (2) if eos. tokens must hold
 * strlen(text) + 3 ids. Fails only where run.c would read out of bounds
 * (no " " token, a byte id beyond the vocabulary). */
int tokenizer_encode(Tokenizer *t, const char *text, int bos, int eos,
                     int *tokens, int *n_tokens, llama_error *err);

/* run.c's decode(): the piece for token after prev (no leading space after
 * BOS; "<0xXX>" becomes that byte). */
const char *tokenizer_decode(const Tokenizer *t, int prev, int token);

/* run.c's safe_printf() rule: the number of bytes of piece to print, 0 for
 * NULL, empty, or one byte that is neither printable nor space. */
size_t piece_print_length(const char *piece);

/* sscanf(piece, "<0x%02hhX>", byte) == 1, with glibc's rules. */
int parse_byte_token(const char *piece, unsigned char *byte);

#endif
