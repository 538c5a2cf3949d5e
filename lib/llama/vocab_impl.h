/* What the files of the GGUF tokenizers offer one another (vocab.h is what
 * they offer the engine): the string hash, the merge loop both tokenizers
 * share (vocab_merge.c), and each tokenizer's setup and its encoding of one
 * text fragment (vocab_spm.c, vocab_bpe.c). */
#ifndef LIB_LLAMA_VOCAB_IMPL_H
#define LIB_LLAMA_VOCAB_IMPL_H

#include <stddef.h>
#include <stdint.h>
#include "lib/llama/vocab.h"

/* FNV-1a over s[0..n), continuing from h (start with VOCAB_HASH_SEED). */
#define VOCAB_HASH_SEED 2166136261u
static inline uint32_t vocab_hash(const unsigned char *s, size_t n, uint32_t h) {
    for (size_t i = 0; i < n; i++) h = (h ^ s[i]) * 16777619u;
    return h;
}
/* A final mix, so that linear probing sees well spread slots. */
static inline uint32_t vocab_hash_final(uint32_t h) {
    h ^= h >> 16;
    h *= 0x85ebca6bu;
    h ^= h >> 13;
    h *= 0xc2b2ae35u;
    return h ^ (h >> 16);
}

/* The open-addressing tables (tokens, merges): a power of two of at least
 * 2n slots (n < 2^30), each 0 when free, else (entry + 1) in its low
 * id_bits bits and the high bits of the entry's hash above them, so that
 * most probes that miss need not compare strings. */
uint32_t vocab_table_size(uint32_t n);
unsigned vocab_id_bits(uint32_t n);
static inline uint32_t vocab_slot(uint32_t hash, uint32_t entry, unsigned id_bits) {
    return (id_bits >= 32 ? 0 : hash >> id_bits << id_bits) | (entry + 1);
}
/* The entry of a slot whose hash bits match hash, or -1. */
static inline int64_t vocab_slot_entry(uint32_t slot, uint32_t hash, unsigned id_bits) {
    uint32_t low = id_bits >= 32 ? 0xffffffffu : (1u << id_bits) - 1;
    if ((slot ^ hash) & ~low) return -1;
    return (int64_t)(slot & low) - 1;
}

/* ---------------------------------------------------------------- merges */

/* A symbol of the merge loop: text[start .. start + len), linked to its
 * neighbours (-1 at the ends); len 0 once merged into its left neighbour. */
typedef struct {
    int32_t prev, next;
    uint32_t start, len;
} MergeSymbol;

/* Whether the pair (left, right) of adjacent symbols may merge, and how
 * urgently: 1 with *key (lower merges first; ties go to the leftmost
 * pair), or 0. */
typedef int (*merge_key_fn)(const Vocab *v, const unsigned char *text, const MergeSymbol *left,
                            const MergeSymbol *right, uint32_t *key);

/* Work memory of the merge loop for up to n symbols. */
typedef struct {
    int32_t *heap;      /* symbols whose pair with their right neighbour may merge */
    int32_t *pos;       /* each symbol's place in heap, or -1 */
    uint32_t *key;      /* each symbol's pair key */
} MergeHeap;

void merge_layout(MergeHeap *h, size_t n, Arena *a);

/* Merges sym[0..n) (linked in order) pair by pair, always the pair with the
 * lowest key, leftmost first, until no pair may merge: the order llama.cpp's
 * priority queues give, without their stale entries. */
void merge_run(const Vocab *v, const unsigned char *text, MergeSymbol *sym, int n,
               merge_key_fn key, const MergeHeap *h);

/* ---------------------------------------------------------------- tokenizers */

/* Output: ids pushed to out[0..cap) at *n; -1 with err when full. */
typedef struct {
    int *ids;
    int cap;
    int n;
} VocabOut;

int vocab_push(VocabOut *o, int id, llama_error *err);

/* Lays out (and, with a real arena, builds) what each tokenizer needs. */
void vocab_spm_init(Vocab *v, const llama_vocab *d, Arena *a);
void vocab_bpe_init(Vocab *v, const llama_vocab *d, Arena *a);

/* Encodes one fragment of text (no special tokens in it). SentencePiece:
 * with a leading space when space_prefix. */
int vocab_spm_fragment(const Vocab *v, const char *text, size_t len, int space_prefix,
                       VocabOut *o, llama_error *err);
int vocab_bpe_fragment(const Vocab *v, const char *text, size_t len, VocabOut *o,
                       llama_error *err);

/* A token's bytes. */
static inline const unsigned char *vocab_token_bytes(const Vocab *v, int id) {
    return v->tokens + v->token[id].offset;
}

#endif
