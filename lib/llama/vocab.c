/* GGUF vocabularies (see vocab.h): the checks, the token table, the
 * attributes and defaults llama.cpp derives at load time, the split of a
 * text at its special tokens, and pieces. The two tokenizers that encode
 * the text between special tokens are vocab_spm.c and vocab_bpe.c.
 *
 * What llama.cpp derives (llama_vocab::impl::load):
 *   - defaults by kind: SentencePiece BOS 1, EOS 2, UNK 0, add_bos,
 *     add_space_prefix; BPE BOS = EOS = 11 (sic), no add_bos except where
 *     the pre-tokenizer says so (Llama 3); the file's keys override them, an
 *     id of -1 (u32 0xffffffff) or out of range keeps the default;
 *   - token types become attributes; tokens whose text names an end of turn
 *     (<|eot_id|>, <|im_end|>, <|endoftext|>, ...) or a FIM token become
 *     control tokens, and the end-of-generation set is those texts, the FIM
 *     pad/repo/separator tokens, EOS, EOT and EOM;
 *   - special tokens (control, user-defined, unknown) are matched longest
 *     first, each over every text fragment the longer ones left
 *     (tokenizer_st_partition); control and unknown ones only where special
 *     tokens are parsed. */
#include <stdint.h>
#include "lib/llama/vocab.h"
#include "lib/llama/vocab_impl.h"
#include "lib/llama/errors.h"
#include "lib/llama/gguf.h"
#include "lib/llama/pretokenize.h"
#include "lib/llama/unicode.h"
#include "lib/libc.h"

/* llama.cpp's token types (tokenizer.ggml.token_type). */
enum { TYPE_NORMAL = 1, TYPE_UNKNOWN, TYPE_CONTROL, TYPE_USER_DEFINED, TYPE_UNUSED, TYPE_BYTE };

uint32_t vocab_table_size(uint32_t n) {
    uint32_t size = 16;
    while (size < 2 * n) size *= 2;
    return size;
}

unsigned vocab_id_bits(uint32_t n) {
    unsigned bits = 1;
    while (bits < 32 && (1u << bits) <= n) bits++;
    return bits;
}

int vocab_push(VocabOut *o, int id, llama_error *err) {
    if (o->n >= o->cap)
        return llama_fail(err, "the prompt is more than %d tokens, more than there is room for: "
                          "shorten it, or allow more steps (-n)", o->cap);
    o->ids[o->n++] = id;
    return 0;
}

/* ---------------------------------------------------------------- settings */

typedef struct {
    int pre, ignore_merges;
    int add_bos, add_eos, add_space_prefix;
    int bos, eos, unk;
} Settings;

/* A default id, or -1 when the vocabulary is too small for it. */
static int default_id(int id, int n_tokens) { return id < n_tokens ? id : -1; }

/* The settings llama.cpp derives from the kind, the pre-tokenizer and the
 * file's keys; -1 with err for a vocabulary it would refuse. */
static int settings(const llama_vocab *d, Settings *s, llama_error *err) {
    memset(s, 0, sizeof *s);
    int n = d->n_tokens;
    if (d->kind == LLAMA_VOCAB_SPM) {
        s->pre = PRETOK_DEFAULT;
        s->add_bos = 1;
        s->add_space_prefix = 1;
        s->bos = default_id(1, n);
        s->eos = default_id(2, n);
        s->unk = default_id(0, n);
    } else if (d->kind == LLAMA_VOCAB_BPE) {
        int add_bos;
        if (pretok_lookup(d->pre, &s->pre, &s->ignore_merges, &add_bos))
            return llama_fail(err, "GGUF pre-tokenizer '%s' (tokenizer.ggml.pre) is not supported: "
                              "this engine has %s", d->pre, pretok_known_names);
        s->add_bos = add_bos;
        s->bos = s->eos = default_id(11, n);
        s->unk = -1;
    } else {
        return llama_fail(err, "the vocabulary is not a GGUF one (SentencePiece or BPE)");
    }
    if (d->bos >= 0 && d->bos < n) s->bos = d->bos;
    if (d->eos >= 0 && d->eos < n) s->eos = d->eos;
    if (d->unk >= 0 && d->unk < n) s->unk = d->unk;
    if (d->add_bos >= 0) s->add_bos = d->add_bos;
    if (d->add_eos >= 0) s->add_eos = d->add_eos;
    if (d->add_space_prefix >= 0) s->add_space_prefix = d->add_space_prefix;
    if (s->add_bos && s->bos < 0)
        return llama_fail(err, "GGUF vocabulary asks for a BOS token (tokenizer.ggml.add_bos_token) "
                          "but has none (tokenizer.ggml.bos_token_id): the file is inconsistent");
    if (s->add_eos && s->eos < 0)
        return llama_fail(err, "GGUF vocabulary asks for an EOS token (tokenizer.ggml.add_eos_token) "
                          "but has none (tokenizer.ggml.eos_token_id): the file is inconsistent");
    return 0;
}

