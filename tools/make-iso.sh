#!/usr/bin/env bash
# make-iso.sh OUT.iso KERNEL.elf: writes a hybrid BIOS/UEFI ISO (CD or USB
# stick) with the kernel, the model and (for a llama2.c checkpoint) the
# tokenizer, and a grub.cfg whose default entry boots them with the kernel
# flags in $ARGS, written verbatim. A GGUF model (known by its magic) carries
# its vocabulary: it goes alone, as /boot/model.gguf.
# Environment: MODEL, TOKENIZER (paths; default stories15M.bin and
# tokenizer.bin via tools/find-model.sh), ARGS, TIMEOUT (menu seconds, 5),
# GFXMODE (the screen mode GRUB hands the kernel, WIDTHxHEIGHT or text; default:
# GRUB's choice, the firmware's preferred mode where it says one),
# MODULES (the module2 lines as "FILE:NAME ..." over the files on the ISO,
# model.bin and tokenizer.bin; default "model.bin:model tokenizer.bin:tokenizer";
# the tests use it to leave out, misname or swap modules).
set -euo pipefail
out=${1:?usage: make-iso.sh OUT.iso KERNEL.elf}
kernel=${2:?usage: make-iso.sh OUT.iso KERNEL.elf}
root=$(cd "$(dirname "$0")/.." && pwd)

model=${MODEL:-$("$root/tools/find-model.sh" stories15M.bin)}
[ -f "$model" ] || { echo "error: $model does not exist; give MODEL=path" >&2; exit 1; }
gguf=""
[ "$(head -c 4 "$model" | tr -d "\\0")" = "GGUF" ] && gguf=1
tokenizer=""
if [ -z "$gguf" ]; then
    tokenizer=${TOKENIZER:-$("$root/tools/find-model.sh" tokenizer.bin)}
    [ -f "$tokenizer" ] || { echo "error: $tokenizer does not exist; give TOKENIZER=path" >&2; exit 1; }
fi
args=${ARGS:-}
case "$args" in
  *$'\n'*) echo "error: ARGS must be one line" >&2; exit 1 ;;
esac
# GRUB reads ARGS with shell-like quoting; an unbalanced quote would break the
# whole grub.cfg and leave GRUB at its prompt. POSIX shell words judge it.
if ! python3 -c 'import shlex, sys; shlex.split(sys.argv[1])' "$args" 2>/dev/null; then
    echo "error: ARGS has an unbalanced quote or a trailing backslash: $args" >&2
    echo "error: ARGS: quote each value once, e.g. ARGS='-i \"Lily'\\''s dog\"'" >&2
    exit 1
fi

stage="$out.d"
rm -rf "$stage"
mkdir -p "$stage/boot/grub"
# Without its debug sections (build/kernel/llama2.elf keeps them for gdb):
# a sixth of the size, and GRUB under OVMF with little RAM below 4 GiB
# failed reading the 3 MiB file ("failure reading sector").
objcopy --strip-debug "$kernel" "$stage/boot/llama2.elf"
# Hard links when possible: a 60 MB model need not be copied for each ISO.
model_file=model.bin
[ -n "$gguf" ] && model_file=model.gguf
ln -f "$model" "$stage/boot/$model_file" 2>/dev/null || cp "$model" "$stage/boot/$model_file"
if [ -n "$tokenizer" ]; then
    ln -f "$tokenizer" "$stage/boot/tokenizer.bin" 2>/dev/null || cp "$tokenizer" "$stage/boot/tokenizer.bin"
fi

gfxpayload=""
if [ -n "${GFXMODE:-}" ]; then
    [[ "$GFXMODE" =~ ^([0-9]+x[0-9]+(x[0-9]+)?|text)$ ]] ||
        { echo "error: GFXMODE must be WIDTHxHEIGHT (e.g. 1920x1080) or text, not '$GFXMODE'" >&2; exit 1; }
    # 32 bits per pixel when the mode has it (drawing is cheaper), else any depth
    if [[ "$GFXMODE" =~ ^[0-9]+x[0-9]+$ ]]; then gfxpayload="    set gfxpayload=${GFXMODE}x32,$GFXMODE"
    else gfxpayload="    set gfxpayload=$GFXMODE"; fi
fi

model_name=$(basename "$model")
modules=""
default_modules="model.bin:model tokenizer.bin:tokenizer"
[ -n "$gguf" ] && default_modules="model.gguf:model"
for m in ${MODULES-$default_modules}; do
    modules+="    module2 /boot/${m%%:*} ${m#*:}"$'\n'
done
# Substitute with awk's literal index/substr, values from the environment (awk
# -v would interpret backslashes), so no character of ARGS is special.
ISO_ARGS="$args" ISO_TIMEOUT="${TIMEOUT:-5}" ISO_NAME="$model_name" ISO_MODULES="${modules%$'\n'}" \
ISO_GFXPAYLOAD="$gfxpayload" awk '
    function put(line, key, val,   i, done) {
        done = ""
        while ((i = index(line, key)) > 0) {
            done = done substr(line, 1, i - 1) val
            line = substr(line, i + length(key))
        }
        return done line
    }
    /^#/ { print; next }   # comments name the placeholders; they stay as they are
    { line = put($0, "@ARGS@", ENVIRON["ISO_ARGS"])
      line = put(line, "@TIMEOUT@", ENVIRON["ISO_TIMEOUT"])
      line = put(line, "@MODULES@", ENVIRON["ISO_MODULES"])
      line = put(line, "@GFXPAYLOAD@", ENVIRON["ISO_GFXPAYLOAD"])
      line = put(line, "@LOADING@", "Loading the kernel and the model...")
      print put(line, "@MODEL_NAME@", ENVIRON["ISO_NAME"]) }' "$root/iso/grub.cfg.in" > "$stage/boot/grub/grub.cfg"

if ! grub-mkrescue -o "$out.tmp" "$stage" > "$out.log" 2>&1; then
    cat "$out.log" >&2
    echo "error: grub-mkrescue failed; it needs grub-pc-bin, grub-efi-amd64-bin, xorriso and mtools" >&2
    exit 1
fi
mv "$out.tmp" "$out"
rm -rf "$stage"
