/*
 * transpose.c — Transpose: Y[i_0, ..., i_{r-1}] = X[j] with
 * j[perm[k]] = i_k, perm default reversed. Any dtype (by element size).
 *
 * prepare drops size-1 dims and merges output dims that stay neighbours
 * in the input, then run walks the output row by row (the last merged
 * dim), each row gathering with one input stride; rows are split over the
 * pool. When the input's last dim is the output's second-to-last (NHWC <->
 * NCHW and every other swap of two merged groups) and elements have 4
 * bytes, the output is a stack of 2-D transposes done by the kernel
 * table's transpose_32 in blocks along the longer side; the pool gets
 * them only when there are at least 2 PAR_MIN elements to move. Rows
 * that stay contiguous are copied whole.
 */
#include <string.h>
#include "op_util.h"

typedef struct transpose_params {
    size_t esize;                    /* bytes per element                          */
    int nd;                          /* merged rank >= 1                           */
    int64_t dims[MOTE_MAX_DIMS];     /* merged output dims (nd)                    */
    int64_t istride[MOTE_MAX_DIMS];  /* input element stride for each output dim  */
    int64_t rows, inner;             /* inner = dims[nd-1], rows = numel / inner  */
    /* 2-D case: planes of R x C, y[r, c] = x[plane offset + c * ldx + r] */
    int planar;
    int64_t planes, R, C, ldx, blk, nblk;   /* blocks of blk along rows (R >= C) or columns */
    int split;                       /* 2-D: enough elements for the pool          */
    void (*t32)(int64_t R, int64_t C, const uint32_t *x, int64_t ldx, uint32_t *y, int64_t ldy);
} transpose_params;

/* elements a thread must get before a transpose is split */
#define PAR_MIN 65536

typedef struct transpose_job {
    const transpose_params *p;
    const char *x;
    char *y;
} transpose_job;

#define GATHER(T)                                                               \
    for (int64_t k = 0; k < n; k++)                                             \
        ((T *)y)[k] = ((const T *)x)[k * st];

static void gather(const char *x, int64_t st, char *y, int64_t n, size_t es)
{
    if (st == 1) {   /* rows that stay rows ([1,128,12,64] -> [1,12,128,64]) */
        memcpy(y, x, (size_t)n * es);
        return;
    }
    switch (es) {
    case 1: GATHER(uint8_t) break;
    case 2: GATHER(uint16_t) break;
    case 4: GATHER(uint32_t) break;
    case 8: GATHER(uint64_t) break;
    default:
        for (int64_t k = 0; k < n; k++)
            memcpy(y + (size_t)k * es, x + (size_t)(k * st) * es, es);
    }
}

static void transpose_rows(void *ctx, int64_t b, int64_t e, int thread)
{
    const transpose_job *j = ctx;
    const transpose_params *p = j->p;
    int last = p->nd - 1;
    for (int64_t r = b; r < e; r++) {
        int64_t rem = r, off = 0;
        for (int d = last - 1; d >= 0; d--) {
            off += (rem % p->dims[d]) * p->istride[d];
            rem /= p->dims[d];
        }
        gather(j->x + (size_t)off * p->esize, p->istride[last],
               j->y + (size_t)(r * p->inner) * p->esize, p->inner, p->esize);
    }
}

/* blocks [b, e) of the 2-D case: block u = plane * nblk + k */
static void transpose_blocks(void *ctx, int64_t b, int64_t e, int thread)
{
    (void)thread;
    const transpose_job *j = ctx;
    const transpose_params *p = j->p;
    int nd = p->nd;
    for (int64_t u = b; u < e; u++) {
        int64_t plane = u / p->nblk, k = u % p->nblk, rem = plane, off = 0;
        for (int d = nd - 3; d >= 0; d--) {
            off += (rem % p->dims[d]) * p->istride[d];
            rem /= p->dims[d];
        }
        const uint32_t *x = (const uint32_t *)(const void *)j->x + off;
        uint32_t *y = (uint32_t *)(void *)j->y + plane * p->R * p->C;
        int64_t s0 = k * p->blk;
        if (p->R >= p->C) {
            int64_t n = p->R - s0 < p->blk ? p->R - s0 : p->blk;
            p->t32(n, p->C, x + s0, p->ldx, y + s0 * p->C, p->C);
        } else {
            int64_t n = p->C - s0 < p->blk ? p->C - s0 : p->blk;
            p->t32(p->R, n, x + s0 * p->ldx, p->ldx, y + s0, p->C);
        }
    }
}

