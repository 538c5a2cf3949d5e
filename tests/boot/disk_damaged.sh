# Damaged disks never hang the kernel nor end in a CPU exception: a disk
# cut short, a GPT entry that ends past the disk, an exFAT cluster chain
# that loops, a file longer than its chain. Each gives a note about what
# was skipped and one "error:" line, and QEMU ends with the kernel's error
# status. The images are tests/data/disk_images.sh's damaged copies of a
# small disk whose only partition holds /models/stories260K.bin.
source "$(dirname "$0")/lib.sh"

disks=$OUT/disks
if ! "$ROOT/tests/data/disk_images.sh" "$disks" > "$OUT/disk-images.log" 2>&1; then
    fail "disk:images" "$(tail -n 3 "$OUT/disk-images.log" | tr '\n' ' ')"
    exit 1
fi
MODULES="" make_iso disk-damaged "--exit -t 0 -n 20 --model stories260K.bin" > /dev/null

# damaged NAME ERROR-REGEX [NOTE-REGEX]: boots with disks/NAME.img as an
# NVMe drive under SeaBIOS; expects the error (and the note).
damaged() {
    local name=$1 error=$2 note=${3:-}
    boot disk-damaged bios TIMEOUT=120 \
        QEMU_EXTRA="-boot order=d -drive if=none,id=d0,format=raw,file=$disks/$name.img,snapshot=on -device nvme,drive=d0,serial=bad"
    cp "$LOG" "$OUT/disk-damaged-$name.log"
    LOG=$OUT/disk-damaged-$name.log
    expect_rc "disk:damaged:$name:error-exit" 1
    expect_re "disk:damaged:$name:error" "^error: $error"
    [ -n "$note" ] && expect_re "disk:damaged:$name:note" "$note"
    if grep -q "CPU exception" "$LOG"; then fail "disk:damaged:$name:no-exception" "$(grep -m1 'CPU exception' "$LOG")"
    else pass "disk:damaged:$name:no-exception"; fi
}

# The healthy original first: the same boot reads the model and tells the story.
MODULES="" make_iso disk-healthy "--exit -t 0 -n 200 --model stories260K.bin" > /dev/null
boot disk-healthy bios QEMU_EXTRA="-boot order=d -drive if=none,id=d0,format=raw,file=$disks/one.img,snapshot=on -device nvme,drive=d0,serial=good"
expect_rc "disk:damaged:original:exit-success" 0
expect_story "disk:damaged:original:matches-run.c" "$REFERENCE/s260k_greedy_n200.txt"

damaged truncated "--model stories260K.bin: no partition of any disk has it" "^note: nvme0: .*(past|beyond|end)"
damaged gpt-past-end "--model stories260K.bin: no partition of any disk has it" "^note: nvme0: .*(past|beyond|end)"
damaged loop "model: reading /models/stories260K.bin on nvme0 partition 1 \(LLAMA2, exFAT\) failed at byte [0-9]+ of 1056540: .*loop"
damaged short-chain "model: reading /models/stories260K.bin on nvme0 partition 1 \(LLAMA2, exFAT\) failed at byte [0-9]+ of 1056540: .*chain ends after 10 clusters"
