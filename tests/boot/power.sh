# The end of a run on a machine without --exit: the kernel asks for a key on
# every console, reboots through the ACPI reset register (QEMU, run with
# -no-reboot, then ends with a guest reset) or, for 'p', switches off through
# ACPI S5 from the FADT and the DSDT's \_S5_ (QEMU ends with a guest
# shutdown); after an error too. Keys from the serial port and the keyboard.
source "$(dirname "$0")/lib.sh"

# expect_event NAME REASON: QEMU reported a SHUTDOWN event with that reason.
expect_event() {
    if grep -q "\"event\": \"SHUTDOWN\".*\"reason\": \"$2\"" "$EVENTS" 2>/dev/null; then pass "$1"
    else fail "$1" "no SHUTDOWN event with reason $2 in $EVENTS: $(tr '\n' ' ' < "$EVENTS" 2>/dev/null | head -c 300)"; fi
}
offer="press a key to reboot, or p to power off"

make_iso power "--verbose -t 0 -n 20" > /dev/null   # the power: line is a detail
boot_driven power bios TIMEOUT=120 -- "wait=$offer" 'send=x'
expect_drive "power:reboot:bios:offered"
expect_re "power:reboot:bios:tables" "^power: reboot by ACPI reset register \(I/O 0xcf9 = 0x[0-9a-f]+\); power off by ACPI S5"
expect "power:reboot:bios:acpi-reset" "rebooting through the ACPI reset register"
if grep -q "rebooting through the keyboard controller" "$LOG"; then
    fail "power:reboot:bios:first-try" "the ACPI reset did not reset (log: $LOG)"
else pass "power:reboot:bios:first-try"; fi
expect_event "power:reboot:bios:guest-reset" guest-reset
expect_rc "power:reboot:bios:qemu-ended" 3

for fw in uefi bios; do
    if [ $fw = uefi ]; then key='send=p'; how=serial; else key='keys=p'; how=keyboard; fi
    boot_driven power $fw TIMEOUT=120 -- "wait=$offer" "$key"
    expect_drive "power:off:$fw:$how:offered"
    expect "power:off:$fw:$how:s5" "powering off through ACPI S5"
    expect_event "power:off:$fw:$how:guest-shutdown" guest-shutdown
    if grep -q "did not switch off" "$LOG"; then fail "power:off:$fw:$how:first-try" "see $LOG"
    else pass "power:off:$fw:$how:first-try"; fi
done

# After an error, the same offer (a person fixes the flags with e in GRUB).
make_iso power-error "-t 0 --bogus" > /dev/null
boot_driven power-error bios TIMEOUT=120 -- "wait=$offer" 'send=\r'
expect_drive "power:after-error:offered"
expect_re "power:after-error:error-line" "^error: unknown flag \"--bogus\""
expect_event "power:after-error:guest-reset" guest-reset
