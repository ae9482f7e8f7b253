/*
 * llm_avx512.c — AVX-512 (F, BW, VL, VNNI) versions of the LLM kernels
 * (the llm sub-table, kernels/kernel_list.h): the f32 matrix-vector product
 * that streams each weight row once, dot/axpy for attention, SwiGLU with a vector exp,
 * on-the-fly q8 / q16 quantization of activations, and the q8_0 / q4_0
 * products on weights packed 16 rows at a time (mote_qpack16) with
 * vpdpwssd / vpdpbusd.
 * Not here: rotary embedding (the reference's few sin/cos per head are
 * cheap) and the products on unpacked file blocks (the op packs first).
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

/* lanes [0, n) of a 16-lane mask, n may exceed 16 */
INLINE __mmask16 head_mask(int64_t n) { return n >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << n) - 1); }

/* ------------------------------------------------------------------ f32 */

#ifndef PF_F32_BYTES
#define PF_F32_BYTES 1024   /* how far ahead each row stream is prefetched */
#endif

/* R rows' dots with x (row r at w + r * rs, its result at y[r * ys]): two
 * accumulators over 32 values per step, the tail masked into the first;
 * the same order for every row, whichever rows it is computed beside. */
INLINE void rows_dot(int R, int64_t K, const float *w, int64_t rs, const float *x, float *y, int64_t ys)
{
    __m512 a0[8], a1[8];
    ROWS for (int r = 0; r < R; r++) a0[r] = a1[r] = _mm512_setzero_ps();
    int64_t k = 0;
    for (; k + 32 <= K; k += 32) {
        __m512 x0 = _mm512_loadu_ps(x + k), x1 = _mm512_loadu_ps(x + k + 16);
        ROWS for (int r = 0; r < R; r++) {
            /* software prefetch: the hardware's alone leaves DRAM bandwidth unused */
            _mm_prefetch((const char *)(w + r * rs + k) + PF_F32_BYTES, _MM_HINT_T0);
            _mm_prefetch((const char *)(w + r * rs + k) + PF_F32_BYTES + 64, _MM_HINT_T0);
            a0[r] = _mm512_fmadd_ps(_mm512_loadu_ps(w + r * rs + k), x0, a0[r]);
            a1[r] = _mm512_fmadd_ps(_mm512_loadu_ps(w + r * rs + k + 16), x1, a1[r]);
        }
    }
    for (; k < K; k += 16) {
        __mmask16 m = head_mask(K - k);
        __m512 x0 = _mm512_maskz_loadu_ps(m, x + k);
        ROWS for (int r = 0; r < R; r++)
            a0[r] = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, w + r * rs + k), x0, a0[r]);
    }
    ROWS for (int r = 0; r < R; r++) y[r * ys] = _mm512_reduce_add_ps(_mm512_add_ps(a0[r], a1[r]));
}

/* y[n - n0] = W[n, :] . x. The range is walked as four quarters side by
 * side, a row of each at a time: four read streams far apart keep more
 * DRAM requests in flight than one (measured on rand768's matrices, one
 * core: ~25 GB/s for four adjacent rows at a time, ~29 for two halves,
 * ~38 for four quarters). */
static void matvec_f32_avx512(int64_t K, const float *W, int64_t n0, int64_t n1,
                              const float *x, float *y)
{
    int64_t q = (n1 - n0) / 4;
    for (int64_t i = 0; i < q; i++) rows_dot(4, K, W + (n0 + i) * K, q * K, x, y + i, q);
    for (int64_t n = n0 + 4 * q; n < n1; n++) rows_dot(1, K, W + n * K, K, x, y + (n - n0), 1);
}

