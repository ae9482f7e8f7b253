/*
 * resize_ref.c — the reference separable resampling behind Resize and
 * Upsample. The op turns the mode (nearest, linear, cubic) and the
 * coordinate transformation into per-axis taps; this file only sums them:
 * over every axis at once (the definition), or one output row of a 2-D
 * plane from its source rows (the same sums, in the same order, for the
 * common case where only two consecutive axes change: the kernel table's
 * resize_row_f32 entry).
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
 * One output row of the two-axis case (mote_resize_row_args in kernels.h):
 * position ow sums TH x TW source values (C contiguous channels each) in
 * (th, tw) order with the weight wh[th] * ww[tw*W + ow], zero weights
 * skipped, accumulated from 0.0f: per channel, exactly the sum
 * mote_resize_f32_ref makes for an output whose other axes are unchanged.
 */
static inline __attribute__((always_inline)) void
resize_row(const mote_resize_row_args *a, int TH, int TW, int64_t o0, int64_t o1)
{
    int64_t W = a->W, C = a->C;
    float *y = a->y + o0 * C;
    for (int64_t ow = o0; ow < o1; ow++, y += C) {
        if (a->iw[ow] < 0) {
            for (int64_t c = 0; c < C; c++)
                y[c] = a->extrap;
            continue;
        }
        /* per channel c: y[c] = 0.0f, then y[c] += w * s[c] tap by tap;
         * the lanes are independent, so the compiler may pack them */
        for (int64_t c = 0; c < C; c++)
            y[c] = 0.0f;
        for (int th = 0; th < TH; th++)
            for (int tw = 0; tw < TW; tw++) {
                float w = a->wh[th] * a->ww[tw * W + ow];
                if (w == 0.0f)
                    continue;
                const float *restrict s = a->rows[th] + (int64_t)a->iw[tw * W + ow] * C;
                float *restrict yc = y;
                for (int64_t c = 0; c < C; c++)
                    yc[c] += w * s[c];
            }
    }
}

void mote_resize_row_range_f32_ref(const mote_resize_row_args *a, int64_t o0, int64_t o1)
{
    /* the same loop, its tap counts made constants for the common modes */
    if (a->TH == 1 && a->TW == 1)
        resize_row(a, 1, 1, o0, o1);
    else if (a->TH == 2 && a->TW == 2)
        resize_row(a, 2, 2, o0, o1);
    else if (a->TH == 4 && a->TW == 4)
        resize_row(a, 4, 4, o0, o1);
    else
        resize_row(a, a->TH, a->TW, o0, o1);
}

void mote_resize_row_f32_ref(const mote_resize_row_args *a)
{
    mote_resize_row_range_f32_ref(a, 0, a->W);
}

void mote_resize_row_span(const int32_t *iw, int TW, int64_t W, int32_t *span)
{
    for (int64_t g = 0; g * 8 < W; g++) {
        int32_t lo = INT32_MAX, hi = INT32_MIN;
        for (int tw = 0; tw < TW; tw++)
            for (int64_t ow = g * 8; ow < W && ow < g * 8 + 8; ow++) {
                int32_t i = iw[tw * W + ow];
                lo = i < lo ? i : lo;
                hi = i > hi ? i : hi;
            }
        span[2 * g] = lo;
        span[2 * g + 1] = hi;
    }
}
