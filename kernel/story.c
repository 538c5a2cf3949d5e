/* The story: validate the model and tokenizer modules, size and allocate the
 * engine's memory, and run llama2.c's generate loop with the text streamed
 * to every console. The engine does the work; this file supplies the
 * platform (console, clock, cores) and says what happened. */
#include "kernel/story.h"
#include <stdint.h>
#include "kernel/console.h"
#include "kernel/cpu.h"
#include "kernel/input.h"
#include "kernel/memory.h"
#include "kernel/model_report.h"
#include "kernel/panic.h"
#include "kernel/smp.h"
#include "kernel/time.h"
#include "lib/format.h"
#include "lib/libc.h"
#include "lib/llama/llama.h"

#define MIB (1024.0 * 1024.0)

static void write_text(void *ctx, const char *s, size_t n) { (void)ctx; console_write(s, n); }
static uint64_t now(void *ctx) { (void)ctx; return time_ns(); }

/* The engine's parallel loops on the cores in use, through smp_run. Core i
 * takes the chunks of its own share of [0, n) first (llama_chunks,
 * llama_share: the same rows every time, as the host's pool,
 * tools/lib/pool.c), one at a time from its share's counter, then what is
 * left of the others', so a virtual core that the host does not run holds
 * up one chunk at most; smp_run gives its untouched share, if any, to core
 * 0, which then finds no chunk left. Each row or head is computed the same
 * way on any core: the story does not depend on how many there are. */
typedef struct {
    llama_range_fn fn;
    void *arg;
    int n, workers, chunks;
} ParallelJob;

static struct { _Alignas(64) int taken; } share_taken[SMP_MAX_CPUS];

static void run_share(void *arg, int cpu, int ncpu) {
    const ParallelJob *j = arg;
    (void)ncpu;
    for (int k = 0; k < j->workers; k++) {
        int w = (cpu + k) % j->workers, first, end;
        llama_share(j->chunks, j->workers, w, &first, &end);
        for (;;) {
            int c = first + __atomic_fetch_add(&share_taken[w].taken, 1, __ATOMIC_RELAXED);
            if (c >= end) break;
            int begin, stop;
            llama_chunk(j->n, j->workers, c, &begin, &stop);
            if (begin < stop) j->fn(j->arg, begin, stop);
        }
    }
}

static void parallel_for(void *ctx, int n, llama_range_fn fn, void *arg) {
    int ncpu = *(const int *)ctx;
    if (ncpu > n) ncpu = n;
    if (ncpu <= 1) {
        fn(arg, 0, n);
        return;
    }
    ParallelJob j = { fn, arg, n, ncpu, llama_chunks(n, ncpu) };
    for (int w = 0; w < ncpu; w++) share_taken[w].taken = 0;
    smp_run(ncpu, run_share, &j);
}

/* --threads N (0: every core smp_init started), at most that many. */
static int cores_to_use(const Options *opt) {
    int have = smp_cpu_count();
    if (opt->threads > have)
        kprintf("note: --threads %d, but %d core%s started; using %d\n", opt->threads, have,
                have == 1 ? "" : "s", have);
    return opt->threads > 0 && opt->threads < have ? opt->threads : have;
}

/* The screen's status line while a story is told: model, tokens so far of
 * the steps, speed (run.c's measure: from the first token on), cores, SIMD.
 * Redrawn at most every 100 ms, and when a story ends. */
static struct {
    const char *model, *simd;
    int cores;
    uint64_t t_first, t_drawn;
} status;

static void show_status(int pos, int steps, bool final) {
    uint64_t t = time_ns();
    if (pos <= 1) status.t_first = t;
    if (!final && pos != steps && t - status.t_drawn < 100000000) return;
    status.t_drawn = t;
    char line[160], speed[32] = "- tok/s";
    if (pos > 1 && t > status.t_first)
        fmt_snprintf(speed, sizeof speed, "%.1f tok/s", (pos - 1) / ((t - status.t_first) / 1e9));
    fmt_snprintf(line, sizeof line, " %s | %d/%d tokens | %s | %d core%s | %s%s", status.model,
                 pos, steps, speed, status.cores, status.cores == 1 ? "" : "s", status.simd,
                 final ? " | done" : "");
    console_status(line);
}

