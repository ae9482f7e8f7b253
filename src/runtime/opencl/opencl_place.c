/*
 * opencl_place.c — running a session's nodes on an OpenCL device.
 *
 * mote_cl_session_place runs after the session's plan (session.c): it
 * opens the device, decides per step whether the device has a kernel for
 * the node (op, dtypes, shapes and attributes it understands; anything
 * else stays on the CPU), then walks the steps once to know where each
 * value's current copy lives and inserts the transfers that placement
 * needs: an upload before a device step whose input was last written on
 * the CPU, a download before a CPU step (or at the end, for outputs) whose
 * input was last written on the device. A chain of device nodes therefore
 * keeps its data on the device. Reshape-like steps (MOTE_OP_ALIAS) move
 * nothing: their output is their input's bytes on either side.
 *
 * Memory: one device buffer mirrors the session's arena with the same
 * offsets (the liveness plan holds on the device too), and one holds the
 * weights that device steps read, uploaded once when the session is made.
 * mote_cl_session_run then enqueues kernels and transfers only: nothing is
 * allocated on the host or the device.
 *
 * Not here: the kernels' arguments (opencl_kernels.c), the CPU steps.
 */
#include <stdlib.h>
#include <string.h>
#include "opencl_internal.h"
#include "opencl_session.h"
#include "ops/op_util.h"

typedef enum dev_kind {
    DK_CPU = 0, DK_ALIAS, DK_GEMM, DK_CONV, DK_POOL, DK_GPOOL, DK_UNARY, DK_BINARY, DK_SOFTMAX, DK_RMSNORM
} dev_kind;

typedef struct dev_step {
    dev_kind kind;
    int up0, n_up;                /* xfer[up0 ..] uploads before the step      */
    int down0, n_down;            /* xfer[down0 ..] downloads before the step  */
    int64_t batch;                /* images (conv), 1 otherwise               */
    int64_t x_stride, y_stride;   /* floats between images                     */
    mote_cl_gemm_args gemm;
    mote_conv2d_args conv;        /* shape only                                */
    mote_pool2d_args pool;        /* shape only                                */
    bool is_max;
    int64_t rows, n;              /* softmax rows, row length; unary/gpool n   */
    int log;
    int op;                       /* mote_unary_op / mote_binary_op            */
    float alpha, beta;            /* unary parameters; RMS norm: alpha = eps   */
    int ndim;
    int64_t dims[8], astr[8], bstr[8];
    mote_cl_mem x, w, b, y;       /* operands (x, w: binary a and b)           */
} dev_step;

struct mote_cl_session {
    mote_cl *cl;
    cl_mem arena;                 /* mirrors the host arena, same offsets      */
    cl_mem weights;               /* the weights device steps read             */
    dev_step *steps;              /* one per session step                      */
    int *xfer;                    /* value ids of the transfers                */
    int n_xfer, final0, n_final;  /* downloads after the last step             */
    int n_device;                 /* steps that run on the device              */
    size_t up_bytes, down_bytes;  /* transferred per run                       */
    size_t weight_bytes;
    int64_t *w_off;               /* per value: offset in weights, or -1       */
};

/* ----------------------------------------------------------- addresses */

static bool in_arena(const mote_session *s, const void *p)
{
    return p && s->arena && (const uint8_t *)p >= s->arena && (const uint8_t *)p < s->arena + s->arena_bytes;
}

/* The device copy of value v. */
static mote_cl_mem dev_mem(const mote_session *s, int v)
{
    const mote_cl_session *d = s->dev;
    if (d->w_off[v] >= 0) return (mote_cl_mem){d->weights, d->w_off[v]};
    return (mote_cl_mem){d->arena, (int64_t)(((const uint8_t *)s->vals[v].data - s->arena) / sizeof(float))};
}

static bool is_f32(const mote_tensor *t) { return t && t->dtype == MOTE_F32; }

