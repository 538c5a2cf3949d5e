# The host code once more under the sanitizers, each build a copy of the
# host library and of some host programs in its own directory, compiled
# with SAN_CC (the host compiler by default; gcc's runtimes come with
# build-essential, clang's with libclang-rt-14-dev):
#   build/host-san/   AddressSanitizer and UndefinedBehaviorSanitizer: every
#                     unit test (`make host-san`, run by tests/host/sanitize.sh);
#   build/host-tsan/  ThreadSanitizer: the worker pool's test and the llama2
#                     program (`make host-tsan`, run by tests/host/tsan.sh).
# Any report aborts the program (-fno-sanitize-recover=all, halt_on_error).

SAN_CC ?= $(CC)
comma := ,
# The host flags without their optimisation and debug level, which each build
# sets: -g1, line tables, enough for the reports' file:line (full -g doubled
# the build time, and CI has 15 minutes for make test).
SAN_BASE_CFLAGS = $(filter-out -O% -g,$(HOST_CFLAGS)) -fno-omit-frame-pointer -O1 -g1

# $(call sanitized_build,DIR,FLAGS,TARGET,PROGRAMS[,PLAIN]): DIR/libllama.a and
# the rules for DIR/tests/test_* and DIR/llama2, built with FLAGS; the phony
# TARGET builds PROGRAMS (paths under DIR). PLAIN: SIMD sources taken as the
# host's uninstrumented objects (the Makefile's objects_of) instead.
# Deferred ($$): fragments included after this one may still add to
# HOST_EXTRA_SRC and HOST_EXTRA_OBJ. A generated object of the host build,
# $(HOSTB)/obj/gen/X.o, becomes DIR/obj/gen/X.o, built from $(KERNB)/gen/X.c.
define sanitized_build
$(1)_CFLAGS = $$(SAN_BASE_CFLAGS) $(2)
$(1)_LIB_OBJ = $$(call objects_of,$(1),$$(LIB_SRC),$(5)) $$(HOST_EXTRA_SRC:%.c=$(1)/obj/%.o) \
               $$(patsubst $$(HOSTB)/%,$(1)/%,$$(HOST_EXTRA_OBJ))

$(1)/obj/%.o: %.c
	@mkdir -p $$(dir $$@)
	$$(SAN_CC) $$($(1)_CFLAGS) $$(SAN_SIMD_CFLAGS) -MMD -MP -c $$< -o $$@

$(1)/obj/gen/%.o: $$(KERNB)/gen/%.c
	@mkdir -p $$(dir $$@)
	$$(SAN_CC) $$($(1)_CFLAGS) -c $$< -o $$@

$(1)/libllama.a: $$$$($(1)_LIB_OBJ)
	@mkdir -p $$(dir $$@)
	rm -f $$@ && ar rcs $$@ $$^

# -MMD here too: a test that #includes a .c file (test_string) is rebuilt
# when that file changes.
$(1)/tests/%: tests/host/%.c $(1)/libllama.a tests/check.h $$(wildcard tests/host/*.h)
	@mkdir -p $$(dir $$@)
	$$(SAN_CC) $$($(1)_CFLAGS) -MMD -MP $$< $(1)/libllama.a -lm -o $$@

$(1)/llama2: tools/llama2.c $(1)/libllama.a
	@mkdir -p $$(dir $$@)
	$$(SAN_CC) $$($(1)_CFLAGS) -MMD -MP $$< $(1)/libllama.a -lm -o $$@

.PHONY: $(3)
$(3): $$(addprefix $(1)/,$(4))
endef

.SECONDEXPANSION:
SANB  := $(BUILD)/host-san
TSANB := $(BUILD)/host-tsan
# The SIMD kernels (Makefile's SIMD_SRC) under the sanitizers with gcc's
# register allocator over each function as one region: by regions it spent
# most of their build here on the instrumented intrinsics (the five largest
# files, ASan and UBSan: 181 s of CPU, against 105 s).
$(SIMD_SRC:%.c=$(SANB)/obj/%.o) $(SIMD_SRC:%.c=$(TSANB)/obj/%.o): SAN_SIMD_CFLAGS := -fira-region=one
# The sets this CPU cannot run never run under the sanitizers here (the
# tests take the sets the CPU has), so their files come uninstrumented:
# AVX-512's (74 s of CPU under ASan and UBSan) without AVX-512F, AMX's
# without AMX-INT8. The sanitizer builds are made and run on one machine
# (tests/host/sanitize.sh, tsan.sh).
CPU_FLAGS := $(shell grep -m1 '^flags' /proc/cpuinfo 2> /dev/null)
SAN_UNRUN_SRC := $(if $(filter avx512f,$(CPU_FLAGS)),,lib/llama/quant_avx512.c lib/llama/batch_avx512.c \
                     lib/llama/matmul_avx512.c) $(if $(filter amx_int8,$(CPU_FLAGS)),,lib/llama/batch_amx.c)
# quant_sse4_avx.c is quant_sse4.c again, VEX-encoded: the same source and
# the same memory accesses, instrumented in quant_sse4.c's object.
$(eval $(call sanitized_build,$(SANB),-fsanitize=address$(comma)undefined -fno-sanitize-recover=all,\
    host-san,$(patsubst tests/host/%.c,tests/%,$(wildcard tests/host/test_*.c)),lib/llama/quant_sse4_avx.c $(SAN_UNRUN_SRC)))
# The pool's own test, and whole stories on several threads. Those run the
# widest level's kernels (and llama2.c's SSE2 ones, which the tuner times):
# the block types' SSE sets, a minute of its build, would run only on a CPU
# without AVX2, and share the row partition that is raced on (matmul.c) with
# the sets that are instrumented, so they come uninstrumented.
$(eval $(call sanitized_build,$(TSANB),-fsanitize=thread -fno-sanitize-recover=all,\
    host-tsan,tests/test_pool llama2,lib/llama/quant_sse2.c lib/llama/quant_sse4.c lib/llama/quant_sse4_avx.c \
    $(SAN_UNRUN_SRC)))
