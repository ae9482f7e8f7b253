/*
 * conv_chan_tmpl.h — convolution by input channel (a first layer: one
 * group of 1 to 4 input channels), written once over the vector shim,
 * instantiated per ISA (conv_chan_<isa>.c defines CHAN_NAME, the register
 * blocks CHAN_R1 x CHAN_P1 for small kernels, CHAN_R2 x CHAN_P2 for large
 * ones, and CHAN_MS1, CHAN_MS2: 1 to keep that block's running sums in
 * memory).
 *
 * The contract is kernels/conv_chan_ref.c's: each output is
 * act((((s_0 + s_1) + ...) + bias), s_c the fused multiply-add chain of
 * channel c's taps in (ky, kx) order from 0, out-of-image taps reading 0.
 * The kernel gives the reference's bits (the activation's approximation
 * aside).
 *
 * Vectorized over VLEN output pixels of a row, register-blocked over
 * R output channels and P output rows: per tap, P input
 * vectors and R broadcast weights feed R x P fused
 * multiply-adds into one accumulator per (channel, row) for the current
 * input channel, added to a running sum when the channel is done. The
 * input rows are first copied, zero-padded, into a window of prepared
 * rows in input order (each prepared once per segment of at most CH_SEG
 * output columns, whatever the output channels; rows the next block of
 * output rows reads again move to the window's front), so one address
 * and constant offsets reach every row a block reads. With stride 2 across, a prepared row holds the
 * even columns then the odd ones, so tap kx of output ox reads phase
 * kx % 2 at ox + kx / 2 and every load is a plain unaligned one. Pads on
 * any side come out of the padding of the prepared rows, so edges run the
 * same vector code as the interior. Taken when C <= 4, KH, KW <= 7,
 * strides 1 or 2, dilation 1; other shapes run the reference.
 */
#include <stdint.h>
#include <string.h>
#include "kernels.h"
#include "ref.h"
#include "vmath.h"

#if defined(__GNUC__) || defined(__clang__)
#define CH_INLINE static inline __attribute__((always_inline))
#define CH_UNROLL _Pragma("GCC unroll 8")
#define CH_PREFETCHW(p) __builtin_prefetch((p), 1, 2)
#else
#define CH_PREFETCHW(p) ((void)(p))
#define CH_INLINE static inline
#define CH_UNROLL
#endif

#define CH_MAXC 4                          /* input channels                   */
#define CH_MAXK 7                          /* kernel side                      */
#define CH_SEG (8 * VLEN)                  /* output columns per segment       */
#define CH_LH (CH_SEG + 8)                 /* floats per phase of a prepared row:
                                              a segment's vectors + (KW-1)/sw  */
#define CH_RMAX (CHAN_R1 > CHAN_R2 ? CHAN_R1 : CHAN_R2)
#define CH_PMAX (CHAN_P1 > CHAN_P2 ? CHAN_P1 : CHAN_P2)
#define CH_ROWS ((CH_PMAX - 1) * 2 + CH_MAXK) /* window: input rows one block reads */
#define CH_ROWF (CH_MAXC * 2 * CH_LH)      /* floats per prepared input row    */

/* Prepared row of input row iy for the segment starting at output column
 * ox0: d[(c * 2 + q) * CH_LH + j] = x[c, iy, (ox0 + j) * sw + q - pw], 0
 * outside the image, for j < len. */
