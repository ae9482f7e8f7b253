/*
 * gemm_ref.c — the reference matrix multiplication and dot product.
 *
 * The triple loop that defines mote_gemm_args: every element of C is one
 * dot product accumulated in k order in single precision. It is the
 * specification the blocked, packed SIMD kernels in arch/ are tested
 * against, not a fast path (no blocking, no packing, no threads).
 */
#include "ref.h"

/*
 * C[m,n] = act( alpha * sum_k A[m,k] B[k,n] + beta * C[m,n] + bias )
 *   A[m,k] = trans_a ? A[k*lda + m] : A[m*lda + k]
 *   B[k,n] = trans_b ? B[n*ldb + k] : B[k*ldb + n]
 *   bias = bias_per_row ? bias[m] : bias[n]   (0 when bias is NULL)
 * When beta == 0, C is not read (it may hold garbage, even NaN).
 */
void mote_gemm_f32_ref(const mote_gemm_args *a)
{
    for (int64_t m = 0; m < a->M; m++) {
        for (int64_t n = 0; n < a->N; n++) {
            float acc = 0.0f;
            for (int64_t k = 0; k < a->K; k++) {
                float av = a->trans_a ? a->A[k * a->lda + m] : a->A[m * a->lda + k];
                float bv = a->trans_b ? a->B[n * a->ldb + k] : a->B[k * a->ldb + n];
                acc += av * bv;
            }
            float v = a->alpha * acc;
            float *c = &a->C[m * a->ldc + n];
            if (a->beta != 0.0f)
                v += a->beta * *c;
            if (a->bias)
                v += a->bias_per_row ? a->bias[m] : a->bias[n];
            *c = mote_act_apply_ref(v, a->act);
        }
    }
}
