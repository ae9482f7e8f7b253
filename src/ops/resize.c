/*
 * resize.c — Resize (opset 10, 11, 13) and Upsample (opset 7
 * attribute scales, opset 9 input scales), f32, any rank.
 *
 * Output size: sizes, or floor(in * scale). For every axis and output
 * position the source coordinate is (ONNX, out_f = scale * in as a real):
 *   half_pixel:           (o + 0.5) / scale - 0.5
 *   pytorch_half_pixel:   out_f > 1 ? (o + 0.5) / scale - 0.5 : -0.5
 *   align_corners:        out_f > 1 ? o (in - 1) / (out_f - 1) : 0
 *   asymmetric:           o / scale
 *   tf_half_pixel_for_nn: (o + 0.5) / scale
 *   tf_crop_and_resize:   start (in-1) + o (end - start)(in-1)/(out_f-1) (roi input);
 *                         outside [0, in-1] the output is extrapolation_value
 * then, with f = floor(c), r = c - f (r = 1 at integers: the left neighbour):
 *   nearest: one tap f + (r > 0.5 | r >= 0.5 | 0 | 1) per nearest_mode
 *            (round_prefer_floor, round_prefer_ceil, floor, ceil);
 *   linear:  taps f, f+1 with weights 1-r, r;
 *   cubic:   taps f-1..f+2 with Keys' weights for cubic_coeff_a; with
 *            exclude_outside, taps outside the input get 0 and the rest are
 *            renormalized.
 * Tap indices are clamped into the input (edge padding). The taps are
 * computed once per session; the kernel (kernels/resize_ref.c) sums them per
 * output row, rows split over the pool. When only two consecutive axes
 * change (NCHW or NHWC images, feature maps) each output row is summed from
 * its few source rows with the same products in the same order (the
 * kernel table's resize_row_f32, with whole channel blocks per tap when
 * unchanged axes follow the pair; its horizontal taps as planar int32
 * tables made here), so the bits are the general kernel's without its
 * per-element index walk, and a row whose vertical taps repeat the
 * previous row's is copied. Upsample and opset-10 Resize use
 * asymmetric coordinates and floor for nearest. Scales, sizes and roi
 * must be constants (they fix the output shape).
 */
#include <math.h>
#include <string.h>
#include "op_util.h"

enum { NEAREST, LINEAR, CUBIC };
enum { HALF_PIXEL, PYTORCH_HALF_PIXEL, ALIGN_CORNERS, ASYMMETRIC, TF_HALF_PIXEL_FOR_NN,
       TF_CROP_AND_RESIZE };
enum { ROUND_PREFER_FLOOR, ROUND_PREFER_CEIL, FLOOR, CEIL };

typedef struct resize_cfg {
    int nd;
    int64_t in[MOTE_MAX_DIMS], out[MOTE_MAX_DIMS];
    double scale[MOTE_MAX_DIMS];
    double roi[2 * MOTE_MAX_DIMS];
    int mode, coord, nearest;
    float cubic_a, extrap;
    int exclude_outside;
} resize_cfg;

typedef struct resize_params {
    int nd;
    int64_t in[MOTE_MAX_DIMS], out[MOTE_MAX_DIMS];
    int taps[MOTE_MAX_DIMS];
    const int64_t *idx[MOTE_MAX_DIMS];   /* (out[d] * taps[d]) source index or -1 */
    const float *wt[MOTE_MAX_DIMS];      /* (out[d] * taps[d])                    */
    float extrap;
    int pair;                            /* -1, or h: only axes h, h+1 change */
    int64_t outer, block;                /* sizes of the unchanged axes before h and after h+1 */
    /* the pair case's tables for axis w = h+1 (mote_resize_row_args) */
    const int32_t *iw32;                 /* (taps[w] * out[w]) tap-major */
    const float *ww32;                   /* (taps[w] * out[w]) tap-major */
    const int32_t *span;                 /* (2 * ceil(out[w] / 8))        */
    const uint8_t *same_row;             /* (out[h]): row oh's taps are row oh-1's */
    void (*row_fn)(const mote_resize_row_args *a);
} resize_params;

