# The host programs' worker pool (tools/lib/pool.c: pthreads and futexes,
# host only) goes into the host library beside the engine.
HOST_EXTRA_SRC += tools/lib/pool.c
