/* GGUF, llama.cpp's model file: the container only (header, metadata,
 * tensor infos), read in place from a file in memory. What the metadata
 * and tensors mean for a llama model is model_gguf.c's business.
 *
 * The layout (little-endian): "GGUF", u32 version (2 or 3), u64 tensor
 * count, u64 metadata count; then each metadata pair (a string key, a u32
 * value type, the value); then each tensor info (a string name, u32 n_dims,
 * n_dims u64 sizes, u32 ggml type, u64 offset); then, at the next multiple
 * of general.alignment (32 unless that key says otherwise), the data
 * section, where each tensor lies at its offset. A string is a u64 length
 * and that many bytes (no NUL); an array is a u32 element type, a u64
 * count and the elements (arrays of arrays included).
 *
 * gguf_open checks everything once: every length and count against the
 * bytes that are left, every value type, unique keys and tensor names,
 * tensor shapes and types, and that the tensors lie one after the other in
 * the data section, each at the offset the ones before it imply (padded
 * to the alignment), inside the file: the rule llama.cpp's reader applies,
 * so no two tensors overlap. After that the lookups below cannot fail on
 * the file's structure. Nothing is allocated or copied: keys, strings and
 * tensor data are pointers into the file. */
#ifndef LIB_LLAMA_GGUF_H
#define LIB_LLAMA_GGUF_H

#include <stddef.h>
#include <stdint.h>
#include "lib/llama/llama.h"

#define GGUF_MAGIC 0x46554747u         /* "GGUF" read as a little-endian u32 */
#define GGUF_MAX_DIMS 4
#define GGUF_MAX_NAME 64               /* tensor names are shorter (ggml's GGML_MAX_NAME) */
#define GGUF_MAX_TENSORS 65536
#define GGUF_MAX_KV 65536
#define GGUF_MAX_ARRAY_DEPTH 8         /* arrays of arrays of ... */

enum gguf_value_type {
    GGUF_U8 = 0, GGUF_I8 = 1, GGUF_U16 = 2, GGUF_I16 = 3, GGUF_U32 = 4, GGUF_I32 = 5,
    GGUF_F32 = 6, GGUF_BOOL = 7, GGUF_STRING = 8, GGUF_ARRAY = 9, GGUF_U64 = 10,
    GGUF_I64 = 11, GGUF_F64 = 12,
};

typedef struct {
    const unsigned char *data;
    size_t size;
    uint32_t version;
    uint64_t n_tensors, n_kv;
    size_t kv_offset;                  /* first metadata pair */
    size_t tensor_info_offset;         /* first tensor info */
    size_t data_offset;                /* the data section */
    uint32_t alignment;
    /* the first pairs' offsets, so that lookups need not walk the vocabulary */
    uint32_t n_kv_index;
    size_t kv_index[64];
} gguf_file;

/* A string: bytes without a NUL. */
typedef struct {
    const char *s;
    size_t len;
} gguf_str;

/* A metadata value. Scalars: `value` points at its bytes. Strings: str. Arrays:
 * elem_type, count, and `value` at the first element. */
typedef struct {
    gguf_str key;
    uint32_t type;
    const unsigned char *value;
    gguf_str str;
    uint32_t elem_type;
    uint64_t count;
} gguf_kv;

typedef struct {
    gguf_str name;
    uint32_t n_dims;
    uint64_t ne[GGUF_MAX_DIMS];        /* sizes, ne[0] the row length; 1 past n_dims */
    uint32_t type;                     /* ggml's type number (tensor.h) */
    uint64_t offset;                   /* in the data section */
    uint64_t bytes;
    const void *data;
} gguf_tensor;

/* Checks the whole file (see above) and fills g. 0, or -1 with err saying
 * what is wrong with the file. */
int gguf_open(gguf_file *g, const void *file, size_t size, llama_error *err);

/* Metadata pair i (i < n_kv). */
void gguf_kv_at(const gguf_file *g, uint64_t i, gguf_kv *kv);

/* The pair whose key is key: 1 (kv filled) or 0. */
int gguf_find(const gguf_file *g, const char *key, gguf_kv *kv);

/* Typed reads of a key. Each returns 1 when the key is there with a value
 * of a fitting type (any integer type holding a value in range for the
 * integer reads; F32 or F64 for the float read; BOOL, or an integer 0 or 1,
 * for the bool read), 0 when the key is absent, -1 (err filled, naming the
 * key) when it is there with another type or an out-of-range value. */
int gguf_get_int(const gguf_file *g, const char *key, int64_t min, int64_t max, int64_t *out,
                 llama_error *err);
int gguf_get_float(const gguf_file *g, const char *key, float *out, llama_error *err);
int gguf_get_bool(const gguf_file *g, const char *key, int *out, llama_error *err);
int gguf_get_str(const gguf_file *g, const char *key, gguf_str *out, llama_error *err);
/* An array of elem_type elements: its count and its first element. */
int gguf_get_array(const gguf_file *g, const char *key, uint32_t elem_type, gguf_kv *out,
                   llama_error *err);

/* Walks an array of strings: *p starts at the array's value; each call
 * returns the next string and moves *p past it. Only for arrays that
 * gguf_open checked (the lengths are known to fit). */
gguf_str gguf_next_str(const unsigned char **p);

/* Tensor info i (i < n_tensors); tensor infos are walked in order with a
 * cursor: *cursor starts at 0 and moves to the next info. */
void gguf_tensor_next(const gguf_file *g, size_t *cursor, gguf_tensor *t);

/* s with every control byte made '?', cut to fit cap (with "..."), for
 * error messages: returns buf. */
const char *gguf_printable(gguf_str s, char *buf, size_t cap);

/* 1 when s holds exactly the NUL-terminated text. */
int gguf_str_is(gguf_str s, const char *text);

/* Little-endian reads at any alignment. */
uint32_t gguf_u32(const unsigned char *p);
uint64_t gguf_u64(const unsigned char *p);
float gguf_f32(const unsigned char *p);

/* ggml's name of a tensor type ("Q4_K"), for every type a GGUF file may
 * hold, supported or not; NULL for a number no ggml type has. */
const char *gguf_tensor_type_name(uint32_t type);

/* Bytes of one element of a scalar type; 0 for STRING, ARRAY and unknown. */
size_t gguf_type_size(uint32_t type);
const char *gguf_type_name(uint32_t type);

#endif
