/* Tensors: the one description of a weight matrix or vector that every
 * model format fills and the compute kernels read. Types carry ggml's
 * numbers, so a GGUF tensor's type field is one of these as it stands;
 * llama2.c's own int8 format (export.py version 2, runq.c) gets a number
 * ggml does not use.
 *
 * Block formats (ggml's, see ggml-common.h): a row of `cols` values is
 * cols / block consecutive blocks of `bytes` bytes each. */
#ifndef LIB_LLAMA_TENSOR_H
#define LIB_LLAMA_TENSOR_H

#include <stddef.h>
#include <stdint.h>

enum llama_type {
    LLAMA_TYPE_F32 = 0,
    LLAMA_TYPE_F16 = 1,
    LLAMA_TYPE_Q4_0 = 2,
    LLAMA_TYPE_Q4_1 = 3,
    LLAMA_TYPE_Q5_0 = 6,
    LLAMA_TYPE_Q5_1 = 7,
    LLAMA_TYPE_Q8_0 = 8,
    LLAMA_TYPE_Q8_1 = 9,       /* activations only (Q4_1, Q5_1 products) */
    LLAMA_TYPE_Q2_K = 10,
    LLAMA_TYPE_Q3_K = 11,
    LLAMA_TYPE_Q4_K = 12,
    LLAMA_TYPE_Q5_K = 13,
    LLAMA_TYPE_Q6_K = 14,
    LLAMA_TYPE_Q8_K = 15,      /* activations only (K-quant products) */
    LLAMA_TYPE_IQ4_NL = 20,    /* 4-bit indices into a fixed non-linear table, blocks of 32 */
    LLAMA_TYPE_IQ4_XS = 23,    /* the same in super-blocks of 256 with 6-bit sub-block scales */
    LLAMA_TYPE_BF16 = 30,
    LLAMA_TYPE_RUNQ8 = 1000,   /* llama2.c version 2: int8 values, fp32 scales apart */
    /* the blocks of 4 and 5 bits (IQ4_NL's too), Q4_K and Q5_K rearranged for the kernels (blocks.h;
     * llama_tensor_prepare) */
    LLAMA_TYPE_Q4_0_SPLIT = 1001,
    LLAMA_TYPE_Q4_1_SPLIT = 1002,
    LLAMA_TYPE_Q5_0_SPLIT = 1003,
    LLAMA_TYPE_Q5_1_SPLIT = 1004,
    LLAMA_TYPE_Q4_K_SPLIT = 1005,
    LLAMA_TYPE_Q5_K_SPLIT = 1006,
    LLAMA_TYPE_IQ4_NL_SPLIT = 1007,
};

typedef struct {
    const char *name;          /* "Q4_K", as llama.cpp prints it */
    int block;                 /* values per block */
    int bytes;                 /* bytes per block */
    int weight;                /* 1: supported as a weight type; 0: activations only */
} llama_type_info;

/* NULL for a number that is no type this engine knows (including every
 * ggml type it does not support, such as the IQ quants other than IQ4_NL
 * and IQ4_XS). */
const llama_type_info *llama_type_get(int type);

/* Bytes of one row of n values: n / block * bytes, or 0 when n is not a
 * multiple of the block (or the type is unknown). RUNQ8 rows: n bytes (the
 * scales lie apart). */
size_t llama_type_row_bytes(int type, int64_t n);

/* A matrix of `rows` rows of `cols` values (ggml's ne[1] and ne[0]), or a
 * vector (rows == 1). Row r starts at data + r * row_bytes. */
typedef struct {
    const void *data;          /* NULL: absent */
    int type;                  /* enum llama_type */
    int rows, cols;
    size_t row_bytes;
    /* LLAMA_TYPE_RUNQ8 only: one fp32 scale per group_size consecutive
     * values of the whole matrix, row-major (a group may straddle rows). */
    const float *scales;
    int group_size;
} llama_tensor;

/* The type llama_tensor_prepare makes of `type` (Q4_0_SPLIT of Q4_0, ...),
 * or -1 for a type the kernels read as it is. */
int llama_type_split(int type);

/* Puts a weight matrix into the layout the kernels read, in place at
 * `data` (the tensor's own bytes, writable): Q4_0, Q4_1, Q5_0, Q5_1,
 * IQ4_NL, Q4_K and Q5_K become their _SPLIT types (blocks.h); every other
 * type (the _SPLIT ones too) is left as it is. Once per set of bytes: another tensor over the
 * same bytes, still marked Q4_0, would rearrange them again. */
void llama_tensor_prepare(llama_tensor *t, void *data);

#endif
