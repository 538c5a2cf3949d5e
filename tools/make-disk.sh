#!/usr/bin/env bash
# make-disk.sh OUT.img KERNEL.elf: writes a disk image for a USB stick or
# any disk (make disk), built without root, loop devices or FUSE:
#
#   GPT  1  BIOS boot      1 MiB   GRUB's core.img for BIOS (boot.img in the MBR)
#        2  EFI system    64 MiB   FAT32: GRUB for UEFI (EFI/BOOT/BOOTX64.EFI),
#                                  GRUB's modules, boot/llama2.elf, boot/grub/grub.cfg
#        3  LLAMA2        the rest exFAT, label LLAMA2: /models/<the models>
#
# The kernel and its menu come from GRUB as on the ISO (iso/grub.cfg.in,
# with no module2 lines: the kernel finds the models on the disks itself).
# Environment: MODELS ("file ..." copied into /models; default stories15M.bin
# and tokenizer.bin from tools/find-model.sh), DISK_SIZE (bytes, or with K,
# M, G: at least the models plus 64 MiB of ESP; default the models plus
# 128 MiB of room), ARGS, TIMEOUT, GFXMODE (as for make-iso.sh).
#
# The data partition is written by tools/mkexfat, the ESP by mkfs.fat and
# mtools, the table by sgdisk. GRUB for BIOS is installed as grub-install
# would: core.img (grub-mkimage -O i386-pc) in the BIOS boot partition,
# boot.img's code in the protective MBR with the LBA of core.img at 0x5C,
# and core.img's first block list (its sector 0, bytes 500-511) pointing to
# the rest of core.img. Both GRUBs find the ESP by its volume serial number.
set -euo pipefail
out=${1:?usage: make-disk.sh OUT.img KERNEL.elf}
kernel=${2:?usage: make-disk.sh OUT.img KERNEL.elf}
root=$(cd "$(dirname "$0")/.." && pwd)
die() { echo "error: $*" >&2; exit 1; }

[ -f "$kernel" ] || die "$kernel does not exist; run make kernel first"
for t in sgdisk mkfs.fat mcopy mmd grub-mkimage; do
    command -v $t > /dev/null || die "$t is missing: apt-get install gdisk dosfstools mtools grub-common (or make deps)"
done
mkexfat=$root/build/host/mkexfat
[ -x "$mkexfat" ] || die "$mkexfat is missing; run make build/host/mkexfat"
for d in /usr/lib/grub/i386-pc /usr/lib/grub/x86_64-efi; do
    [ -d "$d" ] || die "$d is missing: apt-get install grub-pc-bin grub-efi-amd64-bin"
done

models=()
if [ -n "${MODELS:-}" ]; then
    read -r -a models <<< "$MODELS"
else
    models=("$("$root/tools/find-model.sh" stories15M.bin)" "$("$root/tools/find-model.sh" tokenizer.bin)")
fi
models_bytes=0
for m in "${models[@]}"; do
    [ -f "$m" ] || die "model file $m does not exist (MODELS=\"file ...\")"
    models_bytes=$((models_bytes + $(stat -L -c %s "$m")))
done
MiB=$((1024 * 1024))
esp_mib=64
# the tables, the BIOS boot partition and the ESP take the first 66 MiB; the
# backup GPT takes the last 1 MiB (rounded)
fixed=$(((2 + esp_mib + 1) * MiB))
to_bytes() {
    local v=$1
    case "$v" in
      *[kK]) echo $((${v%?} * 1024)) ;;
      *[mM]) echo $((${v%?} * MiB)) ;;
      *[gG]) echo $((${v%?} * 1024 * MiB)) ;;
      *[!0-9]*|'') die "DISK_SIZE must be a number of bytes or end in K, M or G, not '$v'" ;;
      *) echo "$v" ;;
    esac
}
need=$((fixed + models_bytes + models_bytes / 64 + 8 * MiB))   # exFAT's metadata and slack
if [ -n "${DISK_SIZE:-}" ]; then
    size=$(to_bytes "$DISK_SIZE")
    [ "$size" -ge "$need" ] ||
        die "DISK_SIZE=$DISK_SIZE is too small: the ESP and the models need $(((need + MiB - 1) / MiB)) MiB"
