# libFuzzer targets: every tests/fuzz/fuzz_NAME.c is one program
# build/fuzz/fuzz_NAME, linked with a copy of the host library built by
# clang with coverage instrumentation, ASan and UBSan (build/fuzz/obj/...).
# tests/host/fuzz.sh (part of `make test`) runs each for 6 seconds;
# `make fuzz` runs each for FUZZ_SECONDS (FUZZ=NAME for one target only).

FUZZB        := $(BUILD)/fuzz
FUZZ_CC      ?= clang
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer -O1 -g1
FUZZ_CFLAGS   = $(filter-out -O% -g,$(HOST_CFLAGS)) $(FUZZ_SAN)
FUZZ_SECONDS ?= 300
FUZZ         ?=

# Deferred for the same reason as in mk/sanitize.mk: later fragments may
# still add to HOST_EXTRA_SRC and HOST_EXTRA_OBJ.
# The SIMD kernels are no parser of outside input, and clang's ASan takes
# minutes over their intrinsics (batch_avx512.c alone: over two): here they
# are the objects the host and the kernel link (the Makefile's build/simd/,
# built by gcc without instrumentation); tests/host/sanitize.sh runs them
# under ASan and UBSan.
FUZZ_LIB_OBJ  = $(call objects_of,$(FUZZB),$(LIB_SRC),$(SIMD_SRC)) $(HOST_EXTRA_SRC:%.c=$(FUZZB)/obj/%.o) \
                $(patsubst $(HOSTB)/%,$(FUZZB)/%,$(HOST_EXTRA_OBJ))
FUZZ_TARGETS := $(patsubst tests/fuzz/%.c,$(FUZZB)/%,$(wildcard tests/fuzz/fuzz_*.c))

$(FUZZB)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c $< -o $@

$(FUZZB)/obj/gen/%.o: $(KERNB)/gen/%.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -c $< -o $@

.SECONDEXPANSION:
$(FUZZB)/libllama.a: $$(FUZZ_LIB_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(FUZZB)/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZB)/libllama.a
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -MMD -MP $< $(FUZZB)/libllama.a -lm -o $@

.PHONY: fuzz-build fuzz
fuzz-build: $(FUZZ_TARGETS)

fuzz:
	FUZZ_SECONDS=$(FUZZ_SECONDS) tests/host/fuzz.sh $(FUZZ)
