/* The BPE pre-tokenizers (see pretokenize.h).
 *
 * llama.cpp applies a list of regular expressions one after the other:
 * each cuts every word the previous one left into smaller words, matches
 * and the text between matches alike. GPT-2's and Llama 3's expressions
 * have hand-written splitters in llama.cpp (unicode_regex_split_custom_*);
 * the others run through std::regex over a copy of the text where every
 * code point beyond ASCII is one byte standing for its class (white space,
 * number, letter, punctuation, mark, symbol, or other), so a class like
 * \p{N} means "an ASCII digit, or a number beyond ASCII". The splitters
 * below follow the custom code step by step, and the collapsed classes
 * exactly: \p{P} in ASCII is the set llama.cpp lists, which leaves out '`'.
 *
 * A word is a range of code points; a step reads the words in `in` and
 * writes the finer ones to `out`. Positions outside the current word read
 * as "out of range": flags 0, code point OUT. */
#include "lib/llama/pretokenize.h"
#include "lib/llama/unicode.h"
#include "lib/libc.h"

#define OUT 0xFFFFFFFFu

typedef struct {
    const uint32_t *cpts;
    const uint8_t *flags;
    size_t ini, end;         /* the word being cut */
    size_t prev;             /* where the next word starts */
    uint32_t *out;
    size_t n_out;
} Cut;

static uint32_t cpt_at(const Cut *c, size_t pos) {
    return pos >= c->ini && pos < c->end ? c->cpts[pos] : OUT;
}

static unsigned flags_at(const Cut *c, size_t pos) {
    return pos >= c->ini && pos < c->end ? c->flags[pos] : 0;
}

/* Ends a word at `end` (nothing when it would be empty); returns its length. */
static size_t add(Cut *c, size_t end) {
    size_t len = end - c->prev;
    if (len > 0) c->out[c->n_out++] = (uint32_t)len;
    c->prev = end;
    return len;
}

static uint32_t ascii_lower(uint32_t cpt) {
    return cpt >= 'A' && cpt <= 'Z' ? cpt + 32 : cpt;
}

/* 's 't 're 've 'm 'll 'd at pos (lower case only, or any case): their
 * length, or 0. */
static size_t contraction(const Cut *c, size_t pos, int any_case) {
    if (cpt_at(c, pos) != '\'' || pos + 1 >= c->end) return 0;
    uint32_t a = cpt_at(c, pos + 1);
    if (any_case) a = ascii_lower(a);
    if (a == 's' || a == 't' || a == 'm' || a == 'd') return 2;
    if (pos + 2 >= c->end) return 0;
    uint32_t b = cpt_at(c, pos + 2);
    if (any_case) b = ascii_lower(b);
    if ((a == 'r' && b == 'e') || (a == 'v' && b == 'e') || (a == 'l' && b == 'l')) return 3;
    return 0;
}

#define WORDY (UNICODE_WHITESPACE | UNICODE_LETTER | UNICODE_NUMBER)

/* GPT-2: 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+ */
static void cut_gpt2(Cut *c) {
    size_t pos = c->ini;
    while (pos < c->end) {
        uint32_t cpt = cpt_at(c, pos);
        unsigned f = flags_at(c, pos);
        size_t k = contraction(c, pos, 0);
        if (k) {
            pos += add(c, pos + k);
            continue;
        }
        unsigned f2 = cpt == ' ' ? flags_at(c, pos + 1) : f;
        if (f2 & UNICODE_LETTER) {                        /* ' ?\p{L}+' */
            pos += cpt == ' ';
            while (flags_at(c, pos) & UNICODE_LETTER) pos++;
            add(c, pos);
            continue;
        }
        if (f2 & UNICODE_NUMBER) {                        /* ' ?\p{N}+' */
            pos += cpt == ' ';
            while (flags_at(c, pos) & UNICODE_NUMBER) pos++;
            add(c, pos);
            continue;
        }
        if (!(f2 & WORDY) && f2) {                        /* ' ?[^\s\p{L}\p{N}]+' */
            pos += cpt == ' ';
            while (!(flags_at(c, pos) & WORDY) && flags_at(c, pos)) pos++;
            add(c, pos);
            continue;
        }
        size_t ws = 0;
        while (flags_at(c, pos + ws) & UNICODE_WHITESPACE) ws++;
        if (ws > 1 && cpt_at(c, pos + ws) != OUT) {       /* '\s+(?!\S)' */
            pos += ws - 1;
            add(c, pos);
            continue;
        }
        if (ws > 0) {                                     /* '\s+' */
            pos += ws;
            add(c, pos);
            continue;
        }
        add(c, ++pos);                                    /* no match: one code point */
    }
}

/* Llama 3: (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}|
 *          ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+ */
