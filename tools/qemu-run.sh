#!/usr/bin/env bash
# qemu-run.sh ISO: boots the ISO in QEMU, the serial port on this terminal,
# and exits with the kernel's verdict, which a script can rely on:
#   exit 0   the kernel finished and said "outcome: ok" (isa-debug-exit 0)
#   exit 1   the kernel reported an error, "outcome: error" (status 1)
#   exit 2   the kernel reported a CPU exception, "outcome: exception" (status 2)
#   exit 3   QEMU stopped without the kernel's word: triple fault, reset, power off
#   exit 4   nothing was booted: a bad setting, a missing file, or QEMU did not start
#   exit 124 time-out
# (The kernel leaves QEMU through its exit port only under --exit, which
# `make run` adds.) What the terminal shows has the firmware's escape codes
# taken out (tools/terminal-filter.py); SERIAL_LOG keeps every byte.
# Environment (all optional):
#   FIRMWARE=uefi|bios|usb   uefi (default): OVMF, ISO as CD; bios: SeaBIOS;
#                            usb: OVMF with the ISO as a USB mass-storage stick
#   SMP (default: host cores) MEM (512M) CPU (max) ACCEL (tcg)
#   TIMEOUT (seconds, 600)   SERIAL_LOG (file: serial output goes there too)
#   VIEW=none|window|gtk|sdl|vnc  the screen: none (default); a window (gtk,
#                            else sdl; VNC when neither can open here); a VNC
#                            server on 127.0.0.1, the first free port from 5900
#   SERIAL_RAW=1             the serial output on the terminal byte for byte
#   SERIAL_INPUT (path: COM1 is a unix socket there instead, QEMU the server,
#                 and QEMU waits for a client before it starts: what the
#                 client writes is typed on the serial port, what the kernel
#                 prints goes to the client, and still to SERIAL_LOG (QEMU's
#                 log of a socket now and then repeats a byte: the client's
#                 copy is the exact one); e.g. socat -,raw,echo=0 unix-connect:PATH)
#   QMP_SOCKET (path: a QEMU monitor socket, for screendump and sendkey)
#   QEMU_EXTRA (more QEMU arguments, split on spaces)
#   MEDIA=cd|disk|nvme       cd (default): uefi and bios boot the image as a CD;
#                            disk: as the PC's SATA disk (make disk's image;
#                            writes are discarded); nvme: as an NVMe drive
#                            (the same). usb is a stick either way.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
nothing() { echo "error: $*" >&2; exit 4; }   # nothing was booted
iso=${1:-}
[ -n "$iso" ] || nothing "usage: qemu-run.sh ISO"
[ -f "$iso" ] || nothing "$iso does not exist; run make iso first"
firmware=${FIRMWARE:-uefi}
smp=${SMP:-$(nproc)}
mem=${MEM:-512M}
cpu=${CPU:-max}
accel=${ACCEL:-tcg}
timeout_s=${TIMEOUT:-600}
view=${VIEW:-none}

ovmf_code=/usr/share/OVMF/OVMF_CODE_4M.fd
ovmf_vars=/usr/share/OVMF/OVMF_VARS_4M.fd
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
log=${SERIAL_LOG:-$work/serial.log}   # read at the end for the kernel's outcome line

# The standard VGA with 64 MiB of video memory: enough for a 3840x2160
# framebuffer at 32 bpp (33 MB; QEMU's default 16 MiB stops at 1920x1080).
# No network card: the kernel has no use for one, and OVMF would load the
# card's iPXE driver first (1.7 s of every UEFI boot under TCG).
args=(-M q35 -m "$mem" -smp "$smp" -cpu "$cpu" -no-reboot -nic none
      -vga none -device VGA,vgamem_mb=64
      -device isa-debug-exit,iobase=0xf4,iosize=4)
case "$accel" in
  tcg) args+=(-accel tcg,thread=multi) ;;
  *)   args+=(-accel "$accel") ;;
esac

# ---------------------------------------------------------------- the screen
has_display() { qemu-system-x86_64 -display help 2>/dev/null | grep -qx "$1"; }
# why_no_window UI: empty when QEMU can open a UI window here, else why not.
why_no_window() {
    if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
        echo "no graphical session (DISPLAY and WAYLAND_DISPLAY are unset)"
    elif ! has_display "$1"; then
        echo "this QEMU has no $1 display (Debian: apt-get install qemu-system-gui)"
    fi
}
vnc() {
    local port=5900
    while [ $port -lt 6000 ] && (exec 3<> "/dev/tcp/127.0.0.1/$port") 2> /dev/null; do
        port=$((port + 1))
    done
    [ $port -lt 6000 ] || nothing "VIEW=vnc: no free port from 5900 to 5999"
    args+=(-display none -vnc "127.0.0.1:$((port - 5900))")
    echo "qemu-run: the screen is on VNC at 127.0.0.1:$port (e.g. vncviewer 127.0.0.1:$((port - 5900)))" >&2
}
case "$view" in
  none) args+=(-display none) ;;
  gtk|sdl)
    why=$(why_no_window "$view")
    [ -z "$why" ] || nothing "VIEW=$view: $why; VIEW=vnc works without one"
    args+=(-display "$view") ;;
  window)
    ui=""
    for u in gtk sdl; do [ -z "$(why_no_window $u)" ] && ui=$u && break; done
    if [ -n "$ui" ]; then args+=(-display "$ui")
    else echo "qemu-run: no window: $(why_no_window gtk); showing the screen on VNC instead" >&2; vnc; fi ;;
  vnc) vnc ;;
  *) nothing "VIEW must be none, window, gtk, sdl or vnc, not '$view'" ;;