/* as rows_dot, W in IEEE half (vcvtph2ps), the same order for every row */
INLINE void rows_dot_h(int R, int64_t K, const uint16_t *w, int64_t rs, const float *x, float *y, int64_t ys)
{
    __m512 a0[4], a1[4];
    ROWS for (int r = 0; r < R; r++) a0[r] = a1[r] = _mm512_setzero_ps();
    int64_t k = 0;
    for (; k + 32 <= K; k += 32) {
        __m512 x0 = _mm512_loadu_ps(x + k), x1 = _mm512_loadu_ps(x + k + 16);
        ROWS for (int r = 0; r < R; r++) {
            _mm_prefetch((const char *)(w + r * rs + k) + PF_F32_BYTES, _MM_HINT_T0);
            __m512 w0 = _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)(w + r * rs + k)));
            __m512 w1 = _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)(w + r * rs + k + 16)));
            a0[r] = _mm512_fmadd_ps(w0, x0, a0[r]);
            a1[r] = _mm512_fmadd_ps(w1, x1, a1[r]);
        }
    }
    for (; k < K; k += 16) {
        __mmask16 m = head_mask(K - k);
        __m512 x0 = _mm512_maskz_loadu_ps(m, x + k);
        ROWS for (int r = 0; r < R; r++)
            a0[r] = _mm512_fmadd_ps(_mm512_cvtph_ps(_mm256_maskz_loadu_epi16(m, w + r * rs + k)), x0, a0[r]);
    }
    ROWS for (int r = 0; r < R; r++) y[r * ys] = _mm512_reduce_add_ps(_mm512_add_ps(a0[r], a1[r]));
}

/* four quarters side by side, as matvec_f32 */
static void matvec_f16_avx512(int64_t K, const uint16_t *W, int64_t n0, int64_t n1,
                              const float *x, float *y)
{
    int64_t q = (n1 - n0) / 4;
    for (int64_t i = 0; i < q; i++) rows_dot_h(4, K, W + (n0 + i) * K, q * K, x, y + i, q);
    for (int64_t n = n0 + 4 * q; n < n1; n++) rows_dot_h(1, K, W + n * K, K, x, y + (n - n0), 1);
}

static float dot_f32_avx512(int64_t n, const float *a, const float *b)
{
    float y;
    rows_dot(1, n, a, n, b, &y, 1);
    return y;
}

static void axpy_f32_avx512(int64_t n, float a, const float *x, float *y)
{
    __m512 av = _mm512_set1_ps(a);
    for (int64_t i = 0; i < n; i += 16) {
        __mmask16 m = head_mask(n - i);
        __m512 v = _mm512_fmadd_ps(av, _mm512_maskz_loadu_ps(m, x + i), _mm512_maskz_loadu_ps(m, y + i));
        _mm512_mask_storeu_ps(y + i, m, v);
    }
}

/* exp(x): x = k ln2 + r, |r| <= ln2/2, e^r by its Taylor series to r^7
 * (relative error below 1e-8 before rounding), times 2^k (vscalefps). */
INLINE __m512 exp512(__m512 x)
{
    x = _mm512_min_ps(_mm512_max_ps(x, _mm512_set1_ps(-103.0f)), _mm512_set1_ps(88.7f));
    __m512 k = _mm512_roundscale_ps(_mm512_mul_ps(x, _mm512_set1_ps(1.44269504088896341f)),
                                    _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m512 r = _mm512_fnmadd_ps(k, _mm512_set1_ps(0.693359375f), x);     /* ln2 high part */
    r = _mm512_fnmadd_ps(k, _mm512_set1_ps(-2.12194440e-4f), r);          /* ln2 low part  */
    __m512 p = _mm512_set1_ps(1.0f / 5040);
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 720));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 120));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 24));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 6));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(0.5f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f));
    return _mm512_scalef_ps(p, k);
}

/* y = a * sigmoid(a) * b = a * b / (1 + exp(-a)) */
static void swiglu_f32_avx512(int64_t n, const float *a, const float *b, float *y)
{
    for (int64_t i = 0; i < n; i += 16) {
        __mmask16 m = head_mask(n - i);
        __m512 av = _mm512_maskz_loadu_ps(m, a + i), bv = _mm512_maskz_loadu_ps(m, b + i);
        __m512 e = exp512(_mm512_sub_ps(_mm512_setzero_ps(), av));
        __m512 s = _mm512_div_ps(_mm512_set1_ps(1.0f), _mm512_add_ps(_mm512_set1_ps(1.0f), e));
        _mm512_mask_storeu_ps(y + i, m, _mm512_mul_ps(_mm512_mul_ps(av, s), bv));
    }
}

