/* mkgguf: writes a llama model as a GGUF file with random (or zero) weights,
 * in the shape of a real model and in any weight type the engine runs, for
 * benchmarks (make bench compares with llama.cpp on such files) and for
 * tests that need a big file (--zeros writes a sparse one: the weights are
 * a hole the filesystem does not store).
 *
 *   mkgguf [--shape NAME|DIM,HIDDEN,LAYERS,HEADS,KV_HEADS,VOCAB,CONTEXT]
 *          [--type F32|F16|BF16|Q8_0|Q4_0|Q4_1|Q5_0|Q5_1|Q2_K|Q3_K|Q4_K|Q5_K|Q6_K|IQ4_NL|IQ4_XS|Q4_K_M]
 *          [--output-type TYPE] [--seed N] [--zeros] OUT.gguf
 *
 * Shapes: tinyllama (TinyLlama-1.1B: 2048, 5632, 22 layers, 32 heads, 4 KV
 * heads, vocab 32000), stories110M, stories42M, stories15M, llama3-1b
 * (Llama-3.2-1B's dimensions with a 32000-token vocabulary). The vocabulary
 * is a made-up SentencePiece one (the three specials, the 256 byte tokens,
 * then "tokN" pieces), enough for llama.cpp and this engine to run it.
 * Q4_K_M is llama-quantize's mix: Q4_K, with Q6_K for the output and for
 * attn_v and ffn_down in the layers its use_more_bits rule picks.
 * --output-type: the classifier's (output.weight's) type alone, as
 * llama-quantize writes it for most types (Q6_K: its Q4_0, Q4_1, Q5_0,
 * Q5_1 and K-quant files keep the classifier in Q6_K where its columns are
 * a multiple of 256); by default the same as the rest (Q6_K for Q4_K_M).
 * Random blocks are random bytes with a fixed small scale, so every value
 * is finite and the forward pass does the work a real model makes it do. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/llama/tensor.h"
#include "tools/lib/die.h"

typedef struct {
    const char *name;
    int dim, hidden, layers, heads, kv_heads, vocab, context;
} Shape;

static const Shape shapes[] = {
    { "tinyllama", 2048, 5632, 22, 32, 4, 32000, 2048 },
    { "llama3-1b", 2048, 8192, 16, 32, 8, 32000, 4096 },
    { "stories110M", 768, 2048, 12, 12, 12, 32000, 1024 },
    { "stories42M", 512, 1376, 8, 8, 8, 32000, 1024 },
    { "stories15M", 288, 768, 6, 6, 6, 32000, 256 },
};

static FILE *out;
static const char *out_path;
static uint64_t written;

static void remove_output(void) {
    if (out) fclose(out);
    out = NULL;
    if (out_path) remove(out_path);
}

static void put(const void *p, size_t n) {
    if (n && fwrite(p, 1, n, out) != n) die("cannot write %s: %s", out_path, strerror(errno));
    written += n;
}
static void put_u32(uint32_t v) { put(&v, 4); }
static void put_u64(uint64_t v) { put(&v, 8); }
static void put_str(const char *s) {
    put_u64(strlen(s));
    put(s, strlen(s));
}
static void kv_u32(const char *k, uint32_t v) { put_str(k); put_u32(4); put_u32(v); }
static void kv_f32(const char *k, float v) { put_str(k); put_u32(6); put(&v, 4); }
static void kv_bool(const char *k, int v) { put_str(k); put_u32(7); uint8_t b = (uint8_t)v; put(&b, 1); }
static void kv_str(const char *k, const char *v) { put_str(k); put_u32(8); put_str(v); }

/* ---------------------------------------------------------------- random blocks */

static uint64_t rng;
static uint64_t next(void) {   /* xorshift64* */
    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;
    return rng * 0x2545F4914F6CDD1Dull;
}

static uint16_t f16_of(float f) {   /* small normal values only */
    uint32_t b;
    memcpy(&b, &f, 4);
    uint32_t sign = (b >> 16) & 0x8000, e = (b >> 23) & 0xff, m = b & 0x7fffff;
    if (e < 113) return (uint16_t)sign;                 /* too small: zero */
    return (uint16_t)(sign | (e - 112) << 10 | m >> 13);
}

