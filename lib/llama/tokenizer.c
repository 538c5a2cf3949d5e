/* The tokenizer (see tokenizer.h).
 *
 * tokenizer.bin: int32 max_token_length, then for each token a float32
 * merge score, an int32 length and that many bytes (no NUL). Token strings
 * are used as C strings, like run.c does: a NUL byte inside a token ends it.
 *
 * Lookups: run.c sorts (id, string) pairs with qsort and finds strings with
 * bsearch. glibc's qsort is a stable merge sort here and its bsearch probes
 * (lo + hi) / 2; we sort stably and probe the same way, so even a
 * vocabulary with duplicate strings (the shipped ones have none) maps every
 * string to the id run.c would find. */
#include <stdint.h>
#include "lib/llama/tokenizer.h"
#include "lib/llama/errors.h"
#include "lib/llama/sort.h"
#include "lib/libc.h"

#define MAX_TOKEN_LENGTH 65536
#define BOS 1
#define EOS 2

static int32_t read_i32(const unsigned char *p) {
    uint32_t v = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
                 (uint32_t)p[3] << 24;
    return (int32_t)v;
}

/* C locale character classes (run.c's isprint/isspace). */
static int c_isspace(unsigned char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }
static int c_isprint(unsigned char c) { return c >= 0x20 && c < 0x7f; }

static int hex_value(unsigned char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* ---------------------------------------------------------------- file check */

/* Token i starts at *off; on success *off moves past it. */
static int next_token(const unsigned char *p, size_t size, size_t *off, int32_t mtl,
                      int32_t *len) {
    if (size - *off < 8) return -1;
    *len = read_i32(p + *off + 4);
    if (*len < 0 || *len > mtl) return -2;
    if (size - *off - 8 < (size_t)*len) return -1;
    *off += 8 + (size_t)*len;
    return 0;
}

int llama_tokenizer_check(llama_tokenizer_file *tf, const void *file, size_t size,
                          int vocab_size, llama_error *err) {
    const unsigned char *p = file;
    memset(tf, 0, sizeof *tf);
    if (vocab_size < 1)
        return llama_fail(err, "vocabulary size %d is not positive", vocab_size);
    if (size < 4)
        return llama_fail(err, "tokenizer file is %llu bytes, too small for its 4-byte header: "
                          "not a llama2.c tokenizer.bin", (unsigned long long)size);
    int32_t mtl = read_i32(p);
    if (mtl < 1 || mtl > MAX_TOKEN_LENGTH)
        return llama_fail(err, "tokenizer header says max_token_length = %d, which must be between "
                          "1 and %d: not a llama2.c tokenizer.bin, or corrupt", (int)mtl,
                          MAX_TOKEN_LENGTH);
    size_t off = 4, strings = 0;
    for (int i = 0; i < vocab_size; i++) {
        int32_t len;
        size_t at = off;
        int r = next_token(p, size, &off, mtl, &len);
        if (r == -2)
            return llama_fail(err, "tokenizer token %d (at byte %llu) has length %d, outside "
                              "0..max_token_length (%d): the file is corrupt", i,
                              (unsigned long long)at, (int)len, (int)mtl);
        if (r < 0)
            return llama_fail(err, "tokenizer file ends inside token %d, but the model's vocabulary "
                              "has %d tokens: the file is truncated or belongs to a smaller "
                              "vocabulary; use the model's own tokenizer (-z)", i, vocab_size);
        strings += (size_t)len + 1;
    }
    if (off != size) {
        /* Count what follows, to say what kind of file this is. */
        size_t o = off;
        int32_t len;
        long extra = 0;
        while (o < size && next_token(p, size, &o, mtl, &len) == 0) extra++;
        if (o == size)
            return llama_fail(err, "tokenizer file holds %ld tokens but the model's vocabulary has "
                              "%d: it belongs to another model; use the model's own tokenizer (-z)",
                              (long)vocab_size + extra, vocab_size);
        return llama_fail(err, "tokenizer file has %llu bytes left over after the model's %d tokens: "
                          "it belongs to another model or is corrupt; use the model's own "
                          "tokenizer (-z)", (unsigned long long)(size - off), vocab_size);
    }
    tf->data = p;
    tf->size = size;
    tf->vocab_size = vocab_size;
    tf->max_token_length = mtl;
    tf->string_bytes = strings;
    return 0;
}

/* ---------------------------------------------------------------- loading */

static int compare_ids(const void *a, const void *b, void *ctx) {
    char **vocab = ctx;
    return strcmp(vocab[*(const int *)a], vocab[*(const int *)b]);
}

void tokenizer_init(Tokenizer *t, const llama_tokenizer_file *tf, Arena *a) {
    int n = tf->vocab_size;
    t->vocab_size = n;
    t->max_token_length = tf->max_token_length;
    t->vocab = arena_alloc(a, (size_t)n, sizeof *t->vocab);
    t->scores = arena_alloc(a, (size_t)n, sizeof *t->scores);
    t->sorted = arena_alloc(a, (size_t)n, sizeof *t->sorted);
    int *scratch = arena_alloc(a, (size_t)n, sizeof *scratch);
    char *strings = arena_alloc(a, tf->string_bytes, 1);
    /* two tokens joined, or a UTF-8 sequence of up to 4 bytes, and a NUL */
    size_t merge = 2 * (size_t)tf->max_token_length + 1;
    t->merge_buf = arena_alloc(a, merge < 5 ? 5 : merge, 1);
    for (int i = 0; i < 256; i++) {
        t->byte_pieces[2 * i] = (unsigned char)i;
        t->byte_pieces[2 * i + 1] = 0;
    }
    if (a->base == NULL || a->overflow) return;

    const unsigned char *p = tf->data;
    size_t off = 4;
    for (int i = 0; i < n; i++) {
        int32_t len = read_i32(p + off + 4);
        memcpy(&t->scores[i], p + off, sizeof(float));
        memcpy(strings, p + off + 8, (size_t)len);
        strings[len] = 0;
        t->vocab[i] = strings;
        strings += len + 1;
        off += 8 + (size_t)len;
        t->sorted[i] = i;
    }
    stable_sort(t->sorted, (size_t)n, sizeof *t->sorted, scratch, compare_ids, t->vocab);
}

/* ---------------------------------------------------------------- encode */

int tokenizer_lookup(const Tokenizer *t, const char *str) {
    size_t lo = 0, hi = (size_t)t->vocab_size;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int id = t->sorted[mid];
        int c = strcmp(str, t->vocab[id]);
        if (c < 0) hi = mid;
        else if (c > 0) lo = mid + 1;
        else return id;
    }
    return -1;
}

