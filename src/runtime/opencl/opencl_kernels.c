/*
 * opencl_kernels.c — one host function per kernel of arch/opencl: checks
 * the sizes, sets the arguments and enqueues the kernel on the device's
 * in-order queue (no wait). Each has the contract of its CPU reference
 * (see opencl.h); the numbers it gives are tested against that reference
 * in tests/test_opencl.c.
 */
#include <string.h>
#include "opencl_internal.h"

/* Kernel arguments set in order; the first failure is kept. */
typedef struct kargs {
    cl_kernel k;
    cl_uint i;
    cl_int e;
    bool own;      /* k was created for a recorded launch */
} kargs;

static void arg(kargs *a, size_t size, const void *p)
{
    if (a->e == CL_SUCCESS) a->e = clSetKernelArg(a->k, a->i, size, p);
    a->i++;
}
static void arg_long(kargs *a, int64_t v) { cl_long x = v; arg(a, sizeof x, &x); }
static void arg_int(kargs *a, int v) { cl_int x = v; arg(a, sizeof x, &x); }
static void arg_float(kargs *a, float v) { arg(a, sizeof v, &v); }
/* a buffer and its offset; an absent one (NULL) passes `stand_in` so the
 * kernel always gets a valid buffer, and its has_* flag says to ignore it */
static void arg_mem(kargs *a, mote_cl_mem m, cl_mem stand_in)
{
    cl_mem b = m.mem ? m.mem : stand_in;
    arg(a, sizeof b, &b);
    arg_long(a, m.mem ? m.off : 0);
}
static void arg_act(kargs *a, mote_act act)
{
    arg_int(a, (int)act.kind);
    arg_float(a, act.alpha);
    arg_float(a, act.beta);
}

/* work-items (of 8 columns each) per work-group of the direct GEMM */
#define DIRECT_GROUP 4

static size_t round_up(size_t n, size_t to) { return (n + to - 1) / to * to; }

static mote_status launch(mote_cl *cl, kargs *a, const char *name, cl_uint dims,
                          const size_t *global, const size_t *local)
{
    if (a->e != CL_SUCCESS) {
        if (a->own && a->k) clReleaseKernel(a->k);
        return mote_cl_fail(name, a->e);
    }
    bool empty = false;
    for (cl_uint d = 0; d < dims; d++) empty |= global[d] == 0;   /* empty output: nothing to do */
    if (cl->rec) {
        mote_cl_launch *l = cl->rec;
        memset(l, 0, sizeof *l);
        l->k = a->k;
        l->name = name;
        l->dims = empty ? 0 : dims;
        for (cl_uint d = 0; d < dims; d++) {
            l->global[d] = global[d];
            l->local[d] = local[d];
        }
        return MOTE_OK;
    }
    if (empty) return MOTE_OK;
    cl_int e = clEnqueueNDRangeKernel(cl->q, a->k, dims, NULL, global, local, 0, NULL, NULL);
    return e == CL_SUCCESS ? MOTE_OK : mote_cl_fail(name, e);
}

/* The kernel to set up: the device's shared one, or a new one to record. */
static kargs start(mote_cl *cl, int which)
{
    kargs a = {.k = cl->k[which], .i = 0, .e = CL_SUCCESS};
    if (cl->rec) {
        a.k = clCreateKernel(cl->prog, mote_cl_kernel_names[which], &a.e);
        a.own = true;
        if (!a.k && a.e == CL_SUCCESS) a.e = CL_OUT_OF_HOST_MEMORY;
    }
    return a;
}

void mote_cl_record(mote_cl *cl, mote_cl_launch *into)
{
    cl->rec = into;
    if (into) memset(into, 0, sizeof *into);
}

mote_status mote_cl_enqueue(mote_cl *cl, const mote_cl_launch *l)
{
    if (!l->dims) return MOTE_OK;
    cl_int e = clEnqueueNDRangeKernel(cl->q, l->k, l->dims, NULL, l->global, l->local, 0, NULL, NULL);
    return e == CL_SUCCESS ? MOTE_OK : mote_cl_fail(l->name, e);
}

void mote_cl_launch_release(mote_cl_launch *l)
{
    if (l && l->k) clReleaseKernel(l->k);
    if (l) l->k = NULL;
}

/* --------------------------------------------------------------- GEMM */