else
    size=$((need + 128 * MiB))
fi
size=$(((size + MiB - 1) / MiB * MiB))

args=${ARGS:-}
case "$args" in *$'\n'*) die "ARGS must be one line" ;; esac
if ! python3 -c 'import shlex, sys; shlex.split(sys.argv[1])' "$args" 2>/dev/null; then
    echo "error: ARGS has an unbalanced quote or a trailing backslash: $args" >&2
    die "ARGS: quote each value once, e.g. ARGS='-i \"Lily'\\''s dog\"'"
fi
gfxpayload=""
if [ -n "${GFXMODE:-}" ]; then
    [[ "$GFXMODE" =~ ^([0-9]+x[0-9]+(x[0-9]+)?|text)$ ]] ||
        die "GFXMODE must be WIDTHxHEIGHT (e.g. 1920x1080) or text, not '$GFXMODE'"
    if [[ "$GFXMODE" =~ ^[0-9]+x[0-9]+$ ]]; then gfxpayload="    set gfxpayload=${GFXMODE}x32,$GFXMODE"
    else gfxpayload="    set gfxpayload=$GFXMODE"; fi
fi

work=$(mktemp -d "${out}.d.XXXXXX")
trap 'rm -rf "$work"; rm -f "$out.tmp"' EXIT

# grub.cfg: the ISO's menu, no module2 lines, the title naming the disk.
DISK_ARGS="$args" DISK_TIMEOUT="${TIMEOUT:-5}" DISK_GFXPAYLOAD="$gfxpayload" awk '
    function put(line, key, val,   i, done) {
        done = ""
        while ((i = index(line, key)) > 0) {
            done = done substr(line, 1, i - 1) val
            line = substr(line, i + length(key))
        }
        return done line
    }
    BEGIN { print "# GRUB configuration of the llama2 disk image (tools/make-disk.sh, from"
            print "# iso/grub.cfg.in): the ISO menu without module2 lines, since the kernel"
            print "# finds the models on the disks itself. Select an entry and press e to"
            print "# edit its flags for one boot; Ctrl-x or F10 boots." }
    /^#/ { next }
    /^@MODULES@$/ { next }
    { line = put($0, "@ARGS@", ENVIRON["DISK_ARGS"])
      line = put(line, "@TIMEOUT@", ENVIRON["DISK_TIMEOUT"])
      line = put(line, "@GFXPAYLOAD@", ENVIRON["DISK_GFXPAYLOAD"])
      line = put(line, "@LOADING@", "Loading the kernel...")
      print put(line, "@MODEL_NAME@", "models on the disks") }' "$root/iso/grub.cfg.in" > "$work/grub.cfg"

# GRUB images: each finds the ESP by its serial number, then reads
# /boot/grub/grub.cfg and the modules there.
serial=$(od -An -N4 -tx4 /dev/urandom | tr -d ' \n' | tr a-f A-F)
uuid="${serial:0:4}-${serial:4:4}"
printf 'search --no-floppy --fs-uuid --set=root %s\nset prefix=($root)/boot/grub\n' "$uuid" > "$work/early.cfg"
core_mods="part_gpt part_msdos fat exfat search search_fs_uuid normal configfile echo"
grub-mkimage -O x86_64-efi -c "$work/early.cfg" -p /boot/grub -o "$work/BOOTX64.EFI" $core_mods ||
    die "grub-mkimage -O x86_64-efi failed"
grub-mkimage -O i386-pc -c "$work/early.cfg" -p /boot/grub -o "$work/core.img" biosdisk $core_mods ||
    die "grub-mkimage -O i386-pc failed"

# The table.
rm -f "$out.tmp"
truncate -s "$size" "$out.tmp"
sgdisk -o -n 1:2048:+1M -t 1:ef02 -c 1:"BIOS boot" -n 2:0:+${esp_mib}M -t 2:ef00 -c 2:"EFI system" \
       -n 3:0:0 -t 3:0700 -c 3:LLAMA2 "$out.tmp" > "$work/sgdisk.log" 2>&1 ||
    { cat "$work/sgdisk.log" >&2; die "sgdisk failed"; }
