/* The host programs' model bytes: read into memory backed by 2 MiB pages
 * where the system gives them, rather than mapped from the page cache.
 *
 * Why: a model's weights are read end to end for every token, and a mapped
 * file lies in whatever pages the page cache holds it in: 4 KiB pages or
 * larger folios, depending on how the file was last read. One core's read
 * rate follows. Measured here (Linux 6.18, ext4, the 2-core AMX Xeon), TinyLlama's
 * shape at Q8_0 on one core: 11.5 tok/s mapped from the page cache as it
 * was, 15.9 read into 2 MiB pages (llama.cpp, mapping the same file, 14.0);
 * Q4_0 17.9 and 31.7 (llama.cpp 26.6). Reading costs one copy at load;
 * the speed stops depending on the page cache's history. */
#ifndef TOOLS_LIB_HUGE_PAGES_H
#define TOOLS_LIB_HUGE_PAGES_H

#include <stddef.h>

/* `bytes` of zeroed memory, 2 MiB aligned, asked to be backed by 2 MiB
 * pages (madvise MADV_HUGEPAGE; 4 KiB pages where they are not given).
 * NULL when there is no such memory. */
void *huge_alloc(size_t bytes);
void huge_free(void *p, size_t bytes);

typedef struct {
    void *data;            /* private: writes (llama_model_prepare's) never reach the file */
    size_t size;
    int mapped;            /* from the page cache: no huge memory to be had */
} HugeFile;

/* The whole file at `path`, in private writable memory (an empty file
 * gives "" and 0).
 * Read into huge_alloc memory, or mapped from the page cache when that
 * memory cannot be had. `what` names the file in errors ("checkpoint");
 * any failure ends in die(). A file of 1 GiB or more shows its progress on
 * stderr when stderr is a terminal. */
HugeFile huge_file_load(const char *path, const char *what);
/* The same file only mapped (mapped set; "" and 0 when empty): for a
 * look at its header or a small file, where a copy would be wasted. */
HugeFile huge_file_map(const char *path, const char *what);
void huge_file_release(HugeFile *f);

#endif
