/*
 * slice.c — strided views copied out: Slice (opset 1 attributes and
 * opset 10+ inputs), Split (opset 2-18: the split attribute, the split
 * input or num_outputs), DepthToSpace (DCR, CRD) and SpaceToDepth. Any
 * dtype.
 *
 * Each output is a dense copy of a strided view of the input,
 *   y[i_0..] = x[base + sum_d i_d xs[d]],
 * done by mote_strided_copy_ref over the output rows, split over the pool.
 * Starts, ends, axes, steps and split sizes must be constants: they fix
 * the output shapes, which the session knows before running.
 */
#include <string.h>
#include "op_util.h"

typedef struct view {
    int nd;
    int64_t dims[MOTE_MAX_DIMS];   /* output dims                           */
    int64_t xs[MOTE_MAX_DIMS];     /* input element stride per output dim   */
    int64_t base;                  /* input element offset of y[0..0]       */
} view;

typedef struct slice_params {
    size_t es;                     /* element bytes                         */
    int n;                         /* outputs                               */
    view *v;                       /* (n) one view per output               */
} slice_params;

typedef struct view_job {
    const view *v;
    const void *x;
    void *y;
    size_t es;
} view_job;

static void view_chunk(void *ctx, int64_t b, int64_t e, int thread)
{
    (void)thread;
    const view_job *j = ctx;
    mote_strided_copy_ref(j->x, j->y, j->es, j->v->nd, j->v->dims, j->v->xs, j->v->base, b, e);
}

static void run_views(const mote_step *s)
{
    const slice_params *p = s->params;
    for (int i = 0; i < p->n; i++) {
        const view *v = &p->v[i];
        if (mote_dims_prod(v->dims, v->nd) == 0)
            continue;
        view_job j = {v, s->in[0]->data, s->out[i]->data, p->es};
        int64_t rows = mote_dims_prod(v->dims, v->nd - 1);
        size_t row = (size_t)(v->nd ? v->dims[v->nd - 1] : 1) * p->es;
        int64_t grain = row >= 4096 ? 1 : (int64_t)(4096 / row);
        mote_pool_for(s->pool, rows, grain, view_chunk, &j);
    }
}

/* Element strides of a dense tensor. */
static void strides_of(const mote_tensor *x, int64_t *st)
{
    int64_t s = 1;
    for (int d = x->ndim - 1; d >= 0; d--) {
        st[d] = s;
        s *= x->dims[d];
    }
}

/* ------------------------------------------------------------------ Slice */

/* Reads starts/ends/axes/steps from the inputs (opset >= 10) or the
 * attributes (opset 1) and computes the view. */
