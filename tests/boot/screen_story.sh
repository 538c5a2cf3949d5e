# The story on the screen, as a person sees it at the end of a run without
# --exit: at the firmware's default mode under BIOS (800x600), in EGA text
# mode under BIOS (GFXMODE=text: GRUB hands over 80x25 characters, no
# pixels), and at 1920x1080 and 3840x2160 under UEFI (GFXMODE, gfxpayload
# in grub.cfg).
# OCR of QEMU's screendump must find every word of the story (word wrap
# keeps words whole) and the status line (model, tokens of steps, tok/s,
# cores, SIMD level).
source "$(dirname "$0")/lib.sh"

flags="-t 0 -n 150"
model=$(model_path stories260K.bin)
tok=$(model_path tok512.bin)
"$ROOT/build/host/llama2" "$model" -z "$tok" $flags > "$OUT/screen-story.expected" 2> /dev/null
# the words to find: letters only, at least four of them
mapfile -t words < <(grep -oE "[A-Za-z]{4,}" "$OUT/screen-story.expected" | sort -u)

# ocr_status PNG: OCR of the status line alone (the bottom text row, drawn
# dark on light), located from the kernel's "screen:" line in LOG (in text
# mode: the screendump's height over the number of text rows).
ocr_status() {
    local line w h rows font scale cell letters
    line=$(grep -m1 "^screen: [0-9]*x[0-9]*," "$LOG") || return
    if [[ $line =~ ^screen:\ [0-9]+x([0-9]+),\ EGA\ text\ mode,\ [0-9]+\ x\ ([0-9]+)\ text ]]; then
        read -r w h < <(identify -format "%w %h\n" "$1") || return
        rows=${BASH_REMATCH[2]} cell=$((h / BASH_REMATCH[1]))
        letters=24     # the VGA's 9x16 font reads best at 24-pixel rows (measured)
    else
        [[ $line =~ ^screen:\ ([0-9]+)x[0-9]+,.*\ x\ ([0-9]+)\ text\ with\ Uni2-Terminus([0-9]+)[^\ ]*\ x([0-9]+) ]] || return
        w=${BASH_REMATCH[1]} rows=${BASH_REMATCH[2]} font=${BASH_REMATCH[3]} scale=${BASH_REMATCH[4]}
        cell=$((font * scale))
        letters=48     # Terminus at about 48-pixel letters, which tesseract reads best
    fi
    convert "$1" -crop "${w}x${cell}+0+$((rows * cell))" +repage -resize $((letters * 100 / cell))% \
        "$1.status.png" && tesseract "$1.status.png" - 2>/dev/null
}

check() {   # check NAME FIRMWARE WANT-MODE [VAR=value...]
    local name=$1 fw=$2 mode=$3; shift 3
    local png=$OUT/$name-$fw.png
    boot_and_screenshot "$name" "$fw" "$png" "press a key to reboot" "$@"
    expect "$name:$fw:mode" "screen: $mode,"
    expect "$name:$fw:story-on-serial" "$(head -n 1 "$OUT/screen-story.expected")"
    expect_screen "$name:$fw:story-words" "$png" "${words[@]}"
    local status missing=()
    status=$(ocr_status "$png")
    # Terminus's dotted zero reads as 0, 6, 8, O or @, and a digit before a
    # space now and then gains a stray mark ("308.7? tok/s", "78.4 tok/'s"): the
    # numbers and the unit loosely (a mark is up to three bytes of UTF-8);
    # the VGA font's "avx2" once read as "avyx2": one stray letter allowed there
    for w in "stories2[0-9O@]{2}K" "1[0-9O@]{2}/1[0-9O@]{2}[^ |]{0,3} tokens" "[0-9O@.]+[^ |]{0,3} tok/[^ |]{0,3}s" "[0-9]+ cores?" \
             "(sse2|av[a-z]?x(2|512))" "done"; do
        grep -qE -- "$w" <<< "$status" || missing+=("$w")
    done
    if [ ${#missing[@]} -eq 0 ]; then pass "$name:$fw:status-line"
    else fail "$name:$fw:status-line" "OCR of the status line lacks: ${missing[*]} (read: $status)"; fi
}

# --verbose: ocr_status reads the screen: line, a detail
make_iso screen-story "--verbose $flags" > /dev/null
check screen-story bios 800x600
GFXMODE=text make_iso screen-story-text "--verbose $flags" > /dev/null
check screen-story-text bios 80x25
GFXMODE=1920x1080 make_iso screen-story-1080p "--verbose $flags" > /dev/null
check screen-story-1080p uefi 1920x1080
GFXMODE=3840x2160 make_iso screen-story-4k "--verbose $flags" > /dev/null
OCR_RESIZE=100 check screen-story-4k uefi 3840x2160
