/*
 * gemm_tmpl.h — packed, cache-blocked SGEMM written once over the vector
 * shim and instantiated per ISA (avx512/gemm_avx512.c: 14x32 tiles,
 * avx2/gemm_avx2.c: 6x16 tiles). Not a header to include anywhere else.
 *
 * The including file defines, before including this:
 *   MR, NR          register tile (NR = 2 vectors)
 *   SMALL_ROWS      rows per pass of the small-M path
 *   SMALL_P(m)      B panels per pass of the small-M path for m rows
 *   GEMM_NAME(x)    the exported name of entry x
 * and optionally COL_GATHER with col_index, col_index_for(rs) and
 * col_gather(p, idx, mr): one vector holding rows 0..mr-1 of a column of
 * A, rs floats apart (packing A by gathers).
 *
 * Layouts.
 *   Packed B: panel p holds columns [p*NR, p*NR + NR) for all K rows,
 *   Bp[p][k][NR], zero-padded past N. Panels follow each other.
 *   Packed A (scratch): an MC x KC block as MR-row micro-panels,
 *   Ap[i/MR][k][MR], zero-padded past the block's rows.
 *
 * Blocking: MC, KC, NC and the prefetch distance come from the caches the
 * CPU reports, once per process (gemm_blocking_x86.c; docs/kernels.md).
 *
 * Loops: K in blocks of KC; rows in blocks of MC (A block packed,
 * L2-resident); columns in blocks of NC; each MR-row micro-panel of A
 * passes over the block's NR-column panels (KC x NR micro-panels of B);
 * MR x NR tile in registers. A call over few panels reads A in place.
 *
 * Determinism. Every element of C is the chain c = fma(a_k, b_k, c) for
 * k = 0, 1, ..., K-1 in order, starting from 0: between K blocks the
 * partial sum is stored in C and reloaded, which does not round. The
 * small-M path runs the same chain. So an element's value does not depend
 * on which path ran, on the tile it fell in or on the row/column range a
 * thread was given. Bias and activation are applied once, after the last
 * K block.
 */
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "kernels.h"
#include "vmath.h"

#define NV (NR / VLEN)
/* the packed-B path reads A in place when a call covers at most this
 * many B panels */
#ifndef INPLACE_PANELS
#define INPLACE_PANELS 8
#endif
/* the packed-B path runs B panel by panel (each meeting all of A's
 * micro-panels) when A's block has at most this many micro-panels */
#ifndef FEW_PANELS
#define FEW_PANELS 6
#endif
/* the packed-A path reads B in place for K at most this (a panel of
 * 24 KiB with an A micro-panel of 10.5 KiB: within L1) */
#ifndef BIP_MAX_K
#define BIP_MAX_K 192
#endif
/* ... and when A has at most this many rows: with more micro-panels per
 * B panel, packing it pays (MobileNetV2's 16..96 -> 96..576 expansions ran
 * 4-15% slower in place); five, for 64 rows (Winograd's 64 -> 64 channel
 * products, 64 x 128 x 64: 127 -> 140 GFLOP/s in place) */
#ifndef BIP_MAX_M
#define BIP_MAX_M (5 * MR)
#endif
/* the packed-B path reads a transposed A in place when a call covers at
 * most this many B panels */
#ifndef TIP_PANELS
#define TIP_PANELS 3
#endif
/* K block of the unpacked path, whose panels live on the stack */
#define KC 256

#if defined(__GNUC__) || defined(__clang__)
#define UNROLL _Pragma("GCC unroll 16")
#define UNROLL2 _Pragma("GCC unroll 2")
#define ALWAYS_INLINE inline __attribute__((always_inline))
#else
#define UNROLL
#define UNROLL2
#define ALWAYS_INLINE inline
#endif

#include "gemm_micro_tmpl.h"

/* Packs rows [0, mc) x cols [0, kc) of A (element (i,k) at A[i*rs + k*cs]),
 * times alpha, into MR-row micro-panels; rows past mc are zero. */