/* Every attribute of n is in the NULL-terminated list (else the device
 * would not know what the node asks for: it stays on the CPU). */
static bool attrs_known(const mote_node *n, const char *const *known)
{
    for (int i = 0; i < n->n_attr; i++) {
        bool ok = false;
        for (int j = 0; known[j] && !ok; j++) ok = strcmp(n->attrs[i].name, known[j]) == 0;
        if (!ok) return false;
    }
    return true;
}

/* An op context for a step, so that op_util's helpers read its attributes. */
static void step_ctx(const mote_session *s, const mote_step *st, mote_op_ctx *c)
{
    memset(c, 0, sizeof *c);
    c->g = s->g;
    c->node = st->node;
    c->n_in = st->n_in;
    c->n_out = st->n_out;
    c->in = st->in;
    c->out = st->out;
    c->k = s->k;
    c->threads = 1;
}

/* ------------------------------------------------------------ placing */

static bool place_gemm(const mote_session *s, const mote_step *st, dev_step *d)
{
    static const char *const known[] = {"transA", "transB", "alpha", "beta", "_act", "_act_alpha",
                                        "_act_beta", NULL};
    const mote_node *n = st->node;
    const mote_tensor *A = st->in[0], *B = st->in[1], *C = st->n_in > 2 ? st->in[2] : NULL;
    if (!attrs_known(n, known) || !is_f32(A) || !is_f32(B) || A->ndim != 2 || B->ndim != 2) return false;
    float alpha = mote_attr_get_float(n, "alpha", 1.0f), beta = mote_attr_get_float(n, "beta", 1.0f);
    int ta = mote_attr_get_int(n, "transA", 0) != 0, tb = mote_attr_get_int(n, "transB", 0) != 0;
    mote_cl_gemm_args *g = &d->gemm;
    memset(g, 0, sizeof *g);
    g->M = ta ? A->dims[1] : A->dims[0];
    g->K = ta ? A->dims[0] : A->dims[1];
    g->N = tb ? B->dims[0] : B->dims[1];
    g->lda = A->dims[1];
    g->ldb = B->dims[1];
    g->ldc = g->N;
    g->trans_a = ta;
    g->trans_b = tb;
    g->alpha = alpha;
    /* C as a bias per column: (N) or (1, N), scaled by beta = 1 */
    if (C && beta != 0.0f) {
        bool row = is_f32(C) && beta == 1.0f &&
                   ((C->ndim == 1 && C->dims[0] == g->N) || (C->ndim == 2 && C->dims[0] == 1 && C->dims[1] == g->N));
        if (!row) return false;
    }
    mote_op_ctx c;
    step_ctx(s, st, &c);
    if (mote_op_fused_act(&c, &g->act) != MOTE_OK) return false;
    d->kind = DK_GEMM;
    return true;
}

static bool place_matmul(const mote_session *s, const mote_step *st, dev_step *d)
{
    const mote_tensor *A = st->in[0], *B = st->in[1];
    if (st->node->n_attr || !is_f32(A) || !is_f32(B) || A->ndim < 2 || B->ndim != 2) return false;
    mote_cl_gemm_args *g = &d->gemm;
    memset(g, 0, sizeof *g);
    g->K = A->dims[A->ndim - 1];
    g->M = mote_tensor_numel(A) / (g->K ? g->K : 1);
    g->N = B->dims[1];
    if (B->dims[0] != g->K) return false;
    g->lda = g->K;
    g->ldb = g->N;
    g->ldc = g->N;
    g->alpha = 1.0f;
    d->kind = DK_GEMM;
    (void)s;
    return true;
}

