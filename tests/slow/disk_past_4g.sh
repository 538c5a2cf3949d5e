# Past 4 GiB (make test-slow): a 4.6 GiB GGUF (F32 zeros, dim 2048, 18
# layers: tests/data/disk_images.sh big) is read from an NVMe drive into a
# 6 GiB machine under UEFI. No free block of RAM holds it, so it goes into
# the 4 GiB above 4 GiB and a piece below, mapped as one range; the engine
# checks it in place and runs a step. GRUB's modules could not do this:
# their addresses are 32-bit.
source "$(dirname "$0")/../boot/lib.sh"

disks=$OUT/disks
if ! "$ROOT/tests/data/disk_images.sh" "$disks" big > "$OUT/disk-images.log" 2>&1; then
    fail "disk:big:images" "$(tail -n 3 "$OUT/disk-images.log" | tr '\n' ' ')"
    exit 1
fi
MODULES="" make_iso disk-big "--exit -t 0 -n 2 --model big-zeros.gguf" > /dev/null
start=$SECONDS
boot disk-big uefi MEM=6G TIMEOUT=1200 \
    QEMU_EXTRA="-drive if=none,id=d0,format=raw,file=$disks/big.img,snapshot=on -device nvme,drive=d0,serial=big"
echo "    (booted, loaded 4.6 GiB and ran in $((SECONDS - start)) s)"
expect_rc "disk:big:exit-success" 0
expect_re "disk:big:memory" "^memory: 61[0-9]{2}\.[0-9] MiB usable RAM"
# the 4 GiB above 4 GiB whole, and the rest below
expect_re "disk:big:pieces" "^model: /models/big-zeros\.gguf on nvme0 partition 1 \(LLAMA2, exFAT\), 4\.6 GiB, into 2 pieces of RAM seen as one at 0xffff800000000000: 4\.0 GiB at 0x100000000 [0-9.]+ MiB at 0x[0-9a-f]+$"
expect_re "disk:big:progress" "\] 4677\.1 of 4677\.1 MiB, [0-9.]+ MiB/s, [0-9.]+ s"
expect "disk:big:config" "config: dim=2048 hidden_dim=8192 n_layers=18 n_heads=32 n_kv_heads=8 vocab_size=32000 seq_len=64"
expect_re "disk:big:ran-a-step" "^achieved tok/s: [0-9]+\.[0-9]+$"
