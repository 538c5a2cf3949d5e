# Helpers for boot tests (sourced). A boot test builds an ISO with the flags
# it needs, boots it in QEMU under TCG with the serial port going to a log,
# and checks that log. Each check prints "PASS name" or "FAIL name: why".
set -u
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
ROOT=$PWD
KERNEL=$ROOT/build/kernel/llama2.elf
OUT=$ROOT/build/tests
mkdir -p "$OUT"
REFERENCE=$ROOT/../shared/reference

model_path() { "$ROOT/tools/find-model.sh" "$1"; }

# make_iso NAME ARGS [MODEL TOKENIZER]: build/tests/NAME.iso with ARGS verbatim.
make_iso() {
    local name=$1 args=$2
    local model=${3:-$(model_path stories260K.bin)} tok=${4:-$(model_path tok512.bin)}
    ARGS=$args MODEL=$model TOKENIZER=$tok TIMEOUT=0 \
        "$ROOT/tools/make-iso.sh" "$OUT/$name.iso" "$KERNEL"
}

# host_story FILE PROMPT: the host program's story for PROMPT, with the
# caller's $model, $tok and $flags (those of the boot that types it), in
# build/tests/FILE: what a typed prompt's story must be.
host_story() {
    "$ROOT/build/host/llama2" "$model" -z "$tok" $flags -i "$2" > "$OUT/$1" 2> /dev/null
}

# boot NAME FIRMWARE [VAR=value...]: boots build/tests/NAME.iso; the serial log
# is build/tests/NAME-FIRMWARE.log; sets RC to qemu-run.sh's status.
boot() {
    local name=$1 fw=$2; shift 2
    LOG=$OUT/$name-$fw.log
    env FIRMWARE="$fw" SMP="${SMP:-2}" TIMEOUT="${TIMEOUT:-240}" SERIAL_LOG="$LOG" "$@" \
        "$ROOT/tools/qemu-run.sh" "$OUT/$name.iso" > /dev/null 2> "$LOG.qemu"
    RC=$?
    tr -d '\r' < "$LOG" > "$LOG.txt"
    LOG=$LOG.txt
}

pass() { echo "PASS $1"; }
fail() { echo "FAIL $1: $2"; }

# expect NAME TEXT: the log holds TEXT (a fixed string).
expect() {
    if grep -qF -- "$2" "$LOG"; then pass "$1"; else fail "$1" "'$2' not in $LOG"; fi
}
# expect_re NAME REGEX: the log has a line matching the extended regex.
expect_re() {
    if grep -qE -- "$2" "$LOG"; then pass "$1"; else fail "$1" "no line matches /$2/ in $LOG"; fi
}
# expect_rc NAME WANT: qemu-run.sh returned WANT (0 ok, 1 error, 2 exception, 3 triple fault, 124 time-out).
expect_rc() {
    if [ "$RC" = "$2" ]; then pass "$1"; else fail "$1" "exit status $RC, expected $2 (log: $LOG)"; fi
}
# expect_story NAME FILE: the log contains FILE's bytes exactly (the story as run.c prints it).
expect_story() {
    if [ ! -s "$2" ]; then fail "$1" "the expected story $2 is empty or missing"; return; fi
    if python3 - "$LOG" "$2" <<'PY'
import sys
log = open(sys.argv[1], 'rb').read()
want = open(sys.argv[2], 'rb').read()
sys.exit(0 if want in log else 1)
PY
    then pass "$1"; else fail "$1" "the story in $LOG differs from $2"; fi
}

# boot_and_screenshot NAME FIRMWARE PNG WAIT-TEXT [VAR=value...]: boots without
# --exit, waits until the serial log shows WAIT-TEXT, saves the screen as
# PNG, then stops QEMU. LOG is set as boot() sets it.
boot_and_screenshot() {
    local name=$1 fw=$2 png=$3 wait_text=$4; shift 4
    local sock=$OUT/$name-$fw.qmp
    LOG=$OUT/$name-$fw.log
    rm -f "$sock" "$png" "$LOG.txt"
    : > "$LOG"   # not the last run's text: the wait below reads it
    env FIRMWARE="$fw" SMP="${SMP:-2}" TIMEOUT="${TIMEOUT:-240}" SERIAL_LOG="$LOG" QMP_SOCKET="$sock" "$@" \
        "$ROOT/tools/qemu-run.sh" "$OUT/$name.iso" > /dev/null 2> "$LOG.qemu" &
    local pid=$! waited=0
    while ! grep -qF -- "$wait_text" "$LOG" 2>/dev/null; do
        sleep 1; waited=$((waited + 1))
        if [ $waited -gt "${TIMEOUT:-240}" ] || ! kill -0 $pid 2>/dev/null; then break; fi
    done
    sleep 1   # let the last line reach the screen
    python3 "$ROOT/tests/boot/qmp.py" "$sock" screendump filename="$png.ppm" > /dev/null &&
        convert "$png.ppm" "$png" && rm -f "$png.ppm"
    python3 "$ROOT/tests/boot/qmp.py" "$sock" quit > /dev/null 2>&1
    wait $pid 2>/dev/null
    tr -d '\r' < "$LOG" > "$LOG.txt"
    LOG=$LOG.txt
}

