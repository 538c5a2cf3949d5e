/* tools/lib/pool and llama_chunks: the split covers [0, n) exactly once
 * for every n and number of workers; the host's pool runs every index
 * exactly once, job after job with no pause between them (a worker still
 * busy with an old job must never take a chunk of a new one), with more
 * threads than cores, after its workers have gone to sleep, and with one
 * thread. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tests/check.h"
#include "lib/llama/llama.h"
#include "tools/lib/pool.h"

TEST(chunks_cover_exactly) {
    for (int workers = 1; workers <= 9 && !check_failed_; workers++)
        for (int n = 1; n <= 3000 && !check_failed_; n += n < 100 ? 1 : 37) {
            int chunks = llama_chunks(n, workers), next = 0;
            CHECK(chunks >= 1 && chunks <= 4 * workers, "n %d workers %d: %d chunks", n, workers, chunks);
            for (int c = 0; c < chunks; c++) {
                int b, e;
                llama_chunk(n, workers, c, &b, &e);
                CHECK(b == next && e > b && e <= n, "n %d workers %d chunk %d: [%d, %d) after %d", n,
                      workers, c, b, e, next);
                if (n >= 16 * workers && e < n)
                    CHECK(e % 16 == 0, "n %d workers %d: cut at %d, not a multiple of 16", n, workers, e);
                next = e;
            }
            CHECK(next == n, "n %d workers %d: chunks end at %d", n, workers, next);
        }
    CHECK(llama_chunks(0, 2) == 0, "no chunks for n = 0");
}

typedef struct {
    int *hits;
    int job;
} Marks;

static void mark(void *arg, int begin, int end) {
    Marks *m = arg;
    for (int i = begin; i < end; i++) __atomic_fetch_add(&m->hits[i], 1, __ATOMIC_RELAXED);
}

/* Jobs of up to max_n indices (the smaller, the more often a worker is
 * still finishing one job when the caller publishes the next). */
static void run_jobs_upto(int threads, int jobs, int max_n, int sleep_between) {
    HostPool *p = host_pool_create(threads);
    CHECK(p != NULL && host_pool_threads(p) == (threads < 1 ? 1 : threads), "pool of %d", threads);
    if (!p) return;
    static int hits[40000];
    uint64_t seed = 12345;
    for (int j = 0; j < jobs && !check_failed_; j++) {
        seed = seed * 6364136223846793005ull + 1442695040888963407ull;
        int n = (int)((seed >> 33) % (uint64_t)max_n);
        if (j % 7 == 0) n = (int)((seed >> 40) % 20);           /* tiny loops too */
        memset(hits, 0, (size_t)n * sizeof hits[0]);
        Marks m = { hits, j };
        host_pool_parallel_for(p, n, mark, &m);
        for (int i = 0; i < n; i++)
            if (hits[i] != 1) {
                CHECK(0, "%d threads, job %d (n %d): index %d run %d times", threads, j, n, i, hits[i]);
                break;
            }
        if (sleep_between && j % 50 == 0) {
            struct timespec ts = { 0, 8 * 1000 * 1000 };     /* workers fall asleep */
            nanosleep(&ts, NULL);
        }
    }
    host_pool_destroy(p);
}

static void run_jobs(int threads, int jobs, int sleep_between) {
    run_jobs_upto(threads, jobs, 40000, sleep_between);
}

/* CHECK_QUICK (the sanitizers' runs): a tenth of the jobs. ThreadSanitizer
 * finds a race from the order of the accesses, not from a wrong count, and
 * the full number took it 90 s of CPU. */
TEST(pool_runs_each_index_once) {
    run_jobs(1, 200, 0);
    run_jobs(2, CHECK_SCALE(20000, 2000), 0);
    run_jobs(3, CHECK_SCALE(5000, 500), 0);
    run_jobs(8, CHECK_SCALE(2000, 200), 0);
}

/* Many short jobs back to back: a worker that read the next job's chunk
 * count while still in the last one once ran a chunk twice. */
TEST(pool_short_jobs_back_to_back) { run_jobs_upto(2, CHECK_SCALE(200000, 20000), 2048, 0); }

TEST(pool_wakes_sleeping_workers) { run_jobs(3, 400, 1); }

RUN_TESTS(chunks_cover_exactly, pool_runs_each_index_once, pool_short_jobs_back_to_back,
          pool_wakes_sleeping_workers)
