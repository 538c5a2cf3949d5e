/* A progress bar for long reads, on every console: one line rewritten in
 * place ("\r"), at most a few times a second, with the MiB done, the rate
 * and the time left; the last state stays on the screen and in the log. */
#ifndef KERNEL_PROGRESS_H
#define KERNEL_PROGRESS_H

#include <stdint.h>

struct progress {
    uint64_t total, done;
    uint64_t t_start, t_drawn;   /* ns */
    unsigned last_width;         /* of the line drawn last, to blank its tail */
};

void progress_start(struct progress *p, uint64_t total);
/* done bytes so far; drawn when 250 ms have passed since the last time. */
void progress_update(struct progress *p, uint64_t done);
/* Draws the final state and ends the line. */
void progress_end(struct progress *p);

#endif
