/*
 * conv_chan_ref.c — reference convolution by input channel: one group of
 * a few input channels (an RGB or RGBA image: a network's first layer),
 * each channel's taps summed on their own, the channels' sums added in
 * channel order.
 *
 * For oc in [oc0, oc1), oy in [oy0, oy1), ox < OW (groups == 1):
 *   s_c = fma chain from 0 over (ky, kx) in that order of
 *         w[oc, c, ky, kx] * x[c, oy*sh - ph + ky*dh, ox*sw - pw + kx*dw]
 *         (every tap: an out-of-image x reads 0 and still takes its fma)
 *   y[oc, oy, ox] = act( (((s_0 + s_1) + s_2) + ...) + bias[oc] )
 *         (bias 0 when NULL)
 * Each s_c rounds once per tap (fused multiply-add), so fast kernels that
 * keep one accumulator per channel and run the taps in the same order give
 * these bits exactly. The rounding error grows with KH*KW + C rather than
 * C*KH*KW, and it is the order ONNX Runtime sums such layers in (see
 * src/ops/conv.c). Output rows are a parameter so that callers can split
 * a large image over threads by rows: every output element is computed the
 * same way whatever range it falls in.
 */
#include <math.h>
#include "ref.h"

void mote_conv2d_chan_f32_ref(const mote_conv2d_args *a, int64_t oy0, int64_t oy1)
{
    const int64_t C = a->C, H = a->H, W = a->W, KK = a->KH * a->KW;
    for (int64_t oc = a->oc0; oc < a->oc1; oc++) {
        const float *w = a->w + oc * C * KK;
        float b = a->bias ? a->bias[oc] : 0.0f;
        for (int64_t oy = oy0; oy < oy1; oy++)
            for (int64_t ox = 0; ox < a->OW; ox++) {
                float sum = 0.0f;
                for (int64_t c = 0; c < C; c++) {
                    float s = 0.0f;
                    for (int64_t ky = 0; ky < a->KH; ky++)
                        for (int64_t kx = 0; kx < a->KW; kx++) {
                            int64_t iy = oy * a->sh - a->ph + ky * a->dh, ix = ox * a->sw - a->pw + kx * a->dw;
                            float xv = iy >= 0 && iy < H && ix >= 0 && ix < W ? a->x[(c * H + iy) * W + ix] : 0.0f;
                            s = fmaf(w[c * KK + ky * a->KW + kx], xv, s);
                        }
                    sum = c ? sum + s : s;
                }
                a->y[(oc * a->OH + oy) * a->OW + ox] = mote_act_apply_ref(sum + b, a->act);
            }
    }
}
