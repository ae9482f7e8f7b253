/*
 * rnn.c — the recurrent ops LSTM (opset 7/14) and GRU (opset 7/14),
 * f32: direction forward, reverse or bidirectional, layout 0 or 1,
 * sequence_lens, initial states, peepholes (LSTM), clip,
 * linear_before_reset (GRU). Default activations only (LSTM: Sigmoid,
 * Tanh, Tanh; GRU: Sigmoid, Tanh); other activations and LSTM's
 * input_forget are refused. The equations are at the kernels
 * (kernels/rnn_ref.c).
 *
 * Shapes (layout 0; layout 1 swaps the batch to the front):
 *   X (T, B, I), W (D, G H, I), R (D, G H, H), B (D, 2 G H),
 *   sequence_lens (B), initial_h / initial_c (D, B, H), P (D, 3H)
 *   Y (T, D, B, H), Y_h / Y_c (D, B, H)          G = 4 (LSTM), 3 (GRU)
 * Batch rows are independent: (direction, batch row) pairs are split over
 * the pool. sequence_lens may be an activation: it is read at run time
 * and clamped to [0, T]; steps past a row's length give zeros in Y.
 */
#include <string.h>
#include "graph/internal.h"
#include "op_util.h"

typedef struct rnn_params {
    int gru;
    int D, layout;
    int64_t T, B, I, H, G;
    float clip;
    int lbr;                   /* GRU linear_before_reset                  */
    int n_out;
    size_t lens_off, yh_off, yc_off, tmp_off, tmp_per_thread; /* scratch layout (bytes) */
    void (*matvec)(int64_t K, const float *W, int64_t n0, int64_t n1, const float *x, float *y);
} rnn_params;

typedef struct rnn_job {
    const rnn_params *p;
    const mote_step *s;
    const int64_t *lens;       /* (B) or NULL                             */
    float *yh, *yc;            /* (D, B, H) / (B, D, H) by layout         */
} rnn_job;

static const float *opt_in(const mote_step *s, int i)
{
    return i < s->n_in && s->in[i] ? s->in[i]->data : NULL;
}

static void rnn_chunk(void *ctx, int64_t b, int64_t e, int thread)
{
    const rnn_job *j = ctx;
    const rnn_params *p = j->p;
    const mote_step *s = j->s;
    float *tmp = (float *)((char *)s->scratch + p->tmp_off + (size_t)thread * p->tmp_per_thread);
    int64_t T = p->T, B = p->B, H = p->H, I = p->I, GH = p->G * H, D = p->D < 0 ? 1 : p->D;
    for (int64_t q = b; q < e; q++) {   /* q = dir * B + batch row */
        int64_t d = q / B, row = q % B;
        mote_rnn_args a;
        memset(&a, 0, sizeof a);
        a.T = T; a.H = H; a.I = I;
        a.x = s->in[0]->data;
        a.xs_t = p->layout ? I : B * I;
        a.xs_b = p->layout ? T * I : I;
        a.w = (const float *)s->in[1]->data + d * GH * I;
        a.r = (const float *)s->in[2]->data + d * GH * H;
        const float *bias = opt_in(s, 3);
        if (bias) {
            a.wb = bias + d * 2 * GH;
            a.rb = a.wb + GH;
        }
        if (!p->gru && opt_in(s, 7))
            a.p = opt_in(s, 7) + d * 3 * H;
        a.lens = j->lens;
        /* Y and the states: offsets of direction d */
        float *y = s->out[0]->data;
        size_t hd = p->layout ? (size_t)(d * H) : (size_t)(d * B * H);
        a.y = y + (p->layout ? d * H : d * B * H);
        a.ys_t = p->layout ? D * H : D * B * H;
        a.ys_b = p->layout ? T * D * H : H;
        a.ysh_b = p->layout ? D * H : H;
        a.yh = j->yh + hd;
        a.yc = j->yc ? j->yc + hd : NULL;
        if (opt_in(s, 5))
            a.h0 = opt_in(s, 5) + hd;
        if (!p->gru && opt_in(s, 6))
            a.c0 = opt_in(s, 6) + hd;
        a.reverse = d == 1 || p->D == -1;
        a.clip = p->clip;
        a.linear_before_reset = p->lbr;
        a.matvec = p->matvec;          /* the gate sums with the table's matvec */
        a.rh = tmp + 5 * H;
        if (p->gru)
            mote_gru_f32_ref(&a, tmp, row, row + 1);
        else
            mote_lstm_f32_ref(&a, tmp, row, row + 1);
    }
}