/* Walks n strings from p: their total span in bytes, or -1 when one is
 * longer than the tables can hold. */
static int64_t strings_span(const unsigned char *p, uint64_t n) {
    const unsigned char *q = p;
    for (uint64_t i = 0; i < n; i++) {
        gguf_str s = gguf_next_str(&q);
        if (s.len >= 0x7fffffffu || (uint64_t)(q - p) >= 0xffffffffu) return -1;
    }
    return q - p;
}

int vocab_check(const llama_vocab *d, llama_error *err) {
    Settings s;
    if (settings(d, &s, err)) return -1;
    if (d->n_tokens < 1 || !d->tokens)
        return llama_fail(err, "GGUF vocabulary has no tokens: the file is incomplete");
    if (strings_span(d->tokens, (uint64_t)d->n_tokens) < 0)
        return llama_fail(err, "GGUF vocabulary's tokens take 4 GiB or more: not supported");
    const int ids[] = { d->bos, d->eos, d->eot, d->eom, d->unk, d->pad, d->sep };
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++)
        if (ids[i] >= d->n_tokens || ids[i] < LLAMA_TOKEN_ABSENT)
            return llama_fail(err, "GGUF vocabulary has a special token id %d outside its %d "
                              "tokens: the file is corrupt", ids[i], d->n_tokens);
    if (d->kind == LLAMA_VOCAB_BPE) {
        if (!d->merges)
            return llama_fail(err, "GGUF vocabulary is byte-level BPE but has no merges "
                              "(tokenizer.ggml.merges): the file is incomplete");
        if (d->n_merges >= 0x40000000u || strings_span(d->merges, d->n_merges) < 0)
            return llama_fail(err, "GGUF vocabulary has %llu merges or merges of 4 GiB: not "
                              "supported", (unsigned long long)d->n_merges);
    }
    return 0;
}

/* ---------------------------------------------------------------- token table */

static uint32_t string_hash(const void *s, size_t len) {
    return vocab_hash_final(vocab_hash(s, len, VOCAB_HASH_SEED));
}

/* The token spelled s[0..len): its id, or -1 and in *free the slot where it
 * would go. */
static int find_token(const Vocab *v, const void *s, size_t len, uint32_t *free) {
    uint32_t h = string_hash(s, len);
    for (uint32_t i = h;; i++) {
        uint32_t slot = v->token_slots[i & v->token_mask];
        if (slot == 0) {
            *free = i & v->token_mask;
            return -1;
        }
        int64_t id = vocab_slot_entry(slot, h, v->token_id_bits);
        if (id >= 0 && v->token[id].len == len && memcmp(vocab_token_bytes(v, (int)id), s, len) == 0)
            return (int)id;
    }
}

int vocab_lookup(const Vocab *v, const char *s, size_t len) {
    uint32_t free;
    return len == 0 ? -1 : find_token(v, s, len, &free);
}

const char *vocab_text(const Vocab *v, int token, size_t *len) {
    if (token < 0 || token >= v->n_tokens) {
        *len = 0;
        return "";
    }
    *len = v->token[token].len;
    return (const char *)vocab_token_bytes(v, token);
}

/* Adds token id to the table, unless its string is empty (never matched:
 * see vocab.h) or already there (a duplicate keeps the lower id). */
