/* bench: how fast the engine runs models against how fast this machine can
 * read their weights at all (`make bench` runs it).
 *
 *   bench -z TOKENIZER [-n STEPS] [-p PROMPT] [-r RUNS] [-a ATTEMPTS] [-l LEVEL] MODEL[@STEPS]...
 *
 * MODEL is a llama2.c checkpoint (with the tokenizer of -z) or a GGUF file;
 * MODEL@STEPS runs that model for fewer positions (the big ones).
 * Roofline: the best time of one read pass (a SIMD sum, each core's share
 * read as one, two or four streams) over a buffer of each checkpoint's
 * size in pages like the model's, on one core and on all cores. Then each
 * model runs greedy (-t 0) for STEPS positions on one core and on all
 * cores, RUNS times (up to four times as many while a configuration has run
 * less than 2 s), each configuration in a child process that holds the
 * checkpoint as build/host/llama2 does (read into 2 MiB pages,
 * tools/lib/huge_pages.h): tok/s is run.c's figure (tokens after the
 * first over the time since the first) of the best run; ms/tok
 * the same run's mean time per token (1000 / tok/s: the two agree);
 * median its median position time; effective GB/s the weight bytes a
 * position reads times tok/s, and its fraction of the roofline of the same
 * number of cores; peak RSS the child's maximum resident set (the
 * checkpoint's bytes plus the engine's arena); kernels, for each weight
 * type of the model, the matrix kernels (the level's set) and the read of
 * the rows that the engine's tuner had chosen at the end of the best run
 * (they decide the speed, and differ by machine and type). pp tok/s: a prompt of PROMPT
 * tokens (128) run as one batch through the model, the best of the runs.
 * -l sse2|sse4|avx2|avx512|amx: the engine on that SIMD level only (as --simd), to
 * see how a machine without the wider ones would run (the roofline stays
 * the widest read this CPU has).
 *
 * Another process on the machine shows in the figures: the mean position
 * time well above the median, the roofline measured again after the runs
 * not where it was, all cores slower than one (tools/lib/disturbance.c).
 * Such a row is measured again, up to ATTEMPTS times in all (3), and if it
 * stays disturbed it is printed marked, with the reasons. Figures, not
 * assertions. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/llama/llama.h"
#include "lib/llama/matmul.h"
#include "lib/llama/session.h"
#include "lib/llama/simd.h"
#include "tools/lib/disturbance.h"
#include "tools/lib/pool.h"
#include "tools/lib/die.h"
#include "tools/lib/huge_pages.h"

#define MB 1e6
#define MAX_STEPS 4096

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* ---------------------------------------------------------------- roofline */

/* Sums of n floats (n a multiple of 64), widest first. */
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

static float sum_sse2(const float *p, size_t n) {
    __m128 a = _mm_setzero_ps(), b = a, c = a, d = a;
    for (size_t i = 0; i < n; i += 16) {
        a = _mm_add_ps(a, _mm_loadu_ps(p + i));
        b = _mm_add_ps(b, _mm_loadu_ps(p + i + 4));
        c = _mm_add_ps(c, _mm_loadu_ps(p + i + 8));
        d = _mm_add_ps(d, _mm_loadu_ps(p + i + 12));
    }
    float t[4];
    _mm_storeu_ps(t, _mm_add_ps(_mm_add_ps(a, b), _mm_add_ps(c, d)));
    return t[0] + t[1] + t[2] + t[3];
}

static float (*sum_fn)(const float *, size_t);
static const char *sum_name;

typedef struct {
    const float *p;
    int streams;
    float sink[64];
} ReadJob;

/* [begin, end) in blocks of 64 floats, as `streams` parts read side by
 * side 4 KiB at a time (a part's tail, and the range's, at the end). */
static void read_range(void *arg, int begin, int end) {
    ReadJob *j = arg;
    enum { STEP = 16 };                      /* blocks: 4 KiB */
    const float *p = j->p + (size_t)begin * 64;
    int part = (end - begin) / j->streams / STEP * STEP;
    float s = 0;
    for (int i = 0; i < part; i += STEP)
        for (int k = 0; k < j->streams; k++) s += sum_fn(p + ((size_t)k * part + i) * 64, STEP * 64);
    s += sum_fn(p + (size_t)j->streams * part * 64, (size_t)(end - begin - j->streams * part) * 64);
    j->sink[begin % 64] += s;
}

/* GB/s of the best of at least 8 passes (and at least min_ns) over bytes,
 * each core's share read as one stream, as two and as four: a core that
 * reads one stream at a time may not reach what the memory gives (on a
 * Xeon, 4 KiB pages: two streams 10% more than one, four 15%), and the
 * kernels read two or four (matmul.h's MATMUL_STREAMS_BYTES). */
