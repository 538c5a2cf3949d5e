# The host programs' worker pool (tools/lib/pool.c: pthreads and futexes,
# host only) and their error exit (tools/lib/die.c) go into the host library.
HOST_EXTRA_SRC += tools/lib/pool.c tools/lib/die.c
