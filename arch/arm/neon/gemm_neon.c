/*
 * gemm_neon.c — single-precision matrix multiplication with NEON: an
 * 8 x 12 register-tile microkernel (24 accumulators of 4 lanes) with 4 x 12
 * and 1 x 12 variants for the last rows (the M = 1..7 path: one decode
 * step of an LLM is M = 1), used by the packed-B entries and by the
 * unpacked gemm_f32.
 *
 * Every element of C is one chain of fused multiply-adds over k = 0..K-1
 * starting from 0, whichever tile (8, 4 or 1 rows) and whichever m / n
 * range it falls in; bias and activation then go through the same vector
 * code. So results do not depend on how the op layer splits the work.
 * They differ from the reference (which rounds each product) by the
 * rounding of the products only. Not here: threads, K splitting, caching
 * of packed A across calls.
 *
 * Packed B layout (gemm_pack_b): panel p holds columns 12p .. 12p+11 as K
 * rows of 12 floats, Bp[(p*K + k)*12 + j] = B[k, 12p + j], zero past N.
 */
#include <string.h>
#include "neon.h"
#include "neon_math.h"

#define MR 8     /* rows of C per microkernel call   */
#define NR 12    /* columns of C per microkernel call */
#define KC 256   /* K block (stack buffers for packed A and B blocks) */

/*
 * acc[r*12 + j] = fma chain over k < kc of a(k, r) * b(k, j), continuing
 * from the values in acc (row-major mr x 12), where
 *   a(k, r) = ap[k*as + r]   (the mr values of step k are contiguous)
 *   b(k, j) = bp[k*bs + j]
 */
