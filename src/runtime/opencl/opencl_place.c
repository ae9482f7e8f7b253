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
 * offsets (the liveness plan holds on the device too). The weights device
 * steps read are the model's, on this device (opencl_weights.c): uploaded
 * by the first session that needs them, found by the next ones and by a
 * reshape. Constants a session made for itself (folded for its shapes)
 * go in a buffer of the session's own.
 *
 * Every device step's launches are made here: a kernel object per launch
 * with all its arguments set. mote_cl_session_run then enqueues kernels
 * and transfers only: it creates no buffer, kernel or program, sets no
 * argument and allocates nothing on the host.
 *
 * Not here: the kernels' arguments (opencl_kernels.c), the CPU steps.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "opencl_internal.h"
#include "opencl_session.h"
#include "opencl_weights.h"
#include "ops/op_util.h"

typedef enum dev_kind {
    DK_CPU = 0, DK_ALIAS, DK_GEMM, DK_CONV, DK_POOL, DK_GPOOL, DK_UNARY, DK_BINARY, DK_SOFTMAX, DK_RMSNORM,
    DK_LAYERNORM, DK_BATCHNORM, DK_ROPE, DK_ATTN, DK_SWIGLU
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
    mote_cl_launch *launch;       /* made at placement; n_launch of them       */
    int n_launch;
    /* LLM ops */
    bool has_res;                 /* LlmLinear: add the residual (b) after     */
    int64_t a_row;                /* LlmLinear last_row: X's first row used    */
    mote_cl_pos pos;              /* LlmRope, LlmAttention: the position       */
    int64_t T, nh, nkv, hs, max_seq;
    float theta;
    int64_t llm_off;              /* LlmAttention: caches and scratch in llm   */
    int64_t dev_rows;             /* cache rows the device copy may hold       */
} dev_step;

