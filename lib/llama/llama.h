/* The llama engine: llama2.c's run.c, and llama.cpp's arithmetic for GGUF
 * models, as a library that needs no operating system. The one header a
 * platform (kernel/, tools/) includes.
 *
 * The platform owns all memory and all I/O. It hands the engine the model
 * file (and, for a llama2.c checkpoint, its tokenizer) as bytes in memory,
 * one work arena, and a few callbacks; the engine allocates nothing and
 * prints nothing itself. For a llama2.c checkpoint the output is
 * byte-for-byte what run.c prints for the same files and flags.
 *
 * Order of calls:
 *   1. llama_model_open(&m, file, size, tokenizer, tsize, &err)  validate, map
 *      llama_model_prepare(&m, file, size, &err)          weights in place
 *   2. steps = llama_steps(&m.config, requested_steps)     run.c's clamp
 *   3. need  = llama_memory_needed(&m, steps, max_prompt_len)
 *      ("needs X MiB, have Y MiB" is the platform's message)
 *   4. s = llama_init(mem, need, &m, steps, max_prompt_len,
 *                     &sampling, &platform, &err)
 *   5. llama_generate(s, prompt, &stats, &err)            may be repeated
 *      or llama_chat(s, ...)                              (max_prompt_len >=
 *                                                          LLAMA_CHAT_PROMPT_MAX)
 * The model bytes must stay mapped while the session is used (the weights
 * and a GGUF vocabulary point into them); a tokenizer.bin is copied in
 * step 4.
 *
 * Errors: functions that can fail take a llama_error and fill it with one
 * line (no "error:" prefix, no newline) saying what is wrong and what to do.
 */
#ifndef LIB_LLAMA_LLAMA_H
#define LIB_LLAMA_LLAMA_H

#include <stddef.h>
#include <stdint.h>
#include "lib/llama/tensor.h"

typedef struct {
    char msg[320];
} llama_error;

/* ---------------------------------------------------------------- the model */

/* A model, whatever file it came from: its shape, its tensors and its
 * vocabulary. llama2.c checkpoints (with tokenizer.bin) and GGUF files fill
 * the same description; the forward pass, the kernels and the tokenizers
 * read only this. */

#define LLAMA_MAX_LAYERS 256

typedef struct {
    int dim;               /* transformer width */
    int hidden_dim;        /* FFN width */
    int n_layers;
    int n_heads;           /* query heads */
    int n_kv_heads;        /* key/value heads (grouped-query attention) */
    int vocab_size;        /* always positive here */
    int seq_len;           /* maximum context */
    int head_size;         /* dim / n_heads */
    int kv_dim;            /* n_kv_heads * head_size */
    int shared_classifier; /* 1: the classifier is the embedding table */
    int version;           /* llama2.c: 0 (legacy), 1 (export.py version 1, fp32) or 2
                              (export.py version 2, Q8_0 for runq.c); GGUF: its version */
    int group_size;        /* llama2.c version 2: values per fp32 scale; 0 otherwise */
    float rms_eps;         /* RMS norm epsilon (llama2.c: 1e-5) */
    float rope_theta;      /* RoPE base frequency (llama2.c: 10000) */
    float rope_scale;      /* linear RoPE scaling: positions are multiplied by it (1) */
    int rope_dim;          /* values of a head that are rotated (llama2.c: head_size) */
    /* 0: run.c's order for the small float operations (norms, RoPE angles,
     * softmax) so that llama2.c checkpoints give run.c's exact story;
     * 1: ggml's (sums in double, angles by repeated products), as
     * llama.cpp computes a GGUF model. */
    int ggml_arith;
} llama_config;

/* The tensors of one layer: norms are F32 vectors of dim values;
 * matrices have `cols` inputs and `rows` outputs. */
typedef struct {
    llama_tensor attn_norm;
    llama_tensor wq, wk, wv;      /* (dim, dim), (kv_dim, dim), (kv_dim, dim) */
    llama_tensor wo;              /* (dim, dim) */
    llama_tensor ffn_norm;
    llama_tensor w1, w3;          /* gate and up: (hidden_dim, dim) */
    llama_tensor w2;              /* down: (dim, hidden_dim) */
} llama_layer;

