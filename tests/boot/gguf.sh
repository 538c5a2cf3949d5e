# GGUF models in the kernel, from the GGUF file alone (no tokenizer
# module): the story is the host program's for the same flags (the host
# program is checked against llama.cpp by tests/host), on the model of
# TinyLlama's layout under UEFI (and under BIOS on CPUs without AVX2 and
# without SSSE3),
# stories15M Q8_0 under BIOS and Q4_0 under UEFI; IQ4_NL and IQ4_XS models
# written by mkgguf; a chat in Llama 3's
# template typed over the serial port; the report of what the model is;
# and broken GGUF files, each ending in one error line and a failure exit.
source "$(dirname "$0")/lib.sh"

tl=$(model_path gguf/tinyllama-mini-Q4_K_M.gguf)
s15=$(model_path gguf/stories15M-Q8_0.gguf)
l3=$(model_path gguf/llama3-mini-Q4_K_M.gguf)
host() { "$ROOT/build/host/llama2" "$@" 2> /dev/null; }

# ---- stories
host "$tl" -t 0 -n 40 -i "Once upon a time" > "$OUT/gguf-tl.expected"
make_iso gguf-tl '--exit -t 0 -n 40 -i "Once upon a time"' "$tl" > /dev/null
boot gguf-tl uefi
expect_rc "gguf:tinyllama:uefi:exit-success" 0
expect_story "gguf:tinyllama:uefi:matches-host" "$OUT/gguf-tl.expected"
expect_re "gguf:tinyllama:uefi:report-model" "^model: GGUF v3, llama .*dim 256, hidden 768, 4 layers, 8 heads \(2 KV\), context 2048; vocabulary SentencePiece, 32000 tokens$"
expect_re "gguf:tinyllama:uefi:report-types" "^model: tensors .*Q4_K x[0-9]+.*Q6_K x[0-9]+; 13.2 MiB used in place; KV cache [0-9.]+ MiB for 40 steps"
expect_re "gguf:tinyllama:uefi:timing" "^prompt: [0-9]+ tokens in [0-9.]+ s \([0-9.]+ tok/s\); generation: [0-9]+ tokens in [0-9.]+ s \([0-9.]+ tok/s\)$"

# The same on a CPU without AVX2 (QEMU's Nehalem: SSE4.2, no AVX): the
# kernel picks the SSE4.1 kernels itself, and they give the same bits.
ln -f "$OUT/gguf-tl.iso" "$OUT/gguf-tl-sse4.iso"
boot gguf-tl-sse4 bios CPU=Nehalem
expect_rc "gguf:tinyllama:no-avx2:exit-success" 0
expect_story "gguf:tinyllama:no-avx2:matches-host" "$OUT/gguf-tl.expected"
expect_re "gguf:tinyllama:no-avx2:simd-sse4" "^stats: .* simd sse4, 2 cores$"
# On one with AVX but no AVX2 (QEMU's SandyBridge): the same level, its
# set VEX-encoded (sse4-avx: the kernel enables AVX's state), the same bits.
ln -f "$OUT/gguf-tl.iso" "$OUT/gguf-tl-sse4-avx.iso"
boot gguf-tl-sse4-avx bios CPU=SandyBridge
expect_rc "gguf:tinyllama:avx-no-avx2:exit-success" 0
expect_story "gguf:tinyllama:avx-no-avx2:matches-host" "$OUT/gguf-tl.expected"
expect_re "gguf:tinyllama:avx-no-avx2:simd-sse4" "^stats: .* simd sse4, 2 cores$"
# And on QEMU's default CPU model (qemu64: SSE2 and SSE3, no SSSE3): the
# SSE2 kernels, the same bits again.
ln -f "$OUT/gguf-tl.iso" "$OUT/gguf-tl-sse2.iso"
boot gguf-tl-sse2 bios CPU=qemu64
expect_rc "gguf:tinyllama:sse2-only:exit-success" 0
expect_story "gguf:tinyllama:sse2-only:matches-host" "$OUT/gguf-tl.expected"
expect_re "gguf:tinyllama:sse2-only:simd-sse2" "^stats: .* simd sse2, 2 cores$"

