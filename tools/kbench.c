/* kbench: the compute kernels alone, per weight type and SIMD level, on one
 * core (one row range), so that the levels can be compared and the
 * progress measured:
 *   - matvec: one vector times a random matrix of -s MiB (default 256,
 *     larger than any L3 here: the DRAM case) and of -c MiB (default 16:
 *     the L3 case), in GB/s of weights read (best pass), next to the read
 *     bandwidth of a plain SIMD sum over a buffer of the same size (the
 *     roofline) and the fraction of it reached; matrices and buffer in
 *     2 MiB pages where the system gives them, as bench holds a model;
 *   - batched: -m vectors (default 128) times a matrix of 1024 rows, in
 *     GFLOP/s (2 * rows * cols * m per pass).
 * Usage: kbench [-t Q8_0,Q4_K,...] [-l avx512,avx2-vnni,sse2,...] [-s MiB] [-c MiB] [-m M] [-k COLS] [-T seconds] [-w]
 *        [-r streams|ahead|bare|l2] [-B]
 * (-l: levels (each of its kernel sets the CPU has) or single sets, by
 * name, default all; -k: columns of every matrix, default 4096; a multiple of 256 for the K-quants;
 * -r: how the one-vector kernels read the rows, matmul.h's matmul_read
 * (bare: four streams without software prefetch; l2: four streams prefetched into L2 only), default
 * streams; -B: the batched products only)
 * Weights are random with ordinary scales (no subnormal or infinite ones).
 * Times are the thread's CPU time (-w: wall-clock), so that other work on
 * a shared machine costs less of the figures (its memory traffic still
 * does). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/llama/llama.h"
#include "lib/llama/matmul.h"
#include "lib/llama/f16.h"
#include "lib/llama/simd.h"
#include "tools/lib/die.h"
#include "tools/lib/huge_pages.h"

/* The calling thread's CPU time: on a shared machine, time spent waiting
 * for the core does not count (-w: wall-clock time instead). */
