/*
 * llm_avx2.c — AVX2 + FMA versions of the LLM kernels (the llm sub-table,
 * kernels/kernel_list.h): the f32 matrix-vector product streaming each
 * weight row once, attention (dot/axpy), SwiGLU with a vector exp, q8/q16 activation quantization, and
 * the q8_0 / q4_0 products on weights packed 16 rows at a time
 * (mote_qpack16): vpmaddwd on sign-extended q8_0 pairs against 16-bit
 * activations, vpmaddubsw + vpmaddwd on q4_0 codes against 8-bit ones
 * (no VNNI needed). Not here: rotary embedding (the reference's is cheap).
 *
 * Every output element is computed by the same instruction sequence
 * whatever row range or tile it falls in, so results do not depend on the
 * thread count.
 */
#include <immintrin.h>
#include <math.h>
#include <string.h>
#include "kernels.h"

#define INLINE static inline __attribute__((always_inline))
/* unrolls loops over a handful of rows, so their accumulators stay in
 * registers (at -O2 GCC otherwise keeps them in a stack array) */
#define ROWS _Pragma("GCC unroll 16")

/* 32-bit lanes [0, n) set, n may exceed 8 */
INLINE __m256i head_mask8(int64_t n)
{
    const __m256i idx = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    return _mm256_cmpgt_epi32(_mm256_set1_epi32((int)(n > 8 ? 8 : n)), idx);
}

INLINE float hsum8(__m256 v)
{
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

/* ------------------------------------------------------------------ f32 */

/* R rows' dots with x: two accumulators over 16 values per step, the tail
 * masked into the first; the same order for every row. */
INLINE void rows_dot(int R, int64_t K, const float *w, const float *x, float *y)
{
    __m256 a0[4], a1[4];
    ROWS for (int r = 0; r < R; r++) a0[r] = a1[r] = _mm256_setzero_ps();
    int64_t k = 0;
    for (; k + 16 <= K; k += 16) {
        __m256 x0 = _mm256_loadu_ps(x + k), x1 = _mm256_loadu_ps(x + k + 8);
        ROWS for (int r = 0; r < R; r++) {
            a0[r] = _mm256_fmadd_ps(_mm256_loadu_ps(w + r * K + k), x0, a0[r]);
            a1[r] = _mm256_fmadd_ps(_mm256_loadu_ps(w + r * K + k + 8), x1, a1[r]);
        }
    }
    for (; k < K; k += 8) {
        __m256i m = head_mask8(K - k);
        __m256 x0 = _mm256_maskload_ps(x + k, m);
        ROWS for (int r = 0; r < R; r++)
            a0[r] = _mm256_fmadd_ps(_mm256_maskload_ps(w + r * K + k, m), x0, a0[r]);
    }
    ROWS for (int r = 0; r < R; r++) y[r] = hsum8(_mm256_add_ps(a0[r], a1[r]));
}

static void matvec_f32_avx2(int64_t K, const float *W, int64_t n0, int64_t n1,
                            const float *x, float *y)
{
    int64_t n = n0;
    for (; n + 4 <= n1; n += 4) rows_dot(4, K, W + n * K, x, y + (n - n0));
    for (; n < n1; n++) rows_dot(1, K, W + n * K, x, y + (n - n0));
}

/* as rows_dot, W in IEEE half (vcvtph2ps); the tail converts one value
 * at a time into a zero-padded buffer */
INLINE void rows_dot_h(int R, int64_t K, const uint16_t *w, const float *x, float *y)
{
    __m256 a0[4], a1[4];
    ROWS for (int r = 0; r < R; r++) a0[r] = a1[r] = _mm256_setzero_ps();
    int64_t k = 0;
    for (; k + 16 <= K; k += 16) {
        __m256 x0 = _mm256_loadu_ps(x + k), x1 = _mm256_loadu_ps(x + k + 8);
        ROWS for (int r = 0; r < R; r++) {
            a0[r] = _mm256_fmadd_ps(_mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(w + r * K + k))), x0, a0[r]);
            a1[r] = _mm256_fmadd_ps(_mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(w + r * K + k + 8))), x1, a1[r]);
        }
    }
    for (; k < K; k += 8) {
        __m256i m = head_mask8(K - k);
        __m256 x0 = _mm256_maskload_ps(x + k, m);
        ROWS for (int r = 0; r < R; r++) {
            uint16_t t[8] = { 0 };
            for (int64_t i = 0; i < 8 && k + i < K; i++) t[i] = w[r * K + k + i];
            a0[r] = _mm256_fmadd_ps(_mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)t)), x0, a0[r]);
        }
    }
    ROWS for (int r = 0; r < R; r++) y[r] = hsum8(_mm256_add_ps(a0[r], a1[r]));
}

