/* Fuzzes the engine's checkpoint validator, llama_checkpoint_parse
 * (lib/llama/checkpoint.c), on arbitrary bytes held in an exact, aligned
 * heap copy. On success the config must be one the forward pass can run
 * (every field in range, dim a multiple of n_heads, an even head size,
 * n_heads a multiple of n_kv_heads), and every weight tensor (fp32 in
 * versions 0 and 1; int8 with fp32 scales in version 2, Q8_0), sized here
 * from the config, must lie inside the file, with the tensors covering it
 * exactly; on failure the message must be one line. The same bytes one
 * byte off alignment must be refused.
 *
 * A small accepted checkpoint is then run: a tokenizer of its vocabulary
 * size is made up here (<unk>, <s>, </s>, byte tokens, words), a session
 * laid out in exactly llama_memory_needed bytes, and a few steps generated
 * from an empty prompt, greedy and with top-p sampling, so that the
 * forward pass and the sampler meet whatever the weights hold (NaN,
 * infinities, huge values). */
#include "lib/llama/llama.h"
#include "tests/fuzz/fuzz.h"
#include "tests/host/flat_weights.h"
#define CHECK_FLAT(w) FUZZ_ASSERT((w)->ok, "%s", (w)->why)

#define MAX_RUN_VOCAB 1024
#define MAX_RUN_MEMORY (32u << 20)
#define RUN_STEPS 6

static const char *const words[] = {" ", "a", " a", "b", "ab", " the", "\n", "<0x41>"};

/* A tokenizer.bin of exactly vocab tokens; its size in *size. */
static unsigned char *make_tokenizer(int vocab, size_t *size)
{
    unsigned char *f = malloc(4 + (size_t)vocab * (8 + 8)), *p = f + 4;
    int32_t max_len = 7;
    memcpy(f, &max_len, 4);
    for (int i = 0; i < vocab; i++) {
        char piece[16];
        if (i < 3)
            snprintf(piece, sizeof piece, "%s", (const char *[]){"<unk>", "\n<s>\n", "\n</s>\n"}[i]);
        else if (i < 259)
            snprintf(piece, sizeof piece, "<0x%02X>", i - 3);
        else
            snprintf(piece, sizeof piece, "%s", words[(i - 259) % 8]);
        float score = (float)-i;
        int32_t len = (int32_t)strlen(piece);
        memcpy(p, &score, 4);
        memcpy(p + 4, &len, 4);
        memcpy(p + 8, piece, (size_t)len);
        p += 8 + len;
    }
    *size = (size_t)(p - f);
    return f;
}

static size_t written;

static void count_write(void *ctx, const char *bytes, size_t n)
{
    FUZZ_ASSERT(n > 0 && bytes != NULL, "write of %zu bytes", n);
    volatile char last = bytes[n - 1];   /* ASan sees the read */
    (void)last;
    written += n;
}

static void run(llama_model *ck, float temperature, float topp)
{
    const llama_config *c = &ck->config;
    size_t tsize;
    unsigned char *tok = make_tokenizer(c->vocab_size, &tsize);
    llama_error err;

    FUZZ_ASSERT(llama_model_attach_tokenizer(ck, tok, tsize, &err) == 0,
                "made-up tokenizer refused: %s", err.msg);
    int steps = llama_steps(c, RUN_STEPS);
    FUZZ_ASSERT(steps >= 1 && steps <= c->seq_len && steps <= RUN_STEPS, "steps %d", steps);
    size_t need = llama_memory_needed(ck, steps, 0);
    FUZZ_ASSERT(need != SIZE_MAX, "no memory size for a small model");
    if (need <= MAX_RUN_MEMORY) {
        static unsigned cpu;
        static int cpu_known;
        if (!cpu_known) {
            cpu = llama_cpu_detect();
            cpu_known = 1;
        }
        unsigned char *mem = malloc(need);
        llama_sampling sampling = {temperature, topp, 42};
        llama_platform platform = {.write = count_write, .cpu_features = cpu};
        llama_session *s = llama_init(mem, need, ck, steps, 0, &sampling, &platform, &err);
        FUZZ_ASSERT(s != NULL, "llama_init with llama_memory_needed bytes: %s", err.msg);
        llama_stats stats;
        written = 0;
        int r = llama_generate(s, "", &stats, &err);
        FUZZ_ASSERT(r == 0, "llama_generate: %s", err.msg);
        FUZZ_ASSERT(stats.pos >= 1 && stats.pos <= steps && stats.prompt_tokens == 1,
                    "pos %d of %d steps, %d prompt tokens", stats.pos, steps, stats.prompt_tokens);
        FUZZ_ASSERT(written >= 1, "not even the final newline was written");
        free(mem);
    }
    free(tok);
}