static void cut_llama3(Cut *c) {
    size_t pos = c->ini;
    while (pos < c->end) {
        uint32_t cpt = cpt_at(c, pos);
        unsigned f = flags_at(c, pos);
        size_t k = contraction(c, pos, 1);
        if (k) {
            pos += add(c, pos + k);
            continue;
        }
        /* '[^\r\n\p{L}\p{N}]?\p{L}+' */
        if (!(cpt == '\r' || cpt == '\n' || (f & UNICODE_NUMBER)) &&
            ((f & UNICODE_LETTER) || (flags_at(c, pos + 1) & UNICODE_LETTER))) {
            pos++;
            while (flags_at(c, pos) & UNICODE_LETTER) pos++;
            add(c, pos);
            continue;
        }
        if (f & UNICODE_NUMBER) {                         /* '\p{N}{1,3}' */
            size_t ini = pos;
            while (flags_at(c, pos) & UNICODE_NUMBER) {
                if (++pos - ini >= 3) {
                    add(c, pos);
                    ini = pos;
                }
            }
            add(c, pos);
            continue;
        }
        /* ' ?[^\s\p{L}\p{N}]+[\r\n]*': llama.cpp tests the first code
         * point's own flags for being in range, then the next one's class */
        unsigned f2 = cpt == ' ' ? flags_at(c, pos + 1) : f;
        if (!(f2 & WORDY) && f) {
            pos += cpt == ' ';
            while (!(f2 & WORDY) && f2) f2 = flags_at(c, ++pos);
            while (cpt_at(c, pos) == '\r' || cpt_at(c, pos) == '\n') pos++;
            add(c, pos);
            continue;
        }
        size_t ws = 0, last_newline_end = 0;
        while (flags_at(c, pos + ws) & UNICODE_WHITESPACE) {
            uint32_t w = cpt_at(c, pos + ws);
            if (w == '\r' || w == '\n') last_newline_end = pos + ws + 1;
            ws++;
        }
        if (last_newline_end > 0) {                       /* '\s*[\r\n]+' */
            pos = last_newline_end;
            add(c, pos);
            continue;
        }
        if (ws > 1 && cpt_at(c, pos + ws) != OUT) {       /* '\s+(?!\S)' */
            pos += ws - 1;
            add(c, pos);
            continue;
        }
        if (ws > 0) {                                     /* '\s+' */
            pos += ws;
            add(c, pos);
            continue;
        }
        add(c, ++pos);
    }
}

/* The collapsed classes of llama.cpp's std::regex path. */
static int in_punct_class(uint32_t cpt, unsigned f) {    /* [\p{P}\$\+<=>\^~\|] */
    if (cpt < 0x80)
        return (cpt >= 0x21 && cpt <= 0x2F) || (cpt >= 0x3A && cpt <= 0x40) ||
               (cpt >= 0x5B && cpt <= 0x5F) || (cpt >= 0x7B && cpt <= 0x7E);
    return !(f & UNICODE_WHITESPACE) && (f & UNICODE_PUNCTUATION);
}

static int in_number_class(uint32_t cpt, unsigned f) {   /* \p{N} */
    if (cpt < 0x80) return cpt >= '0' && cpt <= '9';
    return !(f & UNICODE_WHITESPACE) && (f & UNICODE_NUMBER);
}

static int ascii_digit(uint32_t cpt) { return cpt >= '0' && cpt <= '9'; }

/* 'C+': every maximal run of the class is a word, and so is the text between. */
static void cut_runs(Cut *c, int (*in_class)(uint32_t, unsigned)) {
    size_t pos = c->ini;
    while (pos < c->end) {
        if (!in_class(c->cpts[pos], c->flags[pos])) {
            pos++;
            continue;
        }
        add(c, pos);
        while (pos < c->end && in_class(c->cpts[pos], c->flags[pos])) pos++;
        add(c, pos);
    }
    add(c, c->end);
}

static void cut_punct_runs(Cut *c) { cut_runs(c, in_punct_class); }
static void cut_number_runs(Cut *c) { cut_runs(c, in_number_class); }

/* '\p{N}': every number alone. */
static void cut_numbers(Cut *c) {
    for (size_t pos = c->ini; pos < c->end; pos++)
        if (in_number_class(c->cpts[pos], c->flags[pos])) {
            add(c, pos);
            add(c, pos + 1);
        }
    add(c, c->end);
}

/* '[0-9][0-9][0-9]': leftmost, without overlap. */
static void cut_digit_triples(Cut *c) {
    size_t pos = c->ini;
    while (pos + 3 <= c->end) {
        if (ascii_digit(c->cpts[pos]) && ascii_digit(c->cpts[pos + 1]) &&
            ascii_digit(c->cpts[pos + 2])) {
            add(c, pos);
            add(c, pos + 3);
            pos += 3;
        } else {
            pos++;
        }
    }
    add(c, c->end);
}

