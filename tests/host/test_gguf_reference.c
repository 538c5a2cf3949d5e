/* Every case of ../shared/reference/gguf/cases.tsv, and of the project's
 * own tests/data/gguf/cases.tsv (models that tools/mkgguf writes, in types
 * the shared ones lack: IQ4_NL, IQ4_XS), against what llama.cpp did with
 * the same GGUF file, by the rule of ../shared/reference/gguf/README.md:
 *   - the prompt's token ids equal llama.cpp's;
 *   - the logits after the prompt (where llama.cpp's are given) at a
 *     correlation of at least 0.999 and within 1.0 of them everywhere;
 *   - the greedy tokens equal llama.cpp's for the first 16 generated, or up
 *     to the first step whose margin (top-1 minus top-2 logit) llama.cpp
 *     measured below 0.1, if that comes sooner.
 * The model runs as the host program runs it (the prompt in one batch,
 * then one token at a time), at every SIMD level this CPU has: the levels
 * give the same bits, so each must pass. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/check.h"
#include "lib/llama/llama.h"
#include "lib/llama/matmul.h"
#include "lib/llama/session.h"
#include "tests/host/model_file.h"

#define REF_DIR "../shared/reference/gguf/"
#define OWN_DIR "tests/data/gguf/"
#define COMPARED 16
#define NEAR_TIE 0.1f

typedef struct {
    int prompt[4096], n_prompt;
    int ids[512];
    float margins[512];
    int n_gen;
} Golden;

static char *slurp(const char *path, size_t *n) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc((size_t)len + 1);
    if (b && fread(b, 1, (size_t)len, f) != (size_t)len) { free(b); b = NULL; }
    if (b) b[len] = 0;
    fclose(f);
    if (n) *n = (size_t)len;
    return b;
}

static int read_golden(const char *path, Golden *g) {
    char *text = slurp(path, NULL);
    if (!text) return -1;
    memset(g, 0, sizeof *g);
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        if (strncmp(line, "prompt", 6) == 0) {
            char *p = line + 6, *end;
            for (long v = strtol(p, &end, 10); end != p; v = strtol(p, &end, 10)) {
                g->prompt[g->n_prompt++] = (int)v;
                p = end;
            }
        } else if (strncmp(line, "text\t", 5) == 0) {
            break;          /* the text comes last, and may go on over several lines */
        } else if (g->n_gen < 512) {
            char *end;
            g->ids[g->n_gen] = (int)strtol(line, &end, 10);
            g->margins[g->n_gen++] = strtof(end, NULL);
        }
    }
    free(text);
    return 0;
}

static void write_discard(void *ctx, const char *b, size_t n) { (void)ctx; (void)b; (void)n; }

/* Runs one case at one SIMD level (its golden file in dir; its model
 * found by find-model.sh as models_in + model_name); returns 0 or fills
 * why. */
