# make bench: tokens per second against this machine's memory roofline
# (tools/bench.c), for stories15M in fp32 and Q8_0 and for random-weight
# checkpoints of the stories42M and stories110M shapes (tools/randmodel.c,
# seed 1), each also quantized (tools/quantize.c). The generated files live
# in build/bench/ and are made once. BENCH_STEPS, BENCH_RUNS: positions per
# run and runs per configuration.

BENCHB      := $(BUILD)/bench
BENCH_STEPS ?= 256
BENCH_RUNS  ?= 3
BENCH_MODELS := $(BENCHB)/stories15M.bin $(BENCHB)/stories15M-q8.bin \
                $(BENCHB)/stories42M-random.bin $(BENCHB)/stories42M-random-q8.bin \
                $(BENCHB)/stories110M-random.bin $(BENCHB)/stories110M-random-q8.bin

$(BENCHB)/stories15M.bin:
	@mkdir -p $(dir $@)
	ln -sf "$$(realpath "$$(tools/find-model.sh stories15M.bin)")" $@

$(BENCHB)/%-random.bin: $(HOSTB)/randmodel
	@mkdir -p $(dir $@)
	$(HOSTB)/randmodel $* 1 $@.tmp && mv $@.tmp $@

$(BENCHB)/%-q8.bin: $(BENCHB)/%.bin $(HOSTB)/quantize
	$(HOSTB)/quantize $< $@.tmp 2>/dev/null && mv $@.tmp $@

.PHONY: bench
bench: $(HOSTB)/bench $(BENCH_MODELS)
	$(HOSTB)/bench -z "$$(tools/find-model.sh tokenizer.bin)" -n $(BENCH_STEPS) -r $(BENCH_RUNS) \
	    $(BENCH_MODELS)
