/* Run options: llama2.c run's flags plus our own, parsed from an argv array.
 * The host program gets argv from its shell; the kernel gets it by splitting
 * the multiboot2 command line (lib/cmdline.h). One parser serves both. */
#ifndef LIB_OPTIONS_H
#define LIB_OPTIONS_H

#include <stddef.h>
#include <stdint.h>

enum options_host { OPTIONS_KERNEL = 0, OPTIONS_HOST = 1 };

typedef struct {
    /* run.c's flags */
    const char *checkpoint_path; /* host only: the positional MODEL argument */
    const char *tokenizer_path;  /* host only: -z (default "tokenizer.bin") */
    float temperature;           /* -t, default 1.0 */
    float topp;                  /* -p, default 0.9 */
    uint64_t seed;               /* -s, valid when seed_given */
    int seed_given;
    int steps;                   /* -n, default 256 (0 = seq_len) */
    const char *prompt;          /* -i, NULL when absent */
    const char *mode;            /* -m, "generate" (default) or "chat" */
    const char *system_prompt;   /* -y, NULL when absent */
    /* ours */
    int threads;                 /* --threads N, 0 = all cores */
    const char *simd;            /* --simd sse2|sse4|avx2|avx512|amx, NULL = auto */
    int exit_when_done;          /* --exit (kernel): leave QEMU via isa-debug-exit */
    const char *crash;           /* --crash KIND (kernel, tests only): raise an exception */
    int ask;                     /* --ask (kernel): read prompts from the consoles */
    int verbose;                 /* --verbose (kernel): each subsystem's details on the consoles */
    const char *model_file;      /* --model NAME (kernel): a model file on a disk, NULL = none */
    const char *tokenizer_file;  /* --tokenizer NAME (kernel): its tokenizer file, NULL = none */
} Options;

/* Room for any err or note message (values are quoted at most 64 bytes). */
#define OPTIONS_MSG_SIZE 512

/* Parses argv[0..argc) (argv[0] is a flag or, on the host, MODEL; there is no
 * program name). Returns 0 on success. On failure returns -1 and writes one
 * line without "error: " prefix and without newline into err, which names the
 * bad argument and lists the valid flags for that platform. Notes about
 * clamped values (as run.c clamps) go into note (empty when none), also one
 * line without "note: " prefix and newline; several are joined by "; ".
 * err and note may be NULL when their length is 0. The kernel defaults
 * tokenizer_path to NULL (the tokenizer is a GRUB module). */
int options_parse(Options *opt, int argc, char **argv, enum options_host host,
                  char *err, size_t errlen, char *note, size_t notelen);

#endif
