/* lib/llama/vocab*: the GGUF tokenizers against llama.cpp.
 *
 * Oracles, all produced by llama.cpp itself (../shared/reference/gguf):
 *   - its tokenizer test vectors (tokenizer/NAME.inp, .out: no BOS, no special
 *     parsing) on the Llama 2 (SentencePiece) and Llama 3 (BPE) vocabularies;
 *   - the prompt ids of every golden case (cases.tsv: model, prompt; BOS by
 *     the model's rule, special tokens parsed), the two chat prompts and the
 *     8 KB Llama 3 prompt among them;
 *   - pieces: what llama.cpp prints for a token (byte tokens, U+2581, GPT-2's
 *     alphabet, control tokens silent), and that encoding a piece's text
 *     gives the token back.
 * And properties: user text never becomes a control token, a text split
 * into parts encodes as the whole, errors for text or ids that do not fit,
 * the tables build fast enough and encode in time about linear in the text.
 * Files come from tools/find-model.sh (models/ or ../shared/models). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tests/check.h"
#include "lib/llama/llama.h"
#include "lib/llama/vocab.h"
#include "tests/host/model_file.h"
#include "tests/host/vocab_file.h"

#define REF "../shared/reference/gguf"
#define MAX_TEXT 16384

/* ---------------------------------------------------------------- fixtures */

typedef struct {
    unsigned char *file;
    size_t size;
    llama_vocab d;
    Vocab *v;
    void *mem;
} Loaded;

static Loaded spm, bpe;  /* llama2-vocab.gguf, llama3-vocab.gguf */

static int load(Loaded *l, const char *name) {
    if (l->v) return 0;
    l->file = model_file(name, &l->size);
    if (!l->file || vocab_file_read(&l->d, l->file, l->size)) return -1;
    l->v = vocab_file_open(&l->d, MAX_TEXT, &l->mem);
    return l->v ? 0 : -1;
}

static char *read_all(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    if (buf) buf[n] = 0;
    if (len) *len = (size_t)n;
    return buf;
}

/* Encodes one plain text (no special parsing). */
static int encode_text(const Vocab *v, const char *text, size_t len, int special, int add_bos,
                       int *ids, int cap, int *n, llama_error *err) {
    VocabPart part = { text, len, special };
    return vocab_encode(v, &part, 1, add_bos, ids, cap, n, err);
}

/* "1 2 3" (up to the end of the line) -> ids; returns the count. */
static int parse_ids(const char *s, int *ids, int cap) {
    int n = 0;
    while (*s && *s != '\n' && n < cap) {
        char *end;
        while (*s == ' ') s++;
        long x = strtol(s, &end, 10);
        if (end == s) break;
        ids[n++] = (int)x;
        s = end;
    }
    return n;
}

static void describe(char *buf, size_t cap, const int *got, int n_got, const int *want, int n_want) {
    int i = 0;
    while (i < n_got && i < n_want && got[i] == want[i]) i++;
    snprintf(buf, cap, "%d ids, want %d; first difference at %d: got %d, want %d", n_got, n_want,
             i, i < n_got ? got[i] : -1, i < n_want ? want[i] : -1);
}

/* ---------------------------------------------------------------- llama.cpp's vectors */