static double read_bandwidth(const float *buf, size_t bytes, HostPool *pool, uint64_t min_ns) {
    int blocks = (int)(bytes / 256);
    double best = 1e30;
    for (int streams = 1; streams <= 4; streams *= 2) {
        ReadJob job = { buf, streams, { 0 } };
        uint64_t start = now_ns();
        for (int pass = 0; pass < 8 || now_ns() - start < min_ns / 3; pass++) {
            uint64_t t0 = now_ns();
            host_pool_parallel_for(pool, blocks, read_range, &job);
            double dt = (double)(now_ns() - t0) * 1e-9;
            if (dt < best) best = dt;
            if (pass > 1000) break;
        }
    }
    return (double)blocks * 256 / best / 1e9;
}

/* ---------------------------------------------------------------- models */

/* Weight bytes one position reads: every matrix and vector of every layer,
 * the final norm, the classifier, and one embedding row (when the
 * classifier is not the embedding table, whose rows are then read twice). */
static double tensor_bytes(const llama_tensor *t) {
    return t->data ? (double)t->rows * (double)t->row_bytes +
                     (t->scales ? 4.0 * t->rows * t->cols / t->group_size : 0) : 0;
}

static double weight_bytes(const llama_model *m) {
    const llama_weights *w = &m->weights;
    double bytes = tensor_bytes(&w->rms_final) + tensor_bytes(&w->wcls);
    for (int l = 0; l < m->config.n_layers; l++) {
        const llama_layer *y = &w->layer[l];
        const llama_tensor *all[] = { &y->attn_norm, &y->wq, &y->wk, &y->wv, &y->wo,
                                      &y->ffn_norm, &y->w1, &y->w2, &y->w3 };
        for (int k = 0; k < 9; k++) bytes += tensor_bytes(all[k]);
    }
    if (!m->config.shared_classifier)
        bytes += tensor_bytes(&w->token_embedding) / w->token_embedding.rows;
    return bytes;
}

/* The weight type that holds most of the bytes ("Q4_K"), with a "+" when
 * other types hold much of the rest (Q4_K_M's Q6_K). */
static void format_name(const llama_model *m, char *buf, size_t n) {
    double by[64] = { 0 };
    const llama_weights *w = &m->weights;
    for (int l = 0; l < m->config.n_layers; l++) {
        const llama_layer *y = &w->layer[l];
        const llama_tensor *all[] = { &y->wq, &y->wk, &y->wv, &y->wo, &y->w1, &y->w2, &y->w3 };
        for (int k = 0; k < 7; k++) by[all[k]->type < 64 ? all[k]->type : 63] += tensor_bytes(all[k]);
    }
    int best = 0;
    double total = 0;
    for (int t = 0; t < 64; t++) {
        total += by[t];
        if (by[t] > by[best]) best = t;
    }
    if (m->format == LLAMA_FORMAT_LLAMA2C) {
        snprintf(buf, n, "%s", m->config.version == 2 ? "Q8_0" : "fp32");
        return;
    }
    const llama_type_info *ti = llama_type_get(best);
    snprintf(buf, n, "%s%s", ti ? ti->name : "?", by[best] < 0.95 * total ? "+" : "");
}

typedef struct {
    double pp_tok_s;        /* the prompt batch, best run */
    double tok_s;           /* best run, run.c's formula */
    double mean_ms;         /* that run's mean time per token: 1000 / tok_s */
    double median_ms;       /* that run's median position time */
    int pos;
    double peak_rss_mb;     /* filled in by the parent */
    char kernels[200];      /* the tuner's choices after the best run: type:set/read ... */
} Result;

static uint64_t stamps[MAX_STEPS + 1];
/* The engine's features (-l narrows them) and whether the level is fixed. */
static unsigned engine_features;
static int engine_fixed;
static int nstamps;

static void discard(void *ctx, const char *bytes, size_t n) { (void)ctx; (void)bytes; (void)n; }
static uint64_t clock_cb(void *ctx) { (void)ctx; return now_ns(); }
static void progress(void *ctx, int pos, int steps) {
    (void)ctx; (void)steps;
    if (nstamps <= MAX_STEPS) stamps[nstamps++] = now_ns();
    (void)pos;
}

