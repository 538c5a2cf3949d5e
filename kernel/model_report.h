/* What the boot log says about the model before the story: its format,
 * architecture, name and shape, its tensor types with their counts, its
 * vocabulary, its context and the memory it takes (the weights in place,
 * the KV cache and run state for the steps asked for). */
#ifndef KERNEL_MODEL_REPORT_H
#define KERNEL_MODEL_REPORT_H

#include <stddef.h>
#include "lib/llama/llama.h"

/* A short name for the model: general.name, a known llama2.c shape
 * ("stories15M"), or "custom". */
const char *model_report_name(const llama_model *m);

/* Prints the report lines. kv_bytes: the KV cache alone; need: all the
 * working memory for steps. */
void model_report(const llama_model *m, size_t file_size, int steps, size_t kv_bytes,
                  size_t need);

#endif
