/*
 * opsutil.c — helpers every op uses in infer/prepare: error messages that
 * name the node, session-lifetime allocations, broadcasting, axes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "internal.h"
#include "ops.h"

mote_status mote_op_error(const mote_op_ctx *c, mote_status st, const char *fmt, ...)
{
    char msg[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return mote_error(st, "node '%s' (%s): %s", c->node->name, c->node->op, msg);
}

/* Session-lifetime allocations form a singly linked list of blocks; the
 * header keeps the payload 64-byte aligned. */
typedef struct alloc_hdr {
    struct alloc_hdr *next;
    char pad[56];
} alloc_hdr;

void *mote_ctx_alloc_aligned(mote_op_ctx *c, size_t bytes)
{
    size_t total;
    if (!mote_add_size(bytes, sizeof(alloc_hdr), &total)) {
        mote_op_error(c, MOTE_ERR_NOMEM, "allocation of %zu bytes overflows", bytes);
        return NULL;
    }
    alloc_hdr *h = mote_alloc_aligned(total);
    if (!h) {
        mote_op_error(c, MOTE_ERR_NOMEM, "out of memory (%zu bytes)", bytes);
        return NULL;
    }
    /* not cleared: packed weights and KV caches are large, written before
     * they are read, and untouched pages cost no memory */
    h->next = c->allocs;
    c->allocs = h;
    return h + 1;
}

void *mote_ctx_alloc(mote_op_ctx *c, size_t bytes)
{
    void *p = mote_ctx_alloc_aligned(c, bytes);
    if (p) memset(p, 0, bytes);
    return p;
}

/* Frees a list built by mote_ctx_alloc (session.c). */
void mote_ctx_free_all(void *allocs)
{
    alloc_hdr *h = allocs;
    while (h) {
        alloc_hdr *n = h->next;
        mote_free_aligned(h);
        h = n;
    }
}

mote_status mote_broadcast_shape(const mote_tensor *a, const mote_tensor *b,
                                 int *ndim, int64_t *dims)
{
    int n = a->ndim > b->ndim ? a->ndim : b->ndim;
    for (int i = 0; i < n; i++) {
        int ia = a->ndim - n + i, ib = b->ndim - n + i;
        int64_t da = ia >= 0 ? a->dims[ia] : 1, db = ib >= 0 ? b->dims[ib] : 1;
        if (da == db || db == 1) dims[i] = da;
        else if (da == 1) dims[i] = db;
        else {
            char sa[128], sb[128];
            return mote_error(MOTE_ERR_SHAPE, "shapes %s and %s do not broadcast (dim %d: %lld vs %lld)",
                              mote_tensor_describe(a, sa, sizeof sa),
                              mote_tensor_describe(b, sb, sizeof sb), i, (long long)da, (long long)db);
        }
    }
    *ndim = n;
    return MOTE_OK;
}

int mote_norm_axis(int64_t axis, int ndim)
{
    if (axis < -ndim || axis >= ndim) return -1;
    return (int)(axis < 0 ? axis + ndim : axis);
}

mote_status mote_expect_dtype(const mote_op_ctx *c, int i, mote_dtype t)
{
    if (i >= c->n_in || !c->in[i])
        return mote_op_error(c, MOTE_ERR_GRAPH, "input %d is required", i);
    if (c->in[i]->dtype != t)
        return mote_op_error(c, MOTE_ERR_SHAPE, "input %d has dtype %s, expected %s", i,
                             mote_dtype_name(c->in[i]->dtype), mote_dtype_name(t));
    return MOTE_OK;
}

void mote_set_out(mote_op_ctx *c, int i, mote_dtype t, int ndim, const int64_t *dims)
{
    mote_tensor *o = c->out[i];
    o->dtype = t;
    o->ndim = ndim;
    for (int k = 0; k < ndim; k++) o->dims[k] = dims[k];
}
