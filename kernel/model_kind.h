/* What a model file found on a disk is, for the list a person chooses
 * from: a GGUF file (its general.name, architecture, file type and main
 * tensor type, and whether this engine runs it) or a llama2.c checkpoint
 * (its version and shape); any other .bin (a tokenizer, other data) is no
 * model. Only the header is looked at, through the engine's own parsers. */
#ifndef KERNEL_MODEL_KIND_H
#define KERNEL_MODEL_KIND_H

#include <stddef.h>
#include <stdint.h>

enum model_kind { MODEL_NONE = 0, MODEL_LLAMA2C = 1, MODEL_GGUF = 2 };

/* file: a view of the whole file (size bytes, 4-byte aligned) in which
 * the bytes past its header may read as zeros. Writes one line into desc
 * (n bytes) and returns the kind. */
enum model_kind model_describe(const void *file, uint64_t size, char *desc, size_t n);

/* llama.cpp's name of a GGUF general.file_type ("Q4_K_M"), or NULL. */
const char *model_file_type_name(int64_t file_type);

#endif
