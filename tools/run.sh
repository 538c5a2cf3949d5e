#!/usr/bin/env bash
# run.sh [VAR=value...]: what `make run VAR=value...` does (the same
# variables), for scripts: make exits 2 on any failure, this exits with
# tools/qemu-run.sh's own status: 0 the story was told ("outcome: ok"),
# 1 the kernel reported an error, 2 a CPU exception, 3 QEMU stopped without
# the kernel's word, 4 nothing was booted (the build failed, a bad setting,
# QEMU did not start), 124 time-out. Paths are relative to the project's
# root, as with make.
cd "$(dirname "$0")/.." || exit 4
for a in "$@"; do
    [[ "$a" == [A-Za-z_]*=* ]] || { echo "error: run.sh takes VAR=value arguments, as make run does, not '$a'" >&2; exit 4; }
done
make -s --no-print-directory run-iso "$@" || { echo "error: the build failed; nothing was booted" >&2; exit 4; }
for a in "$@"; do export "${a?}"; done   # FIRMWARE, SMP, VIEW... for qemu-run.sh
TIMEOUT=${RUN_TIMEOUT:-1800} exec tools/qemu-run.sh build/run.iso
