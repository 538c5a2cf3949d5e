/* Bump allocation with overflow-checked sizes (see arena.h). */
#include <stdint.h>
#include "lib/llama/arena.h"

void arena_init(Arena *a, void *mem, size_t size) {
    a->base = mem;
    a->size = size;
    a->used = 0;
    a->overflow = 0;
}

void arena_measure(Arena *a) {
    arena_init(a, NULL, SIZE_MAX);
}

void *arena_alloc(Arena *a, size_t count, size_t elem_size) {
    if (a->overflow) return NULL;
    if (elem_size != 0 && count > SIZE_MAX / elem_size) {
        a->overflow = 1;
        return NULL;
    }
    size_t bytes = count * elem_size;
    uintptr_t at = (uintptr_t)a->base + a->used;
    size_t pad = (size_t)(-at & (ARENA_ALIGN - 1));
    if (pad > a->size - a->used || bytes > a->size - a->used - pad) {
        a->overflow = 1;
        return NULL;
    }
    a->used += pad + bytes;
    return a->base ? a->base + (a->used - bytes) : NULL;
}

size_t arena_needed(const Arena *a) {
    if (a->overflow || a->used > SIZE_MAX - ARENA_ALIGN) return SIZE_MAX;
    return a->used + ARENA_ALIGN;
}
