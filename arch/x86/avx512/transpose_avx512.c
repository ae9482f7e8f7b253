/*
 * transpose_avx512.c — the transpose_32 entry for AVX-512: y[r*ldy + c] =
 * x[c*ldx + r] for 4-byte elements.
 *
 * The common image layout changes have one short side: channel-last to
 * channel-first (NHWC -> NCHW, C = 3 or 4 source values per pixel: R
 * small, x dense) and back (C small, y dense). Then 16 pixels' values are
 * R (or C) vectors, and each output vector is put together from them by
 * two-source permutes, one per pair of vectors, merged under lane masks;
 * the permute indices are made once per call. Other shapes go through
 * 16 x 16 tiles transposed in registers.
 */
#include <immintrin.h>
#include "x86_kernels.h"

/* For n source vectors and an output vector whose lane l takes lane
 * lane[l] of source vector src[l]: the index and mask of each pair of
 * sources (2i, 2i+1). */
typedef struct pick16 {
    int pairs;
    __m512i idx[4];
    __mmask16 m[4];
} pick16;

static void make_pick(pick16 *p, int n, const int *src, const int *lane)
{
    p->pairs = (n + 1) / 2;
    for (int i = 0; i < p->pairs; i++) {
        int32_t id[16];
        unsigned m = 0;
        for (int l = 0; l < 16; l++) {
            id[l] = 0;
            if (src[l] / 2 == i) {
                id[l] = lane[l] + 16 * (src[l] - 2 * i);
                m |= 1u << l;
            }
        }
        p->idx[i] = _mm512_loadu_si512(id);
        p->m[i] = (__mmask16)m;
    }
}

#if defined(__GNUC__) || defined(__clang__)
#define T_INLINE static inline __attribute__((always_inline))
#else
#define T_INLINE static inline
#endif

T_INLINE __m512 apply_pick(const pick16 *p, const __m512 *v)
{
    __m512 out = _mm512_setzero_ps();
    for (int i = 0; i < p->pairs; i++)   /* v[2 * pairs - 1] is set even for odd n */
        out = _mm512_mask_mov_ps(out, p->m[i],
                                 _mm512_permutex2var_ps(v[2 * i], p->idx[i], v[2 * i + 1]));
    return out;
}

static inline __mmask16 first(int64_t n)
{
    return (__mmask16)(n >= 16 ? 0xFFFF : n <= 0 ? 0 : (1u << n) - 1);
}

/* C <= 8, ldy == C: rows of C values, interleaved from C source rows.
 * Instantiated per C (interleave_n below), so that the permute indices
 * of a call stay in registers for the whole loop. */
T_INLINE void interleave(int64_t R, const int C, const float *x, int64_t ldx, float *y)
{
    pick16 pk[8];
    for (int q = 0; q < C; q++) {
        int src[16], lane[16];
        for (int l = 0; l < 16; l++) {
            int p = 16 * q + l;
            src[l] = p % C;
            lane[l] = p / C;
        }
        make_pick(&pk[q], C, src, lane);
    }
    __m512 v[9];
    for (int64_t r0 = 0; r0 < R; r0 += 16) {
        int64_t n = R - r0;
        __mmask16 lm = first(n);
        for (int c = 0; c < C; c++)
            v[c] = _mm512_maskz_loadu_ps(lm, x + c * ldx + r0);
        if (C % 2)
            v[C] = v[C - 1];
        float *yo = y + r0 * C;
        for (int q = 0; q < C; q++)
            _mm512_mask_storeu_ps(yo + 16 * q, first(n * C - 16 * q), apply_pick(&pk[q], v));
    }
}

/* R <= 8, ldx == R: source rows of R values, spread into R output rows
 * (instantiated per R as interleave is) */
T_INLINE void deinterleave(const int R, int64_t C, const float *x, float *y, int64_t ldy)
{
    pick16 pk[8];
    for (int r = 0; r < R; r++) {
        int src[16], lane[16];
        for (int l = 0; l < 16; l++) {
            int p = l * R + r;
            src[l] = p / 16;
            lane[l] = p % 16;
        }
        make_pick(&pk[r], R, src, lane);
    }
    __m512 v[9];
    for (int64_t c0 = 0; c0 < C; c0 += 16) {
        int64_t n = C - c0;
        const float *xi = x + c0 * R;
        for (int j = 0; j < R; j++)
            v[j] = _mm512_maskz_loadu_ps(first(n * R - 16 * j), xi + 16 * j);
        if (R % 2)
            v[R] = v[R - 1];
        __mmask16 sm = first(n);
        for (int r = 0; r < R; r++)
            _mm512_mask_storeu_ps(y + r * ldy + c0, sm, apply_pick(&pk[r], v));
    }
}

