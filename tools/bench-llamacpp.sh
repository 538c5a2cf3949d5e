#!/usr/bin/env bash
# bench-llamacpp.sh MODEL.gguf...: llama.cpp's speed on the same GGUF files
# that make bench runs, side by side with this engine's figures: prompt
# processing (a 128-token prompt as one batch, as llama-bench's pp128) and
# generation (tokens per second after the prompt, as its tg), on one core and
# on all, best of three. llama.cpp comes from the npm package node-llama-cpp
# (its prebuilt CPU library picks the widest SIMD this CPU has), installed
# into build/llamacpp the first time; nothing of it is part of the project.
# Environment: LLAMACPP_TG (generated tokens, 32), LLAMACPP_PP (128);
# LLAMACPP_CPU=haswell (or another of the package's libggml-cpu-NAME
# builds): llama.cpp with only that build present, as on a CPU of that
# generation (haswell: AVX2 and FMA, no AVX-512), for comparison with
# `make bench BENCH_SIMD=avx2`. That copy lives in build/llamacpp-NAME.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dir=$root/build/llamacpp
version=3.21.1
[ $# -gt 0 ] || { echo "usage: bench-llamacpp.sh MODEL.gguf..." >&2; exit 1; }
command -v node > /dev/null || { echo "error: bench-llamacpp needs Node.js (apt-get install nodejs npm)" >&2; exit 1; }
if [ ! -f "$dir/node_modules/node-llama-cpp/package.json" ]; then
    mkdir -p "$dir"
    echo "installing node-llama-cpp@$version into $dir (once)" >&2
    (cd "$dir" && npm init -y > /dev/null && npm install --no-audit --no-fund "node-llama-cpp@$version" > npm.log 2>&1) ||
        { echo "error: npm install node-llama-cpp@$version failed (log: $dir/npm.log)" >&2; exit 1; }
fi
if [ -n "${LLAMACPP_CPU:-}" ]; then
    variant=$dir-$LLAMACPP_CPU
    if [ ! -d "$variant/node_modules" ]; then
        [ -n "$(find "$dir/node_modules/@node-llama-cpp/linux-x64/bins" -name "libggml-cpu-$LLAMACPP_CPU.so")" ] || { echo "error: LLAMACPP_CPU=$LLAMACPP_CPU: node-llama-cpp has no libggml-cpu-$LLAMACPP_CPU.so (see $dir/node_modules/@node-llama-cpp/linux-x64/bins)" >&2; exit 1; }
        rm -rf "$variant.tmp" && mkdir -p "$variant.tmp"
        cp -al "$dir/node_modules" "$dir/package.json" "$variant.tmp/"   # hard links: no second copy
        find "$variant.tmp/node_modules/@node-llama-cpp" -name 'libggml-cpu-*.so' ! -name "libggml-cpu-$LLAMACPP_CPU.so" -delete
        mv "$variant.tmp" "$variant"
    fi
    dir=$variant
fi
cp "$root/tools/bench-llamacpp.mjs" "$dir/bench.mjs"
cores=$(nproc)
printf '%-28s %5s %9s %9s\n' "model (llama.cpp)" cores "pp tok/s" "tok/s"
for m in "$@"; do
    for t in 1 $cores; do
        node "$dir/bench.mjs" "$m" "$t" "${LLAMACPP_PP:-128}" "${LLAMACPP_TG:-32}"
        [ "$cores" -gt 1 ] || break
    done
done