# tesseract on one thread: its OpenMP threads spin, and on 2 cores they cost
# five times the CPU time and three times the wall time for the same text
# (a 1080p screen: 9.3 s and 14 CPU s, against 3.1 s and 3 CPU s).
export OMP_THREAD_LIMIT=1

# ocr PNG: the text tesseract reads on a screenshot (light text on black:
# inverted and enlarged first, which it reads far better). OCR_RESIZE: the
# enlargement, 200% unless set (100 for 3840x2160, whose letters are
# already as large: enlarged, its OCR takes two minutes).
ocr() {
    convert "$1" -negate -resize "${OCR_RESIZE:-200}%" "$1.ocr.png" && tesseract "$1.ocr.png" - 2>/dev/null
}

# expect_screen NAME PNG WORD...: OCR of the screenshot finds every WORD.
expect_screen() {
    local name=$1 png=$2; shift 2
    [ -f "$png" ] || { fail "$name" "no screenshot $png"; return; }
    local text missing=()
    text=$(ocr "$png")
    for w in "$@"; do grep -qiF -- "$w" <<< "$text" || missing+=("$w"); done
    if [ ${#missing[@]} -eq 0 ]; then pass "$name"
    else fail "$name" "OCR of $png lacks: ${missing[*]} (read: $(tr '\n' ' ' <<< "$text" | head -c 300))"; fi
}

# boot_reference_cases MODEL FIRMWARES [SKIP]: boots every case of the
# reference cases.tsv for that model file (but the case named SKIP) under
# each firmware, and checks that the serial log holds run.c's output byte
# for byte.
boot_reference_cases() {
    local want_model=$1 firmwares=$2 skip=${3:-} expected mfile tfile flags name fw
    while IFS=$'\t' read -r expected mfile tfile flags; do
        [[ -z "$expected" || "$expected" == \#* || "$mfile" != "$want_model" ]] && continue
        [ "$expected" = "$skip" ] && continue
        name=${expected%.txt}
        make_iso "story-$name" "--exit $flags" "$(model_path "$mfile")" "$(model_path "$tfile")" > /dev/null
        for fw in $firmwares; do
            boot "story-$name" "$fw" TIMEOUT=600
            expect_rc "story:$name:$fw:exit-success" 0
            expect_story "story:$name:$fw:matches-run.c" "$REFERENCE/$expected"
            expect_re "story:$name:$fw:tok/s" "^achieved tok/s: [0-9]+\.[0-9]{6}$"
            expect_re "story:$name:$fw:stats" "^stats: load and validate .* ms/token, simd [a-z0-9]+, [0-9]+ cores?"
        done
    done < "$REFERENCE/cases.tsv"
}

# boot_driven NAME FIRMWARE [VAR=value...] -- STEP...: boots
# build/tests/NAME.iso with COM1 on a socket where tests/boot/drive.py plays
# the STEPs (wait=TEXT, send=TEXT, keys=TEXT, screendump=FILE: a person at
# the serial port and the keyboard) until QEMU ends. QMP events (SHUTDOWN
# and its reason) go to EVENTS, build/tests/NAME-FIRMWARE.events. Sets LOG
# and RC as boot() does, and DRIVE to drive.py's status (1: a wait timed out).
boot_driven() {
    local name=$1 fw=$2; shift 2
    local vars=()
    while [ $# -gt 0 ] && [ "$1" != -- ]; do vars+=("$1"); shift; done
    [ $# -gt 0 ] && shift
    local sock=$OUT/$name-$fw.serial qmp=$OUT/$name-$fw.qmp
    EVENTS=$OUT/$name-$fw.events
    LOG=$OUT/$name-$fw.log
    rm -f "$sock" "$qmp" "$EVENTS"
    rm -f "$LOG"
    # the log is drive.py's copy: QEMU's logfile of a socket chardev can repeat a byte
    env FIRMWARE="$fw" SMP="${SMP:-2}" TIMEOUT="${TIMEOUT:-240}" SERIAL_LOG="$LOG.chardev" \
        SERIAL_INPUT="$sock" QMP_SOCKET="$qmp" "${vars[@]}" \
        "$ROOT/tools/qemu-run.sh" "$OUT/$name.iso" > /dev/null 2> "$LOG.qemu" &
    local pid=$!
    python3 "$ROOT/tests/boot/drive.py" --serial "$sock" --qmp "$qmp" --events "$EVENTS" \
        --save "$LOG" --timeout "${TIMEOUT:-240}" "$@" 2> "$LOG.drive"
    DRIVE=$?
    [ $DRIVE -ne 0 ] && python3 "$ROOT/tests/boot/qmp.py" "$qmp" quit > /dev/null 2>&1
    wait $pid
    RC=$?
    tr -d '\r' < "$LOG" > "$LOG.txt" 2> /dev/null
    LOG=$LOG.txt
}

# expect_drive NAME: every wait of drive.py was met.
expect_drive() {
    if [ "$DRIVE" = 0 ]; then pass "$1"; else fail "$1" "$(head -c 300 "${LOG%.txt}.drive" | tr '\n' ' ')"; fi
}
