/* Temporary until the engine lands: print the checkpoint's config line. */
#include "kernel/story.h"
#include <stdint.h>
#include "kernel/console.h"
#include "kernel/panic.h"
#include "lib/libc.h"

void story_run(const Options *opt, const void *model, size_t model_size,
               const void *tokenizer, size_t tokenizer_size) {
    (void)opt; (void)tokenizer; (void)tokenizer_size;
    int32_t c[7];
    if (model_size < sizeof c) kernel_error("model: too small");
    memcpy(c, model, sizeof c);
    kprintf("config: dim=%d hidden_dim=%d n_layers=%d n_heads=%d n_kv_heads=%d vocab_size=%d seq_len=%d\n",
            c[0], c[1], c[2], c[3], c[4], c[5] < 0 ? -c[5] : c[5], c[6]);
}
