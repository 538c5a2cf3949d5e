# Disks and models from disks. kernel/model_kind.c (what a model file is,
# from its header, through the engine's parsers) and kernel/memory.c (the
# allocator's pieces for a model in scattered RAM) touch no hardware: the
# host library carries them too, for tests/host/test_model_kind.c and
# tests/host/test_memory.c.
HOST_EXTRA_SRC += kernel/model_kind.c kernel/memory.c

# make test-slow: the tests too slow for make test's 15 minutes
# (tests/slow/*.sh): a 4.6 GiB model read from an NVMe drive into RAM past
# 4 GiB. .ci/run runs it after make test.
.PHONY: test-slow
test-slow: deps
	$(MAKE) -j$$(nproc) test-build
	SLOW=1 tests/run.sh $(T)