static bool place_conv(const mote_session *s, const mote_step *st, dev_step *d)
{
    static const char *const known[] = {"auto_pad", "dilations", "group", "kernel_shape", "pads",
                                        "strides", "_act", "_act_alpha", "_act_beta", "_conv_algo", NULL};
    const mote_tensor *x = st->in[0], *w = st->in[1];
    if (!attrs_known(st->node, known) || !is_f32(x) || !is_f32(w) || x->ndim != 4 || w->ndim != 4) return false;
    mote_op_ctx c;
    step_ctx(s, st, &c);
    mote_window win;
    if (mote_op_window(&c, 2, x->dims + 2, w->dims + 2, 0, &win) != MOTE_OK) return false;
    mote_conv2d_args *a = &d->conv;
    memset(a, 0, sizeof *a);
    a->C = x->dims[1]; a->H = x->dims[2]; a->W = x->dims[3];
    a->OC = w->dims[0]; a->OH = win.OH; a->OW = win.OW;
    a->KH = win.KH; a->KW = win.KW; a->sh = win.sh; a->sw = win.sw;
    a->ph = win.pt; a->pw = win.pl; a->dh = win.dh; a->dw = win.dw;
    a->groups = mote_attr_get_int(st->node, "group", 1);
    if (mote_op_fused_act(&c, &a->act) != MOTE_OK) return false;
    d->batch = x->dims[0];
    d->x_stride = a->C * a->H * a->W;
    d->y_stride = a->OC * a->OH * a->OW;
    d->kind = DK_CONV;
    return true;
}

static bool place_pool(const mote_session *s, const mote_step *st, dev_step *d, bool is_max)
{
    static const char *const known[] = {"auto_pad", "ceil_mode", "count_include_pad", "dilations",
                                        "kernel_shape", "pads", "strides", NULL};
    const mote_tensor *x = st->in[0];
    if (!attrs_known(st->node, known) || !is_f32(x) || x->ndim != 4 || (st->n_out > 1 && st->out[1]))
        return false;
    const int64_t *ks;
    if (mote_attr_get_ints(st->node, "kernel_shape", &ks) != 2) return false;
    mote_op_ctx c;
    step_ctx(s, st, &c);
    mote_window win;
    int ceil_mode = mote_attr_get_int(st->node, "ceil_mode", 0) != 0;
    if (mote_op_window(&c, 2, x->dims + 2, ks, ceil_mode, &win) != MOTE_OK) return false;
    mote_pool2d_args *a = &d->pool;
    memset(a, 0, sizeof *a);
    a->C = x->dims[0] * x->dims[1]; a->H = x->dims[2]; a->W = x->dims[3];
    a->OH = win.OH; a->OW = win.OW; a->KH = win.KH; a->KW = win.KW;
    a->sh = win.sh; a->sw = win.sw; a->ph = win.pt; a->pw = win.pl;
    a->ph_end = win.pb; a->pw_end = win.pr; a->dh = win.dh; a->dw = win.dw;
    a->count_include_pad = !is_max && mote_attr_get_int(st->node, "count_include_pad", 0) != 0;
    d->is_max = is_max;
    d->kind = DK_POOL;
    return true;
}

static bool place_gpool(const mote_step *st, dev_step *d, bool is_max)
{
    const mote_tensor *x = st->in[0];
    if (st->node->n_attr || !is_f32(x) || x->ndim < 3) return false;
    d->rows = x->dims[0] * x->dims[1];
    d->n = mote_tensor_numel(x) / (d->rows ? d->rows : 1);
    d->is_max = is_max;
    d->kind = DK_GPOOL;
    return true;
}

static bool place_unary(const mote_step *st, dev_step *d, mote_unary_op op)
{
    static const char *const known[] = {"alpha", NULL};
    if (!attrs_known(st->node, known) || !is_f32(st->in[0]) || !is_f32(st->out[0])) return false;
    if (op != MOTE_UN_LEAKY_RELU && st->node->n_attr) return false;
    d->op = (int)op;
    d->alpha = op == MOTE_UN_LEAKY_RELU ? mote_attr_get_float(st->node, "alpha", 0.01f) : 0.0f;
    d->n = mote_tensor_numel(st->out[0]);
    d->kind = DK_UNARY;
    return true;
}

