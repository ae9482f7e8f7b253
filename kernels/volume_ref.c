/*
 * volume_ref.c — reference 3-D (NCDHW, one image) convolution, its vol2col,
 * transposed convolution with its col2vol, and max / average pooling.
 *
 * The 3-D forms of conv_ref.c, conv_transpose_ref.c and pool_ref.c: the
 * same sums in the same order, with a depth axis before the height. Axis
 * i of the spatial arrays in mote_vol_args is D, H, W for i = 0, 1, 2.
 * Output sizes and pads are the op layer's business (src/ops/volume.c).
 */
#include <math.h>
#include "ref.h"

/* x[c, z, y, x] of a (C, D, H, W) volume, or 0 outside it */
static inline float vtap(const mote_vol_args *a, const float *x, int64_t c,
                         int64_t z, int64_t y, int64_t xx)
{
    if (z < 0 || z >= a->in[0] || y < 0 || y >= a->in[1] || xx < 0 || xx >= a->in[2])
        return 0.0f;
    return x[((c * a->in[0] + z) * a->in[1] + y) * a->in[2] + xx];
}

/* input coordinate of output o, tap t along axis i */
static inline int64_t vpos(const mote_vol_args *a, int i, int64_t o, int64_t t)
{
    return o * a->s[i] - a->pb[i] + t * a->d[i];
}

/* The taps of output o along axis i inside [lo, hi) (mote_window_taps) */
static inline void vtaps(const mote_vol_args *a, int i, int64_t o, int64_t lo, int64_t hi, int64_t *t0,
                         int64_t *t1)
{
    mote_window_taps(vpos(a, i, o, 0), a->d[i], a->k[i], lo, hi, t0, t1);
}

/*
 * For oc in [oc0, oc1), g = oc / (OC/groups), Cg = C/groups:
 *   y[oc, oz, oy, ox] = act( sum_{ic<Cg, kz, ky, kx} w[oc, ic, kz, ky, kx] *
 *       x[g*Cg + ic, oz*s0 - pb0 + kz*d0, oy*s1 - pb1 + ky*d1, ox*s2 - pb2 + kx*d2]
 *       + bias[oc] )
 * summed in (ic, kz, ky, kx) order, bias added last (0 when NULL).
 */
void mote_conv3d_f32_ref(const mote_vol_args *a, int64_t oc0, int64_t oc1)
{
    int64_t Cg = a->C / a->groups, OCg = a->OC / a->groups;
    int64_t K = a->k[0] * a->k[1] * a->k[2];
    for (int64_t oc = oc0; oc < oc1; oc++) {
        int64_t g = oc / OCg;
        const float *w = a->w + oc * Cg * K;
        float *y = a->y + oc * a->out[0] * a->out[1] * a->out[2];
        for (int64_t oz = 0; oz < a->out[0]; oz++)
            for (int64_t oy = 0; oy < a->out[1]; oy++)
                for (int64_t ox = 0; ox < a->out[2]; ox++) {
                    float acc = 0.0f;
                    for (int64_t ic = 0; ic < Cg; ic++)
                        for (int64_t kz = 0; kz < a->k[0]; kz++)
                            for (int64_t ky = 0; ky < a->k[1]; ky++)
                                for (int64_t kx = 0; kx < a->k[2]; kx++)
                                    acc += w[((ic * a->k[0] + kz) * a->k[1] + ky) * a->k[2] + kx] *
                                           vtap(a, a->x, g * Cg + ic, vpos(a, 0, oz, kz),
                                                vpos(a, 1, oy, ky), vpos(a, 2, ox, kx));
                    if (a->bias)
                        acc += a->bias[oc];
                    y[(oz * a->out[1] + oy) * a->out[2] + ox] = mote_act_apply_ref(acc, a->act);
                }
    }
}

/*
 * Input channels [ic0, ic1) of group g (Cg = C/groups): rows
 * ((ic - ic0)*KD + kz)*KH + ky)*KW + kx of the matrix with one column per
 * output voxel (oz*OH + oy)*OW + ox:
 *   col[row, voxel] = x[g*Cg + ic, oz*s0 - pb0 + kz*d0, oy*s1 - pb1 + ky*d1, ox*s2 - pb2 + kx*d2]
 * (0 outside the volume), so that with ic0 = 0, ic1 = Cg, y_g = w_g col.
 */
void mote_vol2col_f32_ref(const mote_vol_args *a, int64_t g, int64_t ic0, int64_t ic1, float *col)
{
    int64_t Cg = a->C / a->groups, OV = a->out[0] * a->out[1] * a->out[2];
    float *row = col;
    for (int64_t ic = ic0; ic < ic1; ic++)
        for (int64_t kz = 0; kz < a->k[0]; kz++)
            for (int64_t ky = 0; ky < a->k[1]; ky++)
                for (int64_t kx = 0; kx < a->k[2]; kx++, row += OV) {
                    float *r = row;
                    for (int64_t oz = 0; oz < a->out[0]; oz++)
                        for (int64_t oy = 0; oy < a->out[1]; oy++)
                            for (int64_t ox = 0; ox < a->out[2]; ox++)
                                *r++ = vtap(a, a->x, g * Cg + ic, vpos(a, 0, oz, kz),
                                            vpos(a, 1, oy, ky), vpos(a, 2, ox, kx));
                }
}