mote_status mote_cl_gemm(mote_cl *cl, const mote_cl_gemm_args *g)
{
    if (g->M < 0 || g->N < 0 || g->K < 0 || !g->A.mem || !g->B.mem || !g->C.mem)
        return mote_error(MOTE_ERR_ARG, "mote_cl_gemm: negative size or missing buffer");
    mote_cl_gemm_tile t = cl->tile;
    kargs a = start(cl, t.dm > 0 ? MOTE_CL_K_gemm_direct_f32 : MOTE_CL_K_gemm_f32);
    arg_long(&a, g->M);
    arg_long(&a, g->N);
    arg_long(&a, g->K);
    arg_mem(&a, g->A, NULL);
    arg_long(&a, g->lda);
    arg_int(&a, g->trans_a);
    arg_mem(&a, g->B, NULL);
    arg_long(&a, g->ldb);
    arg_int(&a, g->trans_b);
    arg_mem(&a, g->C, NULL);
    arg_long(&a, g->ldc);
    arg_float(&a, g->alpha);
    arg_float(&a, g->beta);
    arg_mem(&a, g->bias, g->C.mem);
    arg_int(&a, g->bias.mem != NULL);
    arg_int(&a, g->bias_per_row);
    arg_act(&a, g->act);
    if (t.dm > 0) {
        size_t cols = (size_t)((g->N + 7) / 8), rows = (size_t)((g->M + t.dm - 1) / t.dm);
        size_t global[2] = {round_up(cols, DIRECT_GROUP), rows};
        size_t local[2] = {DIRECT_GROUP, 1};
        return launch(cl, &a, "mote_gemm_direct_f32", 2, global, local);
    }
    size_t local[2] = {(size_t)(t.tsn / t.wptn), (size_t)(t.tsm / t.wptm)};
    size_t global[2] = {(size_t)((g->N + t.tsn - 1) / t.tsn) * local[0],
                        (size_t)((g->M + t.tsm - 1) / t.tsm) * local[1]};
    return launch(cl, &a, "mote_gemm_f32", 2, global, local);
}

/* -------------------------------------------------------- convolution */

/* The arguments both convolution kernels take: the geometry, the
 * operands (an absent bias passes y), the activation. */
static void arg_conv(kargs *a, const mote_conv2d_args *c, mote_cl_mem x, mote_cl_mem w,
                     mote_cl_mem bias, mote_cl_mem y)
{
    const int64_t geom[] = {c->C, c->H, c->W, c->OC, c->OH, c->OW, c->KH, c->KW,
                            c->sh, c->sw, c->ph, c->pw, c->dh, c->dw, c->groups};
    for (size_t i = 0; i < sizeof geom / sizeof *geom; i++) arg_long(a, geom[i]);
    arg_mem(a, x, NULL);
    arg_mem(a, w, NULL);
    arg_mem(a, bias, y.mem);
    arg_int(a, bias.mem != NULL);
    arg_mem(a, y, NULL);
    arg_act(a, c->act);
}

mote_status mote_cl_conv2d(mote_cl *cl, const mote_conv2d_args *c, mote_cl_mem x,
                           mote_cl_mem w, mote_cl_mem bias, mote_cl_mem y)
{
    if (c->groups <= 0 || c->C % c->groups || c->OC % c->groups)
        return mote_error(MOTE_ERR_ARG, "mote_cl_conv2d: %lld channels in, %lld out do not split "
                          "into %lld groups", (long long)c->C, (long long)c->OC, (long long)c->groups);
    bool depthwise = c->groups == c->C && c->OC == c->C;
    bool pointwise = c->groups == 1 && c->KH == 1 && c->KW == 1 && c->sh == 1 && c->sw == 1 &&
                     c->ph == 0 && c->pw == 0 && c->OH == c->H && c->OW == c->W;
    if (pointwise) {
        /* y (OC x HW) = w (OC x C) x (C x HW) + bias per row */
        mote_cl_gemm_args g = {
            .M = c->OC, .N = c->OH * c->OW, .K = c->C,
            .A = w, .lda = c->C, .B = x, .ldb = c->H * c->W, .C = y, .ldc = c->OH * c->OW,
            .alpha = 1.0f, .beta = 0.0f, .bias = bias, .bias_per_row = 1, .act = c->act,
        };
        return mote_cl_gemm(cl, &g);
    }
    if (depthwise) {
        kargs a = start(cl, MOTE_CL_K_conv2d_dw_f32);
        arg_conv(&a, c, x, w, bias, y);
        size_t local[2] = {64, 1};
        size_t global[2] = {round_up((size_t)(c->OH * c->OW), 64), (size_t)c->C};
        return launch(cl, &a, "mote_conv2d_dw_f32", 2, global, local);
    }
    kargs a = start(cl, MOTE_CL_K_conv2d_igemm_f32);
    arg_conv(&a, c, x, w, bias, y);
    mote_cl_gemm_tile t = cl->tile;
    int64_t ocg = c->OC / c->groups, np = c->OH * c->OW;
    size_t local[3] = {(size_t)(t.tsn / t.wptn), (size_t)(t.tsm / t.wptm), 1};
    size_t global[3] = {(size_t)((np + t.tsn - 1) / t.tsn) * local[0],
                        (size_t)((ocg + t.tsm - 1) / t.tsm) * local[1], (size_t)c->groups};
    return launch(cl, &a, "mote_conv2d_igemm_f32", 3, global, local);
}

