/* lib/llama/tokenizer: tokenizer.bin checks, encode and decode.
 *
 * Oracles: the ids run.c's encode() produced (../shared/reference/
 * encode_*.tsv), and a run.c-style encoder written here with glibc's
 * qsort, bsearch and sprintf, run on random prompts (ASCII, UTF-8, stray
 * bytes) and on a vocabulary with duplicate strings. Byte tokens are
 * compared with the real sscanf("<0x%02hhX>"). Model files come from
 * tools/find-model.sh (run from the repository root, as tests/run.sh does). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/check.h"
#include "lib/llama/llama.h"
#include "lib/llama/tokenizer.h"
#include "tests/host/model_file.h"

/* ---------------------------------------------------------------- helpers */

typedef struct {
    Tokenizer t;
    void *mem;
    unsigned char *file;
    size_t size;
    /* the same vocabulary, parsed here, for the oracle */
    char **vocab;
    float *scores;
    int n, mtl;
    struct RefIndex *sorted;  /* the oracle's qsort-ed index */
} Tok;

static int tok_open(Tok *k, unsigned char *file, size_t size, int vocab_size, llama_error *err) {
    memset(k, 0, sizeof *k);
    k->file = file;
    k->size = size;
    llama_tokenizer_file tf;
    if (llama_tokenizer_check(&tf, file, size, vocab_size, err)) return -1;
    Arena a;
    arena_measure(&a);
    Tokenizer dummy;
    tokenizer_init(&dummy, &tf, &a);
    size_t need = arena_needed(&a);
    k->mem = malloc(need);
    arena_init(&a, k->mem, need);
    tokenizer_init(&k->t, &tf, &a);
    if (a.overflow) return -1;
    k->n = vocab_size;
    k->mtl = tf.max_token_length;
    k->vocab = malloc(sizeof *k->vocab * (size_t)vocab_size);
    k->scores = malloc(sizeof *k->scores * (size_t)vocab_size);
    size_t off = 4;
    for (int i = 0; i < vocab_size; i++) {
        int32_t len;
        memcpy(&k->scores[i], file + off, 4);
        memcpy(&len, file + off + 4, 4);
        k->vocab[i] = malloc((size_t)len + 1);
        memcpy(k->vocab[i], file + off + 8, (size_t)len);
        k->vocab[i][len] = 0;
        off += 8 + (size_t)len;
    }
    return 0;
}

static void tok_close(Tok *k) {
    for (int i = 0; k->vocab && i < k->n; i++) free(k->vocab[i]);
    free(k->vocab);
    free(k->scores);
    free(k->sorted);
    free(k->mem);
    free(k->file);
}

/* A tokenizer.bin in memory: mtl, then n tokens. */
typedef struct { unsigned char *buf; size_t len, cap; } Buf;
static void put(Buf *b, const void *p, size_t n) {
    if (b->len + n > b->cap) { b->cap = (b->len + n) * 2 + 64; b->buf = realloc(b->buf, b->cap); }
    memcpy(b->buf + b->len, p, n);
    b->len += n;
}
static void put_i32(Buf *b, int32_t v) { put(b, &v, 4); }
static void put_token(Buf *b, float score, const char *s, int len) {
    put(b, &score, 4);
    put_i32(b, len);
    put(b, s, (size_t)len);
}

/* The usual first 259 tokens: <unk>, <s>, </s>, <0x00>..<0xFF>. */
static void put_base_vocab(Buf *b) {
    put_token(b, 0, "<unk>", 5);
    put_token(b, 0, "\n<s>\n", 5);
    put_token(b, 0, "\n</s>\n", 6);
    for (int i = 0; i < 256; i++) {
        char s[8];
        snprintf(s, sizeof s, "<0x%02X>", i);
        put_token(b, 0, s, 6);
    }
}

/* ---------------------------------------------------------------- oracle */