typedef struct {
    llama_tensor token_embedding; /* (vocab_size, dim) */
    llama_tensor rms_final;       /* (dim) */
    llama_tensor wcls;            /* (vocab_size, dim), the embedding itself when shared */
    llama_tensor rope_freqs;      /* F32 (rope_dim / 2) frequency divisors (Llama 3.1), or absent */
    llama_layer layer[LLAMA_MAX_LAYERS];
} llama_weights;

/* A llama2.c tokenizer.bin, checked (see llama_tokenizer_check). */
typedef struct {
    const unsigned char *data;  /* the tokenizer.bin bytes (read in llama_init) */
    size_t size;
    int vocab_size;
    int max_token_length;
    size_t string_bytes;        /* all token strings, each with a NUL */
} llama_tokenizer_file;

enum llama_vocab_kind {
    LLAMA_VOCAB_RUNC = 0,       /* llama2.c's tokenizer.bin, encoded as run.c does */
    LLAMA_VOCAB_SPM = 1,        /* GGUF tokenizer.ggml.model "llama": SentencePiece */
    LLAMA_VOCAB_BPE = 2,        /* GGUF "gpt2": byte-level BPE with merges */
};

#define LLAMA_TOKEN_ABSENT (-2) /* the file does not say */
#define LLAMA_TOKEN_NONE (-1)   /* the file says there is none */

typedef struct {
    int kind;                   /* enum llama_vocab_kind */
    int n_tokens;
    llama_tokenizer_file runc;  /* LLAMA_VOCAB_RUNC */
    /* GGUF: the metadata arrays where they lie in the file (unaligned,
     * little-endian): n_tokens strings (each a u64 length and its bytes),
     * n_tokens f32 scores (or NULL), n_tokens i32 token types (or NULL),
     * n_merges strings "left right" (BPE). */
    const unsigned char *tokens, *scores, *types, *merges;
    uint64_t n_merges;
    char pre[48];               /* tokenizer.ggml.pre, "" when absent */
    /* Special token ids: an id, LLAMA_TOKEN_NONE or LLAMA_TOKEN_ABSENT. */
    int bos, eos, eot, eom, unk, pad, sep;
    int add_bos, add_eos, add_space_prefix;   /* 0, 1, or -1 when absent */
    const char *chat_template;  /* tokenizer.chat_template (no NUL), or NULL */
    size_t chat_template_len;
} llama_vocab;

typedef struct {
    llama_config config;
    llama_weights weights;
    llama_vocab vocab;
    int format;                 /* LLAMA_FORMAT_* */
    char arch[32];              /* "llama" */
    char name[96];              /* general.name, or "" */
    int file_type;              /* GGUF general.file_type (llama.cpp's ftype), or -1 */
} llama_model;

enum { LLAMA_FORMAT_LLAMA2C = 0, LLAMA_FORMAT_GGUF = 1 };

/* Validates a whole llama2.c checkpoint file (version 0 or 1, fp32;
 * version 2, Q8_0) held at file[0..size), which must be 4-byte aligned,
 * and points m->weights into it. Every config field is checked and the size
 * must be exactly what the config implies. The vocabulary is left empty
 * (llama_model_attach_tokenizer fills it). 0 or -1. */
int llama_checkpoint_parse(llama_model *m, const void *file, size_t size, llama_error *err);

/* Validates a GGUF file (llama.cpp's format) of architecture llama held at
 * file[0..size) and fills m from it: config, tensors (in place) and the
 * vocabulary. 0 or -1. */
int llama_gguf_parse(llama_model *m, const void *file, size_t size, llama_error *err);

/* Reads only the vocabulary of a GGUF file (a model's, or a vocabulary-only
 * file like llama.cpp's ggml-vocab-*.gguf, which has no tensors). 0 or -1. */
int llama_gguf_vocab(llama_vocab *v, const void *file, size_t size, llama_error *err);

/* 1 when the bytes begin like a GGUF file. */
int llama_is_gguf(const void *file, size_t size);

