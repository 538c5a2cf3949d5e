#!/usr/bin/env bash
# deps.sh: make sure the Debian packages in tools/debian-packages.txt are
# installed. Installs the missing ones with apt-get when run as root (or with
# sudo when it is available); otherwise prints the command to run.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
mapfile -t wanted < <(grep -v '^#' "$root/tools/debian-packages.txt" | sed '/^$/d')
missing=()
for p in "${wanted[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing missing Debian packages: ${missing[*]}" >&2
if [ "$(id -u)" = 0 ]; then sudo=""; elif command -v sudo >/dev/null; then sudo=sudo; else
    echo "error: missing packages ${missing[*]}; run: apt-get install ${missing[*]}" >&2; exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q >&2 || true
if ! $sudo apt-get install -y -q --no-install-recommends "${missing[@]}" >&2; then
    echo "error: could not install ${missing[*]}; run: apt-get install ${missing[*]}" >&2
    exit 1
fi