#define T_SIZES(F) F(1) F(2) F(3) F(4) F(5) F(6) F(7) F(8)
#define T_INST(n)                                                                              \
    static void interleave_##n(int64_t R, const float *x, int64_t ldx, float *y)              \
    {                                                                                          \
        interleave(R, n, x, ldx, y);                                                           \
    }                                                                                          \
    static void deinterleave_##n(int64_t C, const float *x, float *y, int64_t ldy)            \
    {                                                                                          \
        deinterleave(n, C, x, y, ldy);                                                         \
    }
T_SIZES(T_INST)
#define T_CASE_I(n) case n: interleave_##n(R, x, ldx, y); break;
#define T_CASE_D(n) case n: deinterleave_##n(C, x, y, ldy); break;

static void interleave_any(int64_t R, int C, const float *x, int64_t ldx, float *y)
{
    switch (C) { T_SIZES(T_CASE_I) default: break; }
}

static void deinterleave_any(int R, int64_t C, const float *x, float *y, int64_t ldy)
{
    switch (R) { T_SIZES(T_CASE_D) default: break; }
}

/* One tile of at most 16 x 16: y[r*ldy + c] = x[c*ldx + r] for r < nr,
 * c < nc. Its nc source rows (masked to nr values) are transposed in
 * registers: 2 x 2 blocks of floats by unpacks, then 4 x 4 by 64-bit
 * unpacks, then the 128-bit lanes by two rounds of lane shuffles (the
 * transpose of a 1x1 conv's pixels x channels product, 16 channels at a
 * time: MobileNetV2's 14x14 projections spent 8-10 us a layer in a
 * scalar loop). */
static void tile16(int nr, int nc, const float *x, int64_t ldx, float *y, int64_t ldy)
{
    __m512 v[16], a[16], b[16];
    const __mmask16 rm = first(nr), cm = first(nc);
    for (int c = 0; c < 16; c++)
        v[c] = c < nc ? _mm512_maskz_loadu_ps(rm, x + c * ldx) : _mm512_setzero_ps();
    for (int i = 0; i < 8; i++) {
        a[2 * i] = _mm512_unpacklo_ps(v[2 * i], v[2 * i + 1]);
        a[2 * i + 1] = _mm512_unpackhi_ps(v[2 * i], v[2 * i + 1]);
    }
    /* b[4i + j], lane L: element 4L + j of source rows 4i .. 4i + 3 */
    for (int i = 0; i < 4; i++)
        for (int h = 0; h < 2; h++) {
            __m512d lo = _mm512_castps_pd(a[4 * i + h]), hi = _mm512_castps_pd(a[4 * i + h + 2]);
            b[4 * i + 2 * h] = _mm512_castpd_ps(_mm512_unpacklo_pd(lo, hi));
            b[4 * i + 2 * h + 1] = _mm512_castpd_ps(_mm512_unpackhi_pd(lo, hi));
        }
    /* output row 4L + j: lane L of b[j], b[4 + j], b[8 + j], b[12 + j] */
    for (int j = 0; j < 4; j++) {
        __m512 e0 = _mm512_shuffle_f32x4(b[j], b[4 + j], 0x44), e1 = _mm512_shuffle_f32x4(b[j], b[4 + j], 0xEE);
        __m512 e2 = _mm512_shuffle_f32x4(b[8 + j], b[12 + j], 0x44);
        __m512 e3 = _mm512_shuffle_f32x4(b[8 + j], b[12 + j], 0xEE);
        __m512 o[4] = { _mm512_shuffle_f32x4(e0, e2, 0x88), _mm512_shuffle_f32x4(e0, e2, 0xDD),
                        _mm512_shuffle_f32x4(e1, e3, 0x88), _mm512_shuffle_f32x4(e1, e3, 0xDD) };
        for (int L = 0; L < 4; L++)
            if (4 * L + j < nr) _mm512_mask_storeu_ps(y + (4 * L + j) * ldy, cm, o[L]);
    }
}

void mote_transpose_32_avx512(int64_t R, int64_t C, const uint32_t *x, int64_t ldx, uint32_t *y,
                              int64_t ldy)
{
    /* floats only as 32-bit containers: loads, permutes and stores move
     * the bits unchanged (no arithmetic, so NaN payloads stay) */
    const float *xf = (const float *)(const void *)x;
    float *yf = (float *)(void *)y;
    if (C <= 8 && ldy == C && R >= 16) {
        interleave_any(R, (int)C, xf, ldx, yf);
        return;
    }
    if (R <= 8 && ldx == R && C >= 16) {
        deinterleave_any((int)R, C, xf, yf, ldy);
        return;
    }
    for (int64_t r0 = 0; r0 < R; r0 += 16)
        for (int64_t c0 = 0; c0 < C; c0 += 16)
            tile16(R - r0 < 16 ? (int)(R - r0) : 16, C - c0 < 16 ? (int)(C - c0) : 16,
                   xf + c0 * ldx + r0, ldx, yf + r0 * ldy + c0, ldy);
}
