/*
 * pool_neon.c — NEON max / average pooling (NCHW, one image) and global
 * average pooling.
 *
 * Max and average pooling compute four output columns per step where the
 * whole window row is inside the image columns (stride 1, or stride 2 with
 * de-interleaving loads), and one at a time near the edges, visiting taps
 * in the reference's (ky, kx) order with the reference's comparisons and
 * unfused additions, so they give its bits. Global average pooling sums
 * with four vector accumulators (a different summation order from the
 * reference). Not here: output sizes, pads and ceil_mode (the op layer's).
 */
#include <math.h>
#include "neon.h"
#include "neon_math.h"

/* The window rows of output row oy that are in the image: rows iy0,
 * iy0 + dh, ... (n of them, returned), and how many window rows are within
 * the padded extent (for count_include_pad); from the tap ranges
 * (mote_window_taps), so a window far larger than the image costs nothing
 * extra. */
static int64_t window_rows(const mote_pool2d_args *a, int64_t oy, int64_t *iy0, int64_t *n_padded)
{
    const int64_t b = oy * a->sh - a->ph;
    int64_t k0, k1, p0, p1;
    mote_window_taps(b, a->dh, a->KH, 0, a->H, &k0, &k1);
    mote_window_taps(b, a->dh, a->KH, -a->ph, a->H + a->ph_end, &p0, &p1);
    *iy0 = b + k0 * a->dh;
    *n_padded = p1 - p0;
    return k1 - k0;
}

/* Output columns [lo, hi] have every tap ox*sw - pw + kx*dw in [0, W)
 * (one more float for the stride-2 loads); vec says if sw allows vectors. */
static void inner_cols(const mote_pool2d_args *a, int64_t *lo, int64_t *hi, int *vec)
{
    int64_t span = (a->KW - 1) * a->dw + (a->sw == 2 ? 1 : 0);
    *lo = (a->pw + a->sw - 1) / a->sw;
    int64_t t = a->W - 1 - span + a->pw;
    *hi = t >= 0 ? t / a->sw : -1;
    if (*hi > a->OW - 1) *hi = a->OW - 1;
    *vec = a->sw == 1 || a->sw == 2;
}

static inline float32x4_t load_cols(const float *p, int64_t sw)
{
    return sw == 1 ? vld1q_f32(p) : vld2q_f32(p).val[0];
}

/* y = max over in-image taps of the window (-inf if none), as the reference. */
void mote_maxpool2d_f32_neon(const mote_pool2d_args *a)
{
    int64_t iy0, npad, lo, hi;
    int vec;
    inner_cols(a, &lo, &hi, &vec);
    for (int64_t c = a->c0; c < a->c1; c++) {
        const float *x = a->x + c * a->H * a->W;
        for (int64_t oy = 0; oy < a->OH; oy++) {
            int64_t nr = window_rows(a, oy, &iy0, &npad);
            float *y = a->y + (c * a->OH + oy) * a->OW;
            for (int64_t ox = 0; ox < a->OW;) {
                if (vec && ox >= lo && ox + 3 <= hi) {
                    float32x4_t m = vdupq_n_f32(-INFINITY);
                    for (int64_t i = 0; i < nr; i++)
                        for (int64_t kx = 0; kx < a->KW; kx++) {
                            float32x4_t v = load_cols(x + (iy0 + i * a->dh) * a->W + ox * a->sw - a->pw +
                                                      kx * a->dw, a->sw);
                            m = vbslq_f32(vcgtq_f32(v, m), v, m);
                        }
                    vst1q_f32(y + ox, m);
                    ox += 4;
                } else {
                    float m = -INFINITY;
                    const int64_t bx = ox * a->sw - a->pw;
                    int64_t kx0, kx1;
                    mote_window_taps(bx, a->dw, a->KW, 0, a->W, &kx0, &kx1);
                    for (int64_t i = 0; i < nr; i++)
                        for (int64_t kx = kx0; kx < kx1; kx++) {
                            const float v = x[(iy0 + i * a->dh) * a->W + bx + kx * a->dw];
                            if (v > m)
                                m = v;
                        }
                    y[ox] = m;
                    ox++;
                }
            }
        }
    }
}

/*
 * y = (sum of in-image taps) / count, count as in the reference: taps in
 * the padded extent if count_include_pad, else in-image taps; 0 if none.
 */
