#!/usr/bin/env bash
# fs_seeds.sh OUT: small disk images for the lib/fs fuzz targets (called by
# tests/fuzz/seeds.py, which cuts each after its last non-zero byte and
# puts the device header of tests/fuzz/fs_device.h in front): exFAT
# (contiguous, fragmented, 4096-byte sectors), FAT12/16/32 with long names,
# ISO 9660 (Rock Ridge + Joliet, Joliet only, plain), GPT and MBR disks.
# A tool that is missing only means fewer seeds.
set -u
out=${1:?usage: fs_seeds.sh OUT}
root=$(cd "$(dirname "$0")/../.." && pwd)
mkexfat=$root/build/host/mkexfat
[ -x "$mkexfat" ] || make -C "$root" --no-print-directory build/host/mkexfat > /dev/null 2>&1
mkdir -p "$out/src/models/sub" && cd "$out" || exit 1
printf 'a model, or so it says\n' > src/models/model.gguf
head -c 3000 /dev/zero | tr '\0' 'x' > "src/models/sub/A Longer Name For Tokenizer.bin"
printf 'hi\n' > src/readme.txt
long="models/sub/A Longer Name For Tokenizer.bin"
files=(src/models/model.gguf=/models/model.gguf "src/$long=/$long" src/readme.txt=/readme.txt)

"$mkexfat" -s 1M -c 512 exfat.img "${files[@]}" > /dev/null 2>&1
"$mkexfat" -s 1M -c 512 --fragment exfat-frag.img "${files[@]}" > /dev/null 2>&1
"$mkexfat" -s 1M -S 4096 -c 4096 exfat-4k.img "${files[@]}" > /dev/null 2>&1
fat() {   # fat IMG BITS KiB
    rm -f "$1"
    mkfs.fat -C -F "$2" -s 1 -S 512 -n SEED "$1" "$3" > /dev/null 2>&1 || return
    mmd -i "$1" ::/models ::/models/sub 2> /dev/null
    mcopy -i "$1" src/models/model.gguf ::/models/model.gguf 2> /dev/null
    mcopy -i "$1" "src/$long" "::/$long" 2> /dev/null
    mcopy -i "$1" src/readme.txt ::/readme.txt 2> /dev/null
}
fat fat12.img 12 1024
fat fat16.img 16 4096
fat fat32.img 32 34000
xorriso -as mkisofs -quiet -R -J -o iso-rr.iso src > /dev/null 2>&1
xorriso -as mkisofs -quiet --norock -J -o iso-joliet.iso src > /dev/null 2>&1
xorriso -as mkisofs -quiet --norock -o iso-plain.iso src > /dev/null 2>&1
if command -v sgdisk > /dev/null; then
    truncate -s 4M gpt.img
    sgdisk -o -n 1:2048:+1M -t 1:0700 -c 1:data -n 2:0:+1M -t 2:ef00 gpt.img > /dev/null 2>&1
    "$mkexfat" -o 1M -s 1M -c 512 gpt.img "${files[@]}" > /dev/null 2>&1
    # without the backup table at the disk's end, the seed is cut at 1 MiB
    dd if=/dev/zero of=gpt.img bs=512 seek=$((8192 - 33)) count=33 conv=notrunc status=none
fi
if command -v sfdisk > /dev/null; then
    truncate -s 4M mbr.img
    printf 'label: dos\nstart=2048, size=2048, type=7\nstart=4096, type=5\nsize=1024, type=7\nsize=, type=c\n' |
        sfdisk -q mbr.img > /dev/null 2>&1
    "$mkexfat" -o 1M -s 1M -c 512 mbr.img "${files[@]}" > /dev/null 2>&1
fi
exit 0