static void matvec_f16_avx2(int64_t K, const uint16_t *W, int64_t n0, int64_t n1,
                            const float *x, float *y)
{
    int64_t n = n0;
    for (; n + 4 <= n1; n += 4) rows_dot_h(4, K, W + n * K, x, y + (n - n0));
    for (; n < n1; n++) rows_dot_h(1, K, W + n * K, x, y + (n - n0));
}

static float dot_f32_avx2(int64_t n, const float *a, const float *b)
{
    float y;
    rows_dot(1, n, a, b, &y);
    return y;
}

static void axpy_f32_avx2(int64_t n, float a, const float *x, float *y)
{
    __m256 av = _mm256_set1_ps(a);
    for (int64_t i = 0; i < n; i += 8) {
        __m256i m = head_mask8(n - i);
        __m256 v = _mm256_fmadd_ps(av, _mm256_maskload_ps(x + i, m), _mm256_maskload_ps(y + i, m));
        _mm256_maskstore_ps(y + i, m, v);
    }
}

/* exp(x): x = k ln2 + r, e^r by its Taylor series to r^7, times 2^k
 * built in the exponent bits (x clamped so that k stays in [-126, 127]). */
INLINE __m256 exp256(__m256 x)
{
    x = _mm256_min_ps(_mm256_max_ps(x, _mm256_set1_ps(-87.0f)), _mm256_set1_ps(88.0f));
    __m256 k = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(1.44269504088896341f)),
                               _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m256 r = _mm256_fnmadd_ps(k, _mm256_set1_ps(0.693359375f), x);
    r = _mm256_fnmadd_ps(k, _mm256_set1_ps(-2.12194440e-4f), r);
    __m256 p = _mm256_set1_ps(1.0f / 5040);
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 720));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 120));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 24));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 6));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(0.5f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f));
    __m256i e = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(k), _mm256_set1_epi32(127)), 23);
    return _mm256_mul_ps(p, _mm256_castsi256_ps(e));
}

/* y = a * b / (1 + exp(-a)) */
static void swiglu_f32_avx2(int64_t n, const float *a, const float *b, float *y)
{
    for (int64_t i = 0; i < n; i += 8) {
        __m256i m = head_mask8(n - i);
        __m256 av = _mm256_maskload_ps(a + i, m), bv = _mm256_maskload_ps(b + i, m);
        __m256 e = exp256(_mm256_sub_ps(_mm256_setzero_ps(), av));
        __m256 s = _mm256_div_ps(_mm256_set1_ps(1.0f), _mm256_add_ps(_mm256_set1_ps(1.0f), e));
        _mm256_maskstore_ps(y + i, m, _mm256_mul_ps(_mm256_mul_ps(av, s), bv));
    }
}

/* ------------------------------------------------------- attention */

