/* llama2: llama2.c's `run` on the host, on top of the same engine the
 * kernel runs.
 *
 *   llama2 MODEL [-t temperature] [-p topp] [-s seed] [-n steps] [-i prompt]
 *                [-z tokenizer] [-m generate|chat] [-y system] [--threads N]
 *                [--simd sse2|sse4|avx2|avx512|amx]
 *                [--tokenize TEXT] [--dump-logits FILE]
 *
 * MODEL is a llama2.c checkpoint (its tokenizer.bin comes with -z) or a
 * GGUF file (the vocabulary is inside). The story goes to stdout (the same
 * bytes run.c prints), "achieved tok/s" and the timing line to stderr; -m
 * chat reads the system and user prompts from stdin as run.c does; any
 * failure is one "error: ..." line on stderr and exit 1.
 *
 * Two flags of this program only, for comparing with llama.cpp: --tokenize
 * TEXT prints the ids of TEXT as a prompt (BOS as the model says, special
 * tokens parsed, as llama.cpp's llama-tokenize does) on one line and exits;
 * --dump-logits FILE writes the logits after the prompt to FILE (vocab_size
 * little-endian float32). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/llama/llama.h"
#include "lib/options.h"
#include "tools/lib/pool.h"
#include "tools/lib/die.h"
#include "tools/lib/huge_pages.h"

static void *read_file(const char *path, size_t *size) {
    FILE *f = fopen(path, "rb");
    if (!f) die("cannot open tokenizer %s: %s (pass its path with -z)", path, strerror(errno));
    size_t cap = 1 << 16, n = 0;
    unsigned char *buf = malloc(cap);
    if (!buf) die("out of memory reading %s", path);
    for (;;) {
        n += fread(buf + n, 1, cap - n, f);
        if (n < cap) break;
        cap *= 2;
        buf = realloc(buf, cap);
        if (!buf) die("out of memory reading %s", path);
    }
    if (ferror(f)) die("cannot read tokenizer %s: %s", path, strerror(errno));
    fclose(f);
    *size = n;
    return buf;
}

static void write_stdout(void *ctx, const char *bytes, size_t n) {
    (void)ctx;
    fwrite(bytes, 1, n, stdout);
    fflush(stdout);
}

/* run.c's read_stdin reads with fgets(buffer, bufsize, stdin). */
static int read_stdin_line(void *ctx, char *buf, size_t size) {
    (void)ctx;
    return fgets(buf, (int)size, stdin) != NULL;
}