esac

# ---------------------------------------------------------------- firmware
uefi() {
    [ -f "$ovmf_code" ] || nothing "$ovmf_code is missing; install the ovmf package"
    cp "$ovmf_vars" "$work/vars.fd"
    args+=(-drive "if=pflash,format=raw,unit=0,readonly=on,file=$ovmf_code"
           -drive "if=pflash,format=raw,unit=1,file=$work/vars.fd")
}
media=(-cdrom "$iso")
case "${MEDIA:-cd}" in
  cd) ;;
  disk) media=(-drive "if=none,id=disk0,format=raw,snapshot=on,file=$iso"
               -device ide-hd,drive=disk0,bus=ide.0,bootindex=0) ;;
  nvme) media=(-drive "if=none,id=disk0,format=raw,snapshot=on,file=$iso"
               -device nvme,drive=disk0,serial=llama2,bootindex=0) ;;
  *) echo "error: MEDIA must be cd, disk or nvme, not '$MEDIA'" >&2; exit 1 ;;
esac
case "$firmware" in
  uefi) uefi; args+=("${media[@]}") ;;
  bios) args+=("${media[@]}") ;;
  usb)  uefi; args+=(-drive "if=none,id=stick,format=raw,readonly=on,file=$iso"
                     -device qemu-xhci -device usb-storage,drive=stick,bootindex=0) ;;
  *) nothing "FIRMWARE must be uefi, bios or usb, not '$firmware'" ;;
esac
[ -n "${QMP_SOCKET:-}" ] && args+=(-qmp "unix:$QMP_SOCKET,server=on,wait=off")
# shellcheck disable=SC2206
[ -n "${QEMU_EXTRA:-}" ] && args+=($QEMU_EXTRA)

# ---------------------------------------------------------------- the run
# to_terminal: what the serial port says, as the terminal should show it.
to_terminal() {
    if [ -n "${SERIAL_RAW:-}" ]; then cat; else python3 "$here/terminal-filter.py"; fi
}
: > "$log"
if [ -n "${SERIAL_INPUT:-}" ]; then
    rm -f "$SERIAL_INPUT"
    args+=(-chardev "socket,id=com1,path=$SERIAL_INPUT,server=on,wait=on,logfile=$log" -serial chardev:com1)
    timeout --foreground "$timeout_s" qemu-system-x86_64 "${args[@]}"
    rc=$?
elif [ -n "${SERIAL_LOG:-}" ]; then
    args+=(-serial "file:$log")
    timeout "$timeout_s" qemu-system-x86_64 "${args[@]}" < /dev/null &
    qemu=$!
    # -s 0.1: tail looks for QEMU's end every 0.1 s, not every second
    tail -f -s 0.1 --pid=$qemu -n +1 "$log" 2>/dev/null | to_terminal &
    tailer=$!
    wait $qemu
    rc=$?
    wait $tailer 2>/dev/null
else
    args+=(-chardev "stdio,id=com1,signal=on,logfile=$log" -serial chardev:com1)
    timeout --foreground "$timeout_s" qemu-system-x86_64 "${args[@]}" | to_terminal
    rc=${PIPESTATUS[0]}
fi

# The kernel's last line: QEMU's own failure to start also exits with 1,
# which is what the exit port makes of the kernel's 0. QEMU's log of a
# socket chardev (SERIAL_INPUT) now and then repeats a byte ("outcomme:
# ok"), so each character may come more than once.
said() {
    local want="outcome: $1" re="" i
    for ((i = 0; i < ${#want}; i++)); do re+="[${want:i:1}]+"; done
    tr -d '\r' < "$log" | grep -Eqx "$re"
}
case $rc in
  1)   said ok && exit 0
       nothing "QEMU stopped with status 1 before the kernel said 'outcome: ok': QEMU could not start (see its message above)" ;;
  3)   exit 1 ;;                       # (1 << 1) | 1: the kernel's error
  5)   exit 2 ;;                       # (2 << 1) | 1: a CPU exception
  124) echo "error: QEMU did not finish within $timeout_s s (TIMEOUT=$timeout_s)" >&2; exit 124 ;;
  0)   echo "error: QEMU stopped without the kernel's exit status (triple fault, reset or power off?)" >&2; exit 3 ;;
  *)   echo "error: QEMU exited with status $rc" >&2; exit 3 ;;
esac
