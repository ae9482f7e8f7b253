/*
 * qrequant_avx512.h — requantization of 16 i32 accumulators of one output
 * channel with AVX-512, the same operations as kernels/qint.h's
 * mote_qconv2d_store (TFLite's fixed point, ONNX's float scale, or the raw
 * i32). Shared by the AVX-512 8-bit convolutions.
 */
#ifndef MOTE_QREQUANT_AVX512_H
#define MOTE_QREQUANT_AVX512_H

#include <immintrin.h>
#include <stdint.h>
#include <string.h>
#include "qint.h"

/* The requantization of one output channel, its constants made once
 * (mote_qrq16_for) for loops over many vectors of that channel: every
 * field is a value of the loop's own, which a store through the output
 * (bytes, which may alias anything) cannot make the compiler reload. */
typedef struct mote_qrq16 {
    int mode;                      /* 0 i32 as is, 1 float scale, 2 fixed point */
    __m512 fs, fmin, fmax;         /* float scale: the scale, and the clamp
                                      bounds less the zero point              */
    __m512i mv, zp, vmin, vmax;    /* fixed point: multiplier, zero point, clamp */
    __m128i left, right;
    int32_t rmask;
    int has_right;
} mote_qrq16;

static inline mote_qrq16 mote_qrq16_for(const mote_qconv2d_args *a, int64_t oc)
{
    mote_qrq16 q;
    memset(&q, 0, sizeof q);
    if (a->y_i32)
        return q;
    if (a->fscale) {
        q.mode = 1;
        q.fs = _mm512_set1_ps(a->fscale[oc]);
        q.zp = _mm512_set1_epi32(a->y_zp);
        q.fmin = _mm512_set1_ps((float)(a->act_min - a->y_zp));
        q.fmax = _mm512_set1_ps((float)(a->act_max - a->y_zp));
        return q;
    }
    q.mode = 2;
    const int sh = a->shift[oc], left = sh > 0 ? sh : 0, right = sh > 0 ? 0 : -sh;
    q.mv = _mm512_set1_epi64(a->mult[oc]);
    q.zp = _mm512_set1_epi32(a->y_zp);
    q.vmin = _mm512_set1_epi32(a->act_min);
    q.vmax = _mm512_set1_epi32(a->act_max);
    q.left = _mm_cvtsi32_si128(left);
    q.right = _mm_cvtsi32_si128(right);
    q.rmask = (int32_t)(((int64_t)1 << right) - 1);
    q.has_right = right != 0;
    return q;
}

/* mote_qrequant16_avx512's operations, from the constants in q, mode
 * being q->mode (a constant where a loop is made once per mode) */
static inline __attribute__((always_inline)) __m512i mote_qrq16_apply_mode(const mote_qrq16 *q, __m512i acc,
                                                                         const int mode)
{
    if (mode == 0)
        return acc;
    if (mode == 1) {
        /* clamp(round(f) + zp, lo, hi) as round(clamp(f, lo - zp, hi - zp))
         * + zp: the bounds are integers, so clamping before rounding to
         * nearest even changes no result, and a NaN still gives lo (max
         * returns its second operand); one operation fewer */
        __m512 f = _mm512_mul_ps(_mm512_cvtepi32_ps(acc), q->fs);
        f = _mm512_max_ps(f, q->fmin);
        f = _mm512_min_ps(f, q->fmax);
        return _mm512_add_epi32(_mm512_cvt_roundps_epi32(f, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC),
                                q->zp);
    }
    __m512i x = _mm512_sll_epi32(acc, q->left);
    /* the reference's nudge (2^30 or 1 - 2^30) and division toward zero
     * are floor((x m + 2^30) / 2^31) for either sign of the product */
    const __m512i half = _mm512_set1_epi64((int64_t)1 << 30);
    __m512i pe = _mm512_add_epi64(_mm512_mul_epi32(x, q->mv), half);
    __m512i po = _mm512_add_epi64(_mm512_mul_epi32(_mm512_srli_epi64(x, 32), q->mv), half);
    x = _mm512_mask_blend_epi32(0xAAAA, _mm512_srai_epi64(pe, 31), _mm512_slli_epi64(_mm512_srai_epi64(po, 31), 32));
    if (q->has_right) {
        __m512i rem = _mm512_and_si512(x, _mm512_set1_epi32(q->rmask));
        __m512i thr = _mm512_add_epi32(_mm512_set1_epi32(q->rmask >> 1), _mm512_srli_epi32(x, 31));
        x = _mm512_sra_epi32(x, q->right);
        x = _mm512_mask_add_epi32(x, _mm512_cmpgt_epi32_mask(rem, thr), x, _mm512_set1_epi32(1));
    }
    __m512i v = _mm512_add_epi32(x, q->zp);
    v = _mm512_max_epi32(v, q->vmin);
    return _mm512_min_epi32(v, q->vmax);
}

static inline __m512i mote_qrq16_apply(const mote_qrq16 *q, __m512i acc)
{
    return mote_qrq16_apply_mode(q, acc, q->mode);
}

/* Requantizes 16 accumulators of channel oc: the same operations as
 * mote_qconv2d_store, giving i32 lanes (the output byte's value, or acc
 * itself for y_i32). The fixed-point form's doubling high multiply runs
 * on even and odd lanes as 64-bit products (the multiplier is >= 0, so
 * never the saturating case); then the rounding right shift, ties away
 * from zero. */
static inline __m512i mote_qrequant16_avx512(const mote_qconv2d_args *a, int64_t oc, __m512i acc)
{
    mote_qrq16 q = mote_qrq16_for(a, oc);
    return mote_qrq16_apply(&q, acc);
}

/* Stores 16 requantized lanes (mask m) as outputs from element i. */
static inline void mote_qstore16_avx512(const mote_qconv2d_args *a, int64_t i, __mmask16 m, __m512i v)
{
    if (a->y_i32)
        _mm512_mask_storeu_epi32((int32_t *)a->y + i, m, v);
    else
        /* narrowed in a register, then a masked store: the masked
         * narrowing store (vpmovdb to memory) is several times slower */
        _mm_mask_storeu_epi8((uint8_t *)a->y + i, m, _mm512_cvtepi32_epi8(v));
}

#endif
