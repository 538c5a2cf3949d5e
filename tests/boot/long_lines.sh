# Long command lines and long console lines: a 7.4 KB -i prompt (longer
# than the kernel's old 4096-byte buffer) is accepted and gives the host
# program's story; its echo in the "command line:" and "flags:" lines is
# cut with a visible mark and still ends its line, so that an error after
# it begins a line of its own; thousands of arguments are accepted; what
# truly cannot fit (a chat prompt longer than run.c's 511-byte buffer)
# still ends in one error: line. Every run ends with its outcome: line.
# (The prompt is mostly digits, which the tokenizer does not merge: a 7 KB
# prompt of words takes a minute to encode under TCG, run.c's quadratic
# merge loop, and that is not what this test is about.)
source "$(dirname "$0")/lib.sh"

model=$(model_path stories260K.bin)
tok=$(model_path tok512.bin)
prompt="Once upon a time, Lily counted to $(python3 -c "print('0123456789' * 740)") and then she"
len=${#prompt}

# one_error NAME: exactly one line holds "error:", and it begins with it.
one_error() {
    local all at_start
    all=$(grep -c "error:" "$LOG"); at_start=$(grep -c "^error: " "$LOG")
    if [ "$all" = 1 ] && [ "$at_start" = 1 ]; then pass "$1"
    else fail "$1" "$all lines hold error:, $at_start begin with it (log: $LOG)"; fi
}
# no_error NAME: no line holds "error:".
no_error() {
    if grep -q "error:" "$LOG"; then fail "$1" "$(grep -m1 "error:" "$LOG" | head -c 200)"; else pass "$1"; fi
}

"$ROOT/build/host/llama2" "$model" -z "$tok" -t 0 -n 40 -i "$prompt" > "$OUT/long-prompt.expected" 2> /dev/null
make_iso long-prompt "--exit --verbose -t 0 -n 40 -i \"$prompt\"" > /dev/null
for fw in bios uefi; do
    boot long-prompt "$fw"
    expect_rc "long:prompt:$fw:exit-success" 0
    expect_story "long:prompt:$fw:same-story" "$OUT/long-prompt.expected"
    expect_re "long:prompt:$fw:command-line-cut" "^command line: --exit --verbose -t 0 -n 40 -i .*\.\.\. \[[0-9]+ bytes in all\]$"
    expect_re "long:prompt:$fw:flags-cut" "^flags: .* -i \"Once upon a time, Lily counted to 0123.*\"\.\.\. \[$len bytes in all\] --threads 0 --exit --verbose$"
    expect_re "long:prompt:$fw:outcome" "^outcome: ok$"
    no_error "long:prompt:$fw:no-error"
done

# The same line and an unknown flag at its end: the error begins a line.
make_iso long-bad "--exit --verbose -t 0 -i \"$prompt\" --bogus" > /dev/null
boot long-bad bios
expect_rc "long:bad-flag:exit-error" 1
expect_re "long:bad-flag:error-line" '^error: unknown flag "--bogus"; valid flags: '
one_error "long:bad-flag:one-error-line"
n=$(grep -c "command line:" "$LOG")
if [ "$n" = 1 ] && grep -q "^command line: " "$LOG"; then pass "long:bad-flag:echo-once"
else fail "long:bad-flag:echo-once" "$n lines hold 'command line:' (log: $LOG)"; fi
expect_re "long:bad-flag:outcome" "^outcome: error$"

# 2400 arguments, 6 KB (the old limits: 64 arguments, 4096 bytes); the last -t wins.
many=$(printf -- '-t 1 %.0s' $(seq 1199))
"$ROOT/build/host/llama2" "$model" -z "$tok" -t 0 -n 30 > "$OUT/long-args.expected" 2> /dev/null
make_iso long-args "--exit -n 30 $many -t 0" > /dev/null
boot long-args bios
expect_rc "long:many-args:exit-success" 0
expect_re "long:many-args:last-wins" "^flags: -t 0 -p 0.9 -s [0-9]+ \(from the clock\) -n 30 "
expect_story "long:many-args:same-story" "$OUT/long-args.expected"

# What cannot fit still stops with an error: a chat prompt over 511 bytes.
make_iso long-chat "--exit -m chat -i \"$prompt\"" > /dev/null
boot long-chat bios
expect_rc "long:chat-prompt:exit-error" 1
expect_re "long:chat-prompt:error-line" "^error: the prompt \(-i\) is $len bytes; chat mode takes at most 511"
one_error "long:chat-prompt:one-error-line"
expect_re "long:chat-prompt:outcome" "^outcome: error$"
