# Sourced by tools/bench-llamacpp.sh and tools/llamacpp-greedy.sh:
# llamacpp_dir TOOL prints the folder where node can import llama.cpp (the
# npm package node-llama-cpp, installed into build/llamacpp the first time;
# nothing of it is part of the project). LLAMACPP_CPU=NAME (one of the
# package's libggml-cpu-NAME builds, such as haswell): a copy with only
# that build present, as on a CPU of that generation, in build/llamacpp-NAME.
# TOOL names the caller in error messages.
llamacpp_dir() {
    local tool=$1 root dir version=3.21.1 variant
    root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
    dir=$root/build/llamacpp
    command -v node > /dev/null || { echo "error: $tool needs Node.js (apt-get install nodejs npm)" >&2; return 1; }
    if [ ! -f "$dir/node_modules/node-llama-cpp/package.json" ]; then
        mkdir -p "$dir"
        echo "installing node-llama-cpp@$version into $dir (once)" >&2
        (cd "$dir" && npm init -y > /dev/null && npm install --no-audit --no-fund "node-llama-cpp@$version" > npm.log 2>&1) ||
            { echo "error: npm install node-llama-cpp@$version failed (log: $dir/npm.log)" >&2; return 1; }
    fi
    if [ -n "${LLAMACPP_CPU:-}" ]; then
        variant=$dir-$LLAMACPP_CPU
        if [ ! -d "$variant/node_modules" ]; then
            [ -n "$(find "$dir/node_modules/@node-llama-cpp/linux-x64/bins" -name "libggml-cpu-$LLAMACPP_CPU.so")" ] || { echo "error: LLAMACPP_CPU=$LLAMACPP_CPU: node-llama-cpp has no libggml-cpu-$LLAMACPP_CPU.so (see $dir/node_modules/@node-llama-cpp/linux-x64/bins)" >&2; return 1; }
            rm -rf "$variant.tmp" && mkdir -p "$variant.tmp"
            cp -al "$dir/node_modules" "$dir/package.json" "$variant.tmp/"   # hard links: no second copy
            find "$variant.tmp/node_modules/@node-llama-cpp" -name 'libggml-cpu-*.so' ! -name "libggml-cpu-$LLAMACPP_CPU.so" -delete
            mv "$variant.tmp" "$variant"
        fi
        dir=$variant
    fi
    echo "$dir"
}
