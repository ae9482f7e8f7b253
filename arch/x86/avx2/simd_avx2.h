/*
 * simd_avx2.h — the AVX2 + FMA vector shim: 8 floats per vector.
 *
 * Same functions as ../avx512/simd_avx512.h, for the generic algorithms in
 * ../vmath.h, ../gemm_tmpl.h and ../elementwise_tmpl.h. Not a general SIMD
 * library. Include only from files compiled with -mavx2 -mfma.
 */
#ifndef MOTE_SIMD_AVX2_H
#define MOTE_SIMD_AVX2_H

#include <immintrin.h>
#include <stdint.h>

typedef __m256 vf;
#define VLEN 8
#define V_ISA avx2

static inline vf v_load(const float *p) { return _mm256_loadu_ps(p); }
static inline void v_store(float *p, vf v) { _mm256_storeu_ps(p, v); }
static inline __m256i v_mask_n(int64_t n)
{
    int k = n >= 8 ? 8 : n <= 0 ? 0 : (int)n;
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(k), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}
/* First n lanes from p, zeros elsewhere; masked lanes are not read. */
static inline vf v_load_n(const float *p, int64_t n) { return _mm256_maskload_ps(p, v_mask_n(n)); }
static inline void v_store_n(float *p, vf v, int64_t n) { _mm256_maskstore_ps(p, v_mask_n(n), v); }
/* v in the first n lanes, 0.0 after */
static inline vf v_keep_n(vf v, int64_t n) { return _mm256_and_ps(_mm256_castsi256_ps(v_mask_n(n)), v); }
/* p[0], p[2], ..., p[2*VLEN-2] (reads p[0 .. 2*VLEN-1]) */
static inline vf v_load_s2(const float *p)
{
    __m256 t = _mm256_shuffle_ps(_mm256_loadu_ps(p), _mm256_loadu_ps(p + 8), _MM_SHUFFLE(2, 0, 2, 0));
    return _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(t), _MM_SHUFFLE(3, 1, 2, 0)));
}
/* p[0], p[2], ..., p[2n-2] in the first n lanes (n <= VLEN), zeros after;
 * reads nothing past p[2n-2], so a row's last output can use it */
static inline vf v_load_s2_n(const float *p, int64_t n)
{
    __m256 t = _mm256_shuffle_ps(v_load_n(p, 2 * n - 1), v_load_n(p + 8, 2 * n - 9), _MM_SHUFFLE(2, 0, 2, 0));
    return _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(t), _MM_SHUFFLE(3, 1, 2, 0)));
}
static inline vf v_set1(float x) { return _mm256_set1_ps(x); }
static inline vf v_zero(void) { return _mm256_setzero_ps(); }
static inline vf v_add(vf a, vf b) { return _mm256_add_ps(a, b); }
static inline vf v_sub(vf a, vf b) { return _mm256_sub_ps(a, b); }
static inline vf v_mul(vf a, vf b) { return _mm256_mul_ps(a, b); }
static inline vf v_div(vf a, vf b) { return _mm256_div_ps(a, b); }
static inline vf v_fma(vf a, vf b, vf c) { return _mm256_fmadd_ps(a, b, c); }
static inline vf v_fnma(vf a, vf b, vf c) { return _mm256_fnmadd_ps(a, b, c); }
static inline vf v_max(vf a, vf b) { return _mm256_max_ps(a, b); }
static inline vf v_min(vf a, vf b) { return _mm256_min_ps(a, b); }
/* fmaxf / fminf: a NaN operand loses (max_ps returns b when either is NaN) */
static inline vf v_fmax(vf a, vf b)
{
    return _mm256_blendv_ps(_mm256_max_ps(a, b), a, _mm256_cmp_ps(b, b, _CMP_UNORD_Q));
}
static inline vf v_fmin(vf a, vf b)
{
    return _mm256_blendv_ps(_mm256_min_ps(a, b), a, _mm256_cmp_ps(b, b, _CMP_UNORD_Q));
}
static inline vf v_sqrt(vf a) { return _mm256_sqrt_ps(a); }
static inline vf v_abs(vf a) { return _mm256_andnot_ps(_mm256_set1_ps(-0.0f), a); }
static inline vf v_neg(vf a) { return _mm256_xor_ps(_mm256_set1_ps(-0.0f), a); }
static inline vf v_round(vf a) { return _mm256_round_ps(a, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }
/* p * 2^n for integral n in [-150, 128]: two exact power-of-two factors
 * 2^(n/2) and 2^(n - n/2), each a normal float, so that the product
 * over- or underflows the way a single exact scaling would. */
static inline vf v_ldexp(vf p, vf n)
{
    __m256i ni = _mm256_cvtps_epi32(n);
    __m256i h = _mm256_srai_epi32(ni, 1);
    __m256i l = _mm256_sub_epi32(ni, h);
    __m256i bias = _mm256_set1_epi32(127);
    vf fh = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(h, bias), 23));
    vf fl = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(l, bias), 23));
    return _mm256_mul_ps(_mm256_mul_ps(p, fh), fl);
}
static inline vf v_copysign(vf mag, vf s)
{
    vf sign = _mm256_set1_ps(-0.0f);
    return _mm256_or_ps(_mm256_andnot_ps(sign, mag), _mm256_and_ps(sign, s));
}
static inline vf v_select_lt(vf a, vf b, vf x, vf y)
{
    return _mm256_blendv_ps(y, x, _mm256_cmp_ps(a, b, _CMP_LT_OQ));
}
static inline float v_hsum(vf a)
{
    __m128 q = _mm_add_ps(_mm256_castps256_ps128(a), _mm256_extractf128_ps(a, 1));
    q = _mm_add_ps(q, _mm_movehl_ps(q, q));
    q = _mm_add_ss(q, _mm_movehdup_ps(q));
    return _mm_cvtss_f32(q);
}
static inline float v_hmax(vf a)
{
    __m128 q = _mm_max_ps(_mm256_castps256_ps128(a), _mm256_extractf128_ps(a, 1));
    q = _mm_max_ps(q, _mm_movehl_ps(q, q));
    q = _mm_max_ss(q, _mm_movehdup_ps(q));
    return _mm_cvtss_f32(q);
}

#endif
