# Odd but valid machines and inputs still tell the same story as the host
# program: RAM above 4 GiB, little RAM, an SSE2-only CPU, a prompt far longer
# than the context, invalid UTF-8 in the prompt, an out-of-range top-p that
# run.c clamps (and we say so).
source "$(dirname "$0")/lib.sh"

m260=$(model_path stories260K.bin)
t512=$(model_path tok512.bin)
host=$ROOT/build/host/llama2

# same_story NAME FIRMWARE ISO-ARGS HOST-ARGS... [-- VAR=value...]
same_story() {
    local name=$1 fw=$2 iso_args=$3; shift 3
    local host_args=() env_args=()
    while [ $# -gt 0 ] && [ "$1" != -- ]; do host_args+=("$1"); shift; done
    [ "${1:-}" = -- ] && shift && env_args=("$@")
    "$host" "$m260" -z "$t512" "${host_args[@]}" > "$OUT/odd-$name.expected" 2> /dev/null
    make_iso "odd-$name" "--exit $iso_args" > /dev/null
    boot "odd-$name" "$fw" "${env_args[@]}"
    expect_rc "odd:$name:$fw:exit-success" 0
    expect_story "odd:$name:$fw:same-story" "$OUT/odd-$name.expected"
}

same_story mem6g uefi "--verbose -t 0 -n 60" -t 0 -n 60 -- MEM=6G
expect_re "odd:mem6g:ram-above-4g" "^memory: 61[0-9][0-9]\.[0-9] MiB usable RAM"
same_story mem6g bios "-t 0 -n 60" -t 0 -n 60 -- MEM=6G
same_story mem128m bios "-t 0 -n 60" -t 0 -n 60 -- MEM=128M

same_story qemu64 uefi "--verbose -t 0 -n 60" -t 0 -n 60 -- CPU=qemu64
if ! grep -q "^cpu: .*sse2" "$LOG"; then fail "odd:qemu64:no-avx" "no cpu line in $LOG"
elif grep -q "^cpu: .*avx" "$LOG"; then fail "odd:qemu64:no-avx" "the cpu line lists AVX on qemu64"
else pass "odd:qemu64:no-avx"; fi

long=$(python3 -c "print(' '.join(['Once upon a time there was a little dog'] * 80))")
same_story long-prompt bios "-t 0 -n 40 -i \"$long\"" -t 0 -n 40 -i "$long"

bad_utf8=$(printf 'Lily \xff\xfe dog \xc3')
same_story invalid-utf8 bios "-t 0 -n 40 -i \"$bad_utf8\"" -t 0 -n 40 -i "$bad_utf8"

same_story topp-clamped bios "-p 1.5 -s 7 -n 40" -p 1.5 -s 7 -n 40
expect "odd:topp-clamped:note" "note: -p 1.5 is outside [0,1]"