static void pack_a(const float *A, int64_t rs, int64_t cs, int64_t mc, int64_t kc,
                   float alpha, float *Ap)
{
    for (int64_t i0 = 0; i0 < mc; i0 += MR) {
        int64_t mr = g_min(MR, mc - i0);
        float *dst = Ap + i0 * kc;
        if (rs == 1 && alpha == 1.0f) {
            /* transposed A: a micro-panel row is mr consecutive floats */
            for (int64_t k = 0; k < kc; k++)
                for (int64_t i = 0; i < MR; i += VLEN)
                    v_store_n(dst + k * MR + i, i < mr ? v_load_n(A + i0 + k * cs + i, mr - i) : v_zero(),
                              MR - i);
            continue;
        }
#ifdef COL_GATHER
        /* rows of A: one gather per k takes the micro-panel's column at
         * once, instead of MR scalar loads and stores */
        if (cs == 1 && rs <= INT32_MAX / MR) {
            const col_index idx = col_index_for(rs);
            const vf va = v_set1(alpha);
            for (int64_t k = 0; k < kc; k++) {
                vf x = col_gather(A + i0 * rs + k, idx, (int)mr);
                if (alpha != 1.0f) x = v_mul(x, va);
                v_store_n(dst + k * MR, x, MR);
            }
            continue;
        }
#endif
        if (mr < MR) memset(dst, 0, sizeof(float) * (size_t)(MR * kc));
        for (int64_t i = 0; i < mr; i++) {
            const float *src = A + (i0 + i) * rs;
            if (alpha == 1.0f)
                for (int64_t k = 0; k < kc; k++) dst[k * MR + i] = src[k * cs];
            else
                for (int64_t k = 0; k < kc; k++) dst[k * MR + i] = alpha * src[k * cs];
        }
    }
}

/* Packs rows [0, kc) x cols [0, nr) of B (element (k,j) at B[k*rs + j*cs])
 * into one NR-wide panel with row stride NR; columns past nr are zero. */
static void pack_b_panel(const float *B, int64_t rs, int64_t cs, int64_t kc, int64_t nr, float *dst)
{
    if (cs == 1 && nr == NR) {
        /* vector copies: a memcpy call per 32 floats costs more than it moves */
        for (int64_t k = 0; k < kc; k++)
            UNROLL for (int v = 0; v < NV; v++) v_store(dst + k * NR + v * VLEN, v_load(B + k * rs + v * VLEN));
    } else if (cs == 1) {
        for (int64_t k = 0; k < kc; k++)
            UNROLL for (int v = 0; v < NV; v++) {
                int64_t left = nr - v * VLEN;
                v_store(dst + k * NR + v * VLEN, left > 0 ? v_load_n(B + k * rs + v * VLEN, left) : v_zero());
            }
    } else {
        if (nr < NR) memset(dst, 0, sizeof(float) * (size_t)(kc * NR));
        for (int64_t j = 0; j < nr; j++)
            for (int64_t k = 0; k < kc; k++) dst[k * NR + j] = B[k * rs + j * cs];
    }
}

int64_t GEMM_NAME(nr)(void) { return NR; }

size_t GEMM_NAME(pack_b_bytes)(int64_t K, int64_t N)
{
    return (size_t)((N + NR - 1) / NR) * (size_t)K * NR * sizeof(float);
}

void GEMM_NAME(pack_b)(int64_t K, int64_t N, const float *B, int64_t ldb, int trans_b, void *Bp)
{
    float *dst = Bp;
    for (int64_t j0 = 0; j0 < N; j0 += NR) {
        int64_t nr = g_min(NR, N - j0);
        if (trans_b) pack_b_panel(B + j0 * ldb, 1, ldb, K, nr, dst);
        else pack_b_panel(B + j0, ldb, 1, K, nr, dst);
        dst += K * NR;
    }
}