static void ch_prep_row(const mote_conv2d_args *a, int64_t iy, int64_t ox0, int64_t len, float *d)
{
    const int64_t H = a->H, W = a->W, sw = a->sw;
    for (int64_t c = 0; c < a->C; c++)
        for (int64_t q = 0; q < sw; q++) {
            float *dq = d + (c * 2 + q) * CH_LH;
            if (iy < 0 || iy >= H) {
                memset(dq, 0, (size_t)len * sizeof(float));
                continue;
            }
            const float *xr = a->x + (c * H + iy) * W;
            int64_t t0 = ox0 * sw + q - a->pw;   /* image column of dq[0] */
            /* in-image j: t0 + j*sw in [0, W) */
            int64_t jlo = t0 >= 0 ? 0 : (-t0 + sw - 1) / sw;
            int64_t jhi = W - 1 - t0 < 0 ? 0 : (W - 1 - t0) / sw + 1;
            if (jlo > len) jlo = len;
            if (jhi > len) jhi = len;
            if (jhi < jlo) jhi = jlo;
            int64_t j = 0;
            for (; j < jlo; j++) dq[j] = 0.0f;
            if (sw == 1) {
                memcpy(dq + j, xr + t0 + j, (size_t)(jhi - j) * sizeof(float));
                j = jhi;
            } else {
                for (; j + VLEN <= jhi && t0 + 2 * (j + VLEN) <= W; j += VLEN)
                    v_store(dq + j, v_load_s2(xr + t0 + 2 * j));
                for (; j < jhi; j++) dq[j] = xr[t0 + 2 * j];
            }
            for (; j < len; j++) dq[j] = 0.0f;
        }
}

/* v_act, the first layers' activations (none, Relu, Clip) inline: the
 * others are a call */
CH_INLINE vf ch_act(vf x, const mote_act *act)
{
    switch (act->kind) {
    case MOTE_ACT_NONE: return x;
    case MOTE_ACT_RELU: return v_max(x, v_zero());
    case MOTE_ACT_CLIP: return v_min(v_max(x, v_set1(act->alpha)), v_set1(act->beta));
    default: return v_act(x, act);
    }
}

/* Output rows oy .. oy + np - 1, channels oc .. oc + nr - 1, columns ox0 ..
 * ox0 + nw - 1, from the prepared rows rb + (p * sh + ky) * CH_ROWF (input
 * row (oy + p) * sh - ph + ky; rs = sh * CH_ROWF). Rows past np are
 * computed and not stored, channels past nr compute copies of the first. R x P: the register block; KHC: the kernel
 * height when a constant (0: a->KH). */
