/* lib/llama/pretokenize and lib/llama/unicode: the BPE pre-tokenizers.
 *
 * Oracle: tests/host/pretokenize_oracle.py, which cuts random texts (ASCII,
 * letters, numbers, marks, symbols and white space beyond ASCII,
 * contractions, control characters) with Python's re module and the
 * regular expressions of llama.cpp's default, gpt-2, llama-bpe and smollm
 * pre-tokenizers, in llama.cpp's order. Llama 3's is also checked through
 * llama.cpp's own test vectors (test_vocab); the others have no vectors on
 * a vocabulary this project has, so this is their check. And the unicode
 * helpers: llama.cpp's UTF-8 reading (U+FFFD for one byte where it is not
 * UTF-8), the classes of a few code points, GPT-2's byte alphabet. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/check.h"
#include "lib/llama/pretokenize.h"
#include "lib/llama/unicode.h"

#define SEED "20261203"
#define COUNT "2500"

static int hex_value(char c) {
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

TEST(pretokenizers_match_the_regexes) {
    FILE *p = popen("python3 tests/host/pretokenize_oracle.py " SEED " " COUNT, "r");
    CHECK(p != NULL, "cannot run tests/host/pretokenize_oracle.py");
    if (!p) return;
    static char line[8192];
    static unsigned char text[2048];
    static uint32_t cpts[2048], words[2048], scratch[2048], want[2048];
    static uint8_t flags[2048];
    int cases[4] = { 0 }, bad = 0;
    while (fgets(line, sizeof line, p) && !bad) {
        char *name = strtok(line, "\t"), *hex = strtok(NULL, "\t"), *lens = strtok(NULL, "\t\n");
        if (!name || !hex) continue;
        int pre, ignore, add_bos;
        CHECK(pretok_lookup(name, &pre, &ignore, &add_bos) == 0, "unknown name %s", name);
        if (check_failed_) break;
        size_t len = 0;
        for (char *h = hex; h[0] && h[1]; h += 2) text[len++] = (unsigned char)(hex_value(h[0]) * 16 + hex_value(h[1]));
        size_t n = 0;
        for (size_t i = 0; i < len; n++) {
            size_t used;
            cpts[n] = unicode_decode(text + i, len - i, &used);
            flags[n] = (uint8_t)unicode_flags(cpts[n]);
            i += used;
        }
        size_t n_want = 0;
        for (char *s = lens; s && *s;) {
            want[n_want++] = (uint32_t)strtoul(s, &s, 10);
            if (*s == ',') s++;
        }
        size_t n_got = pretok_split(pre, cpts, flags, n, words, scratch);
        int same = n_got == n_want && memcmp(words, want, n_got * sizeof *words) == 0;
        CHECK(same, "%s: text %.200s: %zu words, want %zu", name, hex, n_got, n_want);
        bad = !same;
        cases[pre]++;
    }
    while (fgets(line, sizeof line, p)) continue;   /* let the oracle finish */
    pclose(p);
    for (int i = 0; i < 4; i++) CHECK(bad || cases[i] == atoi(COUNT), "%d cases of pre-tokenizer %d", cases[i], i);
}

TEST(names) {
    int pre, ignore, add_bos;
    CHECK(pretok_lookup("llama-bpe", &pre, &ignore, &add_bos) == 0 && pre == PRETOK_LLAMA3 &&
          ignore && add_bos, "llama-bpe");
    CHECK(pretok_lookup("", &pre, &ignore, &add_bos) == 0 && pre == PRETOK_DEFAULT && !ignore &&
          !add_bos, "no name is default");
    CHECK(pretok_lookup("smollm", &pre, &ignore, &add_bos) == 0 && pre == PRETOK_SMOLLM, "smollm");
    CHECK(pretok_lookup("gpt-2", &pre, &ignore, &add_bos) == 0 && pre == PRETOK_GPT2, "gpt-2");
    CHECK(pretok_lookup("qwen2", &pre, &ignore, &add_bos) == -1, "qwen2 is not one of them");
    CHECK(pretok_lookup("Llama-bpe", &pre, &ignore, &add_bos) == -1, "names are exact");
}