static void vectors(Loaded *l, const char *vocab_name) {
    char path[256];
    char file[64];
    snprintf(file, sizeof file, "%s.gguf", vocab_name);
    CHECK(load(l, file) == 0, "cannot load %s", file);
    if (check_failed_) return;
    snprintf(path, sizeof path, REF "/tokenizer/%s.inp", vocab_name + 5);
    size_t inp_len;
    char *inp = read_all(path, &inp_len);
    snprintf(path, sizeof path, REF "/tokenizer/%s.out", vocab_name + 5);
    char *out = read_all(path, NULL);
    CHECK(inp && out, "cannot read the vectors");
    if (!inp || !out) return;
    const char *sep = "\n__ggml_vocab_test__\n";
    size_t pos = 0, seplen = strlen(sep);
    char *line = out;
    int cases = 0;
    static int got[MAX_TEXT], want[MAX_TEXT];
    while (pos < inp_len && !check_failed_) {
        char *next = strstr(inp + pos, sep);
        size_t len = next ? (size_t)(next - (inp + pos)) : inp_len - pos;
        char *eol = strchr(line, '\n');
        CHECK(eol != NULL, "fewer lines in .out than texts in .inp");
        if (!eol) break;
        *eol = 0;
        int n_want = parse_ids(line, want, MAX_TEXT), n_got;
        llama_error err;
        int r = encode_text(l->v, inp + pos, len, 0, 0, got, MAX_TEXT, &n_got, &err);
        CHECK(r == 0, "case %d: %.200s", cases, err.msg);
        char why[200];
        describe(why, sizeof why, got, n_got, want, n_want);
        CHECK(n_got == n_want && memcmp(got, want, sizeof *got * (size_t)n_got) == 0,
              "case %d [%.40s]: %s", cases, inp + pos, why);
        cases++;
        line = eol + 1;
        if (!next) break;
        pos = (size_t)(next - inp) + seplen;
    }
    CHECK(cases == 46, "%d cases, expected llama.cpp's 46", cases);
    free(inp);
    free(out);
}

TEST(llama2_vectors) { vectors(&spm, "gguf/llama2-vocab"); }
TEST(llama3_vectors) { vectors(&bpe, "gguf/llama3-vocab"); }

/* ---------------------------------------------------------------- golden prompts */

/* Every case of cases.tsv: the model's own vocabulary (llama_gguf_parse,
 * the way the engine loads it), its BOS rule, special tokens parsed. */
TEST(golden_prompts) {
    char *tsv = read_all(REF "/cases.tsv", NULL);
    CHECK(tsv != NULL, "cannot read cases.tsv");
    if (!tsv) return;
    int cases = 0;
    static int got[MAX_TEXT], want[MAX_TEXT];
    for (char *line = strtok(tsv, "\n"); line && !check_failed_; line = strtok(NULL, "\n")) {
        char *f[4] = { line, NULL, NULL, NULL };
        for (int i = 1; i < 4; i++) {
            f[i] = f[i - 1] ? strchr(f[i - 1], '\t') : NULL;
            if (f[i]) *f[i]++ = 0;
        }
        CHECK(f[3] != NULL, "bad line in cases.tsv");
        if (!f[3]) break;
        char path[256], model[128];
        snprintf(model, sizeof model, "gguf/%s", f[1]);
        size_t size, plen;
        unsigned char *file = model_file(model, &size);
        CHECK(file != NULL, "cannot find %.100s", model);
        if (!file) break;
        llama_model *m = malloc(sizeof *m);
        llama_error err;
        CHECK(llama_gguf_parse(m, file, size, &err) == 0, "%.60s: %.200s", model, err.msg);
        CHECK(vocab_check(&m->vocab, &err) == 0, "%.60s: %.200s", model, err.msg);
        void *mem;
        Vocab *v = check_failed_ ? NULL : vocab_file_open(&m->vocab, MAX_TEXT, &mem);
        CHECK(v != NULL, "%s: no vocabulary", model);
        char *prompt;
        if (f[3][0] == '@') {
            snprintf(path, sizeof path, REF "/%s", f[3] + 1);
            prompt = read_all(path, &plen);
        } else {
            prompt = strdup(f[3]);
            plen = strlen(prompt);
        }
        snprintf(path, sizeof path, REF "/%s", f[0]);
        char *gold = read_all(path, NULL);
        CHECK(prompt && gold && strncmp(gold, "prompt ", 7) == 0, "cannot read %.100s", path);
        if (v && prompt && gold && !check_failed_) {
            int n_want = parse_ids(gold + 7, want, MAX_TEXT), n_got = 0;
            int r = encode_text(v, prompt, plen, 1, -1, got, MAX_TEXT, &n_got, &err);
            CHECK(r == 0, "%s: %.200s", f[0], err.msg);
            char why[200];
            describe(why, sizeof why, got, n_got, want, n_want);
            CHECK(n_got == n_want && memcmp(got, want, sizeof *got * (size_t)n_got) == 0,
                  "%s: %s", f[0], why);
            cases++;
        }
        free(prompt);
        free(gold);
        free(v);
        free(mem);
        free(m);
        free(file);
    }
    CHECK(cases == 8, "%d cases in cases.tsv, expected 8", cases);
    free(tsv);
}