static uint64_t clock_ns(void *ctx) {
    (void)ctx;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* --dump-logits: the logits after the (first) prompt, to a file. */
static const char *dump_path;
static void dump_logits(void *ctx, const float *logits, int n) {
    (void)ctx;
    if (!dump_path) return;
    FILE *f = fopen(dump_path, "wb");
    if (!f || fwrite(logits, sizeof *logits, (size_t)n, f) != (size_t)n || fclose(f) != 0)
        die("cannot write the logits to %s: %s", dump_path, strerror(errno));
    dump_path = NULL;
}

/* Takes this program's own flags out of argv (the rest are run.c's, parsed
 * by lib/options); returns the new argc. */
static int own_flags(int argc, char **argv, const char **tokenize) {
    int n = 1;
    for (int i = 1; i < argc; i++) {
        int t = strcmp(argv[i], "--tokenize") == 0, d = strcmp(argv[i], "--dump-logits") == 0;
        if (!t && !d) {
            argv[n++] = argv[i];
            continue;
        }
        if (i + 1 >= argc) die("%s needs a value", argv[i]);
        if (t) *tokenize = argv[++i];
        else dump_path = argv[++i];
    }
    return n;
}

int main(int argc, char **argv) {
    Options opt;
    char err[512], note[512];
    const char *tokenize = NULL;
    argc = own_flags(argc, argv, &tokenize);
    if (options_parse(&opt, argc - 1, argv + 1, OPTIONS_HOST, err, sizeof err, note,
                      sizeof note) != 0)
        die("%s", err);
    if (note[0]) fprintf(stderr, "note: %s\n", note);
    int chat = opt.mode && strcmp(opt.mode, "chat") == 0;
    if (opt.mode && !chat && strcmp(opt.mode, "generate") != 0)
        die("unknown mode '%s'; use -m generate or -m chat", opt.mode);

    llama_error lerr;
    /* the weights are used where they are read to: in 2 MiB pages */
    HugeFile file = huge_file_load(opt.checkpoint_path, "checkpoint");
    const void *model = file.data;
    size_t model_size = file.size;
    static llama_model m;
    void *tok = NULL;
    if (llama_is_gguf(model, model_size)) {   /* the vocabulary is in the file */
        if (llama_gguf_parse(&m, model, model_size, &lerr) != 0 ||
            llama_model_prepare(&m, file.data, model_size, &lerr) != 0)
            die("%s: %s", opt.checkpoint_path, lerr.msg);
    } else {
        if (llama_checkpoint_parse(&m, model, model_size, &lerr) != 0)
            die("%s: %s", opt.checkpoint_path, lerr.msg);
        const char *tok_path = opt.tokenizer_path ? opt.tokenizer_path : "tokenizer.bin";
        size_t tok_size;
        tok = read_file(tok_path, &tok_size);
        if (llama_model_attach_tokenizer(&m, tok, tok_size, &lerr) != 0)
            die("%s: %s", tok_path, lerr.msg);
    }

    /* run.c: seed 0 (or none) means the time */
    uint64_t seed = opt.seed_given ? opt.seed : (uint64_t)(unsigned int)time(NULL);
    llama_sampling sampling = { opt.temperature, opt.topp, seed };
    /* --simd narrows what the engine may use (results are the same) */
    unsigned features = llama_cpu_detect();
    llama_error level_err;
    if (opt.simd && llama_cpu_level(features, opt.simd, &features, &level_err) != 0) die("%s", level_err.msg);
    /* --threads N: N cores (0 = all), through a pool of spinning workers */
    int threads = opt.threads > 0 ? opt.threads : host_cpu_count();
    HostPool *pool = host_pool_create(threads);
    if (!pool) die("cannot start %d threads", threads);
    llama_platform platform = { pool, write_stdout, clock_ns, host_pool_parallel_for, features,
                                NULL, dump_logits, opt.simd != NULL };

    const char *prompt = opt.prompt ? opt.prompt : "";
    if (tokenize) prompt = tokenize;
    /* a chat renders typed prompts into a template: room for the longest */
    size_t max_prompt = chat && strlen(prompt) < LLAMA_CHAT_PROMPT_MAX ? LLAMA_CHAT_PROMPT_MAX
                                                                       : strlen(prompt);
    int steps = llama_steps(&m.config, opt.steps);
    size_t need = llama_memory_needed(&m, steps, max_prompt);
    if (need == SIZE_MAX) die("the model is too big for this machine's address space");
    void *mem = huge_alloc(need);     /* the cache is read for every token too */
    if (!mem) die("cannot allocate %zu MiB of working memory", (need + (1u << 20) - 1) >> 20);
    llama_session *s = llama_init(mem, need, &m, steps, max_prompt, &sampling, &platform, &lerr);
    if (!s) die("%s", lerr.msg);

    llama_stats stats;
    if (tokenize) {
        int cap = 3 * (int)strlen(tokenize) + 4;   /* as the engine sizes a prompt */
        int *ids = malloc((size_t)cap * sizeof *ids);
        int n = ids ? llama_tokenize(s, tokenize, ids, cap, &lerr) : -1;
        if (n < 0) die("%s", ids ? lerr.msg : "out of memory");
        for (int i = 0; i < n; i++) printf(i ? " %d" : "%d", ids[i]);
        printf("\n");
        free(ids);
    } else if (chat) {
        int known;
        llama_chat_format(s, &known);
        if (!known)
            fprintf(stderr, "note: the model's chat template is not one of Llama 2, Llama 3, ChatML "
                            "and Zephyr; turns are written as \"User: ...\" and \"Assistant:\"\n");
        time_t now = time(NULL);
        struct tm tm;
        if (localtime_r(&now, &tm)) llama_set_date(s, tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);   /* run.c's chat: no tok/s line */
        if (llama_chat(s, opt.prompt, opt.system_prompt, read_stdin_line, NULL, &stats,
                       &lerr) < 0)
            die("%s", lerr.msg);
    } else {
        if (llama_generate(s, prompt, &stats, &lerr) != 0) die("%s", lerr.msg);
        if (stats.generated > 1)
            fprintf(stderr, "achieved tok/s: %f\n", llama_tokens_per_second(&stats));
        char line[200];
        llama_timing_line(&stats, line, sizeof line);
        fprintf(stderr, "%s\n", line);
    }

    host_pool_destroy(pool);
    huge_free(mem, need);
    free(tok);
    return 0;
}
