/*
 * linear.c — LlmLinear: y = x W^T (+ r), W stored (N, K) as in
 * PyTorch/llama2.c, in f32, f16 or as q8_0 / q4_0 blocks (kernels/llm.h).
 *   inputs:  X (..., K) f32; W (N, K) f32, or (N, row bytes) u8 for the
 *            quantized types; R (optional, same shape as Y): a residual
 *   attrs:   weight_type "f32" | "q8_0" | "q4_0"; in_features K (required
 *            for quantized W); last_row (0/1): only the last row of X
 *   output:  Y (..., N), or (1, N) with last_row
 * One row of X (generation) is memory-bound: a matrix-vector product over
 * W's rows, split by rows over the pool. Several rows (a prompt) in f32 go
 * through the GEMM plan (src/ops/gemm_plan.h), which packs W once for the target's
 * microkernel. Quantized W: each X row is quantized to q8 blocks once per
 * run (16-bit for q8_0 W, 8-bit for q4_0: see kernels/llm.h), then the
 * integer dot kernels consume W's blocks: the file's blocks
 * (reference), or a copy packed 16 rows at a time when the session is
 * created (mote_qpack16, kernels/llm.h) for targets with matmul_qpacked.
 */
#include <string.h>
#include "ops/op_util.h"
#include "runtime/prepared.h"
#include "ops/gemm_plan.h"

typedef struct lin_params {
    int64_t M, N, K;               /* rows computed, out and in features */
    int64_t x_off;                 /* first row of X used (last_row)      */
    int wtype;                     /* mote_wtype                          */
    const void *W;                 /* (N, K) f32 or (N, row bytes) blocks */
    const void *Wp;                /* packed W (mote_qpack16) or NULL     */
    int use_gemm;                  /* f32 with M > 1                      */
    mote_gemm_plan gemm;
    size_t xq_bytes;               /* quantized X, at the scratch start   */
    const mote_llm_kernels *lk;
} lin_params;

typedef struct lin_job {
    const lin_params *p;
    const float *x;                /* (M, K)                              */
    void *xq;                      /* (M, K/32) activation blocks: q16 for
                                      q8_0 W, q8 for q4_0 W               */
    const float *r;                /* (M, N) residual or NULL             */
    float *y;                      /* (M, N)                              */
} lin_job;

static void lin_chunk(void *ctx, int64_t n0, int64_t n1, int thread)
{
    const lin_job *j = ctx;
    const lin_params *p = j->p;
    if (p->wtype == MOTE_W_F32) {
        for (int64_t m = 0; m < p->M; m++)
            p->lk->matvec_f32(p->K, p->W, n0, n1, j->x + m * p->K, j->y + m * p->N + n0);
    } else if (p->wtype == MOTE_W_F16) {
        for (int64_t m = 0; m < p->M; m++)
            p->lk->matvec_f16(p->K, p->W, n0, n1, j->x + m * p->K, j->y + m * p->N + n0);
    } else if (p->Wp) {
        p->lk->matmul_qpacked(p->wtype, p->M, p->K, j->xq, p->Wp, n0, n1, j->y, p->N);
    } else if (p->wtype == MOTE_W_Q8_0) {
        p->lk->matmul_q8_0(p->M, p->K, j->xq, p->W, n0, n1, j->y, p->N);
    } else {
        p->lk->matmul_q4_0(p->M, p->K, j->xq, p->W, n0, n1, j->y, p->N);
    }
    if (j->r)
        for (int64_t m = 0; m < p->M; m++)
            for (int64_t n = n0; n < n1; n++) j->y[m * p->N + n] += j->r[m * p->N + n];
}

static void quant_chunk(void *ctx, int64_t m0, int64_t m1, int thread)
{
    const lin_job *j = ctx;
    const lin_params *p = j->p;
    for (int64_t m = m0; m < m1; m++) {
        if (p->wtype == MOTE_W_Q8_0)
            p->lk->quantize_q16a(p->K, j->x + m * p->K, (mote_q16a_block *)j->xq + m * (p->K / MOTE_QK));
        else
            p->lk->quantize_q8a(p->K, j->x + m * p->K, (mote_q8a_block *)j->xq + m * (p->K / MOTE_QK));
    }
}

static void lin_run(const mote_step *s)
{
    const lin_params *p = s->params;
    lin_job j = { p, (const float *)s->in[0]->data + p->x_off * p->K, NULL,
                  s->n_in > 2 && s->in[2] ? s->in[2]->data : NULL, s->out[0]->data };
    if (p->use_gemm) {
        mote_gemm_run(&p->gemm, s->pool, j.x, p->K, NULL, j.y, p->N, s->scratch);
        if (j.r)
            for (int64_t i = 0; i < p->M * p->N; i++) j.y[i] += j.r[i];
        return;
    }
    if (p->wtype == MOTE_W_Q8_0 || p->wtype == MOTE_W_Q4_0) {
        j.xq = s->scratch;
        mote_pool_for(s->pool, p->M, 1, quant_chunk, &j);
    }
    /* chunks of whole groups of 16 rows (cache lines of y, the packed
     * layout) and at least ~64K multiply-adds: a small matrix is not worth
     * waking a worker for */
    int64_t grain = (65536 / (p->K > 0 ? p->K : 1) + 15) / 16 * 16;
    mote_pool_for(s->pool, p->N, grain < 16 ? 16 : grain, lin_chunk, &j);
}

