/*
 * conv_tmpl.h — depthwise convolution (3x3, and any kernel up to 7x7;
 * stride 1 and 2 across vectorized, others by scalar paths) and im2col, written once over
 * the vector shim, instantiated per ISA (conv_<isa>.c defines CONV_NAME).
 *
 * Depthwise 3x3, and any kernel up to MOTE_DW_MAXK (stride 1 or 2 across,
 * any stride down, rows up to DW_ROW floats once padded): each input row a
 * channel needs is copied once into a zero-padded row (a ring of eight on
 * the stack), so every output column, edges included, runs
 * VLEN at a time from the padded rows (stride 2 de-interleaves two loads;
 * the last block stores only its valid lanes). Wider rows or other strides
 * locate the three input rows per output row, run the interior columns VLEN
 * at a time and the edge columns one at a time with bounds checks. Each
 * output is the sum of the products in (ky, kx) order by fused
 * multiply-adds (rounding differs from the reference's multiply-then-add
 * by an ulp or two; a padded tap adds w * 0), then bias, then the
 * activation.
 * Not here: general grouped/dilated convolution (the reference or
 * im2col + GEMM).
 */
#include <stdint.h>
#include <string.h>
#include "kernels.h"
#include "ref.h"
#include "vmath.h"

/* the depthwise entries' names: an ISA with a faster path for some shapes
 * names these its fallbacks */
#ifndef CONV_DW_NAME
#define CONV_DW_NAME(x) CONV_NAME(x)
#endif

static inline float dw_scalar(const float *const rows[3], const float *w, int64_t W, int64_t ix0)
{
    float acc = 0.0f;
    for (int ky = 0; ky < 3; ky++) {
        if (!rows[ky]) continue;
        for (int kx = 0; kx < 3; kx++) {
            int64_t ix = ix0 + kx;
            if (ix >= 0 && ix < W) acc = __builtin_fmaf(w[ky * 3 + kx], rows[ky][ix], acc);
        }
    }
    return acc;
}

static inline float dw_act1(float x, const mote_act *act)
{
    return v_hsum(v_keep_n(v_act(v_set1(x), act), 1));
}

/* floats in one padded row of the fast depthwise path (32 KiB on the
 * stack for the ring of eight; a multiple of VLEN) */
#define DW_ROW 1024
#define DW_RING 8   /* > MOTE_DW_MAXK rows in flight, a power of two */
/* floats in one padded plane of the small-map path (two on the stack,
 * 32 KiB): maps to 28x28 at stride 1 */
#define DW_PLANE 4096

#if defined(__GNUC__) || defined(__clang__)
#define DW_INLINE static inline __attribute__((always_inline))
#define DW_UNROLL _Pragma("GCC unroll 8")
#else
#define DW_INLINE static inline
#define DW_UNROLL
#endif

/* r[0, L) = 0 except r[pw, pw + W) = src[0, W) (src NULL: all zero), by
 * vector stores (rows of small maps are a few vectors: no memset/memcpy
 * calls). The zeroing writes whole vectors, up to VLEN - 1 floats past L:
 * a ring row has DW_ROW >= L rounded up (DW_ROW a multiple of VLEN), a
 * plane row spills into the next row (filled after it) or, for the last,
 * into the slack dw_plane_rows keeps. */
DW_INLINE void dw_fill_row(float *r, int64_t L, int64_t pw, const float *src, int64_t W)
{
    for (int64_t j = 0; j < L; j += VLEN) v_store(r + j, v_zero());
    if (src)
        for (int64_t j = 0; j < W; j += VLEN) v_store_n(r + pw + j, v_load_n(src + j, W - j), W - j);
}

/* Output rows y0 (and y0 + OW when R = 2) of one channel from their
 * padded input rows rows[o][ky]: each output the chain of fused
 * multiply-adds in (ky, kx) order, then bias, then the activation. Two
 * rows at a time are two independent chains (one is latency bound on small
 * maps, where a row is one vector); each output's own chain, hence its
 * bits, is the same either way. */