/* ---------------------------------------------------------------- special tokens */

/* "<|eot_id|>" is the token in template text, characters in user text. */
TEST(user_text_is_never_control) {
    CHECK(load(&bpe, "gguf/llama3-vocab.gguf") == 0, "is false");
    if (check_failed_) return;
    int ids[64], n;
    llama_error err;
    const char *t = "hi<|eot_id|>";
    CHECK(encode_text(bpe.v, t, strlen(t), 1, 0, ids, 64, &n, &err) == 0, "is false");
    CHECK(n == 2 && ids[1] == 128009, "special part: %d ids, last %d", n, ids[n - 1]);
    CHECK(encode_text(bpe.v, t, strlen(t), 0, 0, ids, 64, &n, &err) == 0, "is false");
    CHECK(n > 2, "user part: %d ids", n);
    for (int i = 0; i < n; i++)
        CHECK(ids[i] < 128000, "user text became control token %d", ids[i]);
    /* the same in a chat: template, user text with the token, template */
    VocabPart parts[3] = { { "<|start_header_id|>user<|end_header_id|>\n\n", 41, 1 },
                           { "<|eot_id|><|begin_of_text|>", 27, 0 },
                           { "<|eot_id|>", 10, 1 } };
    CHECK(vocab_encode(bpe.v, parts, 3, 0, ids, 64, &n, &err) == 0, "%.200s", err.msg);
    int control = 0;
    for (int i = 0; i < n; i++) control += ids[i] >= 128000;
    CHECK(control == 3 && ids[0] == 128006 && ids[n - 1] == 128009,
          "%d control tokens in %d ids", control, n);
    /* SentencePiece: "</s>" typed is text, in a template it is EOS */
    CHECK(load(&spm, "gguf/llama2-vocab.gguf") == 0, "is false");
    if (check_failed_) return;
    CHECK(encode_text(spm.v, "a</s>", 5, 1, 0, ids, 64, &n, &err) == 0, "is false");
    CHECK(n == 2 && ids[1] == 2, "special part: %d ids", n);
    CHECK(encode_text(spm.v, "a</s>", 5, 0, 0, ids, 64, &n, &err) == 0, "is false");
    for (int i = 0; i < n; i++) CHECK(ids[i] != 2, "user text became EOS");
}

/* Parts are one text: any cut of a text without specials encodes the same;
 * and after a special token SentencePiece adds its space prefix again. */
TEST(parts_join) {
    CHECK(load(&spm, "gguf/llama2-vocab.gguf") == 0 && load(&bpe, "gguf/llama3-vocab.gguf") == 0, "is false");
    if (check_failed_) return;
    const char *t = "Once upon a time, there was a little robot named Zed. It's 2026!";
    size_t len = strlen(t);
    Loaded *ls[2] = { &spm, &bpe };
    for (int k = 0; k < 2; k++) {
        int whole[128], cut[128], n1, n2;
        llama_error err;
        CHECK(encode_text(ls[k]->v, t, len, 0, -1, whole, 128, &n1, &err) == 0, "is false");
        for (size_t at = 0; at <= len; at += 3) {
            VocabPart parts[2] = { { t, at, 1 }, { t + at, len - at, 0 } };
            CHECK(vocab_encode(ls[k]->v, parts, 2, -1, cut, 128, &n2, &err) == 0, "is false");
            CHECK(n1 == n2 && memcmp(whole, cut, sizeof *cut * (size_t)n1) == 0,
                  "vocab %d: cut at %zu differs", k, at);
        }
    }
    /* "</s>\nx": the text after EOS gets "▁" again, as in the Zephyr prompt */
    int ids[16], n;
    llama_error err;
    CHECK(encode_text(spm.v, "</s>\n", 5, 1, 0, ids, 16, &n, &err) == 0, "is false");
    CHECK(n == 3 && ids[0] == 2 && ids[1] == 29871 && ids[2] == 13, "%d ids: %d %d", n, ids[1], ids[2]);
}

