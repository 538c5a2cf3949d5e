/* lib/llama/sampler and sort: the xorshift generator, argmax, multinomial
 * and top-p sampling, checked against values computed independently and
 * against a straightforward run.c-style sampler that uses glibc's qsort
 * (the sort run.c relies on) and libm's expf. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tests/check.h"
#include "lib/llama/arena.h"
#include "lib/llama/ops.h"
#include "lib/llama/sampler.h"
#include "lib/llama/sort.h"

/* ---------------------------------------------------------------- oracle */

static uint64_t ref_state;
static uint32_t ref_u32(void) {
    /* xorshift64* written out step by step (Vigna's xorshift64*, 12/25/27) */
    uint64_t s = ref_state;
    s = s ^ (s >> 12);
    s = s ^ (s << 25);
    s = s ^ (s >> 27);
    ref_state = s;
    return (uint32_t)((s * 2685821657736338717ull) >> 32);
}

typedef struct { float prob; int index; } RefPI;
static int ref_cmp(const void *a, const void *b) {
    const RefPI *x = a, *y = b;
    if (x->prob > y->prob) return -1;
    if (x->prob < y->prob) return 1;
    return 0;
}

static int ref_topp(const float *p, int n, float topp, float coin) {
    RefPI *pi = malloc(sizeof *pi * (size_t)n);
    int n0 = 0;
    float cutoff = (1.0f - topp) / (n - 1);
    for (int i = 0; i < n; i++)
        if (p[i] >= cutoff) { pi[n0].prob = p[i]; pi[n0].index = i; n0++; }
    qsort(pi, (size_t)n0, sizeof *pi, ref_cmp);
    float cum = 0.0f;
    int last = n0 - 1;
    for (int i = 0; i < n0; i++) {
        cum += pi[i].prob;
        if (cum > topp) { last = i; break; }
    }
    float r = coin * cum, cdf = 0.0f;
    int result = pi[last].index;
    for (int i = 0; i <= last; i++) {
        cdf += pi[i].prob;
        if (r < cdf) { result = pi[i].index; break; }
    }
    free(pi);
    return result;
}

static void ref_softmax(float *x, int n) {
    float max = x[0], sum = 0.0f;
    for (int i = 1; i < n; i++) if (x[i] > max) max = x[i];
    for (int i = 0; i < n; i++) { x[i] = expf(x[i] - max); sum += x[i]; }
    for (int i = 0; i < n; i++) x[i] /= sum;
}

static uint64_t lcg = 12345;
static uint32_t rnd(void) { lcg = lcg * 6364136223846793005ull + 1442695040888963407ull; return (uint32_t)(lcg >> 33); }

/* ---------------------------------------------------------------- tests */

TEST(rng_known_values) {
    /* seed 42, computed with Python big integers */
    static const uint32_t want[5] = { 1456360119u, 3359763283u, 3393612768u, 4054632243u, 3283045847u };
    uint64_t s = 42;
    for (int i = 0; i < 5; i++) {
        uint32_t got = random_u32(&s);
        CHECK(got == want[i], "value %d: %u, want %u", i, got, want[i]);
    }
    s = 1;
    CHECK(random_u32(&s) == 0x47e4ce4bu && s == 0x2000001ull, "seed 1 step 1");
}

TEST(rng_long_sequence) {
    uint64_t seeds[] = { 1, 42, 0xdeadbeefull, 0xffffffffffffffffull, 1700000000ull };
    for (size_t k = 0; k < sizeof seeds / sizeof seeds[0]; k++) {
        uint64_t s = seeds[k];
        ref_state = seeds[k];
        for (int i = 0; i < 100000; i++) {
            uint32_t a = random_u32(&s), b = ref_u32();
            CHECK(a == b, "seed %llu step %d", (unsigned long long)seeds[k], i);
            if (a != b) return;
        }
    }
}

TEST(random_f32_is_top_24_bits) {
    uint64_t s = 7, r = 7;
    for (int i = 0; i < 10000; i++) {
        float f = random_f32(&s);
        uint32_t u = random_u32(&r);
        CHECK(f == (float)(u >> 8) / 16777216.0f && f >= 0.0f && f < 1.0f, "step %d", i);
    }
}