/* ------------------------------------------------------------ pooling */

mote_status mote_cl_pool2d(mote_cl *cl, bool is_max, const mote_pool2d_args *p,
                           mote_cl_mem x, mote_cl_mem y)
{
    kargs a = start(cl, MOTE_CL_K_pool2d_f32);
    arg_int(&a, is_max);
    arg_long(&a, p->C);
    arg_long(&a, p->H);
    arg_long(&a, p->W);
    arg_long(&a, p->OH);
    arg_long(&a, p->OW);
    arg_long(&a, p->KH);
    arg_long(&a, p->KW);
    arg_long(&a, p->sh);
    arg_long(&a, p->sw);
    arg_long(&a, p->ph);
    arg_long(&a, p->pw);
    arg_long(&a, p->dh);
    arg_long(&a, p->dw);
    arg_long(&a, p->ph_end);
    arg_long(&a, p->pw_end);
    arg_int(&a, p->count_include_pad);
    arg_mem(&a, x, NULL);
    arg_mem(&a, y, NULL);
    size_t local[2] = {64, 1};
    size_t global[2] = {round_up((size_t)(p->OH * p->OW), 64), (size_t)p->C};
    return launch(cl, &a, "mote_pool2d_f32", 2, global, local);
}

mote_status mote_cl_global_pool(mote_cl *cl, bool is_max, int64_t C, int64_t HW,
                                mote_cl_mem x, mote_cl_mem y)
{
    kargs a = start(cl, MOTE_CL_K_global_pool_f32);
    arg_int(&a, is_max);
    arg_long(&a, C);
    arg_long(&a, HW);
    arg_mem(&a, x, NULL);
    arg_mem(&a, y, NULL);
    size_t local = 16, global = round_up((size_t)C, 16);
    return launch(cl, &a, "mote_global_pool_f32", 1, &global, &local);
}

/* -------------------------------------------------------- elementwise */

mote_status mote_cl_unary(mote_cl *cl, mote_unary_op op, int64_t n, mote_cl_mem x,
                          mote_cl_mem y, float alpha, float beta)
{
    if ((int)op < 0 || op >= MOTE_UN_COUNT)
        return mote_error(MOTE_ERR_ARG, "mote_cl_unary: unknown op %d", (int)op);
    kargs a = start(cl, MOTE_CL_K_unary_f32);
    arg_int(&a, (int)op);
    arg_long(&a, n);
    arg_mem(&a, x, NULL);
    arg_mem(&a, y, NULL);
    arg_float(&a, alpha);
    arg_float(&a, beta);
    size_t local = 64, global = round_up((size_t)n, 64);
    return launch(cl, &a, "mote_unary_f32", 1, &global, &local);
}

mote_status mote_cl_binary(mote_cl *cl, mote_binary_op op, int ndim, const int64_t *dims,
                           mote_cl_mem a_, const int64_t *astr, mote_cl_mem b_,
                           const int64_t *bstr, mote_cl_mem y)
{
    if ((int)op < 0 || op >= MOTE_BIN_COUNT)
        return mote_error(MOTE_ERR_ARG, "mote_cl_binary: unknown op %d", (int)op);
    if (ndim < 0 || ndim > 8)
        return mote_error(MOTE_ERR_ARG, "mote_cl_binary: %d dimensions (at most 8)", ndim);
    cl_long8 d, sa, sb;
    memset(&d, 0, sizeof d);
    memset(&sa, 0, sizeof sa);
    memset(&sb, 0, sizeof sb);
    int64_t n = 1;
    for (int i = 0; i < ndim; i++) {
        d.s[i] = dims[i];
        sa.s[i] = astr[i];
        sb.s[i] = bstr[i];
        n *= dims[i];
    }
    kargs a = start(cl, MOTE_CL_K_binary_f32);
    arg_int(&a, (int)op);
    arg_int(&a, ndim);
    arg_long(&a, n);
    arg(&a, sizeof d, &d);
    arg(&a, sizeof sa, &sa);
    arg(&a, sizeof sb, &sb);
    arg_mem(&a, a_, NULL);
    arg_mem(&a, b_, NULL);
    arg_mem(&a, y, NULL);
    size_t local = 64, global = round_up((size_t)n, 64);
    return launch(cl, &a, "mote_binary_f32", 1, &global, &local);
}

