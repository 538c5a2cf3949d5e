/* quantize: converts a llama2.c fp32 checkpoint (version 0 or 1) into a
 * version 2 (Q8_0) checkpoint, as llama2.c's export.py version2_export
 * writes it for runq.c:
 *
 *   quantize IN OUT
 *
 * Group size 64, halved until it divides dim. Each group of that many
 * consecutive values (row-major) gets scale = max|w| / 127 and values
 * round(w / scale) in [-127, 127], halves to even (torch.round). The file:
 * a 256-byte header (magic "ak42", version 2, the seven config ints,
 * shared_classifier byte, int32 group size, zeros), the fp32 rms weights
 * (attention, ffn, final), then the embedding, wq, wk, wv, wo, w1, w2, w3
 * layer by layer (and the classifier if not shared), each as its int8
 * values followed by its fp32 scales. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/llama/llama.h"
#include "tools/lib/die.h"

static const char *out_path;
static FILE *out;

/* A failed conversion leaves no half-written file behind. */
static void remove_output(void) {
    if (out) {
        fclose(out);
        remove(out_path);
    }
}

static void put(const void *p, size_t n) {
    if (fwrite(p, 1, n, out) != n) die("cannot write %s: %s", out_path, strerror(errno));
}

static void put_i32(int32_t v) { put(&v, 4); }

/* One matrix of n values (n a multiple of gs): its int8 values, then its scales. */
static void put_q8(const float *w, size_t n, int gs) {
    size_t groups = n / (size_t)gs;
    int8_t *q = malloc(n);
    float *s = malloc(groups * sizeof *s);
    if (!q || !s) die("out of memory");
    for (size_t g = 0; g < groups; g++) {
        const float *v = w + g * (size_t)gs;
        float wmax = 0.0f;
        for (int i = 0; i < gs; i++)
            if (fabsf(v[i]) > wmax) wmax = fabsf(v[i]);
        float scale = wmax / 127.0f;
        s[g] = scale;
        for (int i = 0; i < gs; i++) {
            float r = scale != 0.0f ? rintf(v[i] / scale) : 0.0f;   /* halves to even */
            q[g * (size_t)gs + (size_t)i] = (int8_t)(r > 127.0f ? 127 : r < -127.0f ? -127 : r);
        }
    }
    put(q, n);
    put(s, groups * sizeof *s);
    free(q);
    free(s);
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: quantize IN OUT   (fp32 llama2.c checkpoint to Q8_0, version 2)\n");
        return 2;
    }
    const char *in_path = argv[1];
    out_path = argv[2];
    int fd = open(in_path, O_RDONLY);
    if (fd < 0) die("cannot open %s: %s", in_path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0 || st.st_size == 0) die("cannot read %s", in_path);
    void *file = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (file == MAP_FAILED) die("cannot map %s: %s", in_path, strerror(errno));
    close(fd);

    static llama_model ck;
    llama_error err;
    if (llama_checkpoint_parse(&ck, file, (size_t)st.st_size, &err) != 0)
        die("%s: %s", in_path, err.msg);
    const llama_config *c = &ck.config;
    const llama_weights *w = &ck.weights;
    if (c->version == 2) die("%s is already a version 2 (Q8_0) checkpoint", in_path);

    int gs = 64;
    while (c->dim % gs != 0) gs /= 2;
    size_t L = (size_t)c->n_layers, D = (size_t)c->dim, H = (size_t)c->hidden_dim;
    size_t KV = (size_t)c->kv_dim, V = (size_t)c->vocab_size;

    out = fopen(out_path, "wb");
    die_cleanup(remove_output);
    if (!out) die("cannot create %s: %s", out_path, strerror(errno));
    put_i32(0x616b3432);
    put_i32(2);
    int32_t params[7] = { c->dim, c->hidden_dim, c->n_layers, c->n_heads, c->n_kv_heads,
                          c->vocab_size, c->seq_len };
    put(params, sizeof params);
    uint8_t shared = (uint8_t)c->shared_classifier;
    put(&shared, 1);
    put_i32(gs);
    static const uint8_t zeros[256];
    put(zeros, 256 - 41);

    /* norms: every layer's lie one after the other in a version 0/1 file */
    put(w->layer[0].attn_norm.data, L * D * 4);
    put(w->layer[0].ffn_norm.data, L * D * 4);
    put(w->rms_final.data, D * 4);
    put_q8(w->token_embedding.data, V * D, gs);
    for (size_t l = 0; l < L; l++) put_q8(w->layer[l].wq.data, D * D, gs);
    for (size_t l = 0; l < L; l++) put_q8(w->layer[l].wk.data, KV * D, gs);
    for (size_t l = 0; l < L; l++) put_q8(w->layer[l].wv.data, KV * D, gs);
    for (size_t l = 0; l < L; l++) put_q8(w->layer[l].wo.data, D * D, gs);
    for (size_t l = 0; l < L; l++) put_q8(w->layer[l].w1.data, H * D, gs);
    for (size_t l = 0; l < L; l++) put_q8(w->layer[l].w2.data, D * H, gs);
    for (size_t l = 0; l < L; l++) put_q8(w->layer[l].w3.data, H * D, gs);
    if (!c->shared_classifier) put_q8(w->wcls.data, V * D, gs);
    if (fclose(out) != 0) {
        out = NULL;
        remove(out_path);
        die("cannot write %s: %s", out_path, strerror(errno));
    }
    fprintf(stderr, "wrote %s: Q8_0, group size %d\n", out_path, gs);
    return 0;
}