/* the input index i along axis ax that output o reaches with tap t
 * (o = i*s - pb + t*d), or -1 when none does */
static inline int64_t vsrc(const mote_vol_args *a, int ax, int64_t o, int64_t t)
{
    int64_t q = o + a->pb[ax] - t * a->d[ax];
    if (q < 0 || q % a->s[ax])
        return -1;
    q /= a->s[ax];
    return q < a->in[ax] ? q : -1;
}

/*
 * Transposed: for oc in [oc0, oc1), g = oc / OCg, ocg = oc - g*OCg:
 *   y[oc, oz, oy, ox] = bias[oc] + sum_{ic in group g, kz, ky, kx}
 *       x[ic, iz, iy, ix] * w[ic, ocg, kz, ky, kx]
 * over the (iz, iy, ix) with iz*s0 - pb0 + kz*d0 = oz (likewise y, x),
 * summed in (ic, kz, ky, kx) order. w is (C, OC/groups, KD, KH, KW);
 * a->act is not applied.
 */
void mote_convt3d_f32_ref(const mote_vol_args *a, int64_t oc0, int64_t oc1)
{
    int64_t OCg = a->OC / a->groups, Cg = a->C / a->groups;
    int64_t K = a->k[0] * a->k[1] * a->k[2], V = a->in[0] * a->in[1] * a->in[2];
    for (int64_t oc = oc0; oc < oc1; oc++) {
        int64_t g = oc / OCg, ocg = oc - g * OCg;
        float *y = a->y + oc * a->out[0] * a->out[1] * a->out[2];
        for (int64_t oz = 0; oz < a->out[0]; oz++)
            for (int64_t oy = 0; oy < a->out[1]; oy++)
                for (int64_t ox = 0; ox < a->out[2]; ox++) {
                    float acc = a->bias ? a->bias[oc] : 0.0f;
                    for (int64_t icg = 0; icg < Cg; icg++) {
                        int64_t ic = g * Cg + icg;
                        const float *xc = a->x + ic * V, *wc = a->w + (ic * OCg + ocg) * K;
                        for (int64_t kz = 0; kz < a->k[0]; kz++) {
                            int64_t iz = vsrc(a, 0, oz, kz);
                            if (iz < 0)
                                continue;
                            for (int64_t ky = 0; ky < a->k[1]; ky++) {
                                int64_t iy = vsrc(a, 1, oy, ky);
                                if (iy < 0)
                                    continue;
                                for (int64_t kx = 0; kx < a->k[2]; kx++) {
                                    int64_t ix = vsrc(a, 2, ox, kx);
                                    if (ix < 0)
                                        continue;
                                    acc += xc[(iz * a->in[1] + iy) * a->in[2] + ix] *
                                           wc[(kz * a->k[1] + ky) * a->k[2] + kx];
                                }
                            }
                        }
                    }
                    y[(oz * a->out[1] + oy) * a->out[2] + ox] = acc;
                }
    }
}

/*
 * The transposed convolution's second step, after the GEMM col = W_g^T x_g
 * (OCg*KD*KH*KW rows, D*H*W columns) of one group:
 *   y[oc, iz*s0 - pb0 + kz*d0, iy*s1 - pb1 + ky*d1, ix*s2 - pb2 + kx*d2]
 *       += col[((oc*KD + kz)*KH + ky)*KW + kx, (iz*H + iy)*W + ix]
 * for oc in [oc0, oc1) of the group (y, col start at its first channel),
 * positions outside the output dropped, in (kz, ky, kx, iz, iy, ix) order.
 * y holds the bias (or zeros) on entry.
 */
void mote_col2vol_f32_ref(const mote_vol_args *a, const float *col, float *y,
                          int64_t oc0, int64_t oc1)
{
    int64_t V = a->in[0] * a->in[1] * a->in[2], OV = a->out[0] * a->out[1] * a->out[2];
    for (int64_t oc = oc0; oc < oc1; oc++) {
        float *yc = y + oc * OV;
        const float *row = col + oc * a->k[0] * a->k[1] * a->k[2] * V;
        for (int64_t kz = 0; kz < a->k[0]; kz++)
            for (int64_t ky = 0; ky < a->k[1]; ky++)
                for (int64_t kx = 0; kx < a->k[2]; kx++, row += V)
                    for (int64_t iz = 0; iz < a->in[0]; iz++) {
                        int64_t oz = iz * a->s[0] - a->pb[0] + kz * a->d[0];
                        if (oz < 0 || oz >= a->out[0])
                            continue;
                        for (int64_t iy = 0; iy < a->in[1]; iy++) {
                            int64_t oy = iy * a->s[1] - a->pb[1] + ky * a->d[1];
                            if (oy < 0 || oy >= a->out[1])
                                continue;
                            const float *r = row + (iz * a->in[1] + iy) * a->in[2];
                            float *yr = yc + (oz * a->out[1] + oy) * a->out[2];
                            for (int64_t ix = 0; ix < a->in[2]; ix++) {
                                int64_t ox = ix * a->s[2] - a->pb[2] + kx * a->d[2];
                                if (ox >= 0 && ox < a->out[2])
                                    yr[ox] += r[ix];
                            }
                        }
                    }
    }
}

