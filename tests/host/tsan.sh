#!/usr/bin/env bash
# The code that runs on several threads, under ThreadSanitizer
# (mk/sanitize.mk, build/host-tsan/): the worker pool's unit test, and
# stories15M told by the llama2 program on 2 and 3 threads, which must also
# give build/host/llama2's bytes. A report of a data race is a FAIL line
# with the report's summary, even when the output happens to be right
# (a race of this kind once ran a chunk of rows twice, one run in five).
set -u
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if ! make --no-print-directory -j"$(nproc)" host-tsan build/host/llama2 > "$tmp/build.log" 2>&1; then
    echo "FAIL tsan:build: make host-tsan failed: $(grep -m1 -E 'error|Error' "$tmp/build.log")"
    exit 1
fi
export TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1
# Without address randomization where setarch allows it: gcc 12's
# ThreadSanitizer stops at start-up ("unexpected memory mapping") on kernels
# that randomize mmap with more bits than it expects.
norand=()
setarch "$(uname -m)" -R true 2> /dev/null && norand=(setarch "$(uname -m)" -R)

# report ERRFILE: the sanitizer's warning and summary lines, joined.
report() { grep -E 'WARNING: ThreadSanitizer|SUMMARY: ThreadSanitizer' "$1" | head -n 2 | paste -sd'|'; }

# The pool's test: its own PASS/FAIL lines, then any report (CHECK_QUICK:
# its sample of jobs, as under the other sanitizers).
CHECK_QUICK=1 "${norand[@]}" build/host-tsan/tests/test_pool > "$tmp/pool.out" 2> "$tmp/pool.err"
rc=$?
sed -nE 's#^(PASS|FAIL) #\1 tsan:test_pool/#p' "$tmp/pool.out"
if grep -q 'ThreadSanitizer' "$tmp/pool.err"; then
    echo "FAIL tsan:test_pool: $(report "$tmp/pool.err")"
elif [ "$rc" -ne 0 ] && ! grep -q '^FAIL ' "$tmp/pool.out"; then
    echo "FAIL tsan:test_pool: exited with status $rc: $(head -c 300 "$tmp/pool.err")"
fi

# Stories on several threads (a few dozen tokens: ThreadSanitizer makes
# each about 25 times slower).
m=$(tools/find-model.sh stories15M.bin 2>/dev/null); t=$(tools/find-model.sh tokenizer.bin 2>/dev/null)
story() {   # story NAME THREADS FLAGS...
    local name=tsan:llama2:$1 threads=$2; shift 2
    build/host/llama2 "$m" -z "$t" "$@" > "$tmp/want" 2> /dev/null
    "${norand[@]}" build/host-tsan/llama2 "$m" -z "$t" "$@" --threads "$threads" > "$tmp/got" 2> "$tmp/err"
    local rc=$?
    if grep -q 'ThreadSanitizer' "$tmp/err"; then
        echo "FAIL $name: $(report "$tmp/err")"
    elif [ "$rc" -ne 0 ]; then
        echo "FAIL $name: exited with status $rc: $(head -c 300 "$tmp/err")"
    elif ! cmp -s "$tmp/got" "$tmp/want"; then
        echo "FAIL $name: the story differs from build/host/llama2's"
    else
        echo "PASS $name"
    fi
}
story greedy-2-threads 2 -t 0 -n 48
story sampled-3-threads 3 -t 1 -p 0.9 -s 7 -n 48 -i "The cat"
