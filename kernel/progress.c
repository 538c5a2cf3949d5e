/* The progress bar (see progress.h). The line stays under 80 columns so
 * that "\r" returns to its start on any screen the console offers. */
#include "kernel/progress.h"
#include "kernel/console.h"
#include "kernel/time.h"
#include "lib/format.h"
#include "lib/libc.h"

#define BAR 20
#define MIB (1024.0 * 1024.0)

static void draw(struct progress *p, uint64_t now, int final) {
    char bar[BAR + 1], line[100];
    unsigned filled = p->total ? (unsigned)(p->done * BAR / p->total) : BAR;
    for (unsigned i = 0; i < BAR; i++) bar[i] = i < filled ? '#' : '-';
    bar[BAR] = 0;
    double secs = (now - p->t_start) / 1e9;
    double rate = secs > 0 ? p->done / MIB / secs : 0;
    int n = fmt_snprintf(line, sizeof line, "\r[%s] %.1f of %.1f MiB, %.1f MiB/s", bar, p->done / MIB,
                         p->total / MIB, rate);
    if (final) n += fmt_snprintf(line + n, sizeof line - (size_t)n, ", %.1f s", secs);
    else if (rate > 0) n += fmt_snprintf(line + n, sizeof line - (size_t)n, ", %.0f s left",
                                         (p->total - p->done) / MIB / rate + 0.5);
    unsigned width = (unsigned)n;
    while (width < p->last_width && (size_t)n + 1 < sizeof line) line[n++] = ' ', width++;   /* blank the old tail */
    line[n] = 0;
    p->last_width = (unsigned)n;
    console_write(line, (size_t)n);
    p->t_drawn = now;
}

void progress_start(struct progress *p, uint64_t total) {
    memset(p, 0, sizeof *p);
    p->total = total;
    p->t_start = time_ns();
    draw(p, p->t_start, 0);
}

void progress_update(struct progress *p, uint64_t done) {
    p->done = done;
    uint64_t now = time_ns();
    if (now - p->t_drawn >= 250000000ull) draw(p, now, 0);
}

void progress_end(struct progress *p) {
    draw(p, time_ns(), 1);
    console_write("\n", 1);
}
