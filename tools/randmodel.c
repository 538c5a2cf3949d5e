/* randmodel: writes a llama2.c checkpoint (version 1, fp32, shared
 * classifier) of a given shape with random weights, for benchmarks of
 * models that are not at hand:
 *
 *   randmodel SHAPE SEED OUT     SHAPE: stories15M, stories42M, stories110M
 *                                (dim, hidden, layers, heads, seq_len of those
 *                                models, vocabulary 32000)
 *
 * The same SHAPE and SEED always give the same file (xorshift64*). Matrix
 * entries are uniform with variance 1/fan-in, rms weights 1, so the
 * activations stay of order 1; the embedding rows of tokens 0-2 are zero,
 * so that the classifier never prefers BOS (1), which would end a story. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct shape { const char *name; int dim, hidden, layers, heads, seq; };
static const struct shape shapes[] = {
    { "stories15M", 288, 768, 6, 6, 256 },
    { "stories42M", 512, 1376, 8, 8, 1024 },
    { "stories110M", 768, 2048, 12, 12, 1024 },
};
#define VOCAB 32000

static uint64_t rng;
static FILE *out;
static const char *out_path;

static void fail_write(void) {
    fprintf(stderr, "error: cannot write %s: %s\n", out_path, strerror(errno));
    fclose(out);
    remove(out_path);
    exit(1);
}

static float uniform(void) {     /* [-1, 1) */
    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;
    uint32_t u = (uint32_t)((rng * 0x2545F4914F6CDD1Dull) >> 40);   /* 24 bits */
    return (float)u / 8388608.0f - 1.0f;
}

/* n values uniform in [-a, a), a = sqrt(3 / fan_in), through a buffer. */
static void put_random(size_t n, int fan_in, size_t zero_first) {
    static float buf[1 << 16];
    float a = 1.0f;
    while (a * a * (float)fan_in > 3.0f) a *= 0.99f;
    for (size_t done = 0; done < n;) {
        size_t k = n - done < sizeof buf / sizeof buf[0] ? n - done : sizeof buf / sizeof buf[0];
        for (size_t i = 0; i < k; i++) buf[i] = done + i < zero_first ? 0.0f : a * uniform();
        if (fwrite(buf, sizeof buf[0], k, out) != k) fail_write();
        done += k;
    }
}

static void put_ones(size_t n) {
    float one = 1.0f;
    for (size_t i = 0; i < n; i++)
        if (fwrite(&one, 4, 1, out) != 1) fail_write();
}

int main(int argc, char **argv) {
    const struct shape *s = NULL;
    if (argc == 4)
        for (unsigned i = 0; i < sizeof shapes / sizeof shapes[0]; i++)
            if (strcmp(argv[1], shapes[i].name) == 0) s = &shapes[i];
    if (!s) {
        fprintf(stderr, "usage: randmodel stories15M|stories42M|stories110M SEED OUT\n");
        return 2;
    }
    rng = strtoull(argv[2], NULL, 0) * 0x9E3779B97F4A7C15ull + 1;
    out_path = argv[3];
    out = fopen(out_path, "wb");
    if (!out) {
        fprintf(stderr, "error: cannot create %s: %s\n", out_path, strerror(errno));
        return 1;
    }
    int32_t header[9] = { 0x616b3432, 1, s->dim, s->hidden, s->layers, s->heads, s->heads,
                          VOCAB, s->seq };
    unsigned char pad[256] = { 0 };
    memcpy(pad, header, sizeof header);
    pad[36] = 1;                                       /* shared classifier */
    if (fwrite(pad, 1, 256, out) != 256) fail_write();
    size_t L = (size_t)s->layers, D = (size_t)s->dim, H = (size_t)s->hidden;
    put_ones(2 * L * D + D);                           /* rms_att, rms_ffn, rms_final */
    put_random(VOCAB * D, s->dim, 3 * D);              /* embedding = classifier */
    put_random(L * D * D, s->dim, 0);                  /* wq */
    put_random(L * D * D, s->dim, 0);                  /* wk */
    put_random(L * D * D, s->dim, 0);                  /* wv */
    put_random(L * D * D, s->dim, 0);                  /* wo */
    put_random(L * H * D, s->dim, 0);                  /* w1 */
    put_random(L * D * H, s->hidden, 0);               /* w2 */
    put_random(L * H * D, s->dim, 0);                  /* w3 */
    if (fclose(out) != 0) {
        fprintf(stderr, "error: cannot write %s: %s\n", out_path, strerror(errno));
        remove(out_path);
        return 1;
    }
    return 0;
}