/* The packed A block: at most MC rows (fewer when M is smaller, rounded up
 * to MR) by at most KC columns. The small-M path reads A in place. */
size_t GEMM_NAME(scratch_bytes)(int64_t M, int64_t K)
{
    if (M <= 8) return 0;
    const mote_x86_gemm_blocking *b = GEMM_NAME(blocking)();
    int64_t rows = g_min(b->mc, (M + MR - 1) / MR * MR);
    return (size_t)(rows * k_block(K, b->kc)) * sizeof(float) + 64;
}

/*
 * Small-M path, rows [r0, r0+m) with m <= SMALL_ROWS: A is read in place
 * (no packing), P panels of the packed B stream by once, each element runs
 * the same fma chain over k as the tiled path.
 */
static ALWAYS_INLINE void small_pass(const mote_gemm_packed_args *a, int64_t r0,
                                     const int M, const int P, int64_t j, int64_t n1)
{
    /* sized for the largest case; M and P are constants after inlining */
    vf c[SMALL_ROWS][4][NV];
    const float *bp[4];
    UNROLL for (int p = 0; p < P; p++) bp[p] = (const float *)a->Bp + (j / NR + p) * a->K * NR;
    const float *a0 = a->A + r0 * a->lda;
    UNROLL for (int i = 0; i < M; i++)
        UNROLL for (int p = 0; p < P; p++)
            UNROLL for (int v = 0; v < NV; v++) c[i][p][v] = v_zero();
    /* B streams by once, from far caches (the distance: gemm_blocking_x86.c) */
    const int64_t pf = blk.pf_stream;
    for (int64_t k = 0; k < a->K; k++) {
        vf b[4][NV];
        if (pf)
            UNROLL for (int p = 0; p < P; p++)
                UNROLL for (int v = 0; v < NR; v += 16) __builtin_prefetch(bp[p] + (k + pf) * NR + v, 0, 3);
        UNROLL for (int p = 0; p < P; p++)
            UNROLL for (int v = 0; v < NV; v++) b[p][v] = v_load(bp[p] + k * NR + v * VLEN);
        UNROLL for (int i = 0; i < M; i++) {
            vf av = v_set1(a_row(a0, k, i, a->lda));
            UNROLL for (int p = 0; p < P; p++)
                UNROLL for (int v = 0; v < NV; v++) c[i][p][v] = v_fma(av, b[p][v], c[i][p][v]);
        }
    }
    /* v_act is a call: not one per vector for no activation (64x64x1's
     * last 8 rows: 80 -> 41 ns) */
    const int act_on = a->act.kind != MOTE_ACT_NONE;
    UNROLL for (int p = 0; p < P; p++) {
        int64_t col = j + p * NR;
        if (col >= n1) break;
        gemm_epi e = { a->bias ? (a->bias_per_row ? a->bias + r0 : a->bias + col) : NULL,
                       a->bias_per_row, &a->act };
        UNROLL for (int i = 0; i < M; i++)
            UNROLL for (int v = 0; v < NV; v++) {
                int64_t left = n1 - col - v * VLEN;
                if (left <= 0) break;
                vf x = c[i][p][v];
                if (e.bias && !e.per_row) x = v_add(x, v_load_n(e.bias + v * VLEN, left));
                else if (e.bias) x = v_add(x, v_set1(e.bias[i]));
                if (act_on) x = v_act(x, e.act);
                v_store_n(a->C + (r0 + i) * a->ldc + col + v * VLEN, x, left);
            }
    }
}

#define SMALL_CASE(m)                                                        \
    static void small_rows_##m(const mote_gemm_packed_args *a, int64_t r0)  \
    {                                                                        \
        enum { P = SMALL_P(m) };                                             \
        int64_t j = a->n0;                                                   \
        for (; j + (P - 1) * NR < a->n1; j += P * NR)                        \
            small_pass(a, r0, m, P, j, a->n1);                               \
        for (; j < a->n1; j += NR) small_pass(a, r0, m, 1, j, a->n1);        \
    }
