#!/usr/bin/env python3
"""Writes the seed inputs of the fuzz targets: seeds.py OUTDIR [NAME...]
makes OUTDIR/NAME/ for each target (all when none are named) and fills it
with small valid inputs, synthesized here, so that the fuzzer starts from
the parsers' accepting paths instead of finding them byte by byte. The real
model files are never copied: at most a short prefix of one (found with
tools/find-model.sh) is added as one more seed."""
import os
import struct
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def model_prefix(name, n):
    """The first n bytes of a model file (tools/find-model.sh finds it), or
    None when it cannot be had."""
    try:
        r = subprocess.run([os.path.join(ROOT, "tools", "find-model.sh"), name],
                           capture_output=True, text=True, timeout=120)
    except (OSError, subprocess.TimeoutExpired):
        return None
    path = r.stdout.strip()
    if r.returncode != 0 or not os.path.isfile(path):
        return None
    with open(path, "rb") as f:
        return f.read(n)


# ------------------------------------------------------------ command lines

CMDLINES = [
    "",
    "--exit",
    "-t 0 -n 64 --exit",
    '-i "Lily\\\'s dog" -t 0.8 -p 0.95 -s 42',
    '-i "Once upon a time" -n 256 --threads 2 --simd sse2',
    "-m chat -y 'You are kind' --ask",
    '-i "a \\"quoted\\" word" --crash pagefault',
    "  -t\t1e-3\n-p .5  ",
    'a"b c"d \'e f\'g h\\ i',
    "-s 18446744073709551615 -n -1 -t -0 -p 1.0000001",
    "-t 3.4028235e38 -p 1.17549435e-38",
    "-t 0.1000000000000000055511151231257827021181583404541015625",
]

# options: a config byte (message buffer sizes), then arguments split at NULs.
OPTIONS = [
    ["stories15M.bin"],
    ["stories15M.bin", "-t", "0", "-n", "64", "-i", "Once upon a time"],
    ["model.bin", "-z", "tok.bin", "-t", "0.8", "-p", "0.95", "-s", "42", "-m", "chat",
     "-y", "Be kind", "--threads", "2", "--simd", "avx2"],
    ["--exit", "--ask", "-t", "1.5", "--crash", "gpf"],
    ["-t", "-1", "-p", "2", "-n", "-5"],
    ["-t", "7.006492321624085e-46", "-p", "1.4012984643248171e-45"],
    ["-t", "340282356779733661637539395458142568447.99", "-p", "0.99999997"],
    ["-s", "18446744073709551615", "-n", "2147483647", "--threads", "+0"],
    ["-t", "inf"],
    ["model.bin", "extra"],
]


def options_seed(args, config):
    return bytes([config]) + b"\0".join(a.encode() for a in args)


# ------------------------------------------------------------ multiboot2

def tag(t, payload):
    body = struct.pack("<II", t, 8 + len(payload)) + payload
    return body + b"\0" * (-len(body) % 8)


def mb2_block(tags):
    body = b"".join(tags) + tag(0, b"")
    return struct.pack("<II", 8 + len(body), 0) + body


