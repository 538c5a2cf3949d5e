#!/usr/bin/env bash
# disk_images.sh OUT [big]: makes the disk images the disk boot tests
# (tests/boot/disk_*.sh) attach to QEMU as NVMe and SATA disks, in OUT:
#   models.img   GPT: an EFI system partition (FAT) and an exFAT partition
#                LLAMA2 with /models/stories15M.bin, /models/tokenizer.bin,
#                /models/stories15M-Q8_0.gguf (when ../shared has it) and
#                /models/small/stories260K.bin with /models/small/tok512.bin;
#   one.img      GPT, one exFAT partition whose files follow FAT chains:
#                /models/stories260K.bin and /models/tokenizer.bin (tok512);
#   and damaged copies of one.img: truncated.img (cut inside the partition),
#   gpt-past-end.img (the partition entry ends past the disk, CRCs right),
#   loop.img (the model's cluster chain loops: its 101st cluster leads back
#   to its 51st),
#   short-chain.img (the model's chain ends at its tenth cluster, long
#   before the file does);
#   with "big": big.img, GPT with one exFAT partition holding
#   /models/big-zeros.gguf, a 4.6 GiB F32 llama GGUF of zeros, and
#   /models/big-zeros.bin, a 4.3 GiB llama2.c checkpoint of zeros in nearly
#   the same shape, with /models/tokenizer.bin (sparse: the image takes a
#   few tens of MiB of the host's disk).
# Kept between runs (OUT/stamp: this script, mkexfat and mkgguf); several
# tests may call it at once (a lock). Prints "error: ..." and exits 1 when
# a tool is missing or fails.
set -euo pipefail
out=${1:?usage: disk_images.sh OUT [big]}
want_big=${2:-}
root=$(cd "$(dirname "$0")/../.." && pwd)
mkexfat=$root/build/host/mkexfat
mkgguf=$root/build/host/mkgguf
for t in "$mkexfat" "$mkgguf"; do
    [ -x "$t" ] || { echo "error: $t is missing: make host" >&2; exit 1; }
done
for t in sgdisk mkfs.fat; do
    command -v $t > /dev/null || { echo "error: $t is missing: apt-get install gdisk dosfstools (or make deps)" >&2; exit 1; }
