#!/usr/bin/env bash
# llamacpp-greedy.sh MODEL.gguf STEPS PROMPT_TEXT [--ids "1 2 3"] [--logits OUT.f32]:
# what llama.cpp does greedily on MODEL, printed as a golden file of
# ../shared/reference/gguf (see its README): `prompt ID...`, one
# `ID<TAB>MARGIN<TAB>PIECE-IN-HEX` line per generated token (STEPS of them, or
# fewer up to and including an end-of-generation token), `text<TAB>...`.
# PROMPT_TEXT is tokenized by llama.cpp (special tokens parsed, BOS by the
# model's rule); "@FILE" means FILE's bytes exactly. With --ids the prompt is
# those token ids as they are (PROMPT_TEXT is then ignored, may be "").
# --logits OUT.f32: llama.cpp's logits after the last prompt token, vocab_size
# little-endian float32 (node-llama-cpp only exposes probabilities: the
# logits are ln p plus a constant recovered with a second prompt evaluation,
# see tools/llamacpp-greedy.mjs; good to ~1e-5, not bit for bit).
# llama.cpp comes from the npm package node-llama-cpp (tools/lib/llamacpp.sh):
# one thread, KV cache F32, flash attention off.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
[ $# -ge 3 ] || { echo "usage: llamacpp-greedy.sh MODEL.gguf STEPS PROMPT_TEXT [--ids \"1 2 3\"] [--logits OUT.f32]" >&2; exit 1; }
source "$root/tools/lib/llamacpp.sh"
dir=$(llamacpp_dir llamacpp-greedy)
cp "$root/tools/llamacpp-greedy.mjs" "$dir/greedy.mjs"
exec node "$dir/greedy.mjs" "$@"
