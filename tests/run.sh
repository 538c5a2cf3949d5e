#!/usr/bin/env bash
# The test runner. Runs every host unit-test program, then every test script
# (tests/host/*.sh, then tests/boot/*.sh, JOBS of the boot scripts at a time:
# each boots QEMU, mostly waiting on emulated firmware). Each prints one
# line per case, "PASS name" or "FAIL name: why"; this counts them and ends
# with the line "N passed, N failed". Exits non-zero when anything failed.
# Usage: tests/run.sh [PATTERN]   (only the programs/scripts whose path matches)
# SLOW=1: only the tests too slow for make test (tests/slow/*.sh, run like
# the boot scripts), for make test-slow.
set -u
cd "$(dirname "$0")/.."
pattern=${1:-}
jobs=${JOBS:-2}
log_dir=build/test-logs
mkdir -p "$log_dir"
passed=0 failed=0

log_of() { echo "$log_dir/$(echo "$1" | tr '/ ' '__').log"; }

# execute LABEL COMMAND...: runs it, its output into its log, status into LOG.rc.
execute() {
    local label=$1; shift
    local out
    out=$(log_of "$label")
    local start=$SECONDS
    "$@" > "$out" 2>&1
    echo "$? $((SECONDS - start))" > "$out.rc"
}

# report LABEL: prints the cases of a finished run and adds them up.
report() {
    local label=$1 out rc secs p f
    out=$(log_of "$label")
    read -r rc secs < "$out.rc"
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
    echo "    ($label: $secs s)"
    passed=$((passed + p)); failed=$((failed + f))
}

matches() { [[ -z "$pattern" || "$1" == *$pattern* ]]; }

slow=${SLOW:-}
boot_dir=tests/boot
[ -n "$slow" ] && boot_dir=tests/slow
for t in build/host/tests/test_*; do
    [ -n "$slow" ] && break
    [ -x "$t" ] && matches "$t" || continue
    execute "$t" "$t"; report "$t"
done
for t in tests/host/*.sh; do
    [ -n "$slow" ] && break
    [ -f "$t" ] && matches "$t" || continue
    execute "$t" bash "$t"; report "$t"
done

# Boot scripts, JOBS at a time, the slowest of the last run first (stories15M
# are known to be slow); reported in order once all are done.
boot_tests=()
while read -r _ t; do boot_tests+=("$t"); done < <(
    for t in "$boot_dir"/*.sh; do
        [[ "$t" == */lib.sh ]] && continue
        [ -f "$t" ] && matches "$t" || continue
        secs=0
        [ -f "$(log_of "$t").rc" ] && read -r _ secs < "$(log_of "$t").rc"
        [[ "$t" == *15m* && "$secs" -eq 0 ]] && secs=999
        echo "$secs $t"
    done | sort -rn)
for t in "${boot_tests[@]}"; do
    while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n; done
    rm -f "$(log_of "$t").rc"
    execute "$t" bash "$t" &
done
wait
for t in "${boot_tests[@]}"; do report "$t"; done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