typedef struct RefIndex { char *str; int id; } RefIndex;
static int ref_cmp(const void *a, const void *b) {
    return strcmp(((const RefIndex *)a)->str, ((const RefIndex *)b)->str);
}
static int ref_lookup(char *s, RefIndex *sorted, int n) {
    RefIndex key = { s, 0 };
    RefIndex *r = bsearch(&key, sorted, (size_t)n, sizeof key, ref_cmp);
    return r ? r->id : -1;
}

/* run.c's encode, with glibc's qsort/bsearch and sprintf. -1 where run.c
 * would index out of bounds (our encoder reports an error there). */
static int ref_encode(Tok *k, const char *text, int bos, int eos, int *tokens, int *n_tokens) {
    if (!k->sorted) {
        k->sorted = malloc(sizeof *k->sorted * (size_t)k->n);
        for (int i = 0; i < k->n; i++) { k->sorted[i].str = k->vocab[i]; k->sorted[i].id = i; }
        qsort(k->sorted, (size_t)k->n, sizeof *k->sorted, ref_cmp);
    }
    RefIndex *sorted = k->sorted;
    char *buf = malloc((size_t)k->mtl * 2 + 1 + 2);
    size_t len = 0;
    int n = 0, result = 0;
    if (bos) tokens[n++] = 1;
    if (text[0]) {
        int id = ref_lookup(" ", sorted, k->n);
        if (id < 0) { result = -1; goto out; }
        tokens[n++] = id;
    }
    for (const char *c = text; *c; c++) {
        if ((*c & 0xC0) != 0x80) len = 0;
        buf[len++] = *c;
        buf[len] = 0;
        if ((*(c + 1) & 0xC0) == 0x80 && len < 4) continue;
        int id = ref_lookup(buf, sorted, k->n);
        if (id != -1) tokens[n++] = id;
        else
            for (size_t i = 0; i < len; i++) {
                int b = (unsigned char)buf[i] + 3;
                if (b >= k->n) { result = -1; goto out; }
                tokens[n++] = b;
            }
        len = 0;
    }
    for (;;) {
        float best = -1e10;
        int best_id = -1, best_idx = -1;
        for (int i = 0; i < n - 1; i++) {
            sprintf(buf, "%s%s", k->vocab[tokens[i]], k->vocab[tokens[i + 1]]);
            int id = ref_lookup(buf, sorted, k->n);
            if (id != -1 && k->scores[id] > best) { best = k->scores[id]; best_id = id; best_idx = i; }
        }
        if (best_idx == -1) break;
        tokens[best_idx] = best_id;
        for (int i = best_idx + 1; i < n - 1; i++) tokens[i] = tokens[i + 1];
        n--;
    }
    if (eos) tokens[n++] = 2;
out:
    *n_tokens = n;
    free(buf);
    return result;
}

/* Encodes with both; 1 if they agree. tokens get a canary after strlen+3. */
static int agree(Tok *k, const char *text, int bos, int eos, char *why, size_t whylen) {
    size_t cap = strlen(text) + 3;
    int *mine = malloc(sizeof(int) * (cap + 1)), *ref = malloc(sizeof(int) * (cap + 64));
    mine[cap] = 0x5a5a5a5a;
    int nm = 0, nr = 0;
    llama_error err;
    int rm = tokenizer_encode(&k->t, text, bos, eos, mine, &nm, &err);
    int rr = ref_encode(k, text, bos, eos, ref, &nr);
    int ok = mine[cap] == 0x5a5a5a5a && rm == rr && (rm != 0 || (nm == nr && memcmp(mine, ref, sizeof(int) * (size_t)nm) == 0));
    if (!ok) snprintf(why, whylen, "text \"%.40s\" (%zu bytes): status %d/%d, %d vs %d tokens%s",
                      text, strlen(text), rm, rr, nm, nr, mine[cap] != 0x5a5a5a5a ? ", OVERFLOW" : "");
    free(mine);
    free(ref);
    return ok;
}

