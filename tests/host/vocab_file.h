/* For the tests and fuzzers of the GGUF tokenizers: a llama_vocab read from a
 * vocabulary-only GGUF file (llama.cpp's ggml-vocab-*.gguf: metadata and no
 * tensors, which llama_gguf_parse refuses as a model), the way
 * lib/llama/model_gguf.c reads the tokenizer.* keys of a whole model; and
 * a Vocab built from it in a malloc'd arena of exactly the measured size.
 * test_vocab checks that both readings agree on the models. */
#ifndef TESTS_HOST_VOCAB_FILE_H
#define TESTS_HOST_VOCAB_FILE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lib/llama/llama.h"
#include "lib/llama/gguf.h"
#include "lib/llama/vocab.h"

static int vocab_file_id(const gguf_file *g, const char *key, int n, int *out) {
    int64_t v;
    llama_error err;
    *out = LLAMA_TOKEN_ABSENT;
    int r = gguf_get_int(g, key, -1, 0xffffffffll, &v, &err);
    if (r < 0) return -1;
    if (r == 0) return 0;
    if (v == -1 || v == 0xffffffffll) *out = LLAMA_TOKEN_NONE;
    else if (v < n) *out = (int)v;
    else return -1;
    return 0;
}

static int vocab_file_flag(const gguf_file *g, const char *key, int *out) {
    llama_error err;
    *out = -1;
    return gguf_get_bool(g, key, out, &err) < 0 ? -1 : 0;
}

/* Fills d from the GGUF file at file[0..size) (kept mapped). 0 or -1. */
static int vocab_file_read(llama_vocab *d, const void *file, size_t size) {
    gguf_file g;
    llama_error err;
    memset(d, 0, sizeof *d);
    if (gguf_open(&g, file, size, &err)) return -1;
    gguf_str s;
    if (gguf_get_str(&g, "tokenizer.ggml.model", &s, &err) != 1) return -1;
    if (gguf_str_is(s, "llama")) d->kind = LLAMA_VOCAB_SPM;
    else if (gguf_str_is(s, "gpt2")) d->kind = LLAMA_VOCAB_BPE;
    else return -1;
    gguf_kv kv;
    if (gguf_get_array(&g, "tokenizer.ggml.tokens", GGUF_STRING, &kv, &err) != 1) return -1;
    d->n_tokens = (int)kv.count;
    d->tokens = kv.value;
    if (gguf_get_array(&g, "tokenizer.ggml.scores", GGUF_F32, &kv, &err) == 1) d->scores = kv.value;
    if (gguf_get_array(&g, "tokenizer.ggml.token_type", GGUF_I32, &kv, &err) == 1) d->types = kv.value;
    if (gguf_get_array(&g, "tokenizer.ggml.merges", GGUF_STRING, &kv, &err) == 1) {
        d->merges = kv.value;
        d->n_merges = kv.count;
    }
    if (gguf_get_str(&g, "tokenizer.ggml.pre", &s, &err) == 1) {
        size_t n = s.len < sizeof d->pre - 1 ? s.len : sizeof d->pre - 1;
        memcpy(d->pre, s.s, n);
        d->pre[n] = 0;
    }
    int n = d->n_tokens;
    if (vocab_file_id(&g, "tokenizer.ggml.bos_token_id", n, &d->bos) ||
        vocab_file_id(&g, "tokenizer.ggml.eos_token_id", n, &d->eos) ||
        vocab_file_id(&g, "tokenizer.ggml.eot_token_id", n, &d->eot) ||
        vocab_file_id(&g, "tokenizer.ggml.eom_token_id", n, &d->eom) ||
        vocab_file_id(&g, "tokenizer.ggml.unknown_token_id", n, &d->unk) ||
        vocab_file_id(&g, "tokenizer.ggml.padding_token_id", n, &d->pad) ||
        vocab_file_id(&g, "tokenizer.ggml.seperator_token_id", n, &d->sep) ||
        vocab_file_flag(&g, "tokenizer.ggml.add_bos_token", &d->add_bos) ||
        vocab_file_flag(&g, "tokenizer.ggml.add_eos_token", &d->add_eos) ||
        vocab_file_flag(&g, "tokenizer.ggml.add_space_prefix", &d->add_space_prefix))
        return -1;
    if (gguf_get_str(&g, "tokenizer.chat_template", &s, &err) == 1) {
        d->chat_template = s.s;
        d->chat_template_len = s.len;
    }
    return 0;
}

/* A Vocab for d in a heap block of exactly the size a measuring arena
 * asks for (so that ASan sees a write past it). NULL on failure. */
static Vocab *vocab_file_open(const llama_vocab *d, size_t max_text, void **mem) {
    llama_error err;
    *mem = NULL;
    if (vocab_check(d, &err)) return NULL;
    Arena a;
    Vocab *v = malloc(sizeof *v);
    arena_measure(&a);
    vocab_init(v, d, max_text, &a);
    size_t need = arena_needed(&a);
    if (need == SIZE_MAX) {
        free(v);
        return NULL;
    }
    *mem = malloc(need);
    arena_init(&a, *mem, need);
    vocab_init(v, d, max_text, &a);
    if (a.overflow) {
        free(v);
        free(*mem);
        *mem = NULL;
        return NULL;
    }
    return v;
}

#endif
