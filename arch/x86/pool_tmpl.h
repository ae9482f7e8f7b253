/*
 * pool_tmpl.h — 2-D max and average pooling (NCHW, channels [c0, c1) of one
 * image, any window, stride, pad, dilation, ceil-mode extent), written once
 * over the vector shim and instantiated per ISA (pool_<isa>.c defines
 * POOL_NAME).
 *
 * Each output row is split into columns. Interior columns are those whose
 * every horizontal tap lies inside the image row (ix0 = ox*sw - pw >= 0 and
 * ix0 + (KW-1)*dw <= W-1). With column stride 1 or 2 they run VLEN outputs
 * at a time: whole blocks, the last block shifted left to end at the last
 * interior column (it recomputes a few outputs with the same operations,
 * so the same bits); fewer than VLEN interior columns run one masked block.
 * At stride 2 the last block loads only its taps (v_load_s2_n), where the
 * whole de-interleaving load v_load_s2 would read one float past the last
 * one: a row whose windows tile it exactly (PP-OCRv4's 3x2 stride-3x2
 * average of 80 columns) needs no scalar column. Edge columns (windows
 * partly outside the row) and every other column stride run one output at
 * a time with bounds checks. Rows outside the image are skipped in both paths.
 * 3x3 stride-2 max pooling runs by rows instead (pool_max_rows below):
 * each input row's horizontal maxima once, then the vertical maxima.
 *
 * Max: m = -inf, then for each in-image tap in (ky, kx) order
 *   m = (x > m) ? x : m,
 * which is the reference's test and also exactly what v_max(x, m) computes
 * (maxps returns its second operand when the compare is false, NaN
 * included): NaN taps never win, pads never win, a window with no
 * in-image tap gives -inf, and the order of the taps is the reference's,
 * so even the sign of a zero maximum matches. Bit-identical to the reference.
 *
 * Average: sum = 0, then sum += x for each in-image tap in (ky, kx) order
 * (one rounding per add, the reference's order, no fused operations), then
 * sum / count with count = taps inside the padded extent
 * [-ph, H + ph_end) x [-pw, W + pw_end) if count_include_pad, else in-image
 * taps; a window with count 0 gives 0. The count is separable: counted rows
 * times counted columns. Every lane runs the same sequence of IEEE
 * operations as the reference, so the result is bit-identical to it too
 * (the tests assert exact equality).
 *
 * Not here: global average pooling (elementwise_tmpl.h), output-size and
 * ceil_mode arithmetic (the op layer), NHWC layouts.
 */
#include <math.h>
#include <stdint.h>
#include "kernels.h"

/* One channel's geometry, shared by the scalar and vector paths. */
typedef struct {
    const float *x;            /* (H, W) one channel */
    int64_t H, W, KH, KW, dh, dw;
    int64_t ph, pw, ph_end, pw_end;
} pool_geom;

/* n <= VLEN taps of one window row for outputs ox..ox+n-1 (column stride
 * sw, 1 or 2), p at the first output's tap, zeros in lanes past n; tail:
 * the block ends at the row's last interior column, where the whole
 * stride-2 load would read one float past the last tap (past the tensor,
 * in its last row), so that block loads exactly its taps */
static inline vf pool_ld(const float *p, int64_t sw, int64_t n, int tail)
{
    if (sw == 1)
        return n == VLEN ? v_load(p) : v_load_n(p, n);
    return n == VLEN && !tail ? v_load_s2(p) : v_load_s2_n(p, n);
}

/* Reference semantics for one output whose window starts at (iy0, ix0);
 * window rows [ky0, ky1) are the ones inside the image (mote_window_taps,
 * found once per output row by the caller). */
static inline float pool_max1(const pool_geom *g, int64_t iy0, int64_t ky0, int64_t ky1, int64_t ix0)
{
    float m = -INFINITY;
    int64_t kx0, kx1;
    mote_window_taps(ix0, g->dw, g->KW, 0, g->W, &kx0, &kx1);
    for (int64_t ky = ky0; ky < ky1; ky++) {
        const float *r = g->x + (iy0 + ky * g->dh) * g->W;
        for (int64_t kx = kx0; kx < kx1; kx++) {
            int64_t ix = ix0 + kx * g->dw;
            if (r[ix] > m) m = r[ix];
        }
    }
    return m;
}

