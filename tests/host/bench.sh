#!/usr/bin/env bash
# make bench's table (tools/bench.c) on stories260K, briefly: the legend
# says what each column is, every row's tok/s and ms/tok agree (ms/tok is
# the same run's mean, 1000 / tok/s), the median is a time too, and a row
# marked '*' as disturbed comes with its reasons on the next line. (Which
# rows are disturbed depends on what else the machine runs: the judgement
# itself is tests/host/test_disturbance.c's.) Each row names the kernels
# the tuner chose for each weight type: a set of the engine's and a read
# (a file of two types names both; mkgguf --output-type writes one).
cd "$(dirname "$0")/../.."
pass() { echo "PASS bench:$1"; }
fail() { echo "FAIL bench:$1: $2"; }
model=$(tools/find-model.sh stories260K.bin) tok=$(tools/find-model.sh tok512.bin)
out=build/test-logs/bench-table.txt
mkdir -p build/test-logs
if ! build/host/bench -z "$tok" -n 32 -r 1 -a 1 "$model" > "$out" 2>&1; then
    fail runs "bench failed: $(tail -n 3 "$out")"; exit 0
fi
pass runs
for c in "format " "pp tok/s " "MB/tok " "tok/s " "ms/tok " "median " "GB/s " "roofline " "fraction " "peak RSS " "kernels "; do
    if grep -qE "^(columns:)? +$c" "$out"; then pass "legend:${c// /}"; else fail "legend:${c// /}" "no legend line in $out"; fi
done
rows=$(grep -c '^stories260K.bin ' "$out")
if [ "$rows" -ge 1 ]; then pass rows; else fail rows "no row in $out"; fi
bad=$(awk '$1 == "stories260K.bin" {
    pp = $5; tps = $6; ms = $7; med = $8
    if (pp <= 0 || tps <= 0 || ms <= 0 || med <= 0) { print; next }
    if ((tps * ms - 1000) ^ 2 > (tps * 0.005 + 1) ^ 2) print }' "$out")
if [ -z "$bad" ]; then pass columns-agree; else fail columns-agree "tok/s x ms/tok is not 1000: $bad"; fi
# the fields after "MB": type:set/read for each weight type (stories260K:
# F32 alone), the set one of the engine's levels, the read one of
# matmul.c's matmul_read_names
set_read='(sse2|sse4[a-z0-9-]*|avx2[a-z0-9-]*|avx512[a-z0-9-]*|amx[a-z0-9-]*)/(streams|ahead|bare|l2)'
kernels="^F32:$set_read\$"
bad=$(awk -v re="$kernels" '$1 == "stories260K.bin" { k = ""; for (i = 1; i < NF; i++) if ($i == "MB") k = $(i + 1)
    if (k !~ re || ($NF != k && $NF != "*")) print }' "$out")
if [ -z "$bad" ]; then pass kernels-named; else fail kernels-named "no type:set/read after peak RSS: $bad"; fi
# a GGUF file of two types (mkgguf's Q4_0 with llama-quantize's Q6_K
# classifier): each type named with its own choice, in the engine's order
mix=build/test-logs/bench-mix.gguf
if build/host/mkgguf --shape 256,768,2,4,2,1000,256 --type Q4_0 --output-type Q6_K --seed 3 "$mix" > /dev/null 2>&1 &&
   build/host/bench -z "$tok" -n 16 -r 1 -a 1 "$mix" > "$out.mix" 2>&1; then
    rows=$(grep -cE "^bench-mix.gguf .* MB  Q4_0:$set_read Q6_K:$set_read( \*)?$" "$out.mix")
    if [ "$rows" -ge 1 ]; then pass kernels-per-type
    else fail kernels-per-type "no Q4_0:set/read Q6_K:set/read row: $(grep '^bench-mix' "$out.mix")"; fi
else fail kernels-per-type "mkgguf or bench failed: $(tail -n 2 "$out.mix")"; fi
rm -f "$mix"
if ! build/host/mkgguf --type Q4_0 --output-type Q4_K_M "$mix" > "$out.err" 2>&1 &&
   grep -q '^error: --output-type Q4_K_M' "$out.err" && [ ! -e "$mix" ]; then pass mkgguf-output-type-refused
else fail mkgguf-output-type-refused "mkgguf --output-type Q4_K_M: $(cat "$out.err")"; fi
if ! grep -q ' \*$' "$out" || grep -q '^  \* disturbed after 1 attempt: .\+' "$out"; then pass marks-have-reasons
else fail marks-have-reasons "a row is marked but no reason follows: $(cat "$out")"; fi
# -l: the engine on one level only, said in the header; a name that is no
# level is an error line
lv=build/test-logs/bench-level.txt
if build/host/bench -z "$tok" -n 8 -r 1 -a 1 -l sse2 "$model" > "$lv" 2>&1 &&
   grep -q '^bench: .*SIMD level fixed by -l: sse2;' "$lv" && grep -q '^stories260K.bin ' "$lv" &&
   ! grep '^stories260K.bin ' "$lv" | grep -vq ' MB  F32:sse2/'; then pass level-fixed
else fail level-fixed "bench -l sse2: $(head -n 1 "$lv")"; fi
if ! build/host/bench -z "$tok" -l mmx "$model" > "$lv" 2>&1 && grep -q '^error: -l mmx: not a level' "$lv"; then
    pass level-refused
else fail level-refused "bench -l mmx: $(cat "$lv")"; fi