static void insert_token(Vocab *v, int id) {
    size_t len = v->token[id].len;
    const unsigned char *s = vocab_token_bytes(v, id);
    uint32_t free;
    if (len == 0 || find_token(v, s, len, &free) >= 0) return;
    v->token_slots[free] = vocab_slot(string_hash(s, len), (uint32_t)id, v->token_id_bits);
}

static unsigned char attr_of_type(int32_t type) {
    switch (type) {
    case TYPE_NORMAL: return VOCAB_NORMAL;
    case TYPE_UNKNOWN: return VOCAB_UNKNOWN;
    case TYPE_CONTROL: return VOCAB_CONTROL;
    case TYPE_USER_DEFINED: return VOCAB_USER_DEFINED;
    case TYPE_UNUSED: return VOCAB_UNUSED;
    case TYPE_BYTE: return VOCAB_BYTE;
    default: return 0;                            /* undefined: prints nothing */
    }
}

/* Texts llama.cpp treats as ending generation, and so as control tokens. */
static const char *const eog_texts[] = {
    "<|eot_id|>", "<|im_end|>", "<|end|>", "<|return|>", "<|call|>", "<|flush|>", "<|calls|>",
    "<end_of_turn>", "<|endoftext|>", "</s>", "<|eom_id|>", "<EOT>", "_<EOT>", "[EOT]", "[EOS]",
    "<|end_of_text|>", "<end_of_utterance>", "<eos>", "<turn|>", "<|tool_response>",
    "<\xef\xbd\x9c" "end\xe2\x96\x81" "of\xe2\x96\x81" "sentence\xef\xbd\x9c>", "[e~[",
};

/* FIM tokens, found by text: the first of each group that the vocabulary
 * has becomes a control token; pad, repo and file separator also end
 * generation. */
static const char *const fim_pre[] = { "<|fim_prefix|>", "<fim-prefix>", "<fim_prefix>",
    "<\xef\xbd\x9c" "fim\xe2\x96\x81" "begin\xef\xbd\x9c>", "<PRE>", "\xe2\x96\x81<PRE>",
    "<|code_prefix|>", "<|prefix|>", NULL };
static const char *const fim_suf[] = { "<|fim_suffix|>", "<fim-suffix>", "<fim_suffix>",
    "<\xef\xbd\x9c" "fim\xe2\x96\x81" "hole\xef\xbd\x9c>", "<SUF>", "\xe2\x96\x81<SUF>",
    "<|code_suffix|>", "<|suffix|>", NULL };
static const char *const fim_mid[] = { "<|fim_middle|>", "<fim-middle>", "<fim_middle>",
    "<\xef\xbd\x9c" "fim\xe2\x96\x81" "end\xef\xbd\x9c>", "<MID>", "\xe2\x96\x81<MID>",
    "<|code_middle|>", "<|middle|>", NULL };
static const char *const fim_pad[] = { "<|fim_pad|>", "<fim-pad>", "<fim_pad>", "<PAD>", "[PAD]",
    NULL };
static const char *const fim_rep[] = { "<|fim_repo|>", "<|repo_name|>", "<fim-repo>", "<REPO>",
    "<reponame>", NULL };
static const char *const fim_sep[] = { "<|file_sep|>", NULL };

static int lookup_str(const Vocab *v, const char *s) { return vocab_lookup(v, s, strlen(s)); }

static void mark_fim(Vocab *v, const char *const *texts, unsigned char extra) {
    for (; *texts; texts++) {
        int id = lookup_str(v, *texts);
        if (id >= 0) {
            v->attr[id] |= VOCAB_CONTROL | extra;
            return;
        }
    }
}

/* Specials sort longest first, then by id. */
static int special_before(const Vocab *v, int a, int b) {
    return v->token[a].len > v->token[b].len || (v->token[a].len == v->token[b].len && a < b);
}