def mb2_seeds():
    mmap = struct.pack("<II", 24, 0) + b"".join(
        struct.pack("<QQII", base, length, kind, 0)
        for base, length, kind in [(0, 0x9fc00, 1), (0x9fc00, 0x400, 2), (0xf0000, 0x10000, 2),
                                   (0x100000, 0x7ee0000, 1), (0x7fe0000, 0x20000, 3),
                                   (0xfffc0000, 0x40000, 4)])
    fb_rgb = struct.pack("<QIIIBBH", 0xfd000000, 4096, 1024, 768, 32, 1, 0) + \
        bytes([16, 8, 8, 8, 0, 8]) + b"\0\0"
    fb_idx = struct.pack("<QIIIBBH", 0xa0000, 320, 320, 200, 8, 0, 0) + \
        struct.pack("<H", 4) + bytes(range(12))
    rsdp1 = b"RSD PTR " + bytes([0x5a]) + b"BOCHS " + bytes([0]) + struct.pack("<I", 0x7fe1000)
    rsdp2 = rsdp1[:15] + bytes([2]) + struct.pack("<IIQ", 0x7fe1000, 36, 0x7fe2000) + bytes(4)
    full = mb2_block([
        tag(1, b"-i \"Lily\\'s dog\" -t 0 --exit\0"),
        tag(2, b"GRUB 2.06\0"),
        tag(3, struct.pack("<II", 0x200000, 0x39ff000) + b"model\0"),
        tag(3, struct.pack("<II", 0x3a00000, 0x3a6a000) + b"tokenizer\0"),
        tag(4, struct.pack("<II", 639, 130048)),
        tag(6, mmap),
        tag(8, fb_rgb),
        tag(14, rsdp1),
        tag(15, rsdp2),
        tag(12, struct.pack("<Q", 0x7f9e018)),
        tag(20, struct.pack("<Q", 0x7e4f198)),
        tag(17, struct.pack("<II", 48, 1) + bytes(48)),
        tag(21, struct.pack("<I", 0x100000)),
        tag(10, b"\0" * 16),                       # APM: a tag the kernel skips
    ])
    return {
        "bios": full,
        "indexed": mb2_block([tag(1, b"\0"), tag(8, fb_idx), tag(4, struct.pack("<II", 1, 2))]),
        "efi": mb2_block([tag(11, struct.pack("<I", 0x7f9e018)), tag(19, struct.pack("<I", 1)),
                          tag(18, b""), tag(6, struct.pack("<II", 32, 0) + bytes(64))]),
        "empty": mb2_block([]),
    }


# ------------------------------------------------------------ checkpoints

def floats(n, salt):
    """n small, deterministic, varied floats."""
    x = 0x9E3779B9 ^ salt
    out = []
    for _ in range(n):
        x = (x * 1103515245 + 12345) & 0xFFFFFFFF
        out.append(((x >> 8) / (1 << 24) - 0.5) * 0.5)
    return struct.pack("<%df" % n, *out)


def checkpoint(dim, hidden, layers, heads, kv_heads, vocab, seq_len, version=0, shared=True):
    hs = dim // heads
    kv = kv_heads * hs
    n = vocab * dim + 2 * layers * dim + dim + 2 * layers * dim * dim + \
        2 * layers * dim * kv + 3 * layers * dim * hidden
    if not shared:
        n += vocab * dim
    params = struct.pack("<7i", dim, hidden, layers, heads, kv_heads,
                         vocab if (shared or version == 1) else -vocab, seq_len)
    if version == 0:
        n += seq_len * hs                            # the RoPE tables
        return params + floats(n, dim * 31 + vocab)
    header = struct.pack("<Ii", 0x616b3432, 1) + params + bytes([1 if shared else 0])
    return header + bytes(256 - len(header)) + floats(n, dim * 37 + vocab)