host "$s15" -t 0 -n 48 > "$OUT/gguf-s15.expected"
make_iso gguf-s15 '--exit -t 0 -n 48' "$s15" > /dev/null
boot gguf-s15 bios
expect_rc "gguf:stories15M-Q8_0:bios:exit-success" 0
expect_story "gguf:stories15M-Q8_0:bios:matches-host" "$OUT/gguf-s15.expected"
expect "gguf:stories15M-Q8_0:bios:once-upon-a-time" "Once upon a time"

# Q4_0: its weights rearranged in place in the module's memory (llama_model_prepare)
s15q4=$(model_path gguf/stories15M-Q4_0.gguf)
host "$s15q4" -t 0 -n 48 > "$OUT/gguf-s15q4.expected"
make_iso gguf-s15q4 '--exit -t 0 -n 48' "$s15q4" > /dev/null
boot gguf-s15q4 uefi
expect_rc "gguf:stories15M-Q4_0:uefi:exit-success" 0
expect_story "gguf:stories15M-Q4_0:uefi:matches-host" "$OUT/gguf-s15q4.expected"
expect_re "gguf:stories15M-Q4_0:uefi:report-types" "^model: tensors .*Q4_0 x[0-9]+"

# IQ4_NL and IQ4_XS: tests/data/gguf's models (written by mkgguf as its
# cases.tsv says, find-model.sh; llama.cpp's logits for them are checked on
# the host): SmolLM's 576 columns all IQ4_NL, TinyLlama's layout all
# IQ4_XS, each the host's story (under BIOS: the firmware is not what they
# test, and OVMF costs 6 s a boot under TCG).
for c in "smollm-mini-IQ4_NL.gguf bios IQ4_NL" "tinyllama-mini-IQ4_XS.gguf bios IQ4_XS"; do
    set -- $c
    iq=$(model_path "$1")
    host "$iq" -t 0 -n 24 -i "Once upon a time" > "$OUT/gguf-$3.expected"
    make_iso "gguf-$3" '--exit -t 0 -n 24 -i "Once upon a time"' "$iq" > /dev/null
    boot "gguf-$3" "$2"
    expect_rc "gguf:$3:$2:exit-success" 0
    expect_story "gguf:$3:$2:matches-host" "$OUT/gguf-$3.expected"
    expect_re "gguf:$3:$2:report-types" "^model: tensors $3 x[0-9]+, F32 x[0-9]+;"
done

# ---- chat in the model's template, typed
printf 'You are a storyteller.\nTell me a story about a cat.\n' |
    host "$l3" -m chat -t 0 -n 60 > "$OUT/gguf-chat.expected"
make_iso gguf-chat '--exit -m chat -t 0 -n 60 --ask' "$l3" > /dev/null
boot_driven gguf-chat bios -- 'wait=Enter system prompt (optional): ' \
    'send=You are a storyteller.\nTell me a story about a cat.\n' \
    'wait=Enter system prompt (optional): ' 'send=\x04'
expect_drive "gguf:chat:asked-again-after-the-steps"
expect_rc "gguf:chat:ctrl-d-ends-with-success" 0
expect "gguf:chat:format" "chat: Llama 3"
if python3 - "$LOG" "$OUT/gguf-chat.expected" <<'PY'
import sys
log, host = open(sys.argv[1], 'rb').read(), open(sys.argv[2], 'rb').read()
marker = b'Assistant: '
reply = host[host.index(marker) + len(marker):]
sys.exit(0 if reply in log and len(reply) > 20 else 1)
PY
then pass "gguf:chat:reply-matches-host"; else fail "gguf:chat:reply-matches-host" "the reply in $LOG is not the host's"; fi

# ---- broken files
bad=$OUT/bad-gguf
python3 "$ROOT/tests/data/make_bad_gguf.py" "$bad" "$tl"
rejects() {   # rejects NAME FIRMWARE TEXT
    make_iso "bad-gguf-$1" "--exit" "$bad/$1.gguf" > /dev/null
    boot "bad-gguf-$1" "$2" TIMEOUT=120
    expect_rc "gguf:bad:$1:$2:failure-exit" 1
    expect "gguf:bad:$1:$2:message" "$3"
}
rejects truncated bios "the file is truncated; download or convert it again"
rejects version1 bios "error: model: GGUF version 1 is not supported"
rejects qwen2 bios "error: model: GGUF model architecture 'qwen2' is not supported"
rejects missing-tensor bios "error: model: GGUF file has no tensor blk.1.ffn_up.weight"
rejects unknown-type uefi "has type 99"
