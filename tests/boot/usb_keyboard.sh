# USB keyboards on xHCI, on a machine without a PS/2 controller (q35 with
# i8042=off, as on UEFI-only PCs): a prompt typed through QMP send-key on a
# usb-kbd gets the host program's story, under UEFI and BIOS (each firmware
# leaves the controller its own way); the same with the keyboard behind two
# usb-hubs, one on the other; a keyboard plugged in after boot (behind the hub, then on a root
# port after the first one is pulled out) types too, with key repeat and
# Ctrl-U; Ctrl-D ends the session.
source "$(dirname "$0")/lib.sh"

flags="-t 0 -n 60"
model=$(model_path stories260K.bin)
tok=$(model_path tok512.bin)
host_story usb-quote.expected "Lily's dog said \"hi\""
host_story usb-dog.expected "Lily and her dog"
host_story usb-lily.expected "Lily"
make_iso usb-keyboard "--exit $flags --ask" > /dev/null

no_ps2="-machine i8042=off"
# no_ps2_line NAME: the boot report names no PS/2 keyboard (QEMU has none here)
no_ps2_line() {
    if grep -q "^keyboard: PS/2" "$LOG"; then fail "$1" "a PS/2 keyboard was reported in $LOG"; else pass "$1"; fi
}

# A keyboard on a root port, under both firmwares.
for fw in uefi bios; do
    boot_driven usb-keyboard "$fw" "QEMU_EXTRA=$no_ps2 -device qemu-xhci -device usb-kbd" -- \
        'wait=Prompt: ' "keys=Lilu\by's dog said \"hi\"\n" 'wait=Prompt: ' 'keys=\x04'
    expect_drive "usb:keyboard:$fw:prompted-twice"
    expect_rc "usb:keyboard:$fw:ctrl-d-ends-with-success" 0
    expect_re "usb:keyboard:$fw:found" "^keyboard: USB HID on xHCI port [0-9]+$"
    no_ps2_line "usb:keyboard:$fw:no-ps2"
    expect_story "usb:keyboard:$fw:matches-host" "$OUT/usb-quote.expected"
done

# Behind a hub that is behind a hub (two tiers of the route string).
boot_driven usb-keyboard uefi "QEMU_EXTRA=$no_ps2 -device qemu-xhci,id=x -device usb-hub,bus=x.0,port=1 \
-device usb-hub,bus=x.0,port=1.1 -device usb-kbd,bus=x.0,port=1.1.2" -- \
    'wait=Prompt: ' 'keys=Lily and her dog\n' 'wait=Prompt: ' 'keys=\x04'
expect_drive "usb:hub:prompted-twice"
expect_rc "usb:hub:ctrl-d-ends-with-success" 0
expect_re "usb:hub:hub-found" "^usb: USB 2 hub with 8 ports on xHCI port [0-9]+$"
expect_re "usb:hub:hub-on-the-hub-found" "^usb: USB 2 hub with 8 ports on xHCI port [0-9]+, hub port 1$"
expect_re "usb:hub:keyboard-found" "^keyboard: USB HID on xHCI port [0-9]+, hub ports 1\.2$"
expect_story "usb:hub:matches-host" "$OUT/usb-dog.expected"

# Plugged in after boot: behind the hub (a held key repeats; Ctrl-U erases
# the line), then pulled out, and another on a root port ends the session.
boot_driven usb-keyboard bios "QEMU_EXTRA=$no_ps2 -device qemu-xhci,id=x -device usb-hub,bus=x.0,port=1" -- \
    'wait=Prompt: ' 'qmp=device_add {"driver": "usb-kbd", "id": "k1", "bus": "x.0", "port": "1.3"}' \
    'wait=(plugged in)' 'hold=a 1500' 'keys=\x15Lily\n' 'wait=Prompt: ' \
    'qmp=device_del {"id": "k1"}' 'wait=unplugged' \
    'qmp=device_add {"driver": "usb-kbd", "id": "k2", "bus": "x.0", "port": "2"}' \
    'wait=(plugged in)' 'keys=\x04'
expect_drive "usb:hotplug:every-step"
expect_rc "usb:hotplug:ctrl-d-ends-with-success" 0
expect "usb:hotplug:none-at-boot" "no USB keyboard is plugged in (one plugged in later works)"
expect_re "usb:hotplug:behind-the-hub" "keyboard: USB HID on xHCI port [0-9]+, hub port 3 \(plugged in\)$"
expect_re "usb:hotplug:key-repeat" "a{5,}"
expect_story "usb:hotplug:ctrl-u-then-prompt-matches-host" "$OUT/usb-lily.expected"
expect_re "usb:hotplug:pulled-out" "keyboard: USB HID on xHCI port [0-9]+, hub port 3 unplugged$"
expect_re "usb:hotplug:root-port" "keyboard: USB HID on xHCI port [0-9]+ \(plugged in\)$"