typedef struct resize_job {
    const resize_params *p;
    const float *x;
    float *y;
} resize_job;

static void resize_chunk(void *ctx, int64_t b, int64_t e, int thread)
{
    (void)thread;
    const resize_job *j = ctx;
    const resize_params *p = j->p;
    mote_resize_f32_ref(j->x, j->y, p->nd, p->in, p->out, p->taps, p->idx, p->wt, p->extrap, b, e);
}

/* Output rows [b, e) of the pair case, viewed as [outer, OH, OW, block]:
 * row r = plane * OH + oh (OW * block values) reads the taps[h] source
 * rows of its plane; the sums are the reference's. A row whose vertical
 * taps are the previous row's (nearest upsampling) is that row's copy:
 * the same sums give the same bits, so this holds for any split. */
static void resize_pair_chunk(void *ctx, int64_t b, int64_t e, int thread)
{
    (void)thread;
    const resize_job *j = ctx;
    const resize_params *p = j->p;
    int h = p->pair, w = h + 1, TH = p->taps[h];
    int64_t OH = p->out[h], OW = p->out[w], IH = p->in[h], IW = p->in[w], C = p->block;
    const float *rows[4];
    mote_resize_row_args a = {rows, NULL, TH, p->taps[w], p->iw32, p->ww32, p->span, OW, IW, C,
                              p->extrap, NULL};
    int64_t plane = b / OH, oh = b % OH - 1;   /* stepped along, no division per row */
    for (int64_t r = b; r < e; r++) {
        if (++oh == OH) {
            oh = 0;
            plane++;
        }
        const int64_t *ih = p->idx[h] + oh * TH;
        float *y = j->y + r * OW * C;
        if (r > b && oh > 0 && p->same_row[oh]) {
            memcpy(y, y - OW * C, sizeof(float) * (size_t)(OW * C));
            continue;
        }
        if (ih[0] < 0) {
            for (int64_t i = 0; i < OW * C; i++)
                y[i] = p->extrap;
            continue;
        }
        for (int t = 0; t < TH; t++)
            rows[t] = j->x + (plane * IH + ih[t]) * IW * C;
        a.wh = p->wt[h] + oh * TH;
        a.y = y;
        p->row_fn(&a);
    }
}

static void run_resize(const mote_step *s)
{
    const resize_params *p = s->params;
    if (mote_dims_prod(p->out, p->nd) == 0)
        return;
    resize_job j = {p, s->in[0]->data, s->out[0]->data};
    if (p->pair >= 0) {
        int64_t rows = p->outer * p->out[p->pair], len = p->out[p->pair + 1] * p->block;
        mote_pool_for(s->pool, rows, len >= 256 ? 1 : 256 / len + 1, resize_pair_chunk, &j);
        return;
    }
    int64_t rows = mote_dims_prod(p->out, p->nd - 1);
    int64_t grain = p->out[p->nd - 1] >= 256 ? 1 : 256 / p->out[p->nd - 1] + 1;
    mote_pool_for(s->pool, rows, grain, resize_chunk, &j);
}

/* True when axis d maps every output position o to input position o: of
 * its taps, exactly one has a non-zero weight, that weight is 1 and its
 * index is o, and none lies outside (linear and cubic give an unchanged
 * axis the weights 0, 1 or 0, 1, 0, 0; the reference skips zero-weight
 * terms and multiplying by 1 is exact, so the axis drops out of its sums). */
static int axis_unchanged(const resize_params *p, int d)
{
    if (p->out[d] != p->in[d])
        return 0;
    for (int64_t o = 0; o < p->out[d]; o++) {
        int ones = 0;
        for (int t = 0; t < p->taps[d]; t++) {
            int64_t i = p->idx[d][o * p->taps[d] + t];
            float w = p->wt[d][o * p->taps[d] + t];
            if (i < 0 || (w != 0.0f && (w != 1.0f || i != o)))
                return 0;
            ones += w == 1.0f;
        }
        if (ones != 1)
            return 0;
    }
    return 1;
}