/* attend for hs = NV * 8: q and the output row live in registers */
INLINE void attend_nv(const int NV, int64_t n, const float *q, const float *k, const float *v,
                      int64_t ld, float scale, float *s, float *y)
{
    __m256 qv[8], acc[8];
    ROWS for (int c = 0; c < NV; c++) qv[c] = _mm256_loadu_ps(q + c * 8);
    float mx = -INFINITY;
    for (int64_t j = 0; j < n; j++) {
        __m256 a = _mm256_mul_ps(qv[0], _mm256_loadu_ps(k + j * ld));
        ROWS for (int c = 1; c < NV; c++) a = _mm256_fmadd_ps(qv[c], _mm256_loadu_ps(k + j * ld + c * 8), a);
        s[j] = hsum8(a) * scale;
        if (s[j] > mx) mx = s[j];
    }
    __m256 mxv = _mm256_set1_ps(mx), sumv = _mm256_setzero_ps();
    int64_t j = 0;
    for (; j + 8 <= n; j += 8) {
        __m256 e = exp256(_mm256_sub_ps(_mm256_loadu_ps(s + j), mxv));
        _mm256_storeu_ps(s + j, e);
        sumv = _mm256_add_ps(sumv, e);
    }
    float sum = hsum8(sumv);
    for (; j < n; j++) {
        s[j] = expf(s[j] - mx);
        sum += s[j];
    }
    float inv = 1.0f / sum;
    ROWS for (int c = 0; c < NV; c++) acc[c] = _mm256_setzero_ps();
    for (j = 0; j < n; j++) {
        __m256 w = _mm256_set1_ps(s[j] * inv);
        ROWS for (int c = 0; c < NV; c++) acc[c] = _mm256_fmadd_ps(w, _mm256_loadu_ps(v + j * ld + c * 8), acc[c]);
    }
    ROWS for (int c = 0; c < NV; c++) _mm256_storeu_ps(y + c * 8, acc[c]);
}

static void attend_f32_avx2(int64_t n, int64_t hs, const float *q, const float *k, const float *v,
                            int64_t ld, float scale, float *s, float *y)
{
    switch (hs) {
    case 8: attend_nv(1, n, q, k, v, ld, scale, s, y); return;
    case 16: attend_nv(2, n, q, k, v, ld, scale, s, y); return;
    case 32: attend_nv(4, n, q, k, v, ld, scale, s, y); return;
    case 64: attend_nv(8, n, q, k, v, ld, scale, s, y); return;
    default: break;
    }
    /* other head sizes: the reference's steps on this file's row kernels */
    float mx = -INFINITY, sum = 0;
    for (int64_t j = 0; j < n; j++) {
        s[j] = dot_f32_avx2(hs, q, k + j * ld) * scale;
        if (s[j] > mx) mx = s[j];
    }
    for (int64_t j = 0; j < n; j++) {
        s[j] = expf(s[j] - mx);
        sum += s[j];
    }
    memset(y, 0, (size_t)hs * sizeof *y);
    for (int64_t j = 0; j < n; j++) axpy_f32_avx2(hs, s[j] / sum, v + j * ld, y);
}

/* ------------------------------------------------------- quantized */

