# With no model module and no --model, the kernel lists every model on
# every disk (what each is, from its header) and asks for a number on the
# serial port and the keyboard: typed over the serial port here, a wrong
# answer first. The disk is a SATA disk under UEFI, which leaves the AHCI
# controller configured. (Under --exit, nothing typed within 10 s is an
# error: disk.sh and robustness.sh boot into that.)
source "$(dirname "$0")/lib.sh"

disks=$OUT/disks
if ! "$ROOT/tests/data/disk_images.sh" "$disks" > "$OUT/disk-images.log" 2>&1; then
    fail "disk:images" "$(tail -n 3 "$OUT/disk-images.log" | tr '\n' ' ')"
    exit 1
fi
sata="-drive if=none,id=d1,format=raw,file=$disks/models.img,snapshot=on -device ide-hd,bus=ide.0,drive=d1"

# The list: the disk's models in the filesystem's order, then the CD's
# /boot/model.bin (make-iso.sh puts the model file on every ISO); a
# tokenizer.bin is no model and is left out.
MODULES="" make_iso disk-choose "--exit -t 0 -n 200 --tokenizer tok512.bin" > /dev/null
boot_driven disk-choose uefi QEMU_EXTRA="$sata" -- 'wait=and Enter: ' 'send=7\r' \
    'wait=is not a number from 1 to' 'wait=and Enter: ' 'send=2\r'
expect_drive "disk:choose:uefi:asked-twice"
expect_rc "disk:choose:uefi:exit-success" 0
expect "disk:choose:uefi:heading" "models on the disks:"
expect_re "disk:choose:uefi:entry-1" "^  1\. sata0 partition 2 \(LLAMA2, exFAT\): /models/stories15M\.bin, 58\.0 MiB$"
expect_re "disk:choose:uefi:entry-1-kind" "^       llama2\.c checkpoint version 0, fp32, dim 288, 6 layers, vocabulary 32000, context 256$"
expect_re "disk:choose:uefi:entry-2" "^  2\. sata0 partition 2 \(LLAMA2, exFAT\): /models/small/stories260K\.bin, 1\.0 MiB$"
if model_path gguf/stories15M-Q8_0.gguf > /dev/null 2>&1; then
    expect_re "disk:choose:uefi:gguf" "^  3\. sata0 partition 2 \(LLAMA2, exFAT\): /models/stories15M-Q8_0\.gguf, 25\.4 MiB$"
    expect_re "disk:choose:uefi:gguf-kind" "^       GGUF '.*', llama, Q8_0 \(mostly Q8_0\), dim 288, 6 layers, vocabulary 32000$"
else
    fail "disk:choose:uefi:gguf" "gguf/stories15M-Q8_0.gguf not found (../shared/models/gguf)"
fi
expect_re "disk:choose:uefi:cd" "^  [0-9]\. cd0 \(.*ISO 9660\): /boot/model\.bin, 1\.0 MiB$"
if grep -q "tokenizer\.bin, \|tok512\.bin, " "$LOG"; then fail "disk:choose:uefi:no-tokenizers" "a tokenizer was listed"
else pass "disk:choose:uefi:no-tokenizers"; fi
expect "disk:choose:uefi:wrong-answer" "\"7\" is not a number from 1 to"
expect "disk:choose:uefi:model" "model: /models/small/stories260K.bin on sata0 partition 2 (LLAMA2, exFAT), 1.0 MiB"
expect_story "disk:choose:uefi:matches-run.c" "$REFERENCE/s260k_greedy_n200.txt"

