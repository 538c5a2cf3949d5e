#!/usr/bin/env bash
# The speed paths tell the same stories: build/host/llama2 at every SIMD
# level this CPU has (--simd sse2|sse4|avx2|avx512|amx) on every reference case of
# ../shared/reference, with 1, 2 and 3 threads; and Q8_0: stories15M
# quantized here by build/host/quantize (into a temporary directory) starts
# its greedy story with the same sentences as fp32, and gives the same bytes
# at every level and thread count (stories260K too, whose hidden size 172 is
# no multiple of the group size 64).
set -u
cd "$(dirname "$0")/../.."
ref=${REFERENCE_DIR:-../shared/reference}
bin=build/host/llama2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if ! make -s "$bin" build/host/quantize > "$tmp/build.log" 2>&1; then
    echo "FAIL levels:build: $(grep -m1 -E 'error' "$tmp/build.log")"
    exit 1
fi
model() { tools/find-model.sh "$1" 2>/dev/null; }

# The levels: sse2 always; sse4, avx2, avx512 and amx when the CPU (and XCR0, and
# for AMX the OS) offer them.
levels=(sse2)
for l in sse4 avx2 avx512 amx; do
    m=$(model stories260K.bin); t=$(model tok512.bin)
    "$bin" "$m" -z "$t" -n 2 --simd $l > /dev/null 2>&1 && levels+=("$l")
done
echo "    (levels: ${levels[*]})"

# Every reference case at every level, with 1, 2 or 3 threads in turn.
threads=1
while IFS=$'\t' read -r expected mfile tfile flags; do
    [[ -z "$expected" || "$expected" == \#* ]] && continue
    m=$(model "$mfile"); t=$(model "$tfile")
    eval "args=($flags)"
    for l in "${levels[@]}"; do
        name="levels:$l:threads$threads:${expected%.txt}"
        if "$bin" "$m" -z "$t" "${args[@]}" --simd "$l" --threads $threads > "$tmp/out" 2> "$tmp/err" &&
           cmp -s "$tmp/out" "$ref/$expected"; then
            echo "PASS $name"
        else
            echo "FAIL $name: differs from $expected: $(head -c 300 "$tmp/err")"
        fi
        threads=$((threads % 3 + 1))
    done
    threads=$((threads % 3 + 1))          # the next case pairs levels and threads otherwise
done < "$ref/cases.tsv"

# A level the CPU lacks is refused with one error line (only testable where
# one is missing: a CPU without AVX-512, or AMX, here).
for l in avx512 amx; do
    [[ " ${levels[*]} " == *" $l "* ]] && continue
    if "$bin" "$(model stories260K.bin)" -z "$(model tok512.bin)" --simd $l > /dev/null 2> "$tmp/err"; then
        echo "FAIL levels:$l-refused: ran without it"
    elif grep -q "^error: --simd $l" "$tmp/err"; then echo "PASS levels:$l-refused"
    else echo "FAIL levels:$l-refused: $(head -c 200 "$tmp/err")"; fi
done

# GGUF files with a prompt long enough for batches of 16 and more (AMX's
# tiles where the CPU has them, the rest of a batch on VNNI): the same
# story at every level and thread count.
long_prompt="Once upon a time, in a small village at the edge of a big green forest, there lived a little girl named Lily who loved to play with her red ball and her old brown dog"
for g in stories15M-Q8_0 stories15M-Q4_0 tinyllama-mini-Q4_K_M; do
    m=$(model "gguf/$g.gguf")
    [ -n "$m" ] || { echo "FAIL levels:gguf:$g: gguf/$g.gguf not found"; continue; }
    first="" ok=1 why=""
    for l in "${levels[@]}"; do
        for th in 1 2; do
            if ! "$bin" "$m" -t 0 -n 96 -i "$long_prompt" --simd "$l" --threads $th > "$tmp/g.out" 2> "$tmp/err"; then
                ok=0 why="$l/$th: $(head -c 200 "$tmp/err")"; break 2
            fi
            if [ -z "$first" ]; then first=$tmp/$g.first; cp "$tmp/g.out" "$first"
            elif ! cmp -s "$first" "$tmp/g.out"; then ok=0 why="--simd $l --threads $th differs"; fi
        done
    done
    if [ $ok = 1 ]; then echo "PASS levels:gguf:$g:long-prompt-same-at-every-level"
    else echo "FAIL levels:gguf:$g: $why"; fi
done

# ---------------------------------------------------------------- Q8_0
q8() {   # q8 NAME MODEL TOKENIZER ARGS...: same bytes at every level and 1-3 threads
    local name=$1 src=$2 tok=$3; shift 3
    local q=$tmp/$name-q8.bin first="" ok=1 why=""
    if ! build/host/quantize "$src" "$q" 2> "$tmp/qerr"; then
        echo "FAIL levels:q8:$name:quantize: $(head -c 300 "$tmp/qerr")"
        return 1
    fi
    for l in "${levels[@]}"; do
        for th in 1 2 3; do
            if ! "$bin" "$q" -z "$tok" "$@" --simd "$l" --threads $th > "$tmp/q8.out" 2> "$tmp/err"; then
                ok=0 why="$l/$th: $(head -c 200 "$tmp/err")"; break 2
            fi
            if [ -z "$first" ]; then first=$tmp/$name-q8.first; cp "$tmp/q8.out" "$first"
            elif ! cmp -s "$first" "$tmp/q8.out"; then ok=0 why="--simd $l --threads $th differs"; fi
        done
    done
    if [ $ok = 1 ]; then echo "PASS levels:q8:$name:same-at-every-level-and-thread-count"
    else echo "FAIL levels:q8:$name: $why"; fi
}
m15=$(model stories15M.bin); tok=$(model tokenizer.bin)
q8 stories15M "$m15" "$tok" -t 0 -n 256
q8 stories260K "$(model stories260K.bin)" "$(model tok512.bin)" -t 0 -n 200

# Greedy Q8_0 cannot be fp32's byte for byte; its first sentences are.
sentences() { python3 -c 'import re,sys; t=open(sys.argv[1]).read(); print("".join(re.findall(r"[^.!?]*[.!?]", t)[:int(sys.argv[2])]))' "$@"; }
want=$(sentences "$ref/s15m_greedy_n256.txt" 3)
got=$(sentences "$tmp/stories15M-q8.first" 3)
if [ -n "$want" ] && [ "$want" = "$got" ]; then echo "PASS levels:q8:stories15M:first-sentences-as-fp32"
else echo "FAIL levels:q8:stories15M:first-sentences-as-fp32: got '$got', fp32 '$want'"; fi
if ! cmp -s "$tmp/stories15M-q8.first" "$ref/s15m_greedy_n256.txt"; then
    echo "PASS levels:q8:stories15M:not-fp32-bytes (quantized, as expected)"
else
    echo "FAIL levels:q8:stories15M:not-fp32-bytes: Q8_0 gave fp32's exact story; was it quantized?"
fi
