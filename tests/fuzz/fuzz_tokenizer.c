/* Fuzzes the engine's tokenizer: llama_tokenizer_check, tokenizer_init and
 * tokenizer_encode/decode (lib/llama/tokenizer.c).
 *
 * Input: one byte n, a prompt of n bytes (a NUL in it ends it early, as in
 * a C string), then a tokenizer.bin. The vocabulary size handed to the
 * check is the number of whole tokens a plain reading of the file finds
 * (at most 4096: a small vocabulary), so the check must accept exactly
 * when those tokens fill the file, and must refuse one token more or less.
 * Accepted files are loaded into an arena of exactly the measured size
 * (a heap block: ASan sees any write past it), every token string must be
 * found again by tokenizer_lookup, and the prompt is encoded (into an
 * exact array of strlen + 3 ids, with BOS and EOS) and decoded: every id
 * must be in the vocabulary and every piece a string. Encoding needs ids
 * 0-2 (<unk>, BOS, EOS), which every checkpoint has (llama_checkpoint_parse
 * wants vocab_size >= 3), so it is tried for such vocabularies only. */
#include "lib/llama/arena.h"
#include "lib/llama/tokenizer.h"
#include "tests/fuzz/fuzz.h"

#define MAX_VOCAB 4096

static int32_t rd32(const unsigned char *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return (int32_t)v;
}

/* Whole tokens from the start of the file (-1: bad header); *end: where
 * they end. */
static int count_tokens(const unsigned char *p, size_t size, size_t *end)
{
    *end = 0;
    if (size < 4)
        return -1;
    int32_t mtl = rd32(p);
    if (mtl < 1 || mtl > 65536)
        return -1;
    size_t off = 4;
    int n = 0;
    while (n < MAX_VOCAB + 1 && size - off >= 8) {
        int32_t len = rd32(p + off + 4);
        if (len < 0 || len > mtl || size - off - 8 < (size_t)len)
            break;
        off += 8 + (size_t)len;
        n++;
    }
    *end = off;
    return n;
}

static void check_rejects(const unsigned char *file, size_t size, int vocab)
{
    llama_tokenizer_file tf;
    llama_error err;
    memset(&err, 0x55, sizeof err);
    FUZZ_ASSERT(llama_tokenizer_check(&tf, file, size, vocab, &err) == -1,
                "a file of another token count was accepted for vocab_size %d", vocab);
    fuzz_check_message(err.msg, sizeof err.msg, 1, "tokenizer error");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    size_t plen = data[0] < size - 1 ? data[0] : size - 1;
    char *prompt = fuzz_strndup(data + 1, plen);
    size_t fsize = size - 1 - plen;
    unsigned char *file = fuzz_dup(data + 1 + plen, fsize);
    llama_tokenizer_file tf;
    llama_error err;

    size_t end;
    int vocab = count_tokens(file, fsize, &end);
    if (vocab < 1 || vocab > MAX_VOCAB) {
        if (vocab >= 0)
            check_rejects(file, fsize, vocab > MAX_VOCAB ? MAX_VOCAB : vocab);
        goto out;
    }
    memset(&err, 0x55, sizeof err);
    int r = llama_tokenizer_check(&tf, file, fsize, vocab, &err);
    FUZZ_ASSERT(r == (end == fsize ? 0 : -1), "check says %d for %d tokens ending at %zu of %zu",
                r, vocab, end, fsize);
    check_rejects(file, fsize, vocab + 1);
    if (vocab > 1)
        check_rejects(file, fsize, vocab - 1);
    if (r != 0) {
        fuzz_check_message(err.msg, sizeof err.msg, 1, "tokenizer error");
        goto out;
    }
    FUZZ_ASSERT(tf.vocab_size == vocab && tf.data == file && tf.size == fsize, "tf fields");

    /* Measure, then load into exactly that much. */
    Arena a;
    Tokenizer t;
    arena_measure(&a);
    tokenizer_init(&t, &tf, &a);
    size_t need = arena_needed(&a);
    FUZZ_ASSERT(need < (64u << 20), "a %d-token vocabulary needs %zu bytes", vocab, need);
    unsigned char *mem = malloc(need);
    arena_init(&a, mem, need);
    tokenizer_init(&t, &tf, &a);
    FUZZ_ASSERT(!a.overflow, "the measured %zu bytes are not enough", need);

    for (int i = 0; i < vocab; i++) {
        int id = tokenizer_lookup(&t, t.vocab[i]);
        FUZZ_ASSERT(id >= 0 && id < vocab && strcmp(t.vocab[id], t.vocab[i]) == 0,
                    "token %d [%s] looked up as %d", i, t.vocab[i], id);
    }

    if (vocab < 3)
        goto done;
    size_t n_max = strlen(prompt) + 3;
    int *tokens = malloc(n_max * sizeof *tokens), n = -1;
    memset(&err, 0x55, sizeof err);
    r = tokenizer_encode(&t, prompt, 1, 1, tokens, &n, &err);
    FUZZ_ASSERT(r == 0 || r == -1, "tokenizer_encode returned %d", r);
    if (r != 0) {
        fuzz_check_message(err.msg, sizeof err.msg, 1, "encode error");
    } else {
        FUZZ_ASSERT(n >= 2 && (size_t)n <= n_max, "%d tokens for %zu bytes", n, strlen(prompt));
        /* EOS comes after the merges; BOS is merged like any token (as in
         * run.c), so with an odd vocabulary it may not stay first. */
        FUZZ_ASSERT(tokens[n - 1] == 2, "the last token is %d, not EOS", tokens[n - 1]);
        for (int i = 0; i < n; i++) {
            FUZZ_ASSERT(tokens[i] >= 0 && tokens[i] < vocab, "token %d is id %d of %d", i,
                        tokens[i], vocab);
            const char *piece = tokenizer_decode(&t, i ? tokens[i - 1] : 0, tokens[i]);
            FUZZ_ASSERT(piece != NULL, "no piece for id %d", tokens[i]);
            size_t k = piece_print_length(piece);
            FUZZ_ASSERT(k <= strlen(piece), "print length %zu of [%s]", k, piece);
        }
    }
    free(tokens);
done:
    free(mem);
out:
    free(file);
    free(prompt);
    return 0;
}
