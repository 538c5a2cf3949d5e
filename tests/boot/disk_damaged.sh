# Damaged disks never hang the kernel nor end in a CPU exception. The
# images are tests/data/disk_images.sh's damaged copies of a small disk
# whose only partition holds /models/stories260K.bin (its clusters in a FAT
# chain) and its tokenizer. A disk cut short and a GPT entry that ends
# past the disk are skipped with a note, and the model is read from the
# healthy disk attached after them; an exFAT cluster chain that loops, and
# one that ends long before its file does, each end in one "error:" line
# and the kernel's error status. All NVMe drives, under SeaBIOS.
source "$(dirname "$0")/lib.sh"

disks=$OUT/disks
if ! "$ROOT/tests/data/disk_images.sh" "$disks" > "$OUT/disk-images.log" 2>&1; then
    fail "disk:images" "$(tail -n 3 "$OUT/disk-images.log" | tr '\n' ' ')"
    exit 1
fi
# drives IMAGE...: QEMU arguments for each image as an NVMe drive, in order.
drives() {
    local i=0 args="-boot order=d"
    for d in "$@"; do
        args+=" -drive if=none,id=d$i,format=raw,file=$disks/$d.img,snapshot=on -device nvme,drive=d$i,serial=disk$i"
        i=$((i + 1))
    done
    echo "$args"
}
no_exception() {
    if grep -q "CPU exception" "$LOG"; then fail "$1" "$(grep -m1 'CPU exception' "$LOG")"; else pass "$1"; fi
}
MODULES="" make_iso disk-damaged "--exit -t 0 -n 200 --model /models/stories260K.bin" > /dev/null

# The two bad tables, then the healthy disk: notes, then the story.
boot disk-damaged bios QEMU_EXTRA="$(drives truncated gpt-past-end one)"
cp "$LOG" "$OUT/disk-damaged-tables.log"
LOG=$OUT/disk-damaged-tables.log
expect_rc "disk:damaged:tables:exit-success" 0
expect_re "disk:damaged:truncated:note" "^note: nvme0: partition 1 \(sectors 2048\+[0-9]+\) reaches past the disk's end \(40960 sectors\): skipped$"
expect_re "disk:damaged:gpt-past-end:note" "^note: nvme1: partition 1 \(sectors 2048\+[0-9]+\) reaches past the disk's end \(131072 sectors\): skipped$"
expect "disk:damaged:healthy:model" "model: /models/stories260K.bin on nvme2 partition 1 (LLAMA2, exFAT), 1.0 MiB"
expect_story "disk:damaged:healthy:matches-run.c" "$REFERENCE/s260k_greedy_n200.txt"
no_exception "disk:damaged:tables:no-exception"

# damaged NAME ERROR-REGEX: the model's chain is broken; one error, no story.
damaged() {
    boot disk-damaged bios TIMEOUT=120 QEMU_EXTRA="$(drives "$1")"
    cp "$LOG" "$OUT/disk-damaged-$1.log"
    LOG=$OUT/disk-damaged-$1.log
    expect_rc "disk:damaged:$1:error-exit" 1
    expect_re "disk:damaged:$1:error" "^error: model: reading /models/stories260K\.bin on nvme0 partition 1 \(LLAMA2, exFAT\) failed at byte [0-9]+ of 1056540: $2"
    if grep -q "^achieved tok/s" "$LOG"; then fail "disk:damaged:$1:no-story" "a story was told"
    else pass "disk:damaged:$1:no-story"; fi
    no_exception "disk:damaged:$1:no-exception"
}
damaged loop "exFAT: the cluster chain loops"
damaged short-chain "exFAT: the cluster chain ends after 10 clusters but the file's size \(1056540 bytes\) needs 258"
