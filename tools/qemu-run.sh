#!/usr/bin/env bash
# qemu-run.sh ISO: boots the ISO in QEMU and returns the kernel's verdict.
#   exit 0   the kernel finished and wrote 0 to the isa-debug-exit port
#   exit 1   the kernel reported an error (status 1)
#   exit 2   the kernel reported a CPU exception (status 2)
#   exit 3   QEMU stopped without the kernel's word: triple fault or reset
#   exit 124 time-out
# Environment (all optional):
#   FIRMWARE=uefi|bios|usb   uefi (default): OVMF, ISO as CD; bios: SeaBIOS;
#                            usb: OVMF with the ISO as a USB mass-storage stick
#   SMP (default: host cores) MEM (512M) CPU (max) ACCEL (tcg)
#   TIMEOUT (seconds, 600)   SERIAL_LOG (file: serial output goes there too)
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
iso=${1:?usage: qemu-run.sh ISO}
[ -f "$iso" ] || { echo "error: $iso does not exist; run make iso first" >&2; exit 1; }
firmware=${FIRMWARE:-uefi}
smp=${SMP:-$(nproc)}
mem=${MEM:-512M}
cpu=${CPU:-max}
accel=${ACCEL:-tcg}
timeout_s=${TIMEOUT:-600}

ovmf_code=/usr/share/OVMF/OVMF_CODE_4M.fd
ovmf_vars=/usr/share/OVMF/OVMF_VARS_4M.fd
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The standard VGA with 64 MiB of video memory: enough for a 3840x2160
# framebuffer at 32 bpp (33 MB; QEMU's default 16 MiB stops at 1920x1080).
args=(-M q35 -m "$mem" -smp "$smp" -cpu "$cpu" -no-reboot -display none
      -vga none -device VGA,vgamem_mb=64
      -device isa-debug-exit,iobase=0xf4,iosize=4)
case "$accel" in
  tcg) args+=(-accel tcg,thread=multi) ;;
  *)   args+=(-accel "$accel") ;;
esac
uefi() {
    [ -f "$ovmf_code" ] || { echo "error: $ovmf_code is missing; install the ovmf package" >&2; exit 1; }
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
  *) echo "error: FIRMWARE must be uefi, bios or usb, not '$firmware'" >&2; exit 1 ;;
esac
[ -n "${QMP_SOCKET:-}" ] && args+=(-qmp "unix:$QMP_SOCKET,server=on,wait=off")
# shellcheck disable=SC2206
[ -n "${QEMU_EXTRA:-}" ] && args+=($QEMU_EXTRA)

if [ -n "${SERIAL_INPUT:-}" ]; then
    rm -f "$SERIAL_INPUT"
    chardev="socket,id=com1,path=$SERIAL_INPUT,server=on,wait=on"
    [ -n "${SERIAL_LOG:-}" ] && : > "$SERIAL_LOG" && chardev+=",logfile=$SERIAL_LOG"
    args+=(-chardev "$chardev" -serial chardev:com1)
fi
if [ -n "${SERIAL_LOG:-}" ]; then
    : > "$SERIAL_LOG"
    [ -z "${SERIAL_INPUT:-}" ] && args+=(-serial "file:$SERIAL_LOG")
    timeout "$timeout_s" qemu-system-x86_64 "${args[@]}" < /dev/null &
    qemu=$!
    tail -f --pid=$qemu -n +1 "$SERIAL_LOG" 2>/dev/null &
    tailer=$!
    wait $qemu
    rc=$?
    wait $tailer 2>/dev/null
elif [ -n "${SERIAL_INPUT:-}" ]; then
    timeout --foreground "$timeout_s" qemu-system-x86_64 "${args[@]}"
    rc=$?
else
    timeout --foreground "$timeout_s" qemu-system-x86_64 "${args[@]}" -serial stdio
    rc=$?
fi

case $rc in
  1)   exit 0 ;;                       # (0 << 1) | 1: success
  3)   exit 1 ;;
  5)   exit 2 ;;
  124) echo "error: QEMU did not finish within $timeout_s s (TIMEOUT=$timeout_s)" >&2; exit 124 ;;
  0)   echo "error: QEMU stopped without the kernel's exit status (triple fault or reset?)" >&2; exit 3 ;;
  *)   echo "error: QEMU exited with status $rc" >&2; exit 3 ;;
esac