static int cmp_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* In the child: runs the model `runs` times on `threads` cores. */
static Result run_model(const char *path, const void *tok, size_t tok_size, int steps,
                        int prompt, int runs, int threads) {
    HugeFile file = huge_file_load(path, "model");
    static llama_model ck;
    llama_error err;
    if (llama_model_open(&ck, file.data, file.size, tok, tok_size, &err) != 0 ||
        llama_model_prepare(&ck, file.data, file.size, &err) != 0)
        die("%s: %s", path, err.msg);
    HostPool *pool = host_pool_create(threads);
    if (!pool) die("cannot start %d threads", threads);
    llama_platform pf = { pool, discard, clock_cb, host_pool_parallel_for, engine_features,
                          progress, NULL, engine_fixed };
    llama_sampling sp = { 0.0f, 0.9f, 1 };
    steps = llama_steps(&ck.config, steps);
    size_t need = llama_memory_needed(&ck, steps, 0);
    void *mem = huge_alloc(need);
    if (!mem) die("out of memory");
    llama_session *s = llama_init(mem, need, &ck, steps, 0, &sp, &pf, &err);
    if (!s) die("%s", err.msg);
    Result best = { 0 };
    /* prompt processing: PROMPT made-up tokens as one batch, in a session
     * with a cache for them */
    {
        size_t pneed = llama_memory_needed(&ck, prompt, 0);
        void *pmem = pneed == SIZE_MAX ? NULL : huge_alloc(pneed);
        if (!pmem) die("%s: no memory for a %d-token prompt", path, prompt);
        llama_session *ps = llama_init(pmem, pneed, &ck, prompt, 0, &sp, &pf, &err);
        if (!ps) die("%s", err.msg);
        int *ids = malloc((size_t)prompt * sizeof *ids);
        if (!ids) die("out of memory");
        for (int i = 0; i < prompt; i++) ids[i] = i == 0 ? 1 : 3 + (i * 7919) % (ck.config.vocab_size - 3);
        for (int r = 0; r < runs; r++) {
            uint64_t t0 = now_ns();
            transformer_forward(&ps->transformer, ids, prompt, 0);
            double pps = prompt / ((now_ns() - t0) * 1e-9);
            if (pps > best.pp_tok_s) best.pp_tok_s = pps;
        }
        free(ids);
        huge_free(pmem, pneed);
    }
    uint64_t start = now_ns();
    /* at least `runs` runs, more (up to 4 times as many) while under 2 s */
    for (int r = 0; r < runs || (r < 4 * runs && now_ns() - start < 2000000000ull); r++) {
        llama_stats st;
        nstamps = 0;
        if (llama_generate(s, NULL, &st, &err) != 0) die("%s", err.msg);
        if (st.pos < 2) die("%s: the model stopped after %d positions", path, st.pos);
        double tps = (st.pos - 1) / ((double)(st.t_end_ns - st.t_first_ns) * 1e-9);
        if (tps > best.tok_s) {
            uint64_t d[MAX_STEPS];
            int n = 0;
            for (int i = 1; i < nstamps; i++) d[n++] = stamps[i] - stamps[i - 1];
            qsort(d, (size_t)n, sizeof d[0], cmp_u64);
            best = (Result){ best.pp_tok_s, tps, 1e3 / tps, n ? (double)d[n / 2] * 1e-6 : 0, st.pos, 0, "" };
            size_t used = 0;
            for (int kind = 0; kind < MATMUL_KINDS; kind++) {
                TuneChoice c = transformer_choice(&s->transformer, kind);
                if (c.kernel && used < sizeof best.kernels)
                    used += (size_t)snprintf(best.kernels + used, sizeof best.kernels - used, "%s%s:%s/%s",
                                             used ? " " : "", matmul_kind_names[kind], c.kernel->set,
                                             matmul_read_names[c.read]);
            }
        }
    }
    host_pool_destroy(pool);
    return best;
}

/* Runs the model on `threads` cores in a child process (its own address
 * space: peak RSS is the model's alone). */
static Result run_child(const char *path, const void *tok, size_t tok_size, int steps, int prompt,
                        int runs, int threads) {
    int fds[2];
    if (pipe(fds) != 0) die("pipe: %s", strerror(errno));
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0) die("fork: %s", strerror(errno));
    if (pid == 0) {
        close(fds[0]);
        Result r = run_model(path, tok, tok_size, steps, prompt, runs, threads);
        if (write(fds[1], &r, sizeof r) != (ssize_t)sizeof r) _exit(1);
        _exit(0);
    }
    close(fds[1]);
    Result r;
    ssize_t got = read(fds[0], &r, sizeof r);
    close(fds[0]);
    int status;
    struct rusage ru;
    if (wait4(pid, &status, 0, &ru) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0 ||
        got != (ssize_t)sizeof r)
        die("the run of %s on %d cores failed", path, threads);
    r.peak_rss_mb = ru.ru_maxrss / 1024.0 * 1.048576;
    return r;
}

