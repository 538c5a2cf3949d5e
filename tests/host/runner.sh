#!/usr/bin/env bash
# The test runner (tests/run.sh), run on a made-up project: a unit-test
# program, host scripts and boot scripts that pass, fail, crash without a
# FAIL line or run no case. It prints one line per program or script with
# the running totals (not the PASS lines), the FAIL lines of a failed one
# with an excerpt of the log they name (or of its own output), a time line,
# and ends with exactly "N passed, N failed", non-zero when anything failed;
# a PATTERN runs only the matching ones.
cd "$(dirname "$0")/../.."
root=$PWD
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

pass() { echo "PASS runner:$1"; }
fail() { echo "FAIL runner:$1: $2"; }
# check NAME CONDITION-COMMAND...: PASS when the command succeeds.
check() { local name=$1; shift; if "$@"; then pass "$name"; else fail "$name" "output: $(tr '\n' '|' < "$tmp/out" | head -c 600)"; fi; }

mkdir -p "$tmp/tests/host" "$tmp/tests/boot" "$tmp/build/host/tests"
cp "$root/tests/run.sh" "$root/tests/test_logs.sh" "$tmp/tests/"
cat > "$tmp/build/host/tests/test_unit" <<'EOF'
#!/bin/sh
echo "PASS unit:a"; echo "PASS unit:b"
EOF
chmod +x "$tmp/build/host/tests/test_unit"
cat > "$tmp/tests/host/good.sh" <<'EOF'
echo "PASS good:1"; echo "some chatter"; echo "PASS good:2"; echo "PASS good:3"
EOF
# a failure that names its serial log, as boot tests do
cat > "$tmp/tests/boot/names_log.sh" <<'EOF'
log=$PWD/build/tests/serial-names_log.log.txt
mkdir -p build/tests
printf 'line one\nerror: the model is truncated\noutcome: error\n' > "$log"
echo "PASS boot:ok"
echo "FAIL boot:story: the story in $log differs"
EOF
cat > "$tmp/tests/boot/crashes.sh" <<'EOF'
echo "PASS crash:first"
echo "segmentation fault in the helper" >&2
exit 3
EOF
cat > "$tmp/tests/boot/empty.sh" <<'EOF'
echo "nothing to say"
EOF
cat > "$tmp/tests/boot/slow.sh" <<'EOF'
sleep 2; echo "PASS slow:1"
EOF
echo 'echo "PASS never: lib.sh is sourced, not run"' > "$tmp/tests/boot/lib.sh"

(cd "$tmp" && JOBS=2 bash tests/run.sh) > "$tmp/out" 2>&1
rc=$?
groups=$(grep -cE '^\[ *[0-9]+/6\] (PASS|FAIL) ' "$tmp/out")
check exits-non-zero-on-failure [ "$rc" -ne 0 ]
check one-line-per-group [ "$groups" = 6 ]
check closing-line [ "$(tail -n 1 "$tmp/out")" = "8 passed, 3 failed" ]
check time-line grep -qE '^time: [0-9]+ min [0-9]+ s$' "$tmp/out"
check no-pass-lines bash -c "! grep -q '^ *PASS ' '$tmp/out'"
check lib-not-run bash -c "! grep -q never '$tmp/out'"
check running-total grep -qE '^\[2/6\] PASS tests/host/good.sh .* total 5 passed, 0 failed$' "$tmp/out"
check counts-per-group grep -qE '^\[ *[0-9]/6\] FAIL tests/boot/names_log.sh +1 passed +1 failed' "$tmp/out"
check fail-line-inline grep -qF "    FAIL boot:story: the story in $tmp/build/tests/serial-names_log.log.txt differs" "$tmp/out"
check excerpt-of-named-log grep -qF "        | error: the model is truncated" "$tmp/out"
check crash-reported grep -qF "    FAIL tests/boot/crashes.sh: exited with status 3 and reported no failure" "$tmp/out"
check crash-excerpt grep -qF "        | segmentation fault in the helper" "$tmp/out"
check no-case-reported grep -qF "    FAIL tests/boot/empty.sh: ran no test case" "$tmp/out"
check last-group-total grep -qE '^\[6/6\] .* total 8 passed, 3 failed$' "$tmp/out"

(cd "$tmp" && bash tests/run.sh good) > "$tmp/out" 2>&1
rc=$?
check pattern-selects [ "$(grep -cE '^\[1/1\] PASS tests/host/good.sh' "$tmp/out")" = 1 ]
check pattern-passes [ "$rc:$(tail -n 1 "$tmp/out")" = "0:3 passed, 0 failed" ]