DW_INLINE void dw_out_rows(const mote_conv2d_args *a, const float *const rows[2][MOTE_DW_MAXK],
                           const int R, const float *w, vf bv, float *y0, const int KH, const int KW,
                           const int SW)
{
    const int64_t OW = a->OW;
    float *y1 = y0 + OW;
    for (int64_t ox = 0; ox < OW; ox += VLEN) {
        vf acc0 = v_zero(), acc1 = v_zero();
        DW_UNROLL for (int ky = 0; ky < KH; ky++) {
            const float *r0 = rows[0][ky] + ox * SW, *r1 = rows[R - 1][ky] + ox * SW;
            DW_UNROLL for (int kx = 0; kx < KW; kx++) {
                vf wv = v_set1(w[ky * KW + kx]);
                acc0 = v_fma(wv, SW == 1 ? v_load(r0 + kx) : v_load_s2(r0 + kx), acc0);
                if (R == 2) acc1 = v_fma(wv, SW == 1 ? v_load(r1 + kx) : v_load_s2(r1 + kx), acc1);
            }
        }
        vf out0 = v_act(v_add(acc0, bv), &a->act);
        if (ox + VLEN <= OW) v_store(y0 + ox, out0);
        else v_store_n(y0 + ox, out0, OW - ox);
        if (R == 2) {
            vf out1 = v_act(v_add(acc1, bv), &a->act);
            if (ox + VLEN <= OW) v_store(y1 + ox, out1);
            else v_store_n(y1 + ox, out1, OW - ox);
        }
    }
}

/* Padded rows a channel's whole output needs, when they fit DW_PLANE
 * floats (small maps), else 0. The last row's fill writes whole vectors:
 * up to VLEN - 1 floats past rows * L. */
static int64_t dw_plane_rows(const mote_conv2d_args *a, int64_t L)
{
    int64_t rows = (a->OH - 1) * a->sh + a->KH;
    return rows * L + VLEN <= DW_PLANE ? rows : 0;
}

/* Channel c's padded plane: row t holds input row t - ph. */
DW_INLINE void dw_fill_plane(const mote_conv2d_args *a, int64_t c, int64_t L, int64_t rows, float *plane)
{
    const float *xc = a->x + c * a->H * a->W;
    for (int64_t t = 0; t < rows; t++) {
        int64_t iy = t - a->ph;
        dw_fill_row(plane + t * L, L, a->pw, iy >= 0 && iy < a->H ? xc + iy * a->W : NULL, a->W);
    }
}

/* Fast path: see the file comment. Rows outside the image are zero rows;
 * a padded row holds image column j - pw at index j, L floats. KH, KW and
 * SW (the stride across) are constants in the 3x3 instances. Small maps:
 * each channel's whole padded plane, filled one channel ahead of the one
 * being computed (rows stored and at once read back at other offsets wait
 * for the stores to reach the cache; a channel later they have). Larger
 * maps: a ring of padded rows. */
DW_INLINE void dw_padded(const mote_conv2d_args *a, int64_t L, const int KH, const int KW, const int SW)
{
    const int64_t H = a->H, W = a->W, OH = a->OH, OW = a->OW, sh = a->sh;
    const int64_t oy0 = mote_dw_row0(a), oy1 = mote_dw_row1(a);
    const int two_ring = sh + KH <= DW_RING;
    const int64_t prow = dw_plane_rows(a, L);
    if (prow) {
        _Alignas(64) float plane[2][DW_PLANE];
        if (a->oc0 < a->oc1) dw_fill_plane(a, a->oc0, L, prow, plane[0]);
        for (int64_t c = a->oc0; c < a->oc1; c++) {
            const float *pl = plane[(c - a->oc0) & 1];
            if (c + 1 < a->oc1) dw_fill_plane(a, c + 1, L, prow, plane[(c + 1 - a->oc0) & 1]);
            const vf bv = v_set1(a->bias ? a->bias[c] : 0.0f);
            for (int64_t oy = oy0; oy < oy1;) {
                const int R = oy + 1 < oy1 ? 2 : 1;
                const float *rows[2][MOTE_DW_MAXK];
                for (int o = 0; o < R; o++)
                    for (int ky = 0; ky < KH; ky++) rows[o][ky] = pl + ((oy + o) * sh + ky) * L;
                if (R == 2) dw_out_rows(a, rows, 2, a->w + c * KH * KW, bv, a->y + (c * OH + oy) * OW, KH, KW, SW);
                else dw_out_rows(a, rows, 1, a->w + c * KH * KW, bv, a->y + (c * OH + oy) * OW, KH, KW, SW);
                oy += R;
            }
        }
        return;
    }
    _Alignas(64) float ring[DW_RING][DW_ROW];
    for (int64_t c = a->oc0; c < a->oc1; c++) {
        const float *xc = a->x + c * H * W;
        const vf bv = v_set1(a->bias ? a->bias[c] : 0.0f);
        int64_t tag[DW_RING];
        for (int r = 0; r < DW_RING; r++) tag[r] = INT64_MIN;
        for (int64_t oy = oy0; oy < oy1;) {
            const int R = two_ring && oy + 1 < oy1 ? 2 : 1;
            const float *rows[2][MOTE_DW_MAXK];
            for (int o = 0; o < R; o++)
                for (int ky = 0; ky < KH; ky++) {
                    int64_t iy = (oy + o) * sh - a->ph + ky;
                    int slot = (int)(((iy % DW_RING) + DW_RING) % DW_RING);
                    float *r = ring[slot];
                    if (tag[slot] != iy) {
                        tag[slot] = iy;
                        dw_fill_row(r, L, a->pw, iy >= 0 && iy < H ? xc + iy * W : NULL, W);
                    }
                    rows[o][ky] = r;
                }
            if (R == 2) dw_out_rows(a, rows, 2, a->w + c * KH * KW, bv, a->y + (c * OH + oy) * OW, KH, KW, SW);
            else dw_out_rows(a, rows, 1, a->w + c * KH * KW, bv, a->y + (c * OH + oy) * OW, KH, KW, SW);
            oy += R;
        }
    }
}