CH_INLINE void ch_block(const mote_conv2d_args *a, const float *rb, int64_t rs, int64_t oc,
                        int nr, int np, int64_t oy, int64_t ox0, int64_t nw, const int KHC, const int KW,
                        const int SW, const int R, const int P)
{
    const int64_t C = a->C, KH = KHC ? KHC : a->KH, KK = KH * KW, OH = a->OH, OW = a->OW;
    const float *wr[CH_RMAX];
    vf bv[CH_RMAX];
    CH_UNROLL for (int r = 0; r < R; r++) {
        int64_t o = oc + (r < nr ? r : 0);
        wr[r] = a->w + o * C * KK;
        bv[r] = v_set1(a->bias ? a->bias[o] : 0.0f);
    }
    /* the running sums in registers, or where the ISA says so (CHAN_MS1,
     * CHAN_MS2 for the small and large blocks: too few vector registers
     * for them and the accumulators) in memory, read back once per input
     * channel: the same additions either way */
    const int MS = R == CHAN_R1 && P == CHAN_P1 ? CHAN_MS1 : CHAN_MS2;
    _Alignas(64) float sbuf[CH_RMAX * CH_PMAX][VLEN] = {{0}};   /* set at c = 0 */
    for (int64_t v = 0; v < nw; v += VLEN) {
        vf sum[CH_RMAX][CH_PMAX], acc[CH_RMAX][CH_PMAX];
        CH_UNROLL for (int r = 0; r < R; r++)
            CH_UNROLL for (int p = 0; p < P; p++) sum[r][p] = v_zero();   /* set at c = 0 */
        for (int64_t c = 0; c < C; c++) {
            CH_UNROLL for (int r = 0; r < R; r++)
                CH_UNROLL for (int p = 0; p < P; p++) acc[r][p] = v_zero();
            CH_UNROLL for (int64_t ky = 0; ky < KH && ky < CH_MAXK; ky++) {
                const float *xp[CH_PMAX], *wk[CH_RMAX];
                CH_UNROLL for (int p = 0; p < P; p++) xp[p] = rb + p * rs + ky * CH_ROWF + c * 2 * CH_LH + v;
                CH_UNROLL for (int r = 0; r < R; r++) wk[r] = wr[r] + c * KK + ky * KW;
                CH_UNROLL for (int kx = 0; kx < KW; kx++) {
                    vf xv[CH_PMAX];
                    CH_UNROLL for (int p = 0; p < P; p++) xv[p] = v_load(xp[p] + (kx % SW) * CH_LH + kx / SW);
                    CH_UNROLL for (int r = 0; r < R; r++) {
                        vf wv = v_set1(wk[r][kx]);
                        CH_UNROLL for (int p = 0; p < P; p++) acc[r][p] = v_fma(wv, xv[p], acc[r][p]);
                    }
                }
            }
            CH_UNROLL for (int r = 0; r < R; r++)
                CH_UNROLL for (int p = 0; p < P; p++) {
                    if (!MS) sum[r][p] = c ? v_add(sum[r][p], acc[r][p]) : acc[r][p];
                    else v_store(sbuf[r * P + p], c ? v_add(v_load(sbuf[r * P + p]), acc[r][p]) : acc[r][p]);
                }
        }
        int64_t n = nw - v < VLEN ? nw - v : VLEN;
        CH_UNROLL for (int r = 0; r < R; r++) {
            if (r >= nr) break;
            CH_UNROLL for (int p = 0; p < P; p++) {
                if (p >= np) break;
                float *y = a->y + ((oc + r) * OH + oy + p) * OW + ox0 + v;
                vf out = ch_act(v_add(MS ? v_load(sbuf[r * P + p]) : sum[r][p], bv[r]), &a->act);
                if (n == VLEN) v_store(y, out);
                else v_store_n(y, out, n);
                /* the same vector of the next block of rows, written once
                 * the other channels' blocks are done: fetched now, the
                 * stores find it in cache (too many output rows are in
                 * flight for the hardware's stream prefetch) */
                if (oy + p + P < OH) CH_PREFETCHW(y + P * OW);
            }
        }
    }
}

typedef void (*ch_block_fn)(const mote_conv2d_args *a, const float *rb, int64_t rs, int64_t oc,
                            int nr, int np, int64_t oy, int64_t ox0, int64_t nw);

/* one instance per kernel width and stride across, the height a constant
 * too when the kernel is square (KH = 0: any height); kernels of fewer
 * than CH_BIG taps get the small register block (CHAN_R1 x CHAN_P1), the
 * others the large one (CHAN_R2 x CHAN_P2) */
#define CH_BIG 16
#define CH_INST(H, K, S)                                                                                   \
    static void ch_block_##H##_##K##_##S(const mote_conv2d_args *a,                                        \
                                          const float *rb, int64_t rs, int64_t oc, int nr,                  \
                                          int np, int64_t oy, int64_t ox0, int64_t nw)                      \
    {                                                                                                       \
        if ((H ? H : a->KH) * K < CH_BIG)                                                                 \
            ch_block(a, rb, rs, oc, nr, np, oy, ox0, nw, H, K, S, CHAN_R1, CHAN_P1);                         \
        else                                                                                                \
            ch_block(a, rb, rs, oc, nr, np, oy, ox0, nw, H, K, S, CHAN_R2, CHAN_P2);                         \
    }
#define CH_INST2(K, S) CH_INST(0, K, S) CH_INST(K, K, S)
CH_INST2(1, 1) CH_INST2(2, 1) CH_INST2(3, 1) CH_INST2(4, 1) CH_INST2(5, 1) CH_INST2(6, 1) CH_INST2(7, 1)
CH_INST2(1, 2) CH_INST2(2, 2) CH_INST2(3, 2) CH_INST2(4, 2) CH_INST2(5, 2) CH_INST2(6, 2) CH_INST2(7, 2)