TEST(argmax_first_maximum) {
    float a[] = { 1, 3, 3, 2 };
    CHECK(sample_argmax(a, 4) == 1, "%s", "");
    float b[] = { 5, 5, 5 };
    CHECK(sample_argmax(b, 3) == 0, "%s", "");
    float c[] = { -3, -1, -2, -1 };
    CHECK(sample_argmax(c, 4) == 1, "%s", "");
    float d[] = { -INFINITY, -INFINITY };
    CHECK(sample_argmax(d, 2) == 0, "%s", "");
    float e[] = { 0, 0, 1e-45f };
    CHECK(sample_argmax(e, 3) == 2, "%s", "");
}

TEST(multinomial) {
    float p[] = { 0.25f, 0.25f, 0.5f };
    CHECK(sample_mult(p, 3, 0.0f) == 0, "%s", "");
    CHECK(sample_mult(p, 3, 0.2499f) == 0, "%s", "");
    CHECK(sample_mult(p, 3, 0.25f) == 1, "coin < cdf, strictly");
    CHECK(sample_mult(p, 3, 0.5f) == 2, "%s", "");
    CHECK(sample_mult(p, 3, 0.9999f) == 2, "%s", "");
    float q[] = { 0.1f, 0.1f, 0.1f };              /* sums below the coin */
    CHECK(sample_mult(q, 3, 0.9f) == 2, "%s", "");
    float z[] = { 0, 0.5f, 0, 0.5f };
    CHECK(sample_mult(z, 4, 0.0f) == 1, "%s", "");
}

TEST(topp_small_cases) {
    ProbIndex pi[8], scratch[8];
    /* ties: equal probabilities keep index order */
    float p[] = { 0.1f, 0.3f, 0.1f, 0.3f, 0.2f };
    CHECK(sample_topp(p, 5, 0.5f, pi, scratch, 0.0f) == 1, "%s", "");
    CHECK(sample_topp(p, 5, 0.5f, pi, scratch, 0.99f) == 3, "%s", "");
    CHECK(sample_topp(p, 5, 0.95f, pi, scratch, 0.0f) == 1, "%s", "");   /* cutoff keeps all */
    CHECK(pi[0].index == 1 && pi[1].index == 3 && pi[2].index == 4 && pi[3].index == 0 &&
          pi[4].index == 2, "sorted order %d %d %d %d %d", pi[0].index, pi[1].index,
          pi[2].index, pi[3].index, pi[4].index);
    /* cutoff (1 - 0.9) / 4 = 0.025 drops the small ones before sorting */
    float q[] = { 0.01f, 0.6f, 0.02f, 0.3f, 0.07f };
    for (int i = 0; i < 100; i++) {
        float coin = i / 100.0f;
        CHECK(sample_topp(q, 5, 0.9f, pi, scratch, coin) == ref_topp(q, 5, 0.9f, coin), "coin %f", coin);
    }
}

/* Random distributions with many exact ties, against the qsort oracle. */
TEST(topp_matches_qsort_reference) {
    enum { N = 3000 };
    static float p[N];
    static ProbIndex pi[N], scratch[N];
    for (int trial = 0; trial < 300; trial++) {
        int n = 2 + (int)(rnd() % N - 1);
        int levels = 1 + (int)(rnd() % 20);
        float sum = 0;
        for (int i = 0; i < n; i++) { p[i] = (float)(1 + rnd() % (unsigned)levels); sum += p[i]; }
        if (trial % 3 == 0) for (int i = 0; i < n; i += 7) p[i] = 0;
        for (int i = 0; i < n; i++) p[i] /= sum;
        float topp = (float)(rnd() % 1000) / 1000.0f;
        if (topp <= 0) topp = 0.5f;
        for (int k = 0; k < 20; k++) {
            float coin = (float)(rnd() >> 8) / 16777216.0f;
            int a = sample_topp(p, n, topp, pi, scratch, coin), b = ref_topp(p, n, topp, coin);
            CHECK(a == b, "trial %d n %d topp %f coin %f: %d vs %d", trial, n, topp, coin, a, b);
            if (a != b) return;
        }
    }
}

