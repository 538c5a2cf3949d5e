/* The model from a disk, when GRUB does not bring it as a module (or
 * --model says which file to take): find the disks and their filesystems,
 * find the model by name or let a person choose it from a list, and read
 * it into RAM with a progress bar. */
#ifndef KERNEL_MODEL_LOAD_H
#define KERNEL_MODEL_LOAD_H

#include <stdint.h>
#include "lib/options.h"

/* The files the story runs on, wherever they came from. */
struct model_files {
    void *model;                 /* in RAM, writable: llama_model_prepare rearranges its weights */
    uint64_t model_size;
    const void *tokenizer;       /* NULL: none (a GGUF file holds its vocabulary) */
    uint64_t tokenizer_size;
};

/* Brings up the disks (NVMe, AHCI) and reads their partitions. Then:
 *   --model NAME: the file of that name (anywhere on a partition) or path
 *     ("/models/x.gguf"), from the first partition that has it;
 *   no --model and no model in *f: every .gguf file and llama2.c .bin
 *     checkpoint on every partition is listed and a number is asked for on
 *     the keyboard and the serial port (under --exit, for at most 10 s);
 *   a model already in *f (a GRUB module) and --tokenizer: only the
 *     tokenizer is taken from the disks.
 * The model goes to RAM anywhere (above 4 GiB included; scattered free
 * pieces are mapped as one range). A llama2.c checkpoint's tokenizer is
 * --tokenizer NAME, else tokenizer.bin beside the model, else the one
 * already in *f (a GRUB module). Returns 0 with *f filled in; when no model
 * was asked for and none could be chosen, a phrase that says why ("no model
 * file ... on any disk"), for the caller's error. Every other failure (the
 * file named is not there, does not fit in RAM, cannot be read) ends in
 * kernel_error. */
const char *model_load_from_disks(const Options *opt, struct model_files *f);

#endif
