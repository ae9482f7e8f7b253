/*
 * shape.c — ops about shapes rather than values:
 *   Shape (opset 15 start/end), Size               -> i64 from the input's shape;
 *   Identity, Dropout (inference: y = x; the optional mask is all true),
 *   Squeeze, Unsqueeze (axes attribute < 13, input >= 13)  -> aliases: the
 *     output is the input's bytes (MOTE_OP_ALIAS), run does nothing;
 *   Expand (numpy broadcast to a constant shape), ConstantOfShape (a
 *     constant shape filled with one value), Range (constant start, limit,
 *     delta: the output's length depends on them).
 * Any dtype where the op only moves bytes. Not Reshape/Flatten (op_reshape.c).
 */
#include <math.h>
#include <string.h>
#include "op_util.h"

static void run_nothing(const mote_step *s)
{
    (void)s;   /* an alias: the output is the input's bytes */
}

static mote_status prepare_alias(mote_op_ctx *c)
{
    c->run = run_nothing;
    c->params = NULL;
    c->scratch_bytes = 0;
    return MOTE_OK;
}

static mote_status need_input(const mote_op_ctx *c)
{
    if (!c->in[0])
        return mote_op_error(c, MOTE_ERR_GRAPH, "input 0 is missing");
    return MOTE_OK;
}

/* ---------------------------------------------------------- Shape, Size */

/* What Shape / Size write: computed in prepare from the fixed shapes. */
typedef struct shape_params {
    int64_t n;                       /* values     */
    int64_t v[MOTE_MAX_DIMS];        /* (n)        */
} shape_params;

static void run_shape(const mote_step *s)
{
    const shape_params *p = s->params;
    memcpy(s->out[0]->data, p->v, sizeof(int64_t) * (size_t)p->n);
}

/* [start, end) of Shape: negative counts from the end, both clamped to [0, r]. */
static void shape_range(const mote_op_ctx *c, int64_t *b, int64_t *e)
{
    int64_t r = c->in[0]->ndim;
    int64_t start = mote_attr_get_int(c->node, "start", 0);
    int64_t end = mote_attr_get_int(c->node, "end", r);
    if (start < 0) start += r;
    if (end < 0) end += r;
    start = start < 0 ? 0 : start > r ? r : start;
    end = end < 0 ? 0 : end > r ? r : end;
    *b = start;
    *e = end < start ? start : end;
}

static mote_status infer_shape(mote_op_ctx *c)
{
    mote_status st = need_input(c);
    if (st)
        return st;
    int64_t b, e;
    shape_range(c, &b, &e);
    int64_t n = e - b;
    mote_set_out(c, 0, MOTE_I64, 1, &n);
    return MOTE_OK;
}

static mote_status prepare_shape(mote_op_ctx *c)
{
    shape_params *p = mote_ctx_alloc(c, sizeof *p);
    if (!p)
        return MOTE_ERR_NOMEM;
    int64_t b, e;
    shape_range(c, &b, &e);
    p->n = e - b;
    for (int64_t i = b; i < e; i++)
        p->v[i - b] = c->in[0]->dims[i];
    c->params = p;
    c->run = run_shape;
    c->scratch_bytes = 0;
    return MOTE_OK;
}

static mote_status infer_size(mote_op_ctx *c)
{
    mote_status st = need_input(c);
    if (!st)
        mote_set_out(c, 0, MOTE_I64, 0, NULL);
    return st;
}

static mote_status prepare_size(mote_op_ctx *c)
{
    shape_params *p = mote_ctx_alloc(c, sizeof *p);
    if (!p)
        return MOTE_ERR_NOMEM;
    p->n = 1;
    p->v[0] = mote_tensor_numel(c->in[0]);
    c->params = p;
    c->run = run_shape;
    c->scratch_bytes = 0;
    return MOTE_OK;
}

/* ----------------------------------------------------- Identity, Dropout */

static mote_status infer_identity(mote_op_ctx *c)
{
    mote_status st = need_input(c);
    if (!st)
        mote_set_out(c, 0, c->in[0]->dtype, c->in[0]->ndim, c->in[0]->dims);
    return st;
}

/* Dropout(data, ratio?, training_mode?) -> output, mask?: at inference
 * (training_mode absent or false) or with ratio 0, output = data and the
 * mask is all true. Training with a non-zero ratio is random: refused. */
