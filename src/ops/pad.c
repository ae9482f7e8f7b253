/*
 * pad.c — Pad (modes constant, reflect, edge; opset 2 attributes
 * pads/value and opset 11+ inputs pads/constant_value/axes) and Tile
 * (repeats input). Any dtype.
 *
 *   Pad:  y[o] = x[o - begin] inside, else value / the reflected / the
 *         nearest edge element (kernels/move_ref.c, mote_pad_ref);
 *         negative pads crop.
 *   Tile: y[o] = x[o_d mod in_d].
 * pads and repeats must be constants (they fix the output shape); the
 * constant value may be an activation (read at run time). Output rows are
 * split over the pool.
 */
#include <string.h>
#include "op_util.h"

typedef struct pad_params {
    size_t es;                      /* element bytes                    */
    int nd;
    int64_t in[MOTE_MAX_DIMS];      /* input dims                       */
    int64_t od[MOTE_MAX_DIMS];      /* output dims                      */
    int64_t begin[MOTE_MAX_DIMS];   /* pads before each axis            */
    mote_pad_mode mode;
    int tile;                       /* 1: Tile, 0: Pad                  */
    int value_input;                /* the value comes from input 2     */
    unsigned char value[16];        /* constant value bytes (es)        */
} pad_params;

typedef struct pad_job {
    const pad_params *p;
    const void *x;
    void *y;
    const void *value;
} pad_job;

static void pad_chunk(void *ctx, int64_t b, int64_t e, int thread)
{
    (void)thread;
    const pad_job *j = ctx;
    const pad_params *p = j->p;
    if (p->tile)
        mote_tile_ref(j->x, j->y, p->es, p->nd, p->in, p->od, b, e);
    else
        mote_pad_ref(j->x, j->y, p->es, p->nd, p->in, p->od, p->begin, p->mode, j->value, b, e);
}

static void run_pad(const mote_step *s)
{
    const pad_params *p = s->params;
    if (mote_dims_prod(p->od, p->nd) == 0)
        return;
    pad_job j = {p, s->in[0]->data, s->out[0]->data, p->value};
    if (p->value_input)
        j.value = s->in[2]->data;
    int64_t rows = mote_dims_prod(p->od, p->nd - 1);
    size_t row = (size_t)(p->nd ? p->od[p->nd - 1] : 1) * p->es;
    mote_pool_for(s->pool, rows, row >= 4096 ? 1 : (int64_t)(4096 / row), pad_chunk, &j);
}

/* Writes float v as one element of dtype t into out. */
static void store_value(mote_dtype t, float v, unsigned char *out)
{
    switch (t) {
    case MOTE_F32: memcpy(out, &v, 4); break;
    case MOTE_F16: { uint16_t h = mote_f32_to_f16(v); memcpy(out, &h, 2); break; }
    case MOTE_BF16: { uint16_t h = mote_f32_to_bf16(v); memcpy(out, &h, 2); break; }
    case MOTE_I8: { int8_t q = (int8_t)v; memcpy(out, &q, 1); break; }
    case MOTE_U8: case MOTE_BOOL: { uint8_t q = (uint8_t)v; memcpy(out, &q, 1); break; }
    case MOTE_I32: { int32_t q = (int32_t)v; memcpy(out, &q, 4); break; }
    case MOTE_I64: { int64_t q = (int64_t)v; memcpy(out, &q, 8); break; }
    }
}

