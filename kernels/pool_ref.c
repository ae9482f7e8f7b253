/*
 * pool_ref.c — reference 2-D max / average pooling (NCHW, one image) and
 * global average pooling.
 *
 * The window of output (oy, ox) covers input rows oy*sh - ph + ky*dh,
 * ky < KH (columns likewise). Output sizes, pads and ceil_mode are the op
 * layer's business (src/ops/pool.c); these loops only read the window,
 * visiting just the taps inside the image (mote_window_taps), in (ky, kx)
 * order.
 */
#include <math.h>
#include "ref.h"

/*
 * y[c, oy, ox] = max over ky<KH, kx<KW of x[c, iy, ix] with
 *   iy = oy*sh - ph + ky*dh, ix = ox*sw - pw + kx*dw, inside the image
 * (pads never win; a window with no in-image tap gives -inf).
 */
void mote_maxpool2d_f32_ref(const mote_pool2d_args *a)
{
    for (int64_t c = a->c0; c < a->c1; c++) {
        const float *x = a->x + c * a->H * a->W;
        for (int64_t oy = 0; oy < a->OH; oy++)
            for (int64_t ox = 0; ox < a->OW; ox++) {
                float m = -INFINITY;
                int64_t ky0, ky1, kx0, kx1;
                mote_window_taps(oy * a->sh - a->ph, a->dh, a->KH, 0, a->H, &ky0, &ky1);
                mote_window_taps(ox * a->sw - a->pw, a->dw, a->KW, 0, a->W, &kx0, &kx1);
                for (int64_t ky = ky0; ky < ky1; ky++) {
                    int64_t iy = oy * a->sh - a->ph + ky * a->dh;
                    for (int64_t kx = kx0; kx < kx1; kx++) {
                        int64_t ix = ox * a->sw - a->pw + kx * a->dw;
                        if (x[iy * a->W + ix] > m)
                            m = x[iy * a->W + ix];
                    }
                }
                a->y[(c * a->OH + oy) * a->OW + ox] = m;
            }
    }
}

/*
 * MaxPool's general forms, the same windows as mote_maxpool2d_f32_ref:
 * elements of type float, uint8_t or int8_t (elem 0, 1, 2), and, when idx
 * is not NULL, the argmax: idx[c, oy, ox] = (c*H + iy)*W + ix of the first
 * tap (in ky, kx order) holding the maximum, the flat index ONNX's Indices
 * output gives (channel c counts images times channels); -1 for a window
 * with no in-image tap. The value is the f32 kernel's: the type's lowest
 * value when no tap exceeds it.
 */
static float load_elem(const void *x, int elem, int64_t i)
{
    return elem == 0 ? ((const float *)x)[i] : elem == 1 ? (float)((const uint8_t *)x)[i]
                                                         : (float)((const int8_t *)x)[i];
}

static void maxpool_any(const mote_pool2d_args *a, int elem, const void *x, void *y, int64_t *idx)
{
    const float lowest = elem == 0 ? -INFINITY : elem == 1 ? 0.0f : -128.0f;
    for (int64_t c = a->c0; c < a->c1; c++)
        for (int64_t oy = 0; oy < a->OH; oy++)
            for (int64_t ox = 0; ox < a->OW; ox++) {
                float m = lowest;
                int64_t at = -1, first = -1, ky0, ky1, kx0, kx1;
                mote_window_taps(oy * a->sh - a->ph, a->dh, a->KH, 0, a->H, &ky0, &ky1);
                mote_window_taps(ox * a->sw - a->pw, a->dw, a->KW, 0, a->W, &kx0, &kx1);
                for (int64_t ky = ky0; ky < ky1; ky++) {
                    int64_t iy = oy * a->sh - a->ph + ky * a->dh;
                    for (int64_t kx = kx0; kx < kx1; kx++) {
                        int64_t ix = ox * a->sw - a->pw + kx * a->dw;
                        int64_t i = (c * a->H + iy) * a->W + ix;
                        float v = load_elem(x, elem, i);
                        if (first < 0)
                            first = i;
                        if (v > m) {   /* as the f32 kernel: NaN never wins */
                            m = v;
                            at = i;
                        }
                    }
                }
                int64_t o = (c * a->OH + oy) * a->OW + ox;
                if (elem == 0) ((float *)y)[o] = m;
                else if (elem == 1) ((uint8_t *)y)[o] = (uint8_t)m;
                else ((int8_t *)y)[o] = (int8_t)m;
                if (idx) idx[o] = at >= 0 ? at : first;   /* nothing above lowest: the first tap */
            }
}