static void run_rnn(const mote_step *s)
{
    const rnn_params *p = s->params;
    char *sc = s->scratch;
    rnn_job j = {p, s, NULL, NULL, NULL};
    const mote_tensor *sl = s->n_in > 4 ? s->in[4] : NULL;
    if (sl) {
        int64_t *lens = (int64_t *)(sc + p->lens_off);
        for (int64_t b = 0; b < p->B; b++) {
            int64_t v = mote_index_at(sl, b);
            lens[b] = v < 0 ? 0 : v > p->T ? p->T : v;
        }
        j.lens = lens;
    }
    j.yh = p->n_out > 1 ? s->out[1]->data : (float *)(sc + p->yh_off);
    if (!p->gru)
        j.yc = p->n_out > 2 ? s->out[2]->data : (float *)(sc + p->yc_off);
    int64_t D = p->D < 0 ? 1 : p->D;
    mote_pool_for(s->pool, D * p->B, 1, rnn_chunk, &j);
}

/* Checks an optional f32 input's shape; present and of ndim dims d. */
static mote_status check_in(const mote_op_ctx *c, int i, const char *what, int ndim,
                            const int64_t *d)
{
    if (!mote_op_has_input(c, i))
        return MOTE_OK;
    const mote_tensor *t = c->in[i];
    int ok = t->dtype == MOTE_F32 && t->ndim == ndim;
    for (int k = 0; ok && k < ndim; k++)
        ok = t->dims[k] == d[k];
    if (!ok) {
        char want[96], got[96];
        return mote_op_error(c, MOTE_ERR_SHAPE, "input %d (%s) is %s %s, expected f32 %s", i, what,
                             mote_op_dtype_name(t->dtype), mote_op_dims_str(t->ndim, t->dims, got, sizeof got),
                             mote_op_dims_str(ndim, d, want, sizeof want));
    }
    return MOTE_OK;
}

static mote_status rnn_setup(mote_op_ctx *c, int gru, rnn_params *p)
{
    static const char *const lstm_act[] = {"Sigmoid", "Tanh", "Tanh"};
    static const char *const gru_act[] = {"Sigmoid", "Tanh"};
    mote_status st;
    memset(p, 0, sizeof *p);
    p->gru = gru;
    p->G = gru ? 3 : 4;
    for (int i = 0; i < 3; i++)
        if ((st = mote_expect_dtype(c, i, MOTE_F32)))
            return st;
    const mote_tensor *x = c->in[0], *w = c->in[1];
    const char *dir = mote_attr_get_string(c->node, "direction", "forward");
    if (!strcmp(dir, "forward")) p->D = 1;
    else if (!strcmp(dir, "reverse")) p->D = -1;   /* one direction, run backwards */
    else if (!strcmp(dir, "bidirectional")) p->D = 2;
    else
        return mote_op_error(c, MOTE_ERR_UNSUPPORTED, "direction '%s'", dir);
    int64_t D = p->D < 0 ? 1 : p->D;
    p->layout = (int)mote_attr_get_int(c->node, "layout", 0);
    if (p->layout != 0 && p->layout != 1)
        return mote_op_error(c, MOTE_ERR_SHAPE, "layout %d (0 or 1)", p->layout);
    if (!gru && mote_attr_get_int(c->node, "input_forget", 0))
        return mote_op_error(c, MOTE_ERR_UNSUPPORTED, "input_forget = 1 is not supported");
    const mote_attr *acts = mote_node_attr(c->node, "activations");
    if (acts) {
        int per = gru ? 2 : 3;
        const char *const *want = gru ? gru_act : lstm_act;
        if (acts->type != MOTE_ATTR_STRINGS || acts->n != per * D)
            return mote_op_error(c, MOTE_ERR_UNSUPPORTED, "activations must list %lld names",
                                 (long long)(per * D));
        for (int i = 0; i < acts->n; i++)
            if (strcmp(acts->strs[i], want[i % per]))
                return mote_op_error(c, MOTE_ERR_UNSUPPORTED, "activation '%s' at %d: only the "
                                     "defaults are supported", acts->strs[i], i);
    }
    p->clip = mote_node_attr(c->node, "clip") ? mote_attr_get_float(c->node, "clip", 0.0f) : 0.0f;
    p->lbr = gru && mote_attr_get_int(c->node, "linear_before_reset", 0) != 0;
    if (x->ndim != 3)
        return mote_op_error(c, MOTE_ERR_SHAPE, "X must be 3-D, it has rank %d", x->ndim);
    p->T = x->dims[p->layout ? 1 : 0];
    p->B = x->dims[p->layout ? 0 : 1];
    p->I = x->dims[2];
    if (!mote_node_attr(c->node, "hidden_size") && (w->ndim != 3 || w->dims[1] % p->G))
        return mote_op_error(c, MOTE_ERR_SHAPE, "attribute hidden_size is required");
    p->H = mote_attr_get_int(c->node, "hidden_size", w->ndim == 3 ? w->dims[1] / p->G : 0);
    if (p->H < 1)
        return mote_op_error(c, MOTE_ERR_SHAPE, "hidden_size %lld", (long long)p->H);
    int64_t GH = p->G * p->H;
    int64_t dw[3] = {D, GH, p->I}, dr[3] = {D, GH, p->H}, db[2] = {D, 2 * GH}, dp[2] = {D, 3 * p->H};
    int64_t dh[3] = {D, p->B, p->H};
    if (p->layout) { dh[0] = p->B; dh[1] = D; }
    if ((st = check_in(c, 1, "W", 3, dw)) || (st = check_in(c, 2, "R", 3, dr)) ||
        (st = check_in(c, 3, "B", 2, db)) || (st = check_in(c, 5, "initial_h", 3, dh)))
        return st;
    if (!gru && ((st = check_in(c, 6, "initial_c", 3, dh)) || (st = check_in(c, 7, "P", 2, dp))))
        return st;
    if (mote_op_has_input(c, 4)) {
        if ((st = mote_op_expect_index(c, 4, "sequence_lens")))
            return st;
        if (c->in[4]->ndim != 1 || c->in[4]->dims[0] != p->B)
            return mote_op_error(c, MOTE_ERR_SHAPE, "sequence_lens must have shape (%lld)",
                                 (long long)p->B);
    }
    p->n_out = c->n_out;
    return MOTE_OK;
}