static void sift(const Vocab *v, int *x, int i, int n) {
    for (;;) {
        int c = 2 * i + 1;
        if (c >= n) return;
        if (c + 1 < n && special_before(v, x[c], x[c + 1])) c++;   /* the later one */
        if (!special_before(v, x[i], x[c])) return;
        int t = x[i];
        x[i] = x[c];
        x[c] = t;
        i = c;
    }
}

/* A heap sort: in place, and the order is total, so no stability is needed. */
static void sort_specials(const Vocab *v, int *x, int n) {
    for (int i = n / 2 - 1; i >= 0; i--) sift(v, x, i, n);
    for (int end = n - 1; end > 0; end--) {
        int t = x[0];
        x[0] = x[end];
        x[end] = t;
        sift(v, x, 0, end);
    }
}

static void build_tokens(Vocab *v, const llama_vocab *d) {
    const unsigned char *p = d->tokens;
    for (int i = 0; i < v->n_tokens; i++) {
        gguf_str s = gguf_next_str(&p);
        v->token[i].offset = (uint32_t)((const unsigned char *)s.s - d->tokens);
        v->token[i].len = (uint32_t)s.len;
        v->attr[i] = d->types ? attr_of_type((int32_t)gguf_u32(d->types + 4 * (size_t)i))
                              : VOCAB_NORMAL;
    }
    memset(v->token_slots, 0, ((size_t)v->token_mask + 1) * sizeof *v->token_slots);
    for (int i = 0; i < v->n_tokens; i++) insert_token(v, i);

    for (size_t i = 0; i < sizeof eog_texts / sizeof eog_texts[0]; i++) {
        int id = lookup_str(v, eog_texts[i]);
        if (id >= 0) v->attr[id] |= VOCAB_CONTROL | VOCAB_EOG;
    }
    mark_fim(v, fim_pre, 0);
    mark_fim(v, fim_suf, 0);
    mark_fim(v, fim_mid, 0);
    mark_fim(v, fim_pad, VOCAB_EOG);
    mark_fim(v, fim_rep, VOCAB_EOG);
    mark_fim(v, fim_sep, VOCAB_EOG);
    const int ends[] = { v->eos, d->eot, d->eom };
    for (size_t i = 0; i < sizeof ends / sizeof ends[0]; i++)
        if (ends[i] >= 0 && ends[i] < v->n_tokens) v->attr[ends[i]] |= VOCAB_EOG;

    v->n_specials = 0;
    for (int i = 0; i < v->n_tokens; i++)
        if ((v->attr[i] & (VOCAB_CONTROL | VOCAB_USER_DEFINED | VOCAB_UNKNOWN)) && v->token[i].len)
            v->specials[v->n_specials++] = i;
    sort_specials(v, v->specials, v->n_specials);
}

void vocab_init(Vocab *v, const llama_vocab *d, size_t max_text, Arena *a) {
    Settings s;
    llama_error ignored;
    memset(v, 0, sizeof *v);
    if (settings(d, &s, &ignored)) {
        a->overflow = 1;                          /* vocab_check refuses it */
        return;
    }
    v->kind = d->kind;
    v->pre = s.pre;
    v->n_tokens = d->n_tokens;
    v->tokens = d->tokens;
    v->scores = d->scores;
    v->bos = s.bos;
    v->eos = s.eos;
    v->unk = s.unk;
    v->add_bos = s.add_bos;
    v->add_eos = s.add_eos;
    v->add_space_prefix = s.add_space_prefix;
    v->ignore_merges = s.ignore_merges;
    v->max_text = max_text;

    if (max_text > 0x7fffffffu) {                 /* fragments count bytes in 32 bits */
        a->overflow = 1;
        return;
    }
    size_t n = (size_t)d->n_tokens;
    uint32_t slots = vocab_table_size((uint32_t)n);
    v->token = arena_alloc(a, n, sizeof *v->token);
    v->attr = arena_alloc(a, n, 1);
    v->token_slots = arena_alloc(a, slots, sizeof *v->token_slots);
    v->token_mask = slots - 1;
    v->token_id_bits = vocab_id_bits((uint32_t)n);
    v->specials = arena_alloc(a, n, sizeof *v->specials);
    size_t frags = max_text + 1;
    v->text = arena_alloc(a, max_text + 1, 1);
    v->fragments[0] = arena_alloc(a, frags, sizeof(VocabFragment));
    v->fragments[1] = arena_alloc(a, frags, sizeof(VocabFragment));
    int ready = a->base != NULL && !a->overflow;
    if (ready) build_tokens(v, d);
    if (d->kind == LLAMA_VOCAB_SPM) vocab_spm_init(v, d, a);
    else vocab_bpe_init(v, d, a);
}