struct mote_cl_session {
    mote_cl_weights *store;       /* the model's weights on the device (shared) */
    mote_cl *cl;                  /* the store's device                        */
    cl_mem arena;                 /* mirrors the host arena, same offsets      */
    cl_mem own;                   /* constants of this session's own, or NULL  */
    cl_mem llm;                   /* LlmAttention caches and scratch, or NULL  */
    dev_step *steps;              /* one per session step                      */
    int n_steps;
    int *xfer;                    /* value ids of the transfers                */
    int n_xfer, final0, n_final;  /* downloads after the last step             */
    int n_device;                 /* steps that run on the device              */
    size_t up_bytes, down_bytes;  /* transferred per run                       */
    size_t weight_bytes;          /* the weights this session's steps read     */
    mote_cl_mem *w_mem;           /* per value: its constant copy (mem NULL: in the arena) */
    float *bn;                    /* folded BatchNormalization, while placing  */
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

/* Operand addresses, once the buffers exist (BatchNormalization's folded
 * scale and shift, d->w and d->b, are set by the weights pass). */
static void bind(const mote_session *s, const mote_step *st, dev_step *d)
{
    const mote_node *n = st->node;
    mote_cl_mem none = {NULL, 0};
    mote_cl_mem in0 = dev_mem(s, n->in[0]), out = dev_mem(s, n->out[0]);
    d->x = in0;
    d->y = out;
    switch (d->kind) {
    case DK_GEMM:
        d->gemm.A = (mote_cl_mem){in0.mem, in0.off + d->a_row * d->gemm.K};
        d->gemm.B = dev_mem(s, n->in[1]);
        d->gemm.C = out;
        if (d->has_res) d->b = dev_mem(s, n->in[2]);   /* LlmLinear's residual */
        else d->gemm.bias = n->n_in > 2 && n->in[2] >= 0 && mote_attr_get_float(n, "beta", 1.0f) != 0.0f
                            ? dev_mem(s, n->in[2]) : none;
        break;
    case DK_ROPE:
        d->pos.at = dev_mem(s, n->in[1]);
        break;
    case DK_ATTN:
        d->w = dev_mem(s, n->in[1]);   /* K */
        d->b = dev_mem(s, n->in[2]);   /* V */
        d->pos.at = dev_mem(s, n->in[3]);
        break;
    case DK_SWIGLU:
        d->w = dev_mem(s, n->in[1]);
        break;
    case DK_CONV:
        d->w = dev_mem(s, n->in[1]);
        d->b = n->n_in > 2 && n->in[2] >= 0 ? dev_mem(s, n->in[2]) : none;
        break;
    case DK_LAYERNORM:
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

/* Launches image i of a step that works image by image (batch > 1). */
static mote_status one_launch(const mote_cl_session *ds, dev_step *d, int64_t i)
{
    mote_cl *cl = ds->cl;
    mote_cl_mem x = {d->x.mem, d->x.off + i * d->x_stride}, y = {d->y.mem, d->y.off + i * d->y_stride};
    switch (d->kind) {
    case DK_GEMM:
        if (i == 1) {   /* then the residual: y += r */
            int64_t one = 1;
            return mote_cl_binary(cl, MOTE_BIN_ADD, 1, &d->n, d->y, &one, d->b, &one, d->y);
        }
        return mote_cl_gemm(cl, &d->gemm);
    case DK_ROPE:
        return mote_cl_rope_rows(cl, d->T, d->nh, d->hs, &d->pos, 0, d->theta, d->x, d->y);
    case DK_SWIGLU:
        return mote_cl_swiglu(cl, d->n, d->x, d->w, d->y);
    case DK_ATTN: {
        int64_t kvd = d->nkv * d->hs, cache = d->max_seq * kvd;
        mote_cl_mem kc = {ds->llm, d->llm_off}, vc = {ds->llm, d->llm_off + cache};
        mote_cl_mem sc = {ds->llm, d->llm_off + 2 * cache};
        if (i == 0) return mote_cl_kv_store(cl, d->T, kvd, d->max_seq, &d->pos, d->w, d->b, kc, vc);
        return mote_cl_attention(cl, d->T, d->nh, d->nh / d->nkv, d->hs, d->max_seq,
                                 1.0f / sqrtf((float)d->hs), &d->pos, d->x, kc, vc, sc, d->y);
    }
    case DK_CONV:
        return mote_cl_conv2d(cl, &d->conv, x, d->w, d->b, y);
    case DK_BATCHNORM:
        return mote_cl_channel_affine(cl, d->rows, d->n, x, d->w, d->b, y, (mote_act){0});
    case DK_POOL:
        return mote_cl_pool2d(cl, d->is_max, &d->pool, d->x, d->y);
    case DK_GPOOL:
        return mote_cl_global_pool(cl, d->is_max, d->rows, d->n, d->x, d->y);
    case DK_UNARY:
        return mote_cl_unary(cl, (mote_unary_op)d->op, d->n, d->x, d->y, d->alpha, d->beta);
    case DK_BINARY:
        return mote_cl_binary(cl, (mote_binary_op)d->op, d->ndim, d->dims, d->x, d->astr, d->w,
                              d->bstr, d->y);
    case DK_SOFTMAX:
        return mote_cl_softmax(cl, d->rows, d->n, d->x, d->y, d->log);
    case DK_RMSNORM:
        return mote_cl_rmsnorm(cl, d->rows, d->n, d->x, d->w, d->alpha, d->y);
    case DK_LAYERNORM:
        return mote_cl_layernorm(cl, d->rows, d->n, d->x, d->w, d->b, d->alpha, d->y);
    default:
        return MOTE_OK;
    }
}

/* Makes a device step's launches: kernel objects with their arguments set
 * (one per image for the steps that go image by image). */
static mote_status make_launches(const mote_cl_session *ds, dev_step *d)
{
    mote_cl *cl = ds->cl;
    int64_t n = d->kind == DK_CONV || d->kind == DK_BATCHNORM ? d->batch
              : d->kind == DK_ATTN || (d->kind == DK_GEMM && d->has_res) ? 2 : 1;
    if (n <= 0) return MOTE_OK;
    if (!(d->launch = calloc((size_t)n, sizeof *d->launch))) return mote_error(MOTE_ERR_NOMEM, "out of memory");
    d->n_launch = (int)n;
    mote_status st = MOTE_OK;
    for (int64_t i = 0; i < n && st == MOTE_OK; i++) {
        mote_cl_record(cl, &d->launch[i]);
        st = one_launch(ds, d, i);
        mote_cl_record(cl, NULL);
    }
    return st;
}

/* ---------------------------------------------- LlmAttention's cache */

/* The cache rows a run wrote on the device go to the host copy too (not
 * waiting: the run's last blocking transfer does), so that the host state
 * stays whole for reset, copy and reshape. */
static mote_status attn_rows_home(mote_session *s, int t)
{
    mote_cl_session *d = s->dev;
    dev_step *ds = &d->steps[t];
    int64_t pos = mote_llm_read_pos(s->steps[t].in[3]);
    if (pos < 0 || pos + ds->T > ds->max_seq) return MOTE_OK;   /* zeros, nothing stored */
    float *kc, *vc;
    int64_t *filled;
    mote_llm_attention_cache(&s->steps[t], &kc, &vc, &filled);
    int64_t kvd = ds->nkv * ds->hs, cache = ds->max_seq * kvd;
    size_t bytes = (size_t)(ds->T * kvd) * sizeof(float);
    mote_status st = mote_cl_read_async(d->cl, (mote_cl_mem){d->llm, ds->llm_off + pos * kvd}, kc + pos * kvd, bytes);
    if (st == MOTE_OK)
        st = mote_cl_read_async(d->cl, (mote_cl_mem){d->llm, ds->llm_off + cache + pos * kvd}, vc + pos * kvd, bytes);
    if (pos + ds->T > *filled) *filled = pos + ds->T;
    if (pos + ds->T > ds->dev_rows) ds->dev_rows = pos + ds->T;
    return st;
}

/* The host copy of the cache rows to the device: those written, and any
 * the device holds beyond them (zeros after a reset). */
static mote_status attn_rows_out(mote_session *s, int t)
{
    mote_cl_session *d = s->dev;
    dev_step *ds = &d->steps[t];
    float *kc, *vc;
    int64_t *filled;
    mote_llm_attention_cache(&s->steps[t], &kc, &vc, &filled);
    int64_t rows = *filled > ds->dev_rows ? *filled : ds->dev_rows;
    if (rows > ds->max_seq) rows = ds->max_seq;
    int64_t kvd = ds->nkv * ds->hs, cache = ds->max_seq * kvd;
    size_t bytes = (size_t)(rows * kvd) * sizeof(float);
    mote_status st = mote_cl_write(d->cl, (mote_cl_mem){d->llm, ds->llm_off}, kc, bytes);
    if (st == MOTE_OK) st = mote_cl_write(d->cl, (mote_cl_mem){d->llm, ds->llm_off + cache}, vc, bytes);
    ds->dev_rows = *filled;
    return st;
}

mote_status mote_cl_session_state_changed(mote_session *s)
{
    mote_status st = MOTE_OK;
    for (int t = 0; t < s->n_steps && st == MOTE_OK; t++)
        if (s->dev->steps[t].kind == DK_ATTN) st = attn_rows_out(s, t);
    return st == MOTE_OK ? MOTE_OK : mote_error_wrap(st, "copying op state to the OpenCL device");
}

/* The caches and scratch of the LlmAttention steps: one buffer, filled
 * from the host copy (a reshape keeps the cache). */
static mote_status place_llm_state(mote_session *s)
{
    mote_cl_session *d = s->dev;
    size_t floats = 0;
    for (int t = 0; t < s->n_steps; t++) {
        dev_step *ds = &d->steps[t];
        if (ds->kind != DK_ATTN) continue;
        ds->llm_off = (int64_t)floats;
        size_t cache, scratch;
        if (!mote_mul_size((size_t)ds->max_seq, (size_t)(ds->nkv * ds->hs), &cache) ||
            !mote_mul_size((size_t)(ds->T * ds->nh), (size_t)ds->max_seq, &scratch) ||
            !mote_add_size(floats, 2 * cache + scratch + 15, &floats))
            return mote_error(MOTE_ERR_LIMIT, "the key/value cache on the OpenCL device overflows");
        floats = floats / 16 * 16;
    }
    if (!floats) return MOTE_OK;
    mote_status st = mote_cl_alloc(d->cl, floats * sizeof(float), &d->llm);
    for (int t = 0; t < s->n_steps && st == MOTE_OK; t++)
        if (d->steps[t].kind == DK_ATTN) st = attn_rows_out(s, t);
    return st;
}

/* ------------------------------------------------------------ running */

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
            for (int i = 0; i < ds->n_launch && st == MOTE_OK; i++) st = mote_cl_enqueue(d->cl, &ds->launch[i]);
            if (ds->kind == DK_ATTN && st == MOTE_OK) st = attn_rows_home(s, t);
            /* the instruments read outputs on the host after each step */
            if (h && st == MOTE_OK) {
                const mote_node *n = s->steps[t].node;
                for (int j = 0; j < n->n_out && st == MOTE_OK; j++)
                    if (n->out[j] >= 0) st = download(s, n->out[j]);
            }
        }
        if (h && h->after && st == MOTE_OK) h->after(h->ctx, s, t);
    }
    /* the last download is blocking: in order, everything before it is done */
    for (int i = 0; i < d->n_final && st == MOTE_OK; i++) st = download(s, d->xfer[d->final0 + i]);
    if (st == MOTE_OK && d->n_final == 0) st = mote_cl_finish(d->cl);
    if (st != MOTE_OK) return mote_error_wrap(st, "running on the OpenCL device");
    return MOTE_OK;
}

