#!/usr/bin/env bash
# The host unit tests again, built with AddressSanitizer and
# UndefinedBehaviorSanitizer (mk/sanitize.mk, build/host-san/). Builds them
# with `make host-san`, runs each, and prints its PASS/FAIL lines prefixed
# with "san:PROGRAM/". A sanitizer report (which aborts the program), a
# crash or a non-zero exit with no FAIL line of its own is one FAIL line
# with the report's first lines; the whole report stays in
# build/host-san/logs/TIME-PID/PROGRAM.err (a directory per run, as several
# people may run the tests in one tree at once; removed after a day).
set -u
cd "$(dirname "$0")/../.."
logs=build/host-san/logs/$(date +%Y%m%d-%H%M%S)-$$
mkdir -p "$logs"
find build/host-san/logs -mindepth 1 -maxdepth 1 -type d -mtime +0 -exec rm -rf {} + 2>/dev/null

if ! make --no-print-directory -j"$(nproc)" host-san > "$logs/build.log" 2>&1; then
    echo "FAIL san:build: make host-san failed (log: $logs/build.log): $(grep -m1 -E 'error|Error' "$logs/build.log")"
    tail -n 20 "$logs/build.log"
    exit 1
fi

# halt_on_error: the first report ends the program. No leak checks: the
# engine and the kernel code allocate nothing (the platform hands them
# their memory), so leaks would be the test programs' own, such as a model
# file loaded once and never freed.
export CHECK_QUICK=1   # samples of the long sweeps (tests/check.h)
export ASAN_OPTIONS=detect_leaks=0:halt_on_error=1:detect_stack_use_after_return=1:check_initialization_order=1:strict_string_checks=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1

# The report's first lines, joined into one: the error line and the top frames.
summary() {   # summary ERRFILE
    local err=$1 head
    head=$(grep -m1 -E 'ERROR: [A-Za-z]+Sanitizer|runtime error:|Sanitizer:DEADLYSIGNAL' "$err")
    [ -n "$head" ] || head=$(grep -m1 -v '^\s*$' "$err")
    local frames
    frames=$(grep -E '^\s+#[0-3] ' "$err" | head -n 3 | sed -E 's/^\s+//; s/ 0x[0-9a-f]+ in / /' | paste -sd'|' | sed 's/|/ | /g')
    echo "${head}${frames:+ | $frames}"
}

# run_one PROGRAM: runs it, prints its cases and any report as FAIL lines.
run_one() {
    local t=$1 name=${1##*/} rc last where start=$SECONDS
    timeout 300 "$t" > "$logs/$name.out" 2> "$logs/$name.err"
    rc=$?
    echo "$((SECONDS - start)) $name" > "$logs/$name.secs"
    sed -nE "s#^(PASS|FAIL) #\\1 san:$name/#p" "$logs/$name.out"
    last=$(grep -E '^(PASS|FAIL) ' "$logs/$name.out" | tail -n 1 | cut -d' ' -f2 | sed 's/:$//')
    where=${last:+after case $last}
    where=${where:-before its first case}
    if grep -qE 'ERROR: [A-Za-z]+Sanitizer|runtime error:|Sanitizer:DEADLYSIGNAL' "$logs/$name.err"; then
        echo "FAIL san:$name: sanitizer report ($where; $logs/$name.err): $(summary "$logs/$name.err")"
    elif [ "$rc" -eq 124 ]; then
        echo "FAIL san:$name: timed out after 300 s ($where)"
    elif [ "$rc" -ge 128 ]; then
        echo "FAIL san:$name: killed by signal $((rc - 128)) ($where; $logs/$name.err)"
    elif [ "$rc" -ne 0 ] && ! grep -q '^FAIL ' "$logs/$name.out"; then
        echo "FAIL san:$name: exited with status $rc and reported no failure ($where; $logs/$name.err): $(summary "$logs/$name.err")"
    fi
}

# One program per core at a time, the slowest of the last run first
# (test_mathf takes half a minute under the sanitizers); reported in order.
progs=()
for t in build/host-san/tests/test_*; do
    [ -f "$t" ] && [ -x "$t" ] && progs+=("$t")
done
# A program the last sanitized run did not time (in a fresh clone, as in
# CI: every one) goes by its plain run's time in this make test, from
# tests/run.sh's log: alphabetical order started the longest last.
source tests/test_logs.sh
durations=build/host-san/durations
plain_secs() {   # plain_secs NAME
    local rc secs
    { read -r rc secs < "$(log_of "build/host/tests/$1").rc"; } 2> /dev/null && echo "${secs:-0}" || echo 0
}
order=()
while read -r _ t; do order+=("$t"); done < <(
    for t in "${progs[@]}"; do
        secs=$(awk -v n="${t##*/}" '$2 == n { s = $1 } END { print s }' "$durations" 2>/dev/null)
        echo "${secs:-$(plain_secs "${t##*/}")} $t"
    done | sort -rn -s -k1,1)
jobs=${SAN_JOBS:-$(nproc)}
for t in "${order[@]}"; do
    while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n; done
    run_one "$t" > "$logs/${t##*/}.result" 2>&1 &
done
wait
cat "$logs"/*.secs > "$durations.tmp.$$" 2>/dev/null && mv "$durations.tmp.$$" "$durations"
status=0
for t in "${progs[@]}"; do
    cat "$logs/${t##*/}.result"
    grep -q '^FAIL ' "$logs/${t##*/}.result" && status=1
done
exit $status
