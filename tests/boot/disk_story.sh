# Models read from disks, not given as GRUB modules: make disk's image
# (GRUB, the kernel and, on its exFAT partition, stories15M with its
# tokenizer; no module2 lines) boots as an NVMe drive under UEFI and as a
# SATA disk on q35's AHCI under SeaBIOS, and the kernel tells the story
# from that same disk, byte for byte run.c's, with what the drivers and
# the loader found on the way (disks, partitions, where the model went in
# RAM, the progress bar). Then a GGUF file from the test disk of
# tests/data/disk_images.sh, attached as an NVMe drive beside an ISO
# without modules under SeaBIOS (whose own NVMe driver leaves the
# controller running): the host program's story.
source "$(dirname "$0")/lib.sh"

# no_modules NAME: GRUB handed over no module (the boots are --verbose, which
# prints a "module:" line for each).
no_modules() {
    if grep -q "^module:" "$LOG"; then fail "$1" "a GRUB module was loaded: $(grep -m1 '^module:' "$LOG")"
    else pass "$1"; fi
}

# ---- make disk's image, booted from as NVMe (UEFI) and SATA (SeaBIOS)
img=$OUT/disk-story.img
if ! ARGS="--exit --verbose -t 0 -n 128 -i \"Once upon a time, there was a robot\" --model stories15M.bin" TIMEOUT=0 \
        MODELS="$(model_path stories15M.bin) $(model_path tokenizer.bin)" \
        "$ROOT/tools/make-disk.sh" "$img" "$KERNEL" > "$OUT/disk-story-make.log" 2>&1; then
    fail "disk:story:make-disk" "tools/make-disk.sh failed: $(tail -n 3 "$OUT/disk-story-make.log" | tr '\n' ' ')"
    exit 1
fi
ln -sf disk-story.img "$OUT/disk-story.iso"      # boot() takes build/tests/NAME.iso
for case in "uefi nvme nvme0" "bios disk sata0"; do
    read -r fw media disk <<< "$case"
    boot disk-story "$fw" TIMEOUT=600 MEDIA="$media"
    cp "$LOG" "$OUT/disk-story-$media.log"
    LOG=$OUT/disk-story-$media.log
    t="disk:$media:$fw"
    expect_rc "$t:exit-success" 0
    expect "$t:grub-from-the-disk" "llama2: tell a story (models on the disks)"
    no_modules "$t:no-module"
    if [ "$media" = nvme ]; then
        expect_re "$t:found" "^disk: nvme0: QEMU NVMe Ctrl, [0-9.]+ MiB \([0-9]+ sectors of 512 bytes\), NVMe namespace 1 at "
    else
        expect_re "$t:found" "^disk: sata0: QEMU HARDDISK, [0-9.]+ MiB \([0-9]+ sectors of 512 bytes\), SATA at port 0 at "
    fi
    expect_re "$t:esp" "^disk: $disk partition 2 \(LLAMA2BOOT, FAT32\), 64\.0 MiB$"
    expect_re "$t:summary" "^disks: $disk \([0-9.]+ MiB; LLAMA2BOOT FAT32, LLAMA2 exFAT\)"
    expect "$t:model" "model: /models/stories15M.bin on $disk partition 3 (LLAMA2, exFAT), 58.0 MiB"
    expect_re "$t:in-ram" "^model: into RAM at 0x[0-9a-f]+$"
    expect_re "$t:progress" "\] 58\.0 of 58\.0 MiB, [0-9.]+ MiB/s, [0-9.]+ s"
    expect "$t:tokenizer" "tokenizer: /models/tokenizer.bin on $disk partition 3 (LLAMA2, exFAT), 423.7 KiB"
    expect_story "$t:matches-run.c" "$REFERENCE/s15m_greedy_prompt_robot_n128.txt"
done

# ---- the test disk beside an ISO without module2 lines
disks=$OUT/disks
if ! "$ROOT/tests/data/disk_images.sh" "$disks" > "$OUT/disk-images.log" 2>&1; then
    fail "disk:images" "$(tail -n 3 "$OUT/disk-images.log" | tr '\n' ' ')"
    exit 1
fi
nvme="-boot order=d -drive if=none,id=d0,format=raw,file=$disks/models.img,snapshot=on -device nvme,drive=d0,serial=llama2"

# A GGUF file (its vocabulary inside) from NVMe under SeaBIOS.
q8=$(model_path gguf/stories15M-Q8_0.gguf 2> /dev/null)
if [ -z "$q8" ]; then
    fail "disk:gguf:bios:model" "gguf/stories15M-Q8_0.gguf not found (../shared/models/gguf)"
else
    "$ROOT/build/host/llama2" "$q8" -t 0 -n 60 -i "Lily and her dog" > "$OUT/disk-gguf.expected" 2> /dev/null
    MODULES="" make_iso disk-gguf "--exit --verbose -t 0 -n 60 -i \"Lily and her dog\" --model /models/stories15M-Q8_0.gguf" > /dev/null
    boot disk-gguf bios QEMU_EXTRA="$nvme"
    expect_rc "disk:gguf:bios:exit-success" 0
    no_modules "disk:gguf:bios:no-module"
    expect_re "disk:gguf:bios:found" "^disk: nvme0: QEMU NVMe Ctrl, 256\.0 MiB \(524288 sectors of 512 bytes\), NVMe namespace 1 at "
    expect "disk:gguf:bios:model" "model: /models/stories15M-Q8_0.gguf on nvme0 partition 2 (LLAMA2, exFAT), 25.4 MiB"
    if grep -q "^tokenizer:" "$LOG"; then fail "disk:gguf:bios:no-tokenizer-file" "$(grep -m1 '^tokenizer:' "$LOG")"
    else pass "disk:gguf:bios:no-tokenizer-file"; fi
    expect_story "disk:gguf:bios:matches-host" "$OUT/disk-gguf.expected"
fi