SMALL_CASE(1) SMALL_CASE(2) SMALL_CASE(3) SMALL_CASE(4)
#if SMALL_ROWS > 4
SMALL_CASE(5) SMALL_CASE(6) SMALL_CASE(7) SMALL_CASE(8)
#endif

static void small_m(const mote_gemm_packed_args *a)
{
    for (int64_t r = a->m0; r < a->m1; r += SMALL_ROWS) {
        switch (g_min(SMALL_ROWS, a->m1 - r)) {
        case 1: small_rows_1(a, r); break;
        case 2: small_rows_2(a, r); break;
        case 3: small_rows_3(a, r); break;
        case 4: small_rows_4(a, r); break;
#if SMALL_ROWS > 4
        case 5: small_rows_5(a, r); break;
        case 6: small_rows_6(a, r); break;
        case 7: small_rows_7(a, r); break;
        case 8: small_rows_8(a, r); break;
#endif
        default: break;
        }
    }
}

/* C[m0:m1, n0:n1] = act(A * Bp + bias), Bp from pack_b. */
void GEMM_NAME(packed)(const mote_gemm_packed_args *a)
{
    const int64_t K = a->K, n1 = g_min(a->n1, a->N);
    if (a->m1 <= a->m0 || n1 <= a->n0) return;
    /* the small-M path reads rows of A in place; a transposed A takes the
     * tiled path whatever the rows (its M is more than 8, so the scratch
     * holds a packed block) */
    const mote_x86_gemm_blocking *bl = GEMM_NAME(blocking)();
    if (a->m1 - a->m0 <= 8 && K > 0 && !a->trans_a) { small_m(a); return; }
    /* rows past the last whole MR tile (at most 8) take the small-M path
     * rather than a tile of mostly padding: the same chain per element */
    const int64_t left = (a->m1 - a->m0) % MR;
    if (left > 0 && left <= 8 && K > 0 && !a->trans_a) {
        mote_gemm_packed_args t = *a;
        t.m1 = a->m1 - left;
        GEMM_NAME(packed)(&t);
        t.m0 = t.m1;
        t.m1 = a->m1;
        small_m(&t);
        return;
    }
    float *Ap = (float *)(((uintptr_t)a->scratch + 63) & ~(uintptr_t)63);
    const float *Bp = a->Bp;
    const int64_t MC = bl->mc, NC = bl->nc, kb = k_block(K, bl->kc);
    int64_t k0 = 0;
    do {
        int64_t kc = g_min(kb, K - k0);
        int last = k0 + kc >= K;
        /* A few panels of B meet each row of A: packing A would cost
         * about as much as the products, so the micro-kernel reads A in
         * place (unless its rows are 4 KiB apart, MR of them in one L1 set) */
        if (!a->trans_a && n1 - a->n0 <= INPLACE_PANELS * NR && (a->lda * sizeof(float)) % 4096) {
            for (int64_t r = a->m0; r < a->m1; r += MR)
                for (int64_t j = a->n0; j < n1; j += NR) {
                    gemm_epi e = { NULL, a->bias_per_row, last ? &a->act : NULL };
                    if (a->bias) e.bias = a->bias_per_row ? a->bias + r : a->bias + j;
                    micro_tile_rows(kc, a->A + r * a->lda + k0, a->lda, Bp + (j / NR) * K * NR + k0 * NR,
                                    a->C + r * a->ldc + j, a->ldc, (int)g_min(MR, a->m1 - r),
                                    g_min(NR, n1 - j), k0 > 0, &e);
                }
            k0 += kc;
            continue;
        }
        /* A transposed (a 1x1 conv's input, K x pixels) with few panels
         * of B (its output channels): the micro-kernel reads A's MR
         * values of each k in place (one or two cache lines), where
         * packing it would cost a large part of the products (MobileNetV2's
         * projections, 384..576 -> 64..96 at 14x14); not when A's rows
         * are a multiple of 1 KiB apart (few L1 sets for a micro-panel's
         * lines), nor for A of at most FEW_PANELS micro-panels (a 7x7
         * image: its packed block is small and B, the weights, streams by
         * with its next panel prefetched, below: 960 -> 160 at 7x7 ran 5%
         * slower in place) */
        if (a->trans_a && n1 - a->n0 <= TIP_PANELS * NR && a->m1 - a->m0 > FEW_PANELS * MR &&
            (a->lda * sizeof(float)) % 1024) {
            for (int64_t r = a->m0; r < a->m1; r += MR)
                for (int64_t j = a->n0; j < n1; j += NR) {
                    gemm_epi e = { NULL, a->bias_per_row, last ? &a->act : NULL };
                    if (a->bias) e.bias = a->bias_per_row ? a->bias + r : a->bias + j;
                    tile_cols(kc, a->A + k0 * a->lda + r, a->lda, Bp + (j / NR) * K * NR + k0 * NR,
                              a->C + r * a->ldc + j, a->ldc, (int)g_min(MR, a->m1 - r), g_min(NR, n1 - j),
                              k0 > 0, &e);
                }
            k0 += kc;
            continue;
        }
        for (int64_t i0 = a->m0; i0 < a->m1; i0 += MC) {
            int64_t mc = g_min(MC, a->m1 - i0);
            if (a->trans_a) pack_a(a->A + k0 * a->lda + i0, 1, a->lda, mc, kc, 1.0f, Ap);
            else pack_a(a->A + i0 * a->lda + k0, a->lda, 1, mc, kc, 1.0f, Ap);
            /* few A micro-panels (a 7x7 image's 49 pixels as rows): B
             * streams by once, each of its micro-panels meeting all of
             * them while the next one comes in (pf_stream) */
            const int64_t np = (mc + MR - 1) / MR;
            if (np <= FEW_PANELS) {
                for (int64_t j = a->n0; j < n1; j += NR) {
                    const float *bp = Bp + (j / NR) * K * NR + k0 * NR;
                    const float *next = j + NR < n1 ? bp + K * NR : NULL;
                    /* B (a weight) meets its rows once per call: from
                     * memory or L3 whatever its size */
                    const pf_plan pp = pf_plan_for(next, kc * NR * (int64_t)sizeof(float), np, kc, INT64_MAX);
                    for (int64_t ip = 0; ip < mc; ip += MR) {
                        int64_t r = i0 + ip;
                        gemm_epi e = { NULL, a->bias_per_row, last ? &a->act : NULL };
                        if (a->bias) e.bias = a->bias_per_row ? a->bias + r : a->bias + j;
                        pf_stream ps = pf_slice(&pp, ip / MR);
                        tile_pf(kc, Ap + ip * kc, bp, a->C + r * a->ldc + j, a->ldc,
                                (int)g_min(MR, mc - ip), g_min(NR, n1 - j), k0 > 0, &e, &ps);
                    }
                }
                continue;
            }
            /* B in blocks of NC columns (L2); within one, each A
             * micro-panel (L1) passes over all of its B micro-panels */
            for (int64_t j0 = a->n0; j0 < n1; j0 += NC) {
                int64_t j1 = g_min(j0 + NC, n1);
                for (int64_t ip = 0; ip < mc; ip += MR) {
                    int64_t r = i0 + ip;
                    for (int64_t j = j0; j < j1; j += NR) {
                        const float *bp = Bp + (j / NR) * K * NR + k0 * NR;
                        gemm_epi e = { NULL, a->bias_per_row, last ? &a->act : NULL };
                        if (a->bias) e.bias = a->bias_per_row ? a->bias + r : a->bias + j;
                        tile(kc, Ap + ip * kc, bp, a->C + r * a->ldc + j, a->ldc,
                             (int)g_min(MR, mc - ip), g_min(NR, n1 - j), k0 > 0, &e);
                    }
                }
            }
        }
        k0 += kc;
    } while (k0 < K);
}

