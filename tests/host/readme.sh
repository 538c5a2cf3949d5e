#!/usr/bin/env bash
# The README's shell examples work in any clone: none names ../shared (a
# clone has models/, or tools/find-model.sh fetches them), every file they
# write goes under build/ (git status stays clean), a MODEL= they boot is
# one an earlier example wrote, and the host examples (build/host/...) run
# as written. (The make run, make usb and dd examples boot or write a
# device: the boot tests cover make run; they are only read here.)
cd "$(dirname "$0")/../.."
pass() { echo "PASS readme:$1"; }
fail() { echo "FAIL readme:$1: $2"; }

# every line of the README's ```sh blocks
mapfile -t lines < <(awk '/^```sh$/ { on = 1; next } /^```$/ { on = 0 } on' README.md)
if [ ${#lines[@]} -ge 5 ]; then pass found-examples; else fail found-examples "${#lines[@]} lines in sh blocks"; fi

shared=$(printf '%s\n' "${lines[@]}" | grep -F "../shared")
if [ -z "$shared" ]; then pass no-shared-paths; else fail no-shared-paths "$shared"; fi

# what the examples write: quantize's OUT, and any > redirection
written=$(printf '%s\n' "${lines[@]}" | grep -oE 'quantize +("[^"]*"|[^ ]+) +[^ ;&]+' | awk '{ print $NF }')
outside=$(grep -vE '^build/' <<< "$written" | grep -v '^$')
if [ -n "$written" ] && [ -z "$outside" ]; then pass outputs-under-build
else fail outputs-under-build "written: $(tr '\n' ' ' <<< "$written")"; fi
for m in $(printf '%s\n' "${lines[@]}" | grep -oE 'MODEL=[^ ]+' | cut -d= -f2); do
    if grep -qxF -- "$m" <<< "$written"; then pass "model-written-first:$m"
    else fail "model-written-first:$m" "MODEL=$m is not a file an earlier example writes"; fi
done

# the host examples, as written, from the project's root (make host is done)
before=$(git status --porcelain --untracked-files=all)
n=0
for line in "${lines[@]}"; do
    cmd=${line#make host && }
    [[ "$cmd" == build/host/* ]] || continue
    n=$((n + 1))
    if out=$(timeout 120 bash -c "$cmd" 2>&1 < /dev/null); then pass "runs:${cmd%% *}"
    else fail "runs:${cmd%% *}" "status $?: $(tail -n 3 <<< "$out")"; fi
done
if [ "$n" -ge 2 ]; then pass host-examples-found; else fail host-examples-found "$n host examples"; fi
after=$(git status --porcelain --untracked-files=all)
if [ "$before" = "$after" ]; then pass git-status-clean
else fail git-status-clean "new: $(diff <(echo "$before") <(echo "$after") | grep '^>' | head -3 | tr '\n' ' ')"; fi