done
MiB=$((1024 * 1024))
mkdir -p "$out"
exec 9> "$out/lock"
flock 9
stamp=$(cat "$0" "$mkexfat" "$mkgguf" | sha256sum | cut -c1-16)
if [ "$(cat "$out/stamp" 2> /dev/null)" != "$stamp" ]; then
    rm -f "$out"/*.img "$out/big-stamp"
    find_model() { "$root/tools/find-model.sh" "$1"; }

    # models.img: 256 MiB; ESP 1-17 MiB, LLAMA2 17 MiB to the end.
    img=$out/models.img.tmp
    rm -f "$img"
    truncate -s 256M "$img"
    sgdisk -o -n 1:2048:+16M -t 1:ef00 -c 1:ESP -n 2:0:0 -t 2:0700 -c 2:LLAMA2 "$img" > /dev/null
    first=$(sgdisk -i 2 "$img" | awk '/First sector/ { print $3 }')
    last=$(sgdisk -i 2 "$img" | awk '/Last sector/ { print $3 }')
    mkfs.fat -F 16 -n ESP --offset 2048 "$img" $((16 * 1024)) > /dev/null 2>&1
    files=("$(find_model stories15M.bin)=/models/stories15M.bin"
           "$(find_model tokenizer.bin)=/models/tokenizer.bin"
           "$(find_model stories260K.bin)=/models/small/stories260K.bin"
           "$(find_model tok512.bin)=/models/small/tok512.bin")
    # (a GGUF file only ../shared has: the tests that need it say so when it is missing)
    q8=$("$root/tools/find-model.sh" gguf/stories15M-Q8_0.gguf 2> /dev/null) &&
        files+=("$q8=/models/stories15M-Q8_0.gguf")
    "$mkexfat" -o $((first * 512)) -s $(((last - first + 1) * 512)) "$img" "${files[@]}"
    mv "$img" "$out/models.img"

    # one.img: 64 MiB, one exFAT partition, FAT chains followed.
    img=$out/one.img
    truncate -s 64M "$img"
    sgdisk -o -n 1:2048:0 -t 1:0700 -c 1:LLAMA2 "$img" > /dev/null
    last=$(sgdisk -i 1 "$img" | awk '/Last sector/ { print $3 }')
    "$mkexfat" --fat-chains -o $((2048 * 512)) -s $(((last - 2048 + 1) * 512)) "$img" \
        "$(find_model stories260K.bin)=/models/stories260K.bin" "$(find_model tok512.bin)=/models/tokenizer.bin"

    # The damaged copies.
    head -c $((20 * MiB)) "$img" > "$out/truncated.img"
    python3 - "$img" "$out" <<'PY'
import struct, sys, zlib
src, out = sys.argv[1], sys.argv[2]
disk = bytearray(open(src, 'rb').read())
S = 512

def gpt_past_end(d):
    """Partition 1 ends 10 times past the disk's end; both CRCs made right."""
    d = bytearray(d)
    hdr = S
    entries = struct.unpack_from('<Q', d, hdr + 72)[0] * S
    n, size = struct.unpack_from('<II', d, hdr + 80)
    struct.pack_into('<Q', d, entries + 40, len(d) // S * 10)
    struct.pack_into('<I', d, hdr + 88, zlib.crc32(bytes(d[entries:entries + n * size])))
    hsize = struct.unpack_from('<I', d, hdr + 12)[0]
    struct.pack_into('<I', d, hdr + 16, 0)
    struct.pack_into('<I', d, hdr + 16, zlib.crc32(bytes(d[hdr:hdr + hsize])))
    return d

def longest_chain(d):
    """The exFAT volume at sector 2048: its FAT's offset and the longest chain."""
    v = 2048 * S
    fat = v + struct.unpack_from('<I', d, v + 0x50)[0] * S
    count = struct.unpack_from('<I', d, v + 0x5C)[0]
    nxt = {c: struct.unpack_from('<I', d, fat + 4 * c)[0] for c in range(2, count + 2)}
    pointed = {x for x in nxt.values() if 2 <= x < count + 2}
    best = []
    for c, x in nxt.items():
        if c in pointed or x == 0:
            continue
        chain = [c]
        while 2 <= nxt[chain[-1]] < count + 2 and len(chain) <= count:
            chain.append(nxt[chain[-1]])
        if len(chain) > len(best):
            best = chain
    return fat, best

def loop(d):
    d = bytearray(d)
    fat, chain = longest_chain(d)
    struct.pack_into('<I', d, fat + 4 * chain[100], chain[50])   # back, long before the file's end
    return d

def short_chain(d):
    d = bytearray(d)
    fat, chain = longest_chain(d)
    struct.pack_into('<I', d, fat + 4 * chain[9], 0xFFFFFFFF)   # ends at its tenth cluster
    return d

fat, chain = longest_chain(disk)
assert len(chain) > 200, f"the model's chain has {len(chain)} clusters"
for name, f in (('gpt-past-end', gpt_past_end), ('loop', loop), ('short-chain', short_chain)):
    open(f'{out}/{name}.img', 'wb').write(f(disk))
PY
    echo "$stamp" > "$out/stamp"
fi

# big.img: 4.6 GiB of GGUF, made once (it takes a few seconds).
if [ -n "$want_big" ] && [ "$(cat "$out/big-stamp" 2> /dev/null)" != "$stamp" ]; then
    tmp=$out/big-zeros.gguf
    # dim 2048, hidden 8192, 18 layers, 32 heads (8 KV heads), 32000 tokens,
    # context 64: 1.22 G weights, 4.6 GiB in F32
    "$mkgguf" --shape 2048,8192,18,32,8,32000,64 --type F32 --zeros "$tmp" > /dev/null 2>&1
    # the llama2.c version 0 checkpoint: its seven int32, then fp32 zeros
    # (embedding shared with the classifier, RoPE tables of 64 x 32)
    bin=$out/big-zeros.bin
    python3 - "$bin" <<'PY'
import struct, sys
dim, hidden, layers, heads, kv_heads, vocab, seq = 2048, 8192, 18, 32, 8, 32000, 64
kv_dim = dim // heads * kv_heads
floats = (vocab * dim + layers * (2 * dim + 2 * dim * dim + 2 * dim * kv_dim + 3 * dim * hidden)
          + dim + seq * (dim // heads))
with open(sys.argv[1], 'wb') as f:
    f.write(struct.pack('<7i', dim, hidden, layers, heads, kv_heads, vocab, seq))
    f.truncate(28 + 4 * floats)
PY
    size=$(($(stat -c %s "$tmp") + $(stat -c %s "$bin")))
    img=$out/big.img.tmp
    rm -f "$img"
    truncate -s $(((size / MiB + 64) * MiB)) "$img"
    sgdisk -o -n 1:2048:0 -t 1:0700 -c 1:LLAMA2 "$img" > /dev/null
    last=$(sgdisk -i 1 "$img" | awk '/Last sector/ { print $3 }')
    "$mkexfat" -o $((2048 * 512)) -s $(((last - 2048 + 1) * 512)) "$img" "$tmp=/models/big-zeros.gguf" \
        "$bin=/models/big-zeros.bin" "$("$root/tools/find-model.sh" tokenizer.bin)=/models/tokenizer.bin"
    rm -f "$tmp" "$bin"
    mv "$img" "$out/big.img"
    echo "$stamp" > "$out/big-stamp"
fi
