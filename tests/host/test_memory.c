/* Tests kernel/memory.c: the allocator over a made-up memory map, and
 * memory_alloc_pieces, which gathers a model's RAM from scattered free
 * ranges (largest ranges whole, the rest from the smallest range that holds
 * it), aligned, or takes nothing when it cannot. */
#include <stdint.h>
#include "tests/check.h"
#include "kernel/memory.h"

#define MIB (1ull << 20)
#define GIB (1ull << 30)

/* The allocator keeps its state in statics: each test adds to what the
 * ones before left, so each works in its own address range and counts
 * what it takes. */
static uint64_t starts[16], sizes[16];

static int overlaps(int n) {
    for (int i = 0; i < n; i++)
        for (int j = 0; j < i; j++)
            if (starts[i] < starts[j] + sizes[j] && starts[j] < starts[i] + sizes[i]) return 1;
    return 0;
}

TEST(pieces_largest_first_then_best_fit)
{
    /* 2 GiB low (less 1 MiB), 4 GiB high, 100 MiB and 300 MiB odd pieces */
    memory_add_usable(1 * MIB, 2 * GIB);
    memory_add_usable(4 * GIB, 8 * GIB);
    memory_add_usable(10 * GIB, 10 * GIB + 100 * MIB);
    memory_add_usable(12 * GIB + 4096, 12 * GIB + 300 * MIB + 4096);
    uint64_t free0 = memory_free();
    int n = memory_alloc_pieces(4 * GIB + 200 * MIB, 2 * MIB, starts, sizes, 16);
    CHECK(n == 2, "pieces: %d", n);
    CHECK(starts[0] == 4 * GIB && sizes[0] == 4 * GIB, "the 4 GiB range whole first: %#llx +%#llx",
          (unsigned long long)starts[0], (unsigned long long)sizes[0]);
    /* 200 MiB: the smallest range that holds it is the 300 MiB one (aligned: 298 MiB) */
    CHECK(starts[1] == 12 * GIB + 2 * MIB && sizes[1] == 200 * MIB, "then best fit: %#llx +%#llx",
          (unsigned long long)starts[1], (unsigned long long)sizes[1]);
    CHECK(memory_free() == free0 - 4 * GIB - 200 * MIB, "reserved exactly");
    CHECK(!overlaps(n), "overlap");
    /* what is left: the low 2 GiB whole, for the KV cache */
    CHECK(memory_largest_free() == 2 * GIB - 1 * MIB, "largest left %llu", (unsigned long long)memory_largest_free());
}

TEST(pieces_spread_when_nothing_holds_it)
{
    uint64_t before = memory_free();
    /* left: ~2 GiB low, 100 MiB, 98 MiB of the odd range: more than any one */
    int n = memory_alloc_pieces(2 * GIB + 100 * MIB, 2 * MIB, starts, sizes, 16);
    CHECK(n == 3, "pieces: %d", n);
    uint64_t sum = 0;
    for (int i = 0; i < n; i++) {
        sum += sizes[i];
        CHECK(starts[i] % (2 * MIB) == 0 && sizes[i] % (2 * MIB) == 0, "aligned piece %d", i);
    }
    CHECK(sum == 2 * GIB + 100 * MIB, "sum %llu", (unsigned long long)sum);
    CHECK(!overlaps(n), "overlap");
    CHECK(memory_free() == before - sum, "reserved");
}

TEST(pieces_refused_whole)
{
    uint64_t before = memory_free(), aligned = memory_free_aligned(2 * MIB);
    CHECK(aligned <= before, "aligned %llu > free %llu", (unsigned long long)aligned, (unsigned long long)before);
    CHECK(memory_alloc_pieces(aligned + 2 * MIB, 2 * MIB, starts, sizes, 16) == -1, "more than is free");
    CHECK(memory_alloc_pieces(3 * MIB, 2 * MIB, starts, sizes, 16) == -1, "not a multiple of the alignment");
    CHECK(memory_alloc_pieces(0, 2 * MIB, starts, sizes, 16) == -1, "nothing");
    CHECK(memory_free() == before, "nothing taken by a refusal");
}

TEST(pieces_too_many)
{
    /* what the tests before left is taken first, then 8 ranges of 4 MiB:
     * 24 MiB in at most 4 pieces cannot be had */
    uint64_t rest = memory_free_aligned(2 * MIB);
    CHECK(rest == 0 || memory_alloc_pieces(rest, 2 * MIB, starts, sizes, 16) > 0, "taking the rest");
    CHECK(memory_free_aligned(2 * MIB) == 0, "rest left");
    for (int i = 0; i < 8; i++)
        memory_add_usable(20 * GIB + (uint64_t)i * 64 * MIB, 20 * GIB + (uint64_t)i * 64 * MIB + 4 * MIB);
    uint64_t before = memory_free();
    CHECK(memory_alloc_pieces(24 * MIB, 2 * MIB, starts, sizes, 4) == -1, "too many pieces");
    CHECK(memory_free() == before, "nothing taken");
    CHECK(memory_alloc_pieces(24 * MIB, 2 * MIB, starts, sizes, 6) == 6, "six pieces fit");
    CHECK(!overlaps(6), "overlap");
}

RUN_TESTS(pieces_largest_first_then_best_fit, pieces_spread_when_nothing_holds_it, pieces_refused_whole,
          pieces_too_many)