void mote_avgpool2d_f32_neon(const mote_pool2d_args *a)
{
    int64_t iy0, npad, lo, hi;
    int vec;
    inner_cols(a, &lo, &hi, &vec);
    for (int64_t c = a->c0; c < a->c1; c++) {
        const float *x = a->x + c * a->H * a->W;
        for (int64_t oy = 0; oy < a->OH; oy++) {
            int64_t nr = window_rows(a, oy, &iy0, &npad);
            float *y = a->y + (c * a->OH + oy) * a->OW;
            for (int64_t ox = 0; ox < a->OW;) {
                if (vec && ox >= lo && ox + 3 <= hi) {
                    /* every column tap is in the image: count = rows * KW */
                    int64_t count = mote_taps_product(a->count_include_pad ? npad : nr, a->KW);
                    float32x4_t s = vdupq_n_f32(0.0f);
                    for (int64_t i = 0; i < nr; i++)
                        for (int64_t kx = 0; kx < a->KW; kx++)
                            s = vaddq_f32(s, load_cols(x + (iy0 + i * a->dh) * a->W + ox * a->sw - a->pw +
                                                       kx * a->dw, a->sw));
                    vst1q_f32(y + ox, count ? vdivq_f32(s, vdupq_n_f32((float)count))
                                            : vdupq_n_f32(0.0f));
                    ox += 4;
                } else {
                    float s = 0.0f;
                    const int64_t bx = ox * a->sw - a->pw;
                    int64_t kx0, kx1, px0, px1;
                    mote_window_taps(bx, a->dw, a->KW, 0, a->W, &kx0, &kx1);
                    mote_window_taps(bx, a->dw, a->KW, -a->pw, a->W + a->pw_end, &px0, &px1);
                    for (int64_t i = 0; i < nr; i++)
                        for (int64_t kx = kx0; kx < kx1; kx++)
                            s += x[(iy0 + i * a->dh) * a->W + bx + kx * a->dw];
                    int64_t count = a->count_include_pad ? mote_taps_product(npad, px1 - px0)
                                                         : mote_taps_product(nr, kx1 - kx0);
                    y[ox] = count ? s / (float)count : 0.0f;
                    ox++;
                }
            }
        }
    }
}

/* y[c] = (sum_{i<HW} x[c*HW + i]) / HW: four vector partial sums, then the tail */
void mote_global_avgpool_f32_neon(int64_t C, int64_t HW, const float *x, float *y)
{
    for (int64_t c = 0; c < C; c++) {
        const float *xc = x + c * HW;
        float32x4_t s0 = vdupq_n_f32(0.0f), s1 = s0, s2 = s0, s3 = s0;
        int64_t i = 0;
        for (; i + 16 <= HW; i += 16) {
            s0 = vaddq_f32(s0, vld1q_f32(xc + i));
            s1 = vaddq_f32(s1, vld1q_f32(xc + i + 4));
            s2 = vaddq_f32(s2, vld1q_f32(xc + i + 8));
            s3 = vaddq_f32(s3, vld1q_f32(xc + i + 12));
        }
        for (; i + 4 <= HW; i += 4)
            s0 = vaddq_f32(s0, vld1q_f32(xc + i));
        float s = vaddvq_f32(vaddq_f32(vaddq_f32(s0, s1), vaddq_f32(s2, s3)));
        for (; i < HW; i++)
            s += xc[i];
        y[c] = s / (float)HW;
    }
}

/* y[c] = max(x[c, :]): two vector maxima, then the tail. A lane takes x
 * only where x > m (vcgtq is false for NaN), so NaN never wins, as in the
 * reference; vmaxq_f32 would let it through. */
void mote_global_maxpool_f32_neon(int64_t C, int64_t HW, const float *x, float *y)
{
    for (int64_t c = 0; c < C; c++) {
        const float *xc = x + c * HW;
        float32x4_t m0 = vdupq_n_f32(-INFINITY), m1 = m0;
        int64_t i = 0;
        for (; i + 8 <= HW; i += 8) {
            float32x4_t a = vld1q_f32(xc + i), b = vld1q_f32(xc + i + 4);
            m0 = vbslq_f32(vcgtq_f32(a, m0), a, m0);
            m1 = vbslq_f32(vcgtq_f32(b, m1), b, m1);
        }
        if (i + 4 <= HW) {
            float32x4_t a = vld1q_f32(xc + i);
            m0 = vbslq_f32(vcgtq_f32(a, m0), a, m0);
            i += 4;
        }
        float m = vmaxvq_f32(vmaxq_f32(m0, m1));   /* no NaN left in m0, m1 */
        for (; i < HW; i++)
            m = xc[i] > m ? xc[i] : m;
        y[c] = m;
    }
}
