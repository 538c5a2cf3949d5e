/* The kernel's one address space: physical memory identity-mapped, RAM
 * write-back, the framebuffer write-combining, everything else uncached.
 * 2 MiB pages below 4 GiB (so memory types follow the memory map closely),
 * 1 GiB pages above where the CPU has them. */
#ifndef KERNEL_PAGING_H
#define KERNEL_PAGING_H

#include <stdint.h>

enum mem_type { MEM_UC = 0, MEM_WB = 1, MEM_WC = 2 };

/* A region the map must cover, with its memory type. Where regions of
 * different types share a 2 MiB page: WC beats WB beats UC. */
struct map_region { uint64_t start, end; enum mem_type type; };

/* Builds the tables for the regions (plus everything below 4 GiB, uncached
 * where no region says otherwise) and switches to them. Returns the first
 * address not mapped (memory beyond it must not be used): normally the end
 * of the highest region, less when the table pool ran out. */
uint64_t paging_init(const struct map_region *regions, int n);
/* Loads the kernel's tables and PAT on this core (application processors). */
void paging_load(void);
/* Makes one 4 KiB page fault on any access (guard pages, the null page). */
void paging_unmap_page(uint64_t addr);
uint64_t paging_root(void);

/* After paging_init (the allocator then exists, for more tables):
 *
 * Makes [phys, phys + size) reachable, uncached, at the same address: a
 * device's registers above 4 GiB (below 4 GiB everything already is).
 * Returns the address, or 0 when no table could be had. */
void *paging_map_mmio(uint64_t phys, uint64_t size);

/* Maps n pieces of RAM, each 2 MiB-aligned in address and size, one after
 * the other at a fresh virtual address above everything identity-mapped,
 * write-back: scattered free memory seen as one contiguous range. A piece
 * with `repeat` set maps the same 2 MiB at phys over and over for its size
 * (a page of zeros under a long range). Returns that address, or 0 when no
 * table could be had. */
struct paging_piece { uint64_t phys, size; int repeat; };
void *paging_map_pieces(const struct paging_piece *pieces, int n);

#endif
