/* Splitting the multiboot2 command line into an argv array.
 *
 * GRUB hands the kernel its command line without the kernel's path and with
 * every argument re-quoted: `-i "Lily's dog"` in grub.cfg arrives as
 * `-i "Lily\'s dog"`. So the line is read the way a POSIX shell reads words:
 * blanks (space, tab, newline, CR, VT, FF) separate arguments; a backslash,
 * outside or inside double quotes, makes the next character literal; double
 * quotes group and keep blanks; single quotes group with no escapes inside.
 * Quotes may appear mid-word (a"b c"d is one argument, ab cd). No
 * allocation: the caller provides the storage. */
#ifndef LIB_CMDLINE_H
#define LIB_CMDLINE_H

#include <stddef.h>

/* Splits line (NULL counts as empty) into arguments. Their text goes into
 * buf (buflen >= strlen(line) + 1 always suffices); argv has room for
 * max_args pointers and receives at most max_args - 1 arguments followed by
 * a NULL, like main's argv but without a program name. Returns 0 and sets
 * *argc. On failure returns -1, sets *argc to 0 and writes one line without
 * "error: " and without newline into err: an unbalanced quote, a trailing
 * backslash, too many arguments or too little room in buf (never a silent
 * truncation). */
int cmdline_split(const char *line, char *buf, size_t buflen, char **argv, int max_args,
                  int *argc, char *err, size_t errlen);

#endif