static int run_case(const char *dir, const char *golden, const char *models_in, const char *model_name,
                    const char *prompt, unsigned features, char *why, size_t whylen) {
    static Golden g;
    char path[512];
    snprintf(path, sizeof path, "%s%s", dir, golden);
    if (read_golden(path, &g)) return snprintf(why, whylen, "cannot read %.300s", path), -1;
    size_t msize;
    snprintf(path, sizeof path, "%s%s", models_in, model_name);
    unsigned char *file = model_file(path, &msize);
    if (!file) return snprintf(why, whylen, "cannot find %.300s", path), -1;
    static llama_model m;
    llama_error err;
    int rc = -1;
    void *mem = NULL;
    if (llama_gguf_parse(&m, file, msize, &err) || llama_model_prepare(&m, file, msize, &err)) {
        snprintf(why, whylen, "%s: %s", model_name, err.msg);
        goto out;
    }
    int compared = CHECK_SCALE(COMPARED, 8);   /* CHECK_QUICK: the first 8 tokens */
    int want_steps = g.n_prompt + (g.n_gen < compared ? g.n_gen : compared) + 1;
    if (want_steps > m.config.seq_len) want_steps = m.config.seq_len;
    size_t plen = strlen(prompt);
    size_t need = llama_memory_needed(&m, want_steps, plen);
    mem = malloc(need);
    llama_platform pf = { NULL, write_discard, NULL, NULL, features, NULL, NULL, 1 };
    llama_sampling sp = { 0.0f, 0.9f, 1 };
    llama_session *s = llama_init(mem, need, &m, want_steps, plen, &sp, &pf, &err);
    if (!s) {
        snprintf(why, whylen, "llama_init: %s", err.msg);
        goto out;
    }
    static int ids[4096];
    int n = llama_tokenize(s, prompt, ids, 4096, &err);
    if (n != g.n_prompt || memcmp(ids, g.prompt, (size_t)n * sizeof *ids) != 0) {
        int k = 0;
        while (k < n && k < g.n_prompt && ids[k] == g.prompt[k]) k++;
        snprintf(why, whylen, "prompt ids differ: %d tokens against llama.cpp's %d, first "
                 "difference at %d (%d against %d)", n, g.n_prompt, k, k < n ? ids[k] : -1,
                 k < g.n_prompt ? g.prompt[k] : -1);
        goto out;
    }
    Transformer *t = &s->transformer;
    int V = m.config.vocab_size;
    float *logits = transformer_forward(t, ids, n, 0);

    /* the logits, where llama.cpp's are given */
    char lpath[512];
    snprintf(lpath, sizeof lpath, "%s%.*s.logits.f32", dir, (int)(strlen(golden) - 4), golden);
    size_t lbytes;
    float *ref = (float *)(void *)slurp(lpath, &lbytes);
    if (ref) {
        if (lbytes != (size_t)V * 4) {
            snprintf(why, whylen, "%.300s has %zu bytes, not %d logits", lpath, lbytes, V);
            free(ref);
            goto out;
        }
        double sa = 0, sb = 0, saa = 0, sbb = 0, sab = 0, maxd = 0;
        for (int i = 0; i < V; i++) {
            double a = logits[i], b = ref[i];
            sa += a; sb += b; saa += a * a; sbb += b * b; sab += a * b;
            if (fabs(a - b) > maxd) maxd = fabs(a - b);
        }
        double cov = sab - sa * sb / V, va = saa - sa * sa / V, vb = sbb - sb * sb / V;
        double corr = cov / sqrt(va * vb);
        free(ref);
        if (!(corr >= 0.999) || !(maxd <= 1.0)) {
            snprintf(why, whylen, "logits after the prompt: correlation %.6f (>= 0.999 wanted), "
                     "largest difference %.3f (<= 1.0 wanted)", corr, maxd);
            goto out;
        }
    }

    /* greedy tokens up to the cut-off */
    int pos = n;
    for (int k = 0; k < g.n_gen && k < compared; k++) {
        int best = 0;
        for (int i = 1; i < V; i++)
            if (logits[i] > logits[best]) best = i;
        if (best != g.ids[k]) {
            snprintf(why, whylen, "generated token %d is %d, llama.cpp's is %d (its margin %.4f)", k,
                     best, g.ids[k], (double)g.margins[k]);
            goto out;
        }
        if (g.margins[k] < NEAR_TIE) break;   /* a near-tie: nothing after it is compared */
        if (session_ends(s, best) || pos >= want_steps) break;
        logits = transformer_forward(t, &best, 1, pos++);
    }
    rc = 0;
out:
    free(mem);
    free(file);
    return rc;
}

/* The cases of dir's cases.tsv (at least `least` of them), their models
 * found by find-model.sh under models_in (the project's own, in a fifth
 * column the mkgguf arguments, it writes the first time). */
static void run_cases(const char *dir, const char *models_in, int least) {
    size_t n;
    char tsv_path[256];
    snprintf(tsv_path, sizeof tsv_path, "%scases.tsv", dir);
    char *tsv = slurp(tsv_path, &n);
    CHECK(tsv != NULL, "cannot read %s", tsv_path);
    if (!tsv) return;
    unsigned have = llama_cpu_detect();
    int first = 0;                       /* the widest level this CPU has */
    while (matmul_levels[first] && (matmul_levels[first]->needs & ~have)) first++;
    char *save = NULL;
    int cases = 0;
    for (char *line = strtok_r(tsv, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *f[5] = { 0 };
        char *p = line;
        for (int i = 0; i < 5 && p; i++) {
            f[i] = p;
            p = strchr(p, '\t');
            if (p) *p++ = 0;
        }
        if (!f[3]) continue;
        char *prompt = f[3], *owned = NULL;
        if (prompt[0] == '@') {
            char path[512];
            snprintf(path, sizeof path, "%s%s", dir, prompt + 1);
            owned = slurp(path, NULL);
            CHECK(owned != NULL, "%.60s: cannot read %.300s", f[0], path);
            if (!owned) continue;
            prompt = owned;
        }
        cases++;
        for (int lv = 0; matmul_levels[lv]; lv++) {
            if ((matmul_levels[lv]->needs & ~have) != 0) continue;
            /* CHECK_QUICK: the widest level and SSE2 */
            if (check_quick() && lv != first && matmul_levels[lv + 1]) continue;
            char why[400];
            int r = run_case(dir, f[0], models_in, f[1], prompt, matmul_levels[lv]->needs, why, sizeof why);
            printf("%s %s [%s]%s%s\n", r == 0 ? "PASS" : "FAIL", f[0], matmul_levels[lv]->set,
                   r == 0 ? "" : ": ", r == 0 ? "" : why);
            if (r) check_failed_ = 1, snprintf(check_why_, sizeof check_why_, "%s", why);
        }
        free(owned);
    }
    free(tsv);
    CHECK(cases >= least, "only %d cases in %s", cases, tsv_path);
}

static void test_cases(void) { run_cases(REF_DIR, "gguf/", 8); }
static void test_own_cases(void) { run_cases(OWN_DIR, "", 2); }

RUN_TESTS(test_cases, test_own_cases)