/* ---------------------------------------------------------------- special tokens */

/* Cuts the text fragments of in[0..n) at every occurrence of special token
 * id (where it may be matched) into out; returns the new count. */
static int split_at(const Vocab *v, int id, int need_special, const VocabFragment *in, int n,
                    VocabFragment *out) {
    const char *t = (const char *)vocab_token_bytes(v, id);
    uint32_t tl = v->token[id].len;
    int m = 0;
    for (int f = 0; f < n; f++) {
        VocabFragment x = in[f];
        if (x.token >= 0 || (need_special && !x.special) || x.len < tl) {
            out[m++] = x;
            continue;
        }
        uint32_t start = x.start, end = x.start + x.len, i = start;
        while (end - i >= tl) {
            if (v->text[i] != t[0] || memcmp(v->text + i, t, tl) != 0) {
                i++;
                continue;
            }
            if (i > start) out[m++] = (VocabFragment){ start, i - start, -1, x.special };
            out[m++] = (VocabFragment){ i, tl, id, 0 };
            i += tl;
            start = i;
        }
        if (end > start) out[m++] = (VocabFragment){ start, end - start, -1, x.special };
    }
    return m;
}

int vocab_encode(const Vocab *v, const VocabPart *parts, int n_parts, int add_bos, int *out,
                 int cap, int *n_out, llama_error *err) {
    *n_out = 0;
    size_t total = 0;
    for (int i = 0; i < n_parts; i++) {
        if (parts[i].len > v->max_text - total)
            return llama_fail(err, "the prompt is longer than the %llu bytes there is room for: "
                              "shorten it", (unsigned long long)v->max_text);
        total += parts[i].len;
    }
    /* the text, and one fragment per part, split at the special tokens */
    VocabFragment *frag = v->fragments[0], *next = v->fragments[1];
    int nf = 0, any_special = 0;
    total = 0;
    for (int i = 0; i < n_parts; i++) {
        if (parts[i].len == 0) continue;
        memcpy(v->text + total, parts[i].text, parts[i].len);
        frag[nf++] = (VocabFragment){ (uint32_t)total, (uint32_t)parts[i].len, -1,
                                      parts[i].special != 0 };
        any_special |= parts[i].special != 0;
        total += parts[i].len;
    }
    for (int s = 0; s < v->n_specials; s++) {
        int id = v->specials[s];
        int need_special = (v->attr[id] & (VOCAB_CONTROL | VOCAB_UNKNOWN)) != 0;
        if (need_special && !any_special) continue;
        int m = split_at(v, id, need_special, frag, nf, next);
        VocabFragment *t = frag;
        frag = next;
        next = t;
        nf = m;
    }

    VocabOut o = { out, cap, 0 };
    if (add_bos > 0 || (add_bos < 0 && v->add_bos)) {
        if (v->bos < 0) return llama_fail(err, "the vocabulary has no BOS token to begin with");
        if (vocab_push(&o, v->bos, err)) return -1;
    }
    int prev_special = 1;               /* SentencePiece: a space before the first text too */
    for (int f = 0; f < nf;) {
        if (frag[f].token >= 0) {
            if (vocab_push(&o, frag[f].token, err)) return -1;
            prev_special = 1;
            f++;
            continue;
        }
        /* text fragments that touch are one text */
        uint32_t start = frag[f].start, end = start + frag[f].len;
        for (f++; f < nf && frag[f].token < 0; f++) end = frag[f].start + frag[f].len;
        int r = v->kind == LLAMA_VOCAB_SPM
                    ? vocab_spm_fragment(v, v->text + start, end - start,
                                         v->add_space_prefix && prev_special, &o, err)
                    : vocab_bpe_fragment(v, v->text + start, end - start, &o, err);
        if (r) return -1;
        prev_special = 0;
    }
    if (add_bos < 0 && v->add_eos && vocab_push(&o, v->eos, err)) return -1;
    *n_out = o.n;
    return 0;
}

