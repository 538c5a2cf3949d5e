#!/usr/bin/env bash
# tools/mkexfat, checked by two exFAT implementations that are not this
# project's: exfatprogs' fsck.exfat must find each volume clean, and GRUB's
# exFAT reader (grub-fstest) must list the files and read each one with
# the same CRC32 as the source. Volumes: default options, 4096-byte
# sectors, FAT chains, fragmented chains, non-ASCII and long names, a
# volume inside an image at an offset, and files that do not fit (an
# error, not a broken volume).
cd "$(dirname "$0")/../.."
make --no-print-directory build/host/mkexfat > /dev/null || { echo "FAIL mkexfat:build: make build/host/mkexfat failed"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass() { echo "PASS mkexfat:$1"; }
fail() { echo "FAIL mkexfat:$1: $2"; }
for t in fsck.exfat grub-fstest; do
    command -v $t > /dev/null || { fail tools "$t is missing (apt-get install exfatprogs grub-common, or make deps)"; exit 1; }
done

head -c 3000000 /dev/urandom > "$tmp/a.bin"
head -c 100001 /dev/urandom > "$tmp/b.bin"
printf 'hello\n' > "$tmp/c.txt"
: > "$tmp/empty"
crc() { python3 -c 'import sys, zlib; print("%08x" % zlib.crc32(open(sys.argv[1], "rb").read()))' "$1"; }

# check NAME IMAGE OFFSET [mkexfat options...]: makes the volume, then fsck and GRUB.
check() {
    local name=$1 img=$2 off=$3; shift 3
    local files=("$tmp/a.bin=/models/A Model.gguf" "$tmp/b.bin=/models/Ünïcödé名前 and more than fifteen.bin"
                 "$tmp/c.txt=/c.txt" "$tmp/empty=/deep/er/empty")
    if ! out=$(build/host/mkexfat "$@" "$img" "${files[@]}" 2>&1); then
        fail "$name" "mkexfat failed: $out"; return
    fi
    local dev=$img
    if [ "$off" != 0 ]; then
        dev=$tmp/part.img
        dd if="$img" of="$dev" bs=1M skip=$((off / 1048576)) status=none
    fi
    if out=$(fsck.exfat -n "$dev" 2>&1); then pass "$name:fsck.exfat"
    else fail "$name:fsck.exfat" "$(tr '\n' ' ' <<< "$out")"; fi
    local bad=""
    for f in "${files[@]}"; do
        local src=${f%%=*} path=${f#*=} got
        got=$(grub-fstest "$dev" crc "$path" 2>&1)
        [ "$got" = "$(crc "$src")" ] || bad+="$path: grub-fstest says '$got', want $(crc "$src"); "
    done
    if [ -z "$bad" ]; then pass "$name:grub-reads-every-file"; else fail "$name:grub-reads-every-file" "$bad"; fi
}

check default "$tmp/v1.img" 0 -s 32M -L "Llama Data"
check sectors-4096 "$tmp/v2.img" 0 -s 48M -S 4096 -c 64K
check fat-chains "$tmp/v3.img" 0 -s 32M --fat-chains
check fragmented "$tmp/v4.img" 0 -s 32M -c 4K --fragment
truncate -s 40M "$tmp/v5.img"
check at-an-offset "$tmp/v5.img" $((8 * 1048576)) -o 8M -s 32M
label=$(grub-fstest "$tmp/v1.img" ls / 2>&1; fsck.exfat -n -v "$tmp/v1.img" 2>&1 | sed -n 's/^label: //p')
if grep -q "Llama Data" <<< "$label"; then pass label; else fail label "fsck.exfat reads the label as: $label"; fi

# Files that do not fit: an error line, status 1.
head -c 3000000 /dev/zero > "$tmp/z.bin"
out=$(build/host/mkexfat -s 2M "$tmp/small.img" "$tmp/a.bin=/a" "$tmp/z.bin=/z" 2>&1)
rc=$?
if [ $rc = 1 ] && grep -q '^error: the files do not fit' <<< "$out"; then pass too-big-is-an-error
else fail too-big-is-an-error "status $rc: $out"; fi
out=$(build/host/mkexfat -s 8M "$tmp/bad.img" "$tmp/a.bin=/a:b" 2>&1)
if [ $? = 1 ] && grep -q '^error: .*cannot hold' <<< "$out"; then pass bad-name-is-an-error
else fail bad-name-is-an-error "$out"; fi