static void put_f16(uint16_t *dst, float f) { *dst = f16_of(f); }

/* Where a block keeps its fp16 scales (d, then dmin where it has one). */
static void block_scales(int type, unsigned char *b, float d) {
    uint16_t *h;
    switch (type) {
    case LLAMA_TYPE_Q4_0: case LLAMA_TYPE_Q5_0: case LLAMA_TYPE_Q8_0: case LLAMA_TYPE_IQ4_NL: case LLAMA_TYPE_IQ4_XS:
        put_f16((uint16_t *)(void *)b, d);
        break;
    case LLAMA_TYPE_Q4_1: case LLAMA_TYPE_Q5_1: case LLAMA_TYPE_Q4_K: case LLAMA_TYPE_Q5_K:
        h = (uint16_t *)(void *)b;
        put_f16(&h[0], d);
        put_f16(&h[1], d);
        break;
    case LLAMA_TYPE_Q2_K:
        h = (uint16_t *)(void *)(b + 80);
        put_f16(&h[0], d);
        put_f16(&h[1], d);
        break;
    case LLAMA_TYPE_Q3_K: put_f16((uint16_t *)(void *)(b + 108), d); break;
    case LLAMA_TYPE_Q6_K: put_f16((uint16_t *)(void *)(b + 208), d); break;
    }
}

/* One row of cols values of type, random; scale is about the size of a weight. */
static void random_row(int type, unsigned char *row, int cols, float scale) {
    const llama_type_info *t = llama_type_get(type);
    size_t bytes = llama_type_row_bytes(type, cols);
    if (type == LLAMA_TYPE_F32 || type == LLAMA_TYPE_F16 || type == LLAMA_TYPE_BF16) {
        for (int i = 0; i < cols; i++) {
            float v = ((float)(next() >> 40) / (float)(1 << 24) - 0.5f) * 2.0f * scale;
            uint32_t b;
            memcpy(&b, &v, 4);
            if (type == LLAMA_TYPE_F32) memcpy(row + 4 * i, &v, 4);
            else if (type == LLAMA_TYPE_F16) put_f16((uint16_t *)(void *)(row + 2 * i), v);
            else { uint16_t h = (uint16_t)(b >> 16); memcpy(row + 2 * i, &h, 2); }
        }
        return;
    }
    for (size_t i = 0; i < bytes; i += 8) {
        uint64_t r = next();
        memcpy(row + i, &r, bytes - i < 8 ? bytes - i : 8);
    }
    /* quantized values reach about +-8 (4-bit) to +-127 (8-bit, IQ4_NL's
     * table), IQ4_XS's times scales up to 32: scale d so that a weight is
     * about `scale` */
    float q = type == LLAMA_TYPE_Q8_0 || type == LLAMA_TYPE_IQ4_NL ? 64.0f : type == LLAMA_TYPE_IQ4_XS ? 1000.0f
            : type == LLAMA_TYPE_Q2_K ? 2.0f : 6.0f;
    for (int b = 0; b < cols / t->block; b++) block_scales(type, row + (size_t)b * t->bytes, scale / q);
}

/* ---------------------------------------------------------------- the model */

typedef struct {
    char name[64];
    int type, cols, rows;       /* rows 1: a vector */
    float fill;                 /* vectors: every value; matrices: 0 (random) */
    uint64_t offset, bytes;
} Tensor;

