/*
 * op_b_util.c — helpers of the group B ops (see op_b_util.h). No op is
 * defined here.
 */
#include "op_b_util.h"

mote_status mote_b_expect_index(const mote_op_ctx *c, int i, const char *what)
{
    if (!mote_b_has(c, i))
        return mote_op_error(c, MOTE_ERR_GRAPH, "input %d (%s) is missing", i, what);
    mote_dtype t = c->in[i]->dtype;
    if (t != MOTE_I64 && t != MOTE_I32)
        return mote_op_error(c, MOTE_ERR_SHAPE, "input %d (%s) must be i64 or i32, not %s",
                             i, what, mote_b_dtype(t));
    return MOTE_OK;
}

int64_t mote_b_int_at(const mote_tensor *t, int64_t e)
{
    return t->dtype == MOTE_I32 ? ((const int32_t *)t->data)[e] : ((const int64_t *)t->data)[e];
}

mote_status mote_b_const_ints(const mote_op_ctx *c, int i, const char *what,
                              int64_t *out, int max, int *n)
{
    mote_status st = mote_b_expect_index(c, i, what);
    if (st)
        return st;
    const mote_tensor *t = c->in[i];
    if (!t->data)
        return mote_op_error(c, MOTE_ERR_UNSUPPORTED,
                             "input %d (%s) must be a constant: output shapes are fixed when the "
                             "session is made", i, what);
    if (t->ndim > 1)
        return mote_op_error(c, MOTE_ERR_SHAPE, "input %d (%s) must be 1-D, it has rank %d",
                             i, what, t->ndim);
    int64_t cnt = mote_tensor_numel(t);
    if (cnt > max)
        return mote_op_error(c, MOTE_ERR_SHAPE, "input %d (%s) has %lld values, at most %d allowed",
                             i, what, (long long)cnt, max);
    for (int64_t k = 0; k < cnt; k++)
        out[k] = mote_b_int_at(t, k);
    *n = (int)cnt;
    return MOTE_OK;
}

int mote_b_num(mote_dtype t)
{
    switch (t) {
    case MOTE_F32: return MOTE_NUM_F32;
    case MOTE_I32: return MOTE_NUM_I32;
    case MOTE_I64: return MOTE_NUM_I64;
    case MOTE_U8: return MOTE_NUM_U8;
    case MOTE_I8: return MOTE_NUM_I8;
    default: return -1;
    }
}

const char *mote_b_dtype(mote_dtype t)
{
    const char *s = mote_dtype_name(t);
    return s ? s : "?";
}
