/* Tests the kernel's lib/libc/string.c on the host. The file is included
 * here with its functions renamed (k_memcpy, ...), so that it cannot clash
 * with the host C library, and compared with the host's functions on many
 * lengths, alignments and overlaps. */
#include <stdint.h>
#include <stdlib.h>

#include "tests/check.h"

#define memcpy k_memcpy
#define memmove k_memmove
#define memset k_memset
#define memcmp k_memcmp
#define strlen k_strlen
#define strcmp k_strcmp
#define strncmp k_strncmp
#define strchr k_strchr
#include "lib/libc/string.c"
#undef memcpy
#undef memmove
#undef memset
#undef memcmp
#undef strlen
#undef strcmp
#undef strncmp
#undef strchr

static int sign(int x) { return (x > 0) - (x < 0); }

static unsigned char src[600], a[600], b[600];

static void fill(unsigned char *p, size_t n, unsigned seed)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (unsigned char)(seed = seed * 1103515245u + 12345u) >> 3;
}

TEST(copy_and_set)
{
    fill(src, sizeof src, 1);
    for (size_t off = 0; off < 16; off++)
        for (size_t n = 0; n < 300; n += (n < 40 ? 1 : 7)) {
            memset(a, 0xAA, sizeof a);
            memset(b, 0xAA, sizeof b);
            void *r = k_memcpy(a + off, src + 3, n);
            memcpy(b + off, src + 3, n);
            CHECK(r == a + off && memcmp(a, b, sizeof a) == 0, "memcpy off %zu n %zu", off, n);
            r = k_memset(a + off, (int)(n + 0x100), n);     /* only the low byte counts */
            memset(b + off, (int)(n + 0x100), n);
            CHECK(r == a + off && memcmp(a, b, sizeof a) == 0, "memset off %zu n %zu", off, n);
        }
}

TEST(move_overlapping)
{
    for (size_t from = 0; from < 40; from += 3)
        for (size_t to = 0; to < 40; to += 5)
            for (size_t n = 0; n < 500; n += (n < 30 ? 1 : 37)) {
                fill(a, sizeof a, (unsigned)(from + to + n));
                memcpy(b, a, sizeof a);
                void *r = k_memmove(a + to, a + from, n);
                memmove(b + to, b + from, n);
                CHECK(r == a + to && memcmp(a, b, sizeof a) == 0, "from %zu to %zu n %zu", from, to, n);
            }
    /* The direction flag must be clear again afterwards: a forward copy. */
    fill(src, sizeof src, 7);
    k_memcpy(a, src, 100);
    CHECK(memcmp(a, src, 100) == 0, "forward copy after a backward move");
}

TEST(compare)
{
    fill(a, sizeof a, 3);
    for (size_t n = 0; n < 64; n++)
        for (size_t i = 0; i < n; i++) {
            memcpy(b, a, n);
            b[i] ^= (unsigned char)(0x80 | i);
            CHECK(sign(k_memcmp(a, b, n)) == sign(memcmp(a, b, n)), "n %zu i %zu", n, i);
            CHECK(k_memcmp(a, a, n) == 0, "n %zu", n);
        }
    CHECK(k_memcmp("\xff", "\x01", 1) > 0, "bytes compare unsigned");
}

TEST(strings)
{
    static const char *s[] = {"", "a", "ab", "abc", "abd", "b", "\xc3\xa9t\xc3\xa9", "abc\x80", "hello world"};
    size_t ns = sizeof s / sizeof *s;
    for (size_t i = 0; i < ns; i++) {
        CHECK(k_strlen(s[i]) == strlen(s[i]), "strlen \"%s\"", s[i]);
        for (size_t j = 0; j < ns; j++) {
            CHECK(sign(k_strcmp(s[i], s[j])) == sign(strcmp(s[i], s[j])), "strcmp %zu %zu", i, j);
            for (size_t n = 0; n < 6; n++)
                CHECK(sign(k_strncmp(s[i], s[j], n)) == sign(strncmp(s[i], s[j], n)),
                      "strncmp %zu %zu %zu", i, j, n);
        }
        for (int c = 0; c < 256; c++)
            CHECK(k_strchr(s[i], c) == strchr(s[i], c), "strchr \"%s\" %d", s[i], c);
    }
    CHECK(k_strchr("abc", 'a' + 256) == strchr("abc", 'a' + 256), "strchr converts c to char");
    char big[5000];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = 0;
    CHECK(k_strlen(big) == sizeof big - 1, "long string");
}

RUN_TESTS(copy_and_set, move_overlapping, compare, strings)
