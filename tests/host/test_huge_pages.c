/* tools/lib/huge_pages: memory 2 MiB aligned, zeroed, writable end to end
 * and advised for 2 MiB pages (the VMA carries the kernel's "hg" flag
 * where the kernel has transparent huge pages); a file read whole, byte
 * for byte, across its read steps, and mapped; an empty file both ways; a
 * missing file and a directory each end in one "error:" line and exit
 * status 1. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/check.h"
#include "tools/lib/huge_pages.h"

#define MiB ((size_t)1 << 20)

/* The VmFlags line of the mapping holding p, from /proc/self/smaps. */
static int vma_flags(const void *p, char *out, size_t n) {
    FILE *f = fopen("/proc/self/smaps", "r");
    if (!f) return -1;
    char line[512];
    int inside = 0, found = -1;
    while (fgets(line, sizeof line, f)) {
        unsigned long lo, hi;
        if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2 && strchr(line, '-') == line + strspn(line, "0123456789abcdef"))
            inside = (uintptr_t)p >= lo && (uintptr_t)p < hi;
        else if (inside && strncmp(line, "VmFlags:", 8) == 0) {
            snprintf(out, n, "%s", line + 8);
            found = 0;
            break;
        }
    }
    fclose(f);
    return found;
}

TEST(alloc_aligned_zeroed_advised) {
    size_t sizes[] = { 1, 4096, 2 * MiB, 2 * MiB + 1, 9 * MiB + 4095 };
    for (int i = 0; i < 5; i++) {
        unsigned char *p = huge_alloc(sizes[i]);
        CHECK(p != NULL, "huge_alloc(%zu) failed", sizes[i]);
        if (!p) return;
        CHECK((uintptr_t)p % (2 * MiB) == 0, "%p not 2 MiB aligned", (void *)p);
        size_t nonzero = 0;
        for (size_t k = 0; k < sizes[i]; k += 997) nonzero += p[k] != 0;
        CHECK(nonzero == 0 && p[sizes[i] - 1] == 0, "not zeroed");
        memset(p, 0xA5, sizes[i]);
        CHECK(p[0] == 0xA5 && p[sizes[i] - 1] == 0xA5, "not writable: %zu bytes", sizes[i]);
        char flags[512];
        struct stat st;
        if (stat("/sys/kernel/mm/transparent_hugepage", &st) == 0) {
            CHECK(vma_flags(p, flags, sizeof flags) == 0, "no mapping in smaps for %p", (void *)p);
            CHECK(strstr(flags, " hg") != NULL, "not advised for huge pages: VmFlags:%.200s", flags);
        }
        huge_free(p, sizes[i]);
    }
    CHECK(huge_alloc(SIZE_MAX) == NULL, "SIZE_MAX bytes given");
    CHECK(huge_alloc(SIZE_MAX - MiB) == NULL, "SIZE_MAX - 1 MiB bytes given");
}

static char tmp_path[64];

static void write_tmp(const unsigned char *data, size_t n) {
    snprintf(tmp_path, sizeof tmp_path, "/tmp/test_huge_pages.XXXXXX");
    int fd = mkstemp(tmp_path);
    size_t done = 0;
    while (fd >= 0 && done < n) {
        ssize_t w = write(fd, data + done, n - done);
        if (w <= 0) break;
        done += (size_t)w;
    }
    if (fd >= 0) close(fd);
}

TEST(file_read_whole) {
    /* past the 64 MiB read step and not a multiple of a page */
    size_t n = 64 * MiB + 3 * MiB + 7;
    unsigned char *data = malloc(n);
    CHECK(data != NULL, "out of memory");
    if (!data) return;
    uint32_t x = 12345;
    for (size_t i = 0; i < n; i++) x = x * 1664525u + 1013904223u, data[i] = (unsigned char)(x >> 24);
    write_tmp(data, n);
    HugeFile f = huge_file_load(tmp_path, "model");
    CHECK(f.size == n, "size %zu, want %zu", f.size, n);
    CHECK(!f.mapped, "mapped from the page cache, not read into huge pages");
    CHECK((uintptr_t)f.data % (2 * MiB) == 0, "%p not 2 MiB aligned", f.data);
    CHECK(f.size == n && memcmp(f.data, data, n) == 0, "bytes differ");
    huge_file_release(&f);
    CHECK(f.size == 0 && f.data && *(const char *)f.data == 0, "not emptied by release");
    HugeFile m = huge_file_map(tmp_path, "model");
    CHECK(m.mapped && m.size == n && memcmp(m.data, data, n) == 0, "mapped: size %zu, mapped %d", m.size, m.mapped);
    huge_file_release(&m);
    CHECK(m.size == 0 && m.data && *(const char *)m.data == 0, "mapping not emptied by release");
    unlink(tmp_path);
    free(data);
}

TEST(empty_file) {
    write_tmp(NULL, 0);
    HugeFile f = huge_file_load(tmp_path, "checkpoint");
    CHECK(f.size == 0 && f.data != NULL && *(const char *)f.data == 0, "size %zu", f.size);
    huge_file_release(&f);
    f = huge_file_map(tmp_path, "checkpoint");
    CHECK(f.size == 0 && f.data != NULL && *(const char *)f.data == 0 && !f.mapped, "mapped: size %zu", f.size);
    huge_file_release(&f);
    unlink(tmp_path);
}

/* huge_file_load in a child: its exit status, its stderr in out. */
static int load_in_child(const char *path, char *out, size_t n) {
    int fds[2];
    if (pipe(fds) != 0) return -1;
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fds[1], 2);
        close(fds[0]);
        huge_file_load(path, "checkpoint");
        _exit(0);
    }
    close(fds[1]);
    size_t len = 0;                    /* stderr is unbuffered: several writes */
    for (ssize_t got; len < n - 1 && (got = read(fds[0], out + len, n - 1 - len)) > 0;) len += (size_t)got;
    out[len] = 0;
    close(fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST(bad_paths_fail_with_one_error_line) {
    char err[512];
    int rc = load_in_child("/nonexistent/model.gguf", err, sizeof err);
    CHECK(rc == 1, "exit status %d", rc);
    const char *want = "error: cannot open checkpoint /nonexistent/model.gguf: ";
    CHECK(strncmp(err, want, strlen(want)) == 0 && strchr(err, '\n') == err + strlen(err) - 1, "%s", err);
    rc = load_in_child("/tmp", err, sizeof err);
    CHECK(rc == 1, "exit status %d", rc);
    CHECK(strcmp(err, "error: checkpoint /tmp is not a regular file\n") == 0, "%s", err);
}

RUN_TESTS(alloc_aligned_zeroed_advised, file_read_whole, empty_file, bad_paths_fail_with_one_error_line)