/* Sets p->pair to h when every axis but h and h+1 is unchanged (then an
 * output row is a weighted sum of source rows of its own plane, each
 * position a contiguous block), else to -1; makes the tables of the row
 * kernel. */
static mote_status find_pair(mote_op_ctx *c, resize_params *p)
{
    p->pair = -1;
    if (p->nd < 2)
        return MOTE_OK;
    int lo = -1, hi = -1;
    for (int d = 0; d < p->nd; d++)
        if (!axis_unchanged(p, d)) {
            if (lo < 0)
                lo = d;
            hi = d;
        }
    if (lo >= 0 && hi - lo > 1)
        return MOTE_OK;
    int h = lo < 0 ? p->nd - 2 : lo == p->nd - 1 ? lo - 1 : lo, w = h + 1;
    if (p->taps[h] > 4 || p->in[w] > INT32_MAX)
        return MOTE_OK;
    int64_t OW = p->out[w], OH = p->out[h];
    int TW = p->taps[w], TH = p->taps[h];
    int32_t *iw = mote_ctx_alloc(c, sizeof(int32_t) * (size_t)(TW * OW + 1));
    float *ww = mote_ctx_alloc(c, sizeof(float) * (size_t)(TW * OW + 1));
    int32_t *span = mote_ctx_alloc(c, sizeof(int32_t) * (size_t)(2 * ((OW + 7) / 8) + 1));
    uint8_t *same = mote_ctx_alloc(c, (size_t)OH + 1);
    if (!iw || !ww || !span || !same)
        return MOTE_ERR_NOMEM;
    for (int64_t o = 0; o < OW; o++)
        for (int t = 0; t < TW; t++) {
            iw[t * OW + o] = (int32_t)p->idx[w][o * TW + t];
            ww[t * OW + o] = p->wt[w][o * TW + t];
        }
    mote_resize_row_span(iw, TW, OW, span);
    for (int64_t o = 0; o < OH; o++) {
        same[o] = o > 0;
        for (int t = 0; t < TH && same[o]; t++)
            same[o] = p->idx[h][o * TH + t] == p->idx[h][(o - 1) * TH + t] &&
                      !memcmp(&p->wt[h][o * TH + t], &p->wt[h][(o - 1) * TH + t], sizeof(float));
    }
    p->iw32 = iw;
    p->ww32 = ww;
    p->span = span;
    p->same_row = same;
    p->row_fn = c->k->general.resize_row_f32;
    p->outer = mote_dims_prod(p->out, h);
    p->block = mote_dims_prod(p->out + h + 2, p->nd - h - 2);
    p->pair = h;
    return MOTE_OK;
}

static int pick(const char *s, const char *const *names, int n)
{
    for (int i = 0; i < n; i++)
        if (!strcmp(s, names[i]))
            return i;
    return -1;
}

/* The constant f32 values of input i (n of them) or an error. */
static mote_status const_floats(const mote_op_ctx *c, int i, const char *what, int n, double *out)
{
    const mote_tensor *t = c->in[i];
    if (t->dtype != MOTE_F32)
        return mote_op_error(c, MOTE_ERR_SHAPE, "input %d (%s) must be f32, not %s", i, what,
                             mote_op_dtype_name(t->dtype));
    if (!t->data)
        return mote_op_error(c, MOTE_ERR_UNSUPPORTED, "input %d (%s) must be a constant: the output "
                             "shape is fixed when the session is made", i, what);
    if (mote_tensor_numel(t) != n)
        return mote_op_error(c, MOTE_ERR_SHAPE, "input %d (%s) has %lld values, expected %d", i,
                             what, (long long)mote_tensor_numel(t), n);
    for (int k = 0; k < n; k++)
        out[k] = ((const float *)t->data)[k];
    return MOTE_OK;
}