mote_status mote_cl_channel_affine(mote_cl *cl, int64_t C, int64_t HW, mote_cl_mem x,
                                   mote_cl_mem scale, mote_cl_mem shift, mote_cl_mem y,
                                   mote_act act)
{
    kargs a = start(cl, MOTE_CL_K_channel_affine_f32);
    arg_long(&a, C);
    arg_long(&a, HW);
    arg_mem(&a, x, NULL);
    arg_mem(&a, scale, NULL);
    arg_mem(&a, shift, NULL);
    arg_mem(&a, y, NULL);
    arg_act(&a, act);
    size_t local = 64, global = round_up((size_t)(C * HW), 64);
    return launch(cl, &a, "mote_channel_affine_f32", 1, &global, &local);
}

/* --------------------------------------------------------------- rows */

mote_status mote_cl_softmax(mote_cl *cl, int64_t rows, int64_t n, mote_cl_mem x,
                            mote_cl_mem y, int log)
{
    kargs a = start(cl, MOTE_CL_K_softmax_f32);
    arg_long(&a, n);
    arg_mem(&a, x, NULL);
    arg_mem(&a, y, NULL);
    arg_int(&a, log);
    size_t local = (size_t)cl->norm_wg, global = (size_t)rows * local;
    return launch(cl, &a, "mote_softmax_f32", 1, &global, &local);
}

mote_status mote_cl_layernorm(mote_cl *cl, int64_t rows, int64_t n, mote_cl_mem x,
                              mote_cl_mem gamma, mote_cl_mem beta, float eps, mote_cl_mem y)
{
    kargs a = start(cl, MOTE_CL_K_layernorm_f32);
    arg_long(&a, n);
    arg_mem(&a, x, NULL);
    arg_mem(&a, gamma, x.mem);
    arg_int(&a, gamma.mem != NULL);
    arg_mem(&a, beta, x.mem);
    arg_int(&a, beta.mem != NULL);
    arg_float(&a, eps);
    arg_mem(&a, y, NULL);
    size_t local = (size_t)cl->norm_wg, global = (size_t)rows * local;
    return launch(cl, &a, "mote_layernorm_f32", 1, &global, &local);
}

mote_status mote_cl_rmsnorm(mote_cl *cl, int64_t rows, int64_t n, mote_cl_mem x,
                            mote_cl_mem gamma, float eps, mote_cl_mem y)
{
    kargs a = start(cl, MOTE_CL_K_rmsnorm_f32);
    arg_long(&a, n);
    arg_mem(&a, x, NULL);
    arg_mem(&a, gamma, x.mem);
    arg_int(&a, gamma.mem != NULL);
    arg_float(&a, eps);
    arg_mem(&a, y, NULL);
    size_t local = (size_t)cl->norm_wg, global = (size_t)rows * local;
    return launch(cl, &a, "mote_rmsnorm_f32", 1, &global, &local);
}

/* ---------------------------------------------------------------- LLM */

/* the position arguments: a buffer (an absent one passes stand_in) */
static void arg_pos(kargs *a, const mote_cl_pos *p, cl_mem stand_in)
{
    arg_mem(a, p->at, stand_in);
    arg_int(a, p->at.mem ? p->kind : 0);
}

mote_status mote_cl_rope(mote_cl *cl, int64_t n_heads, int64_t hs, int64_t pos, float theta,
                         mote_cl_mem x)
{
    mote_cl_pos p = {{NULL, 0}, 0};
    return mote_cl_rope_rows(cl, 1, n_heads, hs, &p, pos, theta, x, x);
}

mote_status mote_cl_rope_rows(mote_cl *cl, int64_t T, int64_t n_heads, int64_t hs, const mote_cl_pos *pos,
                              int64_t pos_add, float theta, mote_cl_mem x, mote_cl_mem y)
{
    if (hs <= 0 || hs % 2)
        return mote_error(MOTE_ERR_ARG, "mote_cl_rope: head size %lld is not even", (long long)hs);
    kargs a = start(cl, MOTE_CL_K_rope_f32);
    arg_long(&a, n_heads);
    arg_long(&a, hs);
    arg_float(&a, theta);
    arg_pos(&a, pos, x.mem);
    arg_long(&a, pos_add);
    arg_mem(&a, x, NULL);
    arg_mem(&a, y, NULL);
    size_t local[3] = {16, 1, 1};
    size_t global[3] = {round_up((size_t)(hs / 2), 16), (size_t)n_heads, (size_t)T};
    return launch(cl, &a, "mote_rope_f32", 3, global, local);
}

