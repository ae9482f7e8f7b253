/*
 * gemm.c — Gemm (ONNX): Y = alpha * A' B' + beta * C, with A' = transA ? A^T : A
 * (M x K), B' = transB ? B^T : B (K x N), C optional and unidirectionally
 * broadcastable to (M, N).
 *
 * The common case — alpha = 1 and C a row vector (N) / (1, N), a column
 * (M, 1), or a constant scalar — becomes one GEMM plan with C as the bias
 * (scaled by beta, or read per run when C is not a constant). Anything
 * else runs the plain product and then an epilogue over rows:
 * Y = act(alpha * Y + beta * C).
 *
 * Mote-private attributes (set by the optimizer): "_act", "_act_alpha",
 * "_act_beta": a fused activation applied to Y (see op_util.h).
 */
#include "gemm_plan.h"
#include "op_util.h"

typedef struct gemm_params {
    mote_gemm_plan plan;
    int64_t M, N, K;
    int64_t lda;
    int use_c;              /* C is present and beta != 0                   */
    int runtime_bias;       /* plan.bias is C's data, read at run time     */
    int epilogue;           /* Y = act(alpha Y + beta C) after the product */
    float alpha, beta;
    int64_t c_rs, c_cs;     /* C's row / column strides in elements, 0 = broadcast */
    mote_act act;
    void (*act_fn)(int64_t n, float *x, mote_act act);   /* the table's act_f32 */
} gemm_params;

typedef struct epi_job {
    const gemm_params *p;
    const float *C;         /* NULL when there is no C */
    float *Y;               /* (M, N) */
} epi_job;

static void epi_rows(void *ctx, int64_t b, int64_t e, int thread)
{
    const epi_job *j = ctx;
    const gemm_params *p = j->p;
    for (int64_t m = b; m < e; m++) {
        float *y = j->Y + m * p->N;
        for (int64_t n = 0; n < p->N; n++) {
            float v = p->alpha * y[n];
            if (j->C)
                v += p->beta * j->C[m * p->c_rs + n * p->c_cs];
            y[n] = v;
        }
        p->act_fn(p->N, y, p->act);
    }
}

static void run_gemm(const mote_step *s)
{
    const gemm_params *p = s->params;
    const float *A = s->in[0]->data, *B = s->in[1]->data;
    const float *C = p->use_c ? s->in[2]->data : NULL;
    float *Y = s->out[0]->data;
    if (p->runtime_bias) {
        mote_gemm_plan plan = p->plan;   /* a copy: the bias pointer changes per run */
        plan.bias = C;
        plan.bias_per_row = p->c_rs != 0;
        mote_gemm_run(&plan, s->pool, A, p->lda, B, Y, p->N, s->scratch);
    } else {
        mote_gemm_run(&p->plan, s->pool, A, p->lda, B, Y, p->N, s->scratch);
    }
    if (p->epilogue) {
        epi_job j = {p, C, Y};
        int64_t grain = p->N >= 1024 ? 1 : 1024 / (p->N ? p->N : 1);
        mote_pool_for(s->pool, p->M, grain, epi_rows, &j);
    }
}

static mote_status infer_gemm(mote_op_ctx *c)
{
    mote_status st;
    if ((st = mote_expect_dtype(c, 0, MOTE_F32)) || (st = mote_expect_dtype(c, 1, MOTE_F32)))
        return st;
    const mote_tensor *a = c->in[0], *b = c->in[1];
    if (a->ndim != 2 || b->ndim != 2)
        return mote_op_error(c, MOTE_ERR_SHAPE, "A and B must be 2-D (A has rank %d, B has rank %d)",
                             a->ndim, b->ndim);
    int ta = mote_attr_get_int(c->node, "transA", 0) != 0;
    int tb = mote_attr_get_int(c->node, "transB", 0) != 0;
    int64_t M = ta ? a->dims[1] : a->dims[0], K = ta ? a->dims[0] : a->dims[1];
    int64_t K2 = tb ? b->dims[1] : b->dims[0], N = tb ? b->dims[0] : b->dims[1];
    if (K != K2)
        return mote_op_error(c, MOTE_ERR_SHAPE, "input B%s has %lld rows, A%s has %lld columns",
                             tb ? "^T" : "", (long long)K2, ta ? "^T" : "", (long long)K);
    if (c->n_in > 2 && c->in[2]) {
        if ((st = mote_expect_dtype(c, 2, MOTE_F32)))
            return st;
        const mote_tensor *t = c->in[2];
        if (t->ndim > 2)
            return mote_op_error(c, MOTE_ERR_SHAPE, "C has rank %d, at most 2 allowed", t->ndim);
        int64_t cr = t->ndim == 2 ? t->dims[0] : 1, cc = t->ndim >= 1 ? t->dims[t->ndim - 1] : 1;
        if ((cr != 1 && cr != M) || (cc != 1 && cc != N))
            return mote_op_error(c, MOTE_ERR_SHAPE, "C of shape (%lld, %lld) does not broadcast to (%lld, %lld)",
                                 (long long)cr, (long long)cc, (long long)M, (long long)N);
    }
    int64_t dims[2] = {M, N};
    mote_set_out(c, 0, MOTE_F32, 2, dims);
    return MOTE_OK;
}