/* Taps with column ix0 + kx*dw inside [lo, hi), kx < KW. */
static inline int64_t pool_cols_in(const pool_geom *g, int64_t ix0, int64_t lo, int64_t hi)
{
    int64_t k0, k1;
    mote_window_taps(ix0, g->dw, g->KW, lo, hi, &k0, &k1);
    return k1 - k0;
}

/* Sum of the in-image taps in (ky, kx) order divided by count; rows is the
 * number of counted rows of this output row (see pool_avg_row). */
static inline float pool_avg1(const pool_geom *g, int64_t iy0, int64_t ky0, int64_t ky1, int64_t ix0,
                              int64_t rows, int incl)
{
    float sum = 0.0f;
    int64_t kx0, kx1;
    mote_window_taps(ix0, g->dw, g->KW, 0, g->W, &kx0, &kx1);
    for (int64_t ky = ky0; ky < ky1; ky++) {
        const float *r = g->x + (iy0 + ky * g->dh) * g->W;
        for (int64_t kx = kx0; kx < kx1; kx++) sum += r[ix0 + kx * g->dw];
    }
    int64_t cols = incl ? pool_cols_in(g, ix0, -g->pw, g->W + g->pw_end)
                        : pool_cols_in(g, ix0, 0, g->W);
    int64_t count = mote_taps_product(rows, cols);
    return count ? sum / (float)count : 0.0f;
}

/* Max of n <= VLEN interior outputs (tail: see pool_ld). */
static inline vf pool_maxv(const pool_geom *g, int64_t iy0, int64_t ky0, int64_t ky1, int64_t ix0, int64_t sw,
                             int64_t n, int tail)
{
    vf m = v_set1(-INFINITY);
    for (int64_t ky = ky0; ky < ky1; ky++) {
        const float *r = g->x + (iy0 + ky * g->dh) * g->W + ix0;
        if (g->KW == 3 && g->dw == 1) {
            /* the common 3-wide window, unrolled */
            m = v_max(pool_ld(r, sw, n, tail), m);
            m = v_max(pool_ld(r + 1, sw, n, tail), m);
            m = v_max(pool_ld(r + 2, sw, n, tail), m);
        } else {
            for (int64_t kx = 0; kx < g->KW; kx++) m = v_max(pool_ld(r + kx * g->dw, sw, n, tail), m);
        }
    }
    return m;
}

/* Sum of n <= VLEN interior outputs, in (ky, kx) order (tail: see pool_ld). */
static inline vf pool_sumv(const pool_geom *g, int64_t iy0, int64_t ky0, int64_t ky1, int64_t ix0, int64_t sw,
                             int64_t n, int tail)
{
    vf s = v_zero();
    for (int64_t ky = ky0; ky < ky1; ky++) {
        const float *r = g->x + (iy0 + ky * g->dh) * g->W + ix0;
        for (int64_t kx = 0; kx < g->KW; kx++) s = v_add(s, pool_ld(r + kx * g->dw, sw, n, tail));
    }
    return s;
}

/* Columns [lo, hi) of an output row that the vector path may take, for
 * column stride sw, pad pw; both 0 when none. */
static void pool_interior(const pool_geom *g, int64_t OW, int64_t sw, int64_t *lo, int64_t *hi)
{
    *lo = *hi = 0;
    if (sw != 1 && sw != 2) return;
    /* first column with ox*sw - pw >= 0 */
    int64_t l = (g->pw + sw - 1) / sw;
    /* last tap column <= W - 1 */
    int64_t room = g->W - 1 - (g->KW - 1) * g->dw + g->pw;
    if (room < 0) return;
    int64_t h = room / sw + 1;
    if (h > OW) h = OW;
    if (l >= h) return;
    *lo = l;
    *hi = h;
}

typedef struct {
    const mote_pool2d_args *a;
    pool_geom g;
    int64_t lo, hi;            /* vector columns of every output row */
} pool_ctx;

static pool_ctx pool_setup(const mote_pool2d_args *a)
{
    pool_ctx p;
    p.a = a;
    p.g = (pool_geom){ NULL, a->H, a->W, a->KH, a->KW, a->dh, a->dw,
                       a->ph, a->pw, a->ph_end, a->pw_end };
    pool_interior(&p.g, a->OW, a->sw, &p.lo, &p.hi);
    return p;
}

