/* For the tests and fuzzers of the GGUF tokenizers: a llama_vocab read from a
 * vocabulary-only GGUF file (llama.cpp's ggml-vocab-*.gguf: metadata and no
 * tensors, which llama_gguf_parse refuses as a model) by llama_gguf_vocab;
 * and a Vocab built from it in a malloc'd arena of exactly the measured
 * size. */
#ifndef TESTS_HOST_VOCAB_FILE_H
#define TESTS_HOST_VOCAB_FILE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lib/llama/llama.h"
#include "lib/llama/gguf.h"
#include "lib/llama/vocab.h"

/* Fills d from the GGUF file at file[0..size) (kept mapped). 0 or -1. */
static int vocab_file_read(llama_vocab *d, const void *file, size_t size) {
    llama_error err;
    return llama_gguf_vocab(d, file, size, &err);
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
