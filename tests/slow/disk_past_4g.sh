# Past 4 GiB (make test-slow): a model of more than 4 GiB is read from an
# NVMe drive into a 6 GiB machine under UEFI. No free block of RAM holds
# it (q35 gives such a machine 2 GiB below 4 GiB and 4 GiB above), so it
# goes into the 4 GiB above 4 GiB whole and a piece below, mapped as one
# range; the engine checks it in place and runs a step on every core.
# GRUB's modules could not do this: their addresses are 32-bit. Two
# models of zeros (tests/data/disk_images.sh big, sparse on the host): a
# 4.6 GiB F32 GGUF and a 4.3 GiB llama2.c checkpoint with tokenizer.bin.
source "$(dirname "$0")/../boot/lib.sh"

disks=$OUT/disks
if ! "$ROOT/tests/data/disk_images.sh" "$disks" big > "$OUT/disk-images.log" 2>&1; then
    fail "disk:big:images" "$(tail -n 3 "$OUT/disk-images.log" | tr '\n' ' ')"
    exit 1
fi

# big NAME FILE SIZE-TEXT MIB: boots with --model FILE and checks the load and the step.
big() {
    local name=$1 file=$2 size=$3 mib=$4 start=$SECONDS
    MODULES="" make_iso "disk-big-$name" "--exit --verbose -t 0 -n 2 --model $file" > /dev/null
    boot "disk-big-$name" uefi MEM=6G TIMEOUT=1200 \
        QEMU_EXTRA="-drive if=none,id=d0,format=raw,file=$disks/big.img,snapshot=on -device nvme,drive=d0,serial=big"
    echo "    ($file: booted, loaded and ran in $((SECONDS - start)) s)"
    expect_rc "disk:big:$name:exit-success" 0
    expect_re "disk:big:$name:memory" "^memory: 61[0-9]{2}\.[0-9] MiB usable RAM"
    # the 4 GiB above 4 GiB whole, and the rest below
    expect_re "disk:big:$name:model" "^model: /models/$file on nvme0 partition 1 \(LLAMA2, exFAT\), $size$"
    expect_re "disk:big:$name:pieces" "^model: into 2 pieces of RAM seen as one at 0xffff800000000000: 4\.0 GiB at 0x100000000 [0-9.]+ MiB at 0x[0-9a-f]+$"
    expect_re "disk:big:$name:progress" "\] $mib of $mib MiB, [0-9.]+ MiB/s, [0-9.]+ s"
    # the shape as the story reports it (a llama2.c config line, a GGUF model line)
    expect_re "disk:big:$name:shape" "config: dim=2048 hidden_dim=8192 n_layers=18 n_heads=32 n_kv_heads=8 vocab_size=32000 seq_len=64|dim 2048, hidden 8192, 18 layers, 32 heads \(8 KV\), context 64"
    expect_re "disk:big:$name:ran-a-step" "^achieved tok/s: [0-9]+\.[0-9]+$"
    expect_re "disk:big:$name:every-core" "^stats: .* 2 cores$"
}

big gguf big-zeros.gguf "4\.6 GiB" 4677\\.1
big llama2c big-zeros.bin "4\.3 GiB" 4426\\.3
