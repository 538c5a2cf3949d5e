#!/usr/bin/env bash
# make usb (tools/usb-write.sh) refuses what is not a USB stick: a regular
# file, a partition, an internal disk, a stick with a mounted partition or
# swap, a missing ISO (named only after the device is checked), no
# confirmation. The devices are made up: a fake lsblk answers for them, and
# the script's dry run replaces dd, so no device is ever touched. Also one
# real check: a real regular file.
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
iso=$tmp/llama2.iso
head -c 100000 /dev/zero > "$iso"

pass() { echo "PASS usb:$1"; }
fail() { echo "FAIL usb:$1: $2"; }

# fake_lsblk DISK_LINE [CHILD_LINE...]: an lsblk that describes the disk
# (-d) or the disk and its partitions, whatever the device asked for.
fake_lsblk() {
    {
        echo '#!/usr/bin/env bash'
        echo 'if [[ " $* " == *" -dnpP "* ]]; then'
        printf "  echo '%s'\n" "$1"
        echo 'else'
        for l in "$@"; do printf "  echo '%s'\n" "$l"; done
        echo 'fi'
    } > "$tmp/lsblk"
    chmod +x "$tmp/lsblk"
}

# run NAME EXPECT_RC PATTERN DEV [ANSWER]: runs the script with the fake
# lsblk and a dry run; checks the status and that the output matches.
run() {
    local name=$1 want=$2 pattern=$3 dev=$4 answer=${5:-}
    local out rc
    out=$(printf '%s\n' "$answer" | USB_LSBLK="$tmp/lsblk" USB_FAKE_DEVICE=1 USB_DRY_RUN=1 \
          tools/usb-write.sh "$iso" "$dev" 2>&1)
    rc=$?
    if [ "$rc" = "$want" ] && grep -qE -- "$pattern" <<< "$out"; then pass "$name"
    else fail "$name" "status $rc (want $want), output: $(tr '\n' '|' <<< "$out" | head -c 400)"; fi
}

stick='NAME="/dev/sdz" TYPE="disk" RM="1" TRAN="usb" SIZE="7.5G" VENDOR="SanDisk " MODEL="Cruzer Blade"'

# A real regular file is not a block device (no fakes here).
out=$(USB_DRY_RUN=1 tools/usb-write.sh "$iso" "$iso" 2>&1); rc=$?
if [ $rc = 1 ] && grep -q "DEV must be a device path" <<< "$out"; then pass "regular-file-outside-dev"
else fail "regular-file-outside-dev" "status $rc: $out"; fi
out=$(USB_DRY_RUN=1 tools/usb-write.sh "$iso" /dev/null 2>&1); rc=$?
if [ $rc = 1 ] && grep -q "not a block device" <<< "$out"; then pass "character-device"
else fail "character-device" "status $rc: $out"; fi
if [ -w /dev ] && touch /dev/llama2-usb-test-$$ 2>/dev/null; then
    out=$(USB_DRY_RUN=1 tools/usb-write.sh "$iso" /dev/llama2-usb-test-$$ 2>&1); rc=$?
    rm -f /dev/llama2-usb-test-$$
    if [ $rc = 1 ] && grep -q "not a block device (a regular file?)" <<< "$out"; then pass "regular-file-in-dev"
    else fail "regular-file-in-dev" "status $rc: $out"; fi
fi

fake_lsblk "$stick" 'NAME="/dev/sdz1" MOUNTPOINT=""'
run good-stick-confirmed-by-name 0 "dry run: dd if=$iso of=/dev/sdz bs=4M conv=fsync" /dev/sdz sdz
run good-stick-confirmed-by-yes 0 "dry run: dd" /dev/sdz yes
run says-what-it-erases 0 "erases everything on /dev/sdz: 7.5G SanDisk Cruzer Blade, usb" /dev/sdz yes
run not-confirmed 1 "not confirmed" /dev/sdz no
run empty-answer 1 "not confirmed" /dev/sdz ""
run no-device-given 1 "say which device" ""

fake_lsblk 'NAME="/dev/sdz1" TYPE="part" RM="1" TRAN="" SIZE="7.5G" VENDOR="" MODEL=""'
run partition 1 "is a partition; give the whole device" /dev/sdz1 yes

fake_lsblk 'NAME="/dev/nvme0n1" TYPE="disk" RM="0" TRAN="nvme" SIZE="476.9G" VENDOR="" MODEL="Samsung SSD"'
run internal-disk 1 "neither removable nor on USB" /dev/nvme0n1 yes