static int parse_type(const char *s) {
    static const struct { const char *name; int type; } t[] = {
        { "F32", LLAMA_TYPE_F32 }, { "F16", LLAMA_TYPE_F16 }, { "BF16", LLAMA_TYPE_BF16 },
        { "Q8_0", LLAMA_TYPE_Q8_0 }, { "Q4_0", LLAMA_TYPE_Q4_0 }, { "Q4_1", LLAMA_TYPE_Q4_1 },
        { "Q5_0", LLAMA_TYPE_Q5_0 }, { "Q5_1", LLAMA_TYPE_Q5_1 }, { "Q2_K", LLAMA_TYPE_Q2_K },
        { "Q3_K", LLAMA_TYPE_Q3_K }, { "Q4_K", LLAMA_TYPE_Q4_K }, { "Q5_K", LLAMA_TYPE_Q5_K },
        { "Q6_K", LLAMA_TYPE_Q6_K }, { "IQ4_NL", LLAMA_TYPE_IQ4_NL }, { "IQ4_XS", LLAMA_TYPE_IQ4_XS },
        { "Q4_K_M", -1 },
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        if (strcmp(s, t[i].name) == 0) return t[i].type;
    die("unknown --type %s (F32 F16 BF16 Q8_0 Q4_0 Q4_1 Q5_0 Q5_1 Q2_K Q3_K Q4_K Q5_K Q6_K IQ4_NL IQ4_XS Q4_K_M)", s);
}

/* llama-quantize's use_more_bits(i_layer, n_layers). */
static int more_bits(int i, int n) { return i < n / 8 || i >= 7 * n / 8 || (i - n / 8) % 3 == 2; }

/* llama.cpp's general.file_type for each choice (enum llama_ftype). */
static int file_type(int type) {
    switch (type) {
    case LLAMA_TYPE_F32: return 0;
    case LLAMA_TYPE_F16: return 1;
    case LLAMA_TYPE_Q4_0: return 2;
    case LLAMA_TYPE_Q4_1: return 3;
    case LLAMA_TYPE_Q8_0: return 7;
    case LLAMA_TYPE_Q5_0: return 8;
    case LLAMA_TYPE_Q5_1: return 9;
    case LLAMA_TYPE_Q2_K: return 10;
    case LLAMA_TYPE_Q3_K: return 12;   /* Q3_K_M's number; all-Q3_K has none */
    case LLAMA_TYPE_Q4_K: return 14;   /* Q4_K_S */
    case LLAMA_TYPE_Q5_K: return 16;   /* Q5_K_S */
    case LLAMA_TYPE_Q6_K: return 18;
    case LLAMA_TYPE_IQ4_NL: return 25;
    case LLAMA_TYPE_IQ4_XS: return 30;
    case LLAMA_TYPE_BF16: return 32;
    default: return 15;                /* Q4_K_M */
    }
}

int main(int argc, char **argv) {
    Shape s = shapes[0];
    int type = LLAMA_TYPE_Q8_0, zeros = 0, out_type = -2;   /* -2: the classifier as the rest */
    uint64_t seed = 1;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--shape") == 0 && i + 1 < argc) {
            const char *v = argv[++i];
            int found = 0;
            for (size_t k = 0; k < sizeof shapes / sizeof shapes[0]; k++)
                if (strcmp(v, shapes[k].name) == 0) s = shapes[k], found = 1;
            if (found) continue;
            if (sscanf(v, "%d,%d,%d,%d,%d,%d,%d", &s.dim, &s.hidden, &s.layers, &s.heads,
                       &s.kv_heads, &s.vocab, &s.context) != 7)
                die("--shape %s: a name (tinyllama, llama3-1b, stories110M, stories42M, "
                    "stories15M) or DIM,HIDDEN,LAYERS,HEADS,KV_HEADS,VOCAB,CONTEXT", v);
            s.name = "custom";
        } else if (strcmp(argv[i], "--type") == 0 && i + 1 < argc) {
            type = parse_type(argv[++i]);
        } else if (strcmp(argv[i], "--output-type") == 0 && i + 1 < argc) {
            out_type = parse_type(argv[++i]);
            if (out_type < 0) die("--output-type Q4_K_M: a mix is no type for one tensor");
        } else if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc) {
            seed = strtoull(argv[++i], NULL, 10);
        } else if (strcmp(argv[i], "--zeros") == 0) {
            zeros = 1;
        } else if (argv[i][0] != '-' && !out_path) {
            out_path = argv[i];
        } else {
            die("usage: mkgguf [--shape NAME|D,H,L,HEADS,KV,VOCAB,CTX] [--type TYPE] [--output-type TYPE] "
                "[--seed N] [--zeros] OUT.gguf");
        }
    }
    if (!out_path) die("usage: mkgguf [--shape ...] [--type ...] [--seed N] [--zeros] OUT.gguf");
    if (s.dim < 2 || s.heads < 1 || s.dim % s.heads || s.kv_heads < 1 || s.heads % s.kv_heads ||
        s.layers < 1 || s.hidden < 1 || s.vocab < 259 || s.context < 1 || (s.dim / s.heads) % 2)
        die("--shape: inconsistent dimensions");
    rng = seed * 0x9E3779B97F4A7C15ull + 1;

    /* the tensors, in llama.cpp's order */
    int n = 0, kv = s.dim / s.heads * s.kv_heads;
    Tensor *t = calloc((size_t)(3 + 9 * s.layers), sizeof *t);
    int mat = type < 0 ? LLAMA_TYPE_Q4_K : type;
