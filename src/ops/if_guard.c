/*
 * if_guard.c — IfGuard (mote's own op, not ONNX): checks at run time the
 * condition of an If that the session resolved without knowing it. When
 * one branch of a data-dependent If cannot run at the session's input
 * shapes, the session plans only the other (src/runtime/shape_fold.c) and
 * adds an IfGuard on the condition, attribute expect (0 or 1): after each
 * run, a condition other than expect makes mote_session_run fail instead of
 * returning the planned branch's outputs for the other. Its one output is
 * the condition it saw (nothing reads it); run records the verdict, which
 * the session reads after the run (ctx->verdict, found at plan time).
 */
#include "op_util.h"

typedef struct guard_params {
    int expect;          /* 0 or 1: the branch planned            */
    const char *verdict; /* the last run's: NULL, or why it fails */
} guard_params;

static void run_guard(const mote_step *s)
{
    guard_params *p = s->params;
    int c = mote_elem_get_i64(s->in[0]->data, s->in[0]->dtype, 0) != 0;
    ((uint8_t *)s->out[0]->data)[0] = (uint8_t)c;
    p->verdict = c != p->expect ? "the If's condition chose the branch that cannot run at this "
                                  "session's input shapes" : NULL;
}

static mote_status infer_guard(mote_op_ctx *c)
{
    mote_status st = mote_expect_dtype(c, 0, MOTE_BOOL);
    if (st)
        return st;
    if (mote_tensor_numel(c->in[0]) != 1)
        return mote_op_error(c, MOTE_ERR_SHAPE, "the condition must hold one value, it has %lld",
                             (long long)mote_tensor_numel(c->in[0]));
    int64_t e = mote_attr_get_int(c->node, "expect", -1);
    if (e != 0 && e != 1)
        return mote_op_error(c, MOTE_ERR_GRAPH, "expect=%lld (expected 0 or 1)", (long long)e);
    mote_set_out(c, 0, MOTE_BOOL, 0, NULL);
    return MOTE_OK;
}

static mote_status prepare_guard(mote_op_ctx *c)
{
    guard_params *p = mote_ctx_alloc(c, sizeof *p);
    if (!p)
        return MOTE_ERR_NOMEM;
    p->expect = (int)mote_attr_get_int(c->node, "expect", 1);
    c->params = p;
    c->run = run_guard;
    c->scratch_bytes = 0;
    c->verdict = &p->verdict;
    return MOTE_OK;
}

const mote_op mote_op_IfGuard = {"IfGuard", 1, 1, 1, 1, 0, infer_guard, prepare_guard, NULL};
