#!/usr/bin/env bash
# fs_images.sh OUT: makes the disk images tests/host/test_fs.c reads (and
# the files they hold, to compare with), in OUT, with the tools people use:
# sgdisk and sfdisk for the tables, mkfs.fat and mtools for FAT,
# tools/mkexfat for exFAT (mkfs.exfat for one more), xorriso and
# grub-mkrescue for ISO 9660. The big images (files past 4 GiB) are sparse:
# a few hundred KiB on disk. Kept between runs: remade only when this
# script or mkexfat changed (OUT/stamp). Prints "error: ..." and exits 1
# when a tool is missing or fails.
set -euo pipefail
out=${1:?usage: fs_images.sh OUT}
root=$(cd "$(dirname "$0")/../.." && pwd)
mkexfat=$root/build/host/mkexfat
[ -x "$mkexfat" ] || make -C "$root" --no-print-directory build/host/mkexfat > /dev/null
stamp=$(cat "$0" "$mkexfat" | sha256sum | cut -c1-16)
[ -f "$out/stamp" ] && [ "$(cat "$out/stamp")" = "$stamp" ] && exit 0
for t in sgdisk sfdisk mkfs.fat mcopy mmd xorriso grub-mkrescue mkfs.exfat; do
    command -v $t > /dev/null || {
        echo "error: $t is missing: apt-get install gdisk fdisk dosfstools mtools xorriso exfatprogs grub-common (or make deps)" >&2
        exit 1; }
done
rm -rf "$out"
mkdir -p "$out/files"
cd "$out"
MiB=$((1024 * 1024))

# The files: random bytes of odd sizes (seeded, so runs agree), a text,
# an empty file, names with capitals, spaces and non-ASCII letters.
python3 - files <<'PY'
import os, random, sys
d = sys.argv[1]
r = random.Random(20261203)
def put(name, n):
    with open(os.path.join(d, name), "wb") as f:
        f.write(bytes(r.getrandbits(8) for _ in range(n)) if n < 4096 else r.randbytes(n))
put("small.bin", 1000)
put("model.gguf", 3 * 1024 * 1024 + 12345)
put("tokenizer.bin", 433869)
put("odd.bin", 70001)
open(os.path.join(d, "readme.txt"), "w").write("copy your models into /models\n")
open(os.path.join(d, "empty"), "w").close()
PY
f=files

# exFAT volumes: contiguous (NoFatChain), 4096-byte sectors, fragmented.
"$mkexfat" -s 40M -L "Llama Data" exfat.img \
    $f/model.gguf=/models/Model.gguf $f/tokenizer.bin=/models/tokenizer.bin \
    $f/readme.txt=/README.txt $f/empty=/empty $f/small.bin=/a/b/c/d/deep.bin \
    $f/odd.bin="/models/Ünïcödé and a name longer than fifteen.bin"
"$mkexfat" -s 40M -S 4096 -c 16K exfat4k.img $f/model.gguf=/models/model.gguf $f/odd.bin=/odd.bin
"$mkexfat" -s 40M -c 4K --fragment exfatfrag.img \
    $f/model.gguf=/models/model.gguf $f/odd.bin=/odd.bin $f/tokenizer.bin=/tokenizer.bin
mkfs.exfat -L MKFS -s 8 exfatmkfs.img > /dev/null 2>&1 || {
    truncate -s 16M exfatmkfs.img; mkfs.exfat -L MKFS exfatmkfs.img > /dev/null; }

# A file past 4 GiB on exFAT (sparse: markers at the start, across 4 GiB, at the end).
marked() {   # marked FILE SIZE
    truncate -s "$2" "$1"
    printf 'START' | dd of="$1" conv=notrunc status=none
    printf 'EDGE4G' | dd of="$1" bs=1 seek=$((4 * 1024 * MiB - 3)) conv=notrunc status=none
    printf 'END!' | dd of="$1" bs=1 seek=$(($2 - 4)) conv=notrunc status=none
}
marked big.bin $((5 * 1024 * MiB + 4097))
"$mkexfat" -s 6G -c 128K exfatbig.img big.bin=/big/huge.gguf $f/small.bin=/small.bin