#define ADD(nm, ty, c, r, f) (snprintf(t[n].name, sizeof t[n].name, "%s", nm), t[n].type = (ty), \
                              t[n].cols = (c), t[n].rows = (r), t[n].fill = (f), n++)
    ADD("token_embd.weight", mat, s.dim, s.vocab, 0);
    ADD("output_norm.weight", LLAMA_TYPE_F32, s.dim, 1, 1);
    ADD("output.weight", out_type != -2 ? out_type : type < 0 ? LLAMA_TYPE_Q6_K : mat, s.dim, s.vocab, 0);
    for (int l = 0; l < s.layers; l++) {
        char nm[64];
        int big = type < 0 && more_bits(l, s.layers) ? LLAMA_TYPE_Q6_K : mat;
#define LAYER(kind, ty, c, r, f) (snprintf(nm, sizeof nm, "blk.%d.%s.weight", l, kind), ADD(nm, ty, c, r, f))
        LAYER("attn_norm", LLAMA_TYPE_F32, s.dim, 1, 1);
        LAYER("attn_q", mat, s.dim, s.dim, 0);
        LAYER("attn_k", mat, s.dim, kv, 0);
        LAYER("attn_v", big, s.dim, kv, 0);
        LAYER("attn_output", mat, s.dim, s.dim, 0);
        LAYER("ffn_norm", LLAMA_TYPE_F32, s.dim, 1, 1);
        LAYER("ffn_gate", mat, s.dim, s.hidden, 0);
        LAYER("ffn_down", big, s.hidden, s.dim, 0);
        LAYER("ffn_up", mat, s.dim, s.hidden, 0);
#undef LAYER
    }
