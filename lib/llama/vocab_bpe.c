/* Byte-level BPE encoding of one text fragment, as llama.cpp's
 * llm_tokenizer_bpe does it: the text is read as code points (U+FFFD for a
 * byte that is not UTF-8), cut into words by the pre-tokenizer, and each
 * word written back as UTF-8 and spelled in GPT-2's byte alphabet. A word
 * that is a whole token is that token when the pre-tokenizer says to ignore
 * merges (Llama 3); otherwise its characters merge pair by pair, the pair
 * of lowest rank in tokenizer.ggml.merges first (the leftmost among equal
 * ranks). A final symbol that is no token is spelled out byte by byte, as
 * far as single bytes are tokens.
 *
 * The merges are a hash table from (left, right) to the rank, built once:
 * the first of two equal merges keeps its rank, as in llama.cpp's map. */
#include "lib/llama/vocab_impl.h"
#include "lib/llama/errors.h"
#include "lib/llama/gguf.h"
#include "lib/llama/pretokenize.h"
#include "lib/llama/unicode.h"
#include "lib/libc.h"

static uint32_t pair_hash(const unsigned char *left, size_t ll, const unsigned char *right,
                          size_t rl) {
    uint32_t h = vocab_hash(left, ll, VOCAB_HASH_SEED);
    h = (h ^ (uint32_t)ll) * 16777619u;
    return vocab_hash_final(vocab_hash(right, rl, h));
}

/* The rank of the merge (left, right), or -1 and in *free the slot where
 * it would go. */
static int64_t find_merge(const Vocab *v, const unsigned char *left, size_t ll,
                          const unsigned char *right, size_t rl, uint32_t *free) {
    uint32_t h = pair_hash(left, ll, right, rl);
    for (uint32_t i = h;; i++) {
        uint32_t slot = v->merge_slots[i & v->merge_mask];
        if (slot == 0) {
            *free = i & v->merge_mask;
            return -1;
        }
        int64_t r = vocab_slot_entry(slot, h, v->merge_id_bits);
        if (r < 0) continue;
        const VocabString *m = &v->merge[r];
        const unsigned char *s = v->merges + m->offset;
        if (m->len == ll + 1 + rl && s[ll] == ' ' && memcmp(s, left, ll) == 0 &&
            memcmp(s + ll + 1, right, rl) == 0)
            return r;
    }
}

static void build_merges(Vocab *v) {
    memset(v->merge_slots, 0, ((size_t)v->merge_mask + 1) * sizeof *v->merge_slots);
    const unsigned char *p = v->merges;
    for (uint32_t r = 0; r < v->n_merges; r++) {
        gguf_str s = gguf_next_str(&p);
        v->merge[r].offset = (uint32_t)((const unsigned char *)s.s - v->merges);
        v->merge[r].len = (uint32_t)s.len;
        /* llama.cpp splits at the first space after the first byte; without
         * one the pair is ("", ""), which no two symbols ever are */
        size_t split = 1;
        while (split < s.len && s.s[split] != ' ') split++;
        if (split >= s.len) continue;
        const unsigned char *left = (const unsigned char *)s.s;
        const unsigned char *right = left + split + 1;
        size_t rl = s.len - split - 1;
        uint32_t free;
        if (find_merge(v, left, split, right, rl, &free) >= 0) continue;   /* the first rank stays */
        v->merge_slots[free] = vocab_slot(pair_hash(left, split, right, rl), r, v->merge_id_bits);
    }
}