/* numpy strides of t broadcast to the output's ndim dims */
static void bcast_strides(const mote_tensor *t, int ndim, const int64_t *out, int64_t *str)
{
    int64_t s = 1;
    for (int i = ndim - 1; i >= 0; i--) {
        int ti = i - (ndim - t->ndim);
        int64_t dim = ti >= 0 ? t->dims[ti] : 1;
        str[i] = dim == 1 && out[i] != 1 ? 0 : s;
        s *= dim;
    }
}

static bool place_binary(const mote_step *st, dev_step *d, mote_binary_op op)
{
    const mote_tensor *a = st->in[0], *b = st->in[1], *y = st->out[0];
    if (st->node->n_attr || st->n_in != 2 || !is_f32(a) || !is_f32(b) || !is_f32(y) || y->ndim > 8)
        return false;
    d->ndim = y->ndim;
    for (int i = 0; i < y->ndim; i++) d->dims[i] = y->dims[i];
    bcast_strides(a, y->ndim, y->dims, d->astr);
    bcast_strides(b, y->ndim, y->dims, d->bstr);
    d->op = (int)op;
    d->kind = DK_BINARY;
    return true;
}

static bool place_softmax(const mote_step *st, dev_step *d, int log)
{
    static const char *const known[] = {"axis", "_legacy_axis", NULL};
    const mote_tensor *x = st->in[0];
    if (!attrs_known(st->node, known) || !is_f32(x) || x->ndim < 1) return false;
    int legacy = mote_attr_get_int(st->node, "_legacy_axis", 0) != 0;
    int64_t axis = mote_attr_get_int(st->node, "axis", legacy ? 1 : -1);
    int r = x->ndim;
    int ax = axis < 0 ? (int)(axis + r) : (int)axis;
    if (ax < 0 || ax >= r) return false;
    if (!legacy && ax != r - 1) return false;   /* rows must be contiguous */
    d->n = 1;
    for (int i = ax; i < r; i++) d->n *= x->dims[i];
    d->rows = mote_tensor_numel(x) / (d->n ? d->n : 1);
    d->log = log;
    d->kind = DK_SOFTMAX;
    return true;
}

/* LlmLinear with f32 weights, no residual, every row: Y = X W^T */
static bool place_llm_linear(const mote_step *st, dev_step *d)
{
    static const char *const known[] = {"weight_type", "in_features", "last_row", NULL};
    const mote_node *n = st->node;
    const mote_tensor *X = st->in[0], *Wt = st->in[1];
    if (!attrs_known(n, known) || strcmp(mote_attr_get_string(n, "weight_type", "f32"), "f32") != 0 ||
        mote_attr_get_int(n, "last_row", 0) || (st->n_in > 2 && st->in[2]) || !is_f32(X) || !is_f32(Wt) ||
        Wt->ndim != 2)
        return false;
    mote_cl_gemm_args *g = &d->gemm;
    memset(g, 0, sizeof *g);
    g->K = Wt->dims[1];
    g->N = Wt->dims[0];
    g->M = g->K ? mote_tensor_numel(X) / g->K : 0;
    g->lda = g->K;
    g->ldb = g->K;
    g->trans_b = 1;
    g->ldc = g->N;
    g->alpha = 1.0f;
    d->kind = DK_GEMM;
    return true;
}

/* RMSNormalization over the trailing axes from `axis`, scale of n values */
static bool place_rmsnorm(const mote_step *st, dev_step *d)
{
    static const char *const known[] = {"axis", "epsilon", "stash_type", NULL};
    const mote_node *n = st->node;
    const mote_tensor *x = st->in[0], *g = st->in[1];
    if (!attrs_known(n, known) || !is_f32(x) || !is_f32(g) || mote_attr_get_int(n, "stash_type", 1) != 1)
        return false;
    int axis = mote_norm_axis(mote_attr_get_int(n, "axis", -1), x->ndim);
    if (axis < 0) return false;
    d->n = 1;
    for (int i = axis; i < x->ndim; i++) d->n *= x->dims[i];
    if (mote_tensor_numel(g) != d->n) return false;
    d->rows = mote_tensor_numel(x) / (d->n ? d->n : 1);
    d->alpha = mote_attr_get_float(n, "epsilon", 1e-5f);
    d->kind = DK_RMSNORM;
    return true;
}