static mote_status slice_view(mote_op_ctx *c, view *v)
{
    const mote_tensor *x = c->in[0];
    int r = x->ndim;
    int64_t st[MOTE_MAX_DIMS], s[MOTE_MAX_DIMS], e[MOTE_MAX_DIMS], ax[MOTE_MAX_DIMS], sp[MOTE_MAX_DIMS];
    int ns, ne, na = -1, nsp = -1;
    mote_status rc;
    if (c->n_in == 1) {
        const int64_t *a;
        ns = mote_attr_get_ints(c->node, "starts", &a);
        if (ns < 0 || ns > MOTE_MAX_DIMS)
            return mote_op_error(c, MOTE_ERR_SHAPE, "needs a starts attribute (opset 1) or input");
        memcpy(s, a, sizeof(int64_t) * (size_t)ns);
        ne = mote_attr_get_ints(c->node, "ends", &a);
        if (ne < 0 || ne > MOTE_MAX_DIMS)
            return mote_op_error(c, MOTE_ERR_SHAPE, "needs an ends attribute (opset 1) or input");
        memcpy(e, a, sizeof(int64_t) * (size_t)ne);
        na = mote_attr_get_ints(c->node, "axes", &a);
        if (na > MOTE_MAX_DIMS)
            return mote_op_error(c, MOTE_ERR_SHAPE, "too many axes");
        if (na > 0)
            memcpy(ax, a, sizeof(int64_t) * (size_t)na);
    } else {
        if ((rc = mote_op_const_ints(c, 1, "starts", MOTE_MAX_DIMS, s, &ns)) ||
            (rc = mote_op_const_ints(c, 2, "ends", MOTE_MAX_DIMS, e, &ne)))
            return rc;
        if (mote_op_has_input(c, 3) && (rc = mote_op_const_ints(c, 3, "axes", MOTE_MAX_DIMS, ax, &na)))
            return rc;
        if (mote_op_has_input(c, 4) && (rc = mote_op_const_ints(c, 4, "steps", MOTE_MAX_DIMS, sp, &nsp)))
            return rc;
    }
    if (ne != ns || (na >= 0 && na != ns) || (nsp >= 0 && nsp != ns))
        return mote_op_error(c, MOTE_ERR_SHAPE, "starts (%d), ends (%d), axes (%d) and steps (%d) "
                             "must have the same length", ns, ne, na, nsp);
    strides_of(x, st);
    int64_t start[MOTE_MAX_DIMS], step[MOTE_MAX_DIMS];
    bool seen[MOTE_MAX_DIMS] = {false};
    for (int d = 0; d < r; d++) {
        start[d] = 0;
        step[d] = 1;
        v->dims[d] = x->dims[d];
    }
    for (int i = 0; i < ns; i++) {
        int64_t a = na >= 0 ? ax[i] : i;
        int d = mote_norm_axis(a, r);
        if (d < 0)
            return mote_op_error(c, MOTE_ERR_SHAPE, "axis %lld is out of range for rank %d",
                                 (long long)a, r);
        if (seen[d])
            return mote_op_error(c, MOTE_ERR_SHAPE, "axis %d is sliced twice", d);
        seen[d] = true;
        int64_t n = x->dims[d], k = nsp >= 0 ? sp[i] : 1, b = s[i], f = e[i];
        if (k == 0)
            return mote_op_error(c, MOTE_ERR_SHAPE, "step for axis %d is 0", d);
        if (b < 0) b += n;
        if (f < 0) f += n;
        /* clamp: [0, n] for positive steps, [-1, n-1] (start [0, n-1]) for negative */
        if (k > 0) {
            b = b < 0 ? 0 : b > n ? n : b;
            f = f < 0 ? 0 : f > n ? n : f;
        } else {
            b = b < 0 ? 0 : b > n - 1 ? n - 1 : b;
            f = f < -1 ? -1 : f > n - 1 ? n - 1 : f;
        }
        int64_t len = k > 0 ? (f - b + k - 1) / k : (b - f + (-k) - 1) / (-k);
        if (len < 0 || n == 0)
            len = 0;
        start[d] = len ? b : 0;
        step[d] = k;
        v->dims[d] = len;
    }
    v->nd = r;
    v->base = 0;
    for (int d = 0; d < r; d++) {
        v->xs[d] = step[d] * st[d];
        v->base += start[d] * st[d];
    }
    return MOTE_OK;
}

static mote_status infer_slice(mote_op_ctx *c)
{
    if (!mote_op_has_input(c, 0))
        return mote_op_error(c, MOTE_ERR_GRAPH, "input 0 (data) is missing");
    if (c->n_in == 2)
        return mote_op_error(c, MOTE_ERR_GRAPH, "needs starts and ends (inputs 1 and 2)");
    view v;
    mote_status st = slice_view(c, &v);
    if (st)
        return st;
    mote_set_out(c, 0, c->in[0]->dtype, v.nd, v.dims);
    return MOTE_OK;
}

static mote_status prepare_slice(mote_op_ctx *c)
{
    slice_params *p = mote_ctx_alloc(c, sizeof *p);
    if (!p || !(p->v = mote_ctx_alloc(c, sizeof *p->v)))
        return MOTE_ERR_NOMEM;
    p->n = 1;
    p->es = mote_dtype_size(c->in[0]->dtype);
    mote_status st = slice_view(c, &p->v[0]);
    if (st)
        return st;
    c->params = p;
    c->run = run_views;
    return MOTE_OK;
}

/* ------------------------------------------------------------------ Split */

/* Sizes of the n_out parts along the axis, from the split input (opset
 * 13), the split attribute (< 13), or equal parts (num_outputs, opset 18:
 * the last part may be smaller). */
