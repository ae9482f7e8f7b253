/*
 * resize_ref.c — the reference separable resampling behind Resize and
 * Upsample. The op turns the mode (nearest, linear, cubic) and the
 * coordinate transformation into per-axis taps; this file only sums them:
 * over every axis at once (the definition), or one output row of a 2-D
 * plane from its source rows (the same sums, in the same order, for the
 * common case where only the last two axes change).
 */
#include "ref.h"

/*
 * y[o] = sum_{t_0..t_{nd-1}} prod_d wt[d][o_d*taps[d] + t_d] x[idx[0][..], .., idx[nd-1][..]]
 * (extrap if any idx is -1), tuples enumerated with the last axis fastest.
 */
void mote_resize_f32_ref(const float *x, float *y, int nd, const int64_t *in,
                         const int64_t *out, const int *taps, const int64_t *const *idx,
                         const float *const *wt, float extrap, int64_t r0, int64_t r1)
{
    int64_t o[8], t[8];
    int64_t W = out[nd - 1];
    for (int64_t r = r0; r < r1; r++) {
        int64_t rr = r;
        for (int d = nd - 2; d >= 0; d--) {
            o[d] = rr % out[d];
            rr /= out[d];
        }
        for (int64_t ow = 0; ow < W; ow++) {
            o[nd - 1] = ow;
            int outside = 0;
            for (int d = 0; d < nd && !outside; d++)
                outside = idx[d][o[d] * taps[d]] < 0;
            if (outside) {
                y[r * W + ow] = extrap;
                continue;
            }
            for (int d = 0; d < nd; d++)
                t[d] = 0;
            float acc = 0.0f;
            for (;;) {
                float w = 1.0f;
                int64_t src = 0;
                for (int d = 0; d < nd; d++) {
                    int64_t k = o[d] * taps[d] + t[d];
                    w *= wt[d][k];
                    src = src * in[d] + idx[d][k];
                }
                if (w != 0.0f)
                    acc += w * x[src];
                int d = nd - 1;
                while (d >= 0 && ++t[d] == taps[d])
                    t[d--] = 0;
                if (d < 0)
                    break;
            }
            y[r * W + ow] = acc;
        }
    }
}

/*
 * y[ow] = sum_{th < TH} sum_{tw < TW} (wh[th] * ww[ow*TW + tw]) * rows[th][iw[ow*TW + tw]]
 * for ow in [0, W), accumulated from 0.0f in (th, tw) order and skipping
 * zero weights, exactly as mote_resize_f32_ref sums an output whose other
 * axes are unchanged; extrap where iw[ow*TW] < 0.
 */
static inline __attribute__((always_inline)) void
resize_row(const float *const *rows, const float *wh, int TH, const int64_t *iw,
           const float *ww, int TW, int64_t W, float extrap, float *y)
{
    for (int64_t ow = 0; ow < W; ow++) {
        const int64_t *ix = iw + ow * TW;
        const float *wx = ww + ow * TW;
        if (ix[0] < 0) {
            y[ow] = extrap;
            continue;
        }
        float acc = 0.0f;
        for (int th = 0; th < TH; th++)
            for (int tw = 0; tw < TW; tw++) {
                float w = wh[th] * wx[tw];
                if (w != 0.0f)
                    acc += w * rows[th][ix[tw]];
            }
        y[ow] = acc;
    }
}

void mote_resize_row_f32_ref(const float *const *rows, const float *wh, int TH,
                             const int64_t *iw, const float *ww, int TW, int64_t W,
                             float extrap, float *y)
{
    /* the same loop, its tap counts made constants for the common modes */
    if (TH == 1 && TW == 1)
        resize_row(rows, wh, 1, iw, ww, 1, W, extrap, y);
    else if (TH == 2 && TW == 2)
        resize_row(rows, wh, 2, iw, ww, 2, W, extrap, y);
    else if (TH == 4 && TW == 4)
        resize_row(rows, wh, 4, iw, ww, 4, W, extrap, y);
    else
        resize_row(rows, wh, TH, iw, ww, TW, W, extrap, y);
}

/*
 * One output row of the blocked case: two consecutive axes change and the
 * axes after them form an unchanged block of C contiguous values. Output
 * position ow (C values) sums TH x TW source blocks in (th, tw) order,
 * each with the weight wh[th] * ww[ow*TW + tw] (zero weights skipped) and
 * accumulated from 0.0f — per channel, the sum mote_resize_f32_ref makes.
 * The channel loop has no dependence between lanes, so it vectorizes
 * without reordering any sum.
 */
/* y[c] += w * s[c] for c < C; eight independent lanes at a time, which the
 * compiler packs into vector instructions (each lane rounds as alone). */
static inline void blend_block(float *restrict y, const float *restrict s, float w, int64_t C)
{
    int64_t c = 0;
    for (; c + 8 <= C; c += 8) {
        y[c + 0] += w * s[c + 0];
        y[c + 1] += w * s[c + 1];
        y[c + 2] += w * s[c + 2];
        y[c + 3] += w * s[c + 3];
        y[c + 4] += w * s[c + 4];
        y[c + 5] += w * s[c + 5];
        y[c + 6] += w * s[c + 6];
        y[c + 7] += w * s[c + 7];
    }
    for (; c < C; c++)
        y[c] += w * s[c];
}

static inline __attribute__((always_inline)) void
resize_block(const float *const *rows, const float *wh, int TH, const int64_t *iw,
             const float *ww, int TW, int64_t W, int64_t C, float extrap, float *y)
{
    for (int64_t ow = 0; ow < W; ow++, y += C) {
        const int64_t *ix = iw + ow * TW;
        const float *wx = ww + ow * TW;
        if (ix[0] < 0) {
            for (int64_t c = 0; c < C; c++)
                y[c] = extrap;
            continue;
        }
        for (int64_t c = 0; c < C; c++)
            y[c] = 0.0f;
        for (int th = 0; th < TH; th++)
            for (int tw = 0; tw < TW; tw++) {
                float w = wh[th] * wx[tw];
                if (w == 0.0f)
                    continue;
                blend_block(y, rows[th] + ix[tw] * C, w, C);
            }
    }
}

void mote_resize_block_f32_ref(const float *const *rows, const float *wh, int TH,
                               const int64_t *iw, const float *ww, int TW, int64_t W,
                               int64_t C, float extrap, float *y)
{
    if (TH == 1 && TW == 1)
        resize_block(rows, wh, 1, iw, ww, 1, W, C, extrap, y);
    else if (TH == 2 && TW == 2)
        resize_block(rows, wh, 2, iw, ww, 2, W, C, extrap, y);
    else
        resize_block(rows, wh, TH, iw, ww, TW, W, C, extrap, y);
}