# FAT12, FAT16 and FAT32 volumes with long names (mtools writes them).
fat_volume() {   # fat_volume IMG BITS SIZE_MiB LABEL [OFFSET_SECTORS]
    local img=$1 bits=$2 size=$3 label=$4 off=${5:-0} at=""
    if [ "$off" = 0 ]; then
        rm -f "$img"
        mkfs.fat -C -F "$bits" -n "$label" "$img" $((size * 1024)) > /dev/null
    else
        mkfs.fat --offset "$off" -F "$bits" -n "$label" "$img" $((size * 1024)) > /dev/null
        at="@@$((off * 512))"
    fi
    mmd -i "$img$at" ::/Models ::/Models/Sub
    mcopy -i "$img$at" $f/model.gguf "::/Models/Big Model File.gguf"
    mcopy -i "$img$at" $f/tokenizer.bin ::/Models/Sub/tokenizer.bin
    mcopy -i "$img$at" $f/odd.bin ::/ODD.BIN
    mcopy -i "$img$at" $f/readme.txt ::/readme.txt
}
fat_volume fat32.img 32 40 FATVOL
fat_volume fat16.img 16 16 SIXTEEN
fat_volume fat12.img 12 4 TWELVE

# A GPT disk: EFI system (FAT16), exFAT data, FAT32; sector 1 MiB aligned.
truncate -s 100M gpt.img
sgdisk -o -n 1:1M:+20M -t 1:ef00 -c 1:"EFI system" -n 2:0:+40M -t 2:0700 -c 2:"LLAMA2 data" \
       -n 3:0:0 -t 3:0700 -c 3:"more" gpt.img > /dev/null
part_start() { sgdisk -i "$2" "$1" | sed -n 's/^First sector: \([0-9]*\).*/\1/p'; }
part_size() { sgdisk -i "$2" "$1" | sed -n 's/^Partition size: \([0-9]*\).*/\1/p'; }
p1=$(part_start gpt.img 1) p2=$(part_start gpt.img 2) p3=$(part_start gpt.img 3)
mkfs.fat --offset "$p1" -F 16 -n ESP gpt.img $(($(part_size gpt.img 1) / 2)) > /dev/null
mcopy -i gpt.img@@$((p1 * 512)) $f/readme.txt ::/readme.txt
"$mkexfat" -o $((p2 * 512)) -s $(($(part_size gpt.img 2) * 512)) -L LLAMA2 gpt.img \
    $f/model.gguf=/models/model.gguf $f/tokenizer.bin=/models/tokenizer.bin
fat_volume gpt.img 32 $(($(part_size gpt.img 3) / 2048)) THIRD "$p3"
echo "$p1 $(part_size gpt.img 1) $p2 $(part_size gpt.img 2) $p3 $(part_size gpt.img 3)" > gpt.layout

# An MBR disk: a FAT16 primary, an extended partition with two logical ones
# (FAT32, exFAT).
truncate -s 120M mbr.img
sfdisk -q mbr.img <<'SF'
label: dos
start=2048, size=32768, type=6
start=34816, type=5
size=69632, type=c
size=, type=7
SF
mbr_part() { sfdisk -d mbr.img | sed -n "s|^mbr.img$1 : start= *\([0-9]*\), size= *\([0-9]*\).*|\1 \2|p"; }
read -r s1 n1 < <(mbr_part 1)
read -r s5 n5 < <(mbr_part 5)
read -r s6 n6 < <(mbr_part 6)
fat_volume mbr.img 16 $((n1 / 2048)) PRIMARY "$s1"
fat_volume mbr.img 32 $((n5 / 2048)) LOGICAL5 "$s5"
"$mkexfat" -o $((s6 * 512)) -s $((n6 * 512)) -L LOGICAL6 mbr.img $f/odd.bin=/odd.bin
echo "$s1 $n1 $s5 $n5 $s6 $n6" > mbr.layout

# ISO 9660: Rock Ridge and Joliet; Joliet only; plain names only; a file
# past 4 GiB in several extents (-iso-level 3); a hybrid ISO from
# grub-mkrescue (its stage is a copy: grub-mkrescue adds its own files).
mkdir -p iso/models/sub iso/docs
cp $f/model.gguf "iso/models/Model File.gguf"
cp $f/tokenizer.bin iso/models/sub/tokenizer.bin
cp $f/readme.txt iso/docs/README.txt
cp $f/odd.bin iso/odd.bin
xorriso -as mkisofs -quiet -R -J -V LLAMA_ISO -o iso-rr.iso iso 2> /dev/null
xorriso -as mkisofs -quiet --norock -J -V JOLIET -o iso-joliet.iso iso 2> /dev/null
xorriso -as mkisofs -quiet --norock -V PLAIN -o iso-plain.iso iso 2> /dev/null
xorriso -as mkisofs -quiet -iso-level 3 -R -J -V BIG -o - big.bin $f/small.bin 2> /dev/null |
    cp --sparse=always /dev/stdin iso-big.iso
rm -f big.bin
grub-mkrescue -o iso-hybrid.iso iso > /dev/null 2>&1 || {
    echo "error: grub-mkrescue failed (grub-pc-bin, grub-efi-amd64-bin, xorriso and mtools are needed)" >&2
    exit 1; }
echo "$stamp" > stamp