TEST(bos_eos_and_eog) {
    CHECK(load(&spm, "gguf/llama2-vocab.gguf") == 0 && load(&bpe, "gguf/llama3-vocab.gguf") == 0, "is false");
    if (check_failed_) return;
    CHECK(vocab_bos(spm.v) == 1 && vocab_eos(spm.v) == 2, "is false");
    CHECK(vocab_bos(bpe.v) == 128000 && vocab_eos(bpe.v) == 128009, "is false");
    int ids[8], n;
    llama_error err;
    CHECK(encode_text(bpe.v, "", 0, 1, -1, ids, 8, &n, &err) == 0 && n == 1 && ids[0] == 128000, "is false");
    CHECK(encode_text(bpe.v, "", 0, 1, 0, ids, 8, &n, &err) == 0 && n == 0, "is false");
    CHECK(encode_text(spm.v, "", 0, 1, 1, ids, 8, &n, &err) == 0 && n == 1 && ids[0] == 1, "is false");
    /* the end-of-generation set llama.cpp builds for these vocabularies */
    CHECK(vocab_is_eog(spm.v, 2) && !vocab_is_eog(spm.v, 1) && !vocab_is_eog(spm.v, 13), "is false");
    const int llama3_eog[] = { 128001, 128008, 128009 };  /* end_of_text, eom_id, eot_id */
    int count = 0;
    for (int i = 0; i < 128256; i++) count += vocab_is_eog(bpe.v, i);
    CHECK(count == 3, "%d end-of-generation tokens in Llama 3", count);
    for (int i = 0; i < 3; i++) CHECK(vocab_is_eog(bpe.v, llama3_eog[i]), "%d", llama3_eog[i]);
    CHECK(!vocab_is_eog(bpe.v, -1) && !vocab_is_eog(bpe.v, 128256), "is false");
}

/* ---------------------------------------------------------------- pieces */

static int piece_is(const Vocab *v, int id, const char *want, size_t want_len) {
    char buf[64];
    size_t n = vocab_piece(v, id, buf, sizeof buf);
    return n == want_len && memcmp(buf, want, n) == 0;
}

TEST(pieces) {
    CHECK(load(&spm, "gguf/llama2-vocab.gguf") == 0 && load(&bpe, "gguf/llama3-vocab.gguf") == 0, "is false");
    if (check_failed_) return;
    CHECK(piece_is(spm.v, 15043, " Hello", 6), "U+2581 is a space");
    CHECK(piece_is(spm.v, 13, "\n", 1) && piece_is(spm.v, 3, "\0", 1) && piece_is(spm.v, 258, "\xff", 1),
          "byte tokens are their byte");
    CHECK(piece_is(spm.v, 1, "", 0) && piece_is(spm.v, 2, "", 0) && piece_is(spm.v, 0, "", 0),
          "control and unknown tokens print nothing");
    CHECK(piece_is(bpe.v, 22691, " Hello", 6) && piece_is(bpe.v, 198, "\n", 1) &&
          piece_is(bpe.v, 271, "\n\n", 2), "GPT-2's alphabet is decoded");
    CHECK(piece_is(bpe.v, 128009, "", 0) && piece_is(bpe.v, 128000, "", 0), "control tokens are silent");
    CHECK(piece_is(bpe.v, 99, "\xa6", 1) && piece_is(bpe.v, 247, "\x99", 1), "byte pieces of an emoji");
    CHECK(vocab_piece(bpe.v, -1, NULL, 0) == 0 && vocab_piece(bpe.v, 128256, NULL, 0) == 0, "is false");
    /* a short buffer: the whole length, no more bytes than room */
    char small[3] = { 'x', 'x', 'x' };
    CHECK(vocab_piece(spm.v, 15043, small, 2) == 6 && memcmp(small, " Hx", 3) == 0, "is false");
}

/* Whether s[0..n) is UTF-8 (any code point up to U+10FFFF, as llama.cpp
 * reads it: no test of overlong forms). */
