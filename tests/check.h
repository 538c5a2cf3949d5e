/* A tiny unit-test harness for host tests.
 * Each TEST(name) function runs once; CHECK records a failure with its line.
 * Every test prints one line "PASS name" or "FAIL name: why", which
 * tests/run.sh counts. main() is RUN_TESTS(t1, t2, ...). */
#ifndef TESTS_CHECK_H
#define TESTS_CHECK_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int check_failed_;
static char check_why_[512];

#define TEST(name) static void name(void)

/* CHECK_QUICK=1 (tests/host/sanitize.sh sets it): loops that run the same
 * code over more values take a sample, CHECK_SCALE(full, quick). The
 * sanitizers see the same paths in a fraction of the time; the full sweeps
 * run in the plain build. */
static inline int check_quick(void) {
    static int quick = -1;               /* read once: CHECK_SCALE sits in loop conditions */
    if (quick < 0) {
        const char *e = getenv("CHECK_QUICK");
        quick = e && *e && *e != '0';
    }
    return quick;
}
#define CHECK_SCALE(full, quick) (check_quick() ? (quick) : (full))

#define CHECK(cond, ...)                                                     \
    do {                                                                     \
        if (!(cond) && !check_failed_) {                                     \
            int n_ = snprintf(check_why_, sizeof check_why_, "%s:%d: %s: ",  \
                              __FILE__, __LINE__, #cond);                    \
            if (n_ > 0 && (size_t)n_ < sizeof check_why_)                    \
                snprintf(check_why_ + n_, sizeof check_why_ - n_, "" __VA_ARGS__); \
            check_failed_ = 1;                                               \
        }                                                                    \
    } while (0)

static int check_run_(const char *name, void (*fn)(void)) {
    check_failed_ = 0;
    check_why_[0] = 0;
    fn();
    if (check_failed_) printf("FAIL %s: %s\n", name, check_why_);
    else printf("PASS %s\n", name);
    fflush(stdout);
    return check_failed_;
}

#define RUN(fn) failures_ += check_run_(#fn, fn)
#define RUN_TESTS(...)                                                       \
    int main(void) {                                                         \
        int failures_ = 0;                                                   \
        void (*fns_[])(void) = {__VA_ARGS__};                                \
        const char *names_ = #__VA_ARGS__;                                   \
        char buf_[4096];                                                     \
        snprintf(buf_, sizeof buf_, "%s", names_);                           \
        char *save_ = NULL, *tok_ = strtok_r(buf_, ", \n\t", &save_);         \
        for (size_t i_ = 0; i_ < sizeof fns_ / sizeof fns_[0]; i_++) {       \
            failures_ += check_run_(tok_ ? tok_ : "?", fns_[i_]);            \
            tok_ = strtok_r(NULL, ", \n\t", &save_);                         \
        }                                                                    \
        return failures_ != 0;                                               \
    }

#endif