/* The device's kernel for step st, if it has one. */
static bool place_step(const mote_session *s, const mote_step *st, const mote_op *op, dev_step *d)
{
    const char *name = st->node->op;
    for (int i = 0; i < st->n_out; i++)
        if (!st->out[i] || mote_tensor_numel(st->out[i]) <= 0) return false;
    if (op->flags & MOTE_OP_ALIAS) {
        /* a pure reshape moves nothing; one with more outputs (Dropout's
         * mask) computes them on the CPU */
        if (st->n_out != 1) return false;
        d->kind = DK_ALIAS;
        return true;
    }
    static const struct { const char *name; mote_unary_op op; } unary[] = {
        {"Relu", MOTE_UN_RELU}, {"Sigmoid", MOTE_UN_SIGMOID}, {"Tanh", MOTE_UN_TANH},
        {"Exp", MOTE_UN_EXP}, {"Sqrt", MOTE_UN_SQRT}, {"Neg", MOTE_UN_NEG}, {"Abs", MOTE_UN_ABS},
        {"Reciprocal", MOTE_UN_RECIPROCAL}, {"Log", MOTE_UN_LOG}, {"Erf", MOTE_UN_ERF},
        {"Floor", MOTE_UN_FLOOR}, {"Ceil", MOTE_UN_CEIL}, {"Softplus", MOTE_UN_SOFTPLUS},
        {"HardSwish", MOTE_UN_HARD_SWISH}, {"LeakyRelu", MOTE_UN_LEAKY_RELU},
    };
    for (size_t i = 0; i < sizeof unary / sizeof *unary; i++)
        if (strcmp(name, unary[i].name) == 0) return place_unary(st, d, unary[i].op);
    static const struct { const char *name; mote_binary_op op; } binary[] = {
        {"Add", MOTE_BIN_ADD}, {"Sub", MOTE_BIN_SUB}, {"Mul", MOTE_BIN_MUL}, {"Div", MOTE_BIN_DIV},
    };
    for (size_t i = 0; i < sizeof binary / sizeof *binary; i++)
        if (strcmp(name, binary[i].name) == 0) return place_binary(st, d, binary[i].op);
    if (strcmp(name, "Gemm") == 0) return place_gemm(s, st, d);
    if (strcmp(name, "MatMul") == 0) return place_matmul(s, st, d);
    if (strcmp(name, "Conv") == 0) return place_conv(s, st, d);
    if (strcmp(name, "MaxPool") == 0) return place_pool(s, st, d, true);
    if (strcmp(name, "AveragePool") == 0) return place_pool(s, st, d, false);
    if (strcmp(name, "GlobalAveragePool") == 0) return place_gpool(st, d, false);
    if (strcmp(name, "GlobalMaxPool") == 0) return place_gpool(st, d, true);
    if (strcmp(name, "Softmax") == 0) return place_softmax(st, d, 0);
    if (strcmp(name, "LogSoftmax") == 0) return place_softmax(st, d, 1);
    if (strcmp(name, "LlmLinear") == 0) return place_llm_linear(st, d);
    if (strcmp(name, "RMSNormalization") == 0) return place_rmsnorm(st, d);
    return false;
}

