/*
 * quantize_avx512.c — QuantizeLinear (f32 -> 8 bits) and DequantizeLinear
 * (8 bits -> f32) of the AVX-512 table, 16 elements per vector over each
 * run of elements that share a channel. The same IEEE operations as
 * kernels/quantize_ref.c: an exact division, rounding to nearest even,
 * the zero point added in f32, NaN to the zero point, then the clamp; and
 * for dequantizing (q - zp) converted exactly, times the scale.
 */
#include <immintrin.h>
#include <stdint.h>
#include "x86_kernels.h"

void mote_quantize_f32_avx512(const float *x, void *y, int is_signed, const float *scale,
                              const int32_t *zp, int64_t C, int64_t inner, int64_t e0, int64_t e1)
{
    const __m512 lo = _mm512_set1_ps(is_signed ? -128.0f : 0.0f);
    const __m512 hi = _mm512_set1_ps(is_signed ? 127.0f : 255.0f);
    int64_t e = e0;
    while (e < e1) {
        const int64_t ch = C == 1 ? 0 : (e / inner) % C;
        const int64_t end = C == 1 ? e1 : ((e / inner + 1) * inner < e1 ? (e / inner + 1) * inner : e1);
        const __m512 s = _mm512_set1_ps(scale[ch]);
        const __m512 z = _mm512_set1_ps((float)(zp ? zp[ch] : 0));
        for (; e < end; e += 16) {
            const int64_t left = end - e;
            const __mmask16 m = left >= 16 ? 0xffff : (__mmask16)((1u << left) - 1);
            __m512 q = _mm512_div_ps(_mm512_maskz_loadu_ps(m, x + e), s);
            q = _mm512_add_ps(_mm512_roundscale_ps(q, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC), z);
            q = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(q, q, _CMP_UNORD_Q), q, z);
            q = _mm512_min_ps(_mm512_max_ps(q, lo), hi);
            _mm_mask_storeu_epi8((uint8_t *)y + e, m, _mm512_cvtepi32_epi8(_mm512_cvtps_epi32(q)));
        }
        e = end;
    }
}

void mote_dequantize_8_avx512(const void *x, int is_signed, float *y, const float *scale,
                              const int32_t *zp, int64_t C, int64_t inner, int64_t e0, int64_t e1)
{
    int64_t e = e0;
    while (e < e1) {
        const int64_t ch = C == 1 ? 0 : (e / inner) % C;
        const int64_t end = C == 1 ? e1 : ((e / inner + 1) * inner < e1 ? (e / inner + 1) * inner : e1);
        const __m512 s = _mm512_set1_ps(scale[ch]);
        const __m512i z = _mm512_set1_epi32(zp ? zp[ch] : 0);
        for (; e < end; e += 16) {
            const int64_t left = end - e;
            const __mmask16 m = left >= 16 ? 0xffff : (__mmask16)((1u << left) - 1);
            __m128i b = _mm_maskz_loadu_epi8(m, (const uint8_t *)x + e);
            __m512i v = is_signed ? _mm512_cvtepi8_epi32(b) : _mm512_cvtepu8_epi32(b);
            _mm512_mask_storeu_ps(y + e, m, _mm512_mul_ps(_mm512_cvtepi32_ps(_mm512_sub_epi32(v, z)), s));
        }
        e = end;
    }
}
