/*
 * simd_avx512.h — the AVX-512 vector shim: 16 floats per vector.
 *
 * The generic x86 algorithms (../vmath.h, ../gemm_tmpl.h, ../elementwise_tmpl.h)
 * are written once against these few inline functions; this header maps
 * them to AVX-512F intrinsics. It is not a general SIMD library: only what
 * those algorithms use. Include only from files compiled with -mavx512f.
 */
#ifndef MOTE_SIMD_AVX512_H
#define MOTE_SIMD_AVX512_H

#include <immintrin.h>
#include <stdint.h>

typedef __m512 vf;
#define VLEN 16
#define V_ISA avx512

static inline vf v_load(const float *p) { return _mm512_loadu_ps(p); }
static inline void v_store(float *p, vf v) { _mm512_storeu_ps(p, v); }
static inline __mmask16 v_mask_n(int64_t n)
{
    return n >= 16 ? (__mmask16)0xFFFF : n <= 0 ? (__mmask16)0 : (__mmask16)((1u << n) - 1u);
}
/* First n lanes from p (n may be <= 0 or >= VLEN), zeros elsewhere; never
 * touches memory past p[n-1]. */
static inline vf v_load_n(const float *p, int64_t n) { return _mm512_maskz_loadu_ps(v_mask_n(n), p); }
static inline void v_store_n(float *p, vf v, int64_t n) { _mm512_mask_storeu_ps(p, v_mask_n(n), v); }
/* v in the first n lanes, 0.0 after */
static inline vf v_keep_n(vf v, int64_t n) { return _mm512_maskz_mov_ps(v_mask_n(n), v); }
/* p[0], p[2], ..., p[2*VLEN-2] (reads p[0 .. 2*VLEN-1]) */
static inline vf v_load_s2(const float *p)
{
    const __m512i idx = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    return _mm512_permutex2var_ps(_mm512_loadu_ps(p), idx, _mm512_loadu_ps(p + 16));
}
/* p[0], p[2], ..., p[2n-2] in the first n lanes (n <= VLEN), zeros after;
 * reads nothing past p[2n-2], so a row's last output can use it */
static inline vf v_load_s2_n(const float *p, int64_t n)
{
    const __m512i idx = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    return _mm512_permutex2var_ps(v_load_n(p, 2 * n - 1), idx, v_load_n(p + 16, 2 * n - 17));
}
static inline vf v_set1(float x) { return _mm512_set1_ps(x); }
static inline vf v_zero(void) { return _mm512_setzero_ps(); }
static inline vf v_add(vf a, vf b) { return _mm512_add_ps(a, b); }
static inline vf v_sub(vf a, vf b) { return _mm512_sub_ps(a, b); }
static inline vf v_mul(vf a, vf b) { return _mm512_mul_ps(a, b); }
static inline vf v_div(vf a, vf b) { return _mm512_div_ps(a, b); }
/* a*b + c, one rounding */
static inline vf v_fma(vf a, vf b, vf c) { return _mm512_fmadd_ps(a, b, c); }
/* c - a*b, one rounding */
static inline vf v_fnma(vf a, vf b, vf c) { return _mm512_fnmadd_ps(a, b, c); }
static inline vf v_max(vf a, vf b) { return _mm512_max_ps(a, b); }
static inline vf v_min(vf a, vf b) { return _mm512_min_ps(a, b); }
/* fmaxf / fminf: a NaN operand loses (max_ps returns b when either is NaN) */
static inline vf v_fmax(vf a, vf b)
{
    return _mm512_mask_mov_ps(_mm512_max_ps(a, b), _mm512_cmp_ps_mask(b, b, _CMP_UNORD_Q), a);
}
static inline vf v_fmin(vf a, vf b)
{
    return _mm512_mask_mov_ps(_mm512_min_ps(a, b), _mm512_cmp_ps_mask(b, b, _CMP_UNORD_Q), a);
}
static inline vf v_sqrt(vf a) { return _mm512_sqrt_ps(a); }
static inline vf v_abs(vf a) { return _mm512_abs_ps(a); }
static inline vf v_neg(vf a) { return _mm512_castsi512_ps(_mm512_xor_si512(_mm512_castps_si512(a), _mm512_set1_epi32((int)0x80000000u))); }
/* round to nearest integer (ties to even), as a float */
static inline vf v_round(vf a) { return _mm512_roundscale_ps(a, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }
/* p * 2^n for integral n in [-150, 128]: scalef handles over/underflow. */
static inline vf v_ldexp(vf p, vf n) { return _mm512_scalef_ps(p, n); }
/* |mag| with the sign of s */
static inline vf v_copysign(vf mag, vf s)
{
    __m512i m = _mm512_set1_epi32(0x7FFFFFFF);
    return _mm512_castsi512_ps(_mm512_ternarylogic_epi32(m, _mm512_castps_si512(mag),
                                                          _mm512_castps_si512(s), 0xCA)); /* m ? mag : s */
}
/* lanes where a < b take x, others y */
static inline vf v_select_lt(vf a, vf b, vf x, vf y)
{
    return _mm512_mask_blend_ps(_mm512_cmp_ps_mask(a, b, _CMP_LT_OQ), y, x);
}
static inline float v_hsum(vf a)
{
    __m256 s = _mm256_add_ps(_mm512_castps512_ps256(a), _mm512_extractf32x8_ps(a, 1));
    __m128 q = _mm_add_ps(_mm256_castps256_ps128(s), _mm256_extractf128_ps(s, 1));
    q = _mm_add_ps(q, _mm_movehl_ps(q, q));
    q = _mm_add_ss(q, _mm_movehdup_ps(q));
    return _mm_cvtss_f32(q);
}
static inline float v_hmax(vf a)
{
    __m256 s = _mm256_max_ps(_mm512_castps512_ps256(a), _mm512_extractf32x8_ps(a, 1));
    __m128 q = _mm_max_ps(_mm256_castps256_ps128(s), _mm256_extractf128_ps(s, 1));
    q = _mm_max_ps(q, _mm_movehl_ps(q, q));
    q = _mm_max_ss(q, _mm_movehdup_ps(q));
    return _mm_cvtss_f32(q);
}

#endif