/* padded row length the fast path reads: whole blocks of VLEN outputs,
 * stride-2 loads of two vectors, plus the KW - 1 right taps; 0 when the
 * fast path does not apply (stride above 2, or rows too wide) */
static int64_t dw_row_len(const mote_conv2d_args *a)
{
    if (a->sw != 1 && a->sw != 2) return 0;
    int64_t L = ((a->OW + VLEN - 1) / VLEN * VLEN) * a->sw + VLEN + a->KW - 1;
    return L <= DW_ROW && a->pw + a->W <= L ? L : 0;
}

/* Depthwise of any kernel up to MOTE_DW_MAXK (kernels.h): the padded-row
 * path, else the reference's loops (other strides, very wide rows). */
void CONV_DW_NAME(conv2d_dw)(const mote_conv2d_args *a)
{
    int64_t L = dw_row_len(a);
    if (L && a->KH >= 1 && a->KH <= MOTE_DW_MAXK && a->KW >= 1 && a->KW <= MOTE_DW_MAXK) {
        if (a->sw == 1) dw_padded(a, L, (int)a->KH, (int)a->KW, 1);
        else dw_padded(a, L, (int)a->KH, (int)a->KW, 2);
        return;
    }
    mote_conv2d_dw_f32_ref(a);
}

void CONV_DW_NAME(conv2d_dw3x3)(const mote_conv2d_args *a)
{
    const int64_t H = a->H, W = a->W, OH = a->OH, OW = a->OW, sw = a->sw;
    const int vec = sw == 1 || sw == 2;
    const int64_t L = dw_row_len(a);
    if (L) {
        if (sw == 1) dw_padded(a, L, 3, 3, 1);
        else dw_padded(a, L, 3, 3, 2);
        return;
    }
    /* first output column whose leftmost tap is inside the image */
    const int64_t lo = (a->pw + sw - 1) / sw;
    for (int64_t c = a->oc0; c < a->oc1; c++) {
        const float *w = a->w + c * 9;
        const float *xc = a->x + c * H * W;
        float *yc = a->y + c * OH * OW;
        const float b = a->bias ? a->bias[c] : 0.0f;
        vf wv[9];
        for (int t = 0; t < 9; t++) wv[t] = v_set1(w[t]);
        for (int64_t oy = mote_dw_row0(a); oy < mote_dw_row1(a); oy++) {
            const float *rows[3];
            for (int ky = 0; ky < 3; ky++) {
                int64_t iy = oy * a->sh - a->ph + ky;
                rows[ky] = (iy >= 0 && iy < H) ? xc + iy * W : NULL;
            }
            float *yr = yc + oy * OW;
            int64_t ox = 0;
            for (; ox < OW && (ox < lo || !vec); ox++)
                yr[ox] = dw_act1(dw_scalar(rows, w, W, ox * sw - a->pw) + b, &a->act);
            /* vector block: every lane of every tap lies inside the row
             * (stride 1 reads VLEN + 2 inputs, stride 2 reads 2 VLEN + 2) */
            for (; vec && ox + VLEN <= OW && ox * sw - a->pw + sw * VLEN + 2 <= W; ox += VLEN) {
                int64_t ix0 = ox * sw - a->pw;
                vf acc = v_zero();
                for (int ky = 0; ky < 3; ky++) {
                    if (!rows[ky]) continue;
                    const float *r = rows[ky] + ix0;
                    for (int kx = 0; kx < 3; kx++)
                        acc = v_fma(wv[ky * 3 + kx], sw == 1 ? v_load(r + kx) : v_load_s2(r + kx), acc);
                }
                v_store(yr + ox, v_act(v_add(acc, v_set1(b)), &a->act));
            }
            for (; ox < OW; ox++)
                yr[ox] = dw_act1(dw_scalar(rows, w, W, ox * sw - a->pw) + b, &a->act);
        }
    }
}

