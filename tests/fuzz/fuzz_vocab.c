/* Fuzzes the GGUF tokenizers (lib/llama/vocab*.c) and the chat turns
 * (lib/llama/chat_template.c) on the real Llama 2 (SentencePiece) and
 * Llama 3 (BPE) vocabularies, loaded once from ../shared/models/gguf.
 *
 * Input: a flags byte (bit 0: the vocabulary, Llama 3 when set; bits 1-2:
 * add_bos -1, 0, 1, -1; bit 3: chat mode; bits 4-6: the chat format; bit 7:
 * the first turn), a byte n (n % 8 + 1 parts), one byte per part but the
 * last (its length in the low 7 bits, special when the high bit is set),
 * then the text, which the last part ends. In chat mode the first part is
 * the system prompt (none unless special is set) and the second the user's.
 *
 * Properties, beyond memory safety:
 *   - encoding succeeds, and every id is in the vocabulary;
 *   - without special parts no control token appears but the BOS/EOS the
 *     rule adds (in these two vocabularies no merge spells a control token),
 *     and any cut of the text into parts encodes as the whole text;
 *   - the pieces of strict UTF-8 spell the text again (Llama 2: with a
 *     space in front, U+2581 read as a space; a byte that is not UTF-8
 *     would take the bytes of a following "▁" into its byte tokens);
 *   - a piece written into a short buffer is a prefix of the whole piece;
 *   - chat: the number of control tokens in a turn does not depend on what
 *     the user and the system prompt say. */
#include "lib/llama/chat_template.h"
#include "lib/llama/vocab.h"
#include "tests/fuzz/fuzz.h"
#include "tests/host/model_file.h"
#include "tests/host/vocab_file.h"

#define MAX_TEXT 4096
#define CAP (3 * MAX_TEXT + 16)

typedef struct {
    unsigned char *file;
    size_t size;
    llama_vocab d;
    Vocab *v;
    void *mem;
} Loaded;

static Loaded vocabs[2];

static void load(Loaded *l, const char *name) {
    l->file = model_file(name, &l->size);
    if (!l->file || vocab_file_read(&l->d, l->file, l->size) ||
        !(l->v = vocab_file_open(&l->d, MAX_TEXT, &l->mem))) {
        fprintf(stderr, "fuzz_vocab: cannot load %s (tools/find-model.sh finds it in models/ or "
                "../shared/models)\n", name);
        exit(1);
    }
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc;
    (void)argv;
    load(&vocabs[0], "gguf/llama2-vocab.gguf");
    load(&vocabs[1], "gguf/llama3-vocab.gguf");
    return 0;
}

/* Strict UTF-8: no overlong forms, no surrogates, nothing past U+10FFFF. */
static int strict_utf8(const unsigned char *s, size_t n) {
    for (size_t i = 0; i < n;) {
        unsigned c = s[i];
        size_t k = c < 0x80 ? 1 : c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3
                 : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
        if (k == 0 || k > n - i) return 0;
        for (size_t j = 1; j < k; j++)
            if ((s[i + j] & 0xC0) != 0x80) return 0;
        if ((c == 0xE0 && s[i + 1] < 0xA0) || (c == 0xED && s[i + 1] >= 0xA0) ||
            (c == 0xF0 && s[i + 1] < 0x90) || (c == 0xF4 && s[i + 1] >= 0x90))
            return 0;
        i += k;
    }
    return 1;
}

static int control_count(const Vocab *v, const int *ids, int n) {
    int c = 0;
    for (int i = 0; i < n; i++) c += (v->attr[ids[i]] & VOCAB_CONTROL) != 0;
    return c;
}

static int ids[CAP], ids2[CAP];
static char spelled[4 * CAP], expect[4 * MAX_TEXT + 8];

static void check_pieces(const Vocab *v, const int *t, int n) {
    for (int i = 0; i < n; i++) {
        char whole[512], part[3];
        size_t len = vocab_piece(v, t[i], whole, sizeof whole);
        size_t len2 = vocab_piece(v, t[i], part, sizeof part);
        FUZZ_ASSERT(len == len2 && len <= sizeof whole, "token %d: %zu then %zu bytes", t[i], len,
                    len2);
        FUZZ_ASSERT(memcmp(whole, part, len < 3 ? len : 3) == 0, "token %d: prefixes differ", t[i]);
    }
}