static uint64_t lcg = 99;
static uint32_t rnd(void) { lcg = lcg * 6364136223846793005ull + 1442695040888963407ull; return (uint32_t)(lcg >> 33); }

/* Random text: words, UTF-8 of every length, stray continuation bytes. */
static void random_text(char *s, size_t max) {
    static const char *pieces[] = { "Once", " upon", " a", " time", ",", " Lily", "'s", "\n", "  ",
                                    "é", "ï", "日本", "🦙", "—", "\xe2\x82", "\x80\x80\x80\x80\x80",
                                    "\xf0\x9f", "\xc3", "the", "ing", "!", "\"", "0x", "<0x41>", "\t" };
    size_t n = 0, want = rnd() % max;
    while (n < want) {
        const char *p;
        char one[2] = { 0, 0 };
        if (rnd() % 4 == 0) { one[0] = (char)(1 + rnd() % 255); p = one; }
        else p = pieces[rnd() % (sizeof pieces / sizeof pieces[0])];
        size_t l = strlen(p);
        if (n + l >= max) break;
        memcpy(s + n, p, l);
        n += l;
    }
    s[n] = 0;
}

/* ---------------------------------------------------------------- tests */

static void check_tsv(const char *model, int vocab, const char *tsv) {
    size_t size;
    unsigned char *file = model_file(model, &size);
    CHECK(file != NULL, "model file %s not found (tools/find-model.sh)", model);
    if (!file) return;
    Tok k;
    llama_error err;
    CHECK(tok_open(&k, file, size, vocab, &err) == 0, "%s: %s", model, err.msg);
    const char *dir = getenv("REFERENCE_DIR") ? getenv("REFERENCE_DIR") : "../shared/reference";
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, tsv);
    FILE *f = fopen(path, "r");
    CHECK(f != NULL, "%.200s not found", path);
    char line[4096];
    int lines = 0;
    while (f && fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = 0;
        char *tab = strchr(line, '\t');
        if (!tab) continue;
        *tab = 0;
        int want[512], nw = 0;
        for (char *p = tab + 1; *p && nw < 512;) {
            want[nw++] = (int)strtol(p, &p, 10);
            while (*p == ' ') p++;
        }
        int got[4096], ng = 0;
        CHECK(tokenizer_encode(&k.t, line, 1, 0, got, &ng, &err) == 0, "%s", err.msg);
        CHECK(ng == nw && memcmp(got, want, sizeof(int) * (size_t)nw) == 0,
              "%s: \"%.100s\" gives %d tokens (first %d), want %d (first %d)", tsv, line, ng,
              ng ? got[ng > 1] : -1, nw, nw ? want[nw > 1] : -1);
        lines++;
    }
    if (f) fclose(f);
    CHECK(lines >= 3, "%s: only %d lines", tsv, lines);
    tok_close(&k);
}

TEST(encode_tokenizer_tsv) { check_tsv("tokenizer.bin", 32000, "encode_tokenizer.tsv"); }
TEST(encode_tok512_tsv) { check_tsv("tok512.bin", 512, "encode_tok512.tsv"); }

static void random_vs_oracle(const char *model, int vocab, int trials) {
    size_t size;
    unsigned char *file = model_file(model, &size);
    CHECK(file != NULL, "model file %s not found", model);
    if (!file) return;
    Tok k;
    llama_error err;
    CHECK(tok_open(&k, file, size, vocab, &err) == 0, "%s", err.msg);
    char text[300], why[300];
    for (int i = 0; i < trials; i++) {
        random_text(text, sizeof text);
        int ok = agree(&k, text, i % 2 == 0, i % 3 == 0, why, sizeof why);
        CHECK(ok, "%s: %s", model, why);
        if (!ok) break;
    }
    /* every single byte, and every pair of a lead byte with continuations */
    for (int b = 1; b < 256; b++) {
        char s[8] = { (char)b, 0 };
        CHECK(agree(&k, s, 1, 0, why, sizeof why), "%s", why);
        char u[8] = { (char)b, (char)0x80, (char)0xbf, (char)0x80, (char)0x80, (char)0x80, 0 };
        CHECK(agree(&k, u, 1, 0, why, sizeof why), "%s", why);
    }
    tok_close(&k);
}