static mote_status infer_dropout(mote_op_ctx *c)
{
    mote_status st = infer_identity(c);
    if (st)
        return st;
    const mote_tensor *tm = c->n_in > 2 ? c->in[2] : NULL, *ratio = c->n_in > 1 ? c->in[1] : NULL;
    if (tm) {
        if (tm->dtype != MOTE_BOOL || !tm->data || mote_tensor_numel(tm) != 1)
            return mote_op_error(c, MOTE_ERR_UNSUPPORTED,
                                 "training_mode must be a constant bool scalar");
        int zero = ratio && ratio->data && mote_tensor_numel(ratio) == 1 &&
                   mote_elem_f64(ratio->data, ratio->dtype, 0) == 0.0;
        if (((const uint8_t *)tm->data)[0] && !zero)
            return mote_op_error(c, MOTE_ERR_UNSUPPORTED,
                                 "training mode with a non-zero ratio (random dropout) is not supported");
    }
    if (c->n_out > 1)
        mote_set_out(c, 1, MOTE_BOOL, c->in[0]->ndim, c->in[0]->dims);
    return MOTE_OK;
}

static void run_dropout(const mote_step *s)
{
    if (s->n_out > 1)
        memset(s->out[1]->data, 1, (size_t)mote_tensor_numel(s->out[1]));
}

static mote_status prepare_dropout(mote_op_ctx *c)
{
    c->run = run_dropout;
    c->params = NULL;
    c->scratch_bytes = 0;
    return MOTE_OK;
}

/* --------------------------------------------------- Squeeze, Unsqueeze */

static mote_status infer_squeeze(mote_op_ctx *c)
{
    mote_status st = need_input(c);
    if (st)
        return st;
    const mote_tensor *x = c->in[0];
    int64_t axes[2 * MOTE_MAX_DIMS];
    int n;
    if ((st = mote_op_axes(c, 1, axes, &n)))
        return st;
    int drop[MOTE_MAX_DIMS] = {0};
    for (int k = 0; k < n; k++) {
        int a = mote_norm_axis(axes[k], x->ndim);
        if (a < 0)
            return mote_op_error(c, MOTE_ERR_SHAPE, "axis %lld is out of range for rank %d",
                                 (long long)axes[k], x->ndim);
        if (x->dims[a] != 1)
            return mote_op_error(c, MOTE_ERR_SHAPE, "cannot squeeze axis %d of size %lld", a,
                                 (long long)x->dims[a]);
        drop[a] = 1;
    }
    int64_t dims[MOTE_MAX_DIMS];
    int nd = 0;
    for (int i = 0; i < x->ndim; i++)
        if (!(n < 0 ? x->dims[i] == 1 : drop[i]))   /* no axes: every size-1 dim */
            dims[nd++] = x->dims[i];
    mote_set_out(c, 0, x->dtype, nd, dims);
    return MOTE_OK;
}

static mote_status infer_unsqueeze(mote_op_ctx *c)
{
    mote_status st = need_input(c);
    if (st)
        return st;
    const mote_tensor *x = c->in[0];
    int64_t axes[2 * MOTE_MAX_DIMS];
    int n;
    if ((st = mote_op_axes(c, 1, axes, &n)))
        return st;
    if (n < 0)
        return mote_op_error(c, MOTE_ERR_GRAPH, "axes are missing (attribute or input 1)");
    int r = x->ndim + n;
    if (r > MOTE_MAX_DIMS)
        return mote_op_error(c, MOTE_ERR_UNSUPPORTED, "output rank %d exceeds %d", r, MOTE_MAX_DIMS);
    int ins[MOTE_MAX_DIMS] = {0};
    for (int k = 0; k < n; k++) {
        int a = mote_norm_axis(axes[k], r);
        if (a < 0 || ins[a])
            return mote_op_error(c, MOTE_ERR_SHAPE, "axis %lld is out of range or repeated for "
                                 "output rank %d", (long long)axes[k], r);
        ins[a] = 1;
    }
    int64_t dims[MOTE_MAX_DIMS];
    for (int i = 0, j = 0; i < r; i++)
        dims[i] = ins[i] ? 1 : x->dims[j++];
    mote_set_out(c, 0, x->dtype, r, dims);
    return MOTE_OK;
}

/* ---------------------------------------------------------------- Expand */

typedef struct expand_params {
    mote_bcast plan;
    size_t es;          /* element bytes */
} expand_params;

typedef struct expand_job {
    const expand_params *p;
    const char *x;
    char *y;
} expand_job;

static void expand_seg(void *ctx, int64_t n, const int64_t *off, const int64_t *st, int64_t yoff)
{
    const expand_job *j = ctx;
    size_t es = j->p->es;
    char *y = j->y + (size_t)yoff * es;
    if (st[0]) {
        memcpy(y, j->x + (size_t)off[0] * es, (size_t)n * es);
        return;
    }
    for (int64_t i = 0; i < n; i++)
        memcpy(y + (size_t)i * es, j->x + (size_t)off[0] * es, es);
}