/* One entry for both formats: a GGUF file (tokenizer must be NULL: the
 * vocabulary is inside), or a llama2.c checkpoint with its tokenizer.bin.
 * The model file must stay mapped while m is used; so must the tokenizer
 * until llama_init has copied it. 0 or -1. */
int llama_model_open(llama_model *m, const void *file, size_t size, const void *tokenizer,
                     size_t tokenizer_size, llama_error *err);

/* Puts m's weights into the layouts the kernels read, in place in the
 * model bytes (`file`, `size`: those llama_model_open or llama_gguf_parse
 * read, writable): Q4_0, Q4_1, Q5_0, Q5_1, IQ4_NL, Q4_K and Q5_K weights
 * are rearranged (blocks.h), the others
 * left as they are. Call it once for each loaded file, before llama_init,
 * which refuses such weights that were not prepared; calling it a second
 * time on the same bytes (through another llama_model) would garble
 * them. 0 or -1. */
int llama_model_prepare(llama_model *m, void *file, size_t size, llama_error *err);
/* 1 when no weight of m waits for llama_model_prepare. */
int llama_model_prepared(const llama_model *m);

/* Checks tokenizer.bin against m's vocabulary size and makes it m's
 * vocabulary (llama2.c checkpoints). 0 or -1. */
int llama_model_attach_tokenizer(llama_model *m, const void *file, size_t size, llama_error *err);

/* ---------------------------------------------------------------- tokenizer */

/* Validates a llama2.c tokenizer.bin for a model of vocab_size tokens:
 * max_token_length >= 1, every length in [0, max_token_length], and exactly
 * vocab_size tokens (a truncated file, or one with more tokens, belongs to
 * another vocabulary and is refused; run.c would silently use it). */
int llama_tokenizer_check(llama_tokenizer_file *tf, const void *file, size_t size,
                          int vocab_size, llama_error *err);

/* ---------------------------------------------------------------- platform */

/* Runs fn(arg, begin, end) over disjoint ranges that together cover
 * [0, n), possibly on several cores at once, and returns when all are done. */
typedef void (*llama_range_fn)(void *arg, int begin, int end);

/* How a platform's parallel_for splits [0, n) among `workers` cores: into
 * llama_chunks(n, workers) contiguous chunks (about four per worker, cut at
 * multiples of 16 when n allows; llama_chunk gives chunk c). Worker w owns
 * chunks [first, end) of llama_share (the same rows every time, one
 * sequential stream) and takes them one at a time from its own counter;
 * then it takes what is left of the others' shares, so that a core that is
 * slow or away (a virtual core the host did not schedule) holds up one chunk
 * at most. The engine computes every row and head the same way whoever
 * takes it: the results never depend on the split. */
int llama_chunks(int n, int workers);
void llama_chunk(int n, int workers, int c, int *begin, int *end);
void llama_share(int chunks, int workers, int w, int *first, int *end);

/* CPU features (a bit mask) */
#define LLAMA_CPU_FMA    (1u << 0)  /* FMA3 with AVX state enabled by the OS */
#define LLAMA_CPU_AVX2   (1u << 1)
#define LLAMA_CPU_AVX512 (1u << 2)  /* AVX-512F with ZMM state enabled */
#define LLAMA_CPU_AVX512VNNI (1u << 3)  /* and AVX-512 BW, VL and VNNI (int8 dot products) */
#define LLAMA_CPU_AMX    (1u << 4)  /* AMX-TILE and AMX-INT8 with tile state enabled (and, on
                                       Linux, granted to the process) */
#define LLAMA_CPU_AVXVNNI (1u << 5) /* AVX-VNNI (VEX int8 dot products on 256 bits) and F16C */
#define LLAMA_CPU_F16C   (1u << 6)  /* F16C (binary16 <-> fp32 by VCVTPH2PS) with AVX state */
#define LLAMA_CPU_SSE41  (1u << 7)  /* SSSE3 and SSE4.1 (no state beyond SSE's) */
#define LLAMA_CPU_AVX    (1u << 8)  /* AVX (VEX encoding) with AVX state enabled */

/* What this CPU and OS offer (CPUID and XCR0). */
unsigned llama_cpu_detect(void);

