/* Opening a model: a GGUF file, or a llama2.c checkpoint with its
 * tokenizer.bin. Both fill one llama_model (see llama.h). */
#include "lib/llama/llama.h"
#include "lib/llama/errors.h"
#include "lib/llama/gguf.h"
#include "lib/libc.h"

int llama_is_gguf(const void *file, size_t size) {
    return size >= 4 && gguf_u32(file) == GGUF_MAGIC;
}

int llama_model_attach_tokenizer(llama_model *m, const void *file, size_t size, llama_error *err) {
    llama_vocab *v = &m->vocab;
    memset(v, 0, sizeof *v);
    if (llama_tokenizer_check(&v->runc, file, size, m->config.vocab_size, err)) return -1;
    v->kind = LLAMA_VOCAB_RUNC;
    v->n_tokens = m->config.vocab_size;
    /* run.c's fixed ids: BOS 1 starts (and, generated, ends) a story, EOS 2 ends a chat turn */
    v->bos = 1;
    v->eos = 2;
    v->eot = v->eom = v->unk = v->pad = v->sep = LLAMA_TOKEN_ABSENT;
    v->add_bos = 1;
    v->add_eos = 0;
    v->add_space_prefix = 1;
    return 0;
}

int llama_model_open(llama_model *m, const void *file, size_t size, const void *tokenizer,
                     size_t tokenizer_size, llama_error *err) {
    if (llama_is_gguf(file, size)) {
        if (llama_gguf_parse(m, file, size, err)) return -1;
        return 0;
    }
    if (llama_checkpoint_parse(m, file, size, err)) return -1;
    if (!tokenizer)
        return llama_fail(err, "a llama2.c checkpoint needs its tokenizer.bin (a GGUF file "
                          "carries its own vocabulary)");
    return llama_model_attach_tokenizer(m, tokenizer, tokenizer_size, err);
}
