/*
 * winograd_neon.c — the Winograd F(2x2,3x3) input and output transforms
 * (kernels.h: mote_winograd_args) for NEON, four tiles of one tile row at
 * a time. The specification, and the order of every addition, is the
 * reference's (kernels/winograd_ref.c): the same bits, the activation
 * aside (mote_neon_act, as every NEON kernel's).
 *
 * Input: tile tx reads columns 2tx .. 2tx + 3 of four input rows. Each
 * input row is copied once per channel into a zero-padded row (a ring of
 * four, one per row the tile row reads), and vld2q_f32 splits eight
 * consecutive floats into the even and odd columns: columns 2tx and
 * 2tx + 1 of four tiles from one load, 2tx + 2 and 2tx + 3 from the next.
 * Output: each tile's two output columns are interleaved by vzip.
 * Rows wider than WINO_ROW floats once padded take the reference.
 */
#include <arm_neon.h>
#include <stdint.h>
#include "neon.h"
#include "neon_math.h"
#include "ref.h"

/* floats in one padded input row (four on the stack: 33 KiB) */
#define WINO_ROW 2112

/* p[0, n) = the first n lanes of v, n <= 4 */
static inline void store_n(float *p, float32x4_t v, int64_t n)
{
    if (n >= 4) {
        vst1q_f32(p, v);
        return;
    }
    float t[4];
    vst1q_f32(t, v);
    for (int64_t i = 0; i < n; i++) p[i] = t[i];
}

/* the first n (<= 4) floats of p, the rest zero */
static inline float32x4_t load_n(const float *p, int64_t n)
{
    if (n >= 4) return vld1q_f32(p);
    float t[4] = { 0, 0, 0, 0 };
    for (int64_t i = 0; i < n; i++) t[i] = p[i];
    return vld1q_f32(t);
}

void mote_winograd_in_f32_neon(const mote_winograd_args *a)
{
    const int64_t H = a->H, W = a->W, TW = a->TW, T = a->ldt > 0 ? a->ldt : a->TH * a->TW,
                  xs = a->ldx > 0 ? a->ldx : a->C * T;
    /* the last block's second load ends at column 2 (TWv - 4) + 2 + 7 */
    const int64_t TWv = (TW + 3) / 4 * 4, L = 2 * TWv + 4;
    if (L > WINO_ROW || a->pw + W > L) {
        mote_winograd_in_f32_ref(a);
        return;
    }
    float ring[4][WINO_ROW] __attribute__((aligned(16)));
    for (int64_t c = a->c0; c < a->c1; c++) {
        const float *x = a->src + c * H * W;
        int64_t tag[4] = { INT64_MIN, INT64_MIN, INT64_MIN, INT64_MIN };
        for (int64_t ty = 0; ty < a->TH; ty++) {
            const float *rows[4];
            for (int r = 0; r < 4; r++) {
                int64_t iy = 2 * (a->ty0 + ty) - a->ph + r;
                int slot = (int)(((iy % 4) + 4) % 4);
                float *row = ring[slot];
                if (tag[slot] != iy) {
                    tag[slot] = iy;
                    for (int64_t j = 0; j < L; j += 4) vst1q_f32(row + j, vdupq_n_f32(0.0f));
                    if (iy >= 0 && iy < H)
                        for (int64_t j = 0; j < W; j++) row[a->pw + j] = x[iy * W + j];
                }
                rows[r] = row;
            }
            float *dst = a->dst + c * T + ty * TW;
            for (int64_t tx = 0; tx < TW; tx += 4) {
                float32x4_t d[4][4], u[4][4];
                for (int r = 0; r < 4; r++) {
                    float32x4x2_t lo = vld2q_f32(rows[r] + 2 * tx), hi = vld2q_f32(rows[r] + 2 * tx + 2);
                    d[r][0] = lo.val[0];
                    d[r][1] = lo.val[1];
                    d[r][2] = hi.val[0];
                    d[r][3] = hi.val[1];
                }
                for (int j = 0; j < 4; j++) {   /* B^T d, down the columns */
                    u[0][j] = vsubq_f32(d[0][j], d[2][j]);
                    u[1][j] = vaddq_f32(d[1][j], d[2][j]);
                    u[2][j] = vsubq_f32(d[2][j], d[1][j]);
                    u[3][j] = vsubq_f32(d[1][j], d[3][j]);
                }
                const int64_t n = TW - tx;
                for (int i = 0; i < 4; i++) {   /* (B^T d) B, along the rows */
                    float32x4_t v[4] = { vsubq_f32(u[i][0], u[i][2]), vaddq_f32(u[i][1], u[i][2]),
                                         vsubq_f32(u[i][2], u[i][1]), vsubq_f32(u[i][1], u[i][3]) };
                    for (int k = 0; k < 4; k++) store_n(dst + (i * 4 + k) * xs + tx, v[k], n);
                }
            }
        }
        for (int xi = 0; xi < 16; xi++)   /* the padding past the tiles: zeros */
            for (int64_t t = a->TH * TW; t < T; t++) a->dst[xi * xs + c * T + t] = 0.0f;
    }
}

void mote_winograd_out_f32_neon(const mote_winograd_args *a)
{
    const int64_t OH = a->H, OW = a->W, TW = a->TW, T = a->ldt > 0 ? a->ldt : a->TH * a->TW,
                  xs = a->ldx > 0 ? a->ldx : a->C * T;
    for (int64_t c = a->c0; c < a->c1; c++) {
        const float32x4_t bv = vdupq_n_f32(a->bias ? a->bias[c] : 0.0f);
        float *y = a->dst + c * OH * OW;
        for (int64_t ty = 0; ty < a->TH; ty++) {
            const float *src = a->src + c * T + ty * TW;
            const int64_t oy = 2 * (a->ty0 + ty);
            if (oy >= OH) break;
            const int two = oy + 1 < OH;
            for (int64_t tx = 0; tx < TW; tx += 4) {
                const int64_t n = TW - tx;
                float32x4_t m[16];
                for (int k = 0; k < 16; k++) m[k] = load_n(src + k * xs + tx, n);
                float32x4_t s[2][4];
                for (int j = 0; j < 4; j++) {   /* A^T m, down the columns */
                    s[0][j] = vaddq_f32(vaddq_f32(m[j], m[4 + j]), m[8 + j]);
                    s[1][j] = vsubq_f32(vsubq_f32(m[4 + j], m[8 + j]), m[12 + j]);
                }
                int64_t cols = OW - 2 * tx;
                if (cols > 8) cols = 8;
                for (int r = 0; r < 1 + two; r++) {   /* (A^T m) A, along the rows */
                    float32x4_t y0 = vaddq_f32(vaddq_f32(s[r][0], s[r][1]), s[r][2]);
                    float32x4_t y1 = vsubq_f32(vsubq_f32(s[r][1], s[r][2]), s[r][3]);
                    y0 = mote_neon_act(vaddq_f32(y0, bv), a->act);
                    y1 = mote_neon_act(vaddq_f32(y1, bv), a->act);
                    float *out = y + (oy + r) * OW + 2 * tx;
                    store_n(out, vzip1q_f32(y0, y1), cols);
                    if (cols > 4) store_n(out + 4, vzip2q_f32(y0, y1), cols - 4);
                }
            }
        }
    }
}
