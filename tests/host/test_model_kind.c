/* Tests kernel/model_kind.c on the real model files: llama2.c checkpoints
 * and GGUF files are told apart and described (name, file type, main
 * tensor type, shape), a tokenizer.bin is no model, a damaged or
 * unrunnable GGUF says why; and the description is the same when only the
 * header is real and the rest of the file reads as zeros (what the kernel
 * hands it). */
#include <stdlib.h>
#include "tests/check.h"
#include "tests/host/model_file.h"
#include "kernel/model_kind.h"

#pragma GCC diagnostic ignored "-Wformat-truncation"

static char desc[400];

/* The file's header (first `keep` bytes) with zeros after it, in a buffer
 * of the whole size. */
static unsigned char *header_only(const unsigned char *f, size_t size, size_t keep) {
    unsigned char *v = calloc(1, size);
    memcpy(v, f, keep < size ? keep : size);
    return v;
}

/* Describes NAME whole and as its first 4 MiB; both must say the same. */
static enum model_kind describe(const char *name, size_t *size_out) {
    size_t size = 0;
    unsigned char *f = model_file(name, &size);
    CHECK(f != NULL, "%s not found (tools/find-model.sh %s)", name, name);
    if (!f) return MODEL_NONE;
    enum model_kind k = model_describe(f, size, desc, sizeof desc);
    char whole[400];
    memcpy(whole, desc, sizeof whole);
    unsigned char *v = header_only(f, size, 4u << 20);
    enum model_kind k2 = model_describe(v, size, desc, sizeof desc);
    CHECK(k == k2 && strcmp(whole, desc) == 0, "%s: whole file: %d \"%s\"; header only: %d \"%s\"",
          name, k, whole, k2, desc);
    free(v);
    free(f);
    if (size_out) *size_out = size;
    return k;
}

TEST(llama2c_checkpoints)
{
    CHECK(describe("stories15M.bin", NULL) == MODEL_LLAMA2C, "stories15M.bin: %s", desc);
    CHECK(strstr(desc, "version 0") && strstr(desc, "fp32") && strstr(desc, "dim 288") &&
          strstr(desc, "6 layers") && strstr(desc, "vocabulary 32000"), "%s", desc);
    CHECK(describe("stories260K.bin", NULL) == MODEL_LLAMA2C, "stories260K.bin: %s", desc);
    CHECK(strstr(desc, "dim 64") && strstr(desc, "5 layers") && strstr(desc, "vocabulary 512"), "%s", desc);
}

TEST(tokenizers_are_no_models)
{
    CHECK(describe("tokenizer.bin", NULL) == MODEL_NONE, "tokenizer.bin: %s", desc);
    CHECK(describe("tok512.bin", NULL) == MODEL_NONE, "tok512.bin: %s", desc);
}

TEST(gguf_models)
{
    CHECK(describe("gguf/stories15M-Q8_0.gguf", NULL) == MODEL_GGUF, "kind");
    CHECK(strstr(desc, "Q8_0 (mostly Q8_0)") && strstr(desc, "llama") && strstr(desc, "dim 288") &&
          !strstr(desc, "cannot run"), "%s", desc);
    CHECK(describe("gguf/stories15M-F16.gguf", NULL) == MODEL_GGUF, "kind");
    CHECK(strstr(desc, "F16 (mostly F16)"), "%s", desc);
    CHECK(describe("gguf/tinyllama-mini-Q4_K_M.gguf", NULL) == MODEL_GGUF, "kind");
    /* Q4_K_M by its file type; by bytes its untied Q6_K output and embedding outweigh the rest */
    CHECK(strstr(desc, "Q4_K_M (mostly Q6_K)") && strstr(desc, "vocabulary 32000"), "%s", desc);
    CHECK(describe("gguf/llama2-vocab.gguf", NULL) == MODEL_GGUF, "kind");
    CHECK(strstr(desc, "no tensors"), "%s", desc);
}

TEST(gguf_damaged)
{
    size_t size = 0;
    unsigned char *f = model_file("gguf/stories15M-Q8_0.gguf", &size);
    CHECK(f != NULL, "stories15M-Q8_0.gguf not found");
    if (!f) return;
    /* truncated: its tensors run past the end */
    CHECK(model_describe(f, size - 1000, desc, sizeof desc) == MODEL_GGUF, "kind");
    CHECK(strstr(desc, "unreadable") && strstr(desc, "truncated"), "%s", desc);
    /* a version no reader knows */
    f[4] = 9;
    CHECK(model_describe(f, size, desc, sizeof desc) == MODEL_GGUF && strstr(desc, "unreadable"), "%s", desc);
    f[4] = 3;
    /* bytes that only begin like GGUF */
    CHECK(model_describe(f, 6, desc, sizeof desc) == MODEL_GGUF && strstr(desc, "unreadable"), "%s", desc);
    free(f);
    unsigned char zeros[64] = {0};
    CHECK(model_describe(zeros, sizeof zeros, desc, sizeof desc) == MODEL_NONE, "zeros: %s", desc);
    CHECK(model_describe(zeros, 0, desc, sizeof desc) == MODEL_NONE, "empty: %s", desc);
}

TEST(file_type_names)
{
    CHECK(strcmp(model_file_type_name(15), "Q4_K_M") == 0, "15");
    CHECK(strcmp(model_file_type_name(7), "Q8_0") == 0, "7");
    CHECK(strcmp(model_file_type_name(32), "BF16") == 0, "32");
    CHECK(model_file_type_name(5) == NULL && model_file_type_name(-1) == NULL &&
          model_file_type_name(1000) == NULL, "unknown ones");
}

RUN_TESTS(llama2c_checkpoints, tokenizers_are_no_models, gguf_models, gguf_damaged, file_type_names)
