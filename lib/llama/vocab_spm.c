/* SentencePiece encoding of one text fragment, as llama.cpp's
 * llm_tokenizer_spm does it: spaces become U+2581 ("▁"), with one more in
 * front when the vocabulary adds a space prefix and the fragment begins the
 * text or follows a special token; the text is cut into UTF-8 characters
 * (by the lengths their lead bytes announce); adjacent symbols whose join
 * is a token merge, the best-scoring join first (the leftmost among equal
 * scores); a final symbol that is no token becomes byte tokens <0xXX> (or
 * the byte itself where the vocabulary has it as a token). */
#include "lib/llama/vocab_impl.h"
#include "lib/llama/errors.h"
#include "lib/llama/gguf.h"
#include "lib/llama/unicode.h"
#include "lib/libc.h"

void vocab_spm_init(Vocab *v, const llama_vocab *d, Arena *a) {
    (void)d;
    /* every byte may become "▁" (three bytes), and so may the prefix; every
     * byte of that may begin a symbol */
    size_t bytes = 3 * (v->max_text + 1);
    v->work = arena_alloc(a, bytes, 1);
    v->symbols = arena_alloc(a, bytes, sizeof(MergeSymbol));
    MergeHeap h;
    merge_layout(&h, bytes, a);
    v->heap = h.heap;
    v->heap_pos = h.pos;
    v->heap_key = h.key;
    if (a->base == NULL || a->overflow) return;
    static const char hex[] = "0123456789ABCDEF";
    for (int b = 0; b < 256; b++) {
        char name[6] = { '<', '0', 'x', hex[b >> 4], hex[b & 15], '>' };
        char byte = (char)b;
        int id = vocab_lookup(v, name, sizeof name);
        v->byte_token[b] = id >= 0 ? id : vocab_lookup(v, &byte, 1);
    }
}

/* Scores in an order-preserving unsigned form, higher score first: the key
 * is lower for a better join. -0 and +0 are one score. */
static uint32_t score_key(float score) {
    uint32_t bits;
    if (score == 0.0f) score = 0.0f;
    memcpy(&bits, &score, sizeof bits);
    bits = (bits & 0x80000000u) ? ~bits : bits | 0x80000000u;
    return ~bits;
}

static int join_key(const Vocab *v, const unsigned char *text, const MergeSymbol *left,
                    const MergeSymbol *right, uint32_t *key) {
    int id = vocab_lookup(v, (const char *)text + left->start, left->len + right->len);
    if (id < 0) return 0;
    *key = score_key(v->scores ? gguf_f32(v->scores + 4 * (size_t)id) : 0.0f);
    return 1;
}

int vocab_spm_fragment(const Vocab *v, const char *text, size_t len, int space_prefix,
                       VocabOut *o, llama_error *err) {
    unsigned char *w = v->work;
    size_t n = 0;
    static const unsigned char lower_block[3] = { 0xE2, 0x96, 0x81 };   /* U+2581 */
    if (space_prefix) {
        memcpy(w, lower_block, 3);
        n = 3;
    }
    for (size_t i = 0; i < len; i++) {
        if (text[i] == ' ') {
            memcpy(w + n, lower_block, 3);
            n += 3;
        } else {
            w[n++] = (unsigned char)text[i];
        }
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
    merge_run(v, w, sym, ns, join_key, &h);
    for (int i = 0; i != -1; i = sym[i].next) {
        int id = vocab_lookup(v, (const char *)w + sym[i].start, sym[i].len);
        if (id >= 0) {
            if (vocab_push(o, id, err)) return -1;
            continue;
        }
        for (uint32_t k = 0; k < sym[i].len; k++) {
            unsigned char b = w[sym[i].start + k];
            if (v->byte_token[b] < 0)
                return llama_fail(err, "the vocabulary has no token for the byte 0x%02X in the "
                                  "prompt (no <0x%02X>): it cannot encode this text", b, b);
            if (vocab_push(o, v->byte_token[b], err)) return -1;
        }
    }
    return 0;
}