TEST(utf8_as_llama_cpp_reads_it) {
    struct { const char *s; size_t len; uint32_t cpt; size_t used; } cases[] = {
        { "a", 1, 'a', 1 },
        { "\xc3\xa9", 2, 0xE9, 2 },
        { "\xe2\x96\x81", 3, 0x2581, 3 },
        { "\xf0\x9f\xa6\x99", 4, 0x1F999, 4 },
        { "\xc0\x80", 2, 0, 2 },                    /* overlong: read as it decodes */
        { "\xed\xa0\x80", 3, 0xD800, 3 },            /* a surrogate too */
        { "\x80", 1, 0xFFFD, 1 },                    /* no lead byte */
        { "\xc3", 1, 0xFFFD, 1 },                    /* cut short */
        { "\xe2\x96" "a", 3, 0xFFFD, 1 },            /* a continuation missing */
        { "\xf8\x88\x80\x80\x80", 5, 0xFFFD, 1 },    /* no such lead */
        { "\xf4\x90\x80\x80", 4, 0xFFFD, 1 },        /* beyond U+10FFFF */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t used;
        uint32_t c = unicode_decode((const unsigned char *)cases[i].s, cases[i].len, &used);
        CHECK(c == cases[i].cpt && used == cases[i].used, "case %zu: U+%04X, %zu bytes", i, c, used);
    }
    unsigned char u[4];
    CHECK(unicode_encode(0x10FFFF, u) == 4 && memcmp(u, "\xf4\x8f\xbf\xbf", 4) == 0, "U+10FFFF");
    CHECK(unicode_utf8_len(0xF0) == 4 && unicode_utf8_len(0x80) == 1 && unicode_utf8_len(0xC0) == 2,
          "lead byte lengths");
}

TEST(classes) {
    CHECK(unicode_flags('a') == UNICODE_LETTER && unicode_flags('7') == UNICODE_NUMBER, "ASCII");
    CHECK(unicode_flags(' ') == (UNICODE_SEPARATOR | UNICODE_WHITESPACE), "space");
    CHECK(unicode_flags('\n') == (UNICODE_CONTROL | UNICODE_WHITESPACE), "newline");
    CHECK(unicode_flags(0x1C) == UNICODE_CONTROL, "0x1C is not White_Space");
    CHECK(unicode_flags(0x3000) == (UNICODE_SEPARATOR | UNICODE_WHITESPACE), "ideographic space");
    CHECK(unicode_flags(0x0301) == UNICODE_MARK && unicode_flags(0x20AC) == UNICODE_SYMBOL, "marks");
    CHECK(unicode_flags(0x00BD) == UNICODE_NUMBER && unicode_flags(0x65E5) == UNICODE_LETTER, "½ 日");
    CHECK(unicode_flags(0x0378) == UNICODE_CONTROL, "unassigned is C");
    CHECK(unicode_flags(0x110000) == 0, "beyond Unicode");
    CHECK(unicode_is_py_space(0x1C) && unicode_is_py_space(0x3000) && !unicode_is_py_space(0x200B),
          "Python's isspace");
}

TEST(byte_alphabet) {
    CHECK(unicode_byte_to_cpt(' ') == 0x120 && unicode_byte_to_cpt('\n') == 0x10A, "Ġ and Ċ");
    CHECK(unicode_byte_to_cpt('A') == 'A' && unicode_byte_to_cpt(0xAD) == 0x143, "A and soft hyphen");
    int seen[0x144] = { 0 };
    for (int b = 0; b < 256; b++) {
        uint32_t c = unicode_byte_to_cpt((unsigned char)b);
        CHECK(c < 0x144 && !seen[c]++ && unicode_cpt_to_byte(c) == b, "byte %d", b);
    }
    CHECK(unicode_cpt_to_byte(0x144) == -1 && unicode_cpt_to_byte(0x20) == -1, "outside the alphabet");
}

RUN_TESTS(pretokenizers_match_the_regexes, names, utf8_as_llama_cpp_reads_it, classes, byte_alphabet)