/* ------------------------------------------------------- attention */

/* attend for hs = NV * 16: q and the output row live in registers; each
 * key costs NV fmas and one horizontal sum, each value NV fmas. */
INLINE void attend_nv(const int NV, int64_t n, const float *q, const float *k, const float *v,
                      int64_t ld, float scale, float *s, float *y)
{
    __m512 qv[8], acc[8];
    ROWS for (int c = 0; c < NV; c++) qv[c] = _mm512_loadu_ps(q + c * 16);
    float mx = -INFINITY;
    for (int64_t j = 0; j < n; j++) {
        __m512 a = _mm512_mul_ps(qv[0], _mm512_loadu_ps(k + j * ld));
        ROWS for (int c = 1; c < NV; c++) a = _mm512_fmadd_ps(qv[c], _mm512_loadu_ps(k + j * ld + c * 16), a);
        s[j] = _mm512_reduce_add_ps(a) * scale;
        if (s[j] > mx) mx = s[j];
    }
    __m512 mxv = _mm512_set1_ps(mx), sumv = _mm512_setzero_ps();
    for (int64_t j = 0; j < n; j += 16) {
        __mmask16 m = head_mask(n - j);
        __m512 e = exp512(_mm512_sub_ps(_mm512_maskz_loadu_ps(m, s + j), mxv));
        _mm512_mask_storeu_ps(s + j, m, e);
        sumv = _mm512_add_ps(sumv, _mm512_maskz_mov_ps(m, e));
    }
    float inv = 1.0f / _mm512_reduce_add_ps(sumv);
    ROWS for (int c = 0; c < NV; c++) acc[c] = _mm512_setzero_ps();
    for (int64_t j = 0; j < n; j++) {
        __m512 w = _mm512_set1_ps(s[j] * inv);
        ROWS for (int c = 0; c < NV; c++) acc[c] = _mm512_fmadd_ps(w, _mm512_loadu_ps(v + j * ld + c * 16), acc[c]);
    }
    ROWS for (int c = 0; c < NV; c++) _mm512_storeu_ps(y + c * 16, acc[c]);
}

static void attend_f32_avx512(int64_t n, int64_t hs, const float *q, const float *k, const float *v,
                              int64_t ld, float scale, float *s, float *y)
{
    switch (hs) {
    case 16: attend_nv(1, n, q, k, v, ld, scale, s, y); return;
    case 32: attend_nv(2, n, q, k, v, ld, scale, s, y); return;
    case 64: attend_nv(4, n, q, k, v, ld, scale, s, y); return;
    case 128: attend_nv(8, n, q, k, v, ld, scale, s, y); return;
    default: break;
    }
    /* other head sizes: the reference's steps on this file's row kernels */
    float mx = -INFINITY, sum = 0;
    for (int64_t j = 0; j < n; j++) {
        s[j] = dot_f32_avx512(hs, q, k + j * ld) * scale;
        if (s[j] > mx) mx = s[j];
    }
    for (int64_t j = 0; j < n; j++) {
        s[j] = expf(s[j] - mx);
        sum += s[j];
    }
    memset(y, 0, (size_t)hs * sizeof *y);
    for (int64_t j = 0; j < n; j++) axpy_f32_avx512(hs, s[j] / sum, v + j * ld, y);
}

/* ------------------------------------------------------- quantized */

/* The reference's rounding exactly: d = amax / 127, q = nearbyint(x / d)
 * (vcvtps2dq rounds to nearest even, as nearbyintf does by default). */