int tokenizer_encode(Tokenizer *t, const char *text, int bos, int eos,
                     int *tokens, int *n_tokens, llama_error *err) {
    char *buf = t->merge_buf;
    int n = 0;
    *n_tokens = 0;
    if (bos) tokens[n++] = BOS;

    /* sentencepiece's add_dummy_prefix: a leading " " unless text is empty */
    if (text[0] != '\0') {
        int space = tokenizer_lookup(t, " ");
        if (space < 0)
            return llama_fail(err, "the tokenizer has no \" \" token, which every prompt starts "
                              "with: use the tokenizer the model was trained with");
        tokens[n++] = space;
    }

    /* One token per UTF-8 sequence: a lead byte and its continuation bytes
     * (10xxxxxx), at most 4 bytes; a sequence missing from the vocabulary
     * becomes one byte token each (<0x00> is id 3). */
    size_t len = 0;
    for (const char *c = text; *c != '\0'; c++) {
        if ((*c & 0xC0) != 0x80) len = 0;      /* not a continuation byte */
        buf[len++] = *c;
        buf[len] = '\0';
        if ((c[1] & 0xC0) == 0x80 && len < 4) continue;
        int id = tokenizer_lookup(t, buf);
        if (id >= 0) {
            tokens[n++] = id;
        } else {
            for (size_t i = 0; i < len; i++) {
                int byte_id = (unsigned char)buf[i] + 3;
                if (byte_id >= t->vocab_size)
                    return llama_fail(err, "the prompt has byte 0x%02x, which this %d-token "
                                      "vocabulary cannot encode (no byte-fallback token): "
                                      "change the prompt", (unsigned char)buf[i], t->vocab_size);
                tokens[n++] = byte_id;
            }
        }
        len = 0;
    }

    /* Merge the adjacent pair whose joined string has the highest score
     * (the first such pair on ties), until no pair is in the vocabulary. */
    for (;;) {
        float best_score = -1e10f;
        int best_id = -1, best_idx = -1;
        for (int i = 0; i < n - 1; i++) {
            const char *a = t->vocab[tokens[i]], *b = t->vocab[tokens[i + 1]];
            size_t la = strlen(a), lb = strlen(b);
            memcpy(buf, a, la);
            memcpy(buf + la, b, lb + 1);
            int id = tokenizer_lookup(t, buf);
            if (id != -1 && t->scores[id] > best_score) {
                best_score = t->scores[id];
                best_id = id;
                best_idx = i;
            }
        }
        if (best_idx == -1) break;
        tokens[best_idx] = best_id;
        for (int i = best_idx + 1; i < n - 1; i++) tokens[i] = tokens[i + 1];
        n--;
    }

    if (eos) tokens[n++] = EOS;
    *n_tokens = n;
    return 0;
}

/* ---------------------------------------------------------------- decode */

int parse_byte_token(const char *piece, unsigned char *byte) {
    const unsigned char *p = (const unsigned char *)piece;
    if (p[0] != '<' || p[1] != '0' || p[2] != 'x') return 0;
    p += 3;
    while (c_isspace(*p)) p++;                   /* %X skips white space */
    int width = 2, digits = 0, negative = 0;
    unsigned value = 0;
    if (*p == '-' || *p == '+') {                /* a sign uses up the width */
        negative = *p == '-';
        width--;
        p++;
    }
    if (width != 0 && *p == '0') {               /* "0x" prefix: the 0 is a digit */
        width--;
        digits++;
        p++;
        if (width != 0 && (*p == 'x' || *p == 'X')) {
            width--;
            p++;
        }
    }
    while (width != 0 && hex_value(*p) >= 0) {
        value = value * 16 + (unsigned)hex_value(*p);
        width--;
        digits++;
        p++;
    }
    if (digits == 0) return 0;
    *byte = (unsigned char)(negative ? 0u - value : value);
    return 1;
}

const char *tokenizer_decode(const Tokenizer *t, int prev, int token) {
    const char *piece = t->vocab[token];
    /* after BOS, sentencepiece drops the leading space */
    if (prev == BOS && piece[0] == ' ') piece++;
    unsigned char byte;
    if (parse_byte_token(piece, &byte)) piece = (const char *)t->byte_pieces + 2 * byte;
    return piece;
}

size_t piece_print_length(const char *piece) {
    if (piece == NULL || piece[0] == '\0') return 0;
    if (piece[1] == '\0') {
        unsigned char b = (unsigned char)piece[0];
        return c_isprint(b) || c_isspace(b) ? 1 : 0;
    }
    return strlen(piece);
}