/* The features of `have` that the SIMD level named `level` ("sse2", "sse4", "avx2",
 * "avx512", "amx": --simd) lets the engine use, in *features; -1 with a message
 * in err when `have` lacks what the level needs. */
int llama_cpu_level(unsigned have, const char *level, unsigned *features, llama_error *err);

typedef struct {
    void *ctx;                                   /* passed back to every callback */
    /* The story text, as it is generated (not NUL-terminated). */
    void (*write)(void *ctx, const char *bytes, size_t n);
    /* A monotonic clock in nanoseconds (may be NULL: times read as 0). */
    uint64_t (*now_ns)(void *ctx);
    /* NULL: the engine runs everything on the calling core. */
    void (*parallel_for)(void *ctx, int n, llama_range_fn fn, void *arg);
    /* LLAMA_CPU_* the engine may use; results never depend on it. */
    unsigned cpu_features;
    /* Called after each generated token with the positions run so far and
     * the steps allowed (may be NULL): for a progress display. */
    void (*progress)(void *ctx, int pos, int steps);
    /* Called with the logits after each prompt has run (may be NULL): for
     * comparing with another implementation (--dump-logits). */
    void (*prompt_logits)(void *ctx, const float *logits, int n);
    /* 1: run on the widest level cpu_features allow, always (--simd); 0:
     * one-token steps may run each weight type's products on a narrower
     * level that this machine turns out to run faster (timed during the
     * first tokens; same results; tuner.h). Either way, how the rows are
     * read is timed, for each type (matmul.h's matmul_read). */
    int simd_fixed;
} llama_platform;

/* ---------------------------------------------------------------- running */

typedef struct {
    float temperature;   /* 0: greedy argmax */
    float topp;          /* top-p (nucleus) sampling when 0 < topp < 1 */
    uint64_t seed;       /* xorshift state; the platform picks a nonzero one */
} llama_sampling;

typedef struct llama_session llama_session;

/* run.c's rule: requested <= 0 or > seq_len means seq_len. */
int llama_steps(const llama_config *config, int requested);

/* Bytes of arena llama_init needs for this model (with its vocabulary),
 * number of steps (KV cache) and longest prompt (in bytes) that will be
 * generated from. SIZE_MAX if that does not fit in a size_t. */
size_t llama_memory_needed(const llama_model *m, int steps, size_t max_prompt_len);

/* Lays out the session in mem[0..mem_size) (any alignment), copies and
 * sorts the vocabulary, and sets up the run state and the sampler. The
 * session lives in mem; there is nothing to free. NULL on error. */
llama_session *llama_init(void *mem, size_t mem_size, const llama_model *m, int steps,
                          size_t max_prompt_len, const llama_sampling *sampling,
                          const llama_platform *platform, llama_error *err);

typedef struct {
    int pos;              /* positions run (run.c's pos) */
    int prompt_tokens;    /* tokens of the encoded prompt(s), BOS included */
    int generated;        /* tokens sampled (the model's own, an ending token included) */
    uint64_t t_begin_ns;  /* llama_generate entered */
    uint64_t t_prompt_ns; /* time spent running prompts (all turns of a chat) */
    uint64_t t_first_ns;  /* after the first sampled token was written; 0 if none */
    uint64_t t_end_ns;    /* after the final "\n" */
} llama_stats;

/* run.c's generate(): encodes prompt (NULL = ""), runs up to steps
 * positions, writes each piece through platform->write and a final "\n".
 * The prompt goes through the model in batches; the text printed is the
 * same as one position at a time. A llama2.c model stops when it samples
 * BOS; a GGUF model at an end-of-generation token (EOS, EOT...), which is
 * not printed. The sampler's random state carries over between calls.
 * 0 or -1. */
int llama_generate(llama_session *s, const char *prompt, llama_stats *stats,
                   llama_error *err);

/* Whether special tokens written as text (<|eot_id|>, </s>) in the prompts
 * given to llama_generate become those tokens (GGUF models): 1, as
 * llama.cpp does for a prompt from its command line (the default); 0 for
 * text a person types, which must never produce a control token. llama2.c
 * models have no special tokens in text. */
