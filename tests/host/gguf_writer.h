/* A small GGUF writer for the tests: builds files in memory, well-formed or
 * broken on purpose, so that the reader's checks can be exercised one by
 * one. A file is built in three parts (metadata, tensor infos, data) that
 * gw_finish joins with the alignment padding. */
#ifndef TESTS_HOST_GGUF_WRITER_H
#define TESTS_HOST_GGUF_WRITER_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    unsigned char *p;
    size_t n, cap;
} GwBuf;

static void gw_put(GwBuf *b, const void *d, size_t n) {
    if (b->n + n > b->cap) {
        b->cap = (b->n + n) * 2 + 64;
        b->p = realloc(b->p, b->cap);
    }
    memcpy(b->p + b->n, d, n);
    b->n += n;
}
static void gw_u32(GwBuf *b, uint32_t v) { gw_put(b, &v, 4); }
static void gw_u64(GwBuf *b, uint64_t v) { gw_put(b, &v, 8); }
static void gw_f32(GwBuf *b, float v) { gw_put(b, &v, 4); }
static void gw_str(GwBuf *b, const char *s) {
    gw_u64(b, strlen(s));
    gw_put(b, s, strlen(s));
}

typedef struct {
    GwBuf kv, info, data;
    uint64_t n_kv, n_tensors;
    uint32_t alignment;
} Gw;

static void gw_init(Gw *g) {
    memset(g, 0, sizeof *g);
    g->alignment = 32;
}

static void gw_free(Gw *g) {
    free(g->kv.p);
    free(g->info.p);
    free(g->data.p);
}

/* Metadata: the key, then the caller writes the type and value into g->kv. */
static GwBuf *gw_key(Gw *g, const char *key) {
    g->n_kv++;
    gw_str(&g->kv, key);
    return &g->kv;
}
static void gw_kv_u32(Gw *g, const char *key, uint32_t v) { GwBuf *b = gw_key(g, key); gw_u32(b, 4); gw_u32(b, v); }
static void gw_kv_f32(Gw *g, const char *key, float v) { GwBuf *b = gw_key(g, key); gw_u32(b, 6); gw_f32(b, v); }
static void gw_kv_bool(Gw *g, const char *key, int v) { GwBuf *b = gw_key(g, key); gw_u32(b, 7); unsigned char c = (unsigned char)v; gw_put(b, &c, 1); }
static void gw_kv_str(Gw *g, const char *key, const char *v) { GwBuf *b = gw_key(g, key); gw_u32(b, 8); gw_str(b, v); }

/* A tensor of a type with its bytes (data may be NULL: zeros). Its offset is
 * where the data part is now, padded to the alignment. */
static void gw_tensor(Gw *g, const char *name, uint32_t type, int n_dims, const uint64_t *ne,
                      const void *data, size_t bytes) {
    while (g->data.n % g->alignment) gw_put(&g->data, "", 1);
    g->n_tensors++;
    gw_str(&g->info, name);
    gw_u32(&g->info, (uint32_t)n_dims);
    for (int i = 0; i < n_dims; i++) gw_u64(&g->info, ne[i]);
    gw_u32(&g->info, type);
    gw_u64(&g->info, g->data.n);
    if (data) {
        gw_put(&g->data, data, bytes);
    } else {
        unsigned char *z = calloc(1, bytes ? bytes : 1);
        gw_put(&g->data, z, bytes);
        free(z);
    }
}

/* The whole file, in malloc'd memory that the caller frees. */
static unsigned char *gw_finish(Gw *g, uint32_t version, size_t *size) {
    GwBuf f = { 0 };
    gw_put(&f, "GGUF", 4);
    gw_u32(&f, version);
    gw_u64(&f, g->n_tensors);
    gw_u64(&f, g->n_kv);
    gw_put(&f, g->kv.p, g->kv.n);
    gw_put(&f, g->info.p, g->info.n);
    while (f.n % g->alignment) gw_put(&f, "", 1);
    gw_put(&f, g->data.p, g->data.n);
    *size = f.n;
    return f.p;
}

#endif
