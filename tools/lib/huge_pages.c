/* Model bytes in 2 MiB pages (huge_pages.h says why). */
#define _GNU_SOURCE
#include "tools/lib/huge_pages.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tools/lib/die.h"

#define HUGE_PAGE ((size_t)2 << 20)

static size_t huge_round(size_t bytes) {
    return bytes > SIZE_MAX - HUGE_PAGE ? 0 : (bytes + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
}

/* Over-maps by one huge page and trims both ends: mmap aligns to 4 KiB. */
void *huge_alloc(size_t bytes) {
    size_t len = huge_round(bytes);
    if (len == 0 || len > SIZE_MAX - HUGE_PAGE) return NULL;
    char *raw = mmap(NULL, len + HUGE_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                     -1, 0);
    if (raw == MAP_FAILED) return NULL;
    char *p = (char *)(((uintptr_t)raw + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1));
    if (p > raw) munmap(raw, (size_t)(p - raw));
    size_t tail = (size_t)(raw + len + HUGE_PAGE - (p + len));
    if (tail) munmap(p + len, tail);
    madvise(p, len, MADV_HUGEPAGE);     /* a hint: refused, the pages are 4 KiB */
    return p;
}

void huge_free(void *p, size_t bytes) {
    if (p) munmap(p, huge_round(bytes));
}

/* The file opened and checked: its descriptor, and its size in f. */
static int open_file(const char *path, const char *what, HugeFile *f) {
    int fd = open(path, O_RDONLY);
    if (fd < 0) die("cannot open %s %s: %s", what, path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0) die("cannot stat %s %s: %s", what, path, strerror(errno));
    if (!S_ISREG(st.st_mode)) die("%s %s is not a regular file", what, path);
    *f = (HugeFile){ "", (size_t)st.st_size, 0 };
    return fd;
}

static void map_into(HugeFile *f, int fd, const char *path, const char *what) {
    void *m = mmap(NULL, f->size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);   /* copy on write */
    if (m == MAP_FAILED) die("cannot map %s %s: %s", what, path, strerror(errno));
    f->data = m;
    f->mapped = 1;
}

HugeFile huge_file_map(const char *path, const char *what) {
    HugeFile f;
    int fd = open_file(path, what, &f);
    if (f.size) map_into(&f, fd, path, what);
    close(fd);
    return f;
}

HugeFile huge_file_load(const char *path, const char *what) {
    HugeFile f;
    int fd = open_file(path, what, &f);
    char *p = f.size ? huge_alloc(f.size) : NULL;
    if (!p) {                          /* empty ("" for the parser to report), or no memory to copy into */
        if (f.size) map_into(&f, fd, path, what);
        close(fd);
        return f;
    }
    int show = f.size >= ((size_t)1 << 30) && isatty(2);
    size_t step = (size_t)64 << 20, done = 0;
    while (done < f.size) {
        size_t want = f.size - done < step ? f.size - done : step;
        ssize_t n = pread(fd, p + done, want, (off_t)done);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) die("cannot read %s %s: %s", what, path, strerror(errno));
        if (n == 0) die("%s %s ended at byte %zu of %zu while being read (was it being written?)",
                        what, path, done, f.size);
        done += (size_t)n;
        if (show) fprintf(stderr, "\rloading %s: %3d%%", path, (int)(done * 100 / f.size));
    }
    if (show) fprintf(stderr, "\n");
    close(fd);
    f.data = p;
    return f;
}

void huge_file_release(HugeFile *f) {
    if (f->size == 0) return;
    if (f->mapped) munmap((void *)f->data, f->size);
    else huge_free((void *)f->data, f->size);
    f->data = "";
    f->size = 0;
}