/* Reads inputs and attributes of Resize (upsample = 0) or Upsample. */
static mote_status resize_config(mote_op_ctx *c, int upsample, resize_cfg *g)
{
    static const char *const modes[] = {"nearest", "linear", "cubic"};
    static const char *const coords[] = {"half_pixel", "pytorch_half_pixel", "align_corners",
                                         "asymmetric", "tf_half_pixel_for_nn", "tf_crop_and_resize"};
    static const char *const nmodes[] = {"round_prefer_floor", "round_prefer_ceil", "floor", "ceil"};
    mote_status st;
    if ((st = mote_expect_dtype(c, 0, MOTE_F32)))
        return st;
    const mote_tensor *x = c->in[0];
    int r = x->ndim;
    if (r < 1)
        return mote_op_error(c, MOTE_ERR_SHAPE, "input X must have rank >= 1");
    memset(g, 0, sizeof *g);
    g->nd = r;
    memcpy(g->in, x->dims, sizeof g->in);
    const char *m = mote_attr_get_string(c->node, "mode", "nearest");
    g->mode = pick(m, modes, 3);
    if (upsample && !strcmp(m, "bilinear"))
        g->mode = LINEAR;
    if (g->mode < 0 || (upsample && g->mode == CUBIC))
        return mote_op_error(c, MOTE_ERR_UNSUPPORTED, "mode '%s' is not supported", m);
    int legacy = upsample || c->n_in == 2;   /* Upsample, Resize-10: asymmetric, floor */
    const char *cm = mote_attr_get_string(c->node, "coordinate_transformation_mode",
                                          legacy ? "asymmetric" : "half_pixel");
    g->coord = pick(cm, coords, 6);
    if (g->coord < 0)
        return mote_op_error(c, MOTE_ERR_UNSUPPORTED, "coordinate_transformation_mode '%s' is not "
                             "supported", cm);
    const char *nm = mote_attr_get_string(c->node, "nearest_mode",
                                          legacy ? "floor" : "round_prefer_floor");
    g->nearest = pick(nm, nmodes, 4);
    if (g->nearest < 0)
        return mote_op_error(c, MOTE_ERR_UNSUPPORTED, "nearest_mode '%s' is not supported", nm);
    g->cubic_a = mote_attr_get_float(c->node, "cubic_coeff_a", -0.75f);
    g->exclude_outside = mote_attr_get_int(c->node, "exclude_outside", 0) != 0;
    g->extrap = mote_attr_get_float(c->node, "extrapolation_value", 0.0f);
    if (mote_attr_get_int(c->node, "antialias", 0))
        return mote_op_error(c, MOTE_ERR_UNSUPPORTED, "antialias is not supported");
    if (mote_node_attr(c->node, "axes"))
        return mote_op_error(c, MOTE_ERR_UNSUPPORTED, "the axes attribute is not supported");
    if (mote_node_attr(c->node, "keep_aspect_ratio_policy") &&
        strcmp(mote_attr_get_string(c->node, "keep_aspect_ratio_policy", "stretch"), "stretch"))
        return mote_op_error(c, MOTE_ERR_UNSUPPORTED, "keep_aspect_ratio_policy other than stretch");

    int scales_in = upsample ? 1 : c->n_in == 2 ? 1 : 2;
    int have_sizes = !upsample && mote_op_has_input(c, 3);
    int have_scales = mote_op_has_input(c, scales_in) && mote_tensor_numel(c->in[scales_in]) > 0;
    if (upsample && c->n_in == 1) {   /* opset 7: scales attribute */
        const float *fs;
        int n = mote_attr_get_floats(c->node, "scales", &fs);
        if (n != r)
            return mote_op_error(c, MOTE_ERR_SHAPE, "scales attribute has %d values, rank is %d", n, r);
        for (int d = 0; d < r; d++)
            g->scale[d] = fs[d];
        have_scales = 0;
    } else if (have_sizes) {
        int64_t sz[MOTE_MAX_DIMS];
        int n;
        if (have_scales)
            return mote_op_error(c, MOTE_ERR_SHAPE, "give either scales or sizes, not both");
        if ((st = mote_op_const_ints(c, 3, "sizes", MOTE_MAX_DIMS, sz, &n)))
            return st;
        if (n != r)
            return mote_op_error(c, MOTE_ERR_SHAPE, "sizes has %d values, rank is %d", n, r);
        for (int d = 0; d < r; d++) {
            if (sz[d] < 0)
                return mote_op_error(c, MOTE_ERR_SHAPE, "sizes[%d] = %lld", d, (long long)sz[d]);
            g->out[d] = sz[d];
            g->scale[d] = x->dims[d] ? (double)sz[d] / (double)x->dims[d] : 1.0;
        }
    } else if (have_scales) {
        if ((st = const_floats(c, scales_in, "scales", r, g->scale)))
            return st;
    } else {
        return mote_op_error(c, MOTE_ERR_SHAPE, "needs scales or sizes");
    }
    if (!have_sizes)
        for (int d = 0; d < r; d++) {
            if (!(g->scale[d] > 0.0))
                return mote_op_error(c, MOTE_ERR_SHAPE, "scale[%d] = %g must be > 0", d, g->scale[d]);
            double o = floor((double)x->dims[d] * g->scale[d] + 1e-9);
            /* the scale comes from the file: converting a double past
             * INT64_MAX (or inf) is undefined */
            if (!(o < 9223372036854775808.0))
                return mote_op_error(c, MOTE_ERR_SHAPE, "scale[%d] = %g makes axis %d of size "
                                     "%lld %g long, more than %lld", d, g->scale[d], d,
                                     (long long)x->dims[d], o, (long long)INT64_MAX);
            g->out[d] = (int64_t)o;
        }
    for (int d = 0; d < r; d++)
        g->roi[r + d] = 1.0;
    if (g->coord == TF_CROP_AND_RESIZE) {
        if (!mote_op_has_input(c, 1))
            return mote_op_error(c, MOTE_ERR_SHAPE, "tf_crop_and_resize needs the roi input");
        if ((st = const_floats(c, 1, "roi", 2 * r, g->roi)))
            return st;
    }
    return MOTE_OK;
}

