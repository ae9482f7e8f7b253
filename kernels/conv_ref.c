/*
 * conv_ref.c — reference 2-D convolution (NCHW, one image), its depthwise
 * 3x3 special case, and im2col.
 *
 * The direct loop is the definition of mote_conv2d_args and the fallback
 * for every shape; the op layer (src/ops/conv.c) chooses between it,
 * the depthwise kernel and im2col + GEMM. Out-of-image taps read 0.
 */
#include "ref.h"

/* x[c, iy, ix], or 0 outside the image */
static inline float tap(const float *x, int64_t H, int64_t W, int64_t c, int64_t iy, int64_t ix)
{
    if (iy < 0 || iy >= H || ix < 0 || ix >= W)
        return 0.0f;
    return x[(c * H + iy) * W + ix];
}

/*
 * For oc in [oc0, oc1), g = oc / (OC/groups), Cg = C/groups:
 *   y[oc, oy, ox] = act( sum_{ic<Cg, ky<KH, kx<KW}
 *                          w[oc, ic, ky, kx] * x[g*Cg + ic, oy*sh - ph + ky*dh, ox*sw - pw + kx*dw]
 *                        + bias[oc] )
 * summed in (ic, ky, kx) order, bias added last (0 when NULL).
 */
void mote_conv2d_f32_ref(const mote_conv2d_args *a)
{
    int64_t Cg = a->C / a->groups, OCg = a->OC / a->groups;
    for (int64_t oc = a->oc0; oc < a->oc1; oc++) {
        int64_t g = oc / OCg;
        const float *w = a->w + oc * Cg * a->KH * a->KW;
        for (int64_t oy = 0; oy < a->OH; oy++) {
            for (int64_t ox = 0; ox < a->OW; ox++) {
                float acc = 0.0f;
                for (int64_t ic = 0; ic < Cg; ic++)
                    for (int64_t ky = 0; ky < a->KH; ky++)
                        for (int64_t kx = 0; kx < a->KW; kx++)
                            acc += w[(ic * a->KH + ky) * a->KW + kx] *
                                   tap(a->x, a->H, a->W, g * Cg + ic,
                                       oy * a->sh - a->ph + ky * a->dh,
                                       ox * a->sw - a->pw + kx * a->dw);
                if (a->bias)
                    acc += a->bias[oc];
                a->y[(oc * a->OH + oy) * a->OW + ox] = mote_act_apply_ref(acc, a->act);
            }
        }
    }
}

/*
 * Depthwise 3x3 (groups == C == OC, KH = KW = 3, dh = dw = 1):
 *   y[c, oy, ox] = act( sum_{ky<3, kx<3} w[c, 0, ky, kx] * x[c, oy*sh - ph + ky, ox*sw - pw + kx]
 *                       + bias[c] )
 * The same sums, in the same order, as mote_conv2d_f32_ref on that shape.
 * Channels [oc0, oc1), rows [mote_dw_row0, mote_dw_row1).
 */
void mote_conv2d_dw3x3_f32_ref(const mote_conv2d_args *a)
{
    for (int64_t c = a->oc0; c < a->oc1; c++) {
        const float *w = a->w + c * 9;
        for (int64_t oy = mote_dw_row0(a); oy < mote_dw_row1(a); oy++) {
            for (int64_t ox = 0; ox < a->OW; ox++) {
                float acc = 0.0f;
                for (int64_t ky = 0; ky < 3; ky++)
                    for (int64_t kx = 0; kx < 3; kx++)
                        acc += w[ky * 3 + kx] * tap(a->x, a->H, a->W, c,
                                                    oy * a->sh - a->ph + ky,
                                                    ox * a->sw - a->pw + kx);
                if (a->bias)
                    acc += a->bias[c];
                a->y[(c * a->OH + oy) * a->OW + ox] = mote_act_apply_ref(acc, a->act);
            }
        }
    }
}

/*
 * Depthwise of any kernel (groups == C == OC, dilation 1):
 *   y[c, oy, ox] = act( sum_{ky<KH, kx<KW} w[c, 0, ky, kx] * x[c, oy*sh - ph + ky, ox*sw - pw + kx]
 *                       + bias[c] )
 * The same sums, in the same order, as mote_conv2d_f32_ref on that shape.
 */
void mote_conv2d_dw_f32_ref(const mote_conv2d_args *a)
{
    for (int64_t c = a->oc0; c < a->oc1; c++) {
        const float *w = a->w + c * a->KH * a->KW;
        for (int64_t oy = mote_dw_row0(a); oy < mote_dw_row1(a); oy++)
            for (int64_t ox = 0; ox < a->OW; ox++) {
                float acc = 0.0f;
                for (int64_t ky = 0; ky < a->KH; ky++)
                    for (int64_t kx = 0; kx < a->KW; kx++)
                        acc += w[ky * a->KW + kx] * tap(a->x, a->H, a->W, c,
                                                        oy * a->sh - a->ph + ky,
                                                        ox * a->sw - a->pw + kx);
                if (a->bias)
                    acc += a->bias[c];
                a->y[(c * a->OH + oy) * a->OW + ox] = mote_act_apply_ref(acc, a->act);
            }
    }
}

/*
 * For group g, Cg = C/groups, the (Cg*KH*KW) x (OH*OW) matrix
 *   col[(ic*KH + ky)*KW + kx, oy*OW + ox] = x[g*Cg + ic, oy*sh - ph + ky*dh, ox*sw - pw + kx*dw]
 * (0 outside the image), so that y_g = w_g (OC/groups x Cg*KH*KW) * col.
 */
void mote_im2col_f32_ref(const mote_conv2d_args *a, int64_t g, float *col)
{
    int64_t Cg = a->C / a->groups, OHW = a->OH * a->OW;
    for (int64_t ic = 0; ic < Cg; ic++)
        for (int64_t ky = 0; ky < a->KH; ky++)
            for (int64_t kx = 0; kx < a->KW; kx++) {
                float *row = col + ((ic * a->KH + ky) * a->KW + kx) * OHW;
                for (int64_t oy = 0; oy < a->OH; oy++)
                    for (int64_t ox = 0; ox < a->OW; ox++)
                        row[oy * a->OW + ox] =
                            tap(a->x, a->H, a->W, g * Cg + ic,
                                oy * a->sh - a->ph + ky * a->dh,
                                ox * a->sw - a->pw + kx * a->dw);
            }
}
