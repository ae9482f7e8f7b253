/*
 * qint_ref.c — reference 8-bit quantized kernels with TFLite's
 * fixed-point arithmetic (the formulas are in qint.h). Plain loops: the
 * specification every fast integer kernel must match bit for bit.
 */
#include <math.h>
#include "kernels.h"
#include "qint.h"

int32_t mote_q_rdhm(int32_t a, int32_t b)
{
    if (a == INT32_MIN && b == INT32_MIN)
        return INT32_MAX;
    int64_t ab = (int64_t)a * b;
    int64_t nudge = ab >= 0 ? (1 << 30) : 1 - (1 << 30);
    /* C division truncates toward zero, as the definition wants */
    return (int32_t)((ab + nudge) / ((int64_t)1 << 31));
}

int32_t mote_q_rshift(int32_t x, int e)
{
    int32_t mask = (int32_t)(((int64_t)1 << e) - 1);
    int32_t rem = x & mask;
    int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
    return (x >> e) + (rem > threshold ? 1 : 0);
}

int32_t mote_q_mul(int32_t x, int32_t m, int shift)
{
    int left = shift > 0 ? shift : 0, right = shift > 0 ? 0 : -shift;
    /* the left shift is done in 32 bits (wrapping as TFLite's does, which
     * its multipliers never reach) */
    int32_t xs = (int32_t)((uint32_t)x << left);
    return mote_q_rshift(mote_q_rdhm(xs, m), right);
}

void mote_q_multiplier(double real, int32_t *m, int *shift)
{
    if (real == 0.0) {
        *m = 0;
        *shift = 0;
        return;
    }
    int e;
    double q = frexp(real, &e);                 /* real = q * 2^e, q in [0.5, 1) */
    int64_t qf = (int64_t)round(q * (double)((int64_t)1 << 31));
    if (qf == ((int64_t)1 << 31)) {
        qf /= 2;
        e++;
    }
    if (e < -31) {
        qf = 0;
        e = 0;
    }
    *m = (int32_t)qf;
    *shift = e;
}

static inline int32_t ld8(const void *p, int is_signed, int64_t i)
{
    return is_signed ? ((const int8_t *)p)[i] : ((const uint8_t *)p)[i];
}

static inline void st8(void *p, int is_signed, int64_t i, int32_t v)
{
    if (is_signed)
        ((int8_t *)p)[i] = (int8_t)v;
    else
        ((uint8_t *)p)[i] = (uint8_t)v;
}

