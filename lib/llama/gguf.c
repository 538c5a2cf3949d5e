/* The GGUF container (see gguf.h): one checking pass in gguf_open, then
 * lookups that trust what it checked. */
#include "lib/llama/gguf.h"
#include "lib/llama/errors.h"
#include "lib/libc.h"

/* ---------------------------------------------------------------- bytes */

uint32_t gguf_u32(const unsigned char *p) {
    uint32_t v;
    memcpy(&v, p, 4);   /* x86 is little-endian, as GGUF is */
    return v;
}

uint64_t gguf_u64(const unsigned char *p) {
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

float gguf_f32(const unsigned char *p) {
    float v;
    memcpy(&v, p, 4);
    return v;
}

int gguf_str_is(gguf_str s, const char *text) {
    size_t n = strlen(text);
    return s.len == n && memcmp(s.s, text, n) == 0;
}

static const struct { const char *name; size_t size; } value_types[] = {
    [GGUF_U8] = { "u8", 1 },     [GGUF_I8] = { "i8", 1 },       [GGUF_U16] = { "u16", 2 },
    [GGUF_I16] = { "i16", 2 },   [GGUF_U32] = { "u32", 4 },     [GGUF_I32] = { "i32", 4 },
    [GGUF_F32] = { "f32", 4 },   [GGUF_BOOL] = { "bool", 1 },   [GGUF_STRING] = { "string", 0 },
    [GGUF_ARRAY] = { "array", 0 }, [GGUF_U64] = { "u64", 8 },   [GGUF_I64] = { "i64", 8 },
    [GGUF_F64] = { "f64", 8 },
};
#define N_VALUE_TYPES (sizeof value_types / sizeof value_types[0])

size_t gguf_type_size(uint32_t type) { return type < N_VALUE_TYPES ? value_types[type].size : 0; }

const char *gguf_type_name(uint32_t type) {
    return type < N_VALUE_TYPES ? value_types[type].name : "unknown";
}

/* Every ggml tensor type a GGUF file may hold, supported or not, with its
 * block (values) and bytes per block: enough to check the file's layout;
 * whether the engine can compute with it is decided elsewhere. */
static const struct { const char *name; uint16_t block, bytes; } tensor_types[] = {
    [0] = { "F32", 1, 4 },          [1] = { "F16", 1, 2 },          [2] = { "Q4_0", 32, 18 },
    [3] = { "Q4_1", 32, 20 },       [6] = { "Q5_0", 32, 22 },       [7] = { "Q5_1", 32, 24 },
    [8] = { "Q8_0", 32, 34 },       [9] = { "Q8_1", 32, 36 },       [10] = { "Q2_K", 256, 84 },
    [11] = { "Q3_K", 256, 110 },    [12] = { "Q4_K", 256, 144 },    [13] = { "Q5_K", 256, 176 },
    [14] = { "Q6_K", 256, 210 },    [15] = { "Q8_K", 256, 292 },    [16] = { "IQ2_XXS", 256, 66 },
    [17] = { "IQ2_XS", 256, 74 },   [18] = { "IQ3_XXS", 256, 98 },  [19] = { "IQ1_S", 256, 50 },
    [20] = { "IQ4_NL", 32, 18 },    [21] = { "IQ3_S", 256, 110 },   [22] = { "IQ2_S", 256, 82 },
    [23] = { "IQ4_XS", 256, 136 },  [24] = { "I8", 1, 1 },          [25] = { "I16", 1, 2 },
    [26] = { "I32", 1, 4 },         [27] = { "I64", 1, 8 },         [28] = { "F64", 1, 8 },
    [29] = { "IQ1_M", 256, 56 },    [30] = { "BF16", 1, 2 },        [34] = { "TQ1_0", 256, 54 },
    [35] = { "TQ2_0", 256, 66 },    [39] = { "MXFP4", 32, 17 },
};
#define N_TENSOR_TYPES (sizeof tensor_types / sizeof tensor_types[0])

const char *gguf_tensor_type_name(uint32_t type) {
    return type < N_TENSOR_TYPES && tensor_types[type].name ? tensor_types[type].name : 0;
}

/* ---------------------------------------------------------------- checking reader */

typedef struct {
    const unsigned char *base;
    size_t pos, size;
    llama_error *err;
} Reader;

static size_t left(const Reader *r) { return r->size - r->pos; }

/* what: a phrase naming the thing being read, for the error */
static int need(Reader *r, uint64_t n, const char *what) {
    if (n <= left(r)) return 0;
    return llama_fail(r->err, "GGUF file is truncated or corrupt: %s needs %llu bytes at offset "
                      "%llu, but the file has %llu bytes; download or convert it again", what,
                      (unsigned long long)n, (unsigned long long)r->pos,
                      (unsigned long long)r->size);
}

static int read_u32(Reader *r, uint32_t *v, const char *what) {
    if (need(r, 4, what)) return -1;
    *v = gguf_u32(r->base + r->pos);
    r->pos += 4;
    return 0;
}

static int read_u64(Reader *r, uint64_t *v, const char *what) {
    if (need(r, 8, what)) return -1;
    *v = gguf_u64(r->base + r->pos);
    r->pos += 8;
    return 0;
}

static int read_str(Reader *r, gguf_str *s, const char *what) {
    uint64_t n;
    if (read_u64(r, &n, what) || need(r, n, what)) return -1;
    s->s = (const char *)(r->base + r->pos);
    s->len = (size_t)n;
    r->pos += (size_t)n;
    return 0;
}

const char *gguf_printable(gguf_str s, char *buf, size_t cap) {
    size_t n = 0;
    for (size_t i = 0; i < s.len && n + 4 < cap; i++) {
        unsigned char c = (unsigned char)s.s[i];
        buf[n++] = c >= 0x20 && c != 0x7f ? (char)c : '?';
    }
    if (s.len > n && n + 4 <= cap) {
        memcpy(buf + n, "...", 3);
        n += 3;
    }
    buf[n] = '\0';
    return buf;
}

/* A name for an error message: the bytes of a file cannot break the line. */
#define SHOW(str) gguf_printable((str), (char[56]){ 0 }, 56)

static int skip_value(Reader *r, uint32_t type, int depth, gguf_str key);

static int skip_array(Reader *r, int depth, gguf_str key) {
    uint32_t elem;
    uint64_t n;
    if (read_u32(r, &elem, "an array's element type") || read_u64(r, &n, "an array's length"))
        return -1;
    if (depth >= GGUF_MAX_ARRAY_DEPTH)
        return llama_fail(r->err, "GGUF metadata '%s' nests arrays more than %d deep: the file "
                          "is corrupt", SHOW(key), GGUF_MAX_ARRAY_DEPTH);
    size_t sz = gguf_type_size(elem);
    if (sz) {   /* fixed-size elements: one bounds check */
        if (n > left(r) / sz)
            return llama_fail(r->err, "GGUF file is truncated or corrupt: metadata '%s' is an "
                              "array of %llu %s values, past the end of the file", SHOW(key),
                              (unsigned long long)n, gguf_type_name(elem));
        r->pos += (size_t)(n * sz);
        return 0;
    }
    if (elem != GGUF_STRING && elem != GGUF_ARRAY)
        return llama_fail(r->err, "GGUF metadata '%s' is an array of unknown type %u: the file "
                          "is corrupt or newer than this reader", SHOW(key), elem);
    /* every string or array element takes at least 8 bytes: a count past
     * what is left fails at once instead of after a long walk */
    if (n > left(r) / 8)
        return llama_fail(r->err, "GGUF file is truncated or corrupt: metadata '%s' is an "
                          "array of %llu %ss, past the end of the file", SHOW(key),
                          (unsigned long long)n, gguf_type_name(elem));
    for (uint64_t i = 0; i < n; i++)
        if (skip_value(r, elem, depth + 1, key)) return -1;
    return 0;
}

static int skip_value(Reader *r, uint32_t type, int depth, gguf_str key) {
    if (type == GGUF_STRING) {
        gguf_str s;
        return read_str(r, &s, "a string value");
    }
    if (type == GGUF_ARRAY) return skip_array(r, depth, key);
    size_t sz = gguf_type_size(type);
    if (!sz)
        return llama_fail(r->err, "GGUF metadata '%s' has unknown value type %u: the file is "
                          "corrupt or newer than this reader", SHOW(key), type);
    if (type == GGUF_BOOL && r->pos < r->size && r->base[r->pos] > 1)
        return llama_fail(r->err, "GGUF metadata '%s' is a bool of value %u, not 0 or 1: the "
                          "file is corrupt", SHOW(key), r->base[r->pos]);
    if (need(r, sz, "a value")) return -1;
    r->pos += sz;
    return 0;
}

/* The pair at r->pos: key and type read, value skipped. */
static int read_kv(Reader *r, gguf_str *key, uint32_t *type) {
    if (read_str(r, key, "a metadata key") || read_u32(r, type, "a metadata value type")) return -1;
    if (key->len == 0)
        return llama_fail(r->err, "GGUF metadata pair at offset %llu has an empty key: the file "
                          "is corrupt", (unsigned long long)r->pos);
    return skip_value(r, *type, 0, *key);
}

static int str_eq(gguf_str a, gguf_str b) { return a.len == b.len && memcmp(a.s, b.s, a.len) == 0; }

/* ---------------------------------------------------------------- open */

/* The key of the pair at `at` (the file was checked up to there). */
static gguf_str key_at(const unsigned char *base, size_t at) {
    gguf_str k = { (const char *)base + at + 8, (size_t)gguf_u64(base + at) };
    return k;
}

static int check_kv(gguf_file *g, Reader *r) {
    for (uint64_t i = 0; i < g->n_kv; i++) {
        size_t at = r->pos;
        gguf_str key;
        uint32_t type;
        if (read_kv(r, &key, &type)) return -1;
        if (g->n_kv_index < sizeof g->kv_index / sizeof g->kv_index[0])
            g->kv_index[g->n_kv_index++] = at;
        /* duplicates: compare with every earlier key (n_kv is bounded);
         * the indexed ones are found at once, later ones by walking */
        size_t p = g->kv_offset;
        for (uint64_t j = 0; j < i; j++) {
            if (j < g->n_kv_index) p = g->kv_index[j];
            if (str_eq(key_at(r->base, p), key))
                return llama_fail(r->err, "GGUF metadata key '%s' appears twice (pairs %llu and "
                                  "%llu): the file is corrupt", SHOW(key), (unsigned long long)j,
                                  (unsigned long long)i);
            if (j + 1 >= g->n_kv_index) {
                Reader q = { r->base, p, r->size, 0 };
                gguf_str k;
                uint32_t t;
                read_kv(&q, &k, &t);
                p = q.pos;
            }
        }
        if (gguf_str_is(key, "general.alignment")) {
            if (type != GGUF_U32)
                return llama_fail(r->err, "GGUF metadata general.alignment is a %s, not a u32: "
                                  "the file is corrupt", gguf_type_name(type));
            uint32_t a = gguf_u32(r->base + r->pos - 4);
            if (a == 0 || (a & (a - 1)) != 0)
                return llama_fail(r->err, "GGUF metadata general.alignment is %u, not a power of "
                                  "two: the file is corrupt", a);
            g->alignment = a;
        }
    }
    return 0;
}

/* One tensor info at r->pos, checked; t filled (offset relative to the
 * data section, data not yet set). */
static int read_tensor_info(Reader *r, uint64_t i, gguf_tensor *t) {
    memset(t, 0, sizeof *t);
    if (read_str(r, &t->name, "a tensor name") || read_u32(r, &t->n_dims, "a tensor's dimensions"))
        return -1;
    if (t->name.len == 0 || t->name.len >= GGUF_MAX_NAME)
        return llama_fail(r->err, "GGUF tensor %llu has a name of %llu bytes; names have 1 to %d: "
                          "the file is corrupt", (unsigned long long)i,
                          (unsigned long long)t->name.len, GGUF_MAX_NAME - 1);
    if (t->n_dims > GGUF_MAX_DIMS)
        return llama_fail(r->err, "GGUF tensor '%s' has %u dimensions; at most %d: the file is "
                          "corrupt", SHOW(t->name), t->n_dims, GGUF_MAX_DIMS);
    uint64_t elements = 1;
    for (uint32_t d = 0; d < GGUF_MAX_DIMS; d++) {
        t->ne[d] = 1;
        if (d < t->n_dims && read_u64(r, &t->ne[d], "a tensor's size")) return -1;
        /* no dimension past 2^40 and no tensor past 2^50 values: sizes
         * stay far from overflowing anything */
        if (t->ne[d] == 0 || t->ne[d] > (1ull << 40) || elements * t->ne[d] > (1ull << 50))
            return llama_fail(r->err, "GGUF tensor '%s' has an absurd shape (dimension %u is "
                              "%llu): the file is corrupt", SHOW(t->name), d,
                              (unsigned long long)t->ne[d]);
        elements *= t->ne[d];
    }
    if (read_u32(r, &t->type, "a tensor's type") || read_u64(r, &t->offset, "a tensor's offset"))
        return -1;
    const char *tname = gguf_tensor_type_name(t->type);
    if (!tname)
        return llama_fail(r->err, "GGUF tensor '%s' has type %u, which no ggml version this "
                          "reader knows has: the file is corrupt or too new", SHOW(t->name),
                          t->type);
    uint64_t block = tensor_types[t->type].block;
    if (t->ne[0] % block != 0)
        return llama_fail(r->err, "GGUF tensor '%s' of type %s has rows of %llu values, not a "
                          "multiple of its block of %llu: the file is corrupt", SHOW(t->name),
                          tname, (unsigned long long)t->ne[0], (unsigned long long)block);
    t->bytes = elements / block * tensor_types[t->type].bytes;
    return 0;
}

static uint64_t pad(uint64_t x, uint32_t a) { return (x + a - 1) / a * a; }

static int check_tensors(gguf_file *g, Reader *r) {
    for (uint64_t i = 0; i < g->n_tensors; i++) {
        gguf_tensor t;
        if (read_tensor_info(r, i, &t)) return -1;
        Reader q = { r->base, g->tensor_info_offset, r->size, r->err };
        for (uint64_t j = 0; j < i; j++) {
            gguf_tensor o;
            read_tensor_info(&q, j, &o);
            if (str_eq(o.name, t.name))
                return llama_fail(r->err, "GGUF tensor '%s' appears twice (tensors %llu and "
                                  "%llu): the file is corrupt", SHOW(t.name),
                                  (unsigned long long)j, (unsigned long long)i);
        }
    }
    g->data_offset = (size_t)pad(r->pos, g->alignment);
    if (g->n_tensors > 0 && g->data_offset > r->size)
        return llama_fail(r->err, "GGUF file is truncated: its data section would begin at byte "
                          "%llu, past the end of the %llu-byte file; download or convert it again",
                          (unsigned long long)g->data_offset, (unsigned long long)r->size);
    /* the data: tensor after tensor, as llama.cpp requires */
    Reader q = { r->base, g->tensor_info_offset, r->size, r->err };
    uint64_t expected = 0, room = r->size - g->data_offset;
    for (uint64_t i = 0; i < g->n_tensors; i++) {
        gguf_tensor t;
        read_tensor_info(&q, i, &t);
        if (t.offset != expected)
            return llama_fail(r->err, "GGUF tensor '%s' lies at offset %llu of the data section, "
                              "but the tensors before it end at %llu (padded to %u): the file is "
                              "corrupt (tensors out of place, overlapping or misaligned)",
                              SHOW(t.name), (unsigned long long)t.offset,
                              (unsigned long long)expected, g->alignment);
        if (t.bytes > room || t.offset > room - t.bytes)
            return llama_fail(r->err, "GGUF tensor '%s' (%llu bytes at offset %llu of the data "
                              "section) runs past the end of the file: the file is truncated; "
                              "download or convert it again", SHOW(t.name),
                              (unsigned long long)t.bytes, (unsigned long long)t.offset);
        expected = pad(t.offset + t.bytes, g->alignment);
    }
    return 0;
}

int gguf_open(gguf_file *g, const void *file, size_t size, llama_error *err) {
    memset(g, 0, sizeof *g);
    g->data = file;
    g->size = size;
    g->alignment = 32;
    Reader r = { file, 0, size, err };
    uint32_t magic;
    if (size < 4 || (read_u32(&r, &magic, "the magic"), magic != GGUF_MAGIC))
        return llama_fail(err, "not a GGUF file (it does not begin with \"GGUF\")");
    if (read_u32(&r, &g->version, "the version")) return -1;
    if (g->version == 1)
        return llama_fail(err, "GGUF version 1 is not supported (llama.cpp dropped it in 2023): "
                          "convert the model again with a current llama.cpp");
    if (g->version == 0x02000000u || g->version == 0x03000000u)
        return llama_fail(err, "this GGUF file is big-endian; only little-endian GGUF files run "
                          "on x86: download the little-endian file");
    if (g->version != 2 && g->version != 3)
        return llama_fail(err, "GGUF version %u is not supported (versions 2 and 3 are): the file "
                          "is corrupt or newer than this reader", g->version);
    if (read_u64(&r, &g->n_tensors, "the tensor count") || read_u64(&r, &g->n_kv, "the metadata count"))
        return -1;
    if (g->n_tensors > GGUF_MAX_TENSORS || g->n_kv > GGUF_MAX_KV)
        return llama_fail(err, "GGUF header claims %llu tensors and %llu metadata pairs (at most "
                          "%d each): the file is corrupt", (unsigned long long)g->n_tensors,
                          (unsigned long long)g->n_kv, GGUF_MAX_TENSORS);
    g->kv_offset = r.pos;
    if (check_kv(g, &r)) return -1;
    g->tensor_info_offset = r.pos;
    return check_tensors(g, &r);
}

/* ---------------------------------------------------------------- lookups */

static void fill_kv(const unsigned char *base, size_t at, gguf_kv *kv) {
    Reader r = { base, at, (size_t)-1, 0 };
    memset(kv, 0, sizeof *kv);
    read_str(&r, &kv->key, 0);
    read_u32(&r, &kv->type, 0);
    kv->value = base + r.pos;
    if (kv->type == GGUF_STRING) {
        kv->str.len = (size_t)gguf_u64(kv->value);
        kv->str.s = (const char *)kv->value + 8;
    } else if (kv->type == GGUF_ARRAY) {
        kv->elem_type = gguf_u32(kv->value);
        kv->count = gguf_u64(kv->value + 4);
        kv->value += 12;
    }
}

/* Offset of the pair after the one at `at` (the file was checked). */
static size_t after_kv(const gguf_file *g, size_t at) {
    Reader r = { g->data, at, g->size, 0 };
    gguf_str key;
    uint32_t type;
    read_kv(&r, &key, &type);
    return r.pos;
}

void gguf_kv_at(const gguf_file *g, uint64_t i, gguf_kv *kv) {
    size_t at;
    if (i < g->n_kv_index) {
        at = g->kv_index[i];
    } else {
        at = g->kv_index[g->n_kv_index - 1];
        for (uint64_t j = g->n_kv_index - 1; j < i; j++) at = after_kv(g, at);
    }
    fill_kv(g->data, at, kv);
}

int gguf_find(const gguf_file *g, const char *key, gguf_kv *kv) {
    size_t at = g->kv_offset;
    for (uint64_t i = 0; i < g->n_kv; i++) {
        if (i < g->n_kv_index) at = g->kv_index[i];
        fill_kv(g->data, at, kv);
        if (gguf_str_is(kv->key, key)) return 1;
        if (i + 1 >= g->n_kv_index) at = after_kv(g, at);
    }
    return 0;
}

static int wrong_type(const gguf_kv *kv, const char *want, llama_error *err) {
    return llama_fail(err, "GGUF metadata %s is a %s%s%s, not %s: the file is corrupt or was "
                      "written for another program", SHOW(kv->key), gguf_type_name(kv->type),
                      kv->type == GGUF_ARRAY ? " of " : "",
                      kv->type == GGUF_ARRAY ? gguf_type_name(kv->elem_type) : "", want);
}

/* An integer value of any integer type, as int64 (u64 past INT64_MAX: -1 = fail). */
static int int_value(const gguf_kv *kv, int64_t *v) {
    const unsigned char *p = kv->value;
    switch (kv->type) {
    case GGUF_U8: *v = p[0]; return 0;
    case GGUF_I8: *v = (int8_t)p[0]; return 0;
    case GGUF_U16: *v = (uint16_t)(p[0] | p[1] << 8); return 0;
    case GGUF_I16: *v = (int16_t)(p[0] | p[1] << 8); return 0;
    case GGUF_U32: *v = gguf_u32(p); return 0;
    case GGUF_I32: *v = (int32_t)gguf_u32(p); return 0;
    case GGUF_I64: *v = (int64_t)gguf_u64(p); return 0;
    case GGUF_U64:
        if (gguf_u64(p) > (uint64_t)INT64_MAX) return 1;
        *v = (int64_t)gguf_u64(p);
        return 0;
    default: return -1;
    }
}

int gguf_get_int(const gguf_file *g, const char *key, int64_t min, int64_t max, int64_t *out,
                 llama_error *err) {
    gguf_kv kv;
    if (!gguf_find(g, key, &kv)) return 0;
    int64_t v = 0;
    int r = int_value(&kv, &v);
    if (r < 0) return wrong_type(&kv, "an integer", err);
    if (r > 0 || v < min || v > max)
        return llama_fail(err, "GGUF metadata %s is %lld, outside %lld..%lld: the file is corrupt",
                          key, (long long)v, (long long)min, (long long)max);
    *out = v;
    return 1;
}

int gguf_get_float(const gguf_file *g, const char *key, float *out, llama_error *err) {
    gguf_kv kv;
    if (!gguf_find(g, key, &kv)) return 0;
    if (kv.type == GGUF_F32) {
        *out = gguf_f32(kv.value);
    } else if (kv.type == GGUF_F64) {
        double d;
        memcpy(&d, kv.value, 8);
        *out = (float)d;
    } else {
        return wrong_type(&kv, "a float", err);
    }
    if (!(*out == *out) || *out > 3.0e38f || *out < -3.0e38f)
        return llama_fail(err, "GGUF metadata %s is not a finite number: the file is corrupt", key);
    return 1;
}

int gguf_get_bool(const gguf_file *g, const char *key, int *out, llama_error *err) {
    gguf_kv kv;
    if (!gguf_find(g, key, &kv)) return 0;
    int64_t v;
    if (kv.type == GGUF_BOOL) v = kv.value[0];
    else if (int_value(&kv, &v) != 0 || v < 0 || v > 1) return wrong_type(&kv, "a bool", err);
    *out = (int)v;
    return 1;
}

int gguf_get_str(const gguf_file *g, const char *key, gguf_str *out, llama_error *err) {
    gguf_kv kv;
    if (!gguf_find(g, key, &kv)) return 0;
    if (kv.type != GGUF_STRING) return wrong_type(&kv, "a string", err);
    *out = kv.str;
    return 1;
}

int gguf_get_array(const gguf_file *g, const char *key, uint32_t elem_type, gguf_kv *out,
                   llama_error *err) {
    if (!gguf_find(g, key, out)) return 0;
    if (out->type != GGUF_ARRAY || out->elem_type != elem_type) {
        char want[32] = "an array of ";
        memcpy(want + 12, gguf_type_name(elem_type), strlen(gguf_type_name(elem_type)) + 1);
        return wrong_type(out, want, err);
    }
    return 1;
}

gguf_str gguf_next_str(const unsigned char **p) {
    gguf_str s = { (const char *)*p + 8, (size_t)gguf_u64(*p) };
    *p += 8 + s.len;
    return s;
}

void gguf_tensor_next(const gguf_file *g, size_t *cursor, gguf_tensor *t) {
    Reader r = { g->data, *cursor ? *cursor : g->tensor_info_offset, g->size, 0 };
    read_tensor_info(&r, 0, t);
    t->data = g->data + g->data_offset + t->offset;
    *cursor = r.pos;
}
