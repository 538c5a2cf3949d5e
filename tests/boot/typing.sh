# Typing a prompt (--ask): on the serial port and on the PS/2 keyboard
# (QEMU's i8042, keys sent through QMP), with line editing; each story is
# byte for byte the host program's for the same prompt (-i) and flags; an
# empty line (under --exit) or Ctrl-D ends the session.
source "$(dirname "$0")/lib.sh"

flags="-t 0 -n 60"
model=$(model_path stories260K.bin)
tok=$(model_path tok512.bin)
host_story typing-robot.expected "Once upon a time, there was a robot"
host_story typing-dog.expected "Lily and her dog"
host_story typing-quote.expected "Lily's dog said \"hi\""
make_iso typing "--exit --verbose $flags --ask" > /dev/null   # the keyboard: line is a detail

# Serial: a terminal's "\r\n" is one Enter; backspace (0x08 and 0x7f) edits;
# an empty line ends the session under --exit.
boot_driven typing bios -- 'wait=Prompt: ' 'send=Once upon a time, there was a robot\r\n' \
    'wait=Prompt: ' 'send=Lily and her cax\b\x7f\x7fdog\n' 'wait=Prompt: ' 'send=\n'
expect_drive "typing:serial:prompted-three-times"
expect_rc "typing:serial:empty-line-ends-with-success" 0
expect "typing:serial:echo" "Prompt: Once upon a time, there was a robot"
expect_story "typing:serial:robot-matches-host" "$OUT/typing-robot.expected"
expect_story "typing:serial:edited-prompt-matches-host" "$OUT/typing-dog.expected"
n=$(grep -c "^achieved tok/s" "$LOG")
if [ "$n" = 2 ]; then pass "typing:serial:two-stories"; else fail "typing:serial:two-stories" "$n stories in $LOG"; fi

# Keyboard, under both firmwares (each leaves the i8042 its own way):
# shift, a typo erased with Backspace, punctuation; Ctrl-D ends.
for fw in bios uefi; do
    boot_driven typing "$fw" -- 'wait=Prompt: ' "keys=Lilu\by's dog said \"hi\"\n" \
        'wait=Prompt: ' 'keys=\x04'
    expect_drive "typing:keyboard:$fw:prompted-twice"
    expect_rc "typing:keyboard:$fw:ctrl-d-ends-with-success" 0
    expect_re "typing:keyboard:$fw:controller" "^keyboard: PS/2 controller, scan code set [12]"
    expect_story "typing:keyboard:$fw:matches-host" "$OUT/typing-quote.expected"
done