TEST(encode_matches_oracle_32000) { random_vs_oracle("tokenizer.bin", 32000, 200); }
TEST(encode_matches_oracle_512) { random_vs_oracle("tok512.bin", 512, 2000); }

TEST(byte_fallback_and_utf8) {
    size_t size;
    unsigned char *file = model_file("tokenizer.bin", &size);
    CHECK(file != NULL, "tokenizer.bin not found");
    if (!file) return;
    Tok k;
    llama_error err;
    CHECK(tok_open(&k, file, size, 32000, &err) == 0, "%s", err.msg);
    int t[64], n;
    /* the llama emoji is not in the vocabulary: four byte tokens */
    CHECK(tokenizer_encode(&k.t, "\xf0\x9f\xa6\x99", 1, 0, t, &n, &err) == 0, "%s", err.msg);
    CHECK(n == 6 && t[0] == 1 && t[1] == 29871 && t[2] == 0xf0 + 3 && t[3] == 0x9f + 3 &&
          t[4] == 0xa6 + 3 && t[5] == 0x99 + 3, "emoji: %d tokens", n);
    /* the empty prompt is BOS alone; with eos, BOS EOS */
    CHECK(tokenizer_encode(&k.t, "", 1, 0, t, &n, &err) == 0 && n == 1 && t[0] == 1, "empty");
    CHECK(tokenizer_encode(&k.t, "", 1, 1, t, &n, &err) == 0 && n == 2 && t[1] == 2, "empty+eos");
    CHECK(tokenizer_encode(&k.t, "", 0, 0, t, &n, &err) == 0 && n == 0, "nothing");
    /* decode: byte tokens become their byte, BOS strips one leading space */
    CHECK(strcmp(tokenizer_decode(&k.t, 5, 13), "\n") == 0, "<0x0A> decodes to a newline");
    CHECK(strcmp(tokenizer_decode(&k.t, 1, 9038), "Once") == 0, "after BOS: '%s'", tokenizer_decode(&k.t, 1, 9038));
    CHECK(strcmp(tokenizer_decode(&k.t, 2, 9038), " Once") == 0, "not after BOS");
    CHECK(tokenizer_decode(&k.t, 1, 3)[0] == 0, "<0x00> is an empty piece");
    CHECK(tokenizer_lookup(&k.t, " Once") == 9038 && tokenizer_lookup(&k.t, "\x01\x02zq") == -1 &&
          tokenizer_lookup(&k.t, "") == -1, "lookup");
    tok_close(&k);
}

/* A vocabulary where some strings appear twice (with different scores):
 * every lookup and encode must find the id glibc's bsearch finds. */
TEST(duplicate_strings_like_bsearch) {
    static const char *words[] = { " ", "a", "b", "ab", "ab", " a", " ab", "ba", "ab", "bab", " ",
                                   "aa", "aa", "a", "b", " b", "abab", "abab", "é", "é" };
    Buf b = { 0 };
    put_i32(&b, 8);
    put_base_vocab(&b);
    int n = 259;
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++, n++)
        put_token(&b, (float)(rnd() % 7) - 3.0f, words[i], (int)strlen(words[i]));
    Tok k;
    llama_error err;
    CHECK(tok_open(&k, b.buf, b.len, n, &err) == 0, "%s", err.msg);
    RefIndex *sorted = malloc(sizeof *sorted * (size_t)n);
    for (int i = 0; i < n; i++) { sorted[i].str = k.vocab[i]; sorted[i].id = i; }
    qsort(sorted, (size_t)n, sizeof *sorted, ref_cmp);
    for (int i = 0; i < n; i++)
        CHECK(tokenizer_lookup(&k.t, k.vocab[i]) == ref_lookup(k.vocab[i], sorted, n),
              "lookup of token %d \"%s\"", i, k.vocab[i]);
    free(sorted);
    char text[64], why[300];
    for (int i = 0; i < 3000; i++) {
        size_t len = rnd() % 12;
        for (size_t j = 0; j < len; j++) text[j] = "ab ab\xc3\xa9"[rnd() % 7];
        text[len] = 0;
        int ok = agree(&k, text, 1, 0, why, sizeof why);
        CHECK(ok, "%s", why);
        if (!ok) break;
    }
    tok_close(&k);
}