/* A tensor of bytes at p, aligned to align inside the file; its first and
 * last bytes are read (ASan checks them). */
static void span(const void *p, uint64_t bytes, unsigned align, const unsigned char *file,
                 size_t size, const char *what, uint64_t *covered)
{
    const unsigned char *q = p;
    FUZZ_ASSERT(q && q >= file && (uint64_t)(q - file) % align == 0 &&
                bytes <= size - (size_t)(q - file),
                "%s (%llu bytes at offset %lld) is not inside the %zu-byte file", what,
                (unsigned long long)bytes, q ? (long long)(q - file) : -1LL, size);
    if (bytes) {
        volatile unsigned char first = q[0], last = q[bytes - 1];
        (void)first;
        (void)last;
    }
    *covered += bytes;
}

static void tensor(const float *p, uint64_t n, const unsigned char *file, size_t size,
                   const char *what, uint64_t *covered)
{
    span(p, 4 * n, 4, file, size, what, covered);
}

/* Version 2: layers matrices of n int8 values, each followed by its fp32
 * scales (4-byte aligned), one per group_size values. */
static void q8(const int8_t *p, uint64_t layers, uint64_t n, int gs, const unsigned char *file,
               size_t size, const char *what, uint64_t *covered)
{
    uint64_t one = n + 4 * (n / (uint64_t)gs);
    span(p, layers * one, 4, file, size, what, covered);
    FUZZ_ASSERT(n % (uint64_t)gs == 0 && n % 4 == 0, "%s: %llu values in groups of %d", what,
                (unsigned long long)n, gs);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static llama_model ck;
    llama_error err;
    unsigned char *file = fuzz_dup(data, size);

    memset(&err, 0x55, sizeof err);
    int r = llama_checkpoint_parse(&ck, file, size, &err);
    FUZZ_ASSERT(r == 0 || r == -1, "llama_checkpoint_parse returned %d", r);
    if (r != 0) {
        fuzz_check_message(err.msg, sizeof err.msg, 1, "checkpoint error");
        goto out;
    }

    const llama_config *c = &ck.config;
    FUZZ_ASSERT(c->version >= 0 && c->version <= 2, "version %d", c->version);
    FUZZ_ASSERT(c->dim >= 1 && c->hidden_dim >= 1 && c->n_layers >= 1 && c->n_heads >= 1 &&
                c->n_kv_heads >= 1 && c->vocab_size >= 3 && c->seq_len >= 1,
                "a config field below its least value");
    FUZZ_ASSERT(c->n_heads <= c->dim && c->dim % c->n_heads == 0, "dim %d, n_heads %d",
                c->dim, c->n_heads);
    FUZZ_ASSERT(c->head_size == c->dim / c->n_heads && c->head_size % 2 == 0,
                "head_size %d", c->head_size);
    FUZZ_ASSERT(c->n_kv_heads <= c->n_heads && c->n_heads % c->n_kv_heads == 0 &&
                c->kv_dim == c->n_kv_heads * c->head_size, "n_kv_heads %d, kv_dim %d",
                c->n_kv_heads, c->kv_dim);
    FUZZ_ASSERT(c->shared_classifier == 0 || c->shared_classifier == 1, "shared_classifier");

    FlatWeights fw = flat_weights(&ck);
    const FlatWeights *w = &fw;
    CHECK_FLAT(w);
    uint64_t L = (uint64_t)c->n_layers, D = (uint64_t)c->dim, H = (uint64_t)c->hidden_dim;
    uint64_t KV = (uint64_t)c->kv_dim, V = (uint64_t)c->vocab_size, covered = 0;
    tensor(w->rms_att, L * D, file, size, "rms_att", &covered);
    tensor(w->rms_ffn, L * D, file, size, "rms_ffn", &covered);
    tensor(w->rms_final, D, file, size, "rms_final", &covered);
    if (c->version < 2) {
        FUZZ_ASSERT(c->group_size == 0, "group_size %d in version %d", c->group_size, c->version);
        FUZZ_ASSERT(!w->q_token_embedding && !w->q_wq && !w->q_wk && !w->q_wv && !w->q_wo &&
                    !w->q_w1 && !w->q_w2 && !w->q_w3 && !w->q_wcls, "Q8 tensors in an fp32 file");
        tensor(w->token_embedding, V * D, file, size, "token_embedding", &covered);
        tensor(w->wq, L * D * D, file, size, "wq", &covered);
        tensor(w->wk, L * KV * D, file, size, "wk", &covered);
        tensor(w->wv, L * KV * D, file, size, "wv", &covered);
        tensor(w->wo, L * D * D, file, size, "wo", &covered);
        tensor(w->w1, L * H * D, file, size, "w1", &covered);
        tensor(w->w2, L * D * H, file, size, "w2", &covered);
        tensor(w->w3, L * H * D, file, size, "w3", &covered);
        if (c->shared_classifier)
            FUZZ_ASSERT(w->wcls == w->token_embedding, "shared classifier is not the embedding");
        else
            tensor(w->wcls, V * D, file, size, "wcls", &covered);
    } else {
        int gs = c->group_size;
        FUZZ_ASSERT(gs >= 1 && c->dim % gs == 0, "group_size %d, dim %d", gs, c->dim);
        FUZZ_ASSERT(!w->token_embedding && !w->wq && !w->wk && !w->wv && !w->wo && !w->w1 &&
                    !w->w2 && !w->w3 && !w->wcls, "fp32 matrices in a Q8_0 file");
        q8(w->q_token_embedding, 1, V * D, gs, file, size, "q_token_embedding", &covered);
        q8(w->q_wq, L, D * D, gs, file, size, "q_wq", &covered);
        q8(w->q_wk, L, KV * D, gs, file, size, "q_wk", &covered);
        q8(w->q_wv, L, KV * D, gs, file, size, "q_wv", &covered);
        q8(w->q_wo, L, D * D, gs, file, size, "q_wo", &covered);
        q8(w->q_w1, L, H * D, gs, file, size, "q_w1", &covered);
        q8(w->q_w2, L, D * H, gs, file, size, "q_w2", &covered);
        q8(w->q_w3, L, H * D, gs, file, size, "q_w3", &covered);
        if (c->shared_classifier)
            FUZZ_ASSERT(w->q_wcls == w->q_token_embedding, "shared classifier is not the embedding");
        else
            q8(w->q_wcls, 1, V * D, gs, file, size, "q_wcls", &covered);
    }
    uint64_t header = c->version == 0 ? 28 : 256;
    uint64_t rope = c->version == 0 ? (uint64_t)c->seq_len * (uint64_t)c->head_size * 4 : 0;
    FUZZ_ASSERT(header + covered + rope == size, "tensors cover %llu of %zu bytes",
                (unsigned long long)(header + covered + rope), size);

    if (c->vocab_size <= MAX_RUN_VOCAB) {
        run(&ck, 0.0f, 0.9f);
        run(&ck, 1.0f, 0.9f);
    }

    /* Misaligned: refused. */
    llama_model odd_ck;
    unsigned char *odd = malloc(size + 1);
    memcpy(odd + 1, file, size);
    FUZZ_ASSERT(llama_checkpoint_parse(&odd_ck, odd + 1, size, &err) == -1,
                "a misaligned checkpoint was accepted");
    free(odd);
out:
    free(file);
    return 0;
}