/* ------------------------------------------------------------ the pass */

void mote_cl_session_free(mote_cl_session *d)
{
    if (!d) return;
    for (int t = 0; d->steps && t < d->n_steps; t++) {
        for (int i = 0; i < d->steps[t].n_launch; i++) mote_cl_launch_release(&d->steps[t].launch[i]);
        free(d->steps[t].launch);
    }
    mote_cl_release(d->arena);
    mote_cl_release(d->own);
    mote_cl_release(d->llm);
    free(d->steps);
    free(d->xfer);
    free(d->w_mem);
    free(d->bn);
    free(d);   /* the device and the weights are the model's (opencl_weights.c) */
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
        dev[v] = d->w_mem[v].mem != NULL;
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
        /* what the device reads: BatchNormalization its folded copy, Clip
         * its bounds as arguments */
        int n_read = ds->kind == DK_BATCHNORM || (ds->kind == DK_UNARY && n->n_in > 1) ? 1 : n->n_in;
        ds->up0 = nx;
        for (int i = 0; on_dev && i < n_read; i++) {
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

/* Whether bytes at p are part of one of the model's own constants (which
 * live as long as the model: the device copy can be shared by key). */
static bool model_constant(const mote_session *s, const void *p, size_t bytes)
{
    const mote_graph *mg = s->m->g;
    const uint8_t *q = p;
    for (int u = 0; u < mg->n_values; u++) {
        const mote_value *val = &mg->values[u];
        const uint8_t *b = val->data;
        if (val->kind == MOTE_VAL_WEIGHT && b && q >= b && q + bytes <= b + val->nbytes) return true;
    }
    return false;
}

/* The constants device steps read: the model's from the shared store
 * (what it lacks uploaded in one buffer), the session's own in its own
 * buffer, BatchNormalization's folded per channel. */
static mote_status place_weights(mote_session *s)
{
    mote_cl_session *d = s->dev;
    const mote_graph *g = s->g;
    int nv = g->n_values, ns = s->n_steps;
    int cap = nv + ns + 1, n_new = 0;
    mote_cl_wkey *keys = calloc((size_t)cap, sizeof *keys);
    const void **host = calloc((size_t)cap, sizeof *host);
    mote_cl_mem *got = calloc((size_t)cap, sizeof *got);
    int *dest = calloc((size_t)cap, sizeof *dest);   /* value id, or -1 - step */
    int *own = calloc((size_t)nv + 1, sizeof *own);
    mote_status st = MOTE_OK;
    if (!keys || !host || !got || !dest || !own) {
        st = mote_error(MOTE_ERR_NOMEM, "out of memory");
        goto done;
    }
    size_t n_bn = 0;
    for (int t = 0; t < ns; t++)
        if (d->steps[t].kind == DK_BATCHNORM) n_bn += 2 * (size_t)d->steps[t].rows;
    if (n_bn && !(d->bn = malloc(n_bn * sizeof(float)))) {
        st = mote_error(MOTE_ERR_NOMEM, "out of memory");
        goto done;
    }
    int n_own = 0;
    size_t own_floats = 0, bn_at = 0;
    for (int t = 0; t < ns; t++) {
        dev_step *ds = &d->steps[t];
        if (ds->kind == DK_CPU || ds->kind == DK_ALIAS) continue;
        const mote_node *n = s->steps[t].node;
        if (ds->kind == DK_BATCHNORM) {
            const mote_tensor *const *in = (const mote_tensor *const *)s->steps[t].in;
            uint32_t eps_bits;
            memcpy(&eps_bits, &ds->alpha, sizeof eps_bits);
            int64_t C = ds->rows;
            mote_cl_wkey k = {.src = in[1]->data, .tag = MOTE_CL_W_BN_FOLD, .bytes = 2 * (size_t)C * sizeof(float),
                              .p = {eps_bits, (int64_t)(uintptr_t)in[2]->data, (int64_t)(uintptr_t)in[3]->data,
                                    (int64_t)(uintptr_t)in[4]->data}};
            bool shared = true;
            for (int i = 1; i < 5; i++) shared &= model_constant(s, in[i]->data, (size_t)C * sizeof(float));
            mote_cl_mem m = shared ? mote_cl_weights_find(d->store, &k) : (mote_cl_mem){NULL, 0};
            d->weight_bytes += k.bytes;
            if (m.mem) {
                ds->w = m;
                ds->b = (mote_cl_mem){m.mem, m.off + C};
                continue;
            }
            float *sc = d->bn + bn_at, *sh = sc + C;
            const float *gm = in[1]->data, *bt = in[2]->data, *mu = in[3]->data, *var = in[4]->data;
            for (int64_t c = 0; c < C; c++) {   /* as norm.c folds it */
                sc[c] = gm[c] / sqrtf(var[c] + ds->alpha);
                sh[c] = bt[c] - mu[c] * sc[c];
            }
            bn_at += 2 * (size_t)C;
            if (!shared) k.src = sc;   /* never found again: a key of its own */
            keys[n_new] = k;
            host[n_new] = sc;
            dest[n_new++] = -1 - t;
            continue;
        }
        int n_read = ds->kind == DK_UNARY ? 1 : n->n_in;
        for (int i = 0; i < n_read; i++) {
            int v = n->in[i];
            if (v < 0 || d->w_mem[v].mem || own[v] || in_arena(s, s->vals[v].data)) continue;
            size_t bytes = mote_tensor_nbytes(&s->vals[v]);
            bool seen = false;
            for (int j = 0; j < n_new && !seen; j++) seen = dest[j] == v;
            if (seen) continue;
            d->weight_bytes += bytes;
            if (!model_constant(s, s->vals[v].data, bytes)) {
                own[v] = 1 + n_own++;
                own_floats += (bytes / sizeof(float) + 15) / 16 * 16;
                continue;
            }
            mote_cl_wkey k = {.src = s->vals[v].data, .tag = MOTE_CL_W_COPY, .bytes = bytes};
            mote_cl_mem m = mote_cl_weights_find(d->store, &k);
            if (m.mem) {
                d->w_mem[v] = m;
                continue;
            }
            keys[n_new] = k;
            host[n_new] = s->vals[v].data;
            dest[n_new++] = v;
        }
    }
    if ((st = mote_cl_weights_add(d->store, n_new, keys, host, got)) != MOTE_OK) goto done;
    for (int j = 0; j < n_new; j++) {
        if (dest[j] >= 0) {
            d->w_mem[dest[j]] = got[j];
        } else {
            dev_step *ds = &d->steps[-1 - dest[j]];
            ds->w = got[j];
            ds->b = (mote_cl_mem){got[j].mem, got[j].off + ds->rows};
        }
    }
    /* constants folded for this session's shapes: its own buffer */
    if (n_own) {
        if ((st = mote_cl_alloc(d->cl, own_floats * sizeof(float), &d->own)) != MOTE_OK) goto done;
        size_t at = 0;
        for (int v = 0; v < nv && st == MOTE_OK; v++) {
            if (!own[v]) continue;
            size_t bytes = mote_tensor_nbytes(&s->vals[v]);
            d->w_mem[v] = (mote_cl_mem){d->own, (int64_t)at};
            st = upload(s, v);
            at += (bytes / sizeof(float) + 15) / 16 * 16;
        }
    }
done:
    free(keys);
    free(host);
    free(got);
    free(dest);
    free(own);
    free(d->bn);
    d->bn = NULL;
    return st;
}

mote_status mote_cl_session_place(mote_session *s, int platform, int device)
{
    const mote_graph *g = s->g;
    mote_cl_session *d = calloc(1, sizeof *d);
    if (!d) return mote_error(MOTE_ERR_NOMEM, "out of memory");
    s->dev = d;
    mote_status st = mote_cl_weights_open(s->prep, platform, device, &d->store);
    if (st != MOTE_OK) return st;
    d->cl = mote_cl_weights_device(d->store);
    int nv = g->n_values, ns = s->n_steps;
    d->steps = calloc((size_t)ns + 1, sizeof *d->steps);
    d->n_steps = ns;
    d->w_mem = calloc((size_t)nv + 1, sizeof *d->w_mem);
    size_t n_io = 0;
    for (int t = 0; t < ns; t++) n_io += (size_t)(s->steps[t].n_in + s->steps[t].n_out);
    d->xfer = malloc(sizeof(int) * (n_io + (size_t)g->n_outputs + 1));
    bool *host = malloc((size_t)nv + 1), *dev = malloc((size_t)nv + 1);
    if (!d->steps || !d->w_mem || !d->xfer || !host || !dev) {
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
    /* 2. the weights (shared by the model's sessions: the store's lock is
     * held while this placement finds and adds them, and makes launches on
     * the shared device) and the arena's mirror */
    mote_cl_weights_lock(d->store);
    st = place_weights(s);
    if (st == MOTE_OK) st = mote_cl_alloc(d->cl, s->arena_bytes, &d->arena);
    if (st == MOTE_OK) st = place_llm_state(s);
    /* 3. operands, launches and transfers */
    for (int t = 0; t < ns && st == MOTE_OK; t++)
        if (d->steps[t].kind != DK_CPU && d->steps[t].kind != DK_ALIAS) {
            bind(s, &s->steps[t], &d->steps[t]);
            st = make_launches(d, &d->steps[t]);
        }
    mote_cl_weights_unlock(d->store);
    if (st == MOTE_OK) plan_transfers(s, host, dev, d->xfer);
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