TEST(byte_token_parse_like_sscanf) {
    static const char *cases[] = { "<0x00>", "<0x0A>", "<0xff>", "<0xFF>", "<0x41>", "<0x4>", "<0x4",
                                   "<0x", "<0x>", "<0xG1>", "<0x1G>", "<0x 41>", "<0x\t\n7f>",
                                   "<0x-1>", "<0x+f>", "<0x-", "<0x+>", "<0x0x41>", "<0x0X>",
                                   "<0x00x>", "<0x-0x1>", "<0x123>", "<0X41>", "0x41", " <0x41>",
                                   "<1x41>", "<0x\v>", "<0x-ff>", "<0x+0x>", "" };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        unsigned char a = 0xee, b = 0xee;
        int ra = parse_byte_token(cases[i], &a);
        int rb = sscanf(cases[i], "<0x%02hhX>", &b) == 1;
        CHECK(ra == rb && (!ra || a == b), "\"%s\": %d/%02x vs sscanf %d/%02x", cases[i], ra, a, rb, b);
    }
    static const char alphabet[] = "<0x0xX-+ \t\n19afAFgG>";
    char s[12];
    for (int i = 0; i < 200000; i++) {
        size_t len = rnd() % 8;
        memcpy(s, "<0x", 3);
        for (size_t j = 0; j < len; j++) s[3 + j] = alphabet[rnd() % (sizeof alphabet - 1)];
        s[3 + len] = 0;
        unsigned char a = 0xee, b = 0xee;
        int ra = parse_byte_token(s, &a);
        int rb = sscanf(s, "<0x%02hhX>", &b) == 1;
        CHECK(ra == rb && (!ra || a == b), "\"%s\": %d/%02x vs sscanf %d/%02x", s, ra, a, rb, b);
        if (check_failed_) return;
    }
}

TEST(safe_print_rule) {
    CHECK(piece_print_length(NULL) == 0 && piece_print_length("") == 0, "NULL and empty");
    for (int c = 1; c < 256; c++) {
        char s[2] = { (char)c, 0 };
        size_t want = (c >= 0x20 && c < 0x7f) || c == ' ' || (c >= 9 && c <= 13);
        CHECK(piece_print_length(s) == want, "byte 0x%02x", c);
    }
    CHECK(piece_print_length("\x01\x02") == 2, "several bytes print as they are");
    CHECK(piece_print_length("\xc3\xa9") == 2, "UTF-8");
}

static void expect_check_error(const char *what, Buf *b, int vocab, const char *needle) {
    llama_tokenizer_file tf;
    llama_error err;
    int r = llama_tokenizer_check(&tf, b->buf, b->len, vocab, &err);
    CHECK(r == -1, "%s: accepted", what);
    if (r == -1) CHECK(strstr(err.msg, needle) && !strchr(err.msg, '\n') && strncmp(err.msg, "error", 5),
                       "%s: message \"%s\" lacks \"%s\"", what, err.msg, needle);
}