static void quantize_q8a_avx512(int64_t K, const float *x, mote_q8a_block *out)
{
    const __m512 sign = _mm512_castsi512_ps(_mm512_set1_epi32(0x7FFFFFFF));
    for (int64_t b = 0; b < K / MOTE_QK; b++, x += MOTE_QK, out++) {
        __m512 v0 = _mm512_loadu_ps(x), v1 = _mm512_loadu_ps(x + 16);
        float amax = _mm512_reduce_max_ps(_mm512_max_ps(_mm512_and_ps(v0, sign), _mm512_and_ps(v1, sign)));
        float d = amax / 127.0f, id = d != 0 ? 1.0f / d : 0.0f;
        __m512 idv = _mm512_set1_ps(id);
        __m512i q0 = _mm512_cvtps_epi32(_mm512_mul_ps(v0, idv));
        __m512i q1 = _mm512_cvtps_epi32(_mm512_mul_ps(v1, idv));
        _mm_storeu_si128((__m128i *)out->q, _mm512_cvtepi32_epi8(q0));
        _mm_storeu_si128((__m128i *)(out->q + 16), _mm512_cvtepi32_epi8(q1));
        out->d = d;
        out->sum = _mm512_reduce_add_epi32(_mm512_add_epi32(q0, q1));
    }
}

/* as the reference: d = amax / 32767, q = nearbyint(x / d) */
static void quantize_q16a_avx512(int64_t K, const float *x, mote_q16a_block *out)
{
    const __m512 sign = _mm512_castsi512_ps(_mm512_set1_epi32(0x7FFFFFFF));
    for (int64_t b = 0; b < K / MOTE_QK; b++, x += MOTE_QK, out++) {
        __m512 v0 = _mm512_loadu_ps(x), v1 = _mm512_loadu_ps(x + 16);
        float amax = _mm512_reduce_max_ps(_mm512_max_ps(_mm512_and_ps(v0, sign), _mm512_and_ps(v1, sign)));
        float d = amax / 32767.0f, id = d != 0 ? 1.0f / d : 0.0f;
        __m512 idv = _mm512_set1_ps(id);
        _mm256_storeu_si256((__m256i *)out->q, _mm512_cvtepi32_epi16(_mm512_cvtps_epi32(_mm512_mul_ps(v0, idv))));
        _mm256_storeu_si256((__m256i *)(out->q + 16),
                            _mm512_cvtepi32_epi16(_mm512_cvtps_epi32(_mm512_mul_ps(v1, idv))));
        out->d = d;
    }
}

#ifndef PF_BYTES
#define PF_BYTES 8192   /* how far ahead the packed weights are prefetched */
#endif
#ifndef PF_HINT
#define PF_HINT _MM_HINT_T0
#endif

/* the same 32 bits of activations (4 of 8 bits, or 2 of 16) in every lane */
INLINE __m512i xbcast(const void *q, int j)
{
    int32_t v;
    memcpy(&v, (const char *)q + 4 * j, 4);
    return _mm512_set1_epi32(v);
}

/*
 * MT rows of x (m0..m0+MT-1) against one group of 16 packed rows: lane r
 * of acc[m] accumulates over blocks b
 *   (dw[b][r] * dx[m][b]) * isum,  isum = sum_i w[r][i] qx[m][i]
 * where isum is exact: q8_0 with 16-bit activations by vpdpwssd on the
 * sign-extended weights (pairs); q4_0 with 8-bit activations by vpdpbusd
 * on the unsigned 4-bit codes u (quads), started at -8 * sum(qx).
 */
