#!/usr/bin/env bash
# End-to-end: build/host/llama2 against llama2.c run.c's recorded outputs.
# For every case in ../shared/reference/cases.tsv (expected file, model,
# tokenizer, run.c flags), runs the host program with the same flags and
# compares stdout byte for byte: one PASS/FAIL line per case. Then a few
# failures that must end in one "error:" line, and an overlong prompt.
# (The encode_*.tsv tables are checked by build/host/tests/test_tokenizer.)
set -u
cd "$(dirname "$0")/../.."
ref=${REFERENCE_DIR:-../shared/reference}
bin=build/host/llama2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if ! make -s "$bin" > "$tmp/build.log" 2>&1; then
    echo "FAIL reference:build: make $bin failed: $(grep -m1 -E 'error' "$tmp/build.log")"
    exit 1
fi
if [ ! -f "$ref/cases.tsv" ]; then
    echo "FAIL reference:cases: $ref/cases.tsv not found"
    exit 1
fi

model() {   # model NAME: path of a model file, or empty
    tools/find-model.sh "$1" 2>/dev/null
}

# ---------------------------------------------------------------- run.c outputs
while IFS=$'\t' read -r expected mfile tfile flags; do
    [[ -z "$expected" || "$expected" == \#* ]] && continue
    name="reference:${expected%.txt}"
    m=$(model "$mfile"); t=$(model "$tfile")
    if [ -z "$m" ] || [ -z "$t" ]; then
        echo "FAIL $name: model files $mfile / $tfile not found (tools/find-model.sh)"
        continue
    fi
    eval "args=($flags)"
    if ! "$bin" "$m" -z "$t" "${args[@]}" > "$tmp/out" 2> "$tmp/err"; then
        echo "FAIL $name: exit status $?: $(head -c 300 "$tmp/err")"
        continue
    fi
    if cmp -s "$tmp/out" "$ref/$expected"; then
        echo "PASS $name ($(grep -m1 'achieved' "$tmp/err"))"
    else
        echo "FAIL $name: stdout differs from $expected: $(cmp "$tmp/out" "$ref/$expected" 2>&1 | head -1)"
    fi
done < "$ref/cases.tsv"

# The same through the software path (no FMA instruction: what the kernel
# runs on a CPU without FMA), for the GQA model and the sampled case.
while IFS=$'\t' read -r expected mfile tfile flags; do
    [[ "$expected" == s260k_greedy_n200.txt || "$expected" == s15m_t1.0_p0.9_s42_n128.txt ]] || continue
    name="reference:sse2:${expected%.txt}"
    m=$(model "$mfile"); t=$(model "$tfile")
    eval "args=($flags)"
    if "$bin" "$m" -z "$t" "${args[@]}" --simd sse2 > "$tmp/out" 2> "$tmp/err" &&
       cmp -s "$tmp/out" "$ref/$expected"; then
        echo "PASS $name ($(grep -m1 'achieved' "$tmp/err"))"
    else
        echo "FAIL $name: stdout differs from $expected: $(head -c 300 "$tmp/err")"
    fi
done < "$ref/cases.tsv"

# ---------------------------------------------------------------- error lines
m15=$(model stories15M.bin); tok=$(model tokenizer.bin)
m260=$(model stories260K.bin); tok512=$(model tok512.bin)
expect_error() {   # expect_error NAME PATTERN ARGS...: exit 1, one error line matching
    local name=$1 pattern=$2; shift 2
    "$bin" "$@" > "$tmp/out" 2> "$tmp/err"
    local rc=$?
    local lines; lines=$(wc -l < "$tmp/err")
    if [ "$rc" -eq 1 ] && [ "$lines" -eq 1 ] && grep -q "^error: .*$pattern" "$tmp/err" && [ ! -s "$tmp/out" ]; then
        echo "PASS reference:error:$name"
    else
        echo "FAIL reference:error:$name: status $rc, stderr: $(head -c 300 "$tmp/err")"
    fi
}
head -c 1000 "$m260" > "$tmp/short.bin"
cp "$m260" "$tmp/long.bin" && printf 'xxxx' >> "$tmp/long.bin"
expect_error missing-model "cannot open" "$tmp/nonexistent.bin" -z "$tok512"
expect_error truncated-model "truncated" "$tmp/short.bin" -z "$tok512"
expect_error extra-bytes "extra bytes" "$tmp/long.bin" -z "$tok512"
expect_error wrong-tokenizer "another model" "$m260" -z "$tok"
expect_error small-tokenizer "truncated or belongs to a smaller" "$m15" -z "$tok512"
expect_error chat-long-prompt "chat mode takes at most 511" "$m260" -z "$tok512" -m chat \
    -i "$(printf 'a%.0s' $(seq 600))" < /dev/null
expect_error bad-flag "" "$m260" -z "$tok512" -q 1

# ---------------------------------------------------------------- prompts
# A prompt far longer than the context stops at -n without overflowing.
long=$(printf 'Once upon a time %.0s' $(seq 200))
if "$bin" "$m260" -z "$tok512" -t 0 -n 64 -i "$long" > "$tmp/out" 2> "$tmp/err" &&
   [ "$(head -c 16 "$tmp/out")" = "Once upon a time" ]; then
    echo "PASS reference:long-prompt"
else
    echo "FAIL reference:long-prompt: $(head -c 300 "$tmp/err")"
fi
