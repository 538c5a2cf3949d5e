/* The tokenizers of GGUF vocabularies, as llama.cpp runs them
 * (src/llama-vocab.cpp): SentencePiece ("llama": score-driven merges, byte
 * fallback) and byte-level BPE ("gpt2": ranked merges after a
 * pre-tokenizer), with llama.cpp's special tokens, defaults, pieces and
 * end-of-generation set. llama2.c's tokenizer.bin keeps its own, run.c-exact
 * tokenizer (tokenizer.h).
 *
 * Order of calls: vocab_check(&model.vocab) when the model is loaded; then
 * vocab_init() twice with the same arguments, first in a measuring arena
 * (it counts) and then in the real one (it builds the tables: well under
 * 200 ms for Llama 3's 128256 tokens and 280147 merges); then any number of
 * vocab_encode / vocab_piece / vocab_is_eog. The model file must stay
 * mapped: the tables point into its metadata.
 *
 * Where this differs from llama.cpp (each is a file llama.cpp refuses or
 * crashes on, or a model this engine cannot run):
 *   - a duplicate token string is allowed; lookups find its lowest id
 *     (llama.cpp refuses the file);
 *   - an empty token string is never matched and prints nothing (llama.cpp
 *     renames it "[EMPTY_<id>]");
 *   - UTF-8 that decodes beyond U+10FFFF is U+FFFD per byte for BPE (llama.cpp
 *     throws); SentencePiece text with a byte that has no byte token is an
 *     error (llama.cpp throws);
 *   - the FIM tokens are found by their text only (llama.cpp also reads
 *     their ids from tokenizer.ggml.fim_*_token_id), and the workarounds
 *     llama.cpp keeps for other architectures (gpt-oss, Gemma 4, Phi-3 token
 *     stripping) are left out. */
#ifndef LIB_LLAMA_VOCAB_H
#define LIB_LLAMA_VOCAB_H

#include <stddef.h>
#include <stdint.h>
#include "lib/llama/llama.h"
#include "lib/llama/arena.h"

/* Token attributes (llama.cpp's llama_token_attr, the ones that matter). */
enum {
    VOCAB_NORMAL = 1 << 0,
    VOCAB_UNKNOWN = 1 << 1,
    VOCAB_CONTROL = 1 << 2,
    VOCAB_USER_DEFINED = 1 << 3,
    VOCAB_UNUSED = 1 << 4,
    VOCAB_BYTE = 1 << 5,
    VOCAB_EOG = 1 << 6,          /* ends generation (vocab_is_eog) */
};

typedef struct {
    uint32_t offset;             /* the string's first byte, from the tokens array */
    uint32_t len;
} VocabString;

typedef struct {
    uint32_t start, len;         /* in the encode buffer */
    int32_t token;               /* a special token, or -1 for text */
    int32_t special;             /* text: control tokens may be matched in it */
} VocabFragment;

/* Lives in the session's arena (vocab_init fills it). */
typedef struct {
    int kind;                    /* LLAMA_VOCAB_SPM or LLAMA_VOCAB_BPE */
    int pre;                     /* enum pretok (BPE) */
    int n_tokens;
    const unsigned char *tokens; /* llama_vocab.tokens: strings in the file */
    const unsigned char *scores; /* f32 per token, or NULL (all 0) */
    VocabString *token;          /* n_tokens */
    unsigned char *attr;         /* n_tokens, VOCAB_* */
    uint32_t *token_slots;       /* string -> id (vocab_impl.h) */
    uint32_t token_mask;
    unsigned token_id_bits;
    const unsigned char *merges; /* BPE: "left right" strings in the file */
    uint32_t n_merges;
    VocabString *merge;          /* n_merges; len counts the space */
    uint32_t *merge_slots;       /* (left, right) -> rank */
    uint32_t merge_mask;
    unsigned merge_id_bits;
    int *specials;               /* control, user-defined and unknown tokens,
                                    longest first, matched in this order */
    int n_specials;
    int byte_token[256];         /* the token of a lone byte, or -1 */
    unsigned char byte_text[256][2];  /* BPE: a byte in GPT-2's alphabet (UTF-8) */
    unsigned char byte_text_len[256];
    int bos, eos, unk;           /* after llama.cpp's defaults; -1: none */
    int add_bos, add_eos, add_space_prefix, ignore_merges;
    size_t max_text;
    /* work memory of vocab_encode, for texts up to max_text bytes */
    char *text;
    VocabFragment *fragments[2];
    unsigned char *work;         /* SPM: the escaped text; BPE: one encoded word */
    void *symbols;               /* the merge loop's symbols (vocab_impl.h) */
    int32_t *heap, *heap_pos;    /* and its heap */
    uint32_t *heap_key;
    uint32_t *cpts, *words, *words_scratch;  /* BPE pre-tokenizer */
    uint8_t *flags;
} Vocab;

/* Checks what vocab_init needs of a GGUF vocabulary: its kind, a
 * pre-tokenizer it knows (an unknown one is an error naming it), special
 * ids in range, a BOS (EOS) where add_bos (add_eos) asks for one, strings
 * that fit the tables. 0, or -1 with err saying what is wrong. */
int vocab_check(const llama_vocab *d, llama_error *err);

/* Lays out the tables in the arena for prompts of up to max_text bytes and,
 * unless the arena only measures (or is full), builds them. d must have
 * passed vocab_check. */
void vocab_init(Vocab *v, const llama_vocab *d, size_t max_text, Arena *a);

/* A piece of text to encode. special: control tokens written in it are
 * parsed as those tokens (template text); 0 for text a person typed, where
 * "<|eot_id|>" is just characters. User-defined tokens are matched in both,
 * as llama.cpp matches them without special parsing too. */
typedef struct {
    const char *text;
    size_t len;
    int special;
} VocabPart;

/* Encodes the parts as one text: llama.cpp's tokenization of their
 * concatenation (special tokens found in the special parts only; text on
 * both sides of a part boundary is one fragment). add_bos: -1 = the model's
 * rules (add_bos_token, and add_eos_token for a final EOS: llama.cpp's
 * add_special), 1 = BOS and no EOS, 0 = neither (a later chat turn). The
 * ids go to out[0..cap), their count to *n_out. -1 with err when the text
 * is longer than max_text, the ids do not fit in cap, or (SentencePiece) a
 * byte has no token. */
int vocab_encode(const Vocab *v, const VocabPart *parts, int n_parts, int add_bos, int *out,
                 int cap, int *n_out, llama_error *err);

/* The bytes token prints as: llama.cpp's token_to_piece with special =
 * false (control and unknown tokens print nothing; a byte token its byte;
 * SentencePiece's U+2581 a space; BPE's alphabet decoded to bytes). Writes
 * at most cap bytes of it to buf (no NUL) and returns its whole length; 0
 * for an id out of range. */
size_t vocab_piece(const Vocab *v, int token, char *buf, size_t cap);

/* 1 when token ends generation: EOS, EOT, EOM and the tokens llama.cpp
 * recognises by their text (<|eot_id|>, <|im_end|>, <|endoftext|>, ...). */
int vocab_is_eog(const Vocab *v, int token);

/* The BOS and EOS ids to use (the file's, else llama.cpp's default for the
 * kind), or -1 when there is none. */
int vocab_bos(const Vocab *v);
int vocab_eos(const Vocab *v);

/* The id of the token spelled s[0..len), or -1. */
int vocab_lookup(const Vocab *v, const char *s, size_t len);

/* A token's string as the vocabulary spells it (not its piece). */
const char *vocab_text(const Vocab *v, int token, size_t *len);

#endif
