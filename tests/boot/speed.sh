# The kernel's speed paths tell the same stories (under BIOS, the quicker
# firmware): stories260K greedy with --simd sse2 and --simd avx2 under
# CPU=max, and on 1, 2 and 4 cores (4 virtual cores on this 2-core host are
# slow under TCG: a short story), each byte for byte run.c's, with the
# level and the core count in the stats line; and Q8_0: stories15M
# quantized here (build/tests/, never committed) boots, names its format,
# and tells exactly the host program's story for the same file and flags.
source "$(dirname "$0")/lib.sh"

m260=$(model_path stories260K.bin); t512=$(model_path tok512.bin)
want260=$REFERENCE/s260k_greedy_n200.txt

# story_check NAME SIMD CORES: the reference story, the stats line's level and cores.
story_check() {
    local name=$1 simd=$2 cores=$3
    expect_rc "speed:$name:exit-success" 0
    expect_story "speed:$name:matches-run.c" "$want260"
    local s="cores"; [ "$cores" = 1 ] && s="core"
    expect_re "speed:$name:stats" "^stats: .* ms/token, simd $simd, $cores $s$"
}

for simd in sse2 avx2; do
    make_iso "speed-$simd" "--exit -t 0 -n 200 --simd $simd" "$m260" "$t512" > /dev/null
    boot "speed-$simd" bios CPU=max
    story_check "simd-$simd" "$simd" 2
done

make_iso speed-cores "--exit -t 0 -n 200" "$m260" "$t512" > /dev/null
for n in 1 4; do   # (2 cores: above)
    ln -f "$OUT/speed-cores.iso" "$OUT/speed-cores$n.iso"
    SMP=$n boot "speed-cores$n" bios
    story_check "cores-$n" "(avx2|sse2)" "$n"   # the level that timed faster (no --simd)
done

# ---------------------------------------------------------------- Q8_0
m15=$(model_path stories15M.bin); tok=$(model_path tokenizer.bin)
q8=$OUT/stories15M-q8.bin
if [ ! -s "$q8" ] || [ "$q8" -ot "$m15" ] || [ "$q8" -ot "$ROOT/build/host/quantize" ]; then
    "$ROOT/build/host/quantize" "$m15" "$q8.tmp" 2> /dev/null && mv "$q8.tmp" "$q8"
fi
flags="-t 0 -n 96 -i \"One day, Lily\""
eval "args=($flags)"
"$ROOT/build/host/llama2" "$q8" -z "$tok" "${args[@]}" > "$OUT/speed-q8.expected" 2> /dev/null
make_iso speed-q8 "--exit $flags" "$q8" "$tok" > /dev/null
boot speed-q8 bios
expect_rc "speed:q8:exit-success" 0
expect_re "speed:q8:format" "^checkpoint: version 2 Q8_0 \(int8, groups of 32\), 16\.3 MiB used in place"
expect_story "speed:q8:matches-host" "$OUT/speed-q8.expected"
expect_re "speed:q8:tok/s" "^achieved tok/s: [0-9]+\.[0-9]{6}$"
