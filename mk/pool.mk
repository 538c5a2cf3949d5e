# The host programs' worker pool (tools/lib/pool.c: pthreads and futexes,
# host only), their error exit (tools/lib/die.c) and their way to hold a
# model (tools/lib/huge_pages.c: 2 MiB pages) go into the host library.
HOST_EXTRA_SRC += tools/lib/pool.c tools/lib/die.c tools/lib/huge_pages.c