static void pool_max_row(const pool_ctx *p, int64_t iy0, float *yr)
{
    const pool_geom *g = &p->g;
    const int64_t sw = p->a->sw, OW = p->a->OW, lo = p->lo, hi = p->hi;
    int64_t ky0, ky1;
    mote_window_taps(iy0, g->dh, g->KH, 0, g->H, &ky0, &ky1);
    int64_t ox = 0;
    for (; ox < lo; ox++) yr[ox] = pool_max1(g, iy0, ky0, ky1, ox * sw - g->pw);
    if (hi - lo >= VLEN) {
        for (; ox + VLEN < hi; ox += VLEN)
            v_store(yr + ox, pool_maxv(g, iy0, ky0, ky1, ox * sw - g->pw, sw, VLEN, 0));
        ox = hi - VLEN;
        v_store(yr + ox, pool_maxv(g, iy0, ky0, ky1, ox * sw - g->pw, sw, VLEN, 1));
        ox = hi;
    } else if (hi > lo) {
        v_store_n(yr + lo, pool_maxv(g, iy0, ky0, ky1, lo * sw - g->pw, sw, hi - lo, 1), hi - lo);
        ox = hi;
    }
    for (; ox < OW; ox++) yr[ox] = pool_max1(g, iy0, ky0, ky1, ox * sw - g->pw);
}

static void pool_avg_row(const pool_ctx *p, int64_t iy0, float *yr)
{
    const pool_geom *g = &p->g;
    const int incl = p->a->count_include_pad;
    const int64_t sw = p->a->sw, OW = p->a->OW, lo = p->lo, hi = p->hi;
    /* counted rows of this output row: in the padded extent, or in the image */
    int64_t ky0, ky1, r0, r1;
    mote_window_taps(iy0, g->dh, g->KH, 0, g->H, &ky0, &ky1);
    if (incl) mote_window_taps(iy0, g->dh, g->KH, -g->ph, g->H + g->ph_end, &r0, &r1);
    else r0 = ky0, r1 = ky1;
    const int64_t rows = r1 - r0;
    /* interior columns count all KW taps either way */
    const int64_t count = mote_taps_product(rows, g->KW);
    const vf cnt = v_set1((float)count);
    int64_t ox = 0;
    for (; ox < lo; ox++) yr[ox] = pool_avg1(g, iy0, ky0, ky1, ox * sw - g->pw, rows, incl);
    if (hi > lo && count == 0) {
        /* no counted tap: the reference's 0 */
        for (; ox < hi; ox++) yr[ox] = 0.0f;
    } else if (hi - lo >= VLEN) {
        for (; ox + VLEN < hi; ox += VLEN)
            v_store(yr + ox, v_div(pool_sumv(g, iy0, ky0, ky1, ox * sw - g->pw, sw, VLEN, 0), cnt));
        ox = hi - VLEN;
        v_store(yr + ox, v_div(pool_sumv(g, iy0, ky0, ky1, ox * sw - g->pw, sw, VLEN, 1), cnt));
        ox = hi;
    } else if (hi > lo) {
        v_store_n(yr + lo, v_div(pool_sumv(g, iy0, ky0, ky1, lo * sw - g->pw, sw, hi - lo, 1), cnt), hi - lo);
        ox = hi;
    }
    for (; ox < OW; ox++) yr[ox] = pool_avg1(g, iy0, ky0, ky1, ox * sw - g->pw, rows, incl);
}

/* 3x3 windows, stride 2, dilation 1 (ResNet's stem), by rows: each
 * input row's horizontal maxima (3 taps, every second column) are computed
 * once into one of three row buffers, and each output row is the maximum
 * of its (up to) three rows' buffers, in ky order. The maximum of maxima
 * taken in (ky, kx) order is the reference's (the first tap holding the
 * largest value, NaN never winning, -inf when nothing is in the image):
 * the same bits, with each input row de-interleaved once instead of
 * three times and the edge columns' scalar taps done per input row. */
#define POOL_ROWS_MAX 1024     /* output columns a row buffer holds */

static int pool_rows_apply(const mote_pool2d_args *a)
{
    return a->KH == 3 && a->KW == 3 && a->sh == 2 && a->sw == 2 && a->dh == 1 && a->dw == 1 &&
           a->OW <= POOL_ROWS_MAX;
}

/* h[ox] = max of row xr's taps 2*ox - pw + {0, 1, 2} inside the row */
static inline float pool_hmax3_1(const pool_geom *g, const float *xr, int64_t ox)
{
    float m = -INFINITY;
    for (int64_t kx = 0; kx < 3; kx++) {
        int64_t ix = 2 * ox - g->pw + kx;
        if (ix >= 0 && ix < g->W && xr[ix] > m) m = xr[ix];
    }
    return m;
}