static mote_status prepare_gemm(mote_op_ctx *c)
{
    const mote_tensor *a = c->in[0], *b = c->in[1];
    const mote_tensor *t = c->n_in > 2 ? c->in[2] : NULL;
    gemm_params *p = mote_ctx_alloc(c, sizeof *p);
    if (!p)
        return MOTE_ERR_NOMEM;
    int ta = mote_attr_get_int(c->node, "transA", 0) != 0;
    int tb = mote_attr_get_int(c->node, "transB", 0) != 0;
    p->M = c->out[0]->dims[0];
    p->N = c->out[0]->dims[1];
    p->K = ta ? a->dims[0] : a->dims[1];
    p->lda = a->dims[1];
    p->alpha = mote_attr_get_float(c->node, "alpha", 1.0f);
    p->beta = mote_attr_get_float(c->node, "beta", 1.0f);
    mote_status st = mote_op_fused_act(c, &p->act);
    if (st)
        return st;

    /* how C enters: not at all, as a bias (row / column / scalar) or in the epilogue */
    enum { C_NONE, C_COL, C_ROW, C_SCALAR, C_FULL } kind = C_NONE;
    if (t && p->beta != 0.0f) {
        int64_t cr = t->ndim == 2 ? t->dims[0] : 1;
        int64_t cc = t->ndim >= 1 ? t->dims[t->ndim - 1] : 1;
        p->c_rs = cr == 1 ? 0 : cc;
        p->c_cs = cc == 1 ? 0 : 1;
        kind = cr == 1 && cc == 1 ? C_SCALAR : cr == 1 ? C_COL : cc == 1 ? C_ROW : C_FULL;
        p->use_c = 1;
    }
    const float *bias = NULL;
    int per_row = kind == C_ROW;
    int fused = p->alpha == 1.0f &&
                (kind == C_NONE ||
                 (kind != C_FULL && (t->data || (p->beta == 1.0f && kind != C_SCALAR))));
    if (fused && kind != C_NONE) {
        if (t->data) {
            /* constant C: bake beta (and a scalar's expansion) into the bias */
            int64_t n = per_row ? p->M : p->N;
            float *bb = mote_ctx_alloc(c, (size_t)(n > 0 ? n : 1) * sizeof(float));
            if (!bb)
                return MOTE_ERR_NOMEM;
            const float *cd = t->data;
            for (int64_t i = 0; i < n; i++)
                bb[i] = p->beta * cd[kind == C_SCALAR ? 0 : i];
            bias = bb;
        } else {
            p->runtime_bias = 1;
        }
    }
    p->epilogue = !fused;
    p->act_fn = c->k->general.act_f32;
    mote_act plan_act = p->epilogue ? (mote_act){MOTE_ACT_NONE, 0, 0} : p->act;
    const float *B_const = b->data;
    int64_t ldb = b->dims[1];
    size_t scratch = 0;
    st = mote_gemm_plan_init(c, &p->plan, p->M, p->N, p->K, ta, tb, B_const, ldb,
                             bias, per_row, plan_act, &scratch);
    if (st)
        return st;
    c->params = p;
    c->run = run_gemm;
    c->scratch_bytes = scratch;
    return MOTE_OK;
}

const mote_op mote_op_Gemm = {"Gemm", 2, 3, 1, 1, 0, infer_gemm, prepare_gemm, NULL};