static void run_expand(const mote_step *s)
{
    const expand_params *p = s->params;
    expand_job j = {p, s->in[0]->data, s->out[0]->data};
    mote_bcast_for(s->pool, &p->plan, expand_seg, &j);
}

static mote_status infer_expand(mote_op_ctx *c)
{
    mote_status st = need_input(c);
    if (st)
        return st;
    mote_tensor sh = {0};
    int n;
    if ((st = mote_op_const_ints(c, 1, "shape", MOTE_MAX_DIMS, sh.dims, &n)))
        return st;
    sh.ndim = n;
    for (int i = 0; i < n; i++)
        if (sh.dims[i] < 0)
            return mote_op_error(c, MOTE_ERR_SHAPE, "shape[%d] = %lld is negative", i,
                                 (long long)sh.dims[i]);
    /* bidirectional: the output is the broadcast of the input and shape */
    const mote_tensor *t[2] = {c->in[0], &sh};
    int nd;
    int64_t dims[MOTE_MAX_DIMS];
    if ((st = mote_bcast_shape_n(c, 2, t, &nd, dims)))
        return st;
    mote_set_out(c, 0, c->in[0]->dtype, nd, dims);
    return MOTE_OK;
}

static mote_status prepare_expand(mote_op_ctx *c)
{
    expand_params *p = mote_ctx_alloc(c, sizeof *p);
    if (!p)
        return MOTE_ERR_NOMEM;
    const mote_tensor *t[1] = {c->in[0]};
    mote_bcast_plan(&p->plan, 1, t, c->out[0]);
    p->es = mote_dtype_size(c->in[0]->dtype);
    c->params = p;
    c->run = run_expand;
    c->scratch_bytes = 0;
    return MOTE_OK;
}

/* ------------------------------------------------------- ConstantOfShape */

typedef struct fill_params {
    size_t es;            /* element bytes            */
    uint8_t value[8];     /* one element of the value */
} fill_params;

static void run_fill(const mote_step *s)
{
    const fill_params *p = s->params;
    int64_t n = mote_tensor_numel(s->out[0]);
    char *y = s->out[0]->data;
    for (int64_t i = 0; i < n; i++)
        memcpy(y + (size_t)i * p->es, p->value, p->es);
}

/* The value attribute arrives as a one-element list plus "_value_dtype"
 * (the importer's form of a TENSOR attribute); absent: f32 0. */
static mote_status fill_value(const mote_op_ctx *c, mote_dtype *dt, uint8_t *value)
{
    const int64_t *iv;
    const float *fv;
    int ni = mote_attr_get_ints(c->node, "value", &iv);
    int nf = mote_attr_get_floats(c->node, "value", &fv);
    *dt = (mote_dtype)mote_attr_get_int(c->node, "_value_dtype", MOTE_F32);
    if (!mote_dtype_size(*dt))
        return mote_op_error(c, MOTE_ERR_UNSUPPORTED, "value has an unsupported dtype");
    if ((ni >= 0 && ni != 1) || (nf >= 0 && nf != 1))
        return mote_op_error(c, MOTE_ERR_SHAPE, "value must hold exactly one element");
    memset(value, 0, 8);
    if (nf == 1)
        mote_elem_put_f64(value, *dt, 0, fv[0]);
    else if (ni == 1)
        mote_elem_put_i64(value, *dt, 0, iv[0]);
    return MOTE_OK;
}

static mote_status infer_constant_of_shape(mote_op_ctx *c)
{
    int64_t dims[MOTE_MAX_DIMS];
    int n;
    mote_dtype dt;
    uint8_t v[8];
    mote_status st = mote_op_const_ints(c, 0, "shape", MOTE_MAX_DIMS, dims, &n);
    if (st || (st = fill_value(c, &dt, v)))
        return st;
    for (int i = 0; i < n; i++)
        if (dims[i] < 0)
            return mote_op_error(c, MOTE_ERR_SHAPE, "shape[%d] = %lld is negative", i, (long long)dims[i]);
    mote_set_out(c, 0, dt, n, dims);
    return MOTE_OK;
}

static mote_status prepare_constant_of_shape(mote_op_ctx *c)
{
    fill_params *p = mote_ctx_alloc(c, sizeof *p);
    mote_dtype dt;
    if (!p)
        return MOTE_ERR_NOMEM;
    mote_status st = fill_value(c, &dt, p->value);
    p->es = mote_dtype_size(dt);
    c->params = p;
    c->run = run_fill;
    c->scratch_bytes = 0;
    return st;
}

/* ----------------------------------------------------------------- Range */

