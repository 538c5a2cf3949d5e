#!/usr/bin/env bash
# Runs the libFuzzer targets (tests/fuzz/fuzz_NAME.c, built by mk/fuzz.mk).
# Usage: tests/host/fuzz.sh [NAME...]   (all targets when none are named)
# FUZZ_SECONDS: how long each target fuzzes (default 6, what `make test`
# spends; `make fuzz` passes 300). FUZZ_JOBS targets run at once (default:
# as many as there are cores).
#
# For each target: first every input in tests/fuzz/regressions/NAME/ is
# replayed ("PASS fuzz:NAME/regression/FILE"); then the fuzzer runs from
# its working corpus build/fuzz/corpus/NAME (kept between runs, so short
# runs add up) and the seeds tests/fuzz/seeds.py writes for this run, and
# prints "PASS fuzz:NAME (N execs)" or
# "FAIL fuzz:NAME: crash, input saved to FILE: <first line of the report>".
# Logs: build/fuzz/logs/TIME-PID/ (one directory per run, as several people
# may run the tests in one tree at once; removed after a day).
set -u
cd "$(dirname "$0")/../.."
secs=${FUZZ_SECONDS:-6}
B=build/fuzz
L=$B/logs/$(date +%Y%m%d-%H%M%S)-$$
mkdir -p "$L"
find "$B/logs" -mindepth 1 -maxdepth 1 -type d -mtime +0 -exec rm -rf {} + 2>/dev/null

names=("$@")
if [ ${#names[@]} -eq 0 ]; then
    for f in tests/fuzz/fuzz_*.c; do
        [ -f "$f" ] || continue
        n=${f##*/fuzz_}
        names+=("${n%.c}")
    done
fi
if [ ${#names[@]} -eq 0 ]; then
    echo "FAIL fuzz: no targets in tests/fuzz/"
    exit 1
fi

if ! command -v clang > /dev/null; then
    echo "FAIL fuzz: clang is missing (apt-get install clang libclang-rt-14-dev, or make deps)"
    exit 1
fi
targets=()
for n in "${names[@]}"; do targets+=("$B/fuzz_$n"); done
if ! make --no-print-directory -j"$(nproc)" "${targets[@]}" > "$L/build.log" 2>&1; then
    echo "FAIL fuzz:build: building the fuzz targets failed (log: $L/build.log): $(grep -m1 -E 'error' "$L/build.log")"
    tail -n 20 "$L/build.log"
    exit 1
fi
python3 tests/fuzz/seeds.py "$L/seeds" "${names[@]}" > "$L/seeds.log" 2>&1 ||
    echo "note: tests/fuzz/seeds.py failed (log: $L/seeds.log); fuzzing without seeds"

# The first line of a crash report, and the top frame in the project's code.
report() {   # report LOG
    local head frame
    head=$(grep -a -m1 -E 'property broken|ERROR: [A-Za-z]+Sanitizer|ERROR: libFuzzer|runtime error:|==[0-9]+== ERROR' "$1" | tr -d '\r')
    frame=$(grep -a -E '^\s+#[0-9]+ .*[ /](lib|kernel|drivers|tests/fuzz)/[^ ]+\.[ch]:[0-9]+' "$1" |
            grep -a -v 'tests/fuzz/fuzz.h' | head -n 1 | sed -E 's/^\s+//; s/ 0x[0-9a-f]+ in / /')
    echo "${head:-no report; see the log}${frame:+ | $frame}"
}

# -timeout: an input that takes this long is a hang (a failure);
# -rss_limit_mb: more memory than this is a failure too.
limits=(-timeout=10 -rss_limit_mb=2048)

# fuzz_one NAME: replays the regressions, fuzzes; prints PASS/FAIL lines.
fuzz_one() {
    local n=$1 bin=$B/fuzz_$1 log=$L/$1.log f rlog rc execs saved kind
    if [ ! -x "$bin" ]; then
        echo "FAIL fuzz:$n: no target tests/fuzz/fuzz_$n.c"
        return
    fi
    for f in tests/fuzz/regressions/"$n"/*; do
        [ -f "$f" ] || continue
        rlog=$L/$n-regression-${f##*/}.log
        if "$bin" "${limits[@]}" "$f" > "$rlog" 2>&1; then
            echo "PASS fuzz:$n/regression/${f##*/}"
        else
            echo "FAIL fuzz:$n/regression/${f##*/}: $(report "$rlog") (log: $rlog)"
        fi
    done

    local corpus=$B/corpus/$n crashes=$B/crashes/$n extra=() seeds=()
    mkdir -p "$corpus" "$crashes"
    [ -f "tests/fuzz/$n.dict" ] && extra+=("-dict=tests/fuzz/$n.dict")
    [ "$n" = cmdline ] && extra+=("-dict=tests/fuzz/options.dict")
    [ -d "$L/seeds/$n" ] && seeds+=("$L/seeds/$n")
    "$bin" "${limits[@]}" -max_total_time="$secs" -print_final_stats=1 \
        -artifact_prefix="$crashes/" "${extra[@]}" "$corpus" "${seeds[@]}" > "$log" 2>&1
    rc=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    saved=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n 1)
    if [ -n "$saved" ]; then
        kind=${saved##*/}
        kind=${kind%%-*}                  # crash, leak, timeout, oom
        echo "FAIL fuzz:$n: $kind, input saved to $saved after ${execs:-?} execs: $(report "$log") (log: $log; minimise: $bin -minimize_crash=1 -runs=100000 $saved)"
    elif [ "$rc" -ne 0 ]; then
        echo "FAIL fuzz:$n: the fuzzer exited with status $rc: $(report "$log") (log: $log)"
    else
        echo "PASS fuzz:$n (${execs:-?} execs in $secs s, corpus $(ls "$corpus" | wc -l) inputs)"
    fi
}

# FUZZ_JOBS targets at a time (default: one per core), reported in order.
jobs=${FUZZ_JOBS:-$(nproc)}
for n in "${names[@]}"; do
    while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n; done
    fuzz_one "$n" > "$L/$n.result" 2>&1 &
done
wait
status=0
for n in "${names[@]}"; do
    cat "$L/$n.result"
    grep -q '^FAIL ' "$L/$n.result" && status=1
done
exit $status
