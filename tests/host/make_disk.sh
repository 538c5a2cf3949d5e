#!/usr/bin/env bash
# make disk (tools/make-disk.sh) without booting: the GPT and its three
# partitions, checked by sgdisk, fsck.fat and fsck.exfat; read back with
# this project's own reader (build/host/fsls, lib/fs): the kernel and GRUB
# on the ESP, grub.cfg with ARGS, TIMEOUT and GFXMODE and no module2
# lines, the models byte for byte on the exFAT partition LLAMA2; GRUB's
# BIOS boot code in the MBR and its block list pointing at core.img; and
# the refusals (a DISK_SIZE too small, a missing model, a bad GFXMODE, an
# unbalanced quote in ARGS). tests/boot/disk.sh boots the image.
cd "$(dirname "$0")/../.."
make --no-print-directory build/host/mkexfat build/host/fsls > /dev/null ||
    { echo "FAIL make-disk:build: make build/host/mkexfat build/host/fsls failed"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass() { echo "PASS make-disk:$1"; }
fail() { echo "FAIL make-disk:$1: $2"; }
check() { if eval "$2"; then pass "$1"; else fail "$1" "${3:-$2}"; fi; }

head -c 1234567 /dev/urandom > "$tmp/model.bin"
head -c 4321 /dev/urandom > "$tmp/tok.bin"
head -c 300000 /dev/urandom > "$tmp/kernel.elf"
img=$tmp/disk.img
if ! out=$(MODELS="$tmp/model.bin $tmp/tok.bin" DISK_SIZE=200M ARGS='-t 0 -i "Lily'\''s dog"' TIMEOUT=7 \
           GFXMODE=1024x768 tools/make-disk.sh "$img" "$tmp/kernel.elf" 2>&1); then
    fail image-made "$out"; exit 1
fi
pass image-made
check size '[ "$(stat -c %s "$img")" = $((200 * 1024 * 1024)) ]' "size $(stat -c %s "$img")"
check gpt-valid 'sgdisk -v "$img" 2>&1 | grep -q "No problems found"' "$(sgdisk -v "$img" 2>&1 | head -3)"
list=$(build/host/fsls "$img" 2>&1)
check partitions 'grep -q "^partition 1: sectors 2048+2048, BIOS boot" <<< "$list" &&
    grep -q "^partition 2: .*EFI system.*FAT32, label \"LLAMA2BOOT\"" <<< "$list" &&
    grep -q "^partition 3: .*Microsoft basic data \"LLAMA2\": exFAT, label \"LLAMA2\"" <<< "$list"' "$list"
check no-notes '! grep -q "^note:" <<< "$list"' "$(grep "^note:" <<< "$list")"
check models-listed 'grep -qE "^ +1234567  /models/model.bin$" <<< "$list" &&
    grep -qE "^ +4321  /models/tok.bin$" <<< "$list"' "$list"
check model-bytes 'build/host/fsls "$img" 3:/models/model.bin | cmp -s - "$tmp/model.bin" &&
    build/host/fsls "$img" 3:/models/tok.bin | cmp -s - "$tmp/tok.bin"'
check kernel-bytes 'build/host/fsls "$img" 2:/boot/llama2.elf | cmp -s - "$tmp/kernel.elf"'
check grub-efi 'grep -qE "^ +[0-9]+  /EFI/BOOT/BOOTX64.EFI$" <<< "$list" &&
    grep -q "/boot/grub/x86_64-efi/multiboot2.mod" <<< "$list" &&
    grep -q "/boot/grub/i386-pc/multiboot2.mod" <<< "$list"'
cfg=$(build/host/fsls "$img" 2:/boot/grub/grub.cfg)
check grub-cfg-args 'grep -qF "multiboot2 /boot/llama2.elf -t 0 -i \"Lily'\''s dog\" -t 0" <<< "$cfg"' "$cfg"
check grub-cfg-timeout 'grep -q "^set timeout=7$" <<< "$cfg"'
check grub-cfg-gfxmode 'grep -q "set gfxpayload=1024x768x32,1024x768" <<< "$cfg"'
check grub-cfg-no-modules '! grep -v "^#" <<< "$cfg" | grep -q "module2\|@"' "$(grep -n "module2\|@" <<< "$cfg")"
check grub-cfg-entries '[ "$(grep -c "^menuentry" <<< "$cfg")" = 7 ]'
check grub-cfg-loads-the-kernel-alone '[ "$(grep -c "echo \"Loading the kernel...\"" <<< "$cfg")" = 7 ]' "$(grep -n Loading <<< "$cfg")"

# fsck on each filesystem, cut out of the image
start() { sgdisk -i "$1" "$img" | sed -n 's/^First sector: \([0-9]*\).*/\1/p'; }
count() { sgdisk -i "$1" "$img" | sed -n 's/^Partition size: \([0-9]*\).*/\1/p'; }
dd if="$img" of="$tmp/esp" bs=512 skip="$(start 2)" count="$(count 2)" status=none
dd if="$img" of="$tmp/data" bs=512 skip="$(start 3)" count="$(count 3)" status=none
check fsck-fat 'out=$(fsck.fat -n "$tmp/esp" 2>&1)' "$out"
check fsck-exfat 'out=$(fsck.exfat -n "$tmp/data" 2>&1)' "$out"

# BIOS: boot.img's code in the MBR, core.img in partition 1 and found by its block list
check bios-boot 'python3 - "$img" /usr/lib/grub/i386-pc/boot.img <<'"'PY'"'
import struct, sys
d = open(sys.argv[1], "rb")
mbr = d.read(512)
boot = open(sys.argv[2], "rb").read()
d.seek(2048 * 512)
core = d.read(512)
ok = (mbr[:0x5C] == boot[:0x5C] and struct.unpack_from("<Q", mbr, 0x5C)[0] == 2048
      and mbr[0x68:440] == boot[0x68:440] and mbr[446] == 0x80 and mbr[446 + 4] == 0xEE
      and mbr[510:] == b"\x55\xaa" and struct.unpack_from("<Q", core, 500)[0] == 2049
      and struct.unpack_from("<H", core, 510)[0] == 0x820)
sys.exit(0 if ok else 1)
PY'

# refusals: one error line, status 1, no image left behind
refuse() {   # refuse NAME PATTERN VAR=value...
    local name=$1 pattern=$2; shift 2
    out=$(env MODELS="$tmp/model.bin" "$@" tools/make-disk.sh "$tmp/bad.img" "$tmp/kernel.elf" 2>&1)
    local rc=$?
    if [ $rc = 1 ] && grep -q "^error: .*$pattern" <<< "$out" && [ ! -e "$tmp/bad.img" ] &&
       [ -z "$(ls "$tmp" | grep -E 'bad.img.')" ]; then pass "refuses-$name"
    else fail "refuses-$name" "status $rc: $out"; fi
}
refuse small-size "DISK_SIZE=10M is too small" DISK_SIZE=10M
refuse missing-model "does not exist" MODELS="$tmp/nothere.bin"
refuse bad-gfxmode "GFXMODE must be" GFXMODE=big
refuse bad-args "unbalanced quote" ARGS='-i "open'
refuse bad-size "DISK_SIZE must be" DISK_SIZE=lots
