/* The host programs' way to fail: one line "error: ..." on stderr, exit 1. */
#ifndef TOOLS_LIB_DIE_H
#define TOOLS_LIB_DIE_H

__attribute__((noreturn, format(printf, 1, 2))) void die(const char *fmt, ...);
/* Run before exiting through die (e.g. remove a half-written output file). */
void die_cleanup(void (*fn)(void));

#endif
