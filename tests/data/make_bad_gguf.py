#!/usr/bin/env python3
"""make_bad_gguf.py OUTDIR MODEL.gguf: writes broken GGUF files made from a
good one, for the host and boot tests of the GGUF reader's errors (nothing
here is committed: the files derive from the test model at test time).

  truncated.gguf      the first half of the file
  cut-tensor.gguf     the file less its last 100 bytes (a tensor runs past the end)
  bad-magic.gguf      "GGUX" instead of "GGUF"
  version1.gguf       version 1
  unknown-type.gguf   the first tensor's type is 99
  missing-tensor.gguf blk.1.ffn_up.weight left out (the data packed again)
  qwen2.gguf          general.architecture "qwen2"
"""
import os
import struct
import sys

VALUE_SIZES = {0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8}
# ggml block sizes (values, bytes) of the types the test models hold
BLOCKS = {0: (1, 4), 1: (1, 2), 2: (32, 18), 8: (32, 34), 12: (256, 144), 14: (256, 210)}


def skip_value(b, p, t):
    if t == 8:
        n, = struct.unpack_from("<Q", b, p)
        return p + 8 + n
    if t == 9:
        et, n = struct.unpack_from("<IQ", b, p)
        p += 12
        for _ in range(n):
            p = skip_value(b, p, et)
        return p
    return p + VALUE_SIZES[t]


def parse(b):
    """(header fields, list of (key bytes, raw pair bytes), list of tensor
    dicts, data offset, alignment)."""
    magic, version, n_t, n_kv = struct.unpack_from("<4sIQQ", b, 0)
    p, kvs, align = 24, [], 32
    for _ in range(n_kv):
        start = p
        n, = struct.unpack_from("<Q", b, p)
        key = b[p + 8:p + 8 + n]
        p += 8 + n
        t, = struct.unpack_from("<I", b, p)
        p = skip_value(b, p + 4, t)
        if key == b"general.alignment":
            align, = struct.unpack_from("<I", b, p - 4)
        kvs.append((key, b[start:p]))
    tensors = []
    for _ in range(n_t):
        n, = struct.unpack_from("<Q", b, p)
        name = b[p + 8:p + 8 + n]
        p += 8 + n
        nd, = struct.unpack_from("<I", b, p)
        ne = struct.unpack_from("<%dQ" % nd, b, p + 4)
        p += 4 + 8 * nd
        t, off = struct.unpack_from("<IQ", b, p)
        p += 12
        tensors.append({"name": name, "ne": ne, "type": t, "offset": off})
    data = (p + align - 1) // align * align
    return version, kvs, tensors, data, align


def nbytes(t):
    block, size = BLOCKS[t["type"]]
    n = 1
    for d in t["ne"]:
        n *= d
    return n // block * size


def write(b, kvs, tensors, data, align, drop):
    """The file again without the tensor named drop, the data repacked."""
    keep = [t for t in tensors if t["name"] != drop]
    out = b"GGUF" + struct.pack("<IQQ", 3, len(keep), len(kvs)) + b"".join(raw for _, raw in kvs)
    blobs, off = [], 0
    for t in keep:
        blob = b[data + t["offset"]:data + t["offset"] + nbytes(t)]
        pad = -off % align
        blobs.append(b"\0" * pad + blob)
        off += pad
        out += struct.pack("<Q", len(t["name"])) + t["name"] + struct.pack("<I", len(t["ne"]))
        out += b"".join(struct.pack("<Q", d) for d in t["ne"]) + struct.pack("<IQ", t["type"], off)
        off += len(blob)
    out += b"\0" * (-len(out) % align)
    return out + b"".join(blobs)


def main():
    out, model = sys.argv[1:3]
    os.makedirs(out, exist_ok=True)
    b = open(model, "rb").read()

    def put(name, data):
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)

    version, kvs, tensors, data, align = parse(b)
    put("truncated.gguf", b[:len(b) // 2])
    put("cut-tensor.gguf", b[:len(b) - 100])
    put("bad-magic.gguf", b"GGUX" + b[4:])
    put("version1.gguf", b[:4] + struct.pack("<I", 1) + b[8:])
    # the first tensor info's type field: after the metadata, its name and dims
    p = 24 + sum(len(raw) for _, raw in kvs)
    t0 = tensors[0]
    type_at = p + 8 + len(t0["name"]) + 4 + 8 * len(t0["ne"])
    put("unknown-type.gguf", b[:type_at] + struct.pack("<I", 99) + b[type_at + 4:])
    put("missing-tensor.gguf", write(b, kvs, tensors, data, align, b"blk.1.ffn_up.weight"))
    i = b.index(b"general.architecture")
    v = i + len("general.architecture") + 4 + 8
    assert b[v:v + 5] == b"llama"
    put("qwen2.gguf", b[:v] + b"qwen2" + b[v + 5:])


if __name__ == "__main__":
    main()
