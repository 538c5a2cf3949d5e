/* Weights put into the layouts the kernels read, in place (tensor.h's
 * llama_tensor_prepare, llama.h's llama_model_prepare; blocks.h says
 * why): the blocks of 4 and 5 bits (Q4_0, Q4_1, Q5_0, Q5_1, IQ4_NL), each run of
 * 32 blocks of a row becoming each of its fields side by side (the fifth
 * bits in halves); Q4_K and
 * Q5_K, each pair of super-blocks its two heads, then Q5_K's two blocks'
 * fifth bits, then their quants, those in the kernels' order. */
#include "lib/llama/llama.h"
#include "lib/llama/blocks.h"
#include "lib/llama/errors.h"
#include "lib/llama/simd.h"
#include "lib/libc.h"

/* The fields of a block (the d, and m, qh where the type has them, then
 * the qs), in order, as blocks.h's structs lay them out; size 0 ends. */
typedef struct {
    int off, size;
    int halves;     /* qh: its words then in halves (blocks.h) */
} Field;
#define FIELD_OF(BT, F) { (int)offsetof(BT, F), (int)sizeof(((BT *)0)->F), 0 }
#define QH_OF(BT) { (int)offsetof(BT, qh), (int)sizeof(((BT *)0)->qh), 1 }
static const Field *block_fields(int type) {
    static const Field q4_0[] = { FIELD_OF(block_q4_0, d), FIELD_OF(block_q4_0, qs), { 0, 0, 0 } };
    static const Field q4_1[] = { FIELD_OF(block_q4_1, d), FIELD_OF(block_q4_1, m), FIELD_OF(block_q4_1, qs), { 0, 0, 0 } };
    static const Field q5_0[] = { FIELD_OF(block_q5_0, d), QH_OF(block_q5_0), FIELD_OF(block_q5_0, qs), { 0, 0, 0 } };
    static const Field q5_1[] = { FIELD_OF(block_q5_1, d), FIELD_OF(block_q5_1, m), QH_OF(block_q5_1),
                                  FIELD_OF(block_q5_1, qs), { 0, 0, 0 } };
    switch (type) {
    case LLAMA_TYPE_Q4_0: case LLAMA_TYPE_IQ4_NL: return q4_0;   /* IQ4_NL's fields are Q4_0's */
    case LLAMA_TYPE_Q4_1: return q4_1;
    case LLAMA_TYPE_Q5_0: return q5_0;
    default: return q5_1;
    }
}

/* A run's n qh words (ggml's, side by side at qh) in blocks.h's order
 * (q5_half_at). */
static void qh_halves(uint8_t *qh, int n) {
    uint8_t old[4 * BLOCK32_RUN];
    memcpy(old, qh, 4 * (size_t)n);
    for (int k = 0; k < n; k++) {
        memcpy(qh + q5_half_at(n, k, 0), old + 4 * k, 2);
        memcpy(qh + q5_half_at(n, k, 1), old + 4 * k + 2, 2);
    }
}

/* One row of nb ggml blocks of S bytes at p, rearranged run by run. */
static void split_row(unsigned char *p, int nb, int S, const Field *fields) {
    unsigned char old[BLOCK32_RUN * sizeof(block_q5_1)];     /* the largest of the four */
    for (int b = 0; b < nb; b += BLOCK32_RUN) {
        int n = run32_blocks(b, nb);
        unsigned char *run = p + run32_start(b, S);
        memcpy(old, run, (size_t)n * (size_t)S);
        for (const Field *f = fields; f->size; f++) {
            for (int k = 0; k < n; k++)
                memcpy(run + split_field_at(S, f->off, f->size, nb, b + k) - run32_start(b, S),
                       old + (size_t)k * (size_t)S + (size_t)f->off, (size_t)f->size);
            if (f->halves) qh_halves(run + (size_t)n * (size_t)f->off, n);
        }
    }
}

/* A Q4_K block's quants from ggml's order (src) into blocks.h's (dst).
 * ggml keeps value 32j + m in nibble j % 2 of src[32 (j / 2) + m], and
 * dst's byte 32c + 4j + i takes values 32j + 8c + i and 32j + 8c + 4 + i:
 * the 8 bytes src[32 (j / 2) + 8c ..] give dst's lanes j = 2 (j / 2)
 * (their low nibbles) and j + 1 (their high ones), 8 bytes at 32c +
 * 8 (j / 2). SSE2, 16 source bytes at a time (value by value, this took
 * a fifth of bench's run on TinyLlama Q4_K_M; 32 bits at a time, 0.8 s of
 * it for its 470 MB). */
static void k4_quants(const uint8_t *src, uint8_t *dst) {
    const __m128i m4 = _mm_set1_epi8(0x0f);
    for (int p = 0; p < 4; p++)              /* src bytes 32p ..: lanes 2p and 2p + 1 */
        for (int c = 0; c < 4; c += 2) {     /* c and c + 1 */
            __m128i w = _mm_loadu_si128((const __m128i *)(const void *)(src + 32 * p + 8 * c));
            __m128i lo = _mm_and_si128(w, m4), hi = _mm_and_si128(_mm_srli_epi16(w, 4), m4);
            /* each 8 bytes' first four nibbles, then the last four above them */
            __m128i even = _mm_or_si128(_mm_shuffle_epi32(lo, 0x88), _mm_slli_epi32(_mm_shuffle_epi32(lo, 0xdd), 4));
            __m128i odd = _mm_or_si128(_mm_shuffle_epi32(hi, 0x88), _mm_slli_epi32(_mm_shuffle_epi32(hi, 0xdd), 4));
            __m128i lanes = _mm_unpacklo_epi32(even, odd);    /* c: lanes 2p, 2p + 1; c + 1: the same */
            _mm_storel_epi64((__m128i *)(void *)(dst + 32 * c + 8 * p), lanes);
            _mm_storel_epi64((__m128i *)(void *)(dst + 32 * (c + 1) + 8 * p), _mm_unpackhi_epi64(lanes, lanes));
        }
}

