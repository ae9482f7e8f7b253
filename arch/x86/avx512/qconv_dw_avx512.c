/*
 * qconv_dw_avx512.c — the 8-bit depthwise convolution (one input channel
 * per group) of the AVX-512 table, 16 output pixels of a row per vector.
 *
 * Each input channel is laid out once per call as a padded i16 plane of
 * x - x_zp (0 in the padding, so taps outside the image add nothing and
 * need no bounds tests). vpdpwssd multiplies the two i16 halves of each
 * 32-bit lane by a pair of weights and adds both products to the i32 sum,
 * so each instruction does two horizontally adjacent taps of 16 pixels:
 *   stride 2: a 64-byte load of the plane at 2*ox0 + kx holds the pairs
 *             (x[2ox + kx], x[2ox + kx + 1]) as they are;
 *   stride 1: a pair plane Q[j] = (x[j], x[j+1]) is made from the i16 one.
 * A window of odd width pairs its last tap with a zero weight. Products
 * of two values in [-255, 255] and their sums are exact in i32, and the
 * i32 sums wrap as the reference's, so the bits are the reference's; the
 * requantization is qrequant_avx512.h's. Dilated columns or other strides
 * return 0 (the caller runs its general kernel).
 */
#include <immintrin.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "x86_kernels.h"
#include "avx512/qrequant_avx512.h"

#define DW_MAXK 16   /* window widths and heights handled here */

int mote_qconv2d_dw_avx512(const mote_qconv2d_args *a)
{
    const int64_t sw = a->sw;
    if (a->dw != 1 || (sw != 1 && sw != 2) || a->KW > DW_MAXK || a->KH > DW_MAXK ||
        a->C != a->groups || a->oc0 >= a->oc1)
        return a->oc0 >= a->oc1;
    const int64_t OW16 = (a->OW + 15) / 16 * 16, ocg = a->OC / a->groups;
    const int64_t Hp = (a->OH - 1) * a->sh + (a->KH - 1) * a->dh + 1;
    const int64_t Wx = (2 * OW16 > a->W + a->pw ? 2 * OW16 : a->W + a->pw) + a->KW + 48;
    const int64_t WQ = OW16 + a->KW + 16;
    int16_t *xp = aligned_alloc(64, ((size_t)(Hp * Wx) * 2 + 63) / 64 * 64);
    int32_t *Q = sw == 1 ? aligned_alloc(64, ((size_t)(Hp * WQ) * 4 + 63) / 64 * 64) : NULL;
    if (!xp || (sw == 1 && !Q)) {
        free(xp);
        free(Q);
        return 0;
    }
    int64_t have = -1;
    for (int64_t oc = a->oc0; oc < a->oc1; oc++) {
        const int64_t ic = oc / ocg;
        if (ic != have) {
            /* the padded plane of channel ic */
            memset(xp, 0, (size_t)(Hp * Wx) * 2);
            const __m256i zp = _mm256_set1_epi16((int16_t)a->x_zp);
            for (int64_t r = 0; r < Hp; r++) {
                const int64_t iy = r - a->ph;
                if (iy < 0 || iy >= a->H) continue;
                const uint8_t *src = (const uint8_t *)a->x + (ic * a->H + iy) * a->W;
                int16_t *d = xp + r * Wx + a->pw;
                for (int64_t ix = 0; ix < a->W; ix += 16) {
                    const int64_t left = a->W - ix;
                    const __mmask16 m = left >= 16 ? 0xffff : (__mmask16)((1u << left) - 1);
                    __m128i b = _mm_maskz_loadu_epi8(m, src + ix);
                    __m256i v = a->x_signed ? _mm256_cvtepi8_epi16(b) : _mm256_cvtepu8_epi16(b);
                    _mm256_mask_storeu_epi16(d + ix, m, _mm256_sub_epi16(v, zp));
                }
            }
            if (sw == 1)
                for (int64_t r = 0; r < Hp; r++)
                    for (int64_t j = 0; j < WQ - 16; j += 16) {
                        const int16_t *s = xp + r * Wx + j;
                        __m512i lo = _mm512_cvtepu16_epi32(_mm256_loadu_si256((const __m256i *)s));
                        __m512i hi = _mm512_cvtepu16_epi32(_mm256_loadu_si256((const __m256i *)(s + 1)));
                        _mm512_storeu_si512(Q + r * WQ + j, _mm512_or_si512(lo, _mm512_slli_epi32(hi, 16)));
                    }
            have = ic;
        }
        /* weight pairs (w[ky][kx] - w_zp, w[ky][kx+1] - w_zp) */
        int32_t pair[DW_MAXK][DW_MAXK / 2];
        const int64_t npair = (a->KW + 1) / 2;
        for (int64_t ky = 0; ky < a->KH; ky++)
            for (int64_t p = 0; p < npair; p++) {
                const int64_t i = (oc * a->KH + ky) * a->KW + 2 * p;
                int32_t w0 = (a->w_signed ? ((const int8_t *)a->w)[i] : ((const uint8_t *)a->w)[i]) - a->w_zp[oc];
                int32_t w1 = 2 * p + 1 < a->KW ?
                    (a->w_signed ? ((const int8_t *)a->w)[i + 1] : ((const uint8_t *)a->w)[i + 1]) - a->w_zp[oc] : 0;
                pair[ky][p] = (int32_t)(((uint32_t)w0 & 0xffffu) | ((uint32_t)w1 << 16));
            }
        const __m512i bias = _mm512_set1_epi32(a->bias ? a->bias[oc] : 0);
        for (int64_t oy = 0; oy < a->OH; oy++)
            for (int64_t ox0 = 0; ox0 < a->OW; ox0 += 16) {
                __m512i acc = bias;
                for (int64_t ky = 0; ky < a->KH; ky++) {
                    const int64_t r = oy * a->sh + ky * a->dh;
                    for (int64_t p = 0; p < npair; p++) {
                        __m512i v = sw == 1 ? _mm512_loadu_si512(Q + r * WQ + ox0 + 2 * p)
                                            : _mm512_loadu_si512(xp + r * Wx + 2 * ox0 + 2 * p);
                        acc = _mm512_dpwssd_epi32(acc, v, _mm512_set1_epi32(pair[ky][p]));
                    }
                }
                const int64_t left = a->OW - ox0;
                const __mmask16 m = left >= 16 ? 0xffff : (__mmask16)((1u << left) - 1);
                mote_qstore16_avx512(a, (oc * a->OH + oy) * a->OW + ox0, m,
                                     mote_qrequant16_avx512(a, oc, acc));
            }
    }
    free(xp);
    free(Q);
    return 1;
}