/* One model, once: the roofline, the runs on one core and on all, the
 * roofline again (to see whether it moved while the model ran). */
static void measure(const char *path, size_t size, const void *tok, size_t tok_size, int steps,
                    int prompt, int runs, int cores, HostPool *one, HostPool *all, BenchRow *row,
                    Result r[2]) {
    size_t bytes = size / 256 * 256;
    float *buf = huge_alloc(bytes);     /* pages as the model's (huge_pages.h) */
    if (!buf) die("out of memory for a %zu-byte buffer", bytes);
    for (size_t i = 0; i < bytes / 4; i++) buf[i] = (float)(i & 1023);
    memset(row, 0, sizeof *row);
    row->cores = cores;
    row->roof_before[0] = read_bandwidth(buf, bytes, one, 1000000000ull);
    if (cores > 1) row->roof_before[1] = read_bandwidth(buf, bytes, all, 1000000000ull);
    /* the runs fork: a buffer held now would count in their resident memory */
    huge_free(buf, bytes);
    for (int k = 0; k < (cores > 1 ? 2 : 1); k++) {
        r[k] = run_child(path, tok, tok_size, steps, prompt, runs, k == 0 ? 1 : cores);
        row->tok_s[k] = r[k].tok_s;
        row->mean_ms[k] = r[k].mean_ms;
        row->median_ms[k] = r[k].median_ms;
    }
    buf = huge_alloc(bytes);
    if (!buf) die("out of memory for a %zu-byte buffer", bytes);
    for (size_t i = 0; i < bytes / 4; i++) buf[i] = (float)(i & 1023);
    row->roof_after[0] = read_bandwidth(buf, bytes, one, 500000000ull);
    if (cores > 1) row->roof_after[1] = read_bandwidth(buf, bytes, all, 500000000ull);
    huge_free(buf, bytes);
}