/* ------------------------------------------------------ packed-A path */

/*
 * Constant A (convolution weights): packed once as MR-row micro-panels over
 * the whole K, Ap[i/MR][k][MR], zero-padded past M. Per call, B is packed in
 * KC x NC blocks (NR-wide panels, in scratch). Loops: K blocks; NC column
 * blocks (B block packed once, L2-resident); MC row blocks; NR panels (B
 * micro-panel in L1); MR micro-panels of A. Same fma chain per element as
 * the packed-B path, so the row/column range given does not change a value.
 */
int64_t GEMM_NAME(mr)(void) { return MR; }

size_t GEMM_NAME(pack_a_bytes)(int64_t M, int64_t K)
{
    return (size_t)((M + MR - 1) / MR) * (size_t)K * MR * sizeof(float);
}

void GEMM_NAME(pack_a)(int64_t M, int64_t K, const float *A, int64_t lda, int trans_a, void *Ap)
{
    if (trans_a) pack_a(A, 1, lda, M, K, 1.0f, Ap);
    else pack_a(A, lda, 1, M, K, 1.0f, Ap);
}

size_t GEMM_NAME(packed_a_scratch_bytes)(int64_t N, int64_t K)
{
    const mote_x86_gemm_blocking *b = GEMM_NAME(blocking)();
    int64_t cols = g_min(b->nc, (N + NR - 1) / NR * NR);
    return (size_t)(cols * k_block(K, b->kc)) * sizeof(float) + 64;
}

