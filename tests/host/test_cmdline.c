/* Tests lib/cmdline.c: GRUB's re-quoted command lines come apart into the
 * arguments grub.cfg had; quoting, escapes, blanks, and every error (never a
 * silent truncation). */
#include <stdarg.h>

#include "tests/check.h"
#include "lib/cmdline.h"

/* Splits line and checks the arguments against the NULL-terminated list. */
static void expect(const char *line, ...)
{
    char buf[512], err[128];
    char *argv[32];
    int argc = -1;
    va_list ap;

    int r = cmdline_split(line, buf, sizeof buf, argv, 32, &argc, err, sizeof err);
    CHECK(r == 0, "[%s]: %s", line, err);
    CHECK(err[0] == 0, "[%s]: err set on success: %s", line, err);
    va_start(ap, line);
    int i = 0;
    for (const char *want; (want = va_arg(ap, const char *)); i++) {
        CHECK(i < argc, "[%s]: only %d arguments, want more", line, argc);
        if (i >= argc)
            break;
        CHECK(strcmp(argv[i], want) == 0, "[%s]: argv[%d] = [%s], want [%s]", line, i, argv[i], want);
    }
    va_end(ap);
    CHECK(argc == i, "[%s]: %d arguments, want %d", line, argc, i);
    CHECK(argc >= 0 && argv[argc] == NULL, "[%s]: argv not NULL-terminated", line);
}

/* Expects a failure whose message contains the word. */
static void expect_error(const char *line, size_t buflen, int max_args, const char *word)
{
    char buf[512], err[128];
    char *argv[32];
    int argc = -1;

    argv[0] = (char *)"junk";
    int r = cmdline_split(line, buf, buflen, argv, max_args, &argc, err, sizeof err);
    CHECK(r == -1, "[%s]: succeeded, want an error about %s", line, word);
    CHECK(argc == 0, "[%s]: argc %d after an error", line, argc);
    CHECK(max_args < 1 || argv[0] == NULL, "[%s]: argv[0] not cleared", line);
    CHECK(strstr(err, word) != NULL, "[%s]: error \"%s\" does not mention %s", line, err, word);
    CHECK(strchr(err, '\n') == NULL, "[%s]: newline in error", line);
}

TEST(plain_words)
{
    expect("-t 0.8 -n 256", "-t", "0.8", "-n", "256", NULL);
    expect("  -t\t0.8 \t\n -n  256  ", "-t", "0.8", "-n", "256", NULL);
    expect("one", "one", NULL);
    expect("--exit", "--exit", NULL);
}

TEST(empty_lines)
{
    expect("", NULL);
    expect("   ", NULL);
    expect("\t \t\r\n", NULL);
    expect(NULL, NULL);
}

TEST(grub_requoting)
{
    /* grub.cfg: -i "Lily's dog"   arrives as: -i "Lily\'s dog" */
    expect("-i \"Lily\\'s dog\"", "-i", "Lily's dog", NULL);
    /* grub.cfg: -t 0 -i "Lily's dog said \"hi\"" */
    expect("-t 0 -i \"Lily\\'s dog said \\\"hi\\\"\"", "-t", "0", "-i",
           "Lily's dog said \"hi\"", NULL);
    /* a backslash in an argument arrives doubled */
    expect("-i \"a\\\\b c\"", "-i", "a\\b c", NULL);
    expect("-i \"Once upon a time\" --exit", "-i", "Once upon a time", "--exit", NULL);
}

TEST(quotes)
{
    expect("\"\"", "", NULL);
    expect("'' x \"\"", "", "x", "", NULL);
    expect("a\"b c\"d", "ab cd", NULL);
    expect("'it''s'", "its", NULL);
    expect("'a \\ b \" c'", "a \\ b \" c", NULL);      /* no escapes in single quotes */
    expect("\"it's\"", "it's", NULL);                  /* ' is literal in double quotes */
    expect("'say \"hi\"'", "say \"hi\"", NULL);
    expect("\"  spaced\tout  \"", "  spaced\tout  ", NULL);
    expect("-i \"\" -n 5", "-i", "", "-n", "5", NULL);
}

TEST(escapes)
{
    expect("a\\ b", "a b", NULL);
    expect("\\\"x\\\"", "\"x\"", NULL);
    expect("\\'", "'", NULL);
    expect("\\\\", "\\", NULL);
    expect("\\n", "n", NULL);
    expect("\"\\x\"", "x", NULL);
}

TEST(errors)
{
    expect_error("-i \"open", 512, 32, "double quote at column 4");
    expect_error("-i 'open", 512, 32, "single quote at column 4");
    expect_error("a \"b\" \"c", 512, 32, "never closed");
    expect_error("trailing\\", 512, 32, "backslash");
    expect_error("\"in quotes\\", 512, 32, "backslash");
    expect_error("a b c d", 512, 4, "more than 3 arguments");
    expect_error("a", 512, 1, "more than 0 arguments");
    expect_error("a", 512, 0, "no room");
    expect_error("abcdef", 6, 32, "6-byte buffer");
    expect_error("ab cd", 5, 32, "buffer");
    expect_error("\"abcdefgh\"", 4, 32, "buffer");
}

TEST(exact_fits)
{
    char buf[8], err[64];
    char *argv[4];
    int argc;

    CHECK(cmdline_split("abcdef", buf, 7, argv, 2, &argc, err, sizeof err) == 0, "%s", err);
    CHECK(argc == 1 && strcmp(argv[0], "abcdef") == 0 && argv[1] == NULL, "fit");
    CHECK(cmdline_split("ab cd", buf, 6, argv, 3, &argc, err, sizeof err) == 0, "%s", err);
    CHECK(argc == 2 && strcmp(argv[1], "cd") == 0 && argv[2] == NULL, "fit 2");
    CHECK(cmdline_split("   ", buf, 0, argv, 1, &argc, err, sizeof err) == 0 && argc == 0,
          "blank line needs no buffer");
    CHECK(cmdline_split("a b", buf, sizeof buf, argv, 4, &argc, err, 0) == 0, "errlen 0");
    CHECK(cmdline_split("\"a", buf, sizeof buf, argv, 4, &argc, err, 0) == -1, "errlen 0 err");
}

RUN_TESTS(plain_words, empty_lines, grub_requoting, quotes, escapes, errors, exact_fits)
