#!/usr/bin/env bash
# find-model.sh NAME: print the path of model file NAME (stories15M.bin,
# tokenizer.bin, stories260K.bin, tok512.bin). Looks in models/, then
# ../shared/models, else downloads it into models/ from where it is published
# and checks its SHA-256 before use. Exits non-zero with an error: line if the
# file cannot be had.
set -euo pipefail
name=${1:?usage: find-model.sh NAME}
root=$(cd "$(dirname "$0")/.." && pwd)
for dir in "$root/models" "$root/../shared/models"; do
    if [ -f "$dir/$name" ]; then echo "$dir/$name"; exit 0; fi
done

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