void GEMM_NAME(packed_a)(const mote_gemm_packed_a_args *a)
{
    const int64_t K = a->K, m1 = g_min(a->m1, a->M), n1 = g_min(a->n1, a->N);
    if (m1 <= a->m0 || n1 <= a->n0) return;
    float *Bb = (float *)(((uintptr_t)a->scratch + 63) & ~(uintptr_t)63);
    const float *Ap = a->Ap;
    const mote_x86_gemm_blocking *bl = GEMM_NAME(blocking)();
    const int64_t NC = bl->nc, kb = k_block(K, bl->kc);
    int64_t k0 = 0;
    do {
        int64_t kc = g_min(kb, K - k0);
        int last = k0 + kc >= K;
        /* a short K (K <= BIP_MAX_K: a 1x1 conv of few input
         * channels): B's panel is read in place, its kc rows of NR floats
         * staying in L1 while all of A's micro-panels pass over it; packing
         * it would cost about what the products do when A has few rows
         * (BIP_MAX_M);
         * not when B's rows are a multiple of 2 KiB apart (a 160x160
         * image: 100 KiB), the panel's rows then crowding one or two L1
         * sets (M-LSD's 16 -> 96 expansion at 160x160: 1.0 -> 1.5-8.7 ms) */
        if (kc <= BIP_MAX_K && K <= BIP_MAX_K && m1 - a->m0 <= BIP_MAX_M &&
            (a->ldb * (int64_t)sizeof(float)) % 2048) {
            for (int64_t j = a->n0; j < n1; j += NR) {
                int64_t nr = g_min(NR, n1 - j);
                for (int64_t r = a->m0; r < m1; r += MR) {
                    gemm_epi e = { NULL, a->bias_per_row, last ? &a->act : NULL };
                    if (a->bias) e.bias = a->bias_per_row ? a->bias + r : a->bias + j;
                    tile_bip(kc, Ap + (r / MR) * K * MR + k0 * MR, a->B + k0 * a->ldb + j, a->ldb,
                             a->C + r * a->ldc + j, a->ldc, (int)g_min(MR, m1 - r), nr, k0 > 0, &e);
                }
            }
            k0 += kc;
            continue;
        }
        for (int64_t j0 = a->n0; j0 < n1; j0 += NC) {
            int64_t nc = g_min(NC, n1 - j0);
            for (int64_t jp = 0; jp < nc; jp += NR)
                pack_b_panel(a->B + k0 * a->ldb + j0 + jp, a->ldb, 1, kc, g_min(NR, nc - jp),
                             Bb + jp * kc);
            /* each A micro-panel (L1) passes over the B block (L2),
             * the next one coming in meanwhile (pf_stream: the weights
             * stream by once when the columns are few) */
            const int64_t npb = (nc + NR - 1) / NR;
            for (int64_t r = a->m0; r < m1; r += MR) {
                const float *ap = Ap + (r / MR) * K * MR + k0 * MR;
                const float *next = r + MR < m1 ? ap + K * MR : NULL;
                const pf_plan pp = pf_plan_for(next, kc * MR * (int64_t)sizeof(float), npb, kc,
                                               (m1 - a->m0 + MR - 1) / MR * K * MR * (int64_t)sizeof(float));
                for (int64_t jp = 0; jp < nc; jp += NR) {
                    int64_t j = j0 + jp, nr = g_min(NR, nc - jp);
                    gemm_epi e = { NULL, a->bias_per_row, last ? &a->act : NULL };
                    if (a->bias) e.bias = a->bias_per_row ? a->bias + r : a->bias + j;
                    pf_stream ps = pf_slice(&pp, jp / NR);
                    tile_pf(kc, ap, Bb + jp * kc, a->C + r * a->ldc + j, a->ldc, (int)g_min(MR, m1 - r),
                            nr, k0 > 0, &e, &ps);
                }
            }
        }
        k0 += kc;
    } while (k0 < K);
}