/* Operand addresses, once the buffers exist. */
static void bind(const mote_session *s, const mote_step *st, dev_step *d)
{
    const mote_node *n = st->node;
    mote_cl_mem none = {NULL, 0};
    mote_cl_mem in0 = dev_mem(s, n->in[0]), out = dev_mem(s, n->out[0]);
    d->x = in0;
    d->y = out;
    switch (d->kind) {
    case DK_GEMM:
        d->gemm.A = in0;
        d->gemm.B = dev_mem(s, n->in[1]);
        d->gemm.C = out;
        d->gemm.bias = n->n_in > 2 && n->in[2] >= 0 && mote_attr_get_float(n, "beta", 1.0f) != 0.0f
                       ? dev_mem(s, n->in[2]) : none;
        break;
    case DK_CONV:
        d->w = dev_mem(s, n->in[1]);
        d->b = n->n_in > 2 && n->in[2] >= 0 ? dev_mem(s, n->in[2]) : none;
        break;
    case DK_BINARY:
    case DK_RMSNORM:
        d->w = dev_mem(s, n->in[1]);
        break;
    default:
        break;
    }
}

/* ------------------------------------------------------------ running */

static mote_status run_device_step(mote_cl *cl, dev_step *d)
{
    switch (d->kind) {
    case DK_GEMM:
        return mote_cl_gemm(cl, &d->gemm);
    case DK_CONV:
        for (int64_t i = 0; i < d->batch; i++) {
            mote_cl_mem x = {d->x.mem, d->x.off + i * d->x_stride}, y = {d->y.mem, d->y.off + i * d->y_stride};
            mote_status st = mote_cl_conv2d(cl, &d->conv, x, d->w, d->b, y);
            if (st != MOTE_OK) return st;
        }
        return MOTE_OK;
    case DK_POOL:
        return mote_cl_pool2d(cl, d->is_max, &d->pool, d->x, d->y);
    case DK_GPOOL:
        return mote_cl_global_pool(cl, d->is_max, d->rows, d->n, d->x, d->y);
    case DK_UNARY:
        return mote_cl_unary(cl, (mote_unary_op)d->op, d->n, d->x, d->y, d->alpha, 0.0f);
    case DK_BINARY:
        return mote_cl_binary(cl, (mote_binary_op)d->op, d->ndim, d->dims, d->x, d->astr, d->w,
                              d->bstr, d->y);
    case DK_SOFTMAX:
        return mote_cl_softmax(cl, d->rows, d->n, d->x, d->y, d->log);
    case DK_RMSNORM:
        return mote_cl_rmsnorm(cl, d->rows, d->n, d->x, d->w, d->alpha, d->y);
    default:
        return MOTE_OK;
    }
}

static mote_status upload(const mote_session *s, int v)
{
    return mote_cl_write(s->dev->cl, dev_mem(s, v), s->vals[v].data, mote_tensor_nbytes(&s->vals[v]));
}

static mote_status download(const mote_session *s, int v)
{
    return mote_cl_read(s->dev->cl, dev_mem(s, v), s->vals[v].data, mote_tensor_nbytes(&s->vals[v]));
}

mote_status mote_cl_session_run(mote_session *s, const mote_step_hooks *h)
{
    mote_cl_session *d = s->dev;
    mote_status st = MOTE_OK;
    for (int t = 0; t < s->n_steps && st == MOTE_OK; t++) {
        dev_step *ds = &d->steps[t];
        for (int i = 0; i < ds->n_up && st == MOTE_OK; i++) st = upload(s, d->xfer[ds->up0 + i]);
        for (int i = 0; i < ds->n_down && st == MOTE_OK; i++) st = download(s, d->xfer[ds->down0 + i]);
        if (st != MOTE_OK) break;
        if (h && h->before) h->before(h->ctx, s, t);
        if (ds->kind == DK_CPU) {
            s->steps[t].run(&s->steps[t]);
        } else if (ds->kind != DK_ALIAS) {
            st = run_device_step(d->cl, ds);
            /* the instruments read outputs on the host after each step */
            if (h && st == MOTE_OK) {
                const mote_node *n = s->steps[t].node;
                for (int j = 0; j < n->n_out && st == MOTE_OK; j++)
                    if (n->out[j] >= 0) st = download(s, n->out[j]);
            }
        }
        if (h && h->after && st == MOTE_OK) h->after(h->ctx, s, t);
    }
    for (int i = 0; i < d->n_final && st == MOTE_OK; i++) st = download(s, d->xfer[d->final0 + i]);
    if (st == MOTE_OK) st = mote_cl_finish(d->cl);
    if (st != MOTE_OK) return mote_error_wrap(st, "running on the OpenCL device");
    return MOTE_OK;
}

