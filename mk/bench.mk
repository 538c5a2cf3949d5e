# make bench: tokens per second against this machine's memory roofline
# (tools/bench.c), for stories15M in fp32 and Q8_0 and for random-weight
# checkpoints of the stories42M and stories110M shapes (tools/randmodel.c,
# seed 1), each also quantized (tools/quantize.c); then GGUF files: the
# stories15M GGUF test files where tools/find-model.sh finds them, and
# random-weight models of TinyLlama-1.1B's shape written by tools/mkgguf.c
# (F32, F16, Q8_0, Q4_0, and llama-quantize's Q4_K_M and Q5_K_S mixes;
# about 10 GB; the Q4_0 and Q5_K_S ones with a Q6_K classifier, as
# llama-quantize writes them). The
# generated files live in build/bench/ and are made once. BENCH_STEPS,
# BENCH_BIG_STEPS (TinyLlama), BENCH_RUNS: positions per run and runs per
# configuration. BENCH_SIMD=avx2 (or sse2): the engine on that level only,
# as on a machine without AVX-512.
#
# make bench-llamacpp: llama.cpp on the same GGUF files, side by side
# (tools/bench-llamacpp.mjs, through the npm package node-llama-cpp, whose
# prebuilt CPU library is installed into build/llamacpp the first time).
# LLAMACPP_CPU=haswell: llama.cpp's build for that CPU generation only
# (haswell: AVX2), to compare with BENCH_SIMD=avx2.

BENCHB      := $(BUILD)/bench
BENCH_STEPS ?= 256
BENCH_BIG_STEPS ?= 32
BENCH_RUNS  ?= 3
BENCH_MODELS := $(BENCHB)/stories15M.bin $(BENCHB)/stories15M-q8.bin \
                $(BENCHB)/stories42M-random.bin $(BENCHB)/stories42M-random-q8.bin \
                $(BENCHB)/stories110M-random.bin $(BENCHB)/stories110M-random-q8.bin
BENCH_GGUF_TYPES := F32 F16 Q8_0 Q4_0 Q4_K_M Q5_K_S
BENCH_GGUF := $(BENCH_GGUF_TYPES:%=$(BENCHB)/tinyllama-random-%.gguf)
BENCH_SHARED_GGUF := $(foreach t,F16 Q8_0 Q4_0,$(shell tools/find-model.sh gguf/stories15M-$(t).gguf 2>/dev/null))

$(BENCHB)/stories15M.bin:
	@mkdir -p $(dir $@)
	ln -sf "$$(realpath "$$(tools/find-model.sh stories15M.bin)")" $@

$(BENCHB)/%-random.bin: $(HOSTB)/randmodel
	@mkdir -p $(dir $@)
	$(HOSTB)/randmodel $* 1 $@.tmp && mv $@.tmp $@

$(BENCHB)/%-q8.bin: $(BENCHB)/%.bin $(HOSTB)/quantize
	$(HOSTB)/quantize $< $@.tmp 2>/dev/null && mv $@.tmp $@

# llama-quantize keeps the classifier in Q6_K for every type but Q8_0 (and
# the float ones): the files people download are such mixes
BENCH_GGUF_OUTPUT_Q4_0 := --output-type Q6_K
# Q5_K_S: Q5_K with that classifier
BENCH_GGUF_TYPE_Q5_K_S := --type Q5_K --output-type Q6_K
$(BENCHB)/tinyllama-random-%.gguf: $(HOSTB)/mkgguf
	@mkdir -p $(dir $@)
	$(HOSTB)/mkgguf --shape tinyllama $(or $(BENCH_GGUF_TYPE_$*),--type $*) $(BENCH_GGUF_OUTPUT_$*) --seed 1 \
	    $@.tmp && mv $@.tmp $@

.PHONY: bench bench-llamacpp
bench: $(HOSTB)/bench $(BENCH_MODELS) $(BENCH_GGUF)
	$(HOSTB)/bench -z "$$(tools/find-model.sh tokenizer.bin)" -n $(BENCH_STEPS) -r $(BENCH_RUNS) \
	    $(if $(BENCH_SIMD),-l $(BENCH_SIMD)) \
	    $(BENCH_MODELS) $(BENCH_SHARED_GGUF) $(BENCH_GGUF:%=%@$(BENCH_BIG_STEPS))

bench-llamacpp: $(BENCH_GGUF)
	tools/bench-llamacpp.sh $(BENCH_SHARED_GGUF) $(BENCH_GGUF)