static mote_status pad_setup(mote_op_ctx *c, pad_params *p)
{
    if (!mote_op_has_input(c, 0))
        return mote_op_error(c, MOTE_ERR_GRAPH, "input 0 (data) is missing");
    const mote_tensor *x = c->in[0];
    int r = x->ndim, np;
    int64_t pads[2 * MOTE_MAX_DIMS], axes[MOTE_MAX_DIMS];
    mote_status st;
    memset(p, 0, sizeof *p);
    p->es = mote_dtype_size(x->dtype);
    p->nd = r;
    memcpy(p->in, x->dims, sizeof p->in);
    const char *mode = mote_attr_get_string(c->node, "mode", "constant");
    if (!strcmp(mode, "constant")) p->mode = MOTE_PAD_CONSTANT;
    else if (!strcmp(mode, "reflect")) p->mode = MOTE_PAD_REFLECT;
    else if (!strcmp(mode, "edge")) p->mode = MOTE_PAD_EDGE;
    else
        return mote_op_error(c, MOTE_ERR_UNSUPPORTED, "mode '%s' is not supported (constant, "
                             "reflect, edge)", mode);
    if (c->n_in == 1) {   /* opset < 11: attributes */
        const int64_t *a;
        np = mote_attr_get_ints(c->node, "pads", &a);
        if (np < 0)
            return mote_op_error(c, MOTE_ERR_SHAPE, "needs a pads input (opset 11+) or attribute");
        if (np != 2 * r)
            return mote_op_error(c, MOTE_ERR_SHAPE, "pads has %d values, expected 2 x rank = %d",
                                 np, 2 * r);
        memcpy(pads, a, sizeof(int64_t) * (size_t)np);
        store_value(x->dtype, mote_attr_get_float(c->node, "value", 0.0f), p->value);
    } else {
        if ((st = mote_op_const_ints(c, 1, "pads", 2 * MOTE_MAX_DIMS, pads, &np)))
            return st;
        int na = r;
        if (mote_op_has_input(c, 3)) {
            if ((st = mote_op_const_ints(c, 3, "axes", MOTE_MAX_DIMS, axes, &na)))
                return st;
        } else {
            for (int d = 0; d < r; d++)
                axes[d] = d;
        }
        if (np != 2 * na)
            return mote_op_error(c, MOTE_ERR_SHAPE, "pads has %d values, expected 2 x %d", np, na);
        int64_t full[2 * MOTE_MAX_DIMS] = {0};
        for (int i = 0; i < na; i++) {
            int d = mote_norm_axis(axes[i], r);
            if (d < 0)
                return mote_op_error(c, MOTE_ERR_SHAPE, "axis %lld is out of range for rank %d",
                                     (long long)axes[i], r);
            full[d] = pads[i];
            full[r + d] = pads[na + i];
        }
        memcpy(pads, full, sizeof full);
        if (mote_op_has_input(c, 2)) {
            const mote_tensor *v = c->in[2];
            if (v->dtype != x->dtype || mote_tensor_numel(v) != 1)
                return mote_op_error(c, MOTE_ERR_SHAPE, "constant_value must be one %s element",
                                     mote_op_dtype_name(x->dtype));
            p->value_input = 1;
        }
    }
    for (int d = 0; d < r; d++) {
        p->begin[d] = pads[d];
        p->od[d] = x->dims[d] + pads[d] + pads[r + d];
        if (p->od[d] < 0)
            return mote_op_error(c, MOTE_ERR_SHAPE, "pads %lld, %lld crop axis %d of size %lld "
                                 "below zero", (long long)pads[d], (long long)pads[r + d], d,
                                 (long long)x->dims[d]);
        if (p->mode != MOTE_PAD_CONSTANT && x->dims[d] == 0 && p->od[d] > 0)
            return mote_op_error(c, MOTE_ERR_SHAPE, "%s padding of the empty axis %d", mode, d);
    }
    return MOTE_OK;
}

static mote_status infer_pad(mote_op_ctx *c)
{
    pad_params p;
    mote_status st = pad_setup(c, &p);
    if (st)
        return st;
    mote_set_out(c, 0, c->in[0]->dtype, p.nd, p.od);
    return MOTE_OK;
}

static mote_status prepare_pad(mote_op_ctx *c)
{
    pad_params *p = mote_ctx_alloc(c, sizeof *p);
    if (!p)
        return MOTE_ERR_NOMEM;
    mote_status st = pad_setup(c, p);
    if (st)
        return st;
    c->params = p;
    c->run = run_pad;
    return MOTE_OK;
}

static mote_status tile_setup(mote_op_ctx *c, pad_params *p)
{
    if (!mote_op_has_input(c, 0))
        return mote_op_error(c, MOTE_ERR_GRAPH, "input 0 is missing");
    const mote_tensor *x = c->in[0];
    int64_t rep[MOTE_MAX_DIMS];
    int n;
    mote_status st = mote_op_const_ints(c, 1, "repeats", MOTE_MAX_DIMS, rep, &n);
    if (st)
        return st;
    if (n != x->ndim)
        return mote_op_error(c, MOTE_ERR_SHAPE, "repeats has %d values, input rank is %d",
                             n, x->ndim);
    memset(p, 0, sizeof *p);
    p->tile = 1;
    p->es = mote_dtype_size(x->dtype);
    p->nd = x->ndim;
    for (int d = 0; d < n; d++) {
        if (rep[d] < 0)
            return mote_op_error(c, MOTE_ERR_SHAPE, "repeats[%d] = %lld is negative", d,
                                 (long long)rep[d]);
        p->in[d] = x->dims[d];
        p->od[d] = x->dims[d] * rep[d];
    }
    return MOTE_OK;
}

static mote_status infer_tile(mote_op_ctx *c)
{
    pad_params p;
    mote_status st = tile_setup(c, &p);
    if (st)
        return st;
    mote_set_out(c, 0, c->in[0]->dtype, p.nd, p.od);
    return MOTE_OK;
}

static mote_status prepare_tile(mote_op_ctx *c)
{
    pad_params *p = mote_ctx_alloc(c, sizeof *p);
    if (!p)
        return MOTE_ERR_NOMEM;
    mote_status st = tile_setup(c, p);
    if (st)
        return st;
    c->params = p;
    c->run = run_pad;
    return MOTE_OK;
}

const mote_op mote_op_Pad = {"Pad", 1, 4, 1, 1, 0, infer_pad, prepare_pad, NULL};
const mote_op mote_op_Tile = {"Tile", 2, 2, 1, 1, 0, infer_tile, prepare_tile, NULL};