static clockid_t clock_id = CLOCK_THREAD_CPUTIME_ID;

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(clock_id, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint64_t rng = 0x853c49e6748fea9bull;
static uint64_t rnd64(void) {
    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;
    return rng * 0x2545F4914F6CDD1Dull;
}
static float rndf(void) { return (float)(rnd64() >> 40) / 16777216.0f * 2.0f - 1.0f; }

static const int all_types[] = {
    LLAMA_TYPE_F32, LLAMA_TYPE_F16, LLAMA_TYPE_BF16, LLAMA_TYPE_Q8_0, LLAMA_TYPE_Q4_0,
    LLAMA_TYPE_Q4_1, LLAMA_TYPE_Q5_0, LLAMA_TYPE_Q5_1, LLAMA_TYPE_Q2_K, LLAMA_TYPE_Q3_K,
    LLAMA_TYPE_Q4_K, LLAMA_TYPE_Q5_K, LLAMA_TYPE_Q6_K, LLAMA_TYPE_IQ4_NL, LLAMA_TYPE_IQ4_XS, LLAMA_TYPE_RUNQ8,
};
#define NTYPES (int)(sizeof all_types / sizeof all_types[0])

/* Where a block's fp16 scale fields are (ggml-common.h), -1: none. */
static void scale_offsets(int type, int off[2]) {
    off[0] = off[1] = -1;
    switch (type) {
    case LLAMA_TYPE_Q8_0: case LLAMA_TYPE_Q4_0: case LLAMA_TYPE_Q5_0: off[0] = 0; break;
    case LLAMA_TYPE_IQ4_NL: case LLAMA_TYPE_IQ4_XS: off[0] = 0; break;
    case LLAMA_TYPE_Q4_1: case LLAMA_TYPE_Q5_1: case LLAMA_TYPE_Q4_K: case LLAMA_TYPE_Q5_K:
        off[0] = 0; off[1] = 2; break;
    case LLAMA_TYPE_Q2_K: off[0] = 80; off[1] = 82; break;
    case LLAMA_TYPE_Q3_K: off[0] = 108; break;
    case LLAMA_TYPE_Q6_K: off[0] = 208; break;
    }
}

/* A random rows x cols tensor of type (RUNQ8: groups of 64), in memory
 * touched once so that it is resident, in 2 MiB pages as the host
 * programs hold a model (huge_pages.h): in 4 KiB pages one core's read
 * rate from memory depends on the row length (Zen 5, Q4_K from 256 MiB:
 * 38-43 GB/s for 2048 to 6144 columns, not monotonically). */
static llama_tensor random_tensor(int type, int rows, int cols) {
    llama_tensor w = { NULL, type, rows, cols, 0, NULL, 0 };
    w.row_bytes = type == LLAMA_TYPE_RUNQ8 ? (size_t)cols : llama_type_row_bytes(type, cols);
    size_t bytes = w.row_bytes * (size_t)rows;
    unsigned char *p = huge_alloc(bytes);
    if (!p) die("out of memory for %zu bytes", bytes);
    for (size_t i = 0; i + 8 <= bytes; i += 8) {
        uint64_t r = rnd64();
        memcpy(p + i, &r, 8);
    }
    const llama_type_info *t = llama_type_get(type);
    if (type == LLAMA_TYPE_F32 || type == LLAMA_TYPE_F16 || type == LLAMA_TYPE_BF16) {
        for (size_t i = 0; i < (size_t)rows * (size_t)cols; i++) {
            float v = rndf();
            uint16_t h = type == LLAMA_TYPE_F16 ? f32_to_f16(v) : f32_to_bf16(v);
            if (type == LLAMA_TYPE_F32) memcpy(p + 4 * i, &v, 4);
            else memcpy(p + 2 * i, &h, 2);
        }
    } else if (type == LLAMA_TYPE_RUNQ8) {
        float *s = malloc((size_t)rows * (size_t)cols / 64 * sizeof *s);
        for (size_t i = 0; i < (size_t)rows * (size_t)cols / 64; i++) s[i] = rndf() * 0.01f;
        w.scales = s;
        w.group_size = 64;
    } else {
        int off[2];
        scale_offsets(type, off);
        for (size_t b = 0; b < bytes / (size_t)t->bytes; b++)
            for (int k = 0; k < 2; k++)
                if (off[k] >= 0) {
                    uint16_t h = f32_to_f16(rndf() * 0.01f + (k ? 0.0f : 0.02f));
                    memcpy(p + b * (size_t)t->bytes + (size_t)off[k], &h, 2);
                }
    }
    w.data = p;
    llama_tensor_prepare(&w, p);     /* Q4_0: the kernels' layout */
    return w;
}

static void free_tensor(llama_tensor *w) {
    huge_free((void *)w->data, w->row_bytes * (size_t)w->rows);
    free((void *)w->scales);
}

/* The roofline: a plain sum over the buffer, four accumulators. */
__attribute__((target("avx512f"))) static float sum_avx512(const float *p, size_t n) {
    __m512 a = _mm512_setzero_ps(), b = a, c = a, d = a;
    for (size_t i = 0; i < n; i += 64) {
        a = _mm512_add_ps(a, _mm512_loadu_ps(p + i));
        b = _mm512_add_ps(b, _mm512_loadu_ps(p + i + 16));
        c = _mm512_add_ps(c, _mm512_loadu_ps(p + i + 32));
        d = _mm512_add_ps(d, _mm512_loadu_ps(p + i + 48));
    }
    return _mm512_reduce_add_ps(_mm512_add_ps(_mm512_add_ps(a, b), _mm512_add_ps(c, d)));
}

__attribute__((target("avx2"))) static float sum_avx2(const float *p, size_t n) {
    __m256 a = _mm256_setzero_ps(), b = a, c = a, d = a;
    for (size_t i = 0; i < n; i += 32) {
        a = _mm256_add_ps(a, _mm256_loadu_ps(p + i));
        b = _mm256_add_ps(b, _mm256_loadu_ps(p + i + 8));
        c = _mm256_add_ps(c, _mm256_loadu_ps(p + i + 16));
        d = _mm256_add_ps(d, _mm256_loadu_ps(p + i + 24));
    }
    float t[8];
    _mm256_storeu_ps(t, _mm256_add_ps(_mm256_add_ps(a, b), _mm256_add_ps(c, d)));
    return t[0] + t[1] + t[2] + t[3] + t[4] + t[5] + t[6] + t[7];
}

static volatile float sink;

/* Best GB/s of a read pass over `bytes` bytes. */
static double roofline(size_t bytes, double seconds) {
    bytes = bytes / 256 * 256;
    float *buf = huge_alloc(bytes);
    if (!buf) die("out of memory");
    for (size_t i = 0; i < bytes / 4; i++) buf[i] = (float)(i & 1023);
    unsigned f = llama_cpu_detect();
    double best = 1e30;
    uint64_t start = now_ns();
    for (int r = 0; r < 3 || (now_ns() - start) * 1e-9 < seconds; r++) {
        uint64_t t0 = now_ns();
        sink = f & LLAMA_CPU_AVX512 ? sum_avx512(buf, bytes / 4) : sum_avx2(buf, bytes / 4);
        double t = (double)(now_ns() - t0) * 1e-9;
        if (t > 0 && t < best) best = t;   /* 0: a clock that did not move (seen in a VM: "inf" GB/s) */
    }
    huge_free(buf, bytes);
    return (double)bytes / best * 1e-9;
}

/* Best seconds of one call of matmul_rows over all rows with m vectors. */
static double time_rows(const MatmulKernel *k, const llama_tensor *w, const void *act, int m,
                        float *y, double seconds) {
    double best = 1e30;
    uint64_t start = now_ns();
    for (int r = 0; r < 2 || ((now_ns() - start) * 1e-9 < seconds && r < 1000); r++) {
        uint64_t t0 = now_ns();
        matmul_rows(k, w, act, m, y, (size_t)w->rows, 0, w->rows);
        double t = (double)(now_ns() - t0) * 1e-9;
        if (t > 0 && t < best) best = t;
    }
    return best;
}

static int type_by_name(const char *s, size_t len) {
    for (int i = 0; i < NTYPES; i++) {
        const char *n = all_types[i] == LLAMA_TYPE_RUNQ8 ? "RUNQ8" : llama_type_get(all_types[i])->name;
        if (strlen(n) == len && strncasecmp(n, s, len) == 0) return all_types[i];
    }
    die("unknown type '%.*s'", (int)len, s);
}

static int listed(const char *list, const char *name) {
    if (!list) return 1;
    size_t n = strlen(name);
    for (const char *p = list; *p;) {
        size_t len = strcspn(p, ",");
        if (len == n && strncasecmp(p, name, n) == 0) return 1;
        p += len + (p[len] == ',');
    }
    return 0;
}

/* matmul_read's value of that name, or -1. */
static int read_way(const char *name) {
    for (int r = 0; r < MATMUL_READS; r++)
        if (strcmp(name, matmul_read_names[r]) == 0) return r;
    return -1;
}

int main(int argc, char **argv) {
    const char *types_arg = NULL, *levels_arg = NULL;
    double big_mib = 256, small_mib = 16, seconds = 0.5;
    int m = 128, opt, COLS = 4096, batch_only = 0, read = MATMUL_READ_STREAMS;
    while ((opt = getopt(argc, argv, "t:l:s:c:m:k:T:r:wB")) != -1) {
        if (opt == 't') types_arg = optarg;
        else if (opt == 'l') levels_arg = optarg;
        else if (opt == 's') big_mib = atof(optarg);
        else if (opt == 'c') small_mib = atof(optarg);
        else if (opt == 'm') m = atoi(optarg);
        else if (opt == 'k') COLS = atoi(optarg);
        else if (opt == 'T') seconds = atof(optarg);
        else if (opt == 'w') clock_id = CLOCK_MONOTONIC;
        else if (opt == 'B') batch_only = 1;
        else if (opt == 'r' && read_way(optarg) >= 0) read = read_way(optarg);
        else die("usage: kbench [-t TYPES] [-l LEVELS] [-s MiB] [-c MiB] [-m M] [-k COLS] [-T seconds] [-w] "
                 "[-r streams|ahead|bare|l2] [-B]");
    }
    matmul_read_every(read);
    int types[NTYPES], ntypes = 0;
    if (types_arg) {
        for (const char *p = types_arg; *p;) {
            size_t len = strcspn(p, ",");
            types[ntypes++] = type_by_name(p, len);
            p += len + (p[len] == ',');
            if (ntypes == NTYPES) break;
        }
    } else {
        memcpy(types, all_types, sizeof types);
        ntypes = NTYPES;
    }
    unsigned have = llama_cpu_detect();
    const MatmulKernel *levels[MATMUL_SETS];
    int nlevels = 0;
    for (int i = 0; matmul_levels[i]; i++) {
        const MatmulKernel *k = matmul_levels[i];
        /* a level's name lists each of its sets the CPU has (avx2: avx2-vnni and avx2) */
        if (!(k->needs & ~have) && (listed(levels_arg, k->name) || listed(levels_arg, k->set)) &&
            nlevels < (int)(sizeof levels / sizeof *levels))
            levels[nlevels++] = k;
    }
    if (!nlevels) die("no such level on this CPU");

    double roof_big = batch_only ? 0 : roofline((size_t)(big_mib * 1048576), seconds);
    double roof_small = batch_only ? 0 : roofline((size_t)(small_mib * 1048576), seconds);
    printf("kbench: one core; matvec GB/s of weights (best pass) for a %.0f MiB matrix (roofline %.1f GB/s)\n"
           "        and a %.0f MiB one (roofline %.1f GB/s); %d columns; rows read as %s; batched: %d vectors x 1024 rows\n\n",
           big_mib, roof_big, small_mib, roof_small, COLS,
           read == MATMUL_READ_AHEAD  ? "one stream, prefetched far"
           : read == MATMUL_READ_BARE ? "four streams, not prefetched"
           : read == MATMUL_READ_L2   ? "four streams, prefetched into L2"
                                             : "four streams, prefetched near", m);
    printf("%-6s %-15s %10s %6s %10s %6s %14s\n", "type", "set", "big GB/s", "roof", "small GB/s", "roof",
           "batched GFLOP/s");
    float *x = malloc((size_t)COLS * (size_t)m * sizeof *x);
    for (size_t i = 0; i < (size_t)COLS * (size_t)m; i++) x[i] = rndf();
    for (int ti = 0; ti < ntypes; ti++) {
        int type = types[ti];
        const char *tn = type == LLAMA_TYPE_RUNQ8 ? "RUNQ8" : llama_type_get(type)->name;
        size_t rb = type == LLAMA_TYPE_RUNQ8 ? (size_t)COLS : llama_type_row_bytes(type, COLS);
        int big_rows = batch_only ? 1 : (int)(big_mib * 1048576 / (double)rb);
        int small_rows = batch_only ? 1 : (int)(small_mib * 1048576 / (double)rb);
        llama_tensor big = random_tensor(type, big_rows, COLS), small = random_tensor(type, small_rows, COLS);
        llama_tensor batch = random_tensor(type, 1024, COLS);
        float *y = malloc(((size_t)big_rows + (size_t)small_rows + 1024 * (size_t)m) * sizeof *y);
        void *act = aligned_alloc(64, matmul_act_bytes(&batch, m));
        for (int l = 0; l < nlevels; l++) {
            const MatmulKernel *k = levels[l];
            matmul_prepare(k, &big, x, COLS, 1, act);
            double tb = batch_only ? 1 : time_rows(k, &big, act, 1, y, seconds);
            double ts = batch_only ? 1 : time_rows(k, &small, act, 1, y, seconds);
            matmul_prepare(k, &batch, x, COLS, m, act);
            double tm = time_rows(k, &batch, act, m, y, seconds);
            double gb = (double)rb * big_rows / tb * 1e-9, gs = (double)rb * small_rows / ts * 1e-9;
            printf("%-6s %-15s %10.2f %5.0f%% %10.2f %5.0f%% %14.1f\n", tn, k->set, gb, 100 * gb / roof_big, gs,
                   100 * gs / roof_small, 2.0 * 1024 * COLS * m / tm * 1e-9);
            fflush(stdout);
        }
        free(y);
        free(act);
        free_tensor(&big);
        free_tensor(&small);
        free_tensor(&batch);
    }
    free(x);
    return 0;
}
