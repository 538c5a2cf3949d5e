#!/usr/bin/env bash
# The test runner. Runs every host unit-test program, then every test script
# (tests/host/*.sh, tests/boot/*.sh). Each prints one line per case,
# "PASS name" or "FAIL name: why"; this counts them and ends with the line
# "N passed, N failed". Exits non-zero when anything failed.
# Usage: tests/run.sh [PATTERN]   (only the programs/scripts whose path matches)
set -u
cd "$(dirname "$0")/.."
pattern=${1:-}
log_dir=build/test-logs
mkdir -p "$log_dir"
passed=0 failed=0

run_one() {   # run_one LABEL COMMAND...
    local label=$1; shift
    local out="$log_dir/$(echo "$label" | tr '/ ' '__').log"
    local start=$SECONDS
    "$@" > "$out" 2>&1
    local rc=$?
    local p f
    p=$(grep -c '^PASS ' "$out")
    f=$(grep -c '^FAIL ' "$out")
    grep -E '^(PASS|FAIL) ' "$out"
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
        echo "FAIL $label: exited with status $rc and reported no failure (log: $out)"
        tail -n 5 "$out" | sed 's/^/    /'
        f=$((f + 1))
    fi
    if [ "$p" -eq 0 ] && [ "$f" -eq 0 ]; then
        echo "FAIL $label: ran no test case (log: $out)"
        f=1
    fi
    echo "    ($label: $((SECONDS - start)) s)"
    passed=$((passed + p)); failed=$((failed + f))
}

for t in build/host/tests/test_*; do
    [ -x "$t" ] || continue
    [[ -z "$pattern" || "$t" == *$pattern* ]] || continue
    run_one "$t" "$t"
done
for t in tests/host/*.sh tests/boot/*.sh; do
    [ -f "$t" ] || continue
    [[ -z "$pattern" || "$t" == *$pattern* ]] || continue
    run_one "$t" bash "$t"
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
