#!/usr/bin/env bash
# usb-write.sh ISO DEV: writes the hybrid ISO to the USB stick DEV with dd,
# erasing it (make usb DEV=/dev/sdX). ISO may as well be make disk's image
# (make usb IMG=build/llama2-disk.img DEV=/dev/sdX): any image is written
# as it is, after the same checks. Refuses anything that does not look
# like a stick: DEV must be a whole disk (not a partition), removable or on
# USB, with nothing on it mounted (or used as swap). Then it shows what
# will be erased and asks for the device's name, or "yes", on stdin. The
# device is checked before the ISO: a wrong DEV is the mistake that matters,
# and the ISO is built by `make iso` as yourself, not under sudo.
#
# For tests (tests/host/usb_write.sh), never for use: USB_LSBLK is the lsblk
# command to ask (a fake one), USB_FAKE_DEVICE=1 skips the checks of the
# device node itself (exists, is a block device, writable), and USB_DRY_RUN=1
# prints the dd command instead of running it.
set -uo pipefail
iso=${1:-}
dev=${2:-}
lsblk_cmd=${USB_LSBLK:-lsblk}

die() { echo "error: $*" >&2; echo "error: nothing was written" >&2; exit 1; }

[ -n "$iso" ] || die "usage: usb-write.sh ISO DEV"
[ -n "$dev" ] || die "say which device is the stick: make usb DEV=/dev/sdX (lsblk lists them; the whole device, not sdX1)"
case "$dev" in
  /dev/*) ;;
  *) die "DEV must be a device path such as /dev/sdX, not '$dev'" ;;
esac
if [ -z "${USB_FAKE_DEVICE:-}" ]; then
    [ -e "$dev" ] || die "$dev does not exist (lsblk lists the devices)"
    [ -b "$dev" ] || die "$dev is not a block device (a regular file?); give the stick's device, e.g. /dev/sdX"
fi
command -v "${lsblk_cmd%% *}" > /dev/null || die "lsblk is missing (util-linux)"

# field KEY LINE: the value of KEY="..." in lsblk's -P (pairs) output.
field() {
    local re="(^| )$1=\"([^\"]*)\""
    [[ $2 =~ $re ]] && printf '%s' "${BASH_REMATCH[2]}"
}

info=$($lsblk_cmd -dnpP -o NAME,TYPE,RM,TRAN,SIZE,VENDOR,MODEL "$dev" 2>&1) ||
    die "lsblk cannot read $dev: $info"
type=$(field TYPE "$info") rm=$(field RM "$info") tran=$(field TRAN "$info")
size=$(field SIZE "$info") what="$(field VENDOR "$info") $(field MODEL "$info")"
what=$(echo $what)   # squeeze the padding lsblk leaves
case "$type" in
  disk) ;;
  part) die "$dev is a partition; give the whole device (e.g. /dev/sdX, not /dev/sdX1)" ;;
  *) die "$dev is a ${type:-device of unknown type}, not a whole disk" ;;
esac
if [ "$rm" != 1 ] && [ "$tran" != usb ]; then
    die "$dev ($size ${what:-disk}) is neither removable nor on USB (RM=${rm:-?}, TRAN=${tran:-none}): it may be an internal disk, refusing to erase it"
fi

# Nothing on it may be in use: the disk itself or any partition mounted or swap.
in_use=()
while IFS= read -r line; do
    [ -n "$line" ] || continue
    mp=$(field MOUNTPOINT "$line")
    [ -n "$mp" ] && in_use+=("$(field NAME "$line") on $mp")
done < <($lsblk_cmd -npP -o NAME,MOUNTPOINT "$dev" 2>/dev/null)
if [ ${#in_use[@]} -gt 0 ]; then
    die "$dev is in use: ${in_use[*]}; unmount it first (e.g. udisksctl unmount -b ${in_use[0]%% on *})"
fi
if [ -z "${USB_FAKE_DEVICE:-}" ] && [ ! -w "$dev" ]; then
    die "cannot write to $dev as $(id -un); run it as root: sudo make usb DEV=$dev"
fi
[ -f "$iso" ] || die "$iso does not exist; run make iso (or make disk, for IMG=build/llama2-disk.img) first, as yourself, not with sudo; then sudo make usb DEV=$dev"

iso_mb=$(( ($(stat -c %s "$iso") + 1048575) / 1048576 ))
echo "This erases everything on $dev: $size ${what:-disk}${tran:+, $tran}${rm:+, removable=$rm}."
echo "What is on it now:"
$lsblk_cmd -p -o NAME,SIZE,TYPE,FSTYPE,LABEL "$dev" 2>/dev/null | sed 's/^/    /'
echo "It will then hold $iso ($iso_mb MiB), which boots under UEFI and BIOS."
printf 'Type %s (or yes) to erase it and write the image: ' "${dev#/dev/}"
read -r answer || answer=""
if [ "$answer" != yes ] && [ "$answer" != "${dev#/dev/}" ] && [ "$answer" != "$dev" ]; then
    die "not confirmed (the answer was '${answer}')"
fi

cmd=(dd "if=$iso" "of=$dev" bs=4M conv=fsync status=progress)
if [ -n "${USB_DRY_RUN:-}" ]; then
    echo "dry run: ${cmd[*]}"
    exit 0
fi
"${cmd[@]}" || die "dd failed"
sync
echo "done: $dev holds the image; remove the stick and boot the machine from it"
