/* Fuzzes lib/options.c directly: the input after its first byte is split at
 * NUL bytes into argv (each argument its own exact heap copy), so that any
 * byte can be in an argument. The first byte picks the sizes of the error
 * and note buffers (from none to plenty), to reach every truncation path.
 * Both platforms parse the same argv; tests/fuzz/options_oracle.h checks
 * the result, numbers against strtof/strtoull/strtoll. */
#include "tests/fuzz/fuzz.h"
#include "tests/fuzz/options_oracle.h"

#define MAX_ARGS 64

static const size_t msg_sizes[8] = {0, 1, 2, 8, 40, 100, 200, OPTIONS_MSG_SIZE};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *argv[MAX_ARGS + 1];
    int argc = 0;

    if (size < 1)
        return 0;
    size_t errlen = msg_sizes[data[0] & 7], notelen = msg_sizes[(data[0] >> 3) & 7];
    const uint8_t *p = data + 1, *end = data + size;
    while (p < end && argc < MAX_ARGS) {
        const uint8_t *z = memchr(p, 0, (size_t)(end - p));
        size_t n = z ? (size_t)(z - p) : (size_t)(end - p);
        argv[argc++] = fuzz_strndup(p, n);
        p += n + 1;
    }
    argv[argc] = NULL;

    oracle_options(argc, argv, OPTIONS_HOST, errlen, notelen);
    oracle_options(argc, argv, OPTIONS_KERNEL, errlen, notelen);

    for (int i = 0; i < argc; i++)
        free(argv[i]);
    return 0;
}