int main(int argc, char **argv) {
    const char *tok_path = NULL;
    int steps = 256, prompt = 128, runs = 3, attempts = 3, opt;
    const char *usage = "usage: bench -z TOKENIZER [-n STEPS] [-p PROMPT] [-r RUNS] [-a ATTEMPTS] [-l LEVEL] MODEL[@STEPS]...";
    const char *level = NULL;
    while ((opt = getopt(argc, argv, "z:n:p:r:a:l:")) != -1) {
        if (opt == 'z') tok_path = optarg;
        else if (opt == 'n') steps = atoi(optarg);
        else if (opt == 'p') prompt = atoi(optarg);
        else if (opt == 'r') runs = atoi(optarg);
        else if (opt == 'a') attempts = atoi(optarg);
        else if (opt == 'l') level = optarg;
        else die("%s", usage);
    }
    if (!tok_path || optind >= argc || steps < 2 || steps > MAX_STEPS || runs < 1 || attempts < 1 ||
        prompt < 1 || prompt > MAX_STEPS)
        die("%s", usage);
    HugeFile tok_file = huge_file_map(tok_path, "tokenizer");
    const void *tok = tok_file.data;
    size_t tok_size = tok_file.size;

    unsigned f = llama_cpu_detect();
    engine_features = f;
    llama_error level_err;
    unsigned any;   /* a CPU with every feature: only a name that is no level fails */
    if (level && llama_cpu_level(~0u, level, &any, &level_err) != 0)
        die("-l %s: not a level; use sse2, sse4, avx2, avx512 or amx", level);
    if (level && llama_cpu_level(f, level, &engine_features, &level_err) != 0) die("%s", level_err.msg);
    engine_fixed = level != NULL;
    sum_fn = f & LLAMA_CPU_AVX512 ? sum_avx512 : f & LLAMA_CPU_AVX2 ? sum_avx2 : sum_sse2;
    sum_name = f & LLAMA_CPU_AVX512 ? "AVX-512" : f & LLAMA_CPU_AVX2 ? "AVX2" : "SSE2";
    int cores = host_cpu_count();
    HostPool *one = host_pool_create(1), *all = host_pool_create(cores);
    if (!one || !all) die("cannot start %d threads", cores);

    printf("bench: %d cores, engine SIMD level %s: %s; greedy, %d positions, best of %d+ runs\n",
           cores, level ? "fixed by -l" : "from CPUID/XCR0", level ? level
           : f & LLAMA_CPU_AMX ? "amx" : f & LLAMA_CPU_AVX512 ? "avx512" : f & LLAMA_CPU_AVX2 ? "avx2"
           : f & LLAMA_CPU_SSE41 ? "sse4" : "sse2", steps, runs);
    long l3 = 0;
    FILE *f3 = fopen("/sys/devices/system/cpu/cpu0/cache/index3/size", "r");
    if (f3) {
        char unit = 0;
        if (fscanf(f3, "%ld%c", &l3, &unit) >= 1 && (unit == 'K' || unit == 'k')) l3 *= 1024;
        else if (unit == 'M') l3 *= 1024 * 1024;
        fclose(f3);
    }
    printf("columns: format   the weight type holding most bytes ('+': others hold much of the rest)\n"
           "         pp tok/s a %d-token prompt run as one batch, best run\n"
           "         MB/tok   weight bytes one token reads\n"
           "         tok/s    tokens after the first over the time since the first (run.c's figure), best run\n"
           "         ms/tok   the same run's mean time per token (1000 / tok/s)\n"
           "         median   the same run's median time per position, in ms (well below ms/tok: a disturbed run)\n"
           "         GB/s     MB/tok x tok/s: the weight bytes read per second\n"
           "         roofline the best read pass (%s sum; one, two or four streams a core) over a buffer of\n"
           "                  the checkpoint's size on as many cores, GB/s; 'L3' where it fits this core's %.0f MB L3, else 'DRAM'\n"
           "         fraction GB/s / roofline\n"
           "         peak RSS the run's largest resident memory (weights + run state)\n"
           "         kernels  for each weight type, the matrix kernels (the level's set) and the read of the rows\n"
           "                  that the engine's tuner had chosen at the end of that run: type:set/read\n"
           "A row that looks disturbed by another process (tools/lib/disturbance.c) is measured again,\n"
           "up to %d times; one that stays so is marked '*' with the reasons.\n\n", prompt, sum_name,
           l3 / MB, attempts);
    printf("%-26s %-6s %8s %5s %8s %8s %7s %7s %7s %9s %5s %8s %9s  %s\n", "model", "format", "MB/tok",
           "cores", "pp tok/s", "tok/s", "ms/tok", "median", "GB/s", "roofline", "", "fraction",
           "peak RSS", "kernels");

    int marked = 0;
    for (int m = optind; m < argc; m++) {
        char path[4096];
        snprintf(path, sizeof path, "%s", argv[m]);
        int model_steps = steps;
        char *at = strrchr(path, '@');
        if (at) {
            *at = 0;
            model_steps = atoi(at + 1);
            if (model_steps < 2 || model_steps > MAX_STEPS) die("%s: bad @STEPS", argv[m]);
        }
        HugeFile file = huge_file_map(path, "model");     /* its header: the runs read it */
        size_t size = file.size;
        static llama_model ck;
        llama_error err;
        if (llama_model_open(&ck, file.data, size, tok, tok_size, &err) != 0) die("%s: %s", path, err.msg);
        double wb = weight_bytes(&ck);
        char fmt[16];
        format_name(&ck, fmt, sizeof fmt);
        huge_file_release(&file);

        BenchRow row;
        Result r[2];
        char why[512] = "";
        for (int attempt = 1; attempt <= attempts; attempt++) {
            measure(path, size, tok, tok_size, model_steps, prompt, runs, cores, one, all, &row, r);
            if (bench_disturbance(&row, why, sizeof why) == 0) break;
        }
        const char *name = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
        for (int k = 0; k < (cores > 1 ? 2 : 1); k++) {
            double gbs = wb * r[k].tok_s / 1e9;
            printf("%-26s %-6s %8.1f %5d %8.1f %8.1f %7.2f %7.2f %7.1f %9.1f %5s %8.2f %6.1f MB  %s%s\n",
                   name, fmt, wb / MB, k == 0 ? 1 : cores, r[k].pp_tok_s, r[k].tok_s, r[k].mean_ms,
                   r[k].median_ms, gbs,
                   k == 0 ? row.roof_before[0] : row.roof_before[1],
                   l3 && (long)size <= l3 ? "L3" : "DRAM", gbs / (k == 0 ? row.roof_before[0] : row.roof_before[1]),
                   r[k].peak_rss_mb, r[k].kernels, why[0] ? " *" : "");
        }
        if (why[0]) {
            printf("  * disturbed after %d attempt%s: %s\n", attempts, attempts == 1 ? "" : "s", why);
            marked++;
        }
        fflush(stdout);
    }
    if (marked)
        printf("\n%d row%s stayed disturbed: another process was using the CPU or the memory; "
               "run make bench again on a quiet machine\n", marked, marked == 1 ? "" : "s");
    host_pool_destroy(one);
    host_pool_destroy(all);
    return 0;
}