/* ---------------------------------------------------------------- pieces */

/* strtol(s, NULL, 16) over the two characters after "<0x" (what llama.cpp
 * reads from a byte token), as a byte. */
static unsigned char byte_of_token(const unsigned char *t, size_t len) {
    size_t i = 3, end = len < 5 ? len : 5;
    while (i < end && (t[i] == ' ' || (t[i] >= '\t' && t[i] <= '\r'))) i++;
    int neg = 0;
    if (i < end && (t[i] == '+' || t[i] == '-')) neg = t[i++] == '-';
    long value = 0;
    for (; i < end; i++) {
        int h = t[i] >= '0' && t[i] <= '9'   ? t[i] - '0'
                : t[i] >= 'a' && t[i] <= 'f' ? t[i] - 'a' + 10
                : t[i] >= 'A' && t[i] <= 'F' ? t[i] - 'A' + 10
                                             : -1;
        if (h < 0) break;
        value = value * 16 + h;
    }
    return (unsigned char)(neg ? -value : value);
}

/* Appends bytes to the piece: counts all, stores what fits. */
typedef struct {
    char *buf;
    size_t cap, len;
} Piece;

static void put(Piece *p, const void *s, size_t n) {
    for (size_t i = 0; i < n; i++, p->len++)
        if (p->len < p->cap) p->buf[p->len] = ((const char *)s)[i];
}

/* llama.cpp's llama_decode_text: each code point of a BPE token back to its
 * byte; one outside the alphabet becomes "[UNK_BYTE_0x<its UTF-8 in hex><the
 * whole token>]". */
static void decode_bpe(Piece *p, const unsigned char *t, size_t len) {
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < len;) {
        size_t used;
        uint32_t cpt = unicode_decode(t + i, len - i, &used);
        i += used;
        int byte = unicode_cpt_to_byte(cpt);
        if (byte >= 0) {
            unsigned char b = (unsigned char)byte;
            put(p, &b, 1);
            continue;
        }
        unsigned char u[4];
        size_t n = unicode_encode(cpt, u);
        put(p, "[UNK_BYTE_0x", 12);
        for (size_t k = 0; k < n; k++) {
            put(p, &hex[u[k] >> 4], 1);
            put(p, &hex[u[k] & 15], 1);
        }
        put(p, t, len);
        put(p, "]", 1);
    }
}

size_t vocab_piece(const Vocab *v, int token, char *buf, size_t cap) {
    if (token < 0 || token >= v->n_tokens) return 0;
    unsigned a = v->attr[token];
    if (a & (VOCAB_CONTROL | VOCAB_UNKNOWN)) return 0;
    const unsigned char *t = vocab_token_bytes(v, token);
    size_t len = v->token[token].len;
    Piece p = { buf, cap, 0 };
    if (a & VOCAB_USER_DEFINED) {
        put(&p, t, len);
    } else if (a & VOCAB_NORMAL) {
        if (v->kind == LLAMA_VOCAB_BPE) {
            decode_bpe(&p, t, len);
        } else {
            for (size_t i = 0; i < len; i++) {       /* U+2581 is a space */
                if (len - i >= 3 && t[i] == 0xE2 && t[i + 1] == 0x96 && t[i + 2] == 0x81) {
                    put(&p, " ", 1);
                    i += 2;
                } else {
                    put(&p, &t[i], 1);
                }
            }
        }
    } else if (a & VOCAB_BYTE) {
        unsigned char b = byte_of_token(t, len);
        put(&p, &b, 1);
    }
    return p.len;
}

int vocab_is_eog(const Vocab *v, int token) {
    return token >= 0 && token < v->n_tokens && (v->attr[token] & VOCAB_EOG);
}

int vocab_bos(const Vocab *v) { return v->bos; }
int vocab_eos(const Vocab *v) { return v->eos; }
