/*
 * gemm.cl — tiled single-precision GEMM with the contract of
 * mote_gemm_f32_ref (kernels/gemm_ref.c):
 *   C[m,n] = act(alpha * sum_k A[m,k] B[k,n] + beta * C[m,n] + bias)
 * with A or B optionally transposed, bias per column or per row, and C not
 * read when beta == 0.
 *
 * Blocking: a work-group computes a TSM x TSN tile of C; it walks K in
 * steps of TSK, staging the A (TSK x TSM) and B (TSK x TSN) slices in local
 * memory; each work-item keeps a WPTM x WPTN register tile of C, its rows
 * and columns strided by the group's extent (RTSM, RTSN) so that
 * neighbouring work-items read neighbouring local words. Tiles past the
 * matrix edge are loaded as zeros and not stored, so any M, N, K works.
 * Each element is still one sum over k in increasing k order (single
 * precision, fused multiply-add where the device has it), which is why the
 * results match the reference to rounding.
 *
 * The tile sizes are compile-time constants chosen per device by the host
 * (src/runtime/opencl/opencl_tune.c) and passed as -D options.
 *
 * The same tile loop computes a convolution as an implicit GEMM: B[k, n]
 * is then the im2col element of tap k at output pixel n, read from the
 * image on the fly (conv.cl), never materialized.
 */
#ifndef TSM
#define TSM 64
#endif
#ifndef TSN
#define TSN 64
#endif
#ifndef TSK
#define TSK 16
#endif
#ifndef WPTM
#define WPTM 4
#endif
#ifndef WPTN
#define WPTN 4
#endif
#define RTSM (TSM / WPTM)          /* work-items along m */
#define RTSN (TSN / WPTN)          /* work-items along n */
#define GEMM_THREADS (RTSM * RTSN)

/*
 * The shared tile loop. LOAD_A(m, k) and LOAD_B(k, n) give the operands
 * (called only inside the matrix); acc[WPTM][WPTN] receives the sums for
 * rows m0 + ty + wm*RTSM and columns n0 + tx + wn*RTSN.
 */
#define GEMM_TILE_LOOP(M, N, K, LOAD_A, LOAD_B)                                  \
    __local float As[TSK][TSM + 1];                                             \
    __local float Bs[TSK][TSN];                                                 \
    const int tx = get_local_id(0), ty = get_local_id(1);                        \
    const int tid = ty * RTSN + tx;                                              \
    const long m0 = (long)get_group_id(1) * TSM, n0 = (long)get_group_id(0) * TSN; \
    float acc[WPTM][WPTN];                                                       \
    for (int wm = 0; wm < WPTM; wm++)                                            \
        for (int wn = 0; wn < WPTN; wn++) acc[wm][wn] = 0.0f;                    \
    for (long k0 = 0; k0 < (K); k0 += TSK) {                                     \
        for (int i = tid; i < TSK * TSM; i += GEMM_THREADS) {                    \
            int kk = i % TSK, mm = i / TSK;                                      \
            long m = m0 + mm, k = k0 + kk;                                       \
            As[kk][mm] = (m < (M) && k < (K)) ? LOAD_A(m, k) : 0.0f;            \
        }                                                                        \
        for (int i = tid; i < TSK * TSN; i += GEMM_THREADS) {                    \
            int nn = i % TSN, kk = i / TSN;                                      \
            long n = n0 + nn, k = k0 + kk;                                       \
            Bs[kk][nn] = (n < (N) && k < (K)) ? LOAD_B(k, n) : 0.0f;            \
        }                                                                        \
        barrier(CLK_LOCAL_MEM_FENCE);                                            \
        for (int kk = 0; kk < TSK; kk++) {                                       \
            float b[WPTN];                                                       \
            for (int wn = 0; wn < WPTN; wn++) b[wn] = Bs[kk][tx + wn * RTSN];    \
            for (int wm = 0; wm < WPTM; wm++) {                                  \
                float a = As[kk][ty + wm * RTSM];                                \
                for (int wn = 0; wn < WPTN; wn++)                                \
                    acc[wm][wn] = fma(a, b[wn], acc[wm][wn]);                    \
            }                                                                    \
        }                                                                        \
        barrier(CLK_LOCAL_MEM_FENCE);                                            \
    }

