/*
 * planner.c — places buffers in one arena (see planner.h for the rule).
 *
 * Greedy best-offset: buffers sorted by size, descending; each goes to the
 * lowest 64-byte-aligned offset where it overlaps no already-placed buffer
 * that is alive at the same time. O(n^2) in the number of buffers, fine for
 * graphs of thousands of nodes; it runs once, in mote_session_new.
 */
#include <stdlib.h>
#include "graph/internal.h"
#include "planner.h"

/* The sort key of one buffer, carried with its index: qsort's comparator
 * then needs nothing outside its two arguments (no shared state, so two
 * threads may plan at once). */
typedef struct { size_t bytes; int first, idx; } order_key;
static int by_size_desc(const void *a, const void *b)
{
    const order_key *x = a, *y = b;
    if (x->bytes != y->bytes) return x->bytes > y->bytes ? -1 : 1;
    if (x->first != y->first) return x->first < y->first ? -1 : 1;
    return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static bool live_together(const mote_buf *a, const mote_buf *b)
{
    return a->first <= b->last && b->first <= a->last;
}

typedef struct { size_t lo, hi; } span;
static int by_lo(const void *a, const void *b)
{
    const span *x = a, *y = b;
    return x->lo < y->lo ? -1 : x->lo > y->lo;
}

mote_status mote_plan_place(mote_buf *bufs, int n, size_t *arena)
{
    order_key *order = malloc(sizeof(order_key) * (size_t)(n ? n : 1));
    int *placed = malloc(sizeof(int) * (size_t)(n ? n : 1));
    span *busy = malloc(sizeof(span) * (size_t)(n ? n : 1));
    if (!order || !placed || !busy) {
        free(order);
        free(placed);
        free(busy);
        return mote_error(MOTE_ERR_NOMEM, "planner: out of memory");
    }
    for (int i = 0; i < n; i++) order[i] = (order_key){bufs[i].bytes, bufs[i].first, i};
    qsort(order, (size_t)n, sizeof(order_key), by_size_desc);
    int n_placed = 0;
    size_t total = 0;
    for (int oi = 0; oi < n; oi++) {
        mote_buf *b = &bufs[order[oi].idx];
        if (b->bytes == 0) {
            b->offset = 0;
            continue;
        }
        size_t need = mote_align_up(b->bytes, 64);
        int nb = 0;
        for (int j = 0; j < n_placed; j++) {
            const mote_buf *p = &bufs[placed[j]];
            if (live_together(p, b)) busy[nb++] = (span){p->offset, p->offset + mote_align_up(p->bytes, 64)};
        }
        qsort(busy, (size_t)nb, sizeof(span), by_lo);
        size_t off = 0;
        for (int j = 0; j < nb; j++) {
            if (busy[j].lo >= off + need) break;      /* fits in the gap before */
            if (busy[j].hi > off) off = busy[j].hi;
        }
        b->offset = off;
        if (off + need > total) total = off + need;
        placed[n_placed++] = order[oi].idx;
    }
    free(order);
    free(placed);
    free(busy);
    *arena = total;
    return MOTE_OK;
}

bool mote_plan_valid(const mote_buf *bufs, int n)
{
    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n; j++) {
            const mote_buf *a = &bufs[i], *b = &bufs[j];
            if (!a->bytes || !b->bytes || !live_together(a, b)) continue;
            if (a->offset < b->offset + b->bytes && b->offset < a->offset + a->bytes) return false;
        }
    return true;
}
