# Stories on bare metal: the kernel's serial output holds, byte for byte,
# what llama2.c's run prints (../shared/reference), for stories260K under
# UEFI and BIOS (story_15m.sh has the stories15M cases); and a prompt with
# spaces, an apostrophe and double quotes survives make, grub.cfg and GRUB's
# re-quoting to give the host program's story.
source "$(dirname "$0")/lib.sh"

boot_reference_cases stories260K.bin "uefi bios"

# The prompt through `make iso ARGS=...`, compared with the host program.
model=$(model_path stories260K.bin)
tok=$(model_path tok512.bin)
make -s iso ISO="$OUT/story-quotes.iso" MODEL="$model" TOKENIZER="$tok" TIMEOUT=0 \
    ARGS='--exit -t 0 -n 60 -i "Lily'\''s dog said \"hi\""' > /dev/null
"$ROOT/build/host/llama2" "$model" -z "$tok" -t 0 -n 60 -i "Lily's dog said \"hi\"" \
    > "$OUT/story-quotes.expected" 2> /dev/null
boot story-quotes uefi
expect_rc "story:quotes:exit-success" 0
expect "story:quotes:prompt-echoed" "Lily's dog said \"hi\""
expect_story "story:quotes:matches-host" "$OUT/story-quotes.expected"
