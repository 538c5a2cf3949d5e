/* Bottom-up merge sort (see sort.h): runs of width 1, 2, 4, ... are merged
 * from one buffer into the other; ties take the left run's element first. */
#include "lib/llama/sort.h"
#include "lib/libc.h"

static void merge(unsigned char *dst, const unsigned char *src, size_t size,
                  size_t lo, size_t mid, size_t hi, sort_cmp_fn cmp, void *ctx) {
    size_t i = lo, j = mid, k = lo;
    while (i < mid && j < hi) {
        if (cmp(src + j * size, src + i * size, ctx) < 0) {   /* right strictly first */
            memcpy(dst + k * size, src + j * size, size);
            j++;
        } else {
            memcpy(dst + k * size, src + i * size, size);
            i++;
        }
        k++;
    }
    if (i < mid) memcpy(dst + k * size, src + i * size, (mid - i) * size);
    if (j < hi) memcpy(dst + k * size, src + j * size, (hi - j) * size);
}

void stable_sort(void *base, size_t n, size_t size, void *scratch,
                 sort_cmp_fn cmp, void *ctx) {
    unsigned char *src = base, *dst = scratch;
    for (size_t width = 1; width < n; width *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * width) {
            size_t mid = lo + width < n ? lo + width : n;
            size_t hi = mid + width < n ? mid + width : n;
            merge(dst, src, size, lo, mid, hi, cmp, ctx);
        }
        unsigned char *t = src; src = dst; dst = t;
    }
    if (src != base) memcpy(base, src, n * size);
}
