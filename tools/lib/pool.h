/* A pool of worker threads for the engine's parallel loops on the host
 * (llama_platform.parallel_for), cheap enough to hand out the ~30 loops of
 * every token: workers spin on a shared ticket (going to sleep after a few
 * milliseconds without work), the caller claims chunks too, so a chunk
 * that no worker has claimed by the time the caller is free is run by the
 * caller (a descheduled worker costs at most its chunk, not a time slice).
 *
 * Work is split as the kernel splits it: llama_chunks, each thread's own
 * share first (llama_share; lib/llama/llama.h). */
#ifndef TOOLS_LIB_POOL_H
#define TOOLS_LIB_POOL_H

#include "lib/llama/llama.h"

typedef struct HostPool HostPool;

/* threads counts the caller; 1 (or less) starts no worker. NULL if a
 * thread could not be started. */
HostPool *host_pool_create(int threads);
void host_pool_destroy(HostPool *p);
int host_pool_threads(const HostPool *p);

/* llama_platform.parallel_for with ctx = the pool. */
void host_pool_parallel_for(void *pool, int n, llama_range_fn fn, void *arg);

/* Cores this process may run on. */
int host_cpu_count(void);

#endif