void mote_maxpool2d_idx_f32_ref(const mote_pool2d_args *a, int64_t *idx)
{
    maxpool_any(a, 0, a->x, a->y, idx);
}

void mote_maxpool2d_u8_ref(const mote_pool2d_args *a, const uint8_t *x, uint8_t *y, int64_t *idx)
{
    maxpool_any(a, 1, x, y, idx);
}

void mote_maxpool2d_i8_ref(const mote_pool2d_args *a, const int8_t *x, int8_t *y, int64_t *idx)
{
    maxpool_any(a, 2, x, y, idx);
}

/*
 * y[c, oy, ox] = (sum of in-image x[c, iy, ix] in the window) / count
 *   count = number of taps with -ph <= iy < H + ph_end and -pw <= ix < W + pw_end
 *           if count_include_pad (pad taps count as zeros, taps past the
 *           padded extent, from ceil_mode, do not count);
 *           else the number of in-image taps.
 * A window with count 0 gives 0.
 */
void mote_avgpool2d_f32_ref(const mote_pool2d_args *a)
{
    for (int64_t c = a->c0; c < a->c1; c++) {
        const float *x = a->x + c * a->H * a->W;
        for (int64_t oy = 0; oy < a->OH; oy++)
            for (int64_t ox = 0; ox < a->OW; ox++) {
                float sum = 0.0f;
                const int64_t by = oy * a->sh - a->ph, bx = ox * a->sw - a->pw;
                int64_t ky0, ky1, kx0, kx1, py0, py1, px0, px1;
                mote_window_taps(by, a->dh, a->KH, 0, a->H, &ky0, &ky1);
                mote_window_taps(bx, a->dw, a->KW, 0, a->W, &kx0, &kx1);
                for (int64_t ky = ky0; ky < ky1; ky++)
                    for (int64_t kx = kx0; kx < kx1; kx++)
                        sum += x[(by + ky * a->dh) * a->W + bx + kx * a->dw];
                /* the counted taps: rows times columns inside the padded
                 * extent, or inside the image */
                mote_window_taps(by, a->dh, a->KH, -a->ph, a->H + a->ph_end, &py0, &py1);
                mote_window_taps(bx, a->dw, a->KW, -a->pw, a->W + a->pw_end, &px0, &px1);
                int64_t count = a->count_include_pad ? mote_taps_product(py1 - py0, px1 - px0)
                                                     : mote_taps_product(ky1 - ky0, kx1 - kx0);
                a->y[(c * a->OH + oy) * a->OW + ox] = count ? sum / (float)count : 0.0f;
            }
    }
}

/* y[c] = (sum_{i<HW} x[c*HW + i]) / HW  for c in [0, C) */
void mote_global_avgpool_f32_ref(int64_t C, int64_t HW, const float *x, float *y)
{
    for (int64_t c = 0; c < C; c++) {
        float sum = 0.0f;
        for (int64_t i = 0; i < HW; i++)
            sum += x[c * HW + i];
        y[c] = sum / (float)HW;
    }
}

/* y[c] = max_{i<HW} x[c*HW + i] for c in [0, C); a NaN never compares
 * greater, so it never wins (as in MaxPool); no values: -inf */
void mote_global_maxpool_f32_ref(int64_t C, int64_t HW, const float *x, float *y)
{
    for (int64_t c = 0; c < C; c++) {
        float m = -INFINITY;
        for (int64_t i = 0; i < HW; i++)
            if (x[c * HW + i] > m)
                m = x[c * HW + i];
        y[c] = m;
    }
}