static mote_status infer_rnn(mote_op_ctx *c, int gru)
{
    rnn_params p;
    mote_status st = rnn_setup(c, gru, &p);
    if (st)
        return st;
    int64_t D = p.D < 0 ? 1 : p.D;
    int64_t y[4] = {p.T, D, p.B, p.H}, h[3] = {D, p.B, p.H};
    if (p.layout) {
        int64_t y1[4] = {p.B, p.T, D, p.H}, h1[3] = {p.B, D, p.H};
        memcpy(y, y1, sizeof y);
        memcpy(h, h1, sizeof h);
    }
    mote_set_out(c, 0, MOTE_F32, 4, y);
    for (int i = 1; i < c->n_out; i++)
        mote_set_out(c, i, MOTE_F32, 3, h);
    return MOTE_OK;
}

static mote_status prepare_rnn(mote_op_ctx *c, int gru)
{
    rnn_params *p = mote_ctx_alloc(c, sizeof *p);
    if (!p)
        return MOTE_ERR_NOMEM;
    mote_status st = rnn_setup(c, gru, p);
    if (st)
        return st;
    int64_t D = p->D < 0 ? 1 : p->D;
    size_t state = mote_align_up(sizeof(float) * (size_t)(D * p->B * p->H), 64);
    p->lens_off = 0;
    p->yh_off = mote_align_up(sizeof(int64_t) * (size_t)p->B, 64);
    p->yc_off = p->yh_off + state;
    p->tmp_off = p->yc_off + state;
    /* the kernel's tmp (5H, 4H for GRU), then rh (G*H) */
    p->tmp_per_thread = mote_align_up(sizeof(float) * (size_t)((5 + p->G) * p->H), 64);
    p->matvec = c->k->llm.matvec_f32;
    c->scratch_bytes = p->tmp_off + p->tmp_per_thread * (size_t)(c->threads > 0 ? c->threads : 1);
    c->params = p;
    c->run = run_rnn;
    return MOTE_OK;
}

static mote_status infer_lstm(mote_op_ctx *c) { return infer_rnn(c, 0); }
static mote_status prepare_lstm(mote_op_ctx *c) { return prepare_rnn(c, 0); }
static mote_status infer_gru(mote_op_ctx *c) { return infer_rnn(c, 1); }
static mote_status prepare_gru(mote_op_ctx *c) { return prepare_rnn(c, 1); }

const mote_op mote_op_LSTM = {"LSTM", 3, 8, 1, 3, 0, infer_lstm, prepare_lstm, NULL};
const mote_op mote_op_GRU = {"GRU", 3, 6, 1, 2, 0, infer_gru, prepare_gru, NULL};
