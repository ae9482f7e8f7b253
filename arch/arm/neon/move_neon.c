/*
 * move_neon.c — the transpose_32 and resize_row_f32 entries for NEON.
 *
 * Transpose: with a short side of 2, 3 or 4 (channel-last <-> channel-
 * first images) the structure loads and stores (vld2..4 / vst2..4)
 * de-interleave or interleave 4 pixels at a time; other shapes go through
 * 8 x 8 tiles. Bits are moved as 32-bit integers.
 *
 * Resize rows: the reference's sums (0.0f, then + w * x per tap in (th,
 * tw) order, separate multiplies and adds, a zero weight adding +0.0f,
 * which leaves the sum as the reference's skip does): planes 4 positions
 * at a time with the source values loaded lane by lane, channel blocks as
 * vectors per tap.
 */
#include <arm_neon.h>
#include "neon.h"
#include "ref.h"

void mote_transpose_32_neon(int64_t R, int64_t C, const uint32_t *x, int64_t ldx, uint32_t *y,
                            int64_t ldy)
{
    int64_t i = 0;
    if (C >= 2 && C <= 4 && ldy == C) {          /* rows of C values from C source rows */
        for (; i + 4 <= R; i += 4) {
            uint32_t *o = y + i * C;
            if (C == 2) {
                uint32x4x2_t v = {{vld1q_u32(x + i), vld1q_u32(x + ldx + i)}};
                vst2q_u32(o, v);
            } else if (C == 3) {
                uint32x4x3_t v = {{vld1q_u32(x + i), vld1q_u32(x + ldx + i),
                                   vld1q_u32(x + 2 * ldx + i)}};
                vst3q_u32(o, v);
            } else {
                uint32x4x4_t v = {{vld1q_u32(x + i), vld1q_u32(x + ldx + i),
                                   vld1q_u32(x + 2 * ldx + i), vld1q_u32(x + 3 * ldx + i)}};
                vst4q_u32(o, v);
            }
        }
        for (; i < R; i++)
            for (int64_t c = 0; c < C; c++)
                y[i * C + c] = x[c * ldx + i];
        return;
    }
    if (R >= 2 && R <= 4 && ldx == R) {          /* source rows of R values into R rows */
        for (; i + 4 <= C; i += 4) {
            const uint32_t *s = x + i * R;
            if (R == 2) {
                uint32x4x2_t v = vld2q_u32(s);
                vst1q_u32(y + i, v.val[0]);
                vst1q_u32(y + ldy + i, v.val[1]);
            } else if (R == 3) {
                uint32x4x3_t v = vld3q_u32(s);
                vst1q_u32(y + i, v.val[0]);
                vst1q_u32(y + ldy + i, v.val[1]);
                vst1q_u32(y + 2 * ldy + i, v.val[2]);
            } else {
                uint32x4x4_t v = vld4q_u32(s);
                vst1q_u32(y + i, v.val[0]);
                vst1q_u32(y + ldy + i, v.val[1]);
                vst1q_u32(y + 2 * ldy + i, v.val[2]);
                vst1q_u32(y + 3 * ldy + i, v.val[3]);
            }
        }
        for (; i < C; i++)
            for (int64_t r = 0; r < R; r++)
                y[r * ldy + i] = x[i * R + r];
        return;
    }
    mote_transpose_32_tiles_ref(R, C, x, ldx, y, ldy, 8);
}

static void plane_row(const mote_resize_row_args *a)
{
    const int64_t W = a->W;
    const float32x4_t zero = vdupq_n_f32(0.0f);
    int64_t o0 = 0;
    for (; o0 + 4 <= W; o0 += 4) {
        if ((a->iw[o0] | a->iw[o0 + 1] | a->iw[o0 + 2] | a->iw[o0 + 3]) < 0) {
            mote_resize_row_range_f32_ref(a, o0, o0 + 4);
            continue;
        }
        float32x4_t acc = zero;
        for (int th = 0; th < a->TH; th++) {
            const float *row = a->rows[th];
            float32x4_t wh = vdupq_n_f32(a->wh[th]);
            for (int tw = 0; tw < a->TW; tw++) {
                const int32_t *ix = a->iw + tw * W + o0;
                float32x4_t w = vmulq_f32(wh, vld1q_f32(a->ww + tw * W + o0));
                uint32x4_t nz = vmvnq_u32(vceqq_f32(w, zero));   /* w != 0, NaN included */
                float32x4_t xv = vdupq_n_f32(0.0f);
                xv = vld1q_lane_f32(row + ix[0], xv, 0);
                xv = vld1q_lane_f32(row + ix[1], xv, 1);
                xv = vld1q_lane_f32(row + ix[2], xv, 2);
                xv = vld1q_lane_f32(row + ix[3], xv, 3);
                float32x4_t p = vreinterpretq_f32_u32(vandq_u32(vreinterpretq_u32_f32(vmulq_f32(w, xv)), nz));
                acc = vaddq_f32(acc, p);
            }
        }
        vst1q_f32(a->y + o0, acc);
    }
    mote_resize_row_range_f32_ref(a, o0, W);
}

static void block_row(const mote_resize_row_args *a)
{
    const int64_t W = a->W, C = a->C;
    float *y = a->y;
    for (int64_t ow = 0; ow < W; ow++, y += C) {
        if (a->iw[ow] < 0) {
            for (int64_t c = 0; c < C; c++)
                y[c] = a->extrap;
            continue;
        }
        float w[16];
        const float *src[16];
        int nt = 0;
        for (int th = 0; th < a->TH; th++)
            for (int tw = 0; tw < a->TW; tw++) {
                float wt = a->wh[th] * a->ww[tw * W + ow];
                if (wt == 0.0f)
                    continue;
                w[nt] = wt;
                src[nt++] = a->rows[th] + (int64_t)a->iw[tw * W + ow] * C;
            }
        int64_t c = 0;
        for (; c + 4 <= C; c += 4) {
            float32x4_t acc = vdupq_n_f32(0.0f);
            for (int t = 0; t < nt; t++)
                acc = vaddq_f32(acc, vmulq_f32(vdupq_n_f32(w[t]), vld1q_f32(src[t] + c)));
            vst1q_f32(y + c, acc);
        }
        for (; c < C; c++) {
            float acc = 0.0f;
            for (int t = 0; t < nt; t++)
                acc += w[t] * src[t][c];
            y[c] = acc;
        }
    }
}

void mote_resize_row_f32_neon(const mote_resize_row_args *a)
{
    if (a->C != 1)
        block_row(a);
    else
        plane_row(a);
}