void vocab_bpe_init(Vocab *v, const llama_vocab *d, Arena *a) {
    size_t t = v->max_text;
    v->merges = d->merges;
    v->n_merges = (uint32_t)d->n_merges;
    uint32_t slots = vocab_table_size(v->n_merges);
    v->merge = arena_alloc(a, v->n_merges, sizeof *v->merge);
    v->merge_slots = arena_alloc(a, slots, sizeof *v->merge_slots);
    v->merge_mask = slots - 1;
    v->merge_id_bits = vocab_id_bits(v->n_merges);
    v->cpts = arena_alloc(a, t, sizeof *v->cpts);
    v->flags = arena_alloc(a, t, 1);
    v->words = arena_alloc(a, t, sizeof *v->words);
    v->words_scratch = arena_alloc(a, t, sizeof *v->words_scratch);
    /* a byte that is not UTF-8 reads as U+FFFD, three bytes, each spelled in
     * at most two: a word has at most 3t symbols and 6t bytes */
    v->work = arena_alloc(a, 6 * t, 1);
    v->symbols = arena_alloc(a, 3 * t, sizeof(MergeSymbol));
    MergeHeap h;
    merge_layout(&h, 3 * t, a);
    v->heap = h.heap;
    v->heap_pos = h.pos;
    v->heap_key = h.key;
    for (int b = 0; b < 256; b++)
        v->byte_text_len[b] = (unsigned char)unicode_encode(unicode_byte_to_cpt((unsigned char)b),
                                                            v->byte_text[b]);
    if (a->base == NULL || a->overflow) return;
    build_merges(v);
    for (int b = 0; b < 256; b++) {
        char byte = (char)b;
        v->byte_token[b] = vocab_lookup(v, &byte, 1);
    }
}

static int rank_key(const Vocab *v, const unsigned char *text, const MergeSymbol *left,
                    const MergeSymbol *right, uint32_t *key) {
    uint32_t free;
    int64_t r = find_merge(v, text + left->start, left->len, text + right->start, right->len,
                           &free);
    if (r < 0) return 0;
    *key = (uint32_t)r;
    return 1;
}

/* One word, spelled in the byte alphabet: w[0..n). */
static int encode_word(const Vocab *v, const unsigned char *w, size_t n, VocabOut *o,
                       llama_error *err) {
    if (v->ignore_merges) {
        int id = vocab_lookup(v, (const char *)w, n);
        if (id >= 0) return vocab_push(o, id, err);
    }
    MergeSymbol *sym = v->symbols;
    int ns = 0;
    for (size_t off = 0; off < n; ns++) {
        size_t l = unicode_utf8_len(w[off]);
        if (l > n - off) l = n - off;
        sym[ns] = (MergeSymbol){ ns - 1, -1, (uint32_t)off, (uint32_t)l };
        if (ns > 0) sym[ns - 1].next = ns;
        off += l;
    }
    if (ns == 0) return 0;
    MergeHeap h = { v->heap, v->heap_pos, v->heap_key };
    merge_run(v, w, sym, ns, rank_key, &h);
    for (int i = 0; i != -1; i = sym[i].next) {
        int id = vocab_lookup(v, (const char *)w + sym[i].start, sym[i].len);
        if (id >= 0) {
            if (vocab_push(o, id, err)) return -1;
            continue;
        }
        for (uint32_t k = 0; k < sym[i].len; k++) {
            int b = v->byte_token[w[sym[i].start + k]];
            if (b >= 0 && vocab_push(o, b, err)) return -1;
        }
    }
    return 0;
}

int vocab_bpe_fragment(const Vocab *v, const char *text, size_t len, VocabOut *o,
                       llama_error *err) {
    const unsigned char *s = (const unsigned char *)text;
    size_t n = 0;
    for (size_t i = 0; i < len; n++) {
        size_t used;
        v->cpts[n] = unicode_decode(s + i, len - i, &used);
        v->flags[n] = (uint8_t)unicode_flags(v->cpts[n]);
        i += used;
    }
    size_t n_words = pretok_split(v->pre, v->cpts, v->flags, n, v->words, v->words_scratch);
    size_t c = 0;
    for (size_t w = 0; w < n_words; w++) {
        size_t bytes = 0;
        for (size_t k = c; k < c + v->words[w]; k++) {
            unsigned char u[4];
            size_t nu = unicode_encode(v->cpts[k], u);
            for (size_t j = 0; j < nu; j++) {
                memcpy(v->work + bytes, v->byte_text[u[j]], v->byte_text_len[u[j]]);
                bytes += v->byte_text_len[u[j]];
            }
        }
        c += v->words[w];
        if (encode_word(v, v->work, bytes, o, err)) return -1;
    }
    return 0;
}
