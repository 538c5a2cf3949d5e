#!/usr/bin/env bash
# tools/qemu-run.sh's verdict from QEMU's status and the kernel's last line,
# with a stand-in qemu-system-x86_64 first in PATH: it writes FAKE_SERIAL to
# the serial log and exits with FAKE_RC, as QEMU does after the kernel's
# isa-debug-exit (status << 1 | 1) or a reset (0).
cd "$(dirname "$0")/../.."
pass() { echo "PASS qemu-run:$1"; }
fail() { echo "FAIL qemu-run:$1: $2"; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/bin"
cat > "$work/bin/qemu-system-x86_64" <<'EOF'
#!/usr/bin/env bash
for a in "$@"; do
    case "$a" in file:*) printf '%b' "$FAKE_SERIAL" > "${a#file:}" ;; esac
done
exit "$FAKE_RC"
EOF
chmod +x "$work/bin/qemu-system-x86_64"
: > "$work/boot.iso"

# verdict NAME QEMU_STATUS SERIAL EXPECTED
verdict() {
    PATH="$work/bin:$PATH" FIRMWARE=bios SERIAL_LOG="$work/serial.log" FAKE_RC=$2 FAKE_SERIAL=$3 \
        tools/qemu-run.sh "$work/boot.iso" > /dev/null 2> "$work/err"
    local rc=$?
    if [ "$rc" = "$4" ]; then pass "$1"
    else fail "$1" "exit $rc, expected $4 ($(head -c 200 "$work/err"))"; fi
}

verdict ok 1 'story\r\noutcome: ok\r\n' 0
# QEMU's log of a socket chardev now and then repeats a byte
verdict ok-with-a-repeated-byte 1 'story\r\noutcomme: ok\r\n' 0
verdict no-outcome-is-nothing-booted 1 'qemu: could not open\n' 4
verdict not-ok-spelled-otherwise 1 'outcome: okay\n' 4
verdict kernel-error 3 'error: bad\noutcome: error\n' 1
verdict exception 5 'outcome: exception\n' 2
verdict reset-without-a-word 0 'story\n' 3