static void progress(void *ctx, int pos, int steps) { (void)ctx; show_status(pos, steps, false); }

/* The chat reads its lines from the consoles; Ctrl-D ends it. */
static int chat_read_line(void *ctx, char *buf, size_t size) {
    (void)ctx;
    return input_read_line(buf, size) == INPUT_LINE ? 1 : -1;
}

/* A line typed after "Prompt: " (--ask): run.c's prompt buffers hold 511 bytes. */
#define ASK_LINE_MAX LLAMA_CHAT_LINE_MAX

/* The SIMD level for the engine: the widest the CPU and XCR0 allow. Under
 * QEMU's TCG (CPUID leaf 0x40000000 says "TCGTCGTCGTCG") too: TCG runs each
 * vector instruction as a call that loops over its lanes, so wider vectors
 * mean fewer calls; measured on stories15M (256 greedy tokens), AVX2 9.2
 * tok/s against SSE2's 6.8 on one core, 14.8 against 11.8 on two. AVX-512,
 * which TCG does not offer today, is not picked there unmeasured. --simd
 * forces a level the CPU has. */
static unsigned pick_simd(const Options *opt, const char **name) {
    unsigned have = 0;
    if (cpu.avx_usable && cpu.fma) have |= LLAMA_CPU_FMA;
    if (cpu.avx_usable && cpu.avx2) have |= LLAMA_CPU_AVX2;
    if (cpu.avx_usable && cpu.f16c) have |= LLAMA_CPU_F16C;
    if (cpu.avx_usable) have |= LLAMA_CPU_AVX;
    if (cpu.avx512_usable) have |= LLAMA_CPU_AVX512;
    if (cpu.avx512_usable && cpu.avx512bw && cpu.avx512vl && cpu.avx512vnni) have |= LLAMA_CPU_AVX512VNNI;
    if ((have & LLAMA_CPU_AVX512VNNI) && cpu.amx_usable) have |= LLAMA_CPU_AMX;
    if ((have & LLAMA_CPU_AVX2) && cpu.f16c && cpu.avx_vnni) have |= LLAMA_CPU_AVXVNNI;
    if (cpu.ssse3 && cpu.sse41) have |= LLAMA_CPU_SSE41;
    const char *want = opt->simd;
    bool tcg = strcmp(cpu.hypervisor, "TCGTCGTCGTCG") == 0;
    if (!want) want = (have & LLAMA_CPU_AMX) && (have & LLAMA_CPU_AVX2) && !tcg ? "amx"
                    : (have & LLAMA_CPU_AVX512) && (have & LLAMA_CPU_AVX2) && !tcg ? "avx512"
                    : (have & LLAMA_CPU_AVX2) && (have & LLAMA_CPU_FMA) ? "avx2"
                    : (have & LLAMA_CPU_SSE41) ? "sse4" : "sse2";
    *name = want;
    unsigned features;
    llama_error err;
    if (llama_cpu_level(have, want, &features, &err) != 0) kernel_error("%s", err.msg);
    return features;
}

static void report(const llama_stats *st, uint64_t load_ns, const char *simd, int cores) {
    double gen_ms = (st->t_end_ns - st->t_first_ns) / 1e6;
    kprintf("stats: load and validate %.1f ms, first token after %.1f ms, %d tokens, %.2f ms/token, "
            "simd %s, %d core%s\n",
            load_ns / 1e6, st->t_first_ns ? (st->t_first_ns - st->t_begin_ns) / 1e6 : 0.0, st->pos,
            st->generated > 1 && st->t_first_ns ? gen_ms / (st->generated - 1) : 0.0, simd, cores,
            cores == 1 ? "" : "s");
    char line[200];
    llama_timing_line(st, line, sizeof line);
    kprintf("%s\n", line);
}