field() { sgdisk -i "$1" "$out.tmp" | sed -n "s/^$2: \([0-9]*\).*/\1/p"; }
bios_start=$(field 1 "First sector") bios_size=$(field 1 "Partition size")
esp_start=$(field 2 "First sector") esp_size=$(field 2 "Partition size")
data_start=$(field 3 "First sector") data_size=$(field 3 "Partition size")

# BIOS: core.img into partition 1, boot.img into the MBR, both patched.
core_bytes=$(stat -c %s "$work/core.img")
[ "$core_bytes" -le $((bios_size * 512)) ] || die "core.img ($core_bytes bytes) does not fit the BIOS boot partition"
python3 - "$out.tmp" "$work/core.img" /usr/lib/grub/i386-pc/boot.img "$bios_start" <<'PY'
import struct, sys
disk, core_path, boot_path, start = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
core = bytearray(open(core_path, "rb").read())
core += bytes(-len(core) % 512)
sectors = len(core) // 512
# diskboot.img's block list (bytes 500-511 of core.img's first sector):
# 64-bit LBA, 16-bit sector count, 16-bit segment, of the rest of core.img.
lba, count, seg = struct.unpack_from("<QHH", core, 500)
assert seg == 0x820, "core.img's block list is not where GRUB 2 puts it"
struct.pack_into("<QH", core, 500, start + 1, sectors - 1)
boot = bytearray(open(boot_path, "rb").read(512))
struct.pack_into("<Q", boot, 0x5C, start)      # kernel_sector: where core.img starts
boot[0x64] = 0xFF                              # boot_drive: the drive the BIOS booted
boot[0x66:0x68] = b"\x90\x90"                  # no floppy check: a stick is a hard disk
with open(disk, "r+b") as f:
    mbr = bytearray(f.read(512))
    mbr[0:440] = boot[0:440]                   # keep the signature and the protective entry
    # Some BIOSes boot only a disk with an active MBR entry; UEFI ignores the
    # flag on the protective entry (UEFI 2.x, 5.2.3), as grub-install's
    # legacy_boot advice has it.
    assert mbr[446 + 4] == 0xEE, "sgdisk wrote no protective MBR entry"
    mbr[446] = 0x80
    f.seek(0)
    f.write(mbr)
    f.seek(start * 512)
    f.write(core)
PY

# The ESP: FAT32, GRUB for UEFI, the modules of both, the kernel, grub.cfg.
mkfs.fat --offset "$esp_start" -F 32 -s 1 -S 512 -n LLAMA2BOOT -i "$serial" "$out.tmp" $((esp_size / 2)) \
    > "$work/mkfs.log" 2>&1 || { cat "$work/mkfs.log" >&2; die "mkfs.fat failed"; }
esp="$out.tmp@@$((esp_start * 512))"
mmd -i "$esp" ::/EFI ::/EFI/BOOT ::/boot ::/boot/grub ::/boot/grub/x86_64-efi ::/boot/grub/i386-pc
mcopy -i "$esp" "$work/BOOTX64.EFI" ::/EFI/BOOT/BOOTX64.EFI
mcopy -i "$esp" /usr/lib/grub/x86_64-efi/*.mod /usr/lib/grub/x86_64-efi/*.lst ::/boot/grub/x86_64-efi/
mcopy -i "$esp" /usr/lib/grub/i386-pc/*.mod /usr/lib/grub/i386-pc/*.lst ::/boot/grub/i386-pc/
mcopy -i "$esp" "$kernel" ::/boot/llama2.elf
mcopy -i "$esp" "$work/grub.cfg" ::/boot/grub/grub.cfg

# The data partition: exFAT, label LLAMA2, the models in /models.
files=()
for m in "${models[@]}"; do files+=("$m=/models/$(basename "$m")"); done
"$mkexfat" -o $((data_start * 512)) -s $((data_size * 512)) -L LLAMA2 "$out.tmp" "${files[@]}" ||
    die "mkexfat failed"

mv "$out.tmp" "$out"
echo "$out: $((size / MiB)) MiB; exFAT partition LLAMA2 of $((data_size / 2048)) MiB with /models:" \
     "$(for m in "${models[@]}"; do printf '%s ' "$(basename "$m")"; done)"
