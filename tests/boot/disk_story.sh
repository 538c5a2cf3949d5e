# Models read from disks, not given as GRUB modules (the ISOs here have no
# module2 lines): the story from an NVMe drive under UEFI and from a SATA
# disk on q35's AHCI under SeaBIOS is run.c's byte for byte, with what the
# drivers and the loader found on the way (disks, partitions, where the
# model went in RAM, the progress bar); a GGUF file from an NVMe drive
# under SeaBIOS tells the host program's story. The disk image is shared by the
# disk tests (tests/data/disk_images.sh) and opened through a snapshot.
source "$(dirname "$0")/lib.sh"

disks=$OUT/disks
if ! "$ROOT/tests/data/disk_images.sh" "$disks" > "$OUT/disk-images.log" 2>&1; then
    fail "disk:images" "$(tail -n 3 "$OUT/disk-images.log" | tr '\n' ' ')"
    exit 1
fi
nvme="-drive if=none,id=d0,format=raw,file=$disks/models.img,snapshot=on -device nvme,drive=d0,serial=llama2"
sata="-boot order=d -drive if=none,id=d1,format=raw,file=$disks/models.img,snapshot=on -device ide-hd,bus=ide.0,drive=d1"

# no_modules NAME: GRUB handed over no module.
no_modules() {
    if grep -q "^module:" "$LOG"; then fail "$1" "a GRUB module was loaded: $(grep -m1 '^module:' "$LOG")"
    else pass "$1"; fi
}

# NVMe under UEFI: stories15M by file name, its tokenizer.bin beside it.
MODULES="" make_iso disk-nvme "--exit -t 0 -n 128 -i \"Once upon a time, there was a robot\" --model stories15M.bin" > /dev/null
boot disk-nvme uefi TIMEOUT=600 QEMU_EXTRA="$nvme"
expect_rc "disk:nvme:uefi:exit-success" 0
no_modules "disk:nvme:uefi:no-module"
expect_re "disk:nvme:uefi:found" "^disk: nvme0: .*, 256\.0 MiB \(524288 sectors of 512 bytes\), NVMe namespace 1 at "
expect "disk:nvme:uefi:partition" "disk: nvme0 partition 2 (LLAMA2, exFAT), 239.0 MiB"
expect "disk:nvme:uefi:esp" "disk: nvme0 partition 1 (ESP, FAT16), 16.0 MiB"
expect_re "disk:nvme:uefi:model" "^model: /models/stories15M.bin on nvme0 partition 2 \(LLAMA2, exFAT\), 58\.0 MiB, into RAM at 0x"
expect_re "disk:nvme:uefi:progress" "\] 58\.0 of 58\.0 MiB, [0-9.]+ MiB/s, [0-9.]+ s"
expect "disk:nvme:uefi:tokenizer" "tokenizer: /models/tokenizer.bin on nvme0 partition 2 (LLAMA2, exFAT), 423.7 KiB"
expect_story "disk:nvme:uefi:matches-run.c" "$REFERENCE/s15m_greedy_prompt_robot_n128.txt"

# SATA (AHCI) under SeaBIOS: stories260K by path, --tokenizer found beside it.
MODULES="" make_iso disk-sata "--exit -t 0 -n 200 --model /models/small/stories260K.bin --tokenizer tok512.bin" > /dev/null
boot disk-sata bios QEMU_EXTRA="$sata"
expect_rc "disk:sata:bios:exit-success" 0
no_modules "disk:sata:bios:no-module"
expect_re "disk:sata:bios:found" "^disk: sata0: QEMU HARDDISK, 256\.0 MiB \(524288 sectors of 512 bytes\), SATA at port 0 at "
expect_re "disk:sata:bios:cd" "^disk: cd0: QEMU DVD-ROM, .* ATAPI at port 2 at "
expect "disk:sata:bios:model" "model: /models/small/stories260K.bin on sata0 partition 2 (LLAMA2, exFAT), 1.0 MiB"
expect "disk:sata:bios:tokenizer" "tokenizer: /models/small/tok512.bin on sata0 partition 2"
expect_story "disk:sata:bios:matches-run.c" "$REFERENCE/s260k_greedy_n200.txt"

# A GGUF file (its vocabulary inside) from NVMe under SeaBIOS, whose own NVMe
# driver leaves the controller enabled: the host program's story.
q8=$(model_path gguf/stories15M-Q8_0.gguf 2> /dev/null)
if [ -z "$q8" ]; then
    fail "disk:gguf:bios:model" "gguf/stories15M-Q8_0.gguf not found (../shared/models/gguf)"
else
    "$ROOT/build/host/llama2" "$q8" -t 0 -n 60 -i "Lily and her dog" > "$OUT/disk-gguf.expected" 2> /dev/null
    MODULES="" make_iso disk-gguf "--exit -t 0 -n 60 -i \"Lily and her dog\" --model /models/stories15M-Q8_0.gguf" > /dev/null
    boot disk-gguf bios QEMU_EXTRA="-boot order=d $nvme"
    expect_rc "disk:gguf:bios:exit-success" 0
    no_modules "disk:gguf:bios:no-module"
    expect "disk:gguf:bios:model" "model: /models/stories15M-Q8_0.gguf on nvme0 partition 2 (LLAMA2, exFAT), 25.4 MiB"
    if grep -q "^tokenizer:" "$LOG"; then fail "disk:gguf:bios:no-tokenizer-file" "$(grep -m1 '^tokenizer:' "$LOG")"
    else pass "disk:gguf:bios:no-tokenizer-file"; fi
    expect_story "disk:gguf:bios:matches-host" "$OUT/disk-gguf.expected"
fi