static mote_status split_sizes(mote_op_ctx *c, int *axis, int64_t *len)
{
    const mote_tensor *x = c->in[0];
    int64_t a = mote_attr_get_int(c->node, "axis", 0);
    int d = mote_norm_axis(a, x->ndim);
    if (d < 0)
        return mote_op_error(c, MOTE_ERR_SHAPE, "axis %lld is out of range for rank %d",
                             (long long)a, x->ndim);
    *axis = d;
    int n = c->n_out, cnt = -1;
    int64_t total = 0, sp[64];
    mote_status st;
    if (mote_op_has_input(c, 1)) {
        if ((st = mote_op_const_ints(c, 1, "split", 64, sp, &cnt)))
            return st;
    } else {
        const int64_t *v;
        cnt = mote_attr_get_ints(c->node, "split", &v);
        if (cnt > 64)
            return mote_op_error(c, MOTE_ERR_SHAPE, "split attribute has %d values", cnt);
        if (cnt > 0)
            memcpy(sp, v, sizeof(int64_t) * (size_t)cnt);
    }
    if (cnt >= 0) {
        if (cnt != n)
            return mote_op_error(c, MOTE_ERR_SHAPE, "split has %d sizes for %d outputs", cnt, n);
        for (int i = 0; i < n; i++) {
            if (sp[i] < 0)
                return mote_op_error(c, MOTE_ERR_SHAPE, "split size %d is negative", i);
            len[i] = sp[i];
            total += sp[i];
        }
        if (total != x->dims[d])
            return mote_op_error(c, MOTE_ERR_SHAPE, "split sizes sum to %lld, axis %d has %lld",
                                 (long long)total, d, (long long)x->dims[d]);
        return MOTE_OK;
    }
    int64_t no = mote_attr_get_int(c->node, "num_outputs", n);
    if (no != n)
        return mote_op_error(c, MOTE_ERR_SHAPE, "num_outputs = %lld but the node has %d outputs",
                             (long long)no, n);
    int64_t dim = x->dims[d], part = (dim + n - 1) / n;
    if (!mote_node_attr(c->node, "num_outputs") && dim % n)
        return mote_op_error(c, MOTE_ERR_SHAPE, "axis %d of size %lld does not split into %d equal "
                             "parts", d, (long long)dim, n);
    for (int i = 0; i < n; i++) {
        int64_t left = dim - total;
        len[i] = left < part ? left : part;
        total += len[i];
    }
    return MOTE_OK;
}

static mote_status infer_split(mote_op_ctx *c)
{
    if (!mote_op_has_input(c, 0))
        return mote_op_error(c, MOTE_ERR_GRAPH, "input 0 is missing");
    int axis;
    int64_t len[64];
    mote_status st = split_sizes(c, &axis, len);
    if (st)
        return st;
    int64_t dims[MOTE_MAX_DIMS];
    memcpy(dims, c->in[0]->dims, sizeof dims);
    for (int i = 0; i < c->n_out; i++) {
        dims[axis] = len[i];
        mote_set_out(c, i, c->in[0]->dtype, c->in[0]->ndim, dims);
    }
    return MOTE_OK;
}

static mote_status prepare_split(mote_op_ctx *c)
{
    const mote_tensor *x = c->in[0];
    slice_params *p = mote_ctx_alloc(c, sizeof *p);
    if (!p || !(p->v = mote_ctx_alloc(c, sizeof *p->v * (size_t)c->n_out)))
        return MOTE_ERR_NOMEM;
    int axis;
    int64_t len[64];
    mote_status st = split_sizes(c, &axis, len);
    if (st)
        return st;
    p->n = c->n_out;
    p->es = mote_dtype_size(x->dtype);
    /* (outer, part * inner) rows of the (outer, dim * inner) input */
    int64_t outer = mote_dims_prod(x->dims, axis);
    int64_t inner = mote_dims_prod(x->dims + axis + 1, x->ndim - axis - 1), at = 0;
    for (int i = 0; i < p->n; i++) {
        view *v = &p->v[i];
        v->nd = 2;
        v->dims[0] = outer;
        v->dims[1] = len[i] * inner;
        v->xs[0] = x->dims[axis] * inner;
        v->xs[1] = 1;
        v->base = at * inner;
        at += len[i];
    }
    c->params = p;
    c->run = run_views;
    return MOTE_OK;
}

/* ------------------------------------------- DepthToSpace, SpaceToDepth */

static mote_status space_check(mote_op_ctx *c, int64_t *b)
{
    if (!mote_op_has_input(c, 0))
        return mote_op_error(c, MOTE_ERR_GRAPH, "input 0 is missing");
    const mote_tensor *x = c->in[0];
    if (x->ndim != 4)
        return mote_op_error(c, MOTE_ERR_SHAPE, "input must be 4-D (N, C, H, W), it has rank %d",
                             x->ndim);
    if (!mote_node_attr(c->node, "blocksize"))
        return mote_op_error(c, MOTE_ERR_SHAPE, "attribute blocksize is required");
    *b = mote_attr_get_int(c->node, "blocksize", 0);
    if (*b < 1)
        return mote_op_error(c, MOTE_ERR_SHAPE, "blocksize %lld must be >= 1", (long long)*b);
    return MOTE_OK;
}

