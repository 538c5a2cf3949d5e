# The GRUB menu: the ISO's grub.cfg (read back from the image with xorriso)
# has the default story first with ARGS as given, then a greedy story, two
# prompts, typing, chat and safe mode, each with ARGS and its own flags, a
# 5-second time-out unless TIMEOUT says otherwise, GFXMODE in every entry,
# and GRUB on the serial port and the screen. Then the menu itself, under
# BIOS: drawn on the screen and the serial port, and the safe mode entry,
# chosen with the arrow keys on the serial port, boots with its flags.
source "$(dirname "$0")/lib.sh"

model=$(model_path stories260K.bin)
tok=$(model_path tok512.bin)
cfg=$OUT/menu-grub.cfg

# grub_cfg ISO: its /boot/grub/grub.cfg into $cfg
grub_cfg() {
    rm -f "$cfg"
    xorriso -osirrox on -indev "$1" -extract /boot/grub/grub.cfg "$cfg" > /dev/null 2>&1
    [ -f "$cfg" ] || fail "menu:extract" "xorriso could not read grub.cfg from $1"
}
# has NAME TEXT: grub.cfg holds the line TEXT (leading spaces ignored).
has() {
    if sed 's/^ *//' "$cfg" | grep -qxF -- "$2"; then pass "$1"
    else fail "$1" "no line '$2' in $cfg"; fi
}

make -s iso ISO="$OUT/menu.iso" MODEL="$model" TOKENIZER="$tok" ARGS='-n 50' GFXMODE=1024x768 > /dev/null
grub_cfg "$OUT/menu.iso"
has "menu:default-timeout-5s" "set timeout=5"
has "menu:default-entry-first" "set default=0"
has "menu:serial" "serial --unit=0 --speed=115200 --word=8 --parity=no --stop=1"
has "menu:on-serial-and-screen" "terminal_output serial console"
has "menu:input-serial-and-keyboard" "terminal_input serial console"
mapfile -t titles < <(grep -o '^menuentry "[^{]*' "$cfg")
mapfile -t lines < <(grep -E '^ *multiboot2 ' "$cfg" | sed 's/^ *//')
want_titles=("tell a story (stories260K.bin)" "the same story every time" "there was a robot" \
             "Lily and her dog" "type your own prompt" "chat" "safe mode")
want_lines=("multiboot2 /boot/llama2.elf -n 50"
            "multiboot2 /boot/llama2.elf -n 50 -t 0"
            'multiboot2 /boot/llama2.elf -n 50 -i "Once upon a time, there was a robot"'
            'multiboot2 /boot/llama2.elf -n 50 -i "Lily and her dog"'
            "multiboot2 /boot/llama2.elf -n 50 --ask"
            "multiboot2 /boot/llama2.elf -n 50 -m chat --ask"
            "multiboot2 /boot/llama2.elf -n 50 --threads 1 --simd sse2")
if [ ${#titles[@]} = 7 ] && [ ${#lines[@]} = 7 ]; then pass "menu:seven-entries"
else fail "menu:seven-entries" "${#titles[@]} entries, ${#lines[@]} multiboot2 lines in $cfg"; fi
for i in "${!want_titles[@]}"; do
    n=$((i + 1))
    if [[ "${titles[$i]:-}" == *"${want_titles[$i]}"* ]]; then pass "menu:entry-$n:title"
    else fail "menu:entry-$n:title" "'${titles[$i]:-}' lacks '${want_titles[$i]}'"; fi
    if [ "${lines[$i]:-}" = "${want_lines[$i]}" ]; then pass "menu:entry-$n:flags"
    else fail "menu:entry-$n:flags" "'${lines[$i]:-}', expected '${want_lines[$i]}'"; fi
done
n=$(grep -c "^ *module2 /boot/model.bin model$" "$cfg"); m=$(grep -c "^ *set gfxpayload=1024x768x32,1024x768$" "$cfg")
if [ "$n" = 7 ] && [ "$m" = 7 ]; then pass "menu:modules-and-gfxmode-in-every-entry"
else fail "menu:modules-and-gfxmode-in-every-entry" "$n module lines, $m gfxpayload lines"; fi

make_iso menu-t0 "--exit -n 1" > /dev/null     # as every boot test: TIMEOUT=0, no GFXMODE
grub_cfg "$OUT/menu-t0.iso"
has "menu:timeout-0" "set timeout=0"
if grep -q "^ *set gfxpayload" "$cfg"; then fail "menu:no-gfxmode" "gfxpayload set in $cfg"
else pass "menu:no-gfxmode"; fi

# The menu on screen and serial; the last entry (safe mode) picked with the
# down arrow (ESC [ B) six times and Enter. GRUB draws the screen after the
# serial port, seconds later on a busy host: a key (down, then up again)
# stops the count-down first, so that the screendump can wait for it.
TIMEOUT=10 make -s iso ISO="$OUT/menu-pick.iso" MODEL="$model" TOKENIZER="$tok" ARGS='--exit -t 0 -n 8' > /dev/null
boot_driven menu-pick bios -- 'wait=safe mode' 'send=\x1b[B' 'sleep=0.2' 'send=\x1b[A' 'sleep=5' \
    "screendump=$OUT/menu-pick.ppm" \
    'send=\x1b[B' 'sleep=0.2' 'send=\x1b[B' 'sleep=0.2' 'send=\x1b[B' 'sleep=0.2' 'send=\x1b[B' \
    'sleep=0.2' 'send=\x1b[B' 'sleep=0.2' 'send=\x1b[B' 'sleep=0.2' 'send=\r' 'wait=stats:'
expect_drive "menu:on-serial"
expect_rc "menu:safe-mode:exit-success" 0
expect_re "menu:safe-mode:flags" "^flags: .* --threads 1 --simd sse2 --exit$"
expect_re "menu:safe-mode:one-core-sse2" "^stats: .* simd sse2, 1 core$"
convert "$OUT/menu-pick.ppm" "$OUT/menu-pick.png" 2> /dev/null
expect_screen "menu:on-screen" "$OUT/menu-pick.png" "tell a story" "type your own prompt" "safe mode"
