/*
 * embedding.c — the two small decoder ops:
 *   LlmEmbedding(tokens (T) i32/i64, table (V, D)) -> (T, D) f32: row
 *     tokens[t] of the table (f32, or f16/q8_0/q4_0 rows per attribute
 *     weight_type with attribute dim = D). A token outside [0, V) gives a
 *     zero row (run cannot fail; callers check ids).
 *   LlmSwiGLU(a, b) -> silu(a) * b, elementwise, same shapes.
 */
#include <string.h>
#include "ops/op_util.h"

typedef struct emb_params {
    int64_t T, V, D;
    int wtype;                    /* mote_wtype                      */
    const uint8_t *table;         /* (V, row bytes)                  */
    size_t row_bytes;
} emb_params;

static void emb_run(const mote_step *s)
{
    const emb_params *p = s->params;
    float *y = s->out[0]->data;
    for (int64_t t = 0; t < p->T; t++, y += p->D) {
        int64_t id = s->in[0]->dtype == MOTE_I64 ? ((const int64_t *)s->in[0]->data)[t]
                                                : ((const int32_t *)s->in[0]->data)[t];
        if (id < 0 || id >= p->V) { memset(y, 0, (size_t)p->D * sizeof *y); continue; }
        const uint8_t *row = p->table + (size_t)id * p->row_bytes;
        if (p->wtype == MOTE_W_F32) memcpy(y, row, p->row_bytes);
        else if (p->wtype == MOTE_W_F16)
            for (int64_t i = 0; i < p->D; i++) y[i] = mote_half_to_float(((const uint16_t *)row)[i]);
        else if (p->wtype == MOTE_W_Q8_0) mote_dequantize_row_q8_0(p->D, row, y);
        else mote_dequantize_row_q4_0(p->D, row, y);
    }
}

static mote_status emb_infer(mote_op_ctx *c)
{
    const mote_tensor *tok = c->in[0], *w = c->in[1];
    if (!tok || (tok->dtype != MOTE_I32 && tok->dtype != MOTE_I64) || tok->ndim != 1)
        return mote_op_error(c, MOTE_ERR_SHAPE, "tokens must be a 1-D i32 or i64 tensor");
    int wt = mote_llm_weight_type(c->node);
    if (wt < 0) return mote_op_error(c, MOTE_ERR_UNSUPPORTED, "unknown weight_type");
    if (!w || !w->data || w->ndim != 2)
        return mote_op_error(c, MOTE_ERR_SHAPE, "the table must be a 2-D weight");
    int plain = wt == MOTE_W_F32 || wt == MOTE_W_F16;
    int64_t D = plain ? w->dims[1] : mote_attr_get_int(c->node, "dim", 0);
    size_t rb = mote_wtype_row_bytes(wt, D);
    mote_dtype want = wt == MOTE_W_F32 ? MOTE_F32 : wt == MOTE_W_F16 ? MOTE_F16 : MOTE_U8;
    if (w->dtype != want || rb == 0 ||
        (size_t)w->dims[1] * mote_dtype_size(w->dtype) != rb)
        return mote_op_error(c, MOTE_ERR_SHAPE, "the table does not hold rows of %lld "
                             "values of type %s", (long long)D,
                             mote_attr_get_string(c->node, "weight_type", "f32"));
    int64_t dims[2] = { tok->dims[0], D };
    mote_set_out(c, 0, MOTE_F32, 2, dims);
    return MOTE_OK;
}

static mote_status emb_prepare(mote_op_ctx *c)
{
    emb_params *p = mote_ctx_alloc(c, sizeof *p);
    if (!p) return MOTE_ERR_NOMEM;
    p->wtype = mote_llm_weight_type(c->node);
    p->T = c->in[0]->dims[0];
    p->V = c->in[1]->dims[0];
    p->D = c->out[0]->dims[1];
    p->table = c->in[1]->data;
    p->row_bytes = mote_wtype_row_bytes(p->wtype, p->D);
    c->params = p;
    c->run = emb_run;
    return MOTE_OK;
}

const mote_op mote_op_LlmEmbedding = {
    .name = "LlmEmbedding", .min_in = 2, .max_in = 2, .min_out = 1, .max_out = 1,
    .infer = emb_infer, .prepare = emb_prepare,
};

typedef struct swiglu_params { int64_t n; const mote_llm_kernels *lk; } swiglu_params;
typedef struct swiglu_job { const swiglu_params *p; const float *a, *b; float *y; } swiglu_job;

static void swiglu_chunk(void *ctx, int64_t i0, int64_t i1, int thread)
{
    const swiglu_job *j = ctx;
    j->p->lk->swiglu_f32(i1 - i0, j->a + i0, j->b + i0, j->y + i0);
}

static void swiglu_run(const mote_step *s)
{
    const swiglu_params *p = s->params;
    swiglu_job j = { p, s->in[0]->data, s->in[1]->data, s->out[0]->data };
    mote_pool_for(s->pool, p->n, 256, swiglu_chunk, &j);
}

static mote_status swiglu_infer(mote_op_ctx *c)
{
    mote_status st = mote_expect_dtype(c, 0, MOTE_F32);
    if (!st) st = mote_expect_dtype(c, 1, MOTE_F32);
    if (st) return st;
    const mote_tensor *a = c->in[0], *b = c->in[1];
    if (a->ndim != b->ndim || memcmp(a->dims, b->dims, (size_t)a->ndim * sizeof a->dims[0]))
        return mote_op_error(c, MOTE_ERR_SHAPE, "a and b must have the same shape");
    mote_set_out(c, 0, MOTE_F32, a->ndim, a->dims);
    return MOTE_OK;
}

static mote_status swiglu_prepare(mote_op_ctx *c)
{
    swiglu_params *p = mote_ctx_alloc(c, sizeof *p);
    if (!p) return MOTE_ERR_NOMEM;
    p->lk = &c->k->llm;
    p->n = mote_tensor_numel(c->in[0]);
    c->params = p;
    c->run = swiglu_run;
    return MOTE_OK;
}

const mote_op mote_op_LlmSwiGLU = {
    .name = "LlmSwiGLU", .min_in = 2, .max_in = 2, .min_out = 1, .max_out = 1,
    .flags = MOTE_OP_INPLACE, .infer = swiglu_infer, .prepare = swiglu_prepare,
};
