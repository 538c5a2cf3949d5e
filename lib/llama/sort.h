/* A stable merge sort. run.c sorts with glibc's qsort, which for these
 * arrays is a merge sort, so equal elements keep their order; any stable
 * sort gives the same result, and a heap or quick sort would not. */
#ifndef LIB_LLAMA_SORT_H
#define LIB_LLAMA_SORT_H

#include <stddef.h>

/* cmp(a, b, ctx) < 0 when a sorts first. scratch holds n elements. */
typedef int (*sort_cmp_fn)(const void *a, const void *b, void *ctx);

void stable_sort(void *base, size_t n, size_t size, void *scratch,
                 sort_cmp_fn cmp, void *ctx);

#endif
