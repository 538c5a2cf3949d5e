#!/usr/bin/env bash
# bench-llamacpp.sh MODEL.gguf...: llama.cpp's speed on the same GGUF files
# that make bench runs, side by side with this engine's figures: prompt
# processing (a 128-token prompt as one batch, as llama-bench's pp128) and
# generation (tokens per second after the prompt, as its tg), on one core and
# on all, best of three. llama.cpp comes from the npm package node-llama-cpp
# (its prebuilt CPU library picks the widest SIMD this CPU has), installed
# by tools/lib/llamacpp.sh.
# Environment: LLAMACPP_TG (generated tokens, 32), LLAMACPP_PP (128);
# LLAMACPP_CPU=haswell (or another of the package's libggml-cpu-NAME
# builds): llama.cpp with only that build present, as on a CPU of that
# generation (haswell: AVX2 and FMA, no AVX-512), for comparison with
# `make bench BENCH_SIMD=avx2`. That copy lives in build/llamacpp-NAME.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
[ $# -gt 0 ] || { echo "usage: bench-llamacpp.sh MODEL.gguf..." >&2; exit 1; }
source "$root/tools/lib/llamacpp.sh"
dir=$(llamacpp_dir bench-llamacpp)
cp "$root/tools/bench-llamacpp.mjs" "$dir/bench.mjs"
cores=$(nproc)
printf '%-28s %5s %9s %9s\n' "model (llama.cpp)" cores "pp tok/s" "tok/s"
for m in "$@"; do
    for t in 1 $cores; do
        node "$dir/bench.mjs" "$m" "$t" "${LLAMACPP_PP:-128}" "${LLAMACPP_TG:-32}"
        [ "$cores" -gt 1 ] || break
    done
done
