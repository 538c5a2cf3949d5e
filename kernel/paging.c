/* Page tables, built once at start-up from a static pool (no allocator
 * exists yet when they are made); tables added later (device registers above
 * 4 GiB, a model loaded into scattered RAM) come from the pool while it
 * lasts, then from the allocator. See paging.h for the policy. */
#include "kernel/paging.h"
#include <stdbool.h>
#include "kernel/cpu.h"
#include "kernel/io.h"
#include "kernel/memory.h"
#include "lib/libc.h"

#define PAGE_P     (1ull << 0)
#define PAGE_RW    (1ull << 1)
#define PAGE_PWT   (1ull << 3)
#define PAGE_PCD   (1ull << 4)
#define PAGE_PS    (1ull << 7)
#define PAGE_PAT_4K    (1ull << 7)
#define PAGE_PAT_LARGE (1ull << 12)
#define ADDR_MASK  0x000ffffffffff000ull

#define MSR_PAT 0x277
/* PAT entries 0-3 as after reset (WB, WT, UC-, UC); entry 4 becomes WC. */
#define PAT_VALUE 0x0007040100070406ull

#define GIB (1ull << 30)
#define MIB2 (1ull << 21)
#define POOL_PAGES 256

static uint64_t pool[POOL_PAGES][512] __attribute__((aligned(4096)));
static int pool_used;
static uint64_t *pml4;

static bool allocator_ready;   /* set once paging_init is done */

static uint64_t *new_table(void) {
    uint64_t *t;
    if (pool_used < POOL_PAGES) t = pool[pool_used++];
    else if (!allocator_ready || !(t = memory_alloc(4096, 4096))) return 0;
    memset(t, 0, 4096);
    return t;
}

/* Caching bits for a type: WB = PAT 0, UC = PAT 3 (PCD|PWT), WC = PAT 4. */
static uint64_t type_bits(enum mem_type t, bool large) {
    if (t == MEM_UC) return PAGE_PCD | PAGE_PWT;
    if (t == MEM_WC) return large ? PAGE_PAT_LARGE : PAGE_PAT_4K;
    return 0;
}

static enum mem_type type_of(uint64_t start, uint64_t end, const struct map_region *r, int n) {
    enum mem_type t = MEM_UC;
    for (int i = 0; i < n; i++) {
        if (r[i].end <= start || r[i].start >= end) continue;
        if (r[i].type == MEM_WC) return MEM_WC;
        if (r[i].type == MEM_WB) t = MEM_WB;
    }
    return t;
}

static bool covered(uint64_t start, uint64_t end, const struct map_region *r, int n) {
    for (int i = 0; i < n; i++)
        if (r[i].start < end && r[i].end > start) return true;
    return false;
}

static uint64_t *child(uint64_t *table, unsigned idx) {
    if (!(table[idx] & PAGE_P)) {
        uint64_t *t = new_table();
        if (!t) return 0;
        table[idx] = (uint64_t)t | PAGE_P | PAGE_RW;
    }
    return (uint64_t *)(table[idx] & ADDR_MASK);
}

uint64_t paging_init(const struct map_region *regions, int n) {
    uint64_t top = 4 * GIB;
    for (int i = 0; i < n; i++)
        if (regions[i].end > top) top = regions[i].end;
    top = (top + MIB2 - 1) & ~(MIB2 - 1);

    wrmsr(MSR_PAT, PAT_VALUE);
    pml4 = new_table();
    uint64_t a = 0;
    while (a < top) {
        uint64_t *pdpt = child(pml4, (a >> 39) & 511);
        if (!pdpt) break;
        /* Above 4 GiB only what a region names is mapped: holes stay holes. */
        if (a >= 4 * GIB && !covered(a, a + MIB2, regions, n)) { a += MIB2; continue; }
        if (cpu.pdpe1gb && a >= 4 * GIB && (a & (GIB - 1)) == 0 && a + GIB <= top) {
            enum mem_type t = type_of(a, a + GIB, regions, n);
            bool uniform = true;   /* one type across the whole GiB? */
            for (uint64_t b = a; b < a + GIB && uniform; b += MIB2)
                uniform = type_of(b, b + MIB2, regions, n) == t;
            if (uniform) {
                pdpt[(a >> 30) & 511] = a | PAGE_P | PAGE_RW | PAGE_PS | type_bits(t, true);
                a += GIB;
                continue;
            }
        }
        uint64_t *pd = child(pdpt, (a >> 30) & 511);
        if (!pd) break;
        enum mem_type t = type_of(a, a + MIB2, regions, n);
        pd[(a >> 21) & 511] = a | PAGE_P | PAGE_RW | PAGE_PS | type_bits(t, true);
        a += MIB2;
    }
    paging_load();
    allocator_ready = true;
    return a;
}