/*
 * Max pooling of channels [c0, c1) (C counts images times channels):
 *   y[c, oz, oy, ox] = max over kz, ky, kx of in-volume x[c, iz, iy, ix],
 *   iz = oz*s0 - pb0 + kz*d0 (likewise y, x); pads never win, a NaN never
 *   compares greater; a window with no in-volume tap gives -inf.
 * idx (or NULL): the flat index ((c*D + iz)*H + iy)*W + ix of the first tap
 * (in kz, ky, kx order) holding the maximum, the first in-volume tap when
 * none exceeds -inf, -1 when there is none (ONNX's Indices output).
 */
void mote_maxpool3d_f32_ref(const mote_vol_args *a, int64_t c0, int64_t c1, int64_t *idx)
{
    int64_t OV = a->out[0] * a->out[1] * a->out[2];
    for (int64_t c = c0; c < c1; c++)
        for (int64_t oz = 0; oz < a->out[0]; oz++)
            for (int64_t oy = 0; oy < a->out[1]; oy++)
                for (int64_t ox = 0; ox < a->out[2]; ox++) {
                    float m = -INFINITY;
                    int64_t at = -1, first = -1, z0, z1, y0, y1, x0, x1;
                    /* only the taps inside the volume */
                    vtaps(a, 0, oz, 0, a->in[0], &z0, &z1);
                    vtaps(a, 1, oy, 0, a->in[1], &y0, &y1);
                    vtaps(a, 2, ox, 0, a->in[2], &x0, &x1);
                    for (int64_t kz = z0; kz < z1; kz++) {
                        int64_t iz = vpos(a, 0, oz, kz);
                        for (int64_t ky = y0; ky < y1; ky++) {
                            int64_t iy = vpos(a, 1, oy, ky);
                            for (int64_t kx = x0; kx < x1; kx++) {
                                int64_t ix = vpos(a, 2, ox, kx);
                                int64_t i = ((c * a->in[0] + iz) * a->in[1] + iy) * a->in[2] + ix;
                                if (first < 0)
                                    first = i;
                                if (a->x[i] > m) {
                                    m = a->x[i];
                                    at = i;
                                }
                            }
                        }
                    }
                    int64_t o = c * OV + (oz * a->out[1] + oy) * a->out[2] + ox;
                    a->y[o] = m;
                    if (idx)
                        idx[o] = at >= 0 ? at : first;
                }
}

/*
 * Average pooling of channels [c0, c1):
 *   y[c, oz, oy, ox] = (sum of in-volume x in the window) / count
 *   count = taps inside the padded extent [-pb_i, in_i + pe_i) on every axis
 *           if count_include_pad (pad taps count as zeros; taps past the
 *           padded extent, from ceil_mode, do not count), else in-volume
 *           taps. A window with count 0 gives 0. Summed in (kz, ky, kx) order.
 */
void mote_avgpool3d_f32_ref(const mote_vol_args *a, int64_t c0, int64_t c1)
{
    int64_t OV = a->out[0] * a->out[1] * a->out[2];
    for (int64_t c = c0; c < c1; c++)
        for (int64_t oz = 0; oz < a->out[0]; oz++)
            for (int64_t oy = 0; oy < a->out[1]; oy++)
                for (int64_t ox = 0; ox < a->out[2]; ox++) {
                    float sum = 0.0f;
                    int64_t t0[3], t1[3], p0[3], p1[3], count = 1;
                    const int64_t o[3] = { oz, oy, ox };
                    for (int i = 0; i < 3; i++) {
                        vtaps(a, i, o[i], 0, a->in[i], &t0[i], &t1[i]);
                        vtaps(a, i, o[i], -a->pb[i], a->in[i] + a->pe[i], &p0[i], &p1[i]);
                    }
                    for (int64_t kz = t0[0]; kz < t1[0]; kz++) {
                        int64_t iz = vpos(a, 0, oz, kz);
                        for (int64_t ky = t0[1]; ky < t1[1]; ky++) {
                            int64_t iy = vpos(a, 1, oy, ky);
                            for (int64_t kx = t0[2]; kx < t1[2]; kx++)
                                sum += a->x[((c * a->in[0] + iz) * a->in[1] + iy) * a->in[2] +
                                            vpos(a, 2, ox, kx)];
                        }
                    }
                    /* the counted taps: separable, the product of each
                     * axis's count (saturating past 2^63) */
                    for (int i = 0; i < 3; i++)
                        count = mote_taps_product(count, a->count_include_pad ? p1[i] - p0[i] : t1[i] - t0[i]);
                    a->y[c * OV + (oz * a->out[1] + oy) * a->out[2] + ox] =
                        count ? sum / (float)count : 0.0f;
                }
}
