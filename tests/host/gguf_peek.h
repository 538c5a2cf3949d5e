/* For host tests that need real tensors before the engine's own GGUF
 * parser exists: finds a tensor by name in a GGUF file held in memory
 * (version 2 or 3; header, key/values skipped by their types, tensor
 * infos, data at general.alignment), trusting the file (the test models
 * in ../shared/models/gguf are llama.cpp's own output). Not a parser of
 * outside input: lib/ has that job. */
#ifndef TESTS_HOST_GGUF_PEEK_H
#define TESTS_HOST_GGUF_PEEK_H

#include <stdint.h>
#include <string.h>
#include "lib/llama/tensor.h"

typedef struct { const unsigned char *p, *end; int bad; } GgufCur;

static inline uint64_t gguf_u(GgufCur *c, int bytes) {
    uint64_t v = 0;
    if (c->end - c->p < bytes) { c->bad = 1; return 0; }
    for (int i = 0; i < bytes; i++) v |= (uint64_t)c->p[i] << (8 * i);
    c->p += bytes;
    return v;
}

static inline void gguf_skip(GgufCur *c, uint64_t n) {
    if ((uint64_t)(c->end - c->p) < n) { c->bad = 1; c->p = c->end; } else c->p += n;
}

static inline void gguf_skip_value(GgufCur *c, uint32_t type) {
    static const int size[] = { 1, 1, 2, 2, 4, 4, 4, 1, 0, 0, 8, 8, 8 };
    if (type == 8) gguf_skip(c, gguf_u(c, 8));
    else if (type == 9) {
        uint32_t t = (uint32_t)gguf_u(c, 4);
        uint64_t n = gguf_u(c, 8);
        for (uint64_t i = 0; i < n && !c->bad; i++) gguf_skip_value(c, t);
    } else if (type < 13) gguf_skip(c, (uint64_t)size[type]);
    else c->bad = 1;
}

/* Fills *t with the tensor called name (rows = product of the dimensions
 * after the first); 0, or -1 when the file has no such tensor. */
static inline int gguf_peek(const unsigned char *file, size_t size, const char *name, llama_tensor *t) {
    GgufCur c = { file, file + size, 0 };
    if (size < 24 || memcmp(file, "GGUF", 4) != 0) return -1;
    c.p += 4;
    gguf_u(&c, 4);
    uint64_t n_tensors = gguf_u(&c, 8), n_kv = gguf_u(&c, 8), align = 32;
    for (uint64_t i = 0; i < n_kv && !c.bad; i++) {
        uint64_t klen = gguf_u(&c, 8);
        const unsigned char *key = c.p;
        gguf_skip(&c, klen);
        uint32_t type = (uint32_t)gguf_u(&c, 4);
        if (klen == 17 && memcmp(key, "general.alignment", 17) == 0 && type == 4) align = gguf_u(&c, 4);
        else gguf_skip_value(&c, type);
    }
    int found = -1;
    uint64_t offset = 0;
    for (uint64_t i = 0; i < n_tensors && !c.bad; i++) {
        uint64_t nlen = gguf_u(&c, 8);
        const unsigned char *tname = c.p;
        gguf_skip(&c, nlen);
        uint32_t dims = (uint32_t)gguf_u(&c, 4);
        uint64_t ne[4] = { 1, 1, 1, 1 };
        for (uint32_t d = 0; d < dims; d++) {
            uint64_t v = gguf_u(&c, 8);
            if (d < 4) ne[d] = v;
        }
        uint32_t type = (uint32_t)gguf_u(&c, 4);
        uint64_t off = gguf_u(&c, 8);
        if (nlen == strlen(name) && memcmp(tname, name, nlen) == 0) {
            found = 0;
            offset = off;
            t->type = (int)type;
            t->cols = (int)ne[0];
            t->rows = (int)(ne[1] * ne[2] * ne[3]);
            t->row_bytes = llama_type_row_bytes((int)type, (int64_t)ne[0]);
            t->scales = NULL;
            t->group_size = 0;
        }
    }
    if (c.bad || found < 0) return -1;
    size_t data = ((size_t)(c.p - file) + align - 1) / align * align;
    if (data + offset + t->row_bytes * (size_t)t->rows > size) return -1;
    t->data = file + data + offset;
    return 0;
}

#endif