/* ------------------------------------------------------------ the pass */

void mote_cl_session_free(mote_cl_session *d)
{
    if (!d) return;
    mote_cl_release(d->arena);
    mote_cl_release(d->weights);
    mote_cl_close(d->cl);
    free(d->steps);
    free(d->xfer);
    free(d->w_off);
    free(d);
}

/* Where the current copy of each value lives, step by step; records the
 * transfers (value ids into xfer) that placement needs. */
static void plan_transfers(mote_session *s, bool *host, bool *dev, int *xfer)
{
    mote_cl_session *d = s->dev;
    const mote_graph *g = s->g;
    int nx = 0;
    for (int v = 0; v < g->n_values; v++) {
        host[v] = true;     /* inputs and weights start on the host */
        dev[v] = d->w_off[v] >= 0;
    }
    for (int t = 0; t < s->n_steps; t++) {
        dev_step *ds = &d->steps[t];
        const mote_node *n = s->steps[t].node;
        if (ds->kind == DK_ALIAS) {
            host[n->out[0]] = host[n->in[0]];
            dev[n->out[0]] = dev[n->in[0]];
            continue;
        }
        bool on_dev = ds->kind != DK_CPU;
        ds->up0 = nx;
        for (int i = 0; on_dev && i < n->n_in; i++) {
            int v = n->in[i];
            if (v < 0 || dev[v]) continue;
            xfer[nx++] = v;
            dev[v] = true;
            d->up_bytes += mote_tensor_nbytes(&s->vals[v]);
        }
        ds->n_up = nx - ds->up0;
        ds->down0 = nx;
        for (int i = 0; !on_dev && i < n->n_in; i++) {
            int v = n->in[i];
            if (v < 0 || host[v]) continue;
            xfer[nx++] = v;
            host[v] = true;
            d->down_bytes += mote_tensor_nbytes(&s->vals[v]);
        }
        ds->n_down = nx - ds->down0;
        for (int j = 0; j < n->n_out; j++)
            if (n->out[j] >= 0) {
                host[n->out[j]] = !on_dev;
                dev[n->out[j]] = on_dev;
            }
    }
    d->final0 = nx;
    for (int i = 0; i < g->n_outputs; i++) {
        int v = g->outputs[i];
        if (host[v]) continue;
        bool seen = false;
        for (int j = d->final0; j < nx; j++) seen |= xfer[j] == v;
        if (seen) continue;
        xfer[nx++] = v;
        host[v] = true;
        d->down_bytes += mote_tensor_nbytes(&s->vals[v]);
    }
    d->n_final = nx - d->final0;
    d->n_xfer = nx;
}

