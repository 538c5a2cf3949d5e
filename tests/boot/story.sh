# Stories on bare metal: the kernel's serial output holds, byte for byte,
# what llama2.c's run prints (../shared/reference), for stories260K under
# UEFI and BIOS and for every stories15M case under UEFI; and a prompt with
# spaces, an apostrophe and double quotes survives make, grub.cfg and GRUB's
# re-quoting to give the host program's story.
source "$(dirname "$0")/lib.sh"

# Every case of cases.tsv: stories260K under UEFI and BIOS, stories15M under UEFI.
while IFS=$'\t' read -r expected mfile tfile flags; do
    [[ -z "$expected" || "$expected" == \#* ]] && continue
    name=${expected%.txt}
    make_iso "story-$name" "--exit $flags" "$(model_path "$mfile")" "$(model_path "$tfile")" > /dev/null
    firmwares=uefi
    [[ "$mfile" == stories260K.bin ]] && firmwares="uefi bios"
    for fw in $firmwares; do
        boot "story-$name" "$fw" TIMEOUT=600
        expect_rc "story:$name:$fw:exit-success" 0
        expect_story "story:$name:$fw:matches-run.c" "$REFERENCE/$expected"
        expect_re "story:$name:$fw:tok/s" "^achieved tok/s: [0-9]+\.[0-9]{6}$"
        expect_re "story:$name:$fw:stats" "^stats: load and validate .* ms/token, simd [a-z0-9]+, [0-9]+ cores?"
    done
done < "$REFERENCE/cases.tsv"

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
