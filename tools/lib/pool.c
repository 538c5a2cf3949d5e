/* The host's worker pool (see pool.h).
 *
 * A job is published by a new generation number in `current`. Each thread
 * w has a share of llama_chunks' chunks (llama_share) and a counter,
 * generation << 32 | chunks of the share taken; a thread takes its own
 * chunks first, then what is left of the others', each by compare-and-swap,
 * so that a claim meant for an older job fails once the caller has moved
 * on. The caller closes the old job's counters (new generation, nothing
 * taken) before it writes the new job's chunk count: a worker still in the
 * old job that reads the new count then finds its claims refused, instead
 * of taking a chunk past the old share's end. The caller publishes a job
 * only after every chunk of the previous one has finished. An idle worker
 * spins (PAUSE) for a few milliseconds, then sleeps on a futex that the
 * caller wakes when someone sleeps. */
#define _GNU_SOURCE
#include "tools/lib/pool.h"

#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define SPIN_NS 3000000ull        /* idle spinning before a worker sleeps */

struct Share {
    _Alignas(64) uint64_t next;            /* gen << 32 | chunks of this share taken */
};

struct HostPool {
    int threads;
    pthread_t *tids;
    struct Share *shares;                  /* one per thread; the caller's is 0 */
    /* the job: written by the caller before it publishes the generation */
    llama_range_fn fn;
    void *arg;
    int n, chunks;
    uint32_t gen;
    _Alignas(64) uint32_t current;         /* the generation of the job to run */
    _Alignas(64) int done;                 /* chunks finished in this generation */
    _Alignas(64) uint32_t wake;            /* futex word: the current generation */
    int sleepers;
    int quit;
};

static inline void relax(void) { __builtin_ia32_pause(); }

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Thread `me` claims and runs chunks of generation gen, its own share
 * first, until none is left. */
static void run_chunks(HostPool *p, uint32_t gen, int me) {
    int threads = p->threads;
    /* acquire: if this is the next job's count, its closed counters are seen */
    int chunks = __atomic_load_n(&p->chunks, __ATOMIC_ACQUIRE);
    for (int k = 0; k < threads; k++) {
        int w = (me + k) % threads, first, end;
        llama_share(chunks, threads, w, &first, &end);
        uint64_t *next = &p->shares[w].next;
        for (;;) {
            uint64_t t = __atomic_load_n(next, __ATOMIC_ACQUIRE);
            if ((uint32_t)(t >> 32) != gen) return;          /* the job is over */
            int c = first + (int)(uint32_t)t;
            if (c >= end) break;                               /* this share is done */
            if (!__atomic_compare_exchange_n(next, &t, t + 1, 0, __ATOMIC_ACQ_REL,
                                             __ATOMIC_ACQUIRE))
                continue;
            int begin, stop;
            llama_chunk(p->n, threads, c, &begin, &stop);
            if (begin < stop) p->fn(p->arg, begin, stop);
            __atomic_fetch_add(&p->done, 1, __ATOMIC_RELEASE);
        }
    }
}

typedef struct {
    HostPool *pool;
    int id;
} WorkerArg;

static void *worker(void *arg) {
    WorkerArg *wa = arg;
    HostPool *p = wa->pool;
    int me = wa->id;
    free(wa);
    uint32_t seen = 0;
    for (;;) {
        uint64_t idle_since = 0;
        unsigned spins = 0;
        uint32_t gen;
        while ((gen = __atomic_load_n(&p->current, __ATOMIC_ACQUIRE)) == seen) {
            if (__atomic_load_n(&p->quit, __ATOMIC_ACQUIRE)) return NULL;
            relax();
            if (++spins % 1024) continue;
            uint64_t t = now_ns();
            if (!idle_since) idle_since = t;
            if (t - idle_since < SPIN_NS) continue;
            __atomic_fetch_add(&p->sleepers, 1, __ATOMIC_SEQ_CST);
            if (__atomic_load_n(&p->current, __ATOMIC_SEQ_CST) == seen &&
                !__atomic_load_n(&p->quit, __ATOMIC_SEQ_CST))
                syscall(SYS_futex, &p->wake, FUTEX_WAIT_PRIVATE, seen, NULL, NULL, 0);
            __atomic_fetch_sub(&p->sleepers, 1, __ATOMIC_SEQ_CST);
            idle_since = 0;
        }
        seen = gen;
        run_chunks(p, gen, me);
    }
}

static void wake_all(HostPool *p) {
    if (__atomic_load_n(&p->sleepers, __ATOMIC_SEQ_CST))
        syscall(SYS_futex, &p->wake, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0);
}

void host_pool_parallel_for(void *pool, int n, llama_range_fn fn, void *arg) {
    HostPool *p = pool;
    if (p == NULL || p->threads <= 1 || n <= 1) {
        if (n > 0) fn(arg, 0, n);
        return;
    }
    uint32_t gen = ++p->gen;
    for (int w = 0; w < p->threads; w++)
        __atomic_store_n(&p->shares[w].next, (uint64_t)gen << 32, __ATOMIC_RELAXED);
    p->fn = fn;
    p->arg = arg;
    p->n = n;
    __atomic_store_n(&p->done, 0, __ATOMIC_RELAXED);
    __atomic_store_n(&p->chunks, llama_chunks(n, p->threads), __ATOMIC_RELEASE);
    __atomic_store_n(&p->current, gen, __ATOMIC_SEQ_CST);
    __atomic_store_n(&p->wake, gen, __ATOMIC_SEQ_CST);
    wake_all(p);
    run_chunks(p, gen, 0);
    while (__atomic_load_n(&p->done, __ATOMIC_ACQUIRE) < p->chunks) relax();
}

HostPool *host_pool_create(int threads) {
    HostPool *p = aligned_alloc(64, (sizeof *p + 63) / 64 * 64);
    if (!p) return NULL;
    *p = (HostPool){ .threads = threads < 1 ? 1 : threads };
    if (p->threads > 1) {
        p->tids = calloc((size_t)p->threads, sizeof *p->tids);
        p->shares = aligned_alloc(64, (size_t)p->threads * sizeof *p->shares);
        if (!p->tids || !p->shares) {
            free(p->tids);
            free(p->shares);
            free(p);
            return NULL;
        }
        memset(p->shares, 0, (size_t)p->threads * sizeof *p->shares);
        for (int i = 1; i < p->threads; i++) {
            WorkerArg *wa = malloc(sizeof *wa);
            if (wa) *wa = (WorkerArg){ p, i };
            if (!wa || pthread_create(&p->tids[i], NULL, worker, wa) != 0) {
                free(wa);
                p->threads = i;
                host_pool_destroy(p);
                return NULL;
            }
        }
    }
    return p;
}

void host_pool_destroy(HostPool *p) {
    if (!p) return;
    __atomic_store_n(&p->quit, 1, __ATOMIC_SEQ_CST);
    __atomic_store_n(&p->wake, p->gen + 1, __ATOMIC_SEQ_CST);
    syscall(SYS_futex, &p->wake, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0);
    for (int i = 1; i < p->threads; i++) pthread_join(p->tids[i], NULL);
    free(p->tids);
    free(p->shares);
    free(p);
}

int host_pool_threads(const HostPool *p) { return p ? p->threads : 1; }

int host_cpu_count(void) {
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0) {
        int n = CPU_COUNT(&set);
        if (n > 0) return n;
    }
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
}