fake_lsblk 'NAME="/dev/sda" TYPE="disk" RM="0" TRAN="usb" SIZE="1T" VENDOR="WD" MODEL="Passport"'
run usb-disk-not-removable-flag 0 "dry run: dd" /dev/sda yes

fake_lsblk 'NAME="/dev/loop0" TYPE="loop" RM="0" TRAN="" SIZE="20M" VENDOR="" MODEL=""'
run loop-device 1 "is a loop, not a whole disk" /dev/loop0 yes

fake_lsblk "$stick" 'NAME="/dev/sdz" MOUNTPOINT=""' 'NAME="/dev/sdz1" MOUNTPOINT="/media/me/STICK"'
run mounted-partition 1 "in use: /dev/sdz1 on /media/me/STICK; unmount it first" /dev/sdz yes

fake_lsblk "$stick" 'NAME="/dev/sdz" MOUNTPOINT=""' 'NAME="/dev/sdz2" MOUNTPOINT="[SWAP]"'
run swap-partition 1 "in use: /dev/sdz2 on \[SWAP\]" /dev/sdz yes

fake_lsblk "$stick" 'NAME="/dev/sdz" MOUNTPOINT="/mnt"'
run mounted-whole-disk 1 "in use: /dev/sdz on /mnt" /dev/sdz yes

fake_lsblk "$stick"
out=$(USB_LSBLK="$tmp/lsblk" USB_FAKE_DEVICE=1 USB_DRY_RUN=1 tools/usb-write.sh "$tmp/none.iso" /dev/sdz < /dev/null 2>&1); rc=$?
if [ $rc = 1 ] && grep -q "does not exist; run make iso" <<< "$out"; then pass "missing-iso"
else fail "missing-iso" "status $rc: $out"; fi

# A bad DEV is named before a missing ISO (no ISO built yet is the usual case).
out=$(USB_DRY_RUN=1 tools/usb-write.sh "$tmp/none.iso" /dev/null 2>&1); rc=$?
if [ $rc = 1 ] && grep -q "not a block device" <<< "$out" && ! grep -q "none.iso" <<< "$out"; then
    pass "device-checked-before-iso"
else fail "device-checked-before-iso" "status $rc: $out"; fi
out=$(USB_DRY_RUN=1 tools/usb-write.sh "$tmp/none.iso" "" 2>&1); rc=$?
if [ $rc = 1 ] && grep -q "say which device" <<< "$out"; then pass "no-device-before-iso"
else fail "no-device-before-iso" "status $rc: $out"; fi
fake_lsblk 'NAME="/dev/nvme0n1" TYPE="disk" RM="0" TRAN="nvme" SIZE="476.9G" VENDOR="" MODEL="Samsung SSD"'
run_iso_missing() {
    USB_LSBLK="$tmp/lsblk" USB_FAKE_DEVICE=1 USB_DRY_RUN=1 tools/usb-write.sh "$tmp/none.iso" "$1" < /dev/null 2>&1
}
out=$(run_iso_missing /dev/nvme0n1); rc=$?
if [ $rc = 1 ] && grep -q "neither removable nor on USB" <<< "$out"; then pass "internal-disk-before-iso"
else fail "internal-disk-before-iso" "status $rc: $out"; fi

# make usb passes DEV through (the refusal comes from the script), also
# when there is no ISO yet
out=$(make -s usb ISO="$iso" DEV=/dev/null 2>&1); rc=$?
if [ $rc -ne 0 ] && grep -q "not a block device" <<< "$out"; then pass "make-usb"
else fail "make-usb" "status $rc: $out"; fi

# make usb IMG=... writes that image instead of the ISO (make disk's)
fake_lsblk "$stick"
out=$(printf 'sdz\n' | USB_LSBLK="$tmp/lsblk" USB_FAKE_DEVICE=1 USB_DRY_RUN=1 \
      make -s usb ISO="$tmp/none.iso" IMG="$iso" DEV=/dev/sdz 2>&1); rc=$?
if [ $rc = 0 ] && grep -q "dry run: dd if=$iso of=/dev/sdz" <<< "$out"; then pass "make-usb-img"
else fail "make-usb-img" "status $rc: $out"; fi
out=$(make -s usb ISO="$tmp/none.iso" DEV=/dev/null 2>&1); rc=$?
if [ $rc -ne 0 ] && grep -q "not a block device" <<< "$out"; then pass "make-usb-no-iso-yet"
else fail "make-usb-no-iso-yet" "status $rc: $out"; fi