#define GEMM_A(m, k) (trans_a ? A[(k) * lda + (m)] : A[(m) * lda + (k)])
#define GEMM_B(k, n) (trans_b ? B[(n) * ldb + (k)] : B[(k) * ldb + (n)])

__kernel __attribute__((reqd_work_group_size(RTSN, RTSM, 1)))
void mote_gemm_f32(long M, long N, long K,
                   __global const float *A, long a_off, long lda, int trans_a,
                   __global const float *B, long b_off, long ldb, int trans_b,
                   __global float *C, long c_off, long ldc,
                   float alpha, float beta,
                   __global const float *bias, long bias_off, int has_bias, int bias_per_row,
                   int act, float act_alpha, float act_beta)
{
    A += a_off;
    B += b_off;
    C += c_off;
    bias += bias_off;
    GEMM_TILE_LOOP(M, N, K, GEMM_A, GEMM_B)
    for (int wm = 0; wm < WPTM; wm++) {
        long m = m0 + ty + wm * RTSM;
        if (m >= M) continue;
        for (int wn = 0; wn < WPTN; wn++) {
            long n = n0 + tx + wn * RTSN;
            if (n >= N) continue;
            float v = alpha * acc[wm][wn];
            if (beta != 0.0f) v += beta * C[m * ldc + n];
            if (has_bias) v += bias_per_row ? bias[m] : bias[n];
            C[m * ldc + n] = mote_act(v, act, act_alpha, act_beta);
        }
    }
}

/*
 * The same contract without local memory or barriers, for CPU devices
 * (PoCL): each work-item computes DM rows x 8 columns of C in registers
 * (DM float8 accumulators), reading 8 consecutive values of B's row k as
 * one vector and broadcasting A's DM values of column k; the caches do
 * the blocking. Columns of a partial last group of 8 are read and written
 * one by one; rows past M are computed on a clamped index, not stored.
 */
#ifndef DM
#define DM 8
#endif

__kernel void mote_gemm_direct_f32(long M, long N, long K,
                                   __global const float *A, long a_off, long lda, int trans_a,
                                   __global const float *B, long b_off, long ldb, int trans_b,
                                   __global float *C, long c_off, long ldc,
                                   float alpha, float beta,
                                   __global const float *bias, long bias_off, int has_bias,
                                   int bias_per_row, int act, float act_alpha, float act_beta)
{
    const long n0 = (long)get_global_id(0) * 8, m0 = (long)get_global_id(1) * DM;
    if (n0 >= N || m0 >= M) return;
    A += a_off;
    B += b_off;
    C += c_off;
    bias += bias_off;
    const int full = n0 + 8 <= N && !trans_b;
    float8 acc[DM];
    for (int i = 0; i < DM; i++) acc[i] = (float8)(0.0f);
    if (full && !trans_a && m0 + DM <= M) {
        /* the common case without a test in the loop: DM rows of A, 8
         * columns of B, both row-major */
        __global const float *a = A + m0 * lda, *b = B + n0;
        for (long k = 0; k < K; k++) {
            float8 bv = vload8(0, b + k * ldb);
            for (int i = 0; i < DM; i++) acc[i] = fma((float8)(a[i * lda + k]), bv, acc[i]);
        }
    } else for (long k = 0; k < K; k++) {
        float8 b;
        if (full) {
            b = vload8(0, B + k * ldb + n0);
        } else {
            float t[8];
            for (int j = 0; j < 8; j++) {
                long n = n0 + j < N ? n0 + j : N - 1;
                t[j] = trans_b ? B[n * ldb + k] : B[k * ldb + n];
            }
            b = vload8(0, t);
        }
        for (int i = 0; i < DM; i++) {
            long m = m0 + i < M ? m0 + i : M - 1;
            float a = trans_a ? A[k * lda + m] : A[m * lda + k];
            acc[i] = fma((float8)(a), b, acc[i]);
        }
    }
    for (int i = 0; i < DM; i++) {
        long m = m0 + i;
        if (m >= M) break;
        float r[8];
        vstore8(acc[i], 0, r);
        for (int j = 0; j < 8 && n0 + j < N; j++) {
            long n = n0 + j;
            float v = alpha * r[j];
            if (beta != 0.0f) v += beta * C[m * ldc + n];
            if (has_bias) v += bias_per_row ? bias[m] : bias[n];
            C[m * ldc + n] = mote_act(v, act, act_alpha, act_beta);
        }
    }
}
