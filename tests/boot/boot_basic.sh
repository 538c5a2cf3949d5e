# Boot tests: the kernel comes up under UEFI (CD), BIOS (CD) and UEFI from a
# USB stick, reports the machine and (under --verbose) each subsystem's
# details and the modules, parses GRUB's re-quoted command line, and leaves
# QEMU with success.
source "$(dirname "$0")/lib.sh"

model=$(model_path stories260K.bin)
tok=$(model_path tok512.bin)
# Built through `make iso ARGS=...` as a person would, quotes and all.
make -s iso ISO="$OUT/basic.iso" MODEL="$model" TOKENIZER="$tok" TIMEOUT=0 \
    ARGS='--exit --verbose -t 0 -n 1 -i "Lily'\''s dog said \"hi\""' > /dev/null
model_size=$(stat -c %s "$model")
tok_size=$(stat -c %s "$tok")

for fw in uefi bios usb; do
    boot basic "$fw"
    expect_rc "boot:$fw:exit-success" 0
    expect "boot:$fw:banner" "llama2 bare-metal kernel: started by multiboot2"
    expect_re "boot:$fw:machine-line" "^machine: .+, 2 cores, [0-9]+ MiB RAM, [0-9]+x[0-9]+ screen$"
    expect_re "boot:$fw:cpu-line" "^cpu: .+ \[sse2.*\]"
    expect_re "boot:$fw:memory-line" "^memory: [0-9.]+ MiB usable RAM"
    expect "boot:$fw:model-module" "module: model, $model_size bytes at"
    expect "boot:$fw:tokenizer-module" "module: tokenizer, $tok_size bytes at"
    expect_re "boot:$fw:flags-parsed" '^flags: -t 0 -p 0.9 -s [0-9]+ \(from the clock\) -n 1 -m generate -i "Lily'\''s dog said \\"hi\\"" --threads 0 --exit --verbose$'
    expect "boot:$fw:config-line" "config: dim=64 hidden_dim=172 n_layers=5 n_heads=8 n_kv_heads=4 vocab_size=512 seq_len=512"
done
