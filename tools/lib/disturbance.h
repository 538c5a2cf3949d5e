/* How `make bench` (tools/bench.c) tells a measurement that another process
 * disturbed from a steady one, from the figures of one row (one model, on
 * one core and on all): a run whose mean time per position is well above
 * its median (some positions waited for the CPU), the read bandwidth
 * roofline moving between before and after the runs, or all cores slower
 * than one. bench measures such a row again, and marks it if it stays so. */
#ifndef TOOLS_LIB_DISTURBANCE_H
#define TOOLS_LIB_DISTURBANCE_H

#include <stddef.h>

/* Index 0: one core; 1: all cores (cores > 1; else unused). */
typedef struct {
    int cores;
    double tok_s[2];                     /* the best run's tokens per second */
    double mean_ms[2], median_ms[2];     /* that run's time per position */
    double roof_before[2], roof_after[2];/* read GB/s before and after the runs */
} BenchRow;

#define DISTURBANCE_MEAN_OVER_MEDIAN 1.25   /* a steady run's mean is close to its median */
#define DISTURBANCE_ROOF_MOVE 0.20          /* a steady roofline moves less than 20% */

/* Writes the reasons the row looks disturbed into why, "; "-separated, one
 * line ("" when it looks steady); returns how many there are. */
int bench_disturbance(const BenchRow *row, char *why, size_t n);

#endif