/* A Q5_K block's fifth bits from ggml's order (src: bit j of byte m is
 * value 32j + m's) into blocks.h's (dst: bit 2c + h of byte 4j + i is
 * value 32j + 8c + 4h + i's): with m = 4 (2c + h) + i, bit j of src[4n
 * + i] becomes bit n of dst[4j + i], for each i an 8x8 transpose of bits
 * (three exchanges of bit blocks in a 64-bit word, rows as bytes). */
static void k5_fifth_bits(const uint8_t *src, uint8_t *dst) {
    for (int i = 0; i < 4; i++) {
        uint64_t x = 0, t;
        for (int n = 0; n < 8; n++) x |= (uint64_t)src[4 * n + i] << (8 * n);
        t = (x ^ (x >> 7)) & 0x00aa00aa00aa00aaull, x ^= t ^ (t << 7);
        t = (x ^ (x >> 14)) & 0x0000cccc0000ccccull, x ^= t ^ (t << 14);
        t = (x ^ (x >> 28)) & 0x00000000f0f0f0f0ull, x ^= t ^ (t << 28);
        for (int j = 0; j < 8; j++) dst[4 * j + i] = (uint8_t)(x >> (8 * j));
    }
}

/* One row of nb Q4_K or Q5_K (S: its block's bytes) super-blocks at p,
 * rearranged a pair at a time. Both keep the head first and the 128
 * bytes of quants last; Q5_K's fifth bits lie between. */
static void k4_row(unsigned char *p, int nb, size_t S) {
    unsigned char old[2 * sizeof(block_q5_K)];
    for (int b = 0; b < nb; b += 2) {
        int n = b + 1 < nb ? 2 : 1;
        unsigned char *pair = p + (size_t)b * S;
        memcpy(old, pair, (size_t)n * S);
        for (int k = 0; k < n; k++) {
            const unsigned char *B = old + (size_t)k * S;
            memcpy(p + k4_head_at(S, b + k), B, K4_HEAD);
            if (S == sizeof(block_q5_K)) k5_fifth_bits(B + K4_HEAD, p + k4_qh_at(nb, b + k));
            k4_quants(B + S - 128, p + k4_qs_at(S, nb, b + k));
        }
    }
}

void llama_tensor_prepare(llama_tensor *t, void *data) {
    int split = llama_type_split(t->type);
    if (split < 0 || !data) return;
    const llama_type_info *ti = llama_type_get(t->type);
    for (int r = 0; r < t->rows; r++) {
        unsigned char *row = (unsigned char *)data + (size_t)r * t->row_bytes;
        if (t->type == LLAMA_TYPE_Q4_K || t->type == LLAMA_TYPE_Q5_K) k4_row(row, t->cols / QK_K, (size_t)ti->bytes);
        else split_row(row, t->cols / 32, ti->bytes, block_fields(t->type));
    }
    t->type = split;
}

/* Matrix i of the model's 2 + 7 * n_layers (the embedding, the
 * classifier, the layers'), or NULL for a classifier that is the
 * embedding itself. */
static const llama_tensor *matrix_at(const llama_model *m, int i) {
    const llama_weights *w = &m->weights;
    if (i == 0) return &w->token_embedding;
    if (i == 1) return w->wcls.data == w->token_embedding.data ? NULL : &w->wcls;
    const llama_layer *y = &w->layer[(i - 2) / 7];
    const llama_tensor *mats[] = { &y->wq, &y->wk, &y->wv, &y->wo, &y->w1, &y->w3, &y->w2 };
    return mats[(i - 2) % 7];
}

int llama_model_prepared(const llama_model *m) {
    for (int i = 0; i < 2 + 7 * m->config.n_layers; i++)
        if (matrix_at(m, i) && llama_type_split(matrix_at(m, i)->type) >= 0) return 0;
    return 1;
}

int llama_model_prepare(llama_model *m, void *file, size_t size, llama_error *err) {
    int n = 2 + 7 * m->config.n_layers;
    unsigned char *f = file;
    /* all checked before any is touched */
    for (int i = 0; i < n; i++) {
        const llama_tensor *t = matrix_at(m, i);
        if (!t || llama_type_split(t->type) < 0) continue;
        const unsigned char *d = t->data;
        size_t bytes = (size_t)t->rows * t->row_bytes;
        if (d < f || (size_t)(d - f) > size || bytes > size - (size_t)(d - f))
            return llama_fail(err, "a tensor does not lie in the bytes given to llama_model_prepare: "
                              "give it the bytes llama_model_open read");
    }
    for (int i = 0; i < n; i++) {
        llama_tensor *t = (llama_tensor *)matrix_at(m, i);     /* m's own: writable */
        if (t && llama_type_split(t->type) >= 0) llama_tensor_prepare(t, f + ((const unsigned char *)t->data - f));
    }
    if (m->weights.wcls.data == m->weights.token_embedding.data) m->weights.wcls = m->weights.token_embedding;
    return 0;
}
