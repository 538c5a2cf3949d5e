/* A bump allocator over memory the platform gives. Nothing is ever freed:
 * the engine lays out everything it needs once, at start-up.
 *
 * With mem == NULL the arena only measures: allocations return NULL but
 * still count, so the same layout code that places the buffers also tells
 * how many bytes it will need (llama_memory_needed). */
#ifndef LIB_LLAMA_ARENA_H
#define LIB_LLAMA_ARENA_H

#include <stddef.h>

#define ARENA_ALIGN 64        /* cache line; also enough for any SIMD load */

typedef struct {
    unsigned char *base;      /* NULL when measuring */
    size_t size;
    size_t used;
    int overflow;             /* a request did not fit (or overflowed size_t) */
} Arena;

void arena_init(Arena *a, void *mem, size_t size);
void arena_measure(Arena *a);

/* count * elem_size bytes aligned to ARENA_ALIGN; NULL when measuring or
 * when it does not fit (then a->overflow is set). */
void *arena_alloc(Arena *a, size_t count, size_t elem_size);

/* Bytes a measuring arena says are needed, with room to align the base. */
size_t arena_needed(const Arena *a);

#endif