#undef ADD
    uint64_t off = 0;
    for (int i = 0; i < n; i++) {
        size_t rb = llama_type_row_bytes(t[i].type, t[i].cols);
        if (!rb) die("%s: %d columns are not a multiple of %s's block", t[i].name, t[i].cols,
                     llama_type_get(t[i].type)->name);
        t[i].offset = off;
        t[i].bytes = rb * (uint64_t)t[i].rows;
        off = (off + t[i].bytes + 31) / 32 * 32;
    }

    out = fopen(out_path, "wb");
    die_cleanup(remove_output);
    if (!out) die("cannot create %s: %s", out_path, strerror(errno));
    put("GGUF", 4);
    put_u32(3);
    put_u64((uint64_t)n);
    put_u64(25);   /* metadata pairs, counted below */
    char name[96];
    snprintf(name, sizeof name, "random %s %s", s.name, type < 0 ? "Q4_K_M" : llama_type_get(type)->name);
    kv_str("general.architecture", "llama");
    kv_str("general.name", name);
    kv_u32("general.file_type", (uint32_t)file_type(type));
    kv_u32("general.quantization_version", 2);
    kv_u32("general.alignment", 32);
    kv_u32("llama.context_length", (uint32_t)s.context);
    kv_u32("llama.embedding_length", (uint32_t)s.dim);
    kv_u32("llama.block_count", (uint32_t)s.layers);
    kv_u32("llama.feed_forward_length", (uint32_t)s.hidden);
    kv_u32("llama.attention.head_count", (uint32_t)s.heads);
    kv_u32("llama.attention.head_count_kv", (uint32_t)s.kv_heads);
    kv_u32("llama.rope.dimension_count", (uint32_t)(s.dim / s.heads));
    kv_f32("llama.rope.freq_base", 10000.0f);
    kv_f32("llama.attention.layer_norm_rms_epsilon", 1e-5f);
    kv_u32("llama.vocab_size", (uint32_t)s.vocab);
    kv_str("tokenizer.ggml.model", "llama");
    kv_str("tokenizer.ggml.pre", "default");
    /* the vocabulary: <unk> <s> </s>, <0x00>..<0xFF>, then tokN */
    put_str("tokenizer.ggml.tokens");
    put_u32(9);
    put_u32(8);
    put_u64((uint64_t)s.vocab);
    for (int i = 0; i < s.vocab; i++) {
        char tok[32];
        if (i < 3) snprintf(tok, sizeof tok, "%s", i == 0 ? "<unk>" : i == 1 ? "<s>" : "</s>");
        else if (i < 259) snprintf(tok, sizeof tok, "<0x%02X>", i - 3);
        else snprintf(tok, sizeof tok, "\xe2\x96\x81tok%d", i);
        put_str(tok);
    }
    put_str("tokenizer.ggml.scores");
    put_u32(9);
    put_u32(6);
    put_u64((uint64_t)s.vocab);
    for (int i = 0; i < s.vocab; i++) {
        float sc = i < 259 ? 0.0f : -(float)i;
        put(&sc, 4);
    }
    put_str("tokenizer.ggml.token_type");
    put_u32(9);
    put_u32(5);
    put_u64((uint64_t)s.vocab);
    for (int i = 0; i < s.vocab; i++) put_u32(i == 0 ? 2 : i < 3 ? 3 : i < 259 ? 6 : 1);
    kv_u32("tokenizer.ggml.bos_token_id", 1);
    kv_u32("tokenizer.ggml.eos_token_id", 2);
    kv_u32("tokenizer.ggml.unknown_token_id", 0);
    kv_bool("tokenizer.ggml.add_bos_token", 1);
    kv_bool("tokenizer.ggml.add_eos_token", 0);

    for (int i = 0; i < n; i++) {
        put_str(t[i].name);
        put_u32(t[i].rows == 1 ? 1 : 2);
        put_u64((uint64_t)t[i].cols);
        if (t[i].rows != 1) put_u64((uint64_t)t[i].rows);
        put_u32((uint32_t)t[i].type);
        put_u64(t[i].offset);
    }
    static const unsigned char pad[32];
    put(pad, (32 - written % 32) % 32);
    uint64_t data_start = written;
    if (zeros) {
        /* norms still 1 (a zero norm weight would be a degenerate model) */
        for (int i = 0; i < n; i++) {
            if (t[i].rows != 1) continue;
            if (fseeko(out, (off_t)(data_start + t[i].offset), SEEK_SET) != 0)
                die("cannot seek in %s: %s", out_path, strerror(errno));
            for (int k = 0; k < t[i].cols; k++) put(&t[i].fill, 4);
        }
        if (fflush(out) != 0 || ftruncate(fileno(out), (off_t)(data_start + off)) != 0)
            die("cannot size %s: %s", out_path, strerror(errno));
    } else {
        unsigned char *row = malloc(llama_type_row_bytes(LLAMA_TYPE_F32, s.hidden > s.dim ? s.hidden : s.dim));
        for (int i = 0; i < n; i++) {
            put(pad, (size_t)(data_start + t[i].offset - written));
            size_t rb = llama_type_row_bytes(t[i].type, t[i].cols);
            float scale = 1.0f / (float)t[i].cols;
            for (int r = 0; r < t[i].rows; r++) {
                if (t[i].rows == 1) {
                    for (int k = 0; k < t[i].cols; k++) memcpy(row + 4 * k, &t[i].fill, 4);
                } else {
                    random_row(t[i].type, row, t[i].cols, scale * 16.0f);
                }
                put(row, rb);
            }
        }
        free(row);
    }
    if (fclose(out) != 0) {
        out = NULL;
        die("cannot write %s: %s", out_path, strerror(errno));
    }
    out = NULL;
    fprintf(stderr, "wrote %s: %s, %d tensors, %.1f MiB\n", out_path, name, n,
            (double)(data_start + off) / (1 << 20));
    return 0;
}