static inline int32_t clamp(int32_t v, int32_t lo, int32_t hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

size_t mote_qconv2d_scratch_bytes_ref(const mote_qconv2d_args *a)
{
    (void)a;
    return 0;
}

void mote_qconv2d_ref(const mote_qconv2d_args *a)
{
    int64_t cg = a->C / a->groups, ocg = a->OC / a->groups;
    for (int64_t oc = a->oc0; oc < a->oc1; oc++) {
        int64_t g0 = (oc / ocg) * cg;
        int32_t wz = a->w_zp[oc];
        for (int64_t oy = 0; oy < a->OH; oy++)
            for (int64_t ox = 0; ox < a->OW; ox++) {
                int32_t acc = a->bias ? a->bias[oc] : 0;
                for (int64_t ic = 0; ic < cg; ic++)
                    for (int64_t ky = 0; ky < a->KH; ky++) {
                        int64_t iy = oy * a->sh - a->ph + ky * a->dh;
                        if (iy < 0 || iy >= a->H)
                            continue;
                        for (int64_t kx = 0; kx < a->KW; kx++) {
                            int64_t ix = ox * a->sw - a->pw + kx * a->dw;
                            if (ix < 0 || ix >= a->W)
                                continue;
                            int32_t xv = ld8(a->x, a->x_signed, ((g0 + ic) * a->H + iy) * a->W + ix);
                            int32_t wv = ld8(a->w, a->w_signed, ((oc * cg + ic) * a->KH + ky) * a->KW + kx);
                            /* i32 sums wrap as the vector kernels' do (no
                             * overflow in C's sense for absurd shapes) */
                            acc = (int32_t)((uint32_t)acc + (uint32_t)((xv - a->x_zp) * (wv - wz)));
                        }
                    }
                mote_qconv2d_store(a, oc, (oc * a->OH + oy) * a->OW + ox, acc);
            }
    }
}

void mote_qbinary_ref(const mote_qbinary_params *p, const void *a, const void *b, void *y,
                      int64_t e0, int64_t e1)
{
    for (int64_t e = e0; e < e1; e++) {
        int32_t av = ld8(a, p->is_signed, e) - p->a_zp, bv = ld8(b, p->is_signed, e) - p->b_zp;
        int32_t s;
        if (p->kind == MOTE_QBIN_MUL) {
            s = av * bv;
        } else {
            av = mote_q_mul(av * (1 << p->left_shift), p->a_mult, p->a_shift);
            bv = mote_q_mul(bv * (1 << p->left_shift), p->b_mult, p->b_shift);
            s = p->kind == MOTE_QBIN_SUB ? av - bv : av + bv;
        }
        int32_t v = mote_q_mul(s, p->y_mult, p->y_shift) + p->y_zp;
        st8(y, p->is_signed, e, clamp(v, p->act_min, p->act_max));
    }
}

void mote_qavgpool2d_ref(const mote_qpool2d_args *a)
{
    for (int64_t c = a->c0; c < a->c1; c++)
        for (int64_t oy = 0; oy < a->OH; oy++)
            for (int64_t ox = 0; ox < a->OW; ox++) {
                int32_t s = 0, n = 0;
                /* only the taps inside the image (mote_window_taps) */
                int64_t ky0, ky1, kx0, kx1;
                mote_window_taps(oy * a->sh - a->ph, 1, a->KH, 0, a->H, &ky0, &ky1);
                mote_window_taps(ox * a->sw - a->pw, 1, a->KW, 0, a->W, &kx0, &kx1);
                for (int64_t ky = ky0; ky < ky1; ky++) {
                    int64_t iy = oy * a->sh - a->ph + ky;
                    for (int64_t kx = kx0; kx < kx1; kx++) {
                        int64_t ix = ox * a->sw - a->pw + kx;
                        s += ld8(a->x, a->is_signed, (c * a->H + iy) * a->W + ix);
                        n++;
                    }
                }
                int32_t v = n == 0 ? 0 : s >= 0 ? (s + n / 2) / n : (s - n / 2) / n;
                st8(a->y, a->is_signed, (c * a->OH + oy) * a->OW + ox,
                    clamp(v, a->act_min, a->act_max));
            }
}

void mote_qlut_ref(const uint8_t *table, const uint8_t *x, uint8_t *y, int64_t e0, int64_t e1)
{
    for (int64_t e = e0; e < e1; e++)
        y[e] = table[x[e]];
}

void mote_dynamic_quantize_ref(const float *x, int64_t n, uint8_t *y, float *scale, uint8_t *zp)
{
    float lo = 0.0f, hi = 0.0f;
    for (int64_t i = 0; i < n; i++) {
        lo = x[i] < lo ? x[i] : lo;
        hi = x[i] > hi ? x[i] : hi;
    }
    float s = (hi - lo) / 255.0f;
    float z = s > 0 ? nearbyintf(0.0f - lo / s) : 0.0f;
    z = z >= 255 ? 255 : z >= 0 ? z : 0;   /* (NaN -> 0) */
    for (int64_t i = 0; i < n; i++) {
        float q = s > 0 ? nearbyintf(x[i] / s) + z : z;
        y[i] = (uint8_t)(q >= 255 ? 255 : q >= 0 ? q : 0);
    }
    *scale = s;
    *zp = (uint8_t)z;
}
