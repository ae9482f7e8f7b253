/*
 * resize_avx512.c — the resize_row_f32 entry for AVX-512: one output row
 * of a two-axis Resize (mote_resize_row_args), 16 positions at a time.
 *
 * Every output is the reference's sum: 0.0f, then + w * x for each tap in
 * (th, tw) order with w = wh[th] * ww[tw, ow], as separate multiplies and
 * adds (no fused multiply-add: that rounds once where the reference rounds
 * twice). A zero weight contributes +0.0f, which leaves every sum as the
 * reference's skip does (a sum started at +0.0f is never -0.0f, and
 * x + 0 = x otherwise), without reading the source value. Planes (C = 1):
 * when the 16 positions' taps lie within 16 source values (upsampling,
 * mild downsampling) the window is loaded once per source row and
 * permuted into place; otherwise the values are gathered. Channel blocks
 * (C > 1): the C values of each tap are loaded as vectors.
 */
#include <immintrin.h>
#include "x86_kernels.h"
#include "ref.h"

static inline __attribute__((always_inline)) void
plane_row(const mote_resize_row_args *a, int TH, int TW)
{
    const int64_t W = a->W, IW = a->IW;
    const __m512 zero = _mm512_setzero_ps();
    __m512 wh[4];
    for (int th = 0; th < TH; th++)
        wh[th] = _mm512_set1_ps(a->wh[th]);
    for (int64_t o0 = 0; o0 < W; o0 += 16) {
        int64_t n = W - o0 < 16 ? W - o0 : 16;
        __mmask16 m = (__mmask16)(n == 16 ? 0xFFFF : (1u << n) - 1);
        const int32_t *sp = a->span + 2 * (o0 / 8);
        int32_t lo = sp[0], hi = sp[1];
        if (n > 8) {
            lo = sp[2] < lo ? sp[2] : lo;
            hi = sp[3] > hi ? sp[3] : hi;
        }
        if (lo < 0) {   /* a position outside the source: the plain loop */
            mote_resize_row_range_f32_ref(a, o0, o0 + n);
            continue;
        }
        __m512i id[4];
        __m512 wv[4];
        for (int tw = 0; tw < TW; tw++) {
            id[tw] = _mm512_maskz_loadu_epi32(m, a->iw + tw * W + o0);
            wv[tw] = _mm512_maskz_loadu_ps(m, a->ww + tw * W + o0);
        }
        __m512 acc = zero;
        if (hi - lo < 16) {
            int64_t avail = IW - lo;
            __mmask16 lm = (__mmask16)(avail >= 16 ? 0xFFFF : (1u << avail) - 1);
            __m512i base = _mm512_set1_epi32(lo);
            for (int tw = 0; tw < TW; tw++)
                id[tw] = _mm512_sub_epi32(id[tw], base);
            for (int th = 0; th < TH; th++) {
                __m512 win = _mm512_maskz_loadu_ps(lm, a->rows[th] + lo);
                for (int tw = 0; tw < TW; tw++) {
                    __m512 w = _mm512_mul_ps(wh[th], wv[tw]);
                    __mmask16 nz = _mm512_cmp_ps_mask(w, zero, _CMP_NEQ_UQ);
                    __m512 x = _mm512_permutexvar_ps(id[tw], win);
                    acc = _mm512_add_ps(acc, _mm512_maskz_mul_ps(nz, w, x));
                }
            }
        } else {
            for (int th = 0; th < TH; th++)
                for (int tw = 0; tw < TW; tw++) {
                    __m512 w = _mm512_mul_ps(wh[th], wv[tw]);
                    __mmask16 nz = _mm512_cmp_ps_mask(w, zero, _CMP_NEQ_UQ) & m;
                    __m512 x = _mm512_mask_i32gather_ps(zero, nz, id[tw], a->rows[th], 4);
                    acc = _mm512_add_ps(acc, _mm512_maskz_mul_ps(nz, w, x));
                }
        }
        _mm512_mask_storeu_ps(a->y + o0, m, acc);
    }
}

static void block_row(const mote_resize_row_args *a)
{
    const int64_t W = a->W, C = a->C;
    float *y = a->y;
    for (int64_t ow = 0; ow < W; ow++, y += C) {
        if (a->iw[ow] < 0) {
            __m512 e = _mm512_set1_ps(a->extrap);
            for (int64_t c = 0; c < C; c += 16) {
                int64_t n = C - c < 16 ? C - c : 16;
                _mm512_mask_storeu_ps(y + c, (__mmask16)(n == 16 ? 0xFFFF : (1u << n) - 1), e);
            }
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
        for (int64_t c = 0; c < C; c += 16) {
            int64_t n = C - c < 16 ? C - c : 16;
            __mmask16 m = (__mmask16)(n == 16 ? 0xFFFF : (1u << n) - 1);
            __m512 acc = _mm512_setzero_ps();
            for (int t = 0; t < nt; t++)
                acc = _mm512_add_ps(acc, _mm512_mul_ps(_mm512_set1_ps(w[t]),
                                                       _mm512_maskz_loadu_ps(m, src[t] + c)));
            _mm512_mask_storeu_ps(y + c, m, acc);
        }
    }
}

void mote_resize_row_f32_avx512(const mote_resize_row_args *a)
{
    if (a->C != 1)
        block_row(a);
    else if (a->TH == 1 && a->TW == 1)
        plane_row(a, 1, 1);
    else if (a->TH == 2 && a->TW == 2)
        plane_row(a, 2, 2);
    else if (a->TH == 4 && a->TW == 4)
        plane_row(a, 4, 4);
    else
        plane_row(a, a->TH, a->TW);
}
