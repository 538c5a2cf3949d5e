/* For host tests: a model file found by tools/find-model.sh (models/,
 * ../shared/models, or downloaded), read whole into malloc'd memory. */
#ifndef TESTS_HOST_MODEL_FILE_H
#define TESTS_HOST_MODEL_FILE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* NULL when the file cannot be found or read; else *size is its length. */
static unsigned char *model_file(const char *name, size_t *size) {
    char cmd[1024], path[1024];
    if (snprintf(cmd, sizeof cmd, "tools/find-model.sh %.900s 2>/dev/null", name) >= (int)sizeof cmd) return NULL;
    FILE *p = popen(cmd, "r");
    char *ok = p ? fgets(path, sizeof path, p) : NULL;
    if (p) pclose(p);
    if (!ok) return NULL;
    path[strcspn(path, "\n")] = 0;
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    *size = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *buf = malloc(*size);
    if (buf && fread(buf, 1, *size, f) != *size) { free(buf); buf = NULL; }
    fclose(f);
    return buf;
}

#endif