/* y[i] = start + i * delta, n = max(ceil((limit - start) / delta), 0) */
typedef struct range_params {
    double start, delta;
    int64_t istart, idelta;   /* integer dtypes: exact */
} range_params;

static void run_range(const mote_step *s)
{
    const range_params *p = s->params;
    const mote_tensor *y = s->out[0];
    int64_t n = mote_tensor_numel(y);
    for (int64_t i = 0; i < n; i++) {
        if (y->dtype == MOTE_F32)
            ((float *)y->data)[i] = (float)(p->start + (double)i * p->delta);
        else
            mote_elem_put_i64(y->data, y->dtype, i, p->istart + i * p->idelta);
    }
}

static mote_status infer_range(mote_op_ctx *c)
{
    for (int i = 0; i < 3; i++) {
        const mote_tensor *t = c->in[i];
        static const char *const nm[3] = {"start", "limit", "delta"};
        if (!t)
            return mote_op_error(c, MOTE_ERR_GRAPH, "input %s is missing", nm[i]);
        if (t->dtype != c->in[0]->dtype)
            return mote_op_error(c, MOTE_ERR_SHAPE, "input %s is %s, start is %s", nm[i],
                                 mote_op_dtype_name(t->dtype), mote_op_dtype_name(c->in[0]->dtype));
        if (mote_tensor_numel(t) != 1)
            return mote_op_error(c, MOTE_ERR_SHAPE, "input %s must be a scalar", nm[i]);
        if (!t->data)
            return mote_op_error(c, MOTE_ERR_UNSUPPORTED, "input %s must be a constant (the "
                                 "output's length depends on it)", nm[i]);
    }
    mote_dtype dt = c->in[0]->dtype;
    if (dt != MOTE_F32 && dt != MOTE_I32 && dt != MOTE_I64)
        return mote_op_error(c, MOTE_ERR_UNSUPPORTED, "dtype %s is not supported (f32, i32, i64)", mote_op_dtype_name(dt));
    double s = mote_elem_f64(c->in[0]->data, dt, 0), l = mote_elem_f64(c->in[1]->data, dt, 0);
    double d = mote_elem_f64(c->in[2]->data, dt, 0);
    if (d == 0)
        return mote_op_error(c, MOTE_ERR_SHAPE, "delta is zero");
    double len = ceil((l - s) / d);
    if (!(len < 1e12))
        return mote_op_error(c, MOTE_ERR_LIMIT, "the range has too many elements");
    int64_t n = len > 0 ? (int64_t)len : 0;
    mote_set_out(c, 0, dt, 1, &n);
    return MOTE_OK;
}

static mote_status prepare_range(mote_op_ctx *c)
{
    range_params *p = mote_ctx_alloc(c, sizeof *p);
    if (!p)
        return MOTE_ERR_NOMEM;
    mote_dtype dt = c->in[0]->dtype;
    p->start = mote_elem_f64(c->in[0]->data, dt, 0);
    p->delta = mote_elem_f64(c->in[2]->data, dt, 0);
    p->istart = mote_elem_get_i64(c->in[0]->data, dt, 0);
    p->idelta = mote_elem_get_i64(c->in[2]->data, dt, 0);
    c->params = p;
    c->run = run_range;
    c->scratch_bytes = 0;
    return MOTE_OK;
}

const mote_op mote_op_Shape = {"Shape", 1, 1, 1, 1, 0, infer_shape, prepare_shape, NULL};
const mote_op mote_op_Size = {"Size", 1, 1, 1, 1, 0, infer_size, prepare_size, NULL};
const mote_op mote_op_Identity = {"Identity", 1, 1, 1, 1, MOTE_OP_ALIAS, infer_identity, prepare_alias, NULL};
const mote_op mote_op_Dropout = {"Dropout", 1, 3, 1, 2, MOTE_OP_ALIAS, infer_dropout, prepare_dropout, NULL};
const mote_op mote_op_Squeeze = {"Squeeze", 1, 2, 1, 1, MOTE_OP_ALIAS, infer_squeeze, prepare_alias, NULL};
const mote_op mote_op_Unsqueeze = {"Unsqueeze", 1, 2, 1, 1, MOTE_OP_ALIAS, infer_unsqueeze, prepare_alias, NULL};
const mote_op mote_op_Expand = {"Expand", 2, 2, 1, 1, 0, infer_expand, prepare_expand, NULL};
const mote_op mote_op_ConstantOfShape = {"ConstantOfShape", 1, 1, 1, 1, 0, infer_constant_of_shape,
                                         prepare_constant_of_shape, NULL};
const mote_op mote_op_Range = {"Range", 3, 3, 1, 1, 0, infer_range, prepare_range, NULL};
