# USB sticks on xHCI (Bulk-Only Transport, SCSI): a 1 GiB disk image with a
# GPT and a FAT32 partition holding stories260K, stories15M and their
# tokenizers, plugged in as a usb-storage stick, registers as usb0 and the
# story is told from it (--model: the loader reads the file from the stick,
# not from GRUB's modules). Then the ISO as the stick the machine boots
# from (UEFI), with a hub carrying the image's stick (full speed, behind
# the hub) and a usb-bot with no unit at all: the boot stick and the
# image's stick are disks, the empty one is skipped with a note, and the
# story comes from the stick behind the hub. Last, a machine with 80 MiB
# below 4 GiB: stories15M lands above 4 GiB, read there by DMA.
source "$(dirname "$0")/lib.sh"

flags="-t 0 -n 60"
model=$(model_path stories260K.bin)
tok=$(model_path tok512.bin)
"$ROOT/build/host/llama2" "$model" -z "$tok" $flags > "$OUT/usb-storage.expected" 2> /dev/null
model15=$(model_path stories15M.bin)
tok15=$(model_path tokenizer.bin)
"$ROOT/build/host/llama2" "$model15" -z "$tok15" -t 0 -n 8 > "$OUT/usb-storage-15m.expected" 2> /dev/null

# The image: 1 GiB, sparse; partition 1 (128 MiB, FAT32) from 1 MiB on.
img=$OUT/usb-storage.img part=$OUT/usb-storage-part.img
rm -f "$img" "$part"
if ! { truncate -s 1G "$img" && sgdisk -n 1:2048:+128M -t 1:0700 -c 1:LLAMA2 "$img" > /dev/null &&
       mkfs.fat -F 32 -n LLAMA2 -C "$part" 131072 > /dev/null 2>&1 &&
       mcopy -i "$part" "$model" "$tok" "$model15" "$tok15" :: &&
       dd if="$part" of="$img" bs=1M seek=1 conv=notrunc status=none; }; then
    fail "usb:storage:image" "could not write the disk image $img (sgdisk, mkfs.fat, mtools)"
    exit 1
fi
rm -f "$part"
make_iso usb-storage "--exit $flags --model stories260K.bin --tokenizer tok512.bin" > /dev/null

stick="-drive if=none,id=stick2,format=raw,readonly=on,file=$img"
boot usb-storage uefi "QEMU_EXTRA=-device qemu-xhci $stick -device usb-storage,drive=stick2"
expect_rc "usb:storage:exit-success" 0
expect_re "usb:storage:registered" \
    "^disk: usb0: QEMU QEMU HARDDISK, 1\.0 GiB \(2097152 sectors of 512 bytes\), USB on xHCI port [0-9]+$"
expect_re "usb:storage:model-from-the-stick" "^model: /stories260K\.bin on usb0 partition 1 "
expect_re "usb:storage:tokenizer-from-the-stick" "^tokenizer: /tok512\.bin on usb0 partition 1 "
expect_story "usb:storage:matches-host" "$OUT/usb-storage.expected"

# FIRMWARE=usb: the ISO is a usb-storage stick on the controller qemu-run.sh
# adds (its bus usb-bus.0; QEMU's ports 1-4 are the USB 2 ones).
boot usb-storage usb "QEMU_EXTRA=-device usb-hub,bus=usb-bus.0,port=2 $stick \
-device usb-storage,drive=stick2,bus=usb-bus.0,port=2.1 -device usb-bot,bus=usb-bus.0,port=2.2"
expect_rc "usb:boot-stick:exit-success" 0
expect_re "usb:boot-stick:registered" \
    "^disk: usb0: QEMU QEMU HARDDISK, [0-9.]+ MiB \([0-9]+ sectors of 512 bytes\), USB on xHCI port [0-9]+$"
expect_re "usb:boot-stick:behind-a-hub" \
    "^disk: usb1: QEMU QEMU HARDDISK, 1\.0 GiB \(2097152 sectors of 512 bytes\), USB on xHCI port [0-9]+, hub port 1$"
expect_re "usb:boot-stick:empty-device-skipped" "^note: usb: the device on xHCI port [0-9]+, hub port 2 skipped: "
expect_re "usb:boot-stick:model-from-behind-the-hub" "^model: /stories260K\.bin on usb1 partition 1 "
expect_story "usb:boot-stick:matches-host" "$OUT/usb-storage.expected"

# Above 4 GiB: q35 with 80 MiB of RAM below 4 GiB and the rest above.
make_iso usb-storage-high "--exit --verbose -t 0 -n 8 --model stories15M.bin --tokenizer tokenizer.bin" > /dev/null
boot usb-storage-high uefi MEM=1G \
    "QEMU_EXTRA=-machine max-ram-below-4g=80M -device qemu-xhci $stick -device usb-storage,drive=stick2"
expect_rc "usb:above-4g:exit-success" 0
expect_re "usb:above-4g:model-from-the-stick" "^model: /stories15M\.bin on usb0 partition 1 "
expect_re "usb:above-4g:model-above-4-gib" "^model: into RAM at 0x[1-9a-f][0-9a-f]{8,}$"
expect_story "usb:above-4g:matches-host" "$OUT/usb-storage-15m.expected"
