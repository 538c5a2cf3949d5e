#!/usr/bin/env bash
# The host program on GGUF files, end to end (the arithmetic against
# llama.cpp is build/host/tests/test_gguf_reference's):
#   - --tokenize prints llama.cpp's prompt ids for every case of
#     ../shared/reference/gguf/cases.tsv;
#   - --dump-logits writes vocab_size floats;
#   - a story from each test model, and the timing line;
#   - -m chat with typed lines in the model's own template: the reply
#     begins with llama.cpp's greedy tokens for the same conversation
#     (up to the first near-tie), Llama 3 and Zephyr;
#   - broken files: one "error:" line naming the problem and exit 1.
set -u
cd "$(dirname "$0")/../.."
ref=../shared/reference/gguf
bin=build/host/llama2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass() { echo "PASS gguf-cli:$1"; }
fail() { echo "FAIL gguf-cli:$1: $2"; }

if ! make -s "$bin" > "$tmp/build.log" 2>&1; then
    fail build "make $bin failed: $(grep -m1 -E 'error' "$tmp/build.log")"
    exit 1
fi
model() { tools/find-model.sh "gguf/$1" 2>/dev/null; }

# ---------------------------------------------------------------- --tokenize
while IFS=$'\t' read -r golden mfile steps prompt; do
    [ -z "$golden" ] && continue
    m=$(model "$mfile")
    [ -n "$m" ] || { fail "tokenize:$golden" "$mfile not found"; continue; }
    if [[ "$prompt" == @* ]]; then prompt=$(cat "$ref/${prompt#@}"; echo x); prompt=${prompt%x}; fi
    want=$(sed -n 's/^prompt //p' "$ref/$golden")
    got=$("$bin" "$m" --tokenize "$prompt" 2> "$tmp/err")
    if [ "$got" = "$want" ]; then pass "tokenize:${golden%.txt}"
    else fail "tokenize:${golden%.txt}" "ids differ: got [${got:0:120}] want [${want:0:120}] $(head -c 200 "$tmp/err")"; fi
done < "$ref/cases.tsv"

# ---------------------------------------------------------------- logits, stories
m=$(model tinyllama-mini-Q4_K_M.gguf)
if "$bin" "$m" -t 0 -n 12 -i "Once upon a time" --dump-logits "$tmp/logits" > /dev/null 2>&1 &&
   [ "$(stat -c %s "$tmp/logits")" -eq $((32000 * 4)) ]; then pass dump-logits
else fail dump-logits "no file of 32000 floats"; fi

for f in stories15M-Q8_0.gguf stories15M-Q4_0.gguf stories15M-F16.gguf; do
    m=$(model "$f")
    if "$bin" "$m" -t 0 -n 60 -i "Lily and her dog" > "$tmp/out" 2> "$tmp/err" &&
       grep -q "^Lily and her dog" "$tmp/out" && [ "$(wc -w < "$tmp/out")" -gt 30 ] &&
       grep -Eq '^prompt: [0-9]+ tokens in [0-9.]+ s \([0-9.]+ tok/s\); generation: [0-9]+ tokens in [0-9.]+ s \([0-9.]+ tok/s\)$' "$tmp/err"; then
        pass "story:$f"
    else fail "story:$f" "$(head -c 200 "$tmp/out") | $(head -c 300 "$tmp/err")"; fi
done

# ---------------------------------------------------------------- chat
# The reply to the reference conversation (system "You are a storyteller.",
# user "Tell me a story about a cat.") must begin with the pieces of
# llama.cpp's greedy tokens up to the first near-tie (margin < 0.1).
expected_reply() {   # expected_reply GOLDEN: the bytes of the compared pieces
    python3 - "$1" <<'EOF'
import sys
pieces = []
for line in open(sys.argv[1]):
    f = line.rstrip("\n").split("\t")
    if len(f) != 3 or f[0] in ("prompt", "text"):
        continue
    if len(pieces) == 16 or float(f[1]) < 0.1:
        pieces.append(bytes.fromhex(f[2]) if all(c in "0123456789abcdef" for c in f[2]) else b"")
        break
    pieces.append(bytes.fromhex(f[2]) if all(c in "0123456789abcdef" for c in f[2]) else b"")
text = b"".join(pieces)
sys.stdout.buffer.write(text.lstrip(b" "))
EOF
}
for c in "llama3-mini-Q4_K_M.gguf llama3_mini_q4_k_m_chat_n32.txt" \
         "tinyllama-mini-Q4_K_M.gguf tinyllama_mini_q4_k_m_chat_n32.txt"; do
    set -- $c
    m=$(model "$1")
    expected_reply "$ref/$2" > "$tmp/want"
    printf 'You are a storyteller.\nTell me a story about a cat.\n' |
        "$bin" "$m" -m chat -t 0 -n 120 > "$tmp/out" 2> "$tmp/err"
    rc=$?
    python3 - "$tmp/out" "$tmp/want" <<'EOF'
import sys
out, want = open(sys.argv[1], "rb").read(), open(sys.argv[2], "rb").read()
marker = b"Assistant: "
i = out.find(marker)
sys.exit(0 if i >= 0 and len(want) > 8 and out[i + len(marker):].startswith(want) and
         out.startswith(b"Enter system prompt (optional): User: ") else 1)
EOF
    same=$?
    if [ $rc -eq 0 ] && [ $same -eq 0 ]; then pass "chat:$1"
    else fail "chat:$1" "reply does not begin with llama.cpp's: $(head -c 300 "$tmp/out" | tr '\n' ' ') | $(head -c 200 "$tmp/err")"; fi
done

# ---------------------------------------------------------------- broken files
python3 tests/data/make_bad_gguf.py "$tmp/bad" "$(model tinyllama-mini-Q4_K_M.gguf)"
rejects() {   # rejects FILE TEXT
    "$bin" "$tmp/bad/$1" -n 8 > "$tmp/out" 2> "$tmp/err"
    local rc=$?
    if [ $rc -eq 1 ] && [ "$(wc -l < "$tmp/err")" -eq 1 ] && grep -q "^error: .*$2" "$tmp/err" &&
       [ ! -s "$tmp/out" ]; then
        pass "error:${1%.gguf}"
    else fail "error:${1%.gguf}" "exit $rc, stderr: $(head -c 300 "$tmp/err")"; fi
}
rejects truncated.gguf "truncated"
rejects cut-tensor.gguf "runs past the end of the file"
rejects bad-magic.gguf "begins like a GGUF file but with \"GGUX\""
rejects version1.gguf "GGUF version 1 is not supported"
rejects unknown-type.gguf "type 99"
rejects missing-tensor.gguf "no tensor blk.1.ffn_up.weight"
rejects qwen2.gguf "architecture 'qwen2' is not supported"