/* Source coordinate of output position o along axis d. */
static double source_coord(const resize_cfg *g, int d, int64_t o)
{
    double s = g->scale[d], in = (double)g->in[d], of = s * in;
    switch (g->coord) {
    case PYTORCH_HALF_PIXEL: return of > 1.0 ? ((double)o + 0.5) / s - 0.5 : -0.5;
    case ALIGN_CORNERS: return of > 1.0 ? (double)o * (in - 1.0) / (of - 1.0) : 0.0;
    case ASYMMETRIC: return (double)o / s;
    case TF_HALF_PIXEL_FOR_NN: return ((double)o + 0.5) / s;
    case TF_CROP_AND_RESIZE: {
        double a = g->roi[d], b = g->roi[g->nd + d];
        double v = of > 1.0 ? (double)o * (b - a) * (in - 1.0) / (of - 1.0) : (b - a) * (in - 1.0) / 2.0;
        return v + a * (in - 1.0);
    }
    default: return ((double)o + 0.5) / s - 0.5;
    }
}

/* Keys' cubic convolution weights of the taps f-1, f, f+1, f+2 at fraction r. */
static void cubic_weights(double r, double A, double *w)
{
    double t0 = r + 1.0, t1 = r, t2 = 1.0 - r, t3 = 2.0 - r;
    w[0] = ((A * t0 - 5.0 * A) * t0 + 8.0 * A) * t0 - 4.0 * A;
    w[1] = ((A + 2.0) * t1 - (A + 3.0)) * t1 * t1 + 1.0;
    w[2] = ((A + 2.0) * t2 - (A + 3.0)) * t2 * t2 + 1.0;
    w[3] = ((A * t3 - 5.0 * A) * t3 + 8.0 * A) * t3 - 4.0 * A;
}

