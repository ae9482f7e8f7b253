/*
 * opencl_place_ops.c — which nodes an OpenCL device runs: for each op the
 * device has a kernel for, the checks (dtypes, shapes, attributes it
 * understands) and the device form of the step (dev_step: kind, shape,
 * parameters). A node that fails a check stays on the CPU.
 *
 * Binding operands to buffers, the launches, transfers and running are
 * opencl_place.c's.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "opencl_place.h"

/* ----------------------------------------------------------- addresses */

bool mote_cl_in_arena(const mote_session *s, const void *p)
{
    return p && s->arena && (const uint8_t *)p >= s->arena && (const uint8_t *)p < s->arena + s->arena_bytes;
}

/* The device copy of value v. */
mote_cl_mem mote_cl_dev_mem(const mote_session *s, int v)
{
    const mote_cl_session *d = s->dev;
    if (d->w_mem[v].mem) return d->w_mem[v];
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
    /* 2-D, or 1-D as 2-D with a unit height */
    if (!attrs_known(st->node, known) || !is_f32(x) || !is_f32(w) || (x->ndim != 4 && x->ndim != 3) ||
        w->ndim != x->ndim)
        return false;
    int nsp = x->ndim - 2;
    mote_op_ctx c;
    step_ctx(s, st, &c);
    mote_window win;
    if (mote_op_window(&c, nsp, x->dims + 2, w->dims + 2, 0, &win) != MOTE_OK) return false;
    mote_conv2d_args *a = &d->conv;
    memset(a, 0, sizeof *a);
    a->C = x->dims[1]; a->H = nsp == 2 ? x->dims[2] : 1; a->W = x->dims[x->ndim - 1];
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

/* A unary op with its parameters: attributes a and b (NULL: none) read
 * into alpha and beta with these defaults, as src/ops/unary.c reads them. */
typedef struct unary_kind {
    const char *name;
    mote_unary_op op;
    const char *a, *b;
    float a_def, b_def;
} unary_kind;

static bool place_unary(const mote_step *st, dev_step *d, const unary_kind *u)
{
    const char *known[3] = {u->a, u->a ? u->b : NULL, NULL};
    if (!attrs_known(st->node, known) || !is_f32(st->in[0]) || !is_f32(st->out[0])) return false;
    d->op = (int)u->op;
    d->alpha = u->a ? mote_attr_get_float(st->node, u->a, u->a_def) : 0.0f;
    d->beta = u->b ? mote_attr_get_float(st->node, u->b, u->b_def) : 0.0f;
    d->n = mote_tensor_numel(st->out[0]);
    d->kind = DK_UNARY;
    return true;
}

/* Gelu, exact or with the tanh approximation */
static bool place_gelu(const mote_step *st, dev_step *d)
{
    const char *a = mote_attr_get_string(st->node, "approximate", "none");
    bool tanh_form = strcmp(a, "tanh") == 0;
    if (!tanh_form && strcmp(a, "none") != 0) return false;
    unary_kind u = {"Gelu", tanh_form ? MOTE_UN_GELU_TANH : MOTE_UN_GELU, "approximate", NULL, 0, 0};
    if (!place_unary(st, d, &u)) return false;
    d->alpha = 0.0f;
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

/* t broadcasts to the output the numpy way (PRelu's per-channel slope from
 * before opset 7 does not: the CPU reads it otherwise) */
static bool broadcasts(const mote_tensor *t, const mote_tensor *y)
{
    if (t->ndim > y->ndim) return false;
    for (int i = 0; i < t->ndim; i++) {
        int64_t td = t->dims[t->ndim - 1 - i], yd = y->dims[y->ndim - 1 - i];
        if (td != 1 && td != yd) return false;
    }
    return true;
}

static bool place_binary(const mote_step *st, dev_step *d, mote_binary_op op)
{
    const mote_tensor *a = st->in[0], *b = st->in[1], *y = st->out[0];
    if (st->node->n_attr || st->n_in != 2 || !is_f32(a) || !is_f32(b) || !is_f32(y) || y->ndim > 8 ||
        !broadcasts(a, y) || !broadcasts(b, y))
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

/* LlmLinear with f32 weights: Y = X W^T (+ R), every row or the last */
static bool place_llm_linear(const mote_step *st, dev_step *d)
{
    static const char *const known[] = {"weight_type", "in_features", "last_row", NULL};
    const mote_node *n = st->node;
    const mote_tensor *X = st->in[0], *Wt = st->in[1], *R = st->n_in > 2 ? st->in[2] : NULL;
    if (!attrs_known(n, known) || strcmp(mote_attr_get_string(n, "weight_type", "f32"), "f32") != 0 ||
        !is_f32(X) || !is_f32(Wt) || Wt->ndim != 2 || (R && !is_f32(R)))
        return false;
    mote_cl_gemm_args *g = &d->gemm;
    memset(g, 0, sizeof *g);
    g->K = Wt->dims[1];
    g->N = Wt->dims[0];
    int64_t rows = g->K ? mote_tensor_numel(X) / g->K : 0;
    bool last = mote_attr_get_int(n, "last_row", 0) != 0;
    g->M = last ? rows > 0 : rows;
    d->a_row = last && rows > 0 ? rows - 1 : 0;
    g->lda = g->K;
    g->ldb = g->K;
    g->trans_b = 1;
    g->ldc = g->N;
    g->alpha = 1.0f;
    d->has_res = R != NULL;
    d->n = g->M * g->N;
    d->kind = DK_GEMM;
    return true;
}

/* the position input i: one int32 or int64 */
static bool pos_input(const mote_step *st, int i, dev_step *d)
{
    const mote_tensor *p = st->in[i];
    if (!p || mote_tensor_numel(p) != 1 || (p->dtype != MOTE_I32 && p->dtype != MOTE_I64)) return false;
    d->pos.kind = p->dtype == MOTE_I32 ? 1 : 2;
    return true;
}

/* LlmRope: rows of n_heads * head_size */
static bool place_rope(const mote_step *st, dev_step *d)
{
    static const char *const known[] = {"head_size", "theta", NULL};
    const mote_tensor *x = st->in[0];
    if (!attrs_known(st->node, known) || !is_f32(x) || x->ndim < 1 || !is_f32(st->out[0]) || !pos_input(st, 1, d))
        return false;
    int64_t w = x->dims[x->ndim - 1];
    d->hs = mote_attr_get_int(st->node, "head_size", 0);
    if (d->hs <= 0 || d->hs % 2 || w % d->hs) return false;
    d->T = mote_tensor_numel(x) / w;
    d->nh = w / d->hs;
    d->theta = mote_attr_get_float(st->node, "theta", 10000.0f);
    d->kind = DK_ROPE;
    return true;
}

/* LlmAttention: the key/value cache kept on the device too */
static bool place_attention(const mote_step *st, dev_step *d)
{
    static const char *const known[] = {"num_heads", "num_kv_heads", "max_seq", NULL};
    const mote_node *n = st->node;
    const mote_tensor *q = st->in[0], *k = st->in[1], *v = st->in[2];
    if (!attrs_known(n, known) || !st->state || !is_f32(q) || !is_f32(k) || !is_f32(v) || q->ndim != 2 ||
        !pos_input(st, 3, d))
        return false;
    d->nh = mote_attr_get_int(n, "num_heads", 0);
    d->nkv = mote_attr_get_int(n, "num_kv_heads", d->nh);
    d->max_seq = mote_attr_get_int(n, "max_seq", 0);
    if (d->nh <= 0 || d->nkv <= 0 || d->nh % d->nkv || d->max_seq <= 0) return false;
    d->T = q->dims[0];
    d->hs = q->dims[1] / d->nh;
    d->kind = DK_ATTN;
    return true;
}

/* LlmSwiGLU: silu(a) * b */
static bool place_swiglu(const mote_step *st, dev_step *d)
{
    if (st->node->n_attr || !is_f32(st->in[0]) || !is_f32(st->in[1]) ||
        mote_tensor_numel(st->in[1]) != mote_tensor_numel(st->in[0]))
        return false;
    d->n = mote_tensor_numel(st->out[0]);
    d->kind = DK_SWIGLU;
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

/* a scalar f32 constant input i (a model or folded weight), into *v */
static bool const_scalar(const mote_session *s, const mote_step *st, int i, float *v)
{
    int id = st->node->in[i];
    const mote_tensor *t = st->in[i];
    if (id < 0 || !t || s->g->values[id].kind != MOTE_VAL_WEIGHT || !is_f32(t) || !t->data ||
        mote_tensor_numel(t) != 1)
        return false;
    *v = ((const float *)t->data)[0];
    return true;
}

/* Clip with constant bounds (inputs, or the attributes before opset 11) */
static bool place_clip(const mote_session *s, const mote_step *st, dev_step *d)
{
    static const char *const known[] = {"min", "max", NULL};
    if (!attrs_known(st->node, known) || !is_f32(st->in[0]) || !is_f32(st->out[0])) return false;
    float lo = mote_attr_get_float(st->node, "min", -INFINITY);
    float hi = mote_attr_get_float(st->node, "max", INFINITY);
    if (st->n_in > 1 && st->node->in[1] >= 0 && !const_scalar(s, st, 1, &lo)) return false;
    if (st->n_in > 2 && st->node->in[2] >= 0 && !const_scalar(s, st, 2, &hi)) return false;
    d->op = (int)MOTE_UN_CLIP;
    d->alpha = lo;
    d->beta = hi;
    d->n = mote_tensor_numel(st->out[0]);
    d->kind = DK_UNARY;
    return true;
}

/* LayerNormalization over the trailing axes from `axis`, with a scale and
 * an optional bias of the normalized shape's size; only output Y. */
static bool place_layernorm(const mote_step *st, dev_step *d)
{
    static const char *const known[] = {"axis", "epsilon", "stash_type", NULL};
    const mote_node *n = st->node;
    const mote_tensor *x = st->in[0], *g = st->in[1], *b = st->n_in > 2 ? st->in[2] : NULL;
    if (!attrs_known(n, known) || !is_f32(x) || !is_f32(g) || (b && !is_f32(b)) ||
        mote_attr_get_int(n, "stash_type", 1) != 1)
        return false;
    for (int i = 1; i < st->n_out; i++)
        if (n->out[i] >= 0) return false;   /* mean and inverse deviation: the CPU's */
    int axis = mote_norm_axis(mote_attr_get_int(n, "axis", -1), x->ndim);
    if (axis < 0) return false;
    d->n = 1;
    for (int i = axis; i < x->ndim; i++) d->n *= x->dims[i];
    if (mote_tensor_numel(g) != d->n || (b && mote_tensor_numel(b) != d->n)) return false;
    d->rows = mote_tensor_numel(x) / (d->n ? d->n : 1);
    d->alpha = mote_attr_get_float(n, "epsilon", 1e-5f);
    d->kind = DK_LAYERNORM;
    return true;
}

/* BatchNormalization (inference) with constant statistics: folded into a
 * scale and shift per channel, uploaded with the weights */
static bool place_batchnorm(const mote_session *s, const mote_step *st, dev_step *d)
{
    static const char *const known[] = {"epsilon", "momentum", "training_mode", NULL};
    const mote_tensor *x = st->in[0];
    if (!attrs_known(st->node, known) || st->n_in != 5 || !is_f32(x) || x->ndim < 2 ||
        mote_attr_get_int(st->node, "training_mode", 0) != 0)
        return false;
    for (int i = 1; i < 5; i++) {
        int id = st->node->in[i];
        if (id < 0 || s->g->values[id].kind != MOTE_VAL_WEIGHT || !is_f32(st->in[i]) || !st->in[i]->data ||
            mote_tensor_numel(st->in[i]) != x->dims[1])
            return false;
    }
    d->batch = x->dims[0];
    d->rows = x->dims[1];                       /* channels */
    int64_t planes = d->batch * d->rows;
    d->n = planes ? mote_tensor_numel(x) / planes : 0;   /* per channel */
    d->x_stride = d->y_stride = d->rows * d->n;
    d->alpha = mote_attr_get_float(st->node, "epsilon", 1e-5f);
    d->kind = DK_BATCHNORM;
    return true;
}

/* The device's kernel for step st, if it has one. */
bool mote_cl_place_step(const mote_session *s, const mote_step *st, const mote_op *op, dev_step *d)
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
    static const unary_kind unary[] = {
        {"Relu", MOTE_UN_RELU, NULL, NULL, 0, 0}, {"Sigmoid", MOTE_UN_SIGMOID, NULL, NULL, 0, 0},
        {"Tanh", MOTE_UN_TANH, NULL, NULL, 0, 0}, {"Exp", MOTE_UN_EXP, NULL, NULL, 0, 0},
        {"Sqrt", MOTE_UN_SQRT, NULL, NULL, 0, 0}, {"Neg", MOTE_UN_NEG, NULL, NULL, 0, 0},
        {"Abs", MOTE_UN_ABS, NULL, NULL, 0, 0}, {"Reciprocal", MOTE_UN_RECIPROCAL, NULL, NULL, 0, 0},
        {"Log", MOTE_UN_LOG, NULL, NULL, 0, 0}, {"Erf", MOTE_UN_ERF, NULL, NULL, 0, 0},
        {"Floor", MOTE_UN_FLOOR, NULL, NULL, 0, 0}, {"Ceil", MOTE_UN_CEIL, NULL, NULL, 0, 0},
        {"Softplus", MOTE_UN_SOFTPLUS, NULL, NULL, 0, 0}, {"HardSwish", MOTE_UN_HARD_SWISH, NULL, NULL, 0, 0},
        {"Mish", MOTE_UN_MISH, NULL, NULL, 0, 0}, {"Sin", MOTE_UN_SIN, NULL, NULL, 0, 0},
        {"Cos", MOTE_UN_COS, NULL, NULL, 0, 0},
        {"LeakyRelu", MOTE_UN_LEAKY_RELU, "alpha", NULL, 0.01f, 0},
        {"Elu", MOTE_UN_ELU, "alpha", NULL, 1.0f, 0},
        {"HardSigmoid", MOTE_UN_HARD_SIGMOID, "alpha", "beta", 0.2f, 0.5f},
        {"Selu", MOTE_UN_SELU, "alpha", "gamma", 1.67326319217681884765625f, 1.05070102214813232421875f},
    };
    for (size_t i = 0; i < sizeof unary / sizeof *unary; i++)
        if (strcmp(name, unary[i].name) == 0) return place_unary(st, d, &unary[i]);
    if (strcmp(name, "Gelu") == 0) return place_gelu(st, d);
    static const struct { const char *name; mote_binary_op op; } binary[] = {
        {"Add", MOTE_BIN_ADD}, {"Sub", MOTE_BIN_SUB}, {"Mul", MOTE_BIN_MUL}, {"Div", MOTE_BIN_DIV},
        {"Max", MOTE_BIN_MAX}, {"Min", MOTE_BIN_MIN}, {"PRelu", MOTE_BIN_PRELU},
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
    if (strcmp(name, "LayerNormalization") == 0) return place_layernorm(st, d);
    if (strcmp(name, "BatchNormalization") == 0) return place_batchnorm(s, st, d);
    if (strcmp(name, "Clip") == 0) return place_clip(s, st, d);
    if (strcmp(name, "LlmRope") == 0) return place_rope(st, d);
    if (strcmp(name, "LlmAttention") == 0) return place_attention(st, d);
    if (strcmp(name, "LlmSwiGLU") == 0) return place_swiglu(st, d);
    return false;
}