INLINE void qtile(int Q4, int MT, int NG, int64_t nb, const uint8_t *const *G, size_t sb,
                  const void *xv, int64_t m0, __m512 (*acc)[4])
{
    ROWS for (int g = 0; g < NG; g++)
        ROWS for (int m = 0; m < MT; m++) acc[g][m] = _mm512_setzero_ps();
    for (int64_t b = 0; b < nb; b++) {
        __m512 dw[4];
        ROWS for (int g = 0; g < NG; g++) {
            dw[g] = _mm512_cvtph_ps(_mm256_load_si256((const __m256i *)(G[g] + b * 32)));
            /* the hardware prefetcher alone leaves DRAM bandwidth unused here */
            for (int j = 0; j < (Q4 ? 4 : 8); j++)
                _mm_prefetch((const char *)(G[g] + sb + b * (Q4 ? 256 : 512) + PF_BYTES + j * 64), PF_HINT);
        }
        if (Q4 && MT == 1) {
            /* one row (generation): each 64-byte code vector is split into
             * its low and high nibbles just before its two vpdpbusd, so
             * four groups (four far-apart read streams) fit the registers;
             * the integer sums are exact, so their order does not matter */
            const __m512i lo = _mm512_set1_epi8(15);
            const mote_q8a_block *xb = (const mote_q8a_block *)xv + m0 * nb + b;
            __m512i xj[8], s[4][2];
            ROWS for (int j = 0; j < 8; j++) xj[j] = xbcast(xb->q, j);
            ROWS for (int g = 0; g < NG; g++) {
                s[g][0] = _mm512_set1_epi32(-8 * xb->sum);
                s[g][1] = _mm512_setzero_si512();
            }
            ROWS for (int j = 0; j < 4; j++)
                ROWS for (int g = 0; g < NG; g++) {
                    __m512i v = _mm512_load_si512((const void *)(G[g] + sb + b * 256 + j * 64));
                    s[g][0] = _mm512_dpbusd_epi32(s[g][0], _mm512_and_si512(v, lo), xj[j]);
                    s[g][1] = _mm512_dpbusd_epi32(s[g][1], _mm512_and_si512(_mm512_srli_epi16(v, 4), lo), xj[j + 4]);
                }
            __m512 d = _mm512_set1_ps(xb->d);
            ROWS for (int g = 0; g < NG; g++)
                acc[g][0] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(_mm512_add_epi32(s[g][0], s[g][1])),
                                            _mm512_mul_ps(dw[g], d), acc[g][0]);
        } else if (Q4) {
            const __m512i lo = _mm512_set1_epi8(15);
            __m512i w[2][8];
            ROWS for (int g = 0; g < NG; g++)
                ROWS for (int j = 0; j < 4; j++) {
                    __m512i v = _mm512_load_si512((const void *)(G[g] + sb + b * 256 + j * 64));
                    w[g][j] = _mm512_and_si512(v, lo);
                    w[g][j + 4] = _mm512_and_si512(_mm512_srli_epi16(v, 4), lo);
                }
            const mote_q8a_block *x = xv;
            ROWS for (int m = 0; m < MT; m++) {
                const mote_q8a_block *xb = x + (m0 + m) * nb + b;
                __m512i s[2][2];
                ROWS for (int g = 0; g < NG; g++) {
                    s[g][0] = _mm512_set1_epi32(-8 * xb->sum);
                    s[g][1] = _mm512_setzero_si512();
                }
                ROWS for (int j = 0; j < 8; j++) {
                    __m512i xj = xbcast(xb->q, j);
                    ROWS for (int g = 0; g < NG; g++) s[g][j & 1] = _mm512_dpbusd_epi32(s[g][j & 1], w[g][j], xj);
                }
                __m512 d = _mm512_set1_ps(xb->d);
                ROWS for (int g = 0; g < NG; g++)
                    acc[g][m] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(_mm512_add_epi32(s[g][0], s[g][1])),
                                                _mm512_mul_ps(dw[g], d), acc[g][m]);
            }
        } else {
            /* each 16-bit weight vector is widened once and used for all MT rows */
            const mote_q16a_block *x = xv;
            __m512i s[4][4][2];
            ROWS for (int g = 0; g < NG; g++)
                ROWS for (int m = 0; m < MT; m++) s[g][m][0] = s[g][m][1] = _mm512_setzero_si512();
            ROWS for (int p = 0; p < 16; p++) {
                __m512i wp[4];
                ROWS for (int g = 0; g < NG; g++)
                    wp[g] = _mm512_cvtepi8_epi16(_mm256_load_si256((const __m256i *)(G[g] + sb + b * 512 + p * 32)));
                ROWS for (int m = 0; m < MT; m++) {
                    __m512i xp = xbcast(x[(m0 + m) * nb + b].q, p);
                    ROWS for (int g = 0; g < NG; g++)
                        s[g][m][p & 1] = _mm512_dpwssd_epi32(s[g][m][p & 1], wp[g], xp);
                }
            }
            ROWS for (int m = 0; m < MT; m++) {
                __m512 d = _mm512_set1_ps(x[(m0 + m) * nb + b].d);
                ROWS for (int g = 0; g < NG; g++)
                    acc[g][m] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(_mm512_add_epi32(s[g][m][0], s[g][m][1])),
                                                _mm512_mul_ps(dw[g], d), acc[g][m]);
            }
        }
    }
}

