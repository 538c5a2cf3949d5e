# make kbench: the compute kernels alone (tools/kbench.c, build/host/kbench):
# per weight type and kernel set (each SIMD level's sets this CPU has:
# avx512-vnni and avx512, avx2-vnni and avx2...), on one core, matvec GB/s against the
# memory roofline (a matrix larger than the L3 and one inside it) and
# batched GFLOP/s. KBENCH_ARGS: its flags, e.g. KBENCH_ARGS='-t Q8_0,Q4_K
# -l avx512 -B' (see the top of tools/kbench.c). A minute or two for every
# type and set.
KBENCH_ARGS ?=

.PHONY: kbench
kbench: $(HOSTB)/kbench
	$(HOSTB)/kbench $(KBENCH_ARGS)