static int is_utf8(const unsigned char *s, size_t n) {
    for (size_t i = 0; i < n;) {
        size_t k = s[i] < 0x80 ? 1 : (s[i] & 0xE0) == 0xC0 ? 2 : (s[i] & 0xF0) == 0xE0 ? 3
                 : (s[i] & 0xF8) == 0xF0 ? 4 : 0;
        if (k == 0 || k > n - i) return 0;
        for (size_t j = 1; j < k; j++)
            if ((s[i + j] & 0xC0) != 0x80) return 0;
        if (k == 4 && (((uint32_t)(s[i] & 7) << 18) | ((uint32_t)(s[i + 1] & 0x3F) << 12)) > 0x10FFFF)
            return 0;
        i += k;
    }
    return 1;
}

/* Round trips, as llama.cpp's test-tokenizer-1-bpe and -spm check them on
 * the pieces that are UTF-8 (a lone byte of a longer character is not):
 * Llama 3 (merges ignored for whole tokens): every token's piece encodes
 * back to that one token; Llama 2: the pieces of any token's piece, encoded,
 * spell that piece again, after the space prefix. */
TEST(piece_round_trip) {
    CHECK(load(&spm, "gguf/llama2-vocab.gguf") == 0 && load(&bpe, "gguf/llama3-vocab.gguf") == 0,
          "cannot load the vocabularies");
    if (check_failed_) return;
    int ids[256], n, tried = 0;
    llama_error err;
    char buf[256], back[1024];
    for (int id = 0; id < 128256 && !check_failed_; id++) {
        size_t len = vocab_piece(bpe.v, id, buf, sizeof buf);
        if (len == 0 || !is_utf8((unsigned char *)buf, len)) continue;
        tried++;
        CHECK(encode_text(bpe.v, buf, len, 0, 0, ids, 256, &n, &err) == 0 && n == 1 && ids[0] == id,
              "token %d: its piece encodes to %d ids, the first %d", id, n, ids[0]);
    }
    CHECK(tried > 126000, "only %d Llama 3 pieces are UTF-8", tried);
    tried = 0;
    for (int id = 0; id < 32000 && !check_failed_; id++) {
        size_t len = vocab_piece(spm.v, id, buf, sizeof buf);
        if (len == 0 || !is_utf8((unsigned char *)buf, len)) continue;
        tried++;
        CHECK(encode_text(spm.v, buf, len, 0, 0, ids, 256, &n, &err) == 0, "%.200s", err.msg);
        size_t m = 0;
        for (int i = 0; i < n; i++) m += vocab_piece(spm.v, ids[i], back + m, sizeof back - m);
        CHECK(m == len + 1 && back[0] == ' ' && memcmp(back + 1, buf, len) == 0,
              "token %d: %zu bytes back for %zu", id, m, len);
    }
    CHECK(tried > 31000, "only %d Llama 2 pieces are UTF-8", tried);
}

/* ---------------------------------------------------------------- limits and errors */

TEST(errors) {
    CHECK(load(&bpe, "gguf/llama3-vocab.gguf") == 0, "is false");
    if (check_failed_) return;
    static char big[MAX_TEXT + 2];
    memset(big, 'a', sizeof big);
    int ids[4], n = 99;
    llama_error err;
    err.msg[0] = 0;
    CHECK(encode_text(bpe.v, big, MAX_TEXT + 1, 0, 0, ids, 4, &n, &err) == -1 && n == 0, "is false");
    CHECK(strstr(err.msg, "longer") != NULL, "%.200s", err.msg);
    CHECK(encode_text(bpe.v, "a b c d e", 9, 0, 0, ids, 4, &n, &err) == -1, "is false");
    CHECK(strstr(err.msg, "more than 4 tokens") != NULL, "%.200s", err.msg);
    CHECK(encode_text(bpe.v, "a b c d", 7, 0, 0, ids, 4, &n, &err) == 0 && n == 4, "is false");
    /* an unknown pre-tokenizer is refused, by name */
    llama_vocab d = bpe.d;
    strcpy(d.pre, "qwen2");
    CHECK(vocab_check(&d, &err) == -1 && strstr(err.msg, "'qwen2'") != NULL, "%.200s", err.msg);
    d = bpe.d;
    d.merges = NULL;
    CHECK(vocab_check(&d, &err) == -1, "is false");
    d = bpe.d;
    d.add_bos = 1;
    d.bos = LLAMA_TOKEN_NONE;            /* keeps the default, 11 */
    CHECK(vocab_check(&d, &err) == 0, "is false");
    d.n_tokens = 5;                      /* no default either */
    d.eos = d.bos = LLAMA_TOKEN_ABSENT;
    CHECK(vocab_check(&d, &err) == -1 && strstr(err.msg, "BOS") != NULL, "%.200s", err.msg);
    d = spm.d.tokens ? spm.d : bpe.d;
    d.kind = LLAMA_VOCAB_RUNC;
    CHECK(vocab_check(&d, &err) == -1, "is false");
}