/*
 * col[(ic*KH + ky)*KW + kx, oy*OW + ox] = x[g*Cg + ic, oy*sh - ph + ky*dh, ox*sw - pw + kx*dw],
 * 0 outside the image. Stride-1 rows are one copy between zeroed edges,
 * stride-2 rows de-interleaving loads (v_load_s2).
 */
void CONV_NAME(im2col)(const mote_conv2d_args *a, int64_t g, float *col)
{
    const int64_t Cg = a->C / a->groups, OH = a->OH, OW = a->OW, H = a->H, W = a->W;
    for (int64_t ic = 0; ic < Cg; ic++) {
        const float *xc = a->x + (g * Cg + ic) * H * W;
        for (int64_t ky = 0; ky < a->KH; ky++)
            for (int64_t kx = 0; kx < a->KW; kx++) {
                float *dst = col + ((ic * a->KH + ky) * a->KW + kx) * OH * OW;
                const int64_t xoff = kx * a->dw - a->pw;
                /* ox range whose ix = ox*sw + xoff lies in [0, W) */
                int64_t ox_lo = xoff >= 0 ? 0 : (-xoff + a->sw - 1) / a->sw;
                int64_t ox_hi = W - xoff <= 0 ? 0 : (W - xoff + a->sw - 1) / a->sw;
                if (ox_hi > OW) ox_hi = OW;
                if (ox_lo > ox_hi) ox_lo = ox_hi;
                for (int64_t oy = 0; oy < OH; oy++) {
                    float *d = dst + oy * OW;
                    int64_t iy = oy * a->sh - a->ph + ky * a->dh;
                    if (iy < 0 || iy >= H) {
                        memset(d, 0, sizeof(float) * (size_t)OW);
                        continue;
                    }
                    const float *xr = xc + iy * W + xoff;
                    for (int64_t ox = 0; ox < ox_lo; ox++) d[ox] = 0.0f;
                    if (a->sw == 1) {
                        memcpy(d + ox_lo, xr + ox_lo, sizeof(float) * (size_t)(ox_hi - ox_lo));
                    } else {
                        int64_t ox = ox_lo;
                        /* stride 2: VLEN at a time while the pair of loads
                         * stays inside the row (ix = 2 ox + xoff < W) */
                        if (a->sw == 2) {
                            for (; ox + VLEN <= ox_hi && 2 * (ox + VLEN) - 1 + xoff < W; ox += VLEN)
                                v_store(d + ox, v_load_s2(xr + 2 * ox));
                            /* the rest (a 28- or 14-wide row: most of it):
                             * the 2n - 1 floats it reads, through a buffer */
                            if (ox < ox_hi) {
                                _Alignas(64) float t[2 * VLEN];
                                int64_t n = ox_hi - ox, m = 2 * n - 1;
                                for (; n > 0; ox += VLEN, n -= VLEN, m -= 2 * VLEN) {
                                    v_store(t, v_load_n(xr + 2 * ox, m));
                                    v_store(t + VLEN, v_load_n(xr + 2 * ox + VLEN, m - VLEN));
                                    v_store_n(d + ox, v_load_s2(t), n);
                                }
                                ox = ox_hi;
                            }
                        }
                        for (; ox < ox_hi; ox++) d[ox] = xr[ox * a->sw];
                    }
                    for (int64_t ox = ox_hi; ox < OW; ox++) d[ox] = 0.0f;
                }
            }
    }
}
