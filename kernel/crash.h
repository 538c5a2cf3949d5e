/* --crash KIND: raise a CPU exception on purpose, so the tests can check
 * that every kind is reported and ends in a failure exit. */
#ifndef KERNEL_CRASH_H
#define KERNEL_CRASH_H

__attribute__((noreturn)) void crash_now(const char *kind);

#endif