void story_run(const Options *opt, void *model, size_t model_size,
               const void *tokenizer, size_t tokenizer_size) {
    llama_error err;
    static llama_model m;
    uint64_t t0 = time_ns();
    if ((uintptr_t)model % 4)
        kernel_error("model: the module is not 4-byte aligned; this GRUB ignored the module alignment request");
    if (llama_is_gguf(model, model_size)) {
        if (llama_gguf_parse(&m, model, model_size, &err) != 0 ||
            llama_model_prepare(&m, model, model_size, &err) != 0)
            kernel_error("model: %s", err.msg);
    } else {
        if (llama_checkpoint_parse(&m, model, model_size, &err) != 0) {
            static llama_model other;
            llama_error ignored;
            if (tokenizer && (uintptr_t)tokenizer % 4 == 0 &&
                llama_checkpoint_parse(&other, tokenizer, tokenizer_size, &ignored) == 0)
                kernel_error("the modules named 'model' and 'tokenizer' are swapped: the checkpoint is "
                             "the one named 'tokenizer'; in grub.cfg, name the checkpoint's module2 line "
                             "'model' and the tokenizer's 'tokenizer'");
            kernel_error("model: %s", err.msg);
        }
        if (!tokenizer)
            kernel_error("no module named 'tokenizer': a llama2.c checkpoint needs its tokenizer.bin; "
                         "grub.cfg needs, after the model's module2 line:\n"
                         "    module2 /boot/tokenizer.bin tokenizer");
    }
    const llama_config *c = &m.config;
    const char *name = model_report_name(&m);
    kprintf("========================================\n"
            "  LLaMA2 bare metal (%s)\n"
            "========================================\n", name);
    if (m.format == LLAMA_FORMAT_LLAMA2C)
        kdetail("config: dim=%d hidden_dim=%d n_layers=%d n_heads=%d n_kv_heads=%d vocab_size=%d seq_len=%d%s\n",
                c->dim, c->hidden_dim, c->n_layers, c->n_heads, c->n_kv_heads, c->vocab_size, c->seq_len,
                c->shared_classifier ? "" : " (unshared classifier)");

    if (m.format == LLAMA_FORMAT_LLAMA2C &&
        llama_model_attach_tokenizer(&m, tokenizer, tokenizer_size, &err) != 0)
        kernel_error("tokenizer: %s", err.msg);

    int steps = llama_steps(c, opt->steps);
    bool chat = strcmp(opt->mode, "chat") == 0;
    size_t prompt_len = opt->prompt ? strlen(opt->prompt) : 0;
    if (chat && prompt_len < LLAMA_CHAT_PROMPT_MAX) prompt_len = LLAMA_CHAT_PROMPT_MAX;
    if (opt->ask && prompt_len < ASK_LINE_MAX) prompt_len = ASK_LINE_MAX;
    size_t need = llama_memory_needed(&m, steps, prompt_len);
    uint64_t largest = memory_largest_free();
    if (need == SIZE_MAX || need > largest) {
        /* the most steps that fit, for the message */
        int lo = 0, hi = steps;
        while (lo < hi) {
            int mid = lo + (hi - lo + 1) / 2;
            size_t n = llama_memory_needed(&m, mid, prompt_len);
            if (n != SIZE_MAX && n <= largest) lo = mid;
            else hi = mid - 1;
        }
        char fit[96] = "not even one step fits";
        if (lo > 0) fmt_snprintf(fit, sizeof fit, "%d steps fit: ask for -n %d or fewer", lo, lo);
        kernel_error("not enough memory: the KV cache and run state for %d steps need %.1f MiB "
                     "(besides the %.1f MiB model), and the largest free block is %.1f MiB; %s, "
                     "or give the machine more RAM (make run MEM=...)",
                     steps, need == SIZE_MAX ? 1e12 : need / MIB, model_size / MIB, largest / MIB, fit);
    }
    void *mem = memory_alloc(need, 64);
    if (!mem) kernel_error("not enough memory for %.1f MiB of run state", need / MIB);
    if (m.format == LLAMA_FORMAT_LLAMA2C) {
        char format[48] = "fp32";
        if (c->version == 2) fmt_snprintf(format, sizeof format, "Q8_0 (int8, groups of %d)", c->group_size);
        kprintf("checkpoint: version %d %s, %.1f MiB used in place; KV cache and run state %.1f MiB "
                "for %d steps; %.1f MiB in all\n",
                c->version, format, model_size / MIB, need / MIB, steps, (model_size + need) / MIB);
    } else {
        size_t kv = 2 * (size_t)c->n_layers * (size_t)steps * (size_t)c->kv_dim * sizeof(float);
        model_report(&m, model_size, steps, kv, need);
    }

    const char *simd;
    int cores = cores_to_use(opt);
    llama_platform platform = {
        .ctx = &cores, .write = write_text, .now_ns = now, .parallel_for = parallel_for,
        .cpu_features = pick_simd(opt, &simd), .progress = progress, .simd_fixed = opt->simd != 0,
    };
    llama_sampling sampling = {.temperature = opt->temperature, .topp = opt->topp, .seed = opt->seed};
    llama_session *s = llama_init(mem, need, &m, steps, prompt_len, &sampling, &platform, &err);
    if (!s) kernel_error("%s", err.msg);
    uint64_t t_ready = time_ns();
    int year, month, day;
    if (time_rtc_date(&year, &month, &day)) llama_set_date(s, year, month, day);
    if (chat) {
        int known;
        const char *format = llama_chat_format(s, &known);
        kprintf("chat: %s%s\n", format, known ? "" : " (the model has no chat template this kernel "
                "recognises: turns are written as \"User: ...\" and \"Assistant:\")");
        if (!known) kprintf("note: %s's chat template is not one of Llama 2, Llama 3, ChatML and "
                            "Zephyr; using a plain format\n", name);
    }

    status.model = name;
    status.simd = simd;
    status.cores = cores;

    llama_stats st;
    if (chat) {
        /* run.c's chat, its lines typed on the consoles; with --ask a new
         * conversation after each, until Ctrl-D */
        const char *first = opt->prompt;
        int r;
        do {
            r = llama_chat(s, first, opt->system_prompt, chat_read_line, 0, &st, &err);
            if (r < 0) kernel_error("%s", err.msg);
            status.simd = llama_simd_level(s);
            show_status(st.pos, steps, true);
            report(&st, t_ready - t0, status.simd, cores);
            if (first == opt->prompt && st.t_first_ns)
                kprintf("first token: %.3f s after the kernel started\n",
                        (time_since_entry_ns() - (time_ns() - st.t_first_ns)) / 1e9);
            first = 0;
        } while (opt->ask && r == 0);
        return;
    }
    /* generate: the -i prompt, then (--ask) each line typed after "Prompt: "
     * until Ctrl-D, or under --exit an empty line */
    static char line[ASK_LINE_MAX + 1];
    const char *prompt = opt->prompt;
    uint64_t first_token_ns = 0;
    for (bool first = true;; first = false) {
        if (!first || (opt->ask && !prompt)) {
            if (!opt->ask) break;
            kprintf("Prompt: ");
            if (input_read_line(line, sizeof line) == INPUT_EOF) {
                kprintf("\n");
                break;
            }
            if (!line[0] && opt->exit_when_done) break;
            prompt = line;
        }
        if (!first || opt->ask) llama_set_prompt_specials(s, 0);   /* typed: never a control token */
        if (llama_generate(s, prompt, &st, &err) != 0) kernel_error("%s", err.msg);
        if (first_token_ns == 0 && st.t_first_ns)
            first_token_ns = time_since_entry_ns() - (time_ns() - st.t_first_ns);
        status.simd = llama_simd_level(s);
        show_status(st.pos, steps, true);
        if (st.generated > 1) kprintf("achieved tok/s: %f\n", llama_tokens_per_second(&st));
        report(&st, t_ready - t0, status.simd, cores);
        if (first_token_ns && prompt == opt->prompt)
            kprintf("first token: %.3f s after the kernel started\n", first_token_ns / 1e9);
    }
}
