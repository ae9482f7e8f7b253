/*
 * rope.c — LlmRope: rotary position embedding on interleaved pairs,
 * as in llama2.c / Meta's Llama reference.
 *   inputs:  X (T, n_heads * head_size) f32; pos (one i32/i64): the
 *            position of row 0 (row t is at pos + t)
 *   attrs:   head_size (int), theta (float, default 10000)
 *   output:  Y, each pair (2j, 2j+1) of each head rotated by the angle
 *            (pos + t) * theta^(-2j / head_size)
 * Unlike ONNX RotaryEmbedding there are no cos/sin cache inputs: the angles
 * come from theta.
 */
#include <string.h>
#include "ops/op_util.h"

typedef struct rope_params {
    int64_t T, width, hs;          /* rows, values per row, head size */
    float theta;
    const mote_llm_kernels *lk;
} rope_params;

static void rope_run(const mote_step *s)
{
    const rope_params *p = s->params;
    const float *x = s->in[0]->data;
    float *y = s->out[0]->data;
    int64_t pos = mote_llm_read_pos(s->in[1]);
    if (x != y) memcpy(y, x, (size_t)(p->T * p->width) * sizeof *y);
    for (int64_t t = 0; t < p->T; t++)
        p->lk->rope_f32(p->width / p->hs, p->hs, pos + t, p->theta, y + t * p->width);
}

static mote_status rope_infer(mote_op_ctx *c)
{
    mote_status st = mote_expect_dtype(c, 0, MOTE_F32);
    if (!st) st = mote_llm_expect_pos(c, 1);
    if (st) return st;
    const mote_tensor *x = c->in[0];
    int64_t hs = mote_attr_get_int(c->node, "head_size", 0);
    if (x->ndim < 1 || hs <= 0 || hs % 2 || (x->dims[x->ndim - 1] > 0 && x->dims[x->ndim - 1] % hs))
        return mote_op_error(c, MOTE_ERR_SHAPE, "head_size %lld must be even and divide the "
                             "last dimension", (long long)hs);
    mote_set_out(c, 0, MOTE_F32, x->ndim, x->dims);
    return MOTE_OK;
}

static mote_status rope_prepare(mote_op_ctx *c)
{
    rope_params *p = mote_ctx_alloc(c, sizeof *p);
    if (!p) return MOTE_ERR_NOMEM;
    p->lk = &c->k->llm;
    const mote_tensor *x = c->in[0];
    p->width = x->dims[x->ndim - 1];
    p->T = p->width ? mote_tensor_numel(x) / p->width : 0;
    p->hs = mote_attr_get_int(c->node, "head_size", 0);
    p->theta = mote_attr_get_float(c->node, "theta", 10000.0f);
    c->params = p;
    c->run = rope_run;
    return MOTE_OK;
}

const mote_op mote_op_LlmRope = {
    .name = "LlmRope", .min_in = 2, .max_in = 2, .min_out = 1, .max_out = 1,
    .flags = MOTE_OP_INPLACE, .infer = rope_infer, .prepare = rope_prepare,
};
