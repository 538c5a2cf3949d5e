/* The merge loop of both GGUF tokenizers (see vocab_impl.h).
 *
 * llama.cpp keeps a priority queue of candidate pairs and pushes a new
 * entry whenever a pair changes, skipping the stale ones when they come
 * out. The pairs it can take are exactly the current neighbours, so an
 * indexed heap with one entry per symbol (its pair with its right
 * neighbour) takes the same pairs in the same order, in less memory:
 * after a merge only the merged symbol's pair and its left neighbour's
 * pair change. */
#include "lib/llama/vocab_impl.h"

void merge_layout(MergeHeap *h, size_t n, Arena *a) {
    h->heap = arena_alloc(a, n, sizeof *h->heap);
    h->pos = arena_alloc(a, n, sizeof *h->pos);
    h->key = arena_alloc(a, n, sizeof *h->key);
}

typedef struct {
    const MergeHeap *h;
    int n;
} Heap;

static int before(const Heap *q, int32_t a, int32_t b) {
    uint32_t ka = q->h->key[a], kb = q->h->key[b];
    return ka < kb || (ka == kb && a < b);
}

static void place(Heap *q, int i, int32_t s) {
    q->h->heap[i] = s;
    q->h->pos[s] = i;
}

static void sift_up(Heap *q, int i) {
    int32_t s = q->h->heap[i];
    while (i > 0) {
        int parent = (i - 1) / 2;
        if (!before(q, s, q->h->heap[parent])) break;
        place(q, i, q->h->heap[parent]);
        i = parent;
    }
    place(q, i, s);
}

static void sift_down(Heap *q, int i) {
    int32_t s = q->h->heap[i];
    for (;;) {
        int c = 2 * i + 1;
        if (c >= q->n) break;
        if (c + 1 < q->n && before(q, q->h->heap[c + 1], q->h->heap[c])) c++;
        if (!before(q, q->h->heap[c], s)) break;
        place(q, i, q->h->heap[c]);
        i = c;
    }
    place(q, i, s);
}

static void heap_remove(Heap *q, int32_t s) {
    int i = q->h->pos[s];
    if (i < 0) return;
    q->h->pos[s] = -1;
    int32_t last = q->h->heap[--q->n];
    if (i == q->n) return;
    place(q, i, last);
    sift_down(q, i);
    sift_up(q, q->h->pos[last]);
}

static void heap_set(Heap *q, int32_t s, uint32_t key) {
    int i = q->h->pos[s];
    q->h->key[s] = key;
    if (i < 0) {
        i = q->n++;
        place(q, i, s);
    }
    sift_down(q, i);
    sift_up(q, q->h->pos[s]);
}

/* The pair of s with its right neighbour: into the heap when it may merge. */
static void consider(const Vocab *v, const unsigned char *text, MergeSymbol *sym, Heap *q,
                     merge_key_fn key, int32_t s) {
    uint32_t k;
    if (s >= 0 && sym[s].next >= 0 && key(v, text, &sym[s], &sym[sym[s].next], &k))
        heap_set(q, s, k);
    else if (s >= 0)
        heap_remove(q, s);
}

void merge_run(const Vocab *v, const unsigned char *text, MergeSymbol *sym, int n,
               merge_key_fn key, const MergeHeap *h) {
    Heap q = { h, 0 };
    for (int i = 0; i < n; i++) h->pos[i] = -1;
    for (int i = 0; i + 1 < n; i++) consider(v, text, sym, &q, key, i);
    while (q.n > 0) {
        int32_t left = h->heap[0];
        int32_t right = sym[left].next;
        /* the right symbol joins the left one */
        sym[left].len += sym[right].len;
        sym[right].len = 0;
        sym[left].next = sym[right].next;
        if (sym[right].next >= 0) sym[sym[right].next].prev = left;
        heap_remove(&q, right);
        consider(v, text, sym, &q, key, left);
        consider(v, text, sym, &q, key, sym[left].prev);
    }
}
