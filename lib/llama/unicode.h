/* The little Unicode the GGUF tokenizers need, with llama.cpp's rules
 * (src/unicode.cpp): reading UTF-8 into code points, writing them back, the
 * class flags its pre-tokenizers test, GPT-2's byte-level alphabet, and the
 * white space Python strips. The tables are generated (unicode_tables.c,
 * by tools/gen-unicode.py from Python's Unicode database). */
#ifndef LIB_LLAMA_UNICODE_H
#define LIB_LLAMA_UNICODE_H

#include <stddef.h>
#include <stdint.h>

/* Flags of a code point: the major class of its general category (exactly
 * one of the first seven) and the White_Space property. */
#define UNICODE_NUMBER      0x01   /* \p{N} */
#define UNICODE_LETTER      0x02   /* \p{L} */
#define UNICODE_SEPARATOR   0x04   /* \p{Z} */
#define UNICODE_MARK        0x08   /* \p{M} */
#define UNICODE_PUNCTUATION 0x10   /* \p{P} */
#define UNICODE_SYMBOL      0x20   /* \p{S} */
#define UNICODE_CONTROL     0x40   /* \p{C}, unassigned code points included */
#define UNICODE_WHITESPACE  0x80   /* \s (White_Space) */

#define UNICODE_REPLACEMENT 0xFFFDu

/* The flags of cpt; 0 beyond U+10FFFF. */
unsigned unicode_flags(uint32_t cpt);

/* The code point that begins s[0..len) (len >= 1), and in *used its bytes,
 * as llama.cpp reads UTF-8: a lead byte and its continuation bytes, overlong
 * forms and surrogates accepted as they decode; a stray continuation byte,
 * a byte 0xF8..0xFF, a sequence cut short, or one beyond U+10FFFF (where
 * llama.cpp throws) is U+FFFD for one byte. */
uint32_t unicode_decode(const unsigned char *s, size_t len, size_t *used);

/* Writes cpt (at most U+10FFFF) as UTF-8 into out[0..4); returns the bytes. */
size_t unicode_encode(uint32_t cpt, unsigned char *out);

/* llama.cpp's unicode_len_utf8: the length a lead byte announces (1 for a
 * continuation byte or an ASCII one), from its high four bits. */
size_t unicode_utf8_len(unsigned char lead);

/* GPT-2's byte-level alphabet: the printable bytes stand for themselves,
 * the others for U+0100 onwards, in order. */
uint32_t unicode_byte_to_cpt(unsigned char byte);
/* The byte a code point of that alphabet stands for, or -1. */
int unicode_cpt_to_byte(uint32_t cpt);

/* Python's str.isspace(): what str.strip() and Jinja's trim remove. */
int unicode_is_py_space(uint32_t cpt);

/* The generated tables (unicode_tables.c). */
extern const uint32_t unicode_ranges[];
extern const uint8_t unicode_range_flags[];
extern const int unicode_n_ranges;
extern const uint32_t unicode_py_spaces[];
extern const int unicode_n_py_spaces;
extern const char unicode_version[];

#endif