/*
 * DepthToSpace, out (N, C/b², H b, W b) viewed as (N, C', H, b1, W, b2):
 *   DCR: y[n, c, h, b1, w, b2] = x[n, (b1 b + b2) C' + c, h, w]
 *   CRD: y[n, c, h, b1, w, b2] = x[n, c b² + b1 b + b2, h, w]
 * SpaceToDepth, out (N, C b², H/b, W/b) viewed as (N, b1, b2, C, H', W'):
 *   y[n, b1, b2, c, h, w] = x[n, c, h b + b1, w b + b2]
 */
static mote_status space_view(mote_op_ctx *c, int to_depth, view *v, int64_t *odims)
{
    int64_t b = 1;
    mote_status st = space_check(c, &b);
    if (st)
        return st;
    const mote_tensor *x = c->in[0];
    int64_t N = x->dims[0], C = x->dims[1], H = x->dims[2], W = x->dims[3], HW = H * W;
    v->nd = 6;
    v->base = 0;
    if (!to_depth) {
        if (C % (b * b))
            return mote_op_error(c, MOTE_ERR_SHAPE, "channels %lld are not a multiple of "
                                 "blocksize^2 = %lld", (long long)C, (long long)(b * b));
        const char *mode = mote_attr_get_string(c->node, "mode", "DCR");
        int64_t Cp = C / (b * b);
        int64_t d[6] = {N, Cp, H, b, W, b};
        memcpy(v->dims, d, sizeof d);
        if (!strcmp(mode, "DCR")) {
            int64_t s[6] = {C * HW, HW, W, b * Cp * HW, 1, Cp * HW};
            memcpy(v->xs, s, sizeof s);
        } else if (!strcmp(mode, "CRD")) {
            int64_t s[6] = {C * HW, b * b * HW, W, b * HW, 1, HW};
            memcpy(v->xs, s, sizeof s);
        } else {
            return mote_op_error(c, MOTE_ERR_UNSUPPORTED, "mode '%s' (DCR or CRD)", mode);
        }
        odims[0] = N; odims[1] = Cp; odims[2] = H * b; odims[3] = W * b;
    } else {
        if (H % b || W % b)
            return mote_op_error(c, MOTE_ERR_SHAPE, "H %lld and W %lld must be multiples of "
                                 "blocksize %lld", (long long)H, (long long)W, (long long)b);
        int64_t d[6] = {N, b, b, C, H / b, W / b};
        int64_t s[6] = {C * HW, W, 1, HW, b * W, b};
        memcpy(v->dims, d, sizeof d);
        memcpy(v->xs, s, sizeof s);
        odims[0] = N; odims[1] = C * b * b; odims[2] = H / b; odims[3] = W / b;
    }
    return MOTE_OK;
}

static mote_status infer_space(mote_op_ctx *c, int to_depth)
{
    view v;
    int64_t od[4];
    mote_status st = space_view(c, to_depth, &v, od);
    if (st)
        return st;
    mote_set_out(c, 0, c->in[0]->dtype, 4, od);
    return MOTE_OK;
}

static mote_status prepare_space(mote_op_ctx *c, int to_depth)
{
    slice_params *p = mote_ctx_alloc(c, sizeof *p);
    if (!p || !(p->v = mote_ctx_alloc(c, sizeof *p->v)))
        return MOTE_ERR_NOMEM;
    int64_t od[4];
    mote_status st = space_view(c, to_depth, &p->v[0], od);
    if (st)
        return st;
    p->n = 1;
    p->es = mote_dtype_size(c->in[0]->dtype);
    c->params = p;
    c->run = run_views;
    return MOTE_OK;
}

static mote_status infer_d2s(mote_op_ctx *c) { return infer_space(c, 0); }
static mote_status prepare_d2s(mote_op_ctx *c) { return prepare_space(c, 0); }
static mote_status infer_s2d(mote_op_ctx *c) { return infer_space(c, 1); }
static mote_status prepare_s2d(mote_op_ctx *c) { return prepare_space(c, 1); }

const mote_op mote_op_Slice = {"Slice", 1, 5, 1, 1, 0, infer_slice, prepare_slice, NULL};
const mote_op mote_op_Split = {"Split", 1, 2, 1, 64, 0, infer_split, prepare_split, NULL};
const mote_op mote_op_DepthToSpace = {"DepthToSpace", 1, 1, 1, 1, 0, infer_d2s, prepare_d2s, NULL};
const mote_op mote_op_SpaceToDepth = {"SpaceToDepth", 1, 1, 1, 1, 0, infer_s2d, prepare_s2d, NULL};