/* The whole sampler against run.c's sample() written with libm. */
TEST(sampler_matches_reference) {
    enum { V = 512 };
    uint64_t mem_size = 1 << 20;
    void *mem = malloc(mem_size);
    float logits[V], mine[V], ref[V];
    const float temps[] = { 0.0f, 1.0f, 0.8f, 1.3f };
    const float topps[] = { 0.9f, 0.0f, 1.0f, 0.5f, 0.99f };
    for (size_t ti = 0; ti < 4; ti++)
        for (size_t pi_ = 0; pi_ < 5; pi_++) {
            Arena a;
            arena_init(&a, mem, mem_size);
            Sampler s;
            sampler_init(&s, V, temps[ti], topps[pi_], 42, &a);
            ref_state = 42;
            for (int step = 0; step < 50; step++) {
                for (int i = 0; i < V; i++) logits[i] = (float)((int)(rnd() % 2000) - 1000) / 97.0f;
                memcpy(mine, logits, sizeof logits);
                memcpy(ref, logits, sizeof logits);
                int got = sampler_sample(&s, mine), want;
                float t = temps[ti], tp = topps[pi_];
                if (t == 0.0f) {
                    want = sample_argmax(ref, V);
                } else {
                    for (int i = 0; i < V; i++) ref[i] /= t;
                    ref_softmax(ref, V);
                    float coin = (float)(ref_u32() >> 8) / 16777216.0f;
                    if (tp <= 0 || tp >= 1) {
                        float cdf = 0; want = V - 1;
                        for (int i = 0; i < V; i++) { cdf += ref[i]; if (coin < cdf) { want = i; break; } }
                    } else {
                        want = ref_topp(ref, V, tp, coin);
                    }
                }
                CHECK(got == want, "t %f p %f step %d: %d vs %d", t, tp, step, got, want);
                if (got != want) { free(mem); return; }
            }
        }
    free(mem);
}

TEST(softmax_matches_libm_order) {
    float x[777], y[777];
    for (int i = 0; i < 777; i++) x[i] = y[i] = (float)((int)(rnd() % 4000) - 2000) / 33.0f;
    softmax(x, 777);
    ref_softmax(y, 777);
    CHECK(memcmp(x, y, sizeof x) == 0, "%s", "");
}

/* stable_sort against glibc's qsort (a merge sort at these sizes) on
 * records whose keys tie a lot; the payload shows the order of ties. */
typedef struct { int key, payload; } Rec;
static int rec_cmp(const void *a, const void *b) {
    return (((const Rec *)a)->key > ((const Rec *)b)->key) - (((const Rec *)a)->key < ((const Rec *)b)->key);
}
static int rec_cmp_ctx(const void *a, const void *b, void *ctx) { (void)ctx; return rec_cmp(a, b); }

TEST(stable_sort_matches_qsort) {
    static Rec a[5000], b[5000], scratch[5000];
    for (int trial = 0; trial < 200; trial++) {
        size_t n = rnd() % 5000;
        int keys = 1 + (int)(rnd() % 50);
        for (size_t i = 0; i < n; i++) { a[i].key = (int)(rnd() % (unsigned)keys); a[i].payload = (int)i; }
        memcpy(b, a, n * sizeof *a);
        stable_sort(a, n, sizeof *a, scratch, rec_cmp_ctx, NULL);
        qsort(b, n, sizeof *b, rec_cmp);
        CHECK(memcmp(a, b, n * sizeof *a) == 0, "trial %d n %zu", trial, n);
        for (size_t i = 1; i < n; i++)
            CHECK(a[i - 1].key < a[i].key || (a[i - 1].key == a[i].key && a[i - 1].payload < a[i].payload), "%s", "");
    }
}

RUN_TESTS(rng_known_values, rng_long_sequence, random_f32_is_top_24_bits, argmax_first_maximum,
          multinomial, topp_small_cases, topp_matches_qsort_reference, sampler_matches_reference,
          softmax_matches_libm_order, stable_sort_matches_qsort)
