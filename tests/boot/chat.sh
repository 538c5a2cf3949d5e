# Chat (-m chat), as run.c: a conversation typed on the serial port gives the
# host program's -m chat output for the same lines on stdin, with the typed
# lines echoed after each guide as a terminal shows them. With --ask a new
# conversation follows when the steps run out; Ctrl-D ends it. And with the
# system and user prompts given as flags (-y, -i), nothing is read for the
# first turn. (stories260K is a story model: it never emits EOS, so the
# turns past the first are covered by tests/host/test_chat.c.)
source "$(dirname "$0")/lib.sh"

model=$(model_path stories260K.bin)
tok=$(model_path tok512.bin)
llama2() { "$ROOT/build/host/llama2" "$model" -z "$tok" "$@" 2> /dev/null; }

# expect_transcript NAME HOST-OUTPUT LINE...: the log holds the host's
# output with each LINE (and its newline) echoed after the next guide.
expect_transcript() {
    local name=$1 host=$2; shift 2
    if python3 - "$LOG" "$host" "$@" <<'PY'
import sys
log = open(sys.argv[1], 'rb').read()
out = open(sys.argv[2], 'rb').read()
lines = [l.encode() for l in sys.argv[3:]]
guides = [b'Enter system prompt (optional): ', b'User: ']
want, pos = b'', 0
for line in lines:
    found = [(out.find(g, pos), g) for g in guides if out.find(g, pos) >= 0]
    if not found:
        break
    i, g = min(found)
    want += out[pos:i + len(g)] + line + b'\n'
    pos = i + len(g)
want += out[pos:]
sys.exit(0 if want in log else 1)
PY
    then pass "$name"; else fail "$name" "the transcript in $LOG differs from $host with the typed lines"; fi
}

flags="-m chat -t 0 -n 80"
printf 'You tell stories.\nWho is Lily?\n' | llama2 $flags > "$OUT/chat.expected"
make_iso chat "--exit $flags --ask" > /dev/null
boot_driven chat bios -- 'wait=Enter system prompt (optional): ' 'send=You tell stories.\nWho is Lily?\n' \
    'wait=Enter system prompt (optional): ' 'send=\x04'
expect_drive "chat:serial:asked-again-after-the-steps"
expect_rc "chat:serial:ctrl-d-ends-with-success" 0
expect_transcript "chat:serial:matches-host" "$OUT/chat.expected" "You tell stories." "Who is Lily?"
expect "chat:serial:template-prints" "Assistant: "

flags="-m chat -t 0 -n 60 -y \"You are a storyteller.\" -i \"Tell me about a cat.\""
llama2 -m chat -t 0 -n 60 -y "You are a storyteller." -i "Tell me about a cat." < /dev/null > "$OUT/chat-flags.expected"
make_iso chat-flags "--exit $flags" > /dev/null
boot chat-flags bios
expect_rc "chat:flags:exit-success" 0
expect_story "chat:flags:matches-host" "$OUT/chat-flags.expected"
if grep -q "Enter system prompt\|User: " "$LOG"; then fail "chat:flags:nothing-read" "a guide in $LOG"
else pass "chat:flags:nothing-read"; fi
