# Bad input on bare metal: every case ends in one "error:" line that says
# what is wrong and what to do, and a failure exit (status 1) — never a hang,
# a triple fault or a story from garbage. Most cases boot under SeaBIOS (the
# faster firmware here); a representative subset under UEFI too.
source "$(dirname "$0")/lib.sh"

m260=$(model_path stories260K.bin)
t512=$(model_path tok512.bin)
m15=$(model_path stories15M.bin)
t32k=$(model_path tokenizer.bin)
bad=$OUT/bad
python3 "$ROOT/tests/data/make_bad_files.py" "$bad" "$m260" "$t512" "$m15"

# rejects NAME FIRMWARES ERROR-TEXT ISO-ARGS [MODEL TOKENIZER [VAR=value...]]
rejects() {
    local name=$1 fws=$2 text=$3 args=$4 model=${5:-$m260} tok=${6:-$t512}
    shift 6 2>/dev/null || shift $#
    make_iso "bad-$name" "--exit $args" "$model" "$tok" > /dev/null
    for fw in $fws; do
        boot "bad-$name" "$fw" TIMEOUT=120 "$@"
        expect_rc "bad:$name:$fw:failure-exit" 1
        expect "bad:$name:$fw:message" "$text"
        if grep -q "^achieved tok/s" "$LOG"; then fail "bad:$name:$fw:no-story" "a story was told"
        else pass "bad:$name:$fw:no-story"; fi
    done
}

# ---- modules
MODULES="" rejects no-modules "uefi bios" "error: no modules named 'model' and 'tokenizer'" ""
expect "bad:no-modules:grub-lines" "module2 /boot/tokenizer.bin tokenizer"
MODULES="model.bin:model" rejects only-model bios "error: no module named 'tokenizer'" ""
MODULES="model.bin:modle tokenizer.bin:tokenizer" rejects misspelled bios "module2 /boot/model.bin model" ""
MODULES="model.bin:tokenizer tokenizer.bin:model" rejects swapped bios "are swapped" ""

# ---- checkpoint
rejects truncated bios "error: model: checkpoint is 500000 bytes but" "" "$bad/truncated.bin"
rejects random bios "error: model: checkpoint config has dim" "" "$bad/random.bin"
rejects tokenizer-as-model bios "error: model:" "" "$t512"
# Every absurd field is a host test (the kernel runs the same validator); a few boot.
for f in dimneg heads_indivisible seqhuge; do
    rejects "config-$f" bios "error: model: checkpoint" "" "$bad/$f.bin"
done
rejects v1-bad-magic bios "error: model:" "" "$bad/v1_badmagic.bin"
rejects v1-bad-version bios "error: model: checkpoint has the llama2.c magic but version 7" "" "$bad/v1_badversion.bin"
rejects extra-bytes bios "extra bytes at the end" "" "$bad/extra.bin"

# ---- tokenizer
rejects tok-truncated bios "error: tokenizer: tokenizer file ends inside token" "" "$m260" "$bad/tok_truncated.bin"
rejects tok-random bios "error: tokenizer:" "" "$m260" "$bad/tok_random.bin"
rejects tok-other-vocab uefi "error: tokenizer:" "" "$m15" "$t512"
rejects tok-long-token bios "outside 0..max_token_length" "" "$m260" "$bad/tok_longtoken.bin"

# ---- memory: seq_len 32768 at -n 0 needs ~450 MiB of KV cache
rejects too-little-ram uefi "error: not enough memory" "-n 0" "$bad/seq32k.bin" "$t32k" MEM=256M
expect_re "bad:too-little-ram:mib" "need [0-9.]+ MiB .* largest free block is [0-9.]+ MiB"

# ---- flags
rejects unknown-flag bios 'error: unknown flag "--bogus"' "--bogus 3"
expect "bad:unknown-flag:lists-flags" "valid flags: [-t temperature] [-p topp]"
rejects missing-value bios "error: -n" "-t 0 -n"
rejects not-a-number bios "error: -t: \"warm\" is not a number" "-t warm"
rejects bad-simd bios "error: --simd" "--simd mmx"
# QEMU's TCG offers no AMX: a level the CPU lacks is refused with its reason
rejects no-amx uefi "error: --simd amx: this CPU (or its OS) offers no AMX-INT8 tiles" "--simd amx"

# A quote that does not close would break grub.cfg itself (GRUB stops at its
# prompt): make iso refuses such ARGS before writing the ISO.
if ARGS='-i "unbalanced' MODEL=$m260 TOKENIZER=$t512 "$ROOT/tools/make-iso.sh" "$OUT/never.iso" "$KERNEL" 2> "$OUT/never.err"; then
    fail "bad:unbalanced-quote:make-iso" "make-iso.sh accepted ARGS with an unbalanced quote"
elif grep -q "^error: ARGS" "$OUT/never.err"; then pass "bad:unbalanced-quote:make-iso"
else fail "bad:unbalanced-quote:make-iso" "no error: line: $(cat "$OUT/never.err")"; fi