mote_status mote_cl_session_place(mote_session *s, int platform, int device)
{
    const mote_graph *g = s->g;
    mote_cl_session *d = calloc(1, sizeof *d);
    if (!d) return mote_error(MOTE_ERR_NOMEM, "out of memory");
    s->dev = d;
    mote_status st = mote_cl_open(platform, device, &d->cl);
    if (st != MOTE_OK) return st;
    int nv = g->n_values, ns = s->n_steps;
    d->steps = calloc((size_t)ns + 1, sizeof *d->steps);
    d->w_off = malloc(sizeof(int64_t) * ((size_t)nv + 1));
    size_t n_io = 0;
    for (int t = 0; t < ns; t++) n_io += (size_t)(s->steps[t].n_in + s->steps[t].n_out);
    d->xfer = malloc(sizeof(int) * (n_io + (size_t)g->n_outputs + 1));
    bool *host = malloc((size_t)nv + 1), *dev = malloc((size_t)nv + 1);
    if (!d->steps || !d->w_off || !d->xfer || !host || !dev) {
        free(host);
        free(dev);
        return mote_error(MOTE_ERR_NOMEM, "out of memory");
    }
    /* 1. which steps the device runs */
    for (int t = 0; t < ns; t++) {
        const mote_step *stp = &s->steps[t];
        bool inputs_ok = true;
        for (int i = 0; i < stp->n_in; i++)
            if (stp->in[i] && !in_arena(s, stp->in[i]->data) && g->values[stp->node->in[i]].kind != MOTE_VAL_WEIGHT)
                inputs_ok = false;   /* e.g. state an op keeps in its own memory */
        for (int i = 0; i < stp->n_out; i++)
            if (stp->out[i] && !in_arena(s, stp->out[i]->data)) inputs_ok = false;
        if (!inputs_ok || !place_step(s, stp, s->step_op[t], &d->steps[t])) d->steps[t].kind = DK_CPU;
        if (d->steps[t].kind != DK_CPU && d->steps[t].kind != DK_ALIAS) d->n_device++;
    }
    /* 2. the weights device steps read: one buffer, 64-byte aligned slots */
    for (int v = 0; v < nv; v++) d->w_off[v] = -1;
    size_t wfloats = 0;
    for (int t = 0; t < ns; t++) {
        if (d->steps[t].kind == DK_CPU || d->steps[t].kind == DK_ALIAS) continue;
        const mote_node *n = s->steps[t].node;
        for (int i = 0; i < n->n_in; i++) {
            int v = n->in[i];
            if (v < 0 || d->w_off[v] >= 0 || in_arena(s, s->vals[v].data)) continue;
            d->w_off[v] = (int64_t)wfloats;
            wfloats += (mote_tensor_nbytes(&s->vals[v]) / sizeof(float) + 15) / 16 * 16;
        }
    }
    d->weight_bytes = wfloats * sizeof(float);
    if ((st = mote_cl_alloc(d->cl, d->weight_bytes, &d->weights)) != MOTE_OK) goto done;
    if ((st = mote_cl_alloc(d->cl, s->arena_bytes, &d->arena)) != MOTE_OK) goto done;
    for (int v = 0; v < nv && st == MOTE_OK; v++)
        if (d->w_off[v] >= 0) st = upload(s, v);
    if (st != MOTE_OK) goto done;
    /* 3. operands and transfers */
    for (int t = 0; t < ns; t++)
        if (d->steps[t].kind != DK_CPU && d->steps[t].kind != DK_ALIAS) bind(s, &s->steps[t], &d->steps[t]);
    plan_transfers(s, host, dev, d->xfer);
done:
    free(host);
    free(dev);
    return st;
}

const char *mote_cl_session_step_device(const mote_session *s, int t)
{
    if (!s->dev || t < 0 || t >= s->n_steps) return "cpu";
    dev_kind k = s->dev->steps[t].kind;
    return k == DK_CPU ? "cpu" : k == DK_ALIAS ? "alias" : "opencl";
}

void mote_cl_session_stats(const mote_session *s, int *n_device, size_t *up_bytes, size_t *down_bytes,
                           size_t *weight_bytes, const char **device_name)
{
    const mote_cl_session *d = s->dev;
    *n_device = d ? d->n_device : 0;
    *up_bytes = d ? d->up_bytes : 0;
    *down_bytes = d ? d->down_bytes : 0;
    *weight_bytes = d ? d->weight_bytes : 0;
    *device_name = d ? mote_cl_describe(d->cl)->name : "cpu";
}
