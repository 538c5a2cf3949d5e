# make disk's image boots: GRUB from the GPT disk image (BIOS boot partition
# and protective MBR under SeaBIOS, the ESP under OVMF, and the image as a
# USB stick under OVMF) loads the kernel with the disk's grub.cfg. With no
# model module and no --model, the kernel lists the models it finds on the
# disks and, under --exit with nothing typed, stops after 10 s with the
# error of a boot without model modules (disk_story.sh tells stories from
# this image; disk_choose.sh types a number).
source "$(dirname "$0")/lib.sh"

img=$OUT/disk-boot.img
if ! ARGS="--exit" TIMEOUT=0 MODELS="$(model_path stories260K.bin) $(model_path tok512.bin)" \
        "$ROOT/tools/make-disk.sh" "$img" "$KERNEL" > "$OUT/disk-boot.log" 2>&1; then
    fail "disk:make-disk" "tools/make-disk.sh failed: $(tail -n 3 "$OUT/disk-boot.log" | tr '\n' ' ')"
    exit 0
fi
pass "disk:make-disk"
ln -sf disk-boot.img "$OUT/disk.iso"      # boot() takes build/tests/NAME.iso

for case in "uefi MEDIA=disk" "bios MEDIA=disk" "usb"; do
    read -r fw media <<< "$case"
    boot disk "$fw" TIMEOUT=180 ${media:+"$media"}
    expect "disk:$fw:grub-menu-from-the-disk" "llama2: tell a story (models on the disks)"
    expect "disk:$fw:kernel-reached" "llama2 bare-metal kernel: started by multiboot2"
    expect "disk:$fw:no-model-modules" "error: no modules named 'model' and 'tokenizer'"
    # the SATA disk's models (a USB stick needs the xHCI driver)
    if [ "$fw" != usb ]; then
        expect_re "disk:$fw:lists-the-model" "^  1\. sata0 partition 3 \(LLAMA2, exFAT\): /models/stories260K\.bin, 1\.0 MiB$"
        expect "disk:$fw:nothing-typed" "and no model was chosen from the disks' list within 10 s; give --model NAME"
    fi
    expect_rc "disk:$fw:failure-exit" 1
done
