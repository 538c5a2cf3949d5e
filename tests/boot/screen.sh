# The framebuffer console: what the kernel prints is on the screen too, the
# quiet boot a person sees (banner, machine line, model) by default.
# Boots without --exit, takes QEMU's screendump once the kernel is done, and
# reads it back with tesseract.
source "$(dirname "$0")/lib.sh"

make_iso screen "-n 1" > /dev/null
for fw in uefi bios; do
    boot_and_screenshot screen "$fw" "$OUT/screen-$fw.png" "press a key to reboot"
    expect "screen:$fw:waits-without-exit" "press a key to reboot, or p to power off"
    expect_screen "screen:$fw:text-on-screen" "$OUT/screen-$fw.png" \
        "bare-metal kernel" "multiboot2" "machine:" "2 cores" "checkpoint: version" "used in place"
done