def q8_checkpoint(dim, hidden, layers, heads, kv_heads, vocab, seq_len, gs, shared=True):
    """export.py's version 2 (Q8_0): fp32 norms, then each matrix (layer by
    layer) as int8 values followed by one fp32 scale per gs values."""
    hs = dim // heads
    kv = kv_heads * hs
    header = struct.pack("<Ii", 0x616b3432, 2) + \
        struct.pack("<7i", dim, hidden, layers, heads, kv_heads, vocab, seq_len) + \
        bytes([1 if shared else 0]) + struct.pack("<i", gs)
    out = header + bytes(256 - len(header))
    out += floats(2 * layers * dim + dim, gs)
    mats = [vocab * dim] + [dim * dim] * layers + [kv * dim] * (2 * layers) + \
        [dim * dim] * layers + [hidden * dim] * (3 * layers)
    if not shared:
        mats.append(vocab * dim)
    for i, n in enumerate(mats):
        out += bytes((i * 7 + j * 13) % 256 for j in range(n))
        out += struct.pack("<%df" % (n // gs), *[0.01 * (1 + k % 5) for k in range(n // gs)])
    return out


def checkpoint_seeds():
    seeds = {
        "v0-shared": checkpoint(8, 12, 1, 2, 1, 16, 8),
        "v0-separate": checkpoint(8, 6, 2, 2, 2, 8, 4, shared=False),
        "v1-shared": checkpoint(4, 4, 1, 2, 1, 4, 2, version=1),
        "v1-separate": checkpoint(8, 4, 1, 4, 2, 6, 4, version=1, shared=False),
        "v2-shared": q8_checkpoint(8, 12, 1, 2, 1, 16, 8, gs=8),
        "v2-separate": q8_checkpoint(8, 6, 2, 4, 2, 8, 4, gs=4, shared=False),
        "v3-refused": struct.pack("<Ii", 0x616b3432, 3) + bytes(248),
    }
    p = model_prefix("stories260K.bin", 512)
    if p:
        seeds["stories260K-prefix"] = p
    return seeds


# ------------------------------------------------------------ tokenizers

def tokenizer(pieces, max_len=None):
    """llama2.c's tokenizer.bin: int32 max_token_length, then per token a
    float score, an int32 length and the bytes."""
    pieces = [(p.encode() if isinstance(p, str) else p, s) for p, s in pieces]
    if max_len is None:
        max_len = max(len(p) for p, _ in pieces)
    out = struct.pack("<i", max_len)
    for p, s in pieces:
        out += struct.pack("<fi", s, len(p)) + p
    return out


def vocab(merges):
    """<unk>, <s>, </s>, the 256 byte tokens, then merges scored so that the
    earlier ones win, as sentencepiece exports them."""
    v = [("<unk>", 0.0), ("\n<s>\n", 0.0), ("\n</s>\n", 0.0)]
    v += [("<0x%02X>" % b, 0.0) for b in range(256)]
    v += [(m, -float(i)) for i, m in enumerate(merges)]
    return v


# llama2.c's export writes sentencepiece's "▁" as a plain space.
TOKENIZER_MERGES = [" ", " t", "he", " a", " the", "in", " s", "an", "nd", " and", " w", "ed",
                    " L", " Lily", "ily", "Li", "og", " dog", " do", "e", "a", "t", "h", "n",
                    "d", "o", "g", "s", "i", "L", "l", "y", "w", "'", ".", ",", "é", "日"]


def whole_tokens(data, limit):
    """The header and the whole tokens of a tokenizer.bin that fit in limit
    bytes."""
    off = 4
    while off + 8 <= len(data):
        n = struct.unpack_from("<i", data, off + 4)[0]
        if n < 0 or off + 8 + n > min(len(data), limit):
            break
        off += 8 + n
    return data[:off]


def tokenizer_seeds():
    """fuzz_tokenizer's input: a length byte, the prompt, the tokenizer.bin."""
    def seed(prompt, tok):
        prompt = prompt.encode() if isinstance(prompt, str) else prompt
        return bytes([len(prompt)]) + prompt + tok

    small = tokenizer(vocab(TOKENIZER_MERGES))
    seeds = {
        "small": seed("Lily's dog", small),
        "small-utf8": seed("é日\xff and\tthe dog.", small),
        "small-empty": seed("", small),
        "specials-only": seed("a", tokenizer([("<unk>", 0.0), ("\n<s>\n", 0.0),
                                              ("\n</s>\n", 0.0)])),
        "empty-pieces": seed("abab", tokenizer([("<unk>", 0.0), ("", 0.0), ("", -1.0),
                                                ("ab", 1.0), ("a", 0.5), ("b", 0.5), (" ", 0.0)],
                                               max_len=4)),
        "byte-tokens": seed("x", tokenizer([("<0x41>", 0.0), ("<0x 4>", 0.0), ("<0x-1>", 0.0),
                                            ("<0x0x>", 0.0), (" ", 0.0), ("x", 0.0),
                                            (" x", 1.0)])),
    }
    p = model_prefix("tok512.bin", 4096)
    if p:
        seeds["tok512-prefix"] = seed("Once upon a time", whole_tokens(p, 4096))
    return seeds


# ------------------------------------------------------------ USB answers

def usb_seeds():
    """What USB devices answer (tests/fuzz/fuzz_usb.c: a selector byte, then
    the answer): a keyboard's and a stick's descriptors, a hub's, SCSI
    answers, a CSW, and keyboard reports typing "Hi!" with a repeat."""
    kbd_dev = bytes([18, 1, 0, 2, 0, 0, 0, 8, 0x27, 6, 1, 0, 0, 0, 1, 2, 3, 1])
    kbd_cfg = bytes([9, 2, 34, 0, 1, 1, 0, 0xA0, 50, 9, 4, 0, 0, 1, 3, 1, 1, 0,
                     9, 0x21, 0x11, 1, 0, 1, 0x22, 63, 0, 7, 5, 0x81, 3, 8, 0, 10])
    stick_cfg = bytes([9, 2, 44, 0, 1, 1, 0, 0x80, 50, 9, 4, 0, 0, 2, 8, 6, 0x50, 0,
                       7, 5, 0x81, 2, 0, 4, 0, 6, 0x30, 15, 0, 0, 0,
                       7, 5, 0x02, 2, 0, 4, 0, 6, 0x30, 0, 0, 0, 0])
    hub = bytes([9, 0x29, 4, 0x29, 0, 50, 100, 0, 0xFF])
    inquiry = bytes([0, 0x80, 5, 2, 31, 0, 0, 0]) + b"SanDisk Cruzer Blade    1.00"
    cap10 = bytes([0, 0x1F, 0xFF, 0xFF, 0, 0, 2, 0])
    cap16 = bytes([0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0x10, 0]) + bytes(20)
    sense = bytes([0x70, 0, 2, 0, 0, 0, 0, 10, 0, 0, 0, 0, 0x3A, 0, 0, 0, 0, 0])
    csw = b"USBS" + bytes([7, 0, 0, 0, 0, 2, 0, 0, 0])
    reports = b"".join(bytes([step, mods, 0, key, 0, 0, 0, 0, 0]) for step, mods, key in
                       [(1, 2, 0x0B), (1, 0, 0), (1, 0, 0x0C), (100, 0, 0), (1, 2, 0x1E), (200, 2, 0x1E),
                        (1, 0, 0x39), (1, 0, 0)])
    return {"device": b"\x00" + kbd_dev, "keyboard-config": b"\x01" + kbd_cfg,
            "stick-config": b"\x01" + stick_cfg, "hub": b"\x02" + hub, "inquiry": b"\x03" + inquiry,
            "capacity10": b"\x04" + cap10, "capacity16": b"\x05" + cap16, "sense": b"\x06" + sense,
            "csw": b"\x07" + csw, "reports": b"\x08" + reports}


# ------------------------------------------------------------ GGUF

def gguf_str(s):
    b = s.encode() if isinstance(s, str) else s
    return struct.pack("<Q", len(b)) + b


def gguf_file(kvs, tensors, alignment=32):
    """A GGUF v3 file: kvs is a list of (key, type, payload bytes); tensors a
    list of (name, ggml type, dims, data bytes), laid out as llama.cpp packs
    them."""
    out = b"GGUF" + struct.pack("<IQQ", 3, len(tensors), len(kvs))
    for key, t, payload in kvs:
        out += gguf_str(key) + struct.pack("<I", t) + payload
    data, offs = b"", []
    for name, t, dims, blob in tensors:
        data += b"\0" * (-len(data) % alignment)
        offs.append(len(data))
        data += blob
    for (name, t, dims, blob), off in zip(tensors, offs):
        out += gguf_str(name) + struct.pack("<I", len(dims)) + b"".join(struct.pack("<Q", d) for d in dims)
        out += struct.pack("<IQ", t, off)
    out += b"\0" * (-len(out) % alignment)
    return out + data


def gguf_model(dim=32, hidden=64, layers=1, heads=2, kv_heads=1, wtype=0, bpe=False):
    """A tiny llama model: F32 norms, matrices of wtype (0 F32, 1 F16, 8 Q8_0,
    2 Q4_0), a 6-token vocabulary."""
    u32 = lambda v: struct.pack("<I", v)
    kvs = [("general.architecture", 8, gguf_str("llama")),
           ("llama.embedding_length", 4, u32(dim)), ("llama.feed_forward_length", 4, u32(hidden)),
           ("llama.block_count", 4, u32(layers)), ("llama.attention.head_count", 4, u32(heads)),
           ("llama.attention.head_count_kv", 4, u32(kv_heads)), ("llama.context_length", 4, u32(16)),
           ("llama.rope.freq_base", 6, struct.pack("<f", 10000.0)),
           ("llama.attention.layer_norm_rms_epsilon", 6, struct.pack("<f", 1e-5))]
    toks = ["<unk>", "<s>", "</s>", "a", "b", "ab"]
    kvs.append(("tokenizer.ggml.model", 8, gguf_str("gpt2" if bpe else "llama")))
    kvs.append(("tokenizer.ggml.tokens", 9, struct.pack("<IQ", 8, len(toks)) + b"".join(gguf_str(t) for t in toks)))
    kvs.append(("tokenizer.ggml.scores", 9, struct.pack("<IQ", 6, len(toks)) + b"".join(struct.pack("<f", -i) for i in range(len(toks)))))
    kvs.append(("tokenizer.ggml.token_type", 9, struct.pack("<IQ", 5, len(toks)) + b"".join(struct.pack("<i", 3 if i < 3 else 1) for i in range(len(toks)))))
    if bpe:
        kvs.append(("tokenizer.ggml.merges", 9, struct.pack("<IQ", 8, 1) + gguf_str("a b")))
        kvs.append(("tokenizer.ggml.pre", 8, gguf_str("llama-bpe")))
    kvs.append(("tokenizer.ggml.bos_token_id", 4, u32(1)))
    kvs.append(("tokenizer.ggml.eos_token_id", 4, u32(2)))

    def blob(t, cols, rows, salt):
        vals = struct.unpack("<%df" % (cols * rows), floats(cols * rows, salt))
        if t == 0:
            return b"".join(struct.pack("<f", v) for v in vals)
        if t == 1:
            return b"".join(struct.pack("<e", v) for v in vals)
        out = b""
        for i in range(0, len(vals), 32):
            blk = vals[i:i + 32]
            d = max(abs(v) for v in blk) / (127 if t == 8 else 8) or 1.0
            if t == 8:
                out += struct.pack("<e", d) + bytes((round(v / d) & 0xff) for v in blk)
            else:
                q = [min(15, max(0, round(v / d) + 8)) for v in blk]
                out += struct.pack("<e", d) + bytes(q[j] | q[j + 16] << 4 for j in range(16))
        return out

    kv_dim = dim // heads * kv_heads
    tensors = [("token_embd.weight", wtype, [dim, len(toks)], blob(wtype, dim, len(toks), 1)),
               ("output_norm.weight", 0, [dim], blob(0, dim, 1, 2))]
    for l in range(layers):
        for kind, t, cols, rows in [("attn_norm", 0, dim, 1), ("attn_q", wtype, dim, dim),
                                    ("attn_k", wtype, dim, kv_dim), ("attn_v", wtype, dim, kv_dim),
                                    ("attn_output", wtype, dim, dim), ("ffn_norm", 0, dim, 1),
                                    ("ffn_gate", wtype, dim, hidden), ("ffn_down", wtype, hidden, dim),
                                    ("ffn_up", wtype, dim, hidden)]:
            dims = [cols] if rows == 1 else [cols, rows]
            tensors.append(("blk.%d.%s.weight" % (l, kind), t, dims, blob(t, cols, rows, 3 + l)))
    return gguf_file(kvs, tensors)


def gguf_seeds():
    seeds = {"f32": gguf_model(), "f16": gguf_model(wtype=1), "q8_0": gguf_model(wtype=8),
             "q4_0": gguf_model(wtype=2), "bpe": gguf_model(bpe=True, layers=2, kv_heads=2)}
    p = model_prefix("gguf/llama3-vocab.gguf", 4096)
    if p:
        seeds["llama3-vocab-prefix"] = p
    return seeds


# ------------------------------------------------------------ disks

def fs_seeds(names):
    """Disk images made by tests/fuzz/fs_seeds.sh (the tools people use),
    each cut after its last non-zero byte, behind the 8-byte device header
    of tests/fuzz/fs_device.h: sector size code, size in sectors, no
    failing reads."""
    import tempfile
    codes = {512: 0, 2048: 1, 4096: 2}
    seeds = {}
    with tempfile.TemporaryDirectory() as d:
        subprocess.run([os.path.join(ROOT, "tests", "fuzz", "fs_seeds.sh"), d],
                       capture_output=True, timeout=300)
        for name in names:
            path = os.path.join(d, name)
            if not os.path.isfile(path):
                continue
            data = open(path, "rb").read()
            sector = 4096 if "4k" in name else 512
            for s in ([sector, 2048] if name.endswith(".iso") else [sector]):
                head = struct.pack("<BIBBB", codes[s], len(data) // s, 0, 0, 0)
                seeds["%s-%d" % (name, s)] = head + data.rstrip(b"\0")
    return seeds

# ------------------------------------------------------------ GGUF vocabularies

def vocab_seeds():
    """fuzz_vocab's input: flags (bit 0 Llama 3, bits 1-2 BOS mode, bit 3
    chat, bits 4-6 chat format, bit 7 first turn), a part count byte, one
    length byte per part but the last (high bit: special), the text."""
    def seed(flags, parts, last):
        head = bytes([flags, len(parts)])
        lens = bytes([len(p.encode()) | (0x80 if sp else 0) for p, sp in parts])
        return head + lens + "".join(p for p, _ in parts).encode() + last.encode()
    story = "Once upon a time, there was a robot. It's 2026!\n\n  Über-cool 🦙.cpp  "
    seeds = {}
    for which in (0, 1):
        seeds["plain-%d" % which] = seed(which, [], story)
        seeds["parts-%d" % which] = seed(which | 2, [("Once upon", False), (" a time", False)],
                                         ", there   was\t\r\na cat 333")
        seeds["special-%d" % which] = seed(which | 4, [("<|eot_id|></s>", True)], "<s>x</s>")
        for fmt in range(5):
            seeds["chat-%d-%d" % (which, fmt)] = seed(which | 8 | fmt << 4 | 0x80,
                                                     [("You are a storyteller.", True)],
                                                     "Tell me a story about a cat.")
    return seeds


# ------------------------------------------------------------

def generators():
    return {
        "cmdline": lambda: {"line%02d" % i: s.encode() for i, s in enumerate(CMDLINES)},
        "options": lambda: {"args%02d" % i: options_seed(a, 0x3f)
                            for i, a in enumerate(OPTIONS)},
        "multiboot2": mb2_seeds,
        "checkpoint": checkpoint_seeds,
        "tokenizer": tokenizer_seeds,
        "usb": usb_seeds,
        "gguf": gguf_seeds,
        "fs_partitions": lambda: fs_seeds(["gpt.img", "mbr.img", "exfat.img", "iso-rr.iso"]),
        "fs_exfat": lambda: fs_seeds(["exfat.img", "exfat-frag.img", "exfat-4k.img"]),
        "fs_fat": lambda: fs_seeds(["fat12.img", "fat16.img", "fat32.img"]),
        "fs_iso9660": lambda: fs_seeds(["iso-rr.iso", "iso-joliet.iso", "iso-plain.iso"]),
        "vocab": vocab_seeds,
    }


def main():
    if len(sys.argv) < 2:
        sys.exit("usage: seeds.py OUTDIR [NAME...]")
    out, names = sys.argv[1], sys.argv[2:]
    gens = generators()
    for name in names or sorted(gens):
        if name not in gens:
            continue                     # a target without seeds starts from nothing
        d = os.path.join(out, name)
        os.makedirs(d, exist_ok=True)
        for f in os.listdir(d):
            os.remove(os.path.join(d, f))
        for fname, data in gens[name]().items():
            with open(os.path.join(d, fname), "wb") as f:
                f.write(data)


if __name__ == "__main__":
    main()