void paging_load(void) {
    wrmsr(MSR_PAT, PAT_VALUE);
    WRITE_CR(3, (uint64_t)pml4);
}

uint64_t paging_root(void) { return (uint64_t)pml4; }

void paging_unmap_page(uint64_t addr) {
    uint64_t *pdpt = (uint64_t *)(pml4[(addr >> 39) & 511] & ADDR_MASK);
    uint64_t *pde = &((uint64_t *)(pdpt[(addr >> 30) & 511] & ADDR_MASK))[(addr >> 21) & 511];
    if (*pde & PAGE_PS) {   /* split the 2 MiB page into 512 small ones */
        uint64_t *pt = new_table();
        if (!pt) return;
        uint64_t base = *pde & ~(MIB2 - 1) & ADDR_MASK;
        uint64_t bits = *pde & (PAGE_PWT | PAGE_PCD);
        if (*pde & PAGE_PAT_LARGE) bits |= PAGE_PAT_4K;
        for (int i = 0; i < 512; i++) pt[i] = (base + (uint64_t)i * 4096) | PAGE_P | PAGE_RW | bits;
        *pde = (uint64_t)pt | PAGE_P | PAGE_RW;
    }
    uint64_t *pt = (uint64_t *)(*pde & ADDR_MASK);
    pt[(addr >> 12) & 511] = 0;
    WRITE_CR(3, READ_CR(3));   /* flush the TLB */
}

/* The page directory entry for addr, with the tables above it made as
 * needed; 0 when a table could not be had, or when a 1 GiB page already
 * covers addr (*big is then set). */
static uint64_t *pde_for(uint64_t addr, bool *big) {
    *big = false;
    uint64_t *pdpt = child(pml4, (addr >> 39) & 511);
    if (!pdpt) return 0;
    uint64_t *e = &pdpt[(addr >> 30) & 511];
    if ((*e & PAGE_P) && (*e & PAGE_PS)) {
        *big = true;
        return 0;
    }
    uint64_t *pd = child(pdpt, (addr >> 30) & 511);
    return pd ? &pd[(addr >> 21) & 511] : 0;
}

void *paging_map_mmio(uint64_t phys, uint64_t size) {
    if (phys + size <= 4 * GIB) return (void *)phys;
    for (uint64_t a = phys & ~(MIB2 - 1); a < phys + size; a += MIB2) {
        bool big;
        uint64_t *pde = pde_for(a, &big);
        if (big) continue;                 /* already mapped */
        if (!pde) return 0;
        if (!(*pde & PAGE_P)) *pde = a | PAGE_P | PAGE_RW | PAGE_PS | type_bits(MEM_UC, true);
    }
    WRITE_CR(3, READ_CR(3));
    return (void *)phys;
}

/* The virtual window for paging_map_pieces: the upper (kernel) half of the
 * canonical address space, which the identity map (physical addresses,
 * below 2^47) never reaches. */
#define WINDOW_BASE 0xFFFF800000000000ull
static uint64_t window_next = WINDOW_BASE;

void *paging_map_pieces(const struct paging_piece *pieces, int n) {
    uint64_t base = window_next, v = base;
    for (int i = 0; i < n; i++) {
        if ((pieces[i].phys | pieces[i].size) & (MIB2 - 1)) return 0;
        for (uint64_t off = 0; off < pieces[i].size; off += MIB2, v += MIB2) {
            bool big;
            uint64_t *pde = pde_for(v, &big);
            if (!pde) return 0;
            uint64_t phys = pieces[i].phys + (pieces[i].repeat ? 0 : off);
            *pde = phys | PAGE_P | PAGE_RW | PAGE_PS | type_bits(MEM_WB, true);
        }
    }
    window_next = v + GIB;   /* a gap: running off the end faults */
    WRITE_CR(3, READ_CR(3));
    return (void *)base;
}