/* lanes of group g (rows g*16 ...) inside [n0, n1) */
INLINE __mmask16 group_mask(int64_t g, int64_t n0, int64_t n1)
{
    int64_t lo = n0 > g * 16 ? n0 - g * 16 : 0, hi = n1 - g * 16;
    return (__mmask16)(head_mask(hi) & ~head_mask(lo));
}

/*
 * Four rows of x at a time against each group (a prompt: the weights are
 * reused from cache); the rows left one at a time (a generated token) over
 * parts of the groups side by side, DRAM streams far apart as in
 * matvec_f32. A group's lanes get the same instructions either way.
 */
INLINE void qpacked(int Q4, int64_t M, int64_t K, const void *x, const void *Wp,
                    int64_t n0, int64_t n1, float *y, int64_t ldy)
{
    int64_t nb = K / MOTE_QK;
    mote_wtype t = Q4 ? MOTE_W_Q4_0 : MOTE_W_Q8_0;
    size_t gb = mote_qpack16_group_bytes(t, K), sb = mote_qpack16_scale_bytes(K);
    const uint8_t *W = Wp;
    int64_t g0 = n0 / 16, g1 = (n1 + 15) / 16;
    __m512 acc[4][4];
    int64_t m = 0;
    for (; m + 4 <= M; m += 4)
        for (int64_t g = g0; g < g1; g++) {
            const uint8_t *G[1] = { W + (size_t)g * gb };
            qtile(Q4, 4, 1, nb, G, sb, x, m, acc);
            __mmask16 mask = group_mask(g, n0, n1);
            ROWS for (int i = 0; i < 4; i++) _mm512_mask_storeu_ps(y + (m + i) * ldy + g * 16, mask, acc[0][i]);
        }
    /* one row at a time, over four quarters of the groups: four read
     * streams far apart keep more DRAM requests in flight */
    const int NG = 4;
    for (; m < M; m++) {
        int64_t h = (g1 - g0) / NG;
        for (int64_t i = 0; i < h; i++) {
            const uint8_t *G[4];
            ROWS for (int g = 0; g < NG; g++) G[g] = W + (size_t)(g0 + g * h + i) * gb;
            if (Q4) qtile(1, 1, 4, nb, G, sb, x, m, acc);
            else qtile(0, 1, 4, nb, G, sb, x, m, acc);
            ROWS for (int g = 0; g < NG; g++) {
                int64_t gg = g0 + g * h + i;
                _mm512_mask_storeu_ps(y + m * ldy + gg * 16, group_mask(gg, n0, n1), acc[g][0]);
            }
        }
        for (int64_t gg = g0 + NG * h; gg < g1; gg++) {
            const uint8_t *G[1] = { W + (size_t)gg * gb };
            qtile(Q4, 1, 1, nb, G, sb, x, m, acc);
            _mm512_mask_storeu_ps(y + m * ldy + gg * 16, group_mask(gg, n0, n1), acc[0][0]);
        }
    }
}

static void matmul_qpacked_avx512(mote_wtype t, int64_t M, int64_t K, const void *x,
                                  const void *Wp, int64_t n0, int64_t n1, float *y, int64_t ldy)
{
    if (t == MOTE_W_Q4_0) qpacked(1, M, K, x, Wp, n0, n1, y, ldy);
    else qpacked(0, M, K, x, Wp, n0, n1, y, ldy);
}

const mote_llm_kernels mote_llm_kernels_avx512 = {
    .matvec_f32 = matvec_f32_avx512,
    .matvec_f16 = matvec_f16_avx512,
    .swiglu_f32 = swiglu_f32_avx512,
    .attend_f32 = attend_f32_avx512,
    .quantize_q8a = quantize_q8a_avx512,
    .quantize_q16a = quantize_q16a_avx512,
    .matmul_qpacked = matmul_qpacked_avx512,
};
