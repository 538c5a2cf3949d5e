/* The table of tensor types (see tensor.h). Block sizes and byte counts are
 * ggml's (ggml-common.h): QK4_0 = QK8_0 = 32 with an fp16 scale (and an
 * fp16 minimum for the _1 types, 4 more bytes of fifth bits for Q5); the
 * K-quants' super-blocks of QK_K = 256 values; IQ4_NL a block of 32 with
 * an fp16 scale, IQ4_XS super-blocks of 256 (fp16 d, 6-bit scales in 2 + 4
 * bytes). */
#include "lib/llama/tensor.h"

static const llama_type_info types[] = {
    [LLAMA_TYPE_F32] = { "F32", 1, 4, 1 },
    [LLAMA_TYPE_F16] = { "F16", 1, 2, 1 },
    [LLAMA_TYPE_Q4_0] = { "Q4_0", 32, 2 + 16, 1 },
    [LLAMA_TYPE_Q4_1] = { "Q4_1", 32, 2 + 2 + 16, 1 },
    [LLAMA_TYPE_Q5_0] = { "Q5_0", 32, 2 + 4 + 16, 1 },
    [LLAMA_TYPE_Q5_1] = { "Q5_1", 32, 2 + 2 + 4 + 16, 1 },
    [LLAMA_TYPE_Q8_0] = { "Q8_0", 32, 2 + 32, 1 },
    [LLAMA_TYPE_Q8_1] = { "Q8_1", 32, 2 + 2 + 32, 0 },
    [LLAMA_TYPE_Q2_K] = { "Q2_K", 256, 16 + 64 + 2 + 2, 1 },
    [LLAMA_TYPE_Q3_K] = { "Q3_K", 256, 32 + 64 + 12 + 2, 1 },
    [LLAMA_TYPE_Q4_K] = { "Q4_K", 256, 2 + 2 + 12 + 128, 1 },
    [LLAMA_TYPE_Q5_K] = { "Q5_K", 256, 2 + 2 + 12 + 32 + 128, 1 },
    [LLAMA_TYPE_Q6_K] = { "Q6_K", 256, 128 + 64 + 16 + 2, 1 },
    [LLAMA_TYPE_Q8_K] = { "Q8_K", 256, 4 + 256 + 32, 0 },
    [LLAMA_TYPE_IQ4_NL] = { "IQ4_NL", 32, 2 + 16, 1 },
    [LLAMA_TYPE_IQ4_XS] = { "IQ4_XS", 256, 2 + 2 + 4 + 128, 1 },
    [LLAMA_TYPE_BF16] = { "BF16", 1, 2, 1 },
};

static const llama_type_info runq8 = { "Q8_0 (llama2.c)", 1, 1, 1 };

/* The _SPLIT types, and the ggml types they are made of (whose values,
 * bytes and names they keep: the names users know). */
static const int split_of[][2] = {
    { LLAMA_TYPE_Q4_0, LLAMA_TYPE_Q4_0_SPLIT }, { LLAMA_TYPE_Q4_1, LLAMA_TYPE_Q4_1_SPLIT },
    { LLAMA_TYPE_Q5_0, LLAMA_TYPE_Q5_0_SPLIT }, { LLAMA_TYPE_Q5_1, LLAMA_TYPE_Q5_1_SPLIT },
    { LLAMA_TYPE_Q4_K, LLAMA_TYPE_Q4_K_SPLIT }, { LLAMA_TYPE_Q5_K, LLAMA_TYPE_Q5_K_SPLIT },
    { LLAMA_TYPE_IQ4_NL, LLAMA_TYPE_IQ4_NL_SPLIT },
};

int llama_type_split(int type) {
    for (size_t i = 0; i < sizeof split_of / sizeof split_of[0]; i++)
        if (split_of[i][0] == type) return split_of[i][1];
    return -1;
}

const llama_type_info *llama_type_get(int type) {
    if (type == LLAMA_TYPE_RUNQ8) return &runq8;
    for (size_t i = 0; i < sizeof split_of / sizeof split_of[0]; i++)
        if (split_of[i][1] == type) return &types[split_of[i][0]];
    if (type < 0 || (size_t)type >= sizeof types / sizeof types[0] || !types[type].name) return 0;
    return &types[type];
}

size_t llama_type_row_bytes(int type, int64_t n) {
    const llama_type_info *t = llama_type_get(type);
    if (!t || n < 0 || n % t->block) return 0;
    return (size_t)(n / t->block) * (size_t)t->bytes;
}
