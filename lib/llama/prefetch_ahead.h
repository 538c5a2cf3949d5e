/* For the batched kernels that pack panels of rows: the weights of the
 * next panel (or piece of one) are fetched into the cache while this
 * one's blocks are computed, a few lines at a time. A packer reads its 16
 * (or 8) rows at once, short streams that the hardware's prefetcher hardly
 * follows: perf on TinyLlama's Q8_0 pp128 put a third of AMX's time on the
 * packer's first load of each block; with this, bench's pp128 went from
 * 146 to 167 tok/s on one core (Xeon with AMX, one hour). */
#ifndef LIB_LLAMA_PREFETCH_AHEAD_H
#define LIB_LLAMA_PREFETCH_AHEAD_H

#include <stddef.h>
#include "lib/llama/simd.h"
#include "lib/llama/tensor.h"

typedef struct {
    const unsigned char *base;   /* row 0 of the region */
    size_t stride, len, off;     /* bytes between rows, bytes of each row, position in the row */
    int row, rows, per;          /* the row at, rows in all, lines a step */
} Ahead;

/* Rows [p, p + height) of w (those below r1), blocks [b, b + nb) of each
 * (of block_bytes), fetched over `steps` calls of ahead_step. */
static inline void ahead_begin(Ahead *a, const llama_tensor *w, int p, int height, int r1, int b, int nb,
                               size_t block_bytes, int steps) {
    a->rows = p < r1 ? (r1 - p < height ? r1 - p : height) : 0;
    a->base = (const unsigned char *)w->data + (size_t)p * w->row_bytes + (size_t)b * block_bytes;
    a->stride = w->row_bytes;
    a->len = (size_t)nb * block_bytes + 64;      /* a line more: the region need not start on one */
    a->off = 0, a->row = 0;
    size_t lines = (size_t)a->rows * (a->len / 64);
    a->per = steps > 0 ? (int)((lines + (size_t)steps - 1) / (size_t)steps) : 0;
}

/* What follows the panel of rows [p0, p0 + height) (of r1), blocks [b0,
 * b0 + nb) of nbr in pieces of `piece`: its next piece, or the next
 * panel's first. */
static inline void ahead_next_panel(Ahead *a, const llama_tensor *w, int p0, int height, int r1, int b0, int nb,
                                    int nbr, int piece, int steps) {
    size_t block_bytes = w->row_bytes / (size_t)nbr;
    if (b0 + nb < nbr)
        ahead_begin(a, w, p0, height, r1, b0 + nb, nbr - b0 - nb < piece ? nbr - b0 - nb : piece, block_bytes,
                    steps);
    else
        ahead_begin(a, w, p0 + height, height, r1, 0, nbr < piece ? nbr : piece, block_bytes, steps);
}

static inline __attribute__((always_inline)) void ahead_step(Ahead *a) {
    for (int k = 0; k < a->per && a->row < a->rows; k++) {
        /* into L2: PREFETCHT0 waited on the L1's few fill buffers */
        _mm_prefetch((const char *)a->base + (size_t)a->row * a->stride + a->off, _MM_HINT_T1);
        a->off += 64;
        if (a->off >= a->len) a->off = 0, a->row++;
    }
}

#endif