void llama_set_prompt_specials(llama_session *s, int on);

/* The ids of text as a prompt (BOS as the model says, special tokens
 * parsed, as llama.cpp's llama-tokenize prints them) into out[0..cap);
 * their number, or -1 (err filled) when they do not fit. */
int llama_tokenize(llama_session *s, const char *text, int *out, int cap, llama_error *err);

/* ---------------------------------------------------------------- chat */

/* Reads one line for the chat, as run.c's fgets(buf, size, stdin) does: at
 * most size - 1 bytes, up to and including a newline, NUL-terminated.
 * Returns 1 when something was read; 0 at the end of the input, buf
 * untouched (fgets returned NULL); -1 to end the chat now. */
typedef int (*llama_read_line_fn)(void *ctx, char *buf, size_t size);

/* A session that chats needs max_prompt_len >= this: room for one turn
 * rendered in the model's template (run.c's rendered_prompt holds 1151
 * bytes; a GGUF template adds its own text and may add a default system
 * prompt). Typed prompts are at most 511 bytes (run.c's system_prompt[512]
 * and user_prompt[512]). */
#define LLAMA_CHAT_PROMPT_MAX 4096
#define LLAMA_CHAT_LINE_MAX 511

/* A chat from position 0 until the steps run out. The system prompt is
 * system_prompt or, when NULL, read after the guide "Enter system prompt
 * (optional): "; the first user prompt is user_prompt or, when NULL, read
 * after "User: ", as is every later one; the reply follows "Assistant: ".
 * Everything goes through platform->write; a read line loses its final
 * newline.
 *
 * llama2.c models: run.c's chat(), byte for byte as run.c prints it: the
 * user's turn comes when the model emits EOS (token 2); prompts are
 * rendered "[INST] <<SYS>>\n%s\n<</SYS>>\n\n%s [/INST]" (the first, with a
 * non-empty system prompt) or "[INST] %s [/INST]". Where run.c reads
 * uninitialised memory (end of input at the very first read) the prompt is
 * "".
 *
 * GGUF models: the model's own chat template (llama_chat_format), one turn
 * at a time into the KV cache (the history is never run again); a reply
 * ends at the model's end-of-turn token, which stays in the cache; a turn
 * that does not fit in the steps left ends the conversation. End of input
 * ends the chat.
 *
 * Returns 0 when the steps ran out, 1 when read_line ended the chat (after
 * the final "\n"), -1 on error (a prompt given longer than
 * LLAMA_CHAT_LINE_MAX bytes, where run.c would overflow its buffer). */
int llama_chat(llama_session *s, const char *user_prompt, const char *system_prompt,
               llama_read_line_fn read_line, void *read_ctx, llama_stats *stats,
               llama_error *err);

/* The chat format of a GGUF model's template ("Llama 3", "ChatML",
 * "Zephyr", "Llama 2"; "plain" when the model has no template this engine
 * recognises, *recognised then 0: the platform says so with a note), or
 * "run.c's Llama 2" for a llama2.c model. */
const char *llama_chat_format(const llama_session *s, int *recognised);

/* Today's date, for chat templates that print it (Llama 3.2's system
 * header); without it they print the date their template falls back to. */
void llama_set_date(llama_session *s, int year, int month, int day);

/* The SIMD level one-token steps run on ("avx512", "avx2", "sse2"): that
 * of the weight type with the most bytes (each type may run on its own). */
const char *llama_simd_level(const llama_session *s);

/* run.c's "achieved tok/s" figure, (pos - 1) / (end - start) * 1000 with
 * millisecond clocks, start being the time the first token was written,
 * counting the positions after the prompt only (run.c's formula when the
 * prompt is just BOS; with a longer prompt, run as a batch, it would count
 * positions that were not run in that time). Meaningful when
 * stats->generated > 1. */
double llama_tokens_per_second(const llama_stats *stats);

/* The timing line, "prompt: P tokens in S s (X tok/s); generation: G
 * tokens in S s (Y tok/s)", into buf (no newline). */
void llama_timing_line(const llama_stats *stats, char *buf, size_t size);

#endif