typedef void (*cut_fn)(Cut *c);

/* One step: every word of in[0..n_in) cut by fn into out; returns the count. */
static size_t step(cut_fn fn, const uint32_t *cpts, const uint8_t *flags, const uint32_t *in,
                   size_t n_in, uint32_t *out) {
    Cut c = { cpts, flags, 0, 0, 0, out, 0 };
    size_t start = 0;
    for (size_t w = 0; w < n_in; w++) {
        c.ini = c.prev = start;
        c.end = start + in[w];
        fn(&c);
        start = c.end;
    }
    return c.n_out;
}

size_t pretok_split(int pre, const uint32_t *cpts, const uint8_t *flags, size_t n,
                    uint32_t *words, uint32_t *scratch) {
    static const cut_fn steps_default[] = { cut_punct_runs, cut_gpt2, cut_number_runs,
                                            cut_digit_triples, NULL };
    static const cut_fn steps_gpt2[] = { cut_gpt2, NULL };
    static const cut_fn steps_llama3[] = { cut_llama3, NULL };
    static const cut_fn steps_smollm[] = { cut_numbers, cut_gpt2, NULL };
    const cut_fn *steps = pre == PRETOK_GPT2     ? steps_gpt2
                          : pre == PRETOK_LLAMA3 ? steps_llama3
                          : pre == PRETOK_SMOLLM ? steps_smollm
                                                 : steps_default;
    if (n == 0) return 0;
    /* the whole text is the first word; steps alternate between the arrays
     * so that the last one writes into words */
    int n_steps = 0;
    while (steps[n_steps]) n_steps++;
    uint32_t *bufs[2] = { words, scratch };
    int cur = n_steps % 2;            /* the array that holds the input of step 0 */
    bufs[cur][0] = (uint32_t)n;
    size_t count = 1;
    for (int i = 0; i < n_steps; i++) {
        count = step(steps[i], cpts, flags, bufs[cur], count, bufs[!cur]);
        cur = !cur;
    }
    return count;
}

/* ---------------------------------------------------------------- names */

typedef struct {
    const char *name;
    unsigned char pre, ignore_merges, add_bos;
} PretokName;

/* llama.cpp's names for these four pre-tokenizers (src/llama-vocab.cpp,
 * llama_vocab::impl::load). */
static const PretokName names[] = {
    { "default", PRETOK_DEFAULT, 0, 0 },
    { "llama3", PRETOK_LLAMA3, 1, 1 },      { "llama-v3", PRETOK_LLAMA3, 1, 1 },
    { "llama-bpe", PRETOK_LLAMA3, 1, 1 },   { "falcon3", PRETOK_LLAMA3, 1, 1 },
    { "falcon-h1", PRETOK_LLAMA3, 1, 1 },   { "pixtral", PRETOK_LLAMA3, 1, 1 },
    { "midm-2.0", PRETOK_LLAMA3, 1, 1 },    { "lfm2", PRETOK_LLAMA3, 1, 1 },
    { "gpt-2", PRETOK_GPT2, 0, 0 },         { "phi-2", PRETOK_GPT2, 0, 0 },
    { "jina-es", PRETOK_GPT2, 0, 0 },       { "jina-de", PRETOK_GPT2, 0, 0 },
    { "gigachat", PRETOK_GPT2, 0, 0 },      { "jina-v2-es", PRETOK_GPT2, 0, 0 },
    { "jina-v2-de", PRETOK_GPT2, 0, 0 },    { "mpt", PRETOK_GPT2, 0, 0 },
    { "olmo", PRETOK_GPT2, 0, 0 },          { "jais", PRETOK_GPT2, 0, 0 },
    { "exaone4", PRETOK_GPT2, 0, 0 },
    { "smollm", PRETOK_SMOLLM, 0, 0 },      { "starcoder", PRETOK_SMOLLM, 0, 0 },
    { "refact", PRETOK_SMOLLM, 0, 0 },      { "command-r", PRETOK_SMOLLM, 0, 0 },
    { "codeshell", PRETOK_SMOLLM, 0, 0 },   { "exaone", PRETOK_SMOLLM, 0, 0 },
    { "minerva-7b", PRETOK_SMOLLM, 0, 0 },
};

const char pretok_known_names[] =
    "default, llama-bpe (llama3, llama-v3, falcon3, ...), gpt-2, smollm (starcoder, ...)";

int pretok_lookup(const char *name, int *pre, int *ignore_merges, int *add_bos) {
    if (name[0] == '\0') name = "default";
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(name, names[i].name) == 0) {
            *pre = names[i].pre;
            *ignore_merges = names[i].ignore_merges;
            *add_bos = names[i].add_bos;
            return 0;
        }
    return -1;
}
