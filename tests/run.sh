#!/usr/bin/env bash
# The test runner. Runs every host unit-test program (JOBS at a time), then every test script
# (tests/host/*.sh, then tests/boot/*.sh, JOBS of the boot scripts at a time:
# each boots QEMU, mostly waiting on emulated firmware). Each prints one
# line per case, "PASS name" or "FAIL name: why", into its log in
# build/test-logs/. The runner prints one line per program or script as it
# ends: its number of the whole, its counts, its time and the running
# totals; for one that failed, its FAIL lines and an excerpt of the log they
# name (else of its own output). It ends with the line "N passed, N failed"
# and exits non-zero when anything failed.
# Usage: tests/run.sh [PATTERN]   (only the programs/scripts whose path matches)
# SLOW=1: only the tests too slow for make test (tests/slow/*.sh, run like
# the boot scripts), for make test-slow.
set -u
cd "$(dirname "$0")/.."
pattern=${1:-}
jobs=${JOBS:-2}
source tests/test_logs.sh
mkdir -p "$log_dir"
passed=0 failed=0 done_groups=0 begin=$SECONDS

matches() { [[ -z "$pattern" || "$1" == *$pattern* ]]; }

# execute LABEL COMMAND...: runs it, its output into its log, status into LOG.rc.
execute() {
    local label=$1; shift
    local out
    out=$(log_of "$label")
    rm -f "$out.rc"
    local start=$SECONDS
    "$@" > "$out" 2>&1
    echo "$? $((SECONDS - start))" > "$out.rc.tmp" && mv "$out.rc.tmp" "$out.rc"   # whole, for the poll below
}

# excerpt FILE: its last lines, indented, as a failure's context.
excerpt() {
    echo "        last lines of ${1#"$PWD"/}:"
    tail -n 8 "$1" | tr -d '\r' | cut -c 1-200 | sed 's/^/        | /'
}

# report LABEL: one line for a finished run, its failures with an excerpt.
report() {
    local label=$1 out rc secs p f why="" named
    out=$(log_of "$label")
    read -r rc secs < "$out.rc"
    p=$(grep -c '^PASS ' "$out")
    f=$(grep -c '^FAIL ' "$out")
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then why="exited with status $rc and reported no failure"
    elif [ "$p" -eq 0 ] && [ "$f" -eq 0 ]; then why="ran no test case"; fi
    [ -n "$why" ] && f=$((f + 1))
    passed=$((passed + p)); failed=$((failed + f)); done_groups=$((done_groups + 1))
    printf '[%*d/%d] %s %-40s %4d passed %3d failed %5s   total %d passed, %d failed\n' \
        ${#total_groups} "$done_groups" "$total_groups" "$([ "$f" -eq 0 ] && echo PASS || echo FAIL)" \
        "$label" "$p" "$f" "${secs}s" "$passed" "$failed"
    [ "$f" -eq 0 ] && return
    if [ -n "$why" ]; then
        echo "    FAIL $label: $why"
        excerpt "$out"
        return
    fi
    grep '^FAIL ' "$out" | head -n 10 | sed 's/^/    /'
    [ "$f" -gt 10 ] && echo "    ... and $((f - 10)) more in $out"
    # the first log file a FAIL line names (a serial log, a program's output), else the script's own
    named=$(grep '^FAIL ' "$out" | grep -oE "(/[^ :()'\"]+|build/[^ :()'\"]+)\.(log|txt|out|err)" |
            while read -r file; do [ -f "$file" ] && echo "$file" && break; done)
    if [ -n "$named" ]; then excerpt "$named"; return; fi
    # else what the script said besides its cases (stderr, a tool's complaint), if anything
    grep -v -e '^PASS ' -e '^FAIL ' "$out" > "$out.other"
    [ -s "$out.other" ] && excerpt "$out.other"
    rm -f "$out.other"
}

host_programs=() host_scripts=() boot_tests=()
boot_dir=tests/boot
if [ -n "${SLOW:-}" ]; then
    boot_dir=tests/slow
else
    for t in build/host/tests/test_*; do [ -x "$t" ] && matches "$t" && host_programs+=("$t"); done
    for t in tests/host/*.sh; do [ -f "$t" ] && matches "$t" && host_scripts+=("$t"); done
fi
# Boot scripts, the slowest of the last run first (stories15M are known to be slow).
while read -r _ t; do boot_tests+=("$t"); done < <(
    for t in "$boot_dir"/*.sh; do
        [[ "$t" == */lib.sh ]] && continue
        [ -f "$t" ] && matches "$t" || continue
        secs=0
        [ -f "$(log_of "$t").rc" ] && read -r _ secs < "$(log_of "$t").rc"
        [[ "$t" == *15m* && "$secs" -eq 0 ]] && secs=999
        echo "$secs $t"
    done | sort -rn)
total_groups=$(( ${#host_programs[@]} + ${#host_scripts[@]} + ${#boot_tests[@]} ))
echo "tests: ${#host_programs[@]} unit-test programs, ${#host_scripts[@]} host scripts, ${#boot_tests[@]} boot scripts ($jobs at a time); logs in $log_dir/"

# run_pool LABEL...: runs each (a script with bash, else the program
# itself), JOBS at a time, each reported as soon as it ends.
run_pool() {
    local -a items=("$@")
    local -A reported=()
    local next=0 running t rc_file
    while [ ${#reported[@]} -lt ${#items[@]} ]; do
        while [ "$next" -lt ${#items[@]} ] && [ "$(jobs -rp | wc -l)" -lt "$jobs" ]; do
            t=${items[$next]}
            rm -f "$(log_of "$t").rc"
            if [[ "$t" == *.sh ]]; then execute "$t" bash "$t" &
            else execute "$t" "$t" &
            fi
            next=$((next + 1))
        done
        sleep 0.2
        running=$(jobs -rp | wc -l)   # before looking for ends: a run that ends after this is seen next time
        for t in "${items[@]:0:$next}"; do
            [ -n "${reported[$t]:-}" ] && continue
            rc_file="$(log_of "$t").rc"
            if [ ! -f "$rc_file" ] && [ "$running" -eq 0 ] && [ "$next" -ge ${#items[@]} ]; then
                echo "1 0" > "$rc_file"   # killed before it could say how it ended
            fi
            [ -f "$rc_file" ] && reported[$t]=1 && report "$t"
        done
    done
    wait
}

# The unit-test programs (one thread each, mostly) JOBS at a time; the host
# scripts one at a time (each builds and runs on every core itself); the
# boot scripts JOBS at a time.
[ ${#host_programs[@]} -gt 0 ] && run_pool "${host_programs[@]}"
for t in "${host_scripts[@]}"; do execute "$t" bash "$t"; report "$t"; done
[ ${#boot_tests[@]} -gt 0 ] && run_pool "${boot_tests[@]}"

secs=$((SECONDS - begin))
echo "time: $((secs / 60)) min $((secs % 60)) s"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