static void encode_mode(const Vocab *v, int which, int add_bos, const VocabPart *parts, int np,
                        const unsigned char *text, size_t len) {
    int n;
    llama_error err;
    memset(&err, 0x55, sizeof err);
    int r = vocab_encode(v, parts, np, add_bos, ids, CAP, &n, &err);
    if (r) fuzz_check_message(err.msg, sizeof err.msg, 1, "vocab_encode error");
    FUZZ_ASSERT(r == 0, "encoding failed: %s", err.msg);
    for (int i = 0; i < n; i++)
        FUZZ_ASSERT(ids[i] >= 0 && ids[i] < v->n_tokens, "id %d out of range", ids[i]);
    check_pieces(v, ids, n);
    int any_special = 0;
    for (int i = 0; i < np; i++) any_special |= parts[i].special;
    if (any_special) return;

    /* the added BOS and EOS, where they are */
    int first = 0, last = n;
    if (n > 0 && (add_bos > 0 || (add_bos < 0 && v->add_bos))) first = 1;
    if (n > first && add_bos < 0 && v->add_eos) last = n - 1;
    FUZZ_ASSERT(control_count(v, ids + first, last - first) == 0, "user text became a control token");
    VocabPart whole = { (const char *)text, len, 0 };
    int n2;
    FUZZ_ASSERT(vocab_encode(v, &whole, 1, add_bos, ids2, CAP, &n2, &err) == 0, "%s", err.msg);
    FUZZ_ASSERT(n == n2 && memcmp(ids, ids2, sizeof *ids * (size_t)n) == 0,
                "%d parts encode otherwise than their text (%d ids, %d)", np, n, n2);

    size_t m = 0;
    for (int i = first; i < last; i++) m += vocab_piece(v, ids[i], spelled + m, sizeof spelled - m);
    FUZZ_ASSERT(m <= sizeof spelled, "pieces overflow");
    if (which == 1) {
        if (strict_utf8(text, len))
            FUZZ_ASSERT(m == len && memcmp(spelled, text, len) == 0, "Llama 3 pieces do not spell "
                        "the text (%zu bytes for %zu)", m, len);
    } else if (strict_utf8(text, len)) {
        size_t e = 0;
        if (len > 0) expect[e++] = ' ';
        for (size_t i = 0; i < len; i++) {
            if (len - i >= 3 && text[i] == 0xE2 && text[i + 1] == 0x96 && text[i + 2] == 0x81) {
                expect[e++] = ' ';
                i += 2;
            } else {
                expect[e++] = (char)text[i];
            }
        }
        FUZZ_ASSERT(m == e && memcmp(spelled, expect, e) == 0, "Llama 2 pieces do not spell the "
                    "text (%zu bytes for %zu)", m, e);
    }
}

static void chat_mode(Loaded *l, int format, int first, const VocabPart *parts, int np) {
    llama_vocab d = l->d;
    d.chat_template = NULL;
    d.chat_template_len = 0;
    ChatTemplate t;
    chat_template_init(&t, &d, l->v);
    t.format = format % 5;
    t.dated = t.format == CHAT_LLAMA3 && (format & 1);
    const char *sys = np > 1 && parts[0].special ? parts[0].text : NULL;
    size_t sys_len = sys ? parts[0].len : 0;
    const VocabPart *user = &parts[np > 1 ? 1 : 0];
    int counts[2];
    for (int k = 0; k < 2; k++) {
        VocabPart turn[CHAT_TEMPLATE_MAX_PARTS];
        int nt = chat_template_turn(&t, first, k ? (sys ? "" : NULL) : sys, k ? 0 : sys_len,
                                    k ? "" : user->text, k ? 0 : user->len, turn,
                                    CHAT_TEMPLATE_MAX_PARTS);
        FUZZ_ASSERT(nt >= 1 && nt <= CHAT_TEMPLATE_MAX_PARTS, "%d parts", nt);
        size_t bytes = 0;
        for (int i = 0; i < nt; i++) bytes += turn[i].len;
        FUZZ_ASSERT(bytes <= (k ? 0 : sys_len + user->len) + chat_template_overhead(&t),
                    "a turn of %zu bytes is beyond the overhead", bytes);
        int n;
        llama_error err;
        FUZZ_ASSERT(vocab_encode(l->v, turn, nt, first ? -1 : 0, ids, CAP, &n, &err) == 0, "%s",
                    err.msg);
        check_pieces(l->v, ids, n);
        counts[k] = control_count(l->v, ids, n);
    }
    FUZZ_ASSERT(counts[0] == counts[1], "format %d: %d control tokens with the user's text, %d "
                "without", t.format, counts[0], counts[1]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 2) return 0;
    unsigned flags = data[0];
    int np = data[1] % 8 + 1;
    data += 2;
    size -= 2;
    if (size < (size_t)np - 1) return 0;
    const unsigned char *lens = data;
    const unsigned char *text = data + np - 1;
    size_t len = size - (size_t)(np - 1);
    if (len > MAX_TEXT / 2) len = MAX_TEXT / 2;      /* room for the chat template around it */
    unsigned char *copy = fuzz_dup(text, len);        /* exactly len bytes, for ASan */
    VocabPart parts[8];
    size_t at = 0;
    for (int i = 0; i < np; i++) {
        size_t want = i < np - 1 ? (size_t)(lens[i] & 0x7F) : len - at;
        if (want > len - at) want = len - at;
        parts[i] = (VocabPart){ (const char *)copy + at, want, i < np - 1 ? lens[i] >> 7 : 0 };
        at += want;
    }
    int which = flags & 1;
    static const int bos_modes[4] = { -1, 0, 1, -1 };
    if (flags & 8) chat_mode(&vocabs[which], (flags >> 4) & 7, (flags >> 7) & 1, parts, np);
    else encode_mode(vocabs[which].v, which, bos_modes[(flags >> 1) & 3], parts, np, copy, len);
    free(copy);
    return 0;
}
