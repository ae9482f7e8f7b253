/*
 * resize_avx2.c — the resize_row_f32 entry for AVX2: one output row of a
 * two-axis Resize (mote_resize_row_args), 8 positions at a time; the
 * scheme of resize_avx512.c (the reference's sums, separate multiplies and
 * adds, zero weights contributing +0.0f; a permuted window of 8 source
 * values when the positions' taps lie within it, else a gather; channel
 * blocks as vectors).
 */
#include <immintrin.h>
#include "x86_kernels.h"
#include "ref.h"

/* lanes [0, n) set */
static inline __m256i lanes(int64_t n)
{
    return _mm256_cmpgt_epi32(_mm256_set1_epi32((int)n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

static inline __attribute__((always_inline)) void
plane_row(const mote_resize_row_args *a, int TH, int TW)
{
    const int64_t W = a->W, IW = a->IW;
    const __m256 zero = _mm256_setzero_ps();
    __m256 wh[4];
    for (int th = 0; th < TH; th++)
        wh[th] = _mm256_set1_ps(a->wh[th]);
    for (int64_t o0 = 0; o0 < W; o0 += 8) {
        int64_t n = W - o0 < 8 ? W - o0 : 8;
        __m256i m = lanes(n);
        int32_t lo = a->span[o0 / 4], hi = a->span[o0 / 4 + 1];
        if (lo < 0) {
            mote_resize_row_range_f32_ref(a, o0, o0 + n);
            continue;
        }
        __m256i id[4];
        __m256 wv[4];
        for (int tw = 0; tw < TW; tw++) {
            id[tw] = _mm256_maskload_epi32(a->iw + tw * W + o0, m);
            wv[tw] = _mm256_maskload_ps(a->ww + tw * W + o0, m);
        }
        __m256 acc = zero;
        if (hi - lo < 8) {
            int64_t avail = IW - lo;
            __m256i lm = lanes(avail < 8 ? avail : 8);
            __m256i base = _mm256_set1_epi32(lo);
            for (int tw = 0; tw < TW; tw++)
                id[tw] = _mm256_sub_epi32(id[tw], base);
            for (int th = 0; th < TH; th++) {
                __m256 win = _mm256_maskload_ps(a->rows[th] + lo, lm);
                for (int tw = 0; tw < TW; tw++) {
                    __m256 w = _mm256_mul_ps(wh[th], wv[tw]);
                    __m256 nz = _mm256_cmp_ps(w, zero, _CMP_NEQ_UQ);
                    __m256 x = _mm256_permutevar8x32_ps(win, id[tw]);
                    acc = _mm256_add_ps(acc, _mm256_and_ps(nz, _mm256_mul_ps(w, x)));
                }
            }
        } else {
            __m256 mf = _mm256_castsi256_ps(m);
            for (int th = 0; th < TH; th++)
                for (int tw = 0; tw < TW; tw++) {
                    __m256 w = _mm256_mul_ps(wh[th], wv[tw]);
                    __m256 nz = _mm256_and_ps(_mm256_cmp_ps(w, zero, _CMP_NEQ_UQ), mf);
                    __m256 x = _mm256_mask_i32gather_ps(zero, a->rows[th], id[tw], nz, 4);
                    acc = _mm256_add_ps(acc, _mm256_and_ps(nz, _mm256_mul_ps(w, x)));
                }
        }
        _mm256_maskstore_ps(a->y + o0, m, acc);
    }
}

static void block_row(const mote_resize_row_args *a)
{
    const int64_t W = a->W, C = a->C;
    float *y = a->y;
    for (int64_t ow = 0; ow < W; ow++, y += C) {
        if (a->iw[ow] < 0) {
            __m256 e = _mm256_set1_ps(a->extrap);
            for (int64_t c = 0; c < C; c += 8)
                _mm256_maskstore_ps(y + c, lanes(C - c < 8 ? C - c : 8), e);
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
        for (int64_t c = 0; c < C; c += 8) {
            __m256i m = lanes(C - c < 8 ? C - c : 8);
            __m256 acc = _mm256_setzero_ps();
            for (int t = 0; t < nt; t++)
                acc = _mm256_add_ps(acc, _mm256_mul_ps(_mm256_set1_ps(w[t]),
                                                       _mm256_maskload_ps(src[t] + c, m)));
            _mm256_maskstore_ps(y + c, m, acc);
        }
    }
}

void mote_resize_row_f32_avx2(const mote_resize_row_args *a)
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
