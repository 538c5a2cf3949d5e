#!/usr/bin/env python3
"""The oracle of test_pretokenize: random texts and how llama.cpp's
pre-tokenizers cut them into words, computed here with Python's re module
from the regular expressions themselves (llama.cpp's src/llama-vocab.cpp),
not from a port of its splitters.

Usage: pretokenize_oracle.py SEED COUNT
Prints COUNT lines per pre-tokenizer: NAME, the text in hex (UTF-8), and the
word lengths in code points, tab-separated.

llama.cpp applies a pre-tokenizer's expressions one after the other, each to
every word the previous ones left, keeping what lies between matches as
words too. Its custom splitters for GPT-2's and Llama 3's expressions follow
the expressions with \\s as Unicode's White_Space, \\p{L} and \\p{N} as the
general categories; the other expressions run through std::regex with
every code point beyond ASCII collapsed to its class, so that there \\p{P}
in ASCII is the set llama.cpp lists (which leaves out '`'), and \\p{N} in
ASCII the digits. Python's re has no \\p{...}: the classes are spelled out
from the unicodedata module."""
import random
import re
import sys
import unicodedata

WHITE_SPACE = [0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x20, 0x85, 0xA0, 0x1680] + \
    list(range(0x2000, 0x200B)) + [0x2028, 0x2029, 0x202F, 0x205F, 0x3000]


def char_class(pred):
    """A character class body for every code point pred accepts."""
    out, start = [], None
    for cp in range(0x110001):
        ok = cp <= 0x10FFFF and (cp < 0xD800 or cp > 0xDFFF) and pred(cp)
        if ok and start is None:
            start = cp
        elif not ok and start is not None:
            out.append(re.escape(chr(start)) if start == cp - 1 else
                       "%s-%s" % (re.escape(chr(start)), re.escape(chr(cp - 1))))
            start = None
    return "".join(out)


CATS = [unicodedata.category(chr(cp))[0] for cp in range(0x110000)]


def cat(cp):
    return CATS[cp]


L = char_class(lambda cp: cat(cp) == "L")
N = char_class(lambda cp: cat(cp) == "N")
S = "".join(re.escape(chr(c)) for c in WHITE_SPACE)

GPT2 = re.compile(r"'s|'t|'re|'ve|'m|'ll|'d| ?[%s]+| ?[%s]+| ?[^%s%s%s]+|[%s]+(?![^%s])|[%s]+"
                  % (L, N, S, L, N, S, S, S))
LLAMA3 = re.compile(r"(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\r\n%s%s]?[%s]+|"
                    r"[%s]{1,3}| ?[^%s%s%s]+[\r\n]*|[%s]*[\r\n]+|[%s]+(?![^%s])|[%s]+"
                    % (L, N, L, N, S, L, N, S, S, S, S))
# the collapsed classes of llama.cpp's std::regex path
ASCII_PUNCT = "".join(re.escape(chr(c)) for c in range(0x21, 0x7F)
                      if c not in range(0x30, 0x3A) and not chr(c).isalpha() and c != 0x60)
P_BEYOND = char_class(lambda cp: cp >= 0x80 and cat(cp) == "P")
N_BEYOND = char_class(lambda cp: cp >= 0x80 and cat(cp) == "N")
PUNCT_RUNS = re.compile("[%s%s]+" % (ASCII_PUNCT, P_BEYOND))
NUMBER_RUNS = re.compile("[0-9%s]+" % N_BEYOND)
NUMBER = re.compile("[0-9%s]" % N_BEYOND)
DIGIT_TRIPLES = re.compile("[0-9][0-9][0-9]")

PRE = {
    "default": [PUNCT_RUNS, GPT2, NUMBER_RUNS, DIGIT_TRIPLES],
    "gpt-2": [GPT2],
    "llama-bpe": [LLAMA3],
    "smollm": [NUMBER, GPT2],
}


def split(exprs, text):
    words = [text]
    for expr in exprs:
        out = []
        for w in words:
            at = 0
            for m in expr.finditer(w):
                if m.start() > at:
                    out.append(w[at:m.start()])
                if m.end() > m.start():
                    out.append(m.group())
                at = m.end()
            if at < len(w):
                out.append(w[at:])
        words = out
    return words


ALPHABET = (list("abcdefghijklmnopqrstuvwxyzSTDMLRVEABC0123456789") +
            list(" " * 12 + "\t\n\r\v\f" + "'" * 6 + ".,!?;:-_()[]{}<>|$+=^~`@#%&*/\\\"") +
            ["é", "Ж", "日", "ß", "Σ", "ـ", "٣", "½", "²", "Ⅻ", "\u0301", "\u0903", "€", "©",
             "🦙", "😀", "\u3000", "\u00a0", "\u2003", "\u0085", "\u200b", "\u2028", "\x1c",
             "\x00", "\x7f", "\ue000", "\U0010fffd", "¿", "«", "—", "・", "\u0378"] +
            ["'s", "'t", "'re", "'ve", "'m", "'ll", "'d", "'S", "'LL", "'Re", "'vE", "'D", "'x",
             " the", " Hello", "1234567", " 42", "\r\n", " \n", "  ", "...", " !!"])


def text(rng):
    n = rng.randint(0, 40)
    return "".join(rng.choice(ALPHABET) for _ in range(n))


def main():
    seed, count = int(sys.argv[1]), int(sys.argv[2])
    rng = random.Random(seed)
    for name, exprs in PRE.items():
        for _ in range(count):
            t = text(rng)
            lens = [len(w) for w in split(exprs, t)]
            print("%s\t%s\t%s" % (name, t.encode().hex(), ",".join(map(str, lens))))


if __name__ == "__main__":
    main()
