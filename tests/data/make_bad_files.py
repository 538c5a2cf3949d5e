#!/usr/bin/env python3
"""make_bad_files.py OUTDIR MODEL260K TOK512 MODEL15M: writes the broken and
odd inputs the robustness tests boot with (nothing here is committed: the
files derive from the real models at test time).

  truncated.bin       the first 500000 bytes of stories260K
  random.bin          1 MB of seeded random bytes
  dim0.bin, ...       stories260K with one config field made absurd
  v1_badmagic.bin     a version-1 header with a wrong magic
  v1_badversion.bin   a version-1 header with version 7
  extra.bin           stories260K with 1000 bytes appended
  tok_truncated.bin   tok512 cut in the middle of a token
  tok_random.bin      random bytes as a tokenizer
  tok_longtoken.bin   tok512 with a token longer than max_token_length
  seq32k.bin          stories15M's weights with seq_len 32768 (KV cache ~450 MiB)
"""
import os, random, struct, sys

out, m260, t512, m15 = sys.argv[1:5]
os.makedirs(out, exist_ok=True)
rnd = random.Random(1234)

def write(name, data):
    with open(os.path.join(out, name), 'wb') as f:
        f.write(data)

model = open(m260, 'rb').read()
tok = open(t512, 'rb').read()
header = list(struct.unpack('<7i', model[:28]))
body = model[28:]

write('truncated.bin', model[:500000])
write('random.bin', bytes(rnd.getrandbits(8) for _ in range(1 << 20)))
write('extra.bin', model + bytes(1000))

# dim, hidden_dim, n_layers, n_heads, n_kv_heads, vocab_size, seq_len
absurd = {
    'dim0': (0, 0), 'dimneg': (0, -64), 'hidden0': (1, 0), 'layers0': (2, 0),
    'heads0': (3, 0), 'heads_indivisible': (3, 7), 'kvheads_indivisible': (4, 3),
    'kvheads0': (4, 0), 'vocab0': (5, 0), 'vocabhuge': (5, 2**31 - 1),
    'seq0': (6, 0), 'seqhuge': (6, 2**31 - 1),
}
for name, (field, value) in absurd.items():
    h = header[:]
    h[field] = value
    write(name + '.bin', struct.pack('<7i', *h) + body)

v1 = struct.pack('<Ii7iB', 0x616b3432, 1, *header[:5], abs(header[5]), header[6], 1)
v1 = v1.ljust(256, b'\0')
write('v1_badmagic.bin', b'XXXX' + v1[4:] + bytes(4096))
write('v1_badversion.bin', v1[:4] + struct.pack('<i', 7) + v1[8:] + bytes(4096))

# tokenizer.bin: int max_token_length, then per token: float score, int len, bytes
write('tok_truncated.bin', tok[:len(tok) // 2 + 3])
write('tok_random.bin', bytes(rnd.getrandbits(8) for _ in range(6227)))
max_len = struct.unpack('<i', tok[:4])[0]
pos, parts = 4, [tok[:4]]
for i in range(abs(header[5])):
    score, n = struct.unpack('<fi', tok[pos:pos + 8])
    s = tok[pos + 8:pos + 8 + n]
    pos += 8 + n
    if i == 300:
        s = b'x' * (max_len + 5)
    parts.append(struct.pack('<fi', score, len(s)) + s)
write('tok_longtoken.bin', b''.join(parts))

# stories15M with seq_len 32768: the legacy format carries freq_cis tables of
# seq_len * head_size / 2 floats each after the last layer's weights.
m = open(m15, 'rb').read()
dim, hidden, layers, heads, kv, vocab, seq = struct.unpack('<7i', m[:28])
head = dim // heads
freq_bytes = 2 * seq * head // 2 * 4
weights_end = 28 + 4 * (abs(vocab) * dim + layers * dim * 2 + layers * dim * dim * 2
                        + layers * dim * (kv * head) * 2 + layers * dim * hidden * 3 + dim)
big_seq = 32768
with open(os.path.join(out, 'seq32k.bin'), 'wb') as f:
    f.write(struct.pack('<7i', dim, hidden, layers, heads, kv, vocab, big_seq))
    f.write(m[28:weights_end])
    f.write(bytes(2 * big_seq * head // 2 * 4))
    f.write(m[weights_end + freq_bytes:])