static mote_status build_taps(mote_op_ctx *c, const resize_cfg *g, resize_params *p)
{
    p->nd = g->nd;
    p->extrap = g->extrap;
    memcpy(p->in, g->in, sizeof p->in);
    memcpy(p->out, g->out, sizeof p->out);
    for (int d = 0; d < g->nd; d++) {
        int T = g->mode == NEAREST ? 1 : g->mode == LINEAR ? 2 : 4;
        int64_t n = g->out[d], len = g->in[d];
        int64_t *idx = mote_ctx_alloc(c, sizeof(int64_t) * (size_t)(n * T + 1));
        float *wt = mote_ctx_alloc(c, sizeof(float) * (size_t)(n * T + 1));
        if (!idx || !wt)
            return MOTE_ERR_NOMEM;
        p->taps[d] = T;
        p->idx[d] = idx;
        p->wt[d] = wt;
        for (int64_t o = 0; o < n; o++) {
            double x = source_coord(g, d, o);
            int64_t *io = idx + o * T;
            float *wo = wt + o * T;
            if (len == 0 || isnan(x) || (g->coord == TF_CROP_AND_RESIZE && (x < 0.0 || x > (double)(len - 1)))) {
                for (int t = 0; t < T; t++) { io[t] = -1; wo[t] = 0.0f; }
                continue;
            }
            double f = floor(x), r = x - f;
            if (r == 0.0) {   /* an integer coordinate: its left neighbour with weight 1 */
                f -= 1.0;
                r = 1.0;
            }
            /* taps are clamped to [0, len) below: a far coordinate (a
             * file's scale or roi) is clamped first, so it converts */
            if (f < -4.0) f = -4.0;
            if (f > (double)len + 4.0) f = (double)len + 4.0;
            int64_t fi = (int64_t)f;
            double w[4];
            int64_t raw[4];
            if (g->mode == NEAREST) {
                int right = r == 1.0 ? 1 : g->nearest == ROUND_PREFER_FLOOR ? r > 0.5 :
                            g->nearest == ROUND_PREFER_CEIL ? r >= 0.5 : g->nearest == CEIL;
                raw[0] = fi + right;
                w[0] = 1.0;
            } else if (g->mode == LINEAR) {
                raw[0] = fi; raw[1] = fi + 1;
                w[0] = 1.0 - r; w[1] = r;
            } else {
                for (int t = 0; t < 4; t++)
                    raw[t] = fi - 1 + t;
                cubic_weights(r, g->cubic_a, w);
                if (g->exclude_outside) {
                    double sum = 0.0;
                    for (int t = 0; t < 4; t++) {
                        if (raw[t] < 0 || raw[t] >= len)
                            w[t] = 0.0;
                        sum += w[t];
                    }
                    for (int t = 0; t < 4; t++)
                        w[t] = sum != 0.0 ? w[t] / sum : 0.0;
                }
            }
            for (int t = 0; t < T; t++) {
                io[t] = raw[t] < 0 ? 0 : raw[t] >= len ? len - 1 : raw[t];
                wo[t] = (float)w[t];
            }
        }
    }
    return MOTE_OK;
}

static mote_status infer_any(mote_op_ctx *c, int upsample)
{
    resize_cfg g;
    mote_status st = resize_config(c, upsample, &g);
    if (st)
        return st;
    mote_set_out(c, 0, MOTE_F32, g.nd, g.out);
    return MOTE_OK;
}

static mote_status prepare_any(mote_op_ctx *c, int upsample)
{
    resize_cfg g;
    resize_params *p = mote_ctx_alloc(c, sizeof *p);
    if (!p)
        return MOTE_ERR_NOMEM;
    mote_status st = resize_config(c, upsample, &g);
    if (st || (st = build_taps(c, &g, p)))
        return st;
    if ((st = find_pair(c, p)))
        return st;
    c->params = p;
    c->run = run_resize;
    return MOTE_OK;
}

static mote_status infer_resize(mote_op_ctx *c) { return infer_any(c, 0); }
static mote_status prepare_resize(mote_op_ctx *c) { return prepare_any(c, 0); }
static mote_status infer_upsample(mote_op_ctx *c) { return infer_any(c, 1); }
static mote_status prepare_upsample(mote_op_ctx *c) { return prepare_any(c, 1); }

const mote_op mote_op_Resize = {"Resize", 1, 4, 1, 1, 0, infer_resize, prepare_resize, NULL};
const mote_op mote_op_Upsample = {"Upsample", 1, 2, 1, 1, 0, infer_upsample, prepare_upsample, NULL};