/*
 * Unpacked GEMM, the general form of kernels.h (alpha, beta, transposes).
 * B micro-panels and A micro-panels are packed on the stack per block;
 * alpha is folded into the packed A; beta scales C first, and the first K
 * block then accumulates onto it.
 */
void GEMM_NAME(unpacked)(const mote_gemm_args *a)
{
    const int64_t M = a->M, N = a->N, K = a->K;
    if (M <= 0 || N <= 0) return;
    _Alignas(64) float bbuf[KC * NR];
    _Alignas(64) float abuf[KC * MR];
    (void)GEMM_NAME(blocking)();   /* the prefetch distances */
    const int keep_c = a->beta != 0.0f;
    if (keep_c && a->beta != 1.0f)
        for (int64_t i = 0; i < M; i++)
            for (int64_t j = 0; j < N; j++) a->C[i * a->ldc + j] *= a->beta;
    const int64_t ars = a->trans_a ? 1 : a->lda, acs = a->trans_a ? a->lda : 1;
    const int64_t brs = a->trans_b ? 1 : a->ldb, bcs = a->trans_b ? a->ldb : 1;
    for (int64_t j = 0; j < N; j += NR) {
        int64_t nr = g_min(NR, N - j);
        int64_t k0 = 0;
        do {
            int64_t kc = g_min(KC, K - k0);
            int last = k0 + kc >= K;
            if (kc > 0) pack_b_panel(a->B + k0 * brs + j * bcs, brs, bcs, kc, nr, bbuf);
            for (int64_t i = 0; i < M; i += MR) {
                int64_t mr = g_min(MR, M - i);
                if (kc > 0) pack_a(a->A + i * ars + k0 * acs, ars, acs, mr, kc, a->alpha, abuf);
                gemm_epi e = { NULL, a->bias_per_row, last ? &a->act : NULL };
                if (a->bias) e.bias = a->bias_per_row ? a->bias + i : a->bias + j;
                tile(kc, abuf, bbuf, a->C + i * a->ldc + j, a->ldc, (int)mr, nr,
                     keep_c || k0 > 0, &e);
            }
            k0 += kc;
        } while (k0 < K);
    }
}