INLINE float amax32(const float *x)
{
    const __m256 sign = _mm256_castsi256_ps(_mm256_set1_epi32(0x7FFFFFFF));
    __m256 m = _mm256_and_ps(_mm256_loadu_ps(x), sign);
    for (int i = 8; i < 32; i += 8) m = _mm256_max_ps(m, _mm256_and_ps(_mm256_loadu_ps(x + i), sign));
    __m128 s = _mm_max_ps(_mm256_castps256_ps128(m), _mm256_extractf128_ps(m, 1));
    s = _mm_max_ps(s, _mm_movehl_ps(s, s));
    s = _mm_max_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

/* as the reference: d = amax / 127, q = nearbyint(x / d) (vcvtps2dq) */
static void quantize_q8a_avx2(int64_t K, const float *x, mote_q8a_block *out)
{
    for (int64_t b = 0; b < K / MOTE_QK; b++, x += MOTE_QK, out++) {
        float d = amax32(x) / 127.0f, id = d != 0 ? 1.0f / d : 0.0f;
        __m256 idv = _mm256_set1_ps(id);
        __m256i q[4];
        for (int i = 0; i < 4; i++) q[i] = _mm256_cvtps_epi32(_mm256_mul_ps(_mm256_loadu_ps(x + 8 * i), idv));
        /* pack 32-bit -> 16 -> 8 bits; the packs interleave 128-bit halves */
        __m256i w01 = _mm256_packs_epi32(q[0], q[1]), w23 = _mm256_packs_epi32(q[2], q[3]);
        __m256i b8 = _mm256_packs_epi16(w01, w23);
        b8 = _mm256_permutevar8x32_epi32(b8, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
        _mm256_storeu_si256((__m256i *)out->q, b8);
        __m256i s = _mm256_add_epi32(_mm256_add_epi32(q[0], q[1]), _mm256_add_epi32(q[2], q[3]));
        __m128i t = _mm_add_epi32(_mm256_castsi256_si128(s), _mm256_extracti128_si256(s, 1));
        t = _mm_add_epi32(t, _mm_shuffle_epi32(t, 0x4E));
        t = _mm_add_epi32(t, _mm_shuffle_epi32(t, 0xB1));
        out->d = d;
        out->sum = _mm_cvtsi128_si32(t);
    }
}

/* as the reference: d = amax / 32767, q = nearbyint(x / d) */
static void quantize_q16a_avx2(int64_t K, const float *x, mote_q16a_block *out)
{
    for (int64_t b = 0; b < K / MOTE_QK; b++, x += MOTE_QK, out++) {
        float d = amax32(x) / 32767.0f, id = d != 0 ? 1.0f / d : 0.0f;
        __m256 idv = _mm256_set1_ps(id);
        for (int h = 0; h < 2; h++) {
            __m256i q0 = _mm256_cvtps_epi32(_mm256_mul_ps(_mm256_loadu_ps(x + 16 * h), idv));
            __m256i q1 = _mm256_cvtps_epi32(_mm256_mul_ps(_mm256_loadu_ps(x + 16 * h + 8), idv));
            __m256i w = _mm256_permute4x64_epi64(_mm256_packs_epi32(q0, q1), 0xD8);
            _mm256_storeu_si256((__m256i *)(out->q + 16 * h), w);
        }
        out->d = d;
    }
}

INLINE __m256i xbcast(const void *q, int j)
{
    int32_t v;
    memcpy(&v, (const char *)q + 4 * j, 4);
    return _mm256_set1_epi32(v);
}

/*
 * One x row against one group of 16 packed rows (two halves of 8 lanes):
 * lane r accumulates (dw[b][r] * dx[b]) * isum over blocks b, isum exact:
 * q8_0 pairs sign-extended to 16 bits times 16-bit activations (vpmaddwd);
 * q4_0 codes times 8-bit activations (vpmaddubsw, at most 2*15*127, no
 * saturation, then vpmaddwd by 1), started at -8 * sum(qx).
 */
INLINE void qrow(int Q4, int64_t nb, const uint8_t *G, size_t sb, const void *xrow,
                 __m256 *acc0, __m256 *acc1)
{
    const uint8_t *q = G + sb;
    const __m256i ones = _mm256_set1_epi16(1), lo = _mm256_set1_epi8(15);
    __m256 c0 = _mm256_setzero_ps(), c1 = _mm256_setzero_ps();
    for (int64_t b = 0; b < nb; b++) {
        __m128i h = _mm_load_si128((const __m128i *)(G + b * 32));
        __m256 dw0 = _mm256_cvtph_ps(h), dw1 = _mm256_cvtph_ps(_mm_load_si128((const __m128i *)(G + b * 32 + 16)));
        __m256i s0, s1;
        float dx;
        if (Q4) {
            const mote_q8a_block *xb = (const mote_q8a_block *)xrow + b;
            s0 = s1 = _mm256_set1_epi32(-8 * xb->sum);
            for (int j = 0; j < 4; j++) {
                __m256i v0 = _mm256_load_si256((const __m256i *)(q + b * 256 + j * 64));
                __m256i v1 = _mm256_load_si256((const __m256i *)(q + b * 256 + j * 64 + 32));
                __m256i xl = xbcast(xb->q, j), xh = xbcast(xb->q, j + 4);
                s0 = _mm256_add_epi32(s0, _mm256_madd_epi16(_mm256_maddubs_epi16(_mm256_and_si256(v0, lo), xl), ones));
                s1 = _mm256_add_epi32(s1, _mm256_madd_epi16(_mm256_maddubs_epi16(_mm256_and_si256(v1, lo), xl), ones));
                s0 = _mm256_add_epi32(s0, _mm256_madd_epi16(_mm256_maddubs_epi16(
                         _mm256_and_si256(_mm256_srli_epi16(v0, 4), lo), xh), ones));
                s1 = _mm256_add_epi32(s1, _mm256_madd_epi16(_mm256_maddubs_epi16(
                         _mm256_and_si256(_mm256_srli_epi16(v1, 4), lo), xh), ones));
            }
            dx = xb->d;
        } else {
            const mote_q16a_block *xb = (const mote_q16a_block *)xrow + b;
            s0 = s1 = _mm256_setzero_si256();
            for (int p = 0; p < 16; p++) {
                __m256i xp = xbcast(xb->q, p);
                __m256i w0 = _mm256_cvtepi8_epi16(_mm_load_si128((const __m128i *)(q + b * 512 + p * 32)));
                __m256i w1 = _mm256_cvtepi8_epi16(_mm_load_si128((const __m128i *)(q + b * 512 + p * 32 + 16)));
                s0 = _mm256_add_epi32(s0, _mm256_madd_epi16(w0, xp));
                s1 = _mm256_add_epi32(s1, _mm256_madd_epi16(w1, xp));
            }
            dx = xb->d;
        }
        __m256 dxv = _mm256_set1_ps(dx);
        c0 = _mm256_fmadd_ps(_mm256_cvtepi32_ps(s0), _mm256_mul_ps(dw0, dxv), c0);
        c1 = _mm256_fmadd_ps(_mm256_cvtepi32_ps(s1), _mm256_mul_ps(dw1, dxv), c1);
    }
    *acc0 = c0;
    *acc1 = c1;
}

static void matmul_qpacked_avx2(mote_wtype t, int64_t M, int64_t K, const void *x,
                                const void *Wp, int64_t n0, int64_t n1, float *y, int64_t ldy)
{
    int Q4 = t == MOTE_W_Q4_0;
    int64_t nb = K / MOTE_QK;
    size_t gb = mote_qpack16_group_bytes(t, K), sb = mote_qpack16_scale_bytes(K);
    size_t xrow = (size_t)nb * (Q4 ? sizeof(mote_q8a_block) : sizeof(mote_q16a_block));
    for (int64_t g = n0 / 16; g * 16 < n1; g++) {
        const uint8_t *G = (const uint8_t *)Wp + (size_t)g * gb;
        for (int64_t m = 0; m < M; m++) {
            __m256 a0, a1;
            const void *xr = (const char *)x + (size_t)m * xrow;
            if (Q4) qrow(1, nb, G, sb, xr, &a0, &a1);
            else qrow(0, nb, G, sb, xr, &a0, &a1);
            float v[16];
            _mm256_storeu_ps(v, a0);
            _mm256_storeu_ps(v + 8, a1);
            for (int r = 0; r < 16; r++) {
                int64_t n = g * 16 + r;
                if (n >= n0 && n < n1) y[m * ldy + n] = v[r];
            }
        }
    }
}

const mote_llm_kernels mote_llm_kernels_avx2 = {
    .matvec_f32 = matvec_f32_avx2,
    .matvec_f16 = matvec_f16_avx2,
    .swiglu_f32 = swiglu_f32_avx2,
    .attend_f32 = attend_f32_avx2,
    .quantize_q8a = quantize_q8a_avx2,
    .quantize_q16a = quantize_q16a_avx2,
    .matmul_qpacked = matmul_qpacked_avx2,
};
