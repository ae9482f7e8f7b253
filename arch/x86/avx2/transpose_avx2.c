/*
 * transpose_avx2.c — the transpose_32 entry for AVX2: y[r*ldy + c] =
 * x[c*ldx + r] for 4-byte elements; the scheme of transpose_avx512.c with
 * 8 pixels per step: each output vector is put together from the R (or C)
 * source vectors by one in-register permute per source, merged under lane
 * masks. Other shapes go through 8 x 8 tiles.
 */
#include <immintrin.h>
#include "x86_kernels.h"
#include "ref.h"

typedef struct pick8 {
    int n;
    __m256i idx[8];
    __m256 m[8];
} pick8;

static void make_pick(pick8 *p, int n, const int *src, const int *lane)
{
    p->n = n;
    for (int j = 0; j < n; j++) {
        int32_t id[8], m[8];
        for (int l = 0; l < 8; l++) {
            id[l] = src[l] == j ? lane[l] : 0;
            m[l] = src[l] == j ? -1 : 0;
        }
        p->idx[j] = _mm256_loadu_si256((const __m256i *)(const void *)id);
        p->m[j] = _mm256_castsi256_ps(_mm256_loadu_si256((const __m256i *)(const void *)m));
    }
}

static inline __m256 apply_pick(const pick8 *p, const __m256 *v)
{
    __m256 out = _mm256_setzero_ps();
    for (int j = 0; j < p->n; j++)
        out = _mm256_blendv_ps(out, _mm256_permutevar8x32_ps(v[j], p->idx[j]), p->m[j]);
    return out;
}

/* lanes [0, n) set */
static inline __m256i first(int64_t n)
{
    int k = n >= 8 ? 8 : n <= 0 ? 0 : (int)n;
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(k), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

static void interleave(int64_t R, int C, const float *x, int64_t ldx, float *y)
{
    pick8 pk[8];
    for (int q = 0; q < C; q++) {
        int src[8], lane[8];
        for (int l = 0; l < 8; l++) {
            int p = 8 * q + l;
            src[l] = p % C;
            lane[l] = p / C;
        }
        make_pick(&pk[q], C, src, lane);
    }
    __m256 v[8];
    for (int64_t r0 = 0; r0 < R; r0 += 8) {
        int64_t n = R - r0;
        __m256i lm = first(n);
        for (int c = 0; c < C; c++)
            v[c] = _mm256_maskload_ps(x + c * ldx + r0, lm);
        float *yo = y + r0 * C;
        for (int q = 0; q < C; q++)
            _mm256_maskstore_ps(yo + 8 * q, first(n * C - 8 * q), apply_pick(&pk[q], v));
    }
}

static void deinterleave(int R, int64_t C, const float *x, float *y, int64_t ldy)
{
    pick8 pk[8];
    for (int r = 0; r < R; r++) {
        int src[8], lane[8];
        for (int l = 0; l < 8; l++) {
            int p = l * R + r;
            src[l] = p / 8;
            lane[l] = p % 8;
        }
        make_pick(&pk[r], R, src, lane);
    }
    __m256 v[8];
    for (int64_t c0 = 0; c0 < C; c0 += 8) {
        int64_t n = C - c0;
        const float *xi = x + c0 * R;
        for (int j = 0; j < R; j++)
            v[j] = _mm256_maskload_ps(xi + 8 * j, first(n * R - 8 * j));
        __m256i sm = first(n);
        for (int r = 0; r < R; r++)
            _mm256_maskstore_ps(y + r * ldy + c0, sm, apply_pick(&pk[r], v));
    }
}

void mote_transpose_32_avx2(int64_t R, int64_t C, const uint32_t *x, int64_t ldx, uint32_t *y,
                            int64_t ldy)
{
    /* floats only as 32-bit containers: no arithmetic touches the bits */
    const float *xf = (const float *)(const void *)x;
    float *yf = (float *)(void *)y;
    if (C <= 8 && ldy == C && R >= 8) {
        interleave(R, (int)C, xf, ldx, yf);
        return;
    }
    if (R <= 8 && ldx == R && C >= 8) {
        deinterleave((int)R, C, xf, yf, ldy);
        return;
    }
    mote_transpose_32_tiles_ref(R, C, x, ldx, y, ldy, 8);
}