/* n <= VLEN interior outputs from ox (tail: see pool_ld) */
static inline vf pool_hmax3_v(const pool_geom *g, const float *xr, int64_t ox, int64_t n, int tail)
{
    const float *r = xr + 2 * ox - g->pw;
    vf m = v_max(pool_ld(r, 2, n, tail), v_set1(-INFINITY));
    m = v_max(pool_ld(r + 1, 2, n, tail), m);
    return v_max(pool_ld(r + 2, 2, n, tail), m);
}

static void pool_hmax3_s2(const pool_ctx *p, const float *xr, float *h)
{
    const pool_geom *g = &p->g;
    const int64_t OW = p->a->OW, lo = p->lo, hi = p->hi;
    int64_t ox = 0;
    for (; ox < lo; ox++) h[ox] = pool_hmax3_1(g, xr, ox);
    if (hi - lo >= VLEN) {
        for (; ox + VLEN < hi; ox += VLEN) v_store(h + ox, pool_hmax3_v(g, xr, ox, VLEN, 0));
        /* the last block ends at hi: recomputed outputs, same bits */
        v_store(h + hi - VLEN, pool_hmax3_v(g, xr, hi - VLEN, VLEN, 1));
        ox = hi;
    } else if (hi > lo) {
        v_store_n(h + lo, pool_hmax3_v(g, xr, lo, hi - lo, 1), hi - lo);
        ox = hi;
    }
    for (; ox < OW; ox++) h[ox] = pool_hmax3_1(g, xr, ox);
}

static void pool_max_rows(const pool_ctx *p, const float *x, float *y)
{
    const mote_pool2d_args *a = p->a;
    const int64_t OW = a->OW;
    float h[3][POOL_ROWS_MAX];
    int64_t held[3] = {-1, -1, -1};   /* the input row in each buffer */
    for (int64_t oy = 0; oy < a->OH; oy++) {
        int64_t iy0 = oy * 2 - a->ph;
        const float *rows[3];
        int nr = 0;
        for (int64_t iy = iy0; iy < iy0 + 3; iy++) {
            if (iy < 0 || iy >= a->H)
                continue;
            int slot = (int)(iy % 3);
            if (held[slot] != iy) {
                pool_hmax3_s2(p, x + iy * a->W, h[slot]);
                held[slot] = iy;
            }
            rows[nr++] = h[slot];
        }
        float *yr = y + oy * OW;
        for (int64_t ox = 0; ox < OW; ox += VLEN) {
            int64_t n = OW - ox < VLEN ? OW - ox : VLEN;
            vf m = v_set1(-INFINITY);
            for (int k = 0; k < nr; k++)
                m = v_max(n == VLEN ? v_load(rows[k] + ox) : v_load_n(rows[k] + ox, n), m);
            if (n == VLEN)
                v_store(yr + ox, m);
            else
                v_store_n(yr + ox, m, n);
        }
    }
}

/* y[c, oy, ox] = max over the window (see the file comment), c in [c0, c1) */
void POOL_NAME(maxpool2d)(const mote_pool2d_args *a)
{
    pool_ctx p = pool_setup(a);
    if (pool_rows_apply(a)) {
        for (int64_t c = a->c0; c < a->c1; c++)
            pool_max_rows(&p, a->x + c * a->H * a->W, a->y + c * a->OH * a->OW);
        return;
    }
    for (int64_t c = a->c0; c < a->c1; c++) {
        p.g.x = a->x + c * a->H * a->W;
        for (int64_t oy = 0; oy < a->OH; oy++)
            pool_max_row(&p, oy * a->sh - a->ph, a->y + (c * a->OH + oy) * a->OW);
    }
}

/* y[c, oy, ox] = sum over the window / count (see the file comment) */
void POOL_NAME(avgpool2d)(const mote_pool2d_args *a)
{
    pool_ctx p = pool_setup(a);
    for (int64_t c = a->c0; c < a->c1; c++) {
        p.g.x = a->x + c * a->H * a->W;
        for (int64_t oy = 0; oy < a->OH; oy++)
            pool_avg_row(&p, oy * a->sh - a->ph, a->y + (c * a->OH + oy) * a->OW);
    }
}
