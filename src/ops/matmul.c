/*
 * matmul.c — MatMul (numpy matmul semantics) over the GEMM plan.
 *
 *   A (..., M, K) x B (..., K, N) -> Y (..., M, N), batch dims broadcast;
 *   a 1-D A is (1, K) and a 1-D B is (K, 1), the added dim removed from Y.
 *
 * When B has no batch (rank <= 2, or leading dims all 1) the batch of A
 * folds into M (A is contiguous), so one GEMM covers everything and a
 * constant B is packed once by the plan. Otherwise one GEMM per batch
 * item, with per-item offsets precomputed in prepare.
 *
 * Mote-private attributes (set by the optimizer): "_act", "_act_alpha",
 * "_act_beta": a fused activation applied to Y (see op_util.h).
 */
#include "gemm_plan.h"
#include "op_util.h"

typedef struct matmul_params {
    mote_gemm_plan plan;
    int64_t M, N, K;        /* per GEMM (M includes a folded batch)        */
    int64_t batch;          /* GEMMs per run                               */
    int64_t *a_off;         /* (batch) element offset of each item's A     */
    int64_t *b_off;         /* (batch) element offset of each item's B     */
} matmul_params;

static void run_matmul(const mote_step *s)
{
    const matmul_params *p = s->params;
    const float *A = s->in[0]->data, *B = s->in[1]->data;
    float *Y = s->out[0]->data;
    for (int64_t i = 0; i < p->batch; i++)
        mote_gemm_run(&p->plan, s->pool, A + p->a_off[i], p->K, B + p->b_off[i],
                      Y + i * p->M * p->N, p->N, s->scratch);
}

/* Splits t into batch dims and the (rows, cols) matrix, promoting 1-D. */
static void as_matrix(const mote_tensor *t, int is_b, int *nbatch, int64_t *rows, int64_t *cols)
{
    if (t->ndim == 1) {
        *nbatch = 0;
        *rows = is_b ? t->dims[0] : 1;
        *cols = is_b ? 1 : t->dims[0];
    } else {
        *nbatch = t->ndim - 2;
        *rows = t->dims[t->ndim - 2];
        *cols = t->dims[t->ndim - 1];
    }
}

static mote_status infer_matmul(mote_op_ctx *c)
{
    mote_status st;
    if ((st = mote_expect_dtype(c, 0, MOTE_F32)) || (st = mote_expect_dtype(c, 1, MOTE_F32)))
        return st;
    const mote_tensor *a = c->in[0], *b = c->in[1];
    if (a->ndim < 1 || b->ndim < 1)
        return mote_op_error(c, MOTE_ERR_SHAPE, "inputs must have rank >= 1 (A has %d, B has %d)",
                             a->ndim, b->ndim);
    int na, nb;
    int64_t M, K, K2, N;
    as_matrix(a, 0, &na, &M, &K);
    as_matrix(b, 1, &nb, &K2, &N);
    if (K != K2)
        return mote_op_error(c, MOTE_ERR_SHAPE, "input B has %lld rows, A has %lld columns",
                             (long long)K2, (long long)K);
    /* broadcast the batch dims (right-aligned) */
    int nbatch = na > nb ? na : nb;
    int64_t dims[MOTE_MAX_DIMS];
    for (int i = 0; i < nbatch; i++) {
        int ia = i - (nbatch - na), ib = i - (nbatch - nb);
        int64_t da = ia >= 0 ? a->dims[ia] : 1, db = ib >= 0 ? b->dims[ib] : 1;
        if (da != db && da != 1 && db != 1)
            return mote_op_error(c, MOTE_ERR_SHAPE,
                                 "batch dims do not broadcast: A has %lld, B has %lld at batch axis %d",
                                 (long long)da, (long long)db, i);
        dims[i] = da == 1 ? db : da;
    }
    int nd = nbatch;
    if (a->ndim > 1) dims[nd++] = M;
    if (b->ndim > 1) dims[nd++] = N;
    mote_set_out(c, 0, MOTE_F32, nd, dims);
    return MOTE_OK;
}

static mote_status prepare_matmul(mote_op_ctx *c)
{
    const mote_tensor *a = c->in[0], *b = c->in[1];
    matmul_params *p = mote_ctx_alloc(c, sizeof *p);
    if (!p)
        return MOTE_ERR_NOMEM;
    int na, nb;
    int64_t K2;
    as_matrix(a, 0, &na, &p->M, &p->K);
    as_matrix(b, 1, &nb, &K2, &p->N);
    mote_act act;
    mote_status st = mote_op_fused_act(c, &act);
    if (st)
        return st;

    int64_t b_batch = mote_dims_prod(b->dims, nb);
    const float *B_const = NULL;
    if (b_batch == 1) {
        /* fold A's batch into M: A is (batch*M, K) row-major */
        p->M *= mote_dims_prod(a->dims, na);
        p->batch = 1;
        B_const = b->data;   /* NULL unless a weight */
    } else {
        int nbatch = na > nb ? na : nb;
        const int64_t *od = c->out[0]->dims;
        p->batch = mote_dims_prod(od, nbatch);
        size_t nb_alloc = (size_t)(p->batch > 0 ? p->batch : 1) * sizeof(int64_t);
        p->a_off = mote_ctx_alloc(c, nb_alloc);
        p->b_off = mote_ctx_alloc(c, nb_alloc);
        if (!p->a_off || !p->b_off)
            return MOTE_ERR_NOMEM;
        for (int64_t i = 0; i < p->batch; i++) {
            /* unravel i over the output batch dims; each operand's offset
             * uses index 0 on its broadcast (size-1 or missing) dims */
            int64_t rem = i, oa = 0, ob = 0, sa = p->M * p->K, sb = p->K * p->N;
            for (int d = nbatch - 1; d >= 0; d--) {
                int64_t idx = rem % od[d];
                rem /= od[d];
                int ia = d - (nbatch - na), ib = d - (nbatch - nb);
                if (ia >= 0) {
                    if (a->dims[ia] != 1) oa += idx * sa;
                    sa *= a->dims[ia];
                }
                if (ib >= 0) {
                    if (b->dims[ib] != 1) ob += idx * sb;
                    sb *= b->dims[ib];
                }
            }
            p->a_off[i] = oa;
            p->b_off[i] = ob;
        }
    }
    if (p->batch == 1 && !p->a_off) {
        p->a_off = mote_ctx_alloc(c, sizeof(int64_t));
        p->b_off = mote_ctx_alloc(c, sizeof(int64_t));
        if (!p->a_off || !p->b_off)
            return MOTE_ERR_NOMEM;
    }
    size_t scratch = 0;
    st = mote_gemm_plan_init(c, &p->plan, p->M, p->N, p->K, 0, 0, B_const, p->N,
                             NULL, 0, act, &scratch);
    if (st)
        return st;
    c->params = p;
    c->run = run_matmul;
    c->scratch_bytes = scratch;
    return MOTE_OK;
}

const mote_op mote_op_MatMul = {"MatMul", 2, 2, 1, 1, 0, infer_matmul, prepare_matmul, NULL};