static mote_status lin_infer(mote_op_ctx *c)
{
    mote_status st = mote_expect_dtype(c, 0, MOTE_F32);
    if (st) return st;
    int wt = mote_llm_weight_type(c->node);
    if (wt < 0) return mote_op_error(c, MOTE_ERR_UNSUPPORTED, "unknown weight_type \"%s\"",
                                     mote_attr_get_string(c->node, "weight_type", ""));
    const mote_tensor *x = c->in[0], *w = c->in[1];
    if (!w || !w->data || w->ndim != 2)
        return mote_op_error(c, MOTE_ERR_SHAPE, "W must be a 2-D weight");
    int plain = wt == MOTE_W_F32 || wt == MOTE_W_F16;   /* (N, K) of the type itself */
    int64_t K = plain ? w->dims[1] : mote_attr_get_int(c->node, "in_features", 0);
    size_t rb = mote_wtype_row_bytes(wt, K);
    mote_dtype want = wt == MOTE_W_F32 ? MOTE_F32 : wt == MOTE_W_F16 ? MOTE_F16 : MOTE_U8;
    if (w->dtype != want || rb == 0 ||
        (size_t)w->dims[1] * mote_dtype_size(w->dtype) != rb)
        return mote_op_error(c, MOTE_ERR_SHAPE, "W does not hold rows of %lld values of type %s "
                             "(quantized K must be a multiple of 32)", (long long)K,
                             mote_attr_get_string(c->node, "weight_type", "f32"));
    if (x->ndim < 1 || x->dims[x->ndim - 1] != K)
        return mote_op_error(c, MOTE_ERR_SHAPE, "X's last dimension %lld is not K = %lld",
                             x->ndim ? (long long)x->dims[x->ndim - 1] : 0LL, (long long)K);
    int64_t dims[MOTE_MAX_DIMS];
    int nd = x->ndim;
    memcpy(dims, x->dims, sizeof dims);
    dims[nd - 1] = w->dims[0];
    if (mote_attr_get_int(c->node, "last_row", 0)) {
        nd = 2;
        dims[0] = 1;
        dims[1] = w->dims[0];
    }
    if (c->n_in > 2 && c->in[2]) {
        const mote_tensor *r = c->in[2];
        if (r->dtype != MOTE_F32 || r->ndim != nd || memcmp(r->dims, dims, (size_t)nd * sizeof dims[0]))
            return mote_op_error(c, MOTE_ERR_SHAPE, "the residual must have Y's shape");
    }
    mote_set_out(c, 0, MOTE_F32, nd, dims);
    return MOTE_OK;
}

static mote_status lin_prepare(mote_op_ctx *c)
{
    lin_params *p = mote_ctx_alloc(c, sizeof *p);
    if (!p) return MOTE_ERR_NOMEM;
    p->lk = &c->k->llm;
    const mote_tensor *x = c->in[0], *w = c->in[1];
    p->wtype = mote_llm_weight_type(c->node);
    p->N = w->dims[0];
    p->K = x->dims[x->ndim - 1];
    int64_t rows = p->K ? mote_tensor_numel(x) / p->K : 0;
    p->M = mote_attr_get_int(c->node, "last_row", 0) ? (rows > 0) : rows;
    p->x_off = rows - p->M;
    p->W = w->data;
    c->params = p;
    c->run = lin_run;
    if (p->wtype == MOTE_W_F32 && p->M > 1) {
        size_t scratch = 0;
        mote_act none = { MOTE_ACT_NONE, 0, 0 };
        mote_status st = mote_gemm_plan_init(c, &p->gemm, p->M, p->N, p->K, 0, 1, p->W, p->K,
                                             NULL, 0, none, &scratch);
        if (st) return st;
        p->use_gemm = 1;
        c->scratch_bytes = scratch;
    } else if (p->wtype == MOTE_W_Q8_0 || p->wtype == MOTE_W_Q4_0) {
        p->xq_bytes = (size_t)p->M * (size_t)(p->K / MOTE_QK) *
                      (p->wtype == MOTE_W_Q8_0 ? sizeof(mote_q16a_block) : sizeof(mote_q8a_block));
        c->scratch_bytes = p->xq_bytes;
        if (p->lk->matmul_qpacked) {
            mote_prep_key key = { .tag = MOTE_PREP_QPACK, .src = p->W,
                                  .p = { p->wtype, p->N, p->K, 0 } };
            bool fill;
            void *wp = mote_ctx_prepared(c, &key, mote_qpack16_bytes(p->wtype, p->N, p->K), &fill);
            if (!wp) return MOTE_ERR_NOMEM;
            if (fill) mote_qpack16(p->wtype, p->N, p->K, p->W, wp);
            p->Wp = wp;
        }
    }
    return MOTE_OK;
}

const mote_op mote_op_LlmLinear = {
    .name = "LlmLinear", .min_in = 2, .max_in = 3, .min_out = 1, .max_out = 1,
    .infer = lin_infer, .prepare = lin_prepare,
};