TEST(file_check_errors) {
    Buf b = { 0 };
    put_i32(&b, 8);
    put_base_vocab(&b);
    put_token(&b, -1, " ", 1);
    llama_tokenizer_file tf;
    llama_error err;
    CHECK(llama_tokenizer_check(&tf, b.buf, b.len, 260, &err) == 0, "%s", err.msg);
    CHECK(tf.max_token_length == 8 && tf.vocab_size == 260, "fields");
    expect_check_error("more tokens than the vocabulary", &b, 259, "holds 260 tokens");
    expect_check_error("fewer tokens", &b, 300, "ends inside token 260");
    Buf c = { 0 };
    put(&c, b.buf, b.len);
    put(&c, "xyz", 3);
    expect_check_error("garbage at the end", &c, 260, "3 bytes left over");
    c.len = b.len - 1;
    expect_check_error("truncated string", &c, 260, "ends inside token 259");
    c.len = 2;
    expect_check_error("no header", &c, 260, "too small");
    int32_t v = 0;
    memcpy(c.buf, &v, 4); c.len = b.len;
    expect_check_error("max_token_length 0", &c, 260, "max_token_length = 0");
    v = 5;
    memcpy(c.buf, &v, 4);
    expect_check_error("token longer than max_token_length", &c, 260, "length 6");
    memcpy(c.buf, b.buf, b.len);
    v = -2;
    memcpy(c.buf + 4 + 4, &v, 4);
    expect_check_error("negative length", &c, 260, "length -2");
    free(b.buf);
    free(c.buf);
}

TEST(encode_errors) {
    /* no " " token: run.c would store id -1 */
    Buf b = { 0 };
    put_i32(&b, 8);
    put_base_vocab(&b);
    put_token(&b, 0, "x", 1);
    Tok k;
    llama_error err;
    CHECK(tok_open(&k, b.buf, b.len, 260, &err) == 0, "%s", err.msg);
    int t[16], n;
    CHECK(tokenizer_encode(&k.t, "x", 1, 0, t, &n, &err) == -1 && strstr(err.msg, "\" \""),
          "no space token: %s", err.msg);
    CHECK(tokenizer_encode(&k.t, "", 1, 0, t, &n, &err) == 0 && n == 1, "empty needs no space");
    tok_close(&k);
    /* a vocabulary without byte tokens for high bytes */
    Buf c = { 0 };
    put_i32(&c, 8);
    put_token(&c, 0, "<unk>", 5);
    put_token(&c, 0, "<s>", 3);
    put_token(&c, 0, "</s>", 4);
    put_token(&c, 0, " ", 1);
    put_token(&c, 0, "a", 1);
    CHECK(tok_open(&k, c.buf, c.len, 5, &err) == 0, "%s", err.msg);
    CHECK(tokenizer_encode(&k.t, "a", 1, 0, t, &n, &err) == 0 && n == 3, "a");
    CHECK(tokenizer_encode(&k.t, "\xc3\xa9", 1, 0, t, &n, &err) == -1 && strstr(err.msg, "0xc3"),
          "unencodable byte: %s", err.msg);
    tok_close(&k);
}

/* The token buffer holds strlen + 3: the worst case (every byte a token,
 * nothing merges) must fit exactly. */
TEST(encode_fits_strlen_plus_3) {
    size_t size;
    unsigned char *file = model_file("tok512.bin", &size);
    CHECK(file != NULL, "tok512.bin not found");
    if (!file) return;
    Tok k;
    llama_error err;
    CHECK(tok_open(&k, file, size, 512, &err) == 0, "%s", err.msg);
    char text[300], why[300];
    for (int i = 0; i < 255; i++) text[i] = (char)(0x80 + (i % 64));   /* stray continuations */
    text[255] = 0;
    CHECK(agree(&k, text, 1, 1, why, sizeof why), "%s", why);
    for (int i = 0; i < 255; i++) text[i] = (char)(0xc0 + (i % 2) * 0x20);  /* lead bytes only */
    CHECK(agree(&k, text, 1, 1, why, sizeof why), "%s", why);
    tok_close(&k);
}

RUN_TESTS(encode_tokenizer_tsv, encode_tok512_tsv, encode_matches_oracle_32000,
          encode_matches_oracle_512, byte_fallback_and_utf8, duplicate_strings_like_bsearch,
          byte_token_parse_like_sscanf, safe_print_rule, file_check_errors, encode_errors,
          encode_fits_strlen_plus_3)
