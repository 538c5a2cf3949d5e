#!/usr/bin/env python3
"""terminal-filter.py: copies QEMU's serial output (stdin) to the terminal
(stdout) without the terminal control sequences in it.

Under UEFI the firmware (OVMF) mirrors its text console to the serial port:
it clears the screen and sets a text mode (ESC[2J, ESC[=3h), colours its
lines and moves the cursor; GRUB's serial terminal clears the screen too.
On a person's terminal these wipe what was above (make's lines) and leave
it in the firmware's colours. The kernel itself writes none, so every
escape sequence is dropped: CSI sequences (ESC [ parameters intermediates
final), two- and three-byte ESC sequences, and OSC strings (ESC ] ... BEL
or ESC \\). Everything else, bytes that are not valid UTF-8 included, goes
through unchanged and at once (no line buffering: the story streams).
tools/qemu-run.sh uses it unless SERIAL_RAW=1."""
import os
import signal
import sys

ESC = 0x1B


class Filter:
    """A byte-level state machine, so that a sequence split across two
    reads is still recognised."""

    def __init__(self):
        self.state = "text"

    def feed(self, data):
        out = bytearray()
        for b in data:
            s = self.state
            if s == "text":
                if b == ESC:
                    self.state = "esc"
                else:
                    out.append(b)
            elif s == "esc":
                if b == ord("["):
                    self.state = "csi"
                elif b == ord("]"):
                    self.state = "osc"
                elif 0x20 <= b <= 0x2F:         # ESC ( B and the like: one more byte
                    self.state = "esc-final"
                elif b == ESC:
                    self.state = "esc"
                else:                           # ESC c, ESC 7, ...: done
                    self.state = "text"
            elif s == "esc-final":
                self.state = "text"
            elif s == "csi":
                if 0x40 <= b <= 0x7E:           # the final byte
                    self.state = "text"
                elif not 0x20 <= b <= 0x3F:     # not a CSI byte: the sequence was broken
                    self.state = "text"
                    if b == ESC:
                        self.state = "esc"
                    else:
                        out.append(b)
            elif s == "osc":
                if b == 0x07:
                    self.state = "text"
                elif b == ESC:
                    self.state = "osc-esc"
            elif s == "osc-esc":
                self.state = "text" if b == ord("\\") else "osc"
        return bytes(out)


def main():
    signal.signal(signal.SIGINT, signal.SIG_IGN)   # Ctrl-C is QEMU's: this ends when it does
    f = Filter()
    inp, out = sys.stdin.fileno(), sys.stdout.fileno()
    while True:
        data = os.read(inp, 65536)
        if not data:
            break
        clean = f.feed(data)
        try:
            while clean:
                clean = clean[os.write(out, clean):]
        except BrokenPipeError:
            break


if __name__ == "__main__":
    main()