/* ---------------------------------------------------------------- speed */

/* CPU time: the machine may be shared, and wall time would count the others. */
static double seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

TEST(speed) {
    CHECK(load(&bpe, "gguf/llama3-vocab.gguf") == 0 && load(&spm, "gguf/llama2-vocab.gguf") == 0, "is false");
    if (check_failed_) return;
    /* the tables of 128256 tokens and 280147 merges */
    void *mem;
    double t0 = seconds();
    Vocab *v = vocab_file_open(&bpe.d, MAX_TEXT, &mem);
    double build = seconds() - t0;
    CHECK(v != NULL, "is false");
    free(v);
    free(mem);
    /* ASan builds run several times slower: a looser bound there */
    double limit = getenv("ASAN_OPTIONS") ? 1.0 : 0.2;
    CHECK(build < limit, "building Llama 3's tables took %.0f ms", build * 1e3);
    /* 8 KB and 16 KB of text, of words and of one long word: about linear */
    static char text[MAX_TEXT];
    static int ids[MAX_TEXT + 8];
    Loaded *ls[2] = { &bpe, &spm };
    for (int k = 0; k < 2; k++)
        for (int kind = 0; kind < 2; kind++) {
            for (int i = 0; i < MAX_TEXT; i++)
                text[i] = kind ? "abcdefghij"[i % 10] : "The cat sat on a mat. "[i % 22];
            double t[2];
            for (int s = 0; s < 2; s++) {
                int n;
                llama_error err;
                t0 = seconds();
                CHECK(encode_text(ls[k]->v, text, (size_t)(MAX_TEXT / 2 << s), 0, 0, ids,
                                  MAX_TEXT + 8, &n, &err) == 0, "%.200s", err.msg);
                t[s] = seconds() - t0;
            }
            CHECK(t[1] < limit, "vocab %d kind %d: 16 KB took %.0f ms", k, kind, t[1] * 1e3);
            CHECK(t[1] < 4 * t[0] + 0.002, "vocab %d kind %d: 8 KB %.1f ms, 16 KB %.1f ms", k,
                  kind, t[0] * 1e3, t[1] * 1e3);
        }
}

/* ---------------------------------------------------------------- the engine's reading */

/* The models' vocabularies as llama_gguf_parse reads them equal what
 * vocab_file.h reads (which the tests and the fuzzer use). */
TEST(vocab_file_agrees) {
    const char *models[] = { "gguf/tinyllama-mini-Q4_K_M.gguf", "gguf/llama3-mini-Q4_K_M.gguf" };
    for (int i = 0; i < 2; i++) {
        size_t size;
        unsigned char *file = model_file(models[i], &size);
        CHECK(file != NULL, "cannot find %s", models[i]);
        if (!file) return;
        llama_model *m = malloc(sizeof *m);
        llama_vocab d;
        llama_error err;
        CHECK(llama_gguf_parse(m, file, size, &err) == 0, "%.200s", err.msg);
        CHECK(vocab_file_read(&d, file, size) == 0, "is false");
        CHECK(memcmp(&d, &m->vocab, sizeof d) == 0, "%s: the readings differ", models[i]);
        free(m);
        free(file);
    }
}

RUN_TESTS(llama2_vectors, llama3_vectors, golden_prompts, user_text_is_never_control, parts_join,
          bos_eos_and_eog, pieces, piece_round_trip, errors, speed, vocab_file_agrees)