#define CH_ROW(KH, S)                                                                                    \
    { ch_block_##KH##_1_##S, ch_block_##KH##_2_##S, ch_block_##KH##_3_##S, ch_block_##KH##_4_##S,        \
      ch_block_##KH##_5_##S, ch_block_##KH##_6_##S, ch_block_##KH##_7_##S }
/* [sw - 1][KW - 1]: any height */
static const ch_block_fn ch_blocks[2][CH_MAXK] = { CH_ROW(0, 1), CH_ROW(0, 2) };
/* [sw - 1][K - 1]: K x K */
static const ch_block_fn ch_blocks_sq[2][CH_MAXK] = {
    { ch_block_1_1_1, ch_block_2_2_1, ch_block_3_3_1, ch_block_4_4_1, ch_block_5_5_1, ch_block_6_6_1, ch_block_7_7_1 },
    { ch_block_1_1_2, ch_block_2_2_2, ch_block_3_3_2, ch_block_4_4_2, ch_block_5_5_2, ch_block_6_6_2, ch_block_7_7_2 },
};

void CHAN_NAME(const mote_conv2d_args *a, int64_t oy0, int64_t oy1)
{
    if (a->C < 1 || a->C > CH_MAXC || a->KH < 1 || a->KH > CH_MAXK || a->KW < 1 || a->KW > CH_MAXK ||
        a->sh < 1 || a->sh > 2 || a->sw < 1 || a->sw > 2 || a->dh != 1 || a->dw != 1) {
        mote_conv2d_chan_f32_ref(a, oy0, oy1);
        return;
    }
    const int64_t sh = a->sh, ph = a->ph, KH = a->KH;
    const ch_block_fn blk = a->KH == a->KW ? ch_blocks_sq[a->sw - 1][a->KW - 1] : ch_blocks[a->sw - 1][a->KW - 1];
    const int P = a->KH * a->KW < CH_BIG ? CHAN_P1 : CHAN_P2, R = a->KH * a->KW < CH_BIG ? CHAN_R1 : CHAN_R2;
    /* the window: win[i] holds input row base + i, i < have */
    _Alignas(64) float win[CH_ROWS][CH_ROWF];
    const int need = (P - 1) * (int)sh + (int)KH;
    /* columns in segments of equal whole vectors (160 = 80 + 80, not
     * 128 + 32: a narrow segment pays the per-block costs for little) */
    const int64_t nseg = (a->OW + CH_SEG - 1) / CH_SEG;
    const int64_t seg = ((a->OW + nseg - 1) / nseg + VLEN - 1) / VLEN * VLEN;
    for (int64_t ox0 = 0; ox0 < a->OW; ox0 += seg) {
        int64_t nw = a->OW - ox0 < seg ? a->OW - ox0 : seg;
        int64_t len = (nw + VLEN - 1) / VLEN * VLEN + (a->KW - 1) / a->sw;
        int64_t base = 0;
        int have = 0;
        for (int64_t oy = oy0; oy < oy1; oy += P) {
            int np = oy1 - oy < P ? (int)(oy1 - oy) : P;
            /* rows the block reads: first .. first + need - 1; those the
             * last block read too move to the front, the others are
             * prepared (past oy1 too: computed, not stored) */
            int64_t first = oy * sh - ph;
            int keep = have && first >= base && first < base + have ? (int)(base + have - first) : 0;
            if (keep > need) keep = need;
            if (keep && first != base)
                memmove(win[0], win[first - base], (size_t)keep * CH_ROWF * sizeof(float));
            for (int i = keep; i < need; i++) ch_prep_row(a, first + i, ox0, len, win[i]);
            base = first;
            have = need;
            for (int64_t oc = a->oc0; oc < a->oc1; oc += R) {
                int nr = a->oc1 - oc < R ? (int)(a->oc1 - oc) : R;
                blk(a, win[0], sh * CH_ROWF, oc, nr, np, oy, ox0, nw);
            }
        }
    }
}
