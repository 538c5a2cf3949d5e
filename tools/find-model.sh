#!/usr/bin/env bash
# find-model.sh NAME: print the path of model file NAME (stories15M.bin,
# tokenizer.bin, stories260K.bin, tok512.bin, gguf/...). Looks in models/,
# then ../shared/models, then build/test-models; a model of
# tests/data/gguf/cases.tsv is written there by build/host/mkgguf (its fifth
# column: the arguments) the first time; else downloads it into models/
# from where it is published and checks its SHA-256 before use. Exits
# non-zero with an error: line if the file cannot be had.
set -euo pipefail
name=${1:?usage: find-model.sh NAME}
root=$(cd "$(dirname "$0")/.." && pwd)
for dir in "$root/models" "$root/../shared/models" "$root/build/test-models"; do
    if [ -f "$dir/$name" ]; then echo "$dir/$name"; exit 0; fi
done

# The project's own test models (deterministic: mkgguf's seed is among the arguments).
args=$(awk -F '\t' -v m="$name" 'NF >= 5 && $2 == m { print $5; exit }' "$root/tests/data/gguf/cases.tsv")
if [ -n "$args" ]; then
    out=$root/build/test-models/$name
    mkdir -p "${out%/*}"
    tmp=$(mktemp "$out.XXXXXX")
    trap 'rm -f "$tmp"' EXIT
    # shellcheck disable=SC2086  # the arguments are words
    "$root/build/host/mkgguf" $args "$tmp" > /dev/null 2>&1 ||
        { echo "error: build/host/mkgguf $args failed; run make host first" >&2; exit 1; }
    mv "$tmp" "$out"
    trap - EXIT
    echo "$out"
    exit 0
fi

# Published locations (../shared/models/README.md); sums in tools/models.sha256.
case "$name" in
  stories15M.bin)  url=https://huggingface.co/karpathy/tinyllamas/resolve/main/stories15M.bin ;;
  stories260K.bin) url=https://huggingface.co/karpathy/tinyllamas/resolve/main/stories260K/stories260K.bin ;;
  tok512.bin)      url=https://huggingface.co/karpathy/tinyllamas/resolve/main/stories260K/tok512.bin ;;
  tokenizer.bin)   url=https://github.com/karpathy/llama2.c/raw/master/tokenizer.bin ;;
  *) echo "error: unknown model file '$name'; put it in models/ yourself" >&2; exit 1 ;;
esac
sum=$(awk -v n="$name" '$2 == n { print $1 }' "$root/tools/models.sha256")
mkdir -p "$root/models"
tmp=$(mktemp "$root/models/.$name.XXXXXX")
trap 'rm -f "$tmp"' EXIT
echo "fetching $name from $url" >&2
if ! curl -fL --retry 2 -o "$tmp" "$url" >&2; then
    echo "error: could not download $name from $url; copy it into models/ and try again" >&2
    exit 1
fi
got=$(sha256sum "$tmp" | cut -d' ' -f1)
if [ "$got" != "$sum" ]; then
    echo "error: $name from $url has SHA-256 $got, expected $sum; not using it" >&2
    exit 1
fi
mv "$tmp" "$root/models/$name"
trap - EXIT
echo "$root/models/$name"
