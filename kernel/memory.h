/* The physical memory allocator: the usable RAM of the memory map, less what
 * is in use (kernel image, boot information, modules, the low 1 MiB that
 * holds the real-mode trampoline for starting the other cores). Memory is
 * handed out in large contiguous pieces and never given back: the kernel
 * allocates its arenas once at start-up. */
#ifndef KERNEL_MEMORY_H
#define KERNEL_MEMORY_H

#include <stdint.h>

void memory_add_usable(uint64_t start, uint64_t end);
void memory_reserve(uint64_t start, uint64_t end);
/* Returns 0 when no free range holds `bytes` at that alignment. */
void *memory_alloc(uint64_t bytes, uint64_t align);
uint64_t memory_total_usable(void);   /* all usable RAM, before reservations */
uint64_t memory_free(void);           /* what is still free */
uint64_t memory_largest_free(void);   /* the largest single allocation possible */

/* Takes `bytes` (a multiple of align, a power of two) in at most max pieces
 * of free RAM, each aligned to align in address and size: whole free ranges,
 * the largest first, and the rest from the smallest range that holds it, so
 * the largest contiguous blocks that remain stay whole. Writes the pieces
 * to starts[] and sizes[] and returns their number; -1 (nothing taken) when
 * the free RAM, counted in aligned pieces, is short of bytes, or when it
 * would take more than max pieces. */
int memory_alloc_pieces(uint64_t bytes, uint64_t align, uint64_t *starts, uint64_t *sizes, int max);
/* The free RAM that memory_alloc_pieces could hand out at that alignment. */
uint64_t memory_free_aligned(uint64_t align);

#endif
