/*
 * reshape.c — Reshape and Flatten: new shapes for the same bytes.
 *
 * Both are MOTE_OP_ALIAS: the session makes the output share the input's
 * bytes, so run does nothing. Any dtype.
 *
 * Reshape (opset 14): the shape input must be a constant (a weight) of
 * i64; 0 copies the input dim at the same index (unless allowzero = 1,
 * where 0 is a real zero), one -1 is inferred from the element count.
 * Flatten (opset 13): (prod(dims[:axis]), prod(dims[axis:])), axis in [-r, r].
 */
#include <stdint.h>
#include "op_util.h"

static void run_alias(const mote_step *s)
{
    (void)s;   /* the output is the input's bytes */
}

static mote_status prepare_alias(mote_op_ctx *c)
{
    c->run = run_alias;
    c->params = NULL;
    c->scratch_bytes = 0;
    return MOTE_OK;
}

static mote_status infer_reshape(mote_op_ctx *c)
{
    const mote_tensor *x = c->in[0], *sh = c->in[1];
    if (!x || !sh)
        return mote_op_error(c, MOTE_ERR_GRAPH, "needs inputs data and shape");
    if (sh->dtype != MOTE_I64)
        return mote_op_error(c, MOTE_ERR_SHAPE, "input shape must be i64, not %s",
                             mote_dtype_name(sh->dtype) ? mote_dtype_name(sh->dtype) : "?");
    if (!sh->data)
        return mote_op_error(c, MOTE_ERR_UNSUPPORTED,
                             "input shape must be a constant (computed shapes are not supported)");
    if (sh->ndim != 1)
        return mote_op_error(c, MOTE_ERR_SHAPE, "input shape must be 1-D, it has rank %d", sh->ndim);
    int64_t nd = sh->dims[0];
    if (nd > MOTE_MAX_DIMS)
        return mote_op_error(c, MOTE_ERR_UNSUPPORTED, "target rank %lld exceeds %d",
                             (long long)nd, MOTE_MAX_DIMS);
    int allowzero = mote_attr_get_int(c->node, "allowzero", 0) != 0;
    const int64_t *req = sh->data;
    int64_t dims[MOTE_MAX_DIMS], known = 1, total = mote_tensor_numel(x);
    int infer_at = -1, has_zero = 0;
    for (int i = 0; i < nd; i++) {
        int64_t d = req[i];
        if (d == -1) {
            if (infer_at >= 0)
                return mote_op_error(c, MOTE_ERR_SHAPE, "shape has more than one -1");
            infer_at = i;
            dims[i] = 1;
            continue;
        }
        if (d < -1)
            return mote_op_error(c, MOTE_ERR_SHAPE, "shape[%d] = %lld is invalid", i, (long long)d);
        if (d == 0 && !allowzero) {
            if (i >= x->ndim)
                return mote_op_error(c, MOTE_ERR_SHAPE,
                                     "shape[%d] = 0 copies input dim %d, but the input has rank %d",
                                     i, i, x->ndim);
            d = x->dims[i];
        }
        if (d == 0)
            has_zero = 1;
        dims[i] = d;
        /* reliability: the product must not overflow (found by fuzz_onnx) */
        if (d != 0 && known > INT64_MAX / d)
            return mote_op_error(c, MOTE_ERR_SHAPE, "shape's element count overflows at shape[%d] = %lld",
                                 i, (long long)d);
        known *= d;
    }
    char sx[128], ss[128];
    if (infer_at >= 0) {
        if (allowzero && has_zero)
            return mote_op_error(c, MOTE_ERR_SHAPE, "shape has both -1 and 0 with allowzero = 1");
        if (known == 0 || total % known != 0)
            return mote_op_error(c, MOTE_ERR_SHAPE, "cannot reshape %s (%lld elements) into %s",
                                 mote_op_dims_str(x->ndim, x->dims, sx, sizeof sx), (long long)total,
                                 mote_op_dims_str((int)nd, req, ss, sizeof ss));
        dims[infer_at] = total / known;
    } else if (known != total) {
        return mote_op_error(c, MOTE_ERR_SHAPE, "cannot reshape %s (%lld elements) into %s (%lld elements)",
                             mote_op_dims_str(x->ndim, x->dims, sx, sizeof sx), (long long)total,
                             mote_op_dims_str((int)nd, dims, ss, sizeof ss), (long long)known);
    }
    mote_set_out(c, 0, x->dtype, (int)nd, dims);
    return MOTE_OK;
}

static mote_status infer_flatten(mote_op_ctx *c)
{
    const mote_tensor *x = c->in[0];
    if (!x)
        return mote_op_error(c, MOTE_ERR_GRAPH, "needs an input");
    int64_t axis = mote_attr_get_int(c->node, "axis", 1);
    int r = x->ndim;
    if (axis < -r || axis > r)
        return mote_op_error(c, MOTE_ERR_SHAPE, "axis %lld is out of range [%d, %d]",
                             (long long)axis, -r, r);
    int ax = (int)(axis < 0 ? axis + r : axis);
    int64_t dims[2] = {mote_dims_prod(x->dims, ax), mote_dims_prod(x->dims + ax, r - ax)};
    mote_set_out(c, 0, x->dtype, 2, dims);
    return MOTE_OK;
}

const mote_op mote_op_Reshape = {"Reshape", 2, 2, 1, 1, MOTE_OP_ALIAS, infer_reshape, prepare_alias, NULL};
const mote_op mote_op_Flatten = {"Flatten", 1, 1, 1, 1, MOTE_OP_ALIAS, infer_flatten, prepare_alias, NULL};