static void kern_8x12(int64_t kc, const float *ap, int64_t as, const float *bp, int64_t bs,
                      float *acc)
{
#define LD(r) float32x4_t c##r##0 = vld1q_f32(acc + r * 12), c##r##1 = vld1q_f32(acc + r * 12 + 4), \
                          c##r##2 = vld1q_f32(acc + r * 12 + 8)
    LD(0); LD(1); LD(2); LD(3); LD(4); LD(5); LD(6); LD(7);
#undef LD
    for (int64_t k = 0; k < kc; k++) {
        float32x4_t b0 = vld1q_f32(bp), b1 = vld1q_f32(bp + 4), b2 = vld1q_f32(bp + 8);
        float32x4_t a0 = vld1q_f32(ap), a1 = vld1q_f32(ap + 4);
#define ROW(r, av, l) c##r##0 = vfmaq_laneq_f32(c##r##0, b0, av, l); \
                      c##r##1 = vfmaq_laneq_f32(c##r##1, b1, av, l); \
                      c##r##2 = vfmaq_laneq_f32(c##r##2, b2, av, l)
        ROW(0, a0, 0); ROW(1, a0, 1); ROW(2, a0, 2); ROW(3, a0, 3);
        ROW(4, a1, 0); ROW(5, a1, 1); ROW(6, a1, 2); ROW(7, a1, 3);
#undef ROW
        ap += as;
        bp += bs;
    }
#define ST(r) vst1q_f32(acc + r * 12, c##r##0); vst1q_f32(acc + r * 12 + 4, c##r##1); \
              vst1q_f32(acc + r * 12 + 8, c##r##2)
    ST(0); ST(1); ST(2); ST(3); ST(4); ST(5); ST(6); ST(7);
#undef ST
}

static void kern_4x12(int64_t kc, const float *ap, int64_t as, const float *bp, int64_t bs,
                      float *acc)
{
#define LD(r) float32x4_t c##r##0 = vld1q_f32(acc + r * 12), c##r##1 = vld1q_f32(acc + r * 12 + 4), \
                          c##r##2 = vld1q_f32(acc + r * 12 + 8)
    LD(0); LD(1); LD(2); LD(3);
#undef LD
    for (int64_t k = 0; k < kc; k++) {
        float32x4_t b0 = vld1q_f32(bp), b1 = vld1q_f32(bp + 4), b2 = vld1q_f32(bp + 8);
        float32x4_t a0 = vld1q_f32(ap);
#define ROW(r, av, l) c##r##0 = vfmaq_laneq_f32(c##r##0, b0, av, l); \
                      c##r##1 = vfmaq_laneq_f32(c##r##1, b1, av, l); \
                      c##r##2 = vfmaq_laneq_f32(c##r##2, b2, av, l)
        ROW(0, a0, 0); ROW(1, a0, 1); ROW(2, a0, 2); ROW(3, a0, 3);
#undef ROW
        ap += as;
        bp += bs;
    }
#define ST(r) vst1q_f32(acc + r * 12, c##r##0); vst1q_f32(acc + r * 12 + 4, c##r##1); \
              vst1q_f32(acc + r * 12 + 8, c##r##2)
    ST(0); ST(1); ST(2); ST(3);
#undef ST
}

static void kern_1x12(int64_t kc, const float *ap, int64_t as, const float *bp, int64_t bs,
                      float *acc)
{
    float32x4_t c0 = vld1q_f32(acc), c1 = vld1q_f32(acc + 4), c2 = vld1q_f32(acc + 8);
    for (int64_t k = 0; k < kc; k++) {
        float av = *ap;
        c0 = vfmaq_n_f32(c0, vld1q_f32(bp), av);
        c1 = vfmaq_n_f32(c1, vld1q_f32(bp + 4), av);
        c2 = vfmaq_n_f32(c2, vld1q_f32(bp + 8), av);
        ap += as;
        bp += bs;
    }
    vst1q_f32(acc, c0); vst1q_f32(acc + 4, c1); vst1q_f32(acc + 8, c2);
}

typedef void (*kern_fn)(int64_t, const float *, int64_t, const float *, int64_t, float *);

/* The tile height for the rows left, and its kernel: 8, then 4, then 1. */
static int64_t tile_rows(int64_t left, kern_fn *kern)
{
    if (left >= 8) { *kern = kern_8x12; return 8; }
    if (left >= 4) { *kern = kern_4x12; return 4; }
    *kern = kern_1x12;
    return 1;
}

/* ---------------------------------------------------------------- packed */

int64_t mote_gemm_nr_8x12_neon(void) { return NR; }

size_t mote_gemm_pack_b_bytes_8x12_neon(int64_t K, int64_t N)
{
    return (size_t)((N + NR - 1) / NR) * NR * (size_t)K * sizeof(float);
}

/* Bp[(p*K + k)*12 + j] = B[k, 12p + j] (0 for 12p + j >= N), where
 * B[k, n] = trans_b ? B[n*ldb + k] : B[k*ldb + n]. */
void mote_gemm_pack_b_8x12_neon(int64_t K, int64_t N, const float *B, int64_t ldb,
                                int trans_b, void *Bp)
{
    float *dst = Bp;
    for (int64_t n0 = 0; n0 < N; n0 += NR) {
        int64_t nv = N - n0 < NR ? N - n0 : NR;
        for (int64_t k = 0; k < K; k++, dst += NR) {
            for (int64_t j = 0; j < nv; j++)
                dst[j] = trans_b ? B[(n0 + j) * ldb + k] : B[k * ldb + n0 + j];
            for (int64_t j = nv; j < NR; j++)
                dst[j] = 0.0f;
        }
    }
}

/* No scratch: row tiles of A are packed block by block (KC) on the stack. */
size_t mote_gemm_scratch_bytes_8x12_neon(int64_t M, int64_t K)
{
    return 0;
}

/* ap[k*mr + r] = A[r*rs + k*cs] for k < kc, r < mr */
static void pack_a(int64_t mr, int64_t kc, const float *A, int64_t rs, int64_t cs, float *ap)
{
    for (int64_t r = 0; r < mr; r++) {
        const float *row = A + r * rs;
        for (int64_t k = 0; k < kc; k++)
            ap[k * mr + r] = row[k * cs];
    }
}

/*
 * Writes rows [0, mr) and columns [0, nv) of the tile acc (mr x 12) to C:
 *   C[r, j] = act(alpha*acc + beta*C + bias), the terms in that order, each
 *   product and sum rounded (beta == 0: C is not read).
 * bias: bias[r] per row, or bias[j] per column, or NULL.
 */
static void store_tile(const float *acc, int64_t mr, int64_t nv, float *C, int64_t ldc,
                       float alpha, float beta, const float *bias, int bias_per_row,
                       mote_act act)
{
    for (int64_t r = 0; r < mr; r++) {
        float *c = C + r * ldc;
        for (int64_t j = 0; j < nv; j += 4) {
            int64_t w = nv - j < 4 ? nv - j : 4;
            float32x4_t v = vld1q_f32(acc + r * 12 + j);
            if (alpha != 1.0f)
                v = vmulq_f32(vdupq_n_f32(alpha), v);
            if (beta != 0.0f) {
                float32x4_t cv = w == 4 ? vld1q_f32(c + j) : mote_neon_load_part(c + j, w);
                v = vaddq_f32(v, vmulq_f32(vdupq_n_f32(beta), cv));
            }
            if (bias)
                v = vaddq_f32(v, bias_per_row ? vdupq_n_f32(bias[r])
                                 : w == 4 ? vld1q_f32(bias + j) : mote_neon_load_part(bias + j, w));
            v = mote_neon_act(v, act);
            if (w == 4) vst1q_f32(c + j, v);
            else mote_neon_store_part(c + j, v, w);
        }
    }
}

/*
 * C[m0:m1, n0:n1] = act(A B + bias) from the packed B; n0 is a multiple
 * of 12. K runs in blocks of KC: a block of a row tile of A is packed on
 * the stack (rows of 1 are read in place) and the accumulator tile carried
 * from block to block, so the chain of fused multiply-adds is one pass.
 */
void mote_gemm_packed_f32_8x12_neon(const mote_gemm_packed_args *a)
{
    const int64_t K = a->K;
    float abuf[MR * KC], acc[MR * NR];
    for (int64_t m = a->m0; m < a->m1;) {
        kern_fn kern;
        int64_t mr = tile_rows(a->m1 - m, &kern);
        /* element (m, k) of A at A[m*rs + k*cs] (trans_a: stored K x M) */
        const int64_t rs = a->trans_a ? 1 : a->lda, cs = a->trans_a ? a->lda : 1;
        const float *arow = a->A + m * rs;
        for (int64_t n = a->n0; n < a->n1; n += NR) {
            int64_t nv = a->n1 - n < NR ? a->n1 - n : NR;
            const float *bp = (const float *)a->Bp + (n / NR) * K * NR;
            memset(acc, 0, sizeof acc);
            for (int64_t k0 = 0; k0 < K; k0 += KC) {
                int64_t kc = K - k0 < KC ? K - k0 : KC;
                if (mr == 1) {
                    kern(kc, arow + k0 * cs, cs, bp + k0 * NR, NR, acc);
                } else {
                    pack_a(mr, kc, arow + k0 * cs, rs, cs, abuf);
                    kern(kc, abuf, mr, bp + k0 * NR, NR, acc);
                }
            }
            const float *bias = a->bias ? (a->bias_per_row ? a->bias + m : a->bias + n) : NULL;
            store_tile(acc, mr, nv, a->C + m * a->ldc + n, a->ldc, 1.0f, 0.0f,
                       bias, a->bias_per_row, a->act);
        }
        m += mr;
    }
}

/* -------------------------------------------------------------- unpacked */

/*
 * C = act(alpha op(A) op(B) + beta C + bias), the reference's contract,
 * with the same microkernels: K in blocks of KC, the blocks of A and B
 * that are not already in the kernels' layout packed into stack buffers,
 * and the accumulator tile carried from block to block (so the chain of
 * fused multiply-adds is the same as in one pass).
 */
void mote_gemm_f32_8x12_neon(const mote_gemm_args *a)
{
    float abuf[MR * KC], bbuf[KC * NR], acc[MR * NR];
    for (int64_t m = 0; m < a->M;) {
        kern_fn kern;
        int64_t mr = tile_rows(a->M - m, &kern);
        for (int64_t n = 0; n < a->N; n += NR) {
            int64_t nv = a->N - n < NR ? a->N - n : NR;
            memset(acc, 0, sizeof acc);
            for (int64_t k0 = 0; k0 < a->K; k0 += KC) {
                int64_t kc = a->K - k0 < KC ? a->K - k0 : KC;
                const float *ap; int64_t as;
                if (a->trans_a) {              /* A[k, m..m+mr) is contiguous */
                    ap = a->A + k0 * a->lda + m; as = a->lda;
                } else if (mr == 1) {
                    ap = a->A + m * a->lda + k0; as = 1;
                } else {
                    pack_a(mr, kc, a->A + m * a->lda + k0, a->lda, 1, abuf);
                    ap = abuf; as = mr;
                }
                const float *bp; int64_t bs;
                if (!a->trans_b && nv == NR) {
                    bp = a->B + k0 * a->ldb + n; bs = a->ldb;
                } else {
                    for (int64_t k = 0; k < kc; k++)
                        for (int64_t j = 0; j < NR; j++)
                            bbuf[k * NR + j] = j >= nv ? 0.0f
                                : a->trans_b ? a->B[(n + j) * a->ldb + k0 + k]
                                             : a->B[(k0 + k) * a->ldb + n + j];
                    bp = bbuf; bs = NR;
                }
                kern(kc, ap, as, bp, bs, acc);
            }
            const float *bias = a->bias ? (a->bias_per_row ? a->bias + m : a->bias + n) : NULL;
            store_tile(acc, mr, nv, a->C + m * a->ldc + n, a->ldc, a->alpha, a->beta,
                       bias, a->bias_per_row, a->act);
        }
        m += mr;
    }
}