mote_status mote_cl_kv_store(mote_cl *cl, int64_t T, int64_t kvd, int64_t max_seq, const mote_cl_pos *pos,
                             mote_cl_mem k, mote_cl_mem v, mote_cl_mem kc, mote_cl_mem vc)
{
    if (!pos->at.mem) return mote_error(MOTE_ERR_ARG, "mote_cl_kv_store: no position buffer");
    kargs a = start(cl, MOTE_CL_K_kv_store_f32);
    arg_long(&a, T);
    arg_long(&a, kvd);
    arg_long(&a, max_seq);
    arg_pos(&a, pos, NULL);
    arg_mem(&a, k, NULL);
    arg_mem(&a, v, NULL);
    arg_mem(&a, kc, NULL);
    arg_mem(&a, vc, NULL);
    size_t local[2] = {64, 1};
    size_t global[2] = {round_up((size_t)kvd, 64), (size_t)T};
    return launch(cl, &a, "mote_kv_store_f32", 2, global, local);
}

mote_status mote_cl_attention(mote_cl *cl, int64_t T, int64_t n_heads, int64_t kv_mul, int64_t hs,
                              int64_t max_seq, float scale, const mote_cl_pos *pos, mote_cl_mem q,
                              mote_cl_mem kc, mote_cl_mem vc, mote_cl_mem s, mote_cl_mem y)
{
    if (kv_mul <= 0 || n_heads % kv_mul)
        return mote_error(MOTE_ERR_ARG, "mote_cl_attention: %lld heads do not share %lld-fold",
                          (long long)n_heads, (long long)kv_mul);
    if (!pos->at.mem) return mote_error(MOTE_ERR_ARG, "mote_cl_attention: no position buffer");
    kargs a = start(cl, MOTE_CL_K_attention_f32);
    arg_long(&a, T);
    arg_long(&a, hs);
    arg_long(&a, kv_mul);
    arg_long(&a, max_seq);
    arg_float(&a, scale);
    arg_pos(&a, pos, NULL);
    arg_mem(&a, q, NULL);
    arg_mem(&a, kc, NULL);
    arg_mem(&a, vc, NULL);
    arg_mem(&a, s, NULL);
    arg_mem(&a, y, NULL);
    size_t local[2] = {(size_t)cl->norm_wg, 1};
    size_t global[2] = {(size_t)n_heads * local[0], (size_t)T};
    return launch(cl, &a, "mote_attention_f32", 2, global, local);
}

mote_status mote_cl_swiglu(mote_cl *cl, int64_t n, mote_cl_mem a_, mote_cl_mem b, mote_cl_mem y)
{
    kargs a = start(cl, MOTE_CL_K_swiglu_f32);
    arg_long(&a, n);
    arg_mem(&a, a_, NULL);
    arg_mem(&a, b, NULL);
    arg_mem(&a, y, NULL);
    size_t local = 64, global = round_up((size_t)n, 64);
    return launch(cl, &a, "mote_swiglu_f32", 1, &global, &local);
}

mote_status mote_cl_attend(mote_cl *cl, int64_t n_heads, int64_t kv_mul, int64_t n, int64_t hs,
                           float scale, mote_cl_mem q, mote_cl_mem k, mote_cl_mem v, int64_t ld,
                           mote_cl_mem s, int64_t s_ld, mote_cl_mem y)
{
    if (kv_mul <= 0 || n_heads % kv_mul)
        return mote_error(MOTE_ERR_ARG, "mote_cl_attend: %lld heads do not share %lld-fold",
                          (long long)n_heads, (long long)kv_mul);
    kargs a = start(cl, MOTE_CL_K_attend_f32);
    arg_long(&a, n);
    arg_long(&a, hs);
    arg_long(&a, kv_mul);
    arg_float(&a, scale);
    arg_mem(&a, q, NULL);
    arg_mem(&a, k, NULL);
    arg_mem(&a, v, NULL);
    arg_long(&a, ld);
    arg_mem(&a, s, NULL);
    arg_long(&a, s_ld);
    arg_mem(&a, y, NULL);
    size_t local = (size_t)cl->norm_wg, global = (size_t)n_heads * local;
    return launch(cl, &a, "mote_attend_f32", 1, &global, &local);
}
