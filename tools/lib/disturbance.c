/* The signs of a disturbed bench row (see disturbance.h). Each is a plain
 * comparison of figures the bench has anyway, so a row costs nothing more
 * to judge than the second roofline measurement. */
#include "tools/lib/disturbance.h"

#include <stdarg.h>
#include <stdio.h>

static const char *const where[2] = {"one core", "all cores"};

__attribute__((format(printf, 4, 5)))
static void add(char *why, size_t n, int *count, const char *fmt, ...) {
    size_t have = 0;
    while (have < n && why[have]) have++;
    if (have + 1 >= n) {
        (*count)++;
        return;
    }
    if (*count) have += (size_t)snprintf(why + have, n - have, "; ");
    if (have < n) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(why + have, n - have, fmt, ap);
        va_end(ap);
    }
    (*count)++;
}

int bench_disturbance(const BenchRow *row, char *why, size_t n) {
    int count = 0, configs = row->cores > 1 ? 2 : 1;
    if (n) why[0] = 0;
    for (int k = 0; k < configs; k++) {
        if (row->median_ms[k] > 0 && row->mean_ms[k] > DISTURBANCE_MEAN_OVER_MEDIAN * row->median_ms[k])
            add(why, n, &count, "on %s the mean position took %.1fx the median", where[k],
                row->mean_ms[k] / row->median_ms[k]);
        double b = row->roof_before[k], a = row->roof_after[k];
        if (b > 0 && a > 0 && (a < (1 - DISTURBANCE_ROOF_MOVE) * b || a > (1 + DISTURBANCE_ROOF_MOVE) * b))
            add(why, n, &count, "the %s roofline moved from %.1f to %.1f GB/s", where[k], b, a);
    }
    if (configs == 2 && row->tok_s[1] > 0 && row->tok_s[1] < row->tok_s[0])
        add(why, n, &count, "%d cores were slower than one (%.1f against %.1f tok/s)", row->cores,
            row->tok_s[1], row->tok_s[0]);
    return count;
}