static void run_transpose(const mote_step *s)
{
    const transpose_params *p = s->params;
    transpose_job j = {p, s->in[0]->data, s->out[0]->data};
    if (p->rows == 0 || p->inner == 0)
        return;
    if (p->planar) {
        /* whole blocks to each thread, when there are 2 PAR_MIN elements */
        mote_pool_for(p->split ? s->pool : NULL, p->planes * p->nblk, 1, transpose_blocks, &j);
        return;
    }
    int64_t grain = p->inner >= 1024 ? 1 : 1024 / p->inner;
    mote_pool_for(s->pool, p->rows, grain, transpose_rows, &j);
}

/* perm from the attribute (validated) or reversed */
static mote_status get_perm(const mote_op_ctx *c, int r, int *perm)
{
    const int64_t *v;
    int n = mote_attr_get_ints(c->node, "perm", &v);
    if (n < 0) {
        for (int i = 0; i < r; i++) perm[i] = r - 1 - i;
        return MOTE_OK;
    }
    if (n != r)
        return mote_op_error(c, MOTE_ERR_SHAPE, "perm has %d values, the input has rank %d", n, r);
    int seen[MOTE_MAX_DIMS] = {0};
    for (int i = 0; i < r; i++) {
        int a = mote_norm_axis(v[i], r);
        if (a < 0 || seen[a])
            return mote_op_error(c, MOTE_ERR_SHAPE, "perm is not a permutation of 0..%d", r - 1);
        seen[a] = 1;
        perm[i] = a;
    }
    return MOTE_OK;
}

static mote_status infer_transpose(mote_op_ctx *c)
{
    const mote_tensor *x = c->in[0];
    if (!x)
        return mote_op_error(c, MOTE_ERR_GRAPH, "needs an input");
    if (mote_dtype_size(x->dtype) == 0)
        return mote_op_error(c, MOTE_ERR_UNSUPPORTED, "unknown dtype %d", (int)x->dtype);
    int perm[MOTE_MAX_DIMS];
    mote_status st = get_perm(c, x->ndim, perm);
    if (st)
        return st;
    int64_t dims[MOTE_MAX_DIMS];
    for (int i = 0; i < x->ndim; i++)
        dims[i] = x->dims[perm[i]];
    mote_set_out(c, 0, x->dtype, x->ndim, dims);
    return MOTE_OK;
}

static mote_status prepare_transpose(mote_op_ctx *c)
{
    const mote_tensor *x = c->in[0];
    transpose_params *p = mote_ctx_alloc(c, sizeof *p);
    if (!p)
        return MOTE_ERR_NOMEM;
    int r = x->ndim, perm[MOTE_MAX_DIMS];
    mote_status st = get_perm(c, r, perm);
    if (st)
        return st;
    int64_t xs[MOTE_MAX_DIMS];      /* contiguous input strides */
    int64_t acc = 1;
    for (int i = r - 1; i >= 0; i--) {
        xs[i] = acc;
        acc *= x->dims[i];
    }
    p->esize = mote_dtype_size(x->dtype);
    p->nd = 0;
    for (int i = 0; i < r; i++) {
        int64_t d = x->dims[perm[i]], s = xs[perm[i]];
        if (d == 1)
            continue;
        int k = p->nd - 1;
        if (k >= 0 && p->istride[k] == s * d) {   /* still neighbours in the input */
            p->dims[k] *= d;
            p->istride[k] = s;
            continue;
        }
        p->dims[p->nd] = d;
        p->istride[p->nd] = s;
        p->nd++;
    }
    if (p->nd == 0) {
        p->nd = 1;
        p->dims[0] = 1;
        p->istride[0] = 1;
    }
    p->inner = p->dims[p->nd - 1];
    p->rows = mote_dims_prod(p->dims, p->nd - 1);
    if (mote_tensor_numel(x) == 0)
        p->rows = 0;
    int nd = p->nd;
    p->planar = p->esize == 4 && nd >= 2 && p->istride[nd - 2] == 1 && p->istride[nd - 1] != 1;
    if (p->planar) {
        p->R = p->dims[nd - 2];
        p->C = p->dims[nd - 1];
        p->ldx = p->istride[nd - 1];
        p->planes = mote_dims_prod(p->dims, nd - 2);
        int64_t along = p->R >= p->C ? p->R : p->C, across = p->R >= p->C ? p->C : p->R;
        /* blocks of about 16K elements, a multiple of 16 long */
        p->blk = (16384 / (across > 0 ? across : 1) + 15) / 16 * 16;
        p->nblk = (along + p->blk - 1) / p->blk;
        p->t32 = c->k->general.transpose_32;
        p->split = p->planes * p->R * p->C >= 2 * PAR_MIN;
    }
    c->params = p;
    c->run = run_transpose;
    c->scratch_bytes = 0;
    return MOTE_OK;
}

const mote_op mote_op_Transpose = {"Transpose", 1, 1, 1, 1, 0, infer_transpose, prepare_transpose, NULL};
