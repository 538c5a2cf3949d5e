#include "kernel/memory.h"
#include <stdbool.h>
#include "lib/libc.h"

#define MAX_RANGES 256

struct range { uint64_t start, end; };
static struct range free_ranges[MAX_RANGES];
static int n_ranges;
static uint64_t total_usable;

static void remove_at(int i) {
    memmove(&free_ranges[i], &free_ranges[i + 1], (size_t)(n_ranges - i - 1) * sizeof free_ranges[0]);
    n_ranges--;
}

static void insert_at(int i, uint64_t start, uint64_t end) {
    if (n_ranges == MAX_RANGES) return;   /* drop a sliver rather than overflow */
    memmove(&free_ranges[i + 1], &free_ranges[i], (size_t)(n_ranges - i) * sizeof free_ranges[0]);
    free_ranges[i] = (struct range){start, end};
    n_ranges++;
}

void memory_add_usable(uint64_t start, uint64_t end) {
    start = (start + 4095) & ~4095ull;
    end &= ~4095ull;
    if (end <= start) return;
    total_usable += end - start;
    int i = 0;
    while (i < n_ranges && free_ranges[i].start < start) i++;
    insert_at(i, start, end);
}

void memory_reserve(uint64_t start, uint64_t end) {
    start &= ~4095ull;
    end = (end + 4095) & ~4095ull;
    for (int i = 0; i < n_ranges && start < end; i++) {
        struct range r = free_ranges[i];
        if (r.end <= start || r.start >= end) continue;
        remove_at(i);
        int at = i;
        if (r.start < start) insert_at(at++, r.start, start);
        if (r.end > end) insert_at(at++, end, r.end);
        i = at - 1;
    }
}

void *memory_alloc(uint64_t bytes, uint64_t align) {
    if (align < 4096) align = 4096;
    bytes = (bytes + 4095) & ~4095ull;
    for (int i = 0; i < n_ranges; i++) {
        uint64_t a = (free_ranges[i].start + align - 1) & ~(align - 1);
        if (a >= free_ranges[i].end || free_ranges[i].end - a < bytes) continue;
        memory_reserve(a, a + bytes);
        return (void *)a;
    }
    return 0;
}

uint64_t memory_total_usable(void) { return total_usable; }

uint64_t memory_free(void) {
    uint64_t sum = 0;
    for (int i = 0; i < n_ranges; i++) sum += free_ranges[i].end - free_ranges[i].start;
    return sum;
}

uint64_t memory_largest_free(void) {
    uint64_t best = 0;
    for (int i = 0; i < n_ranges; i++)
        if (free_ranges[i].end - free_ranges[i].start > best) best = free_ranges[i].end - free_ranges[i].start;
    return best;
}

/* The aligned part of free range i: [*a, *e), possibly empty. */
static void aligned_part(int i, uint64_t align, uint64_t *a, uint64_t *e) {
    *a = (free_ranges[i].start + align - 1) & ~(align - 1);
    *e = free_ranges[i].end & ~(align - 1);
    if (*e < *a) *e = *a;
}

uint64_t memory_free_aligned(uint64_t align) {
    uint64_t sum = 0, a, e;
    for (int i = 0; i < n_ranges; i++) {
        aligned_part(i, align, &a, &e);
        sum += e - a;
    }
    return sum;
}

int memory_alloc_pieces(uint64_t bytes, uint64_t align, uint64_t *starts, uint64_t *sizes, int max) {
    if (bytes == 0 || (bytes & (align - 1)) || memory_free_aligned(align) < bytes) return -1;
    /* Plan first (reserving changes the list), then reserve. */
    int n = 0;
    uint64_t left = bytes;
    while (left > 0) {
        if (n == max) return -1;
        int best = -1, largest = -1;
        uint64_t best_size = 0, largest_size = 0, a, e;
        for (int i = 0; i < n_ranges; i++) {
            aligned_part(i, align, &a, &e);
            bool used = false;
            for (int k = 0; k < n; k++) used |= starts[k] >= a && starts[k] < e;
            if (used || e == a) continue;
            if (e - a >= left && (best < 0 || e - a < best_size)) best = i, best_size = e - a;
            if (e - a > largest_size) largest = i, largest_size = e - a;
        }
        int pick = best >= 0 ? best : largest;
        if (pick < 0) return -1;
        aligned_part(pick, align, &a, &e);
        uint64_t take = e - a < left ? e - a : left;
        starts[n] = a;
        sizes[n] = take;
        n++;
        left -= take;
    }
    for (int k = 0; k < n; k++) memory_reserve(starts[k], starts[k] + sizes[k]);
    return n;
}
