/*
 * conv_dw_band_avx512.c — depthwise convolution (3x3, and any kernel up to
 * MOTE_DW_MAXK), stride 1 or 2 in both directions, for AVX-512, by bands
 * of polyphase planes. Other shapes go to the row path of ../conv_tmpl.h.
 *
 * With stride S, output (oy, ox) tap (ky, kx) reads the zero-padded input
 * xp[S oy + ky][S ox + kx]. Split xp into S*S phase planes
 *   P_{py,px}[r][t] = xp[S r + py][S t + px],   t < Wq = OW + (KW - 1) / S,
 * and that tap is P_{ky%S, kx%S}[oy + ky/S][ox + kx/S]: numbering outputs
 * q = oy Wq + ox (ox < Wq; the columns ox >= OW are computed and dropped),
 * every tap is one contiguous load at q + (ky/S) Wq + kx/S, whatever the
 * stride, the pads or the width. Stride 2 de-interleaves each input row
 * once (two loads, two permutes) instead of per tap, and a map narrower
 * than a vector fills its vectors across rows (14x14 -> 7x7: 4 vectors of
 * 8-wide rows instead of 7 one-row vectors). The kept lanes are
 * compressed and stored in place. Same-size stride-1 3x3 maps up to 8x8
 * skip the planes (dwf_ below: masked loads from the channel itself),
 * small maps of 16 channels or more put channels in lanes instead (dwl_
 * below: 5x5 kernels up to 16x16 outputs, others up to 8x8), and 3x3 at
 * stride 2 on rows of 24 outputs or more splits its rows in registers
 * (dws_ below).
 *
 * The planes are built by bands of output rows, in one of two buffers on
 * the stack, as many (channel, band) items as a buffer holds: the next
 * group is filled before the current one is computed, so loads never wait
 * on stores just made.
 *
 * Each output is the chain of fused multiply-adds over (ky, kx) in order
 * from 0 (a padded tap adds w * 0), then bias, then the activation: the
 * same operations as the row path, so the same bits, and which channels a
 * call gets changes nothing.
 */
#include <stdint.h>
#include <string.h>
#include "avx512/simd_avx512.h"
#include "x86_kernels.h"
#include "vmath.h"

/* floats in one band buffer (8 KiB; two on the stack, both in L1) */
#define DWB_BUF 2048
/* floats after each phase plane: the last row's fill writes whole vectors
 * and a band's last vector reads up to 15 + (KW-1)/S floats past it */
#define DWB_SLACK 32
/* q vectors of one band at most */
#define DWB_NV (DWB_BUF / 16)

#if defined(__GNUC__) || defined(__clang__)
#define DWB_INLINE static inline __attribute__((always_inline))
#define DWB_UNROLL _Pragma("GCC unroll 8")
#define DWL_UNROLL _Pragma("GCC unroll 16")
#else
#define DWL_UNROLL
#define DWB_INLINE static inline
#define DWB_UNROLL
#endif

typedef struct dwb_geom {
    int64_t Wq;                /* plane row pitch: OW + (KW - 1) / S       */
    int64_t rows;              /* plane rows of a full band: Bh + (KH-1)/S */
    int64_t Bh;                /* output rows per band                     */
    int64_t nbands;            /* bands per channel                        */
    int64_t pstride;           /* floats per phase plane                   */
    uint16_t keep[DWB_NV];     /* lanes of q vector v with ox < OW, q < Bh Wq */
    uint16_t put[DWB_NV];      /* the first popcount(keep[v]) lanes            */
    int32_t off[DWB_NV];       /* output index of vector v's first kept lane,
                                  from the band's first output            */
    uint16_t mlo[DWB_NV];      /* the fill's loads: for plane columns [t, t + 16), */
    uint16_t mhi[DWB_NV];      /* the lanes inside the row of input columns from
                                  S t - pw (and S t - pw + 16 when S = 2)          */
} dwb_geom;

/* lanes of a 16-float block starting at column c that lie in [0, W) */
static inline __mmask16 dwb_cols(int64_t c, int64_t W)
{
    int64_t lo = c < 0 ? -c : 0, hi = W - c < 16 ? W - c : 16;
    if (hi <= lo) return 0;
    return (__mmask16)((((uint32_t)1 << hi) - 1u) & ~(((uint32_t)1 << lo) - 1u));
}

/* The geometry of the call's rows (mote_dw_row0 .. row1), or 0 when the
 * planes of one output row do not fit. */
static int dwb_plan(const mote_conv2d_args *a, int S, dwb_geom *g)
{
    const int64_t KH = a->KH, KW = a->KW, OH = mote_dw_row1(a) - mote_dw_row0(a), OW = a->OW;
    const int64_t phases = (int64_t)S * S;
    g->Wq = OW + (KW - 1) / S;
    int64_t per = DWB_BUF / phases - DWB_SLACK;     /* floats per phase plane */
    int64_t most = per / g->Wq - (KH - 1) / S;      /* output rows that fit   */
    if (most < 1 || OH < 1 || OW < 1) return 0;
    g->nbands = (OH + most - 1) / most;
    g->Bh = (OH + g->nbands - 1) / g->nbands;
    g->rows = g->Bh + (KH - 1) / S;
    g->pstride = g->rows * g->Wq + DWB_SLACK;
    /* keep masks and output offsets of a full band's q vectors */
    int64_t nq = g->Bh * g->Wq;
    for (int64_t v = 0; v * 16 < nq; v++) {
        int64_t q0 = v * 16, r = q0 / g->Wq, c = q0 % g->Wq;
        g->off[v] = (int32_t)(r * OW + (c < OW ? c : OW));
        uint32_t m = 0;
        /* the rows that cross [q0, q0 + 16): row r's kept part starts at r Wq */
        for (int64_t s = r * g->Wq - q0; s < 16; s += g->Wq) {
            int64_t lo = s < 0 ? 0 : s, hi = s + OW < 16 ? s + OW : 16;
            if (hi > lo) m |= (((uint32_t)1 << hi) - 1u) & ~(((uint32_t)1 << lo) - 1u);
        }
        if (q0 + 16 > nq) m &= ((uint32_t)1 << (nq - q0)) - 1u;
        g->keep[v] = (uint16_t)m;
        g->put[v] = (uint16_t)(((uint32_t)1 << __builtin_popcount(m)) - 1u);
    }
    for (int64_t t = 0; t < g->Wq; t += 16) {
        g->mlo[t / 16] = dwb_cols(S * t - a->pw, a->W);
        g->mhi[t / 16] = dwb_cols(S * t - a->pw + 16, a->W);
    }
    return 1;
}

/* one xp row from xr (xp column 0) into its planes at d (and d + ps when
 * S = 2); ONE: the row is one 16-float chunk (Wq <= 16), HI: that chunk's
 * second load reads something */
DWB_INLINE void dwb_fill_row(const dwb_geom *g, const int S, const int ONE, const int HI, const float *xr,
                             float *d)
{
    const int64_t Wq = g->Wq, ps = g->pstride;
    const __m512i ev = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    const __m512i od = _mm512_setr_epi32(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
    if (S == 1) {
        if (ONE) _mm512_storeu_ps(d, _mm512_maskz_loadu_ps(g->mlo[0], xr));
        else
            for (int64_t t = 0; t < Wq; t += 16)
                _mm512_storeu_ps(d + t, _mm512_maskz_loadu_ps(g->mlo[t / 16], xr + t));
    } else if (ONE) {
        __m512 lo = _mm512_maskz_loadu_ps(g->mlo[0], xr);
        __m512 hi = HI ? _mm512_maskz_loadu_ps(g->mhi[0], xr + 16) : v_zero();
        _mm512_storeu_ps(d, _mm512_permutex2var_ps(lo, ev, hi));
        _mm512_storeu_ps(d + ps, _mm512_permutex2var_ps(lo, od, hi));
    } else {
        for (int64_t t = 0; t < Wq; t += 16) {
            __m512 lo = _mm512_maskz_loadu_ps(g->mlo[t / 16], xr + 2 * t);
            __m512 hi = _mm512_maskz_loadu_ps(g->mhi[t / 16], xr + 2 * t + 16);
            _mm512_storeu_ps(d + t, _mm512_permutex2var_ps(lo, ev, hi));
            _mm512_storeu_ps(d + ps + t, _mm512_permutex2var_ps(lo, od, hi));
        }
    }
}

/* xp rows [i, e) (all inside the image) into their planes; stride 2 by
 * pairs of rows (phases 0 and 1 of one plane row) */
DWB_INLINE void dwb_fill_rows(const mote_conv2d_args *a, const dwb_geom *g, const int S, const int ONE,
                              const int HI, const float *xc, int64_t oy0, int64_t i, int64_t e, float *buf)
{
    const int64_t W = a->W, Wq = g->Wq, ps = g->pstride;
    /* x column = xp column - pw; masked lanes are never read, so the
     * base may lie before the row */
    const float *xr = xc + (i - a->ph) * W - a->pw;
    if (S == 1) {
        for (float *d = buf + (i - oy0) * Wq; i < e; i++, xr += W, d += Wq) dwb_fill_row(g, 1, ONE, HI, xr, d);
        return;
    }
    if (i < e && (i & 1)) {
        dwb_fill_row(g, 2, ONE, HI, xr, buf + 2 * ps + ((i >> 1) - oy0) * Wq);
        i++, xr += W;
    }
    float *d = buf + ((i >> 1) - oy0) * Wq;
    for (; i + 1 < e; i += 2, xr += 2 * W, d += Wq) {
        dwb_fill_row(g, 2, ONE, HI, xr, d);
        dwb_fill_row(g, 2, ONE, HI, xr + W, d + 2 * ps);
    }
    if (i < e) dwb_fill_row(g, 2, ONE, HI, xr, d);
}

/* The planes of channel c's band starting at output row oy0, into buf:
 * phase (py, px) at buf + (py S + px) pstride, row r = xp row S (oy0 + r) + py.
 * xp rows in order, so a row's whole-vector stores past its end land on
 * rows (or slack) written after it. */
DWB_INLINE void dwb_fill(const mote_conv2d_args *a, const dwb_geom *g, const int S, int64_t c,
                         int64_t oy0, float *buf)
{
    const int64_t H = a->H, W = a->W, Wq = g->Wq, ps = g->pstride, ph = a->ph;
    const float *xc = a->x + c * H * W;
    const int64_t i0 = S * oy0, i1 = S * (oy0 + g->rows);
    /* xp rows [i0, i1): zero above the image, the image's, zero below */
    const int64_t b0 = ph > i0 ? (ph < i1 ? ph : i1) : i0, b1 = H + ph < i1 ? (H + ph > b0 ? H + ph : b0) : i1;
    for (int64_t i = i0; i < i1; i++) {
        if (i == b0) {
            if (Wq <= 16 && S == 2 && g->mhi[0]) dwb_fill_rows(a, g, S, 1, 1, xc, oy0, b0, b1, buf);
            else if (Wq <= 16) dwb_fill_rows(a, g, S, 1, 0, xc, oy0, b0, b1, buf);
            else dwb_fill_rows(a, g, S, 0, 0, xc, oy0, b0, b1, buf);
            i = b1;
            if (i >= i1) break;
        }
        float *d = buf + (S == 2 ? (i & 1) * 2 * ps + ((i >> 1) - oy0) * Wq : (i - oy0) * Wq);
        for (int px = 0; px < S; px++)
            for (int64_t t = 0; t < Wq; t += 16) _mm512_storeu_ps(d + px * ps + t, v_zero());
    }
}

/* The activation: ACT 0 none, 1 Relu, 2 Clip inline (the operations
 * v_act does), 3 any through v_act. */
DWB_INLINE vf dwb_act(vf x, const int ACT, const mote_act *act)
{
    if (ACT == 0) return x;
    if (ACT == 1) return v_max(x, v_zero());
    if (ACT == 2) return v_min(v_max(x, v_set1(act->alpha)), v_set1(act->beta));
    return v_act(x, act);
}

/* q vector v's kept lanes, compressed, stored at y + off; PART: the band
 * is shorter than Bh rows, so v may reach past its last row */
DWB_INLINE void dwb_store(vf out, const dwb_geom *g, int64_t v, const int PART, int64_t nq, float *y)
{
    uint32_t keep = g->keep[v], put = g->put[v];
    if (PART && 16 * v + 16 > nq) {
        keep &= ((uint32_t)1 << (nq - 16 * v)) - 1u;
        put = ((uint32_t)1 << __builtin_popcount(keep)) - 1u;
    }
    _mm512_mask_storeu_ps(y + g->off[v], (__mmask16)put, _mm512_maskz_compress_ps((__mmask16)keep, out));
}

/* nb output rows of channel c from its planes in buf, into y (the band's
 * first output). Two q vectors at a time: two independent chains. */
DWB_INLINE void dwb_band(const mote_conv2d_args *a, const dwb_geom *g, const int KH, const int KW,
                         const int S, const int ACT, const int PART, const float *buf, const vf *wv, vf bv,
                         int64_t nb, float *y)
{
    const int64_t Wq = g->Wq, nq = nb * Wq, ps = g->pstride;
    const mote_act act = a->act;
    int64_t v = 0;
    for (; (v + 1) * 16 < nq; v += 2) {
        const int64_t q0 = v * 16;
        vf acc0 = v_zero(), acc1 = v_zero();
        DWB_UNROLL for (int ky = 0; ky < KH; ky++)
            DWB_UNROLL for (int kx = 0; kx < KW; kx++) {
                const float *src = buf + ((ky % S) * S + kx % S) * ps + (ky / S) * Wq + kx / S + q0;
                acc0 = v_fma(wv[ky * KW + kx], v_load(src), acc0);
                acc1 = v_fma(wv[ky * KW + kx], v_load(src + 16), acc1);
            }
        dwb_store(dwb_act(v_add(acc0, bv), ACT, &act), g, v, PART, nq, y);
        dwb_store(dwb_act(v_add(acc1, bv), ACT, &act), g, v + 1, PART, nq, y);
    }
    if (v * 16 < nq) {
        const int64_t q0 = v * 16;
        vf acc0 = v_zero();
        DWB_UNROLL for (int ky = 0; ky < KH; ky++)
            DWB_UNROLL for (int kx = 0; kx < KW; kx++) {
                const float *src = buf + ((ky % S) * S + kx % S) * ps + (ky / S) * Wq + kx / S + q0;
                acc0 = v_fma(wv[ky * KW + kx], v_load(src), acc0);
            }
        dwb_store(dwb_act(v_add(acc0, bv), ACT, &act), g, v, PART, nq, y);
    }
}

/* Channels [oc0, oc1), rows [mote_dw_row0, row1): items (channel, band) in order, by groups of as
 * many as a buffer holds; each group's planes are filled while the group
 * before it is computed (small maps: many channels a group). */
DWB_INLINE void dwb_run(const mote_conv2d_args *a, const dwb_geom *g, const int KH, const int KW, const int S,
                        const int ACT)
{
    _Alignas(64) float buf[2][DWB_BUF];
    const int64_t OH = a->OH, OW = a->OW, nb = g->nbands, isz = S * S * g->pstride;
    const int64_t ry0 = mote_dw_row0(a), ry1 = mote_dw_row1(a);
    const int64_t per = DWB_BUF / isz, items = (a->oc1 - a->oc0) * nb;
    if (items <= 0) return;
    /* the slack past each plane's rows is read (into dropped lanes) but
     * written only partly: start it at zero */
    for (int b = 0; b < 2; b++)
        for (int64_t i = 0; i < per * S * S; i++)
            memset(buf[b] + i * g->pstride + g->rows * g->Wq, 0, DWB_SLACK * sizeof(float));
    /* fill cursor (fc, fb) and compute cursor (cc, cb): channel, band */
    int64_t fc = a->oc0, fb = 0, cc = a->oc0, cb = 0;
    for (int64_t g0 = 0, gi = 0; g0 < items; g0 += per, gi++) {
        for (int64_t it = g0 == 0 ? 0 : g0 + per; it < g0 + 2 * per && it < items; it++) {
            float *dst = it < g0 + per ? buf[gi & 1] + (it - g0) * isz : buf[(gi + 1) & 1] + (it - g0 - per) * isz;
            dwb_fill(a, g, S, fc, ry0 + fb * g->Bh, dst);
            if (++fb == nb) fb = 0, fc++;
        }
        for (int64_t it = g0; it < g0 + per && it < items; it++) {
            const int64_t c = cc, oy0 = ry0 + cb * g->Bh;
            if (++cb == nb) cb = 0, cc++;
            vf wv[MOTE_DW_MAXK * MOTE_DW_MAXK];
            const float *w = a->w + c * KH * KW;
            for (int t = 0; t < KH * KW; t++) wv[t] = v_set1(w[t]);
            const vf bv = v_set1(a->bias ? a->bias[c] : 0.0f);
            int64_t rows = ry1 - oy0 < g->Bh ? ry1 - oy0 : g->Bh;
            const float *pl = buf[gi & 1] + (it - g0) * isz;
            float *yb = a->y + (c * OH + oy0) * OW;
            if (rows == g->Bh) dwb_band(a, g, KH, KW, S, ACT, 0, pl, wv, bv, rows, yb);
            else dwb_band(a, g, KH, KW, S, ACT, 1, pl, wv, bv, rows, yb);
        }
    }
}

/* Every path's entry NAME PARAMS: one instance of the call after ARGS
 * per activation class (it names ACT: dwb_act's 0 none, 1 Relu, 2 Clip
 * inline, 3 any), and NAME choosing among them by a->act.kind, passing
 * ARGS on. */
#define DW_ACTS(NAME, PARAMS, ARGS, ...)                                                 \
    static void NAME##_none PARAMS { enum { ACT = 0 }; __VA_ARGS__; }                    \
    static void NAME##_relu PARAMS { enum { ACT = 1 }; __VA_ARGS__; }                    \
    static void NAME##_clip PARAMS { enum { ACT = 2 }; __VA_ARGS__; }                    \
    static void NAME##_any PARAMS { enum { ACT = 3 }; __VA_ARGS__; }                     \
    static void NAME PARAMS                                                              \
    {                                                                                    \
        switch (a->act.kind) {                                                           \
        case MOTE_ACT_NONE: NAME##_none ARGS; break;                                     \
        case MOTE_ACT_RELU: NAME##_relu ARGS; break;                                     \
        case MOTE_ACT_CLIP: NAME##_clip ARGS; break;                                     \
        default: NAME##_any ARGS; break;                                                 \
        }                                                                                \
    }

/* one instance per kernel size, stride and activation class */
#define DWB_ACTS(NAME, KH, KW, S) \
    DW_ACTS(NAME, (const mote_conv2d_args *a, const dwb_geom *g), (a, g), dwb_run(a, g, KH, KW, S, ACT))
DWB_ACTS(dwb_run_3x3_s1, 3, 3, 1)
DWB_ACTS(dwb_run_3x3_s2, 3, 3, 2)
DWB_ACTS(dwb_run_5x5_s1, 5, 5, 1)
DWB_ACTS(dwb_run_5x5_s2, 5, 5, 2)
DWB_ACTS(dwb_run_7x7_s1, 7, 7, 1)
DWB_ACTS(dwb_run_7x7_s2, 7, 7, 2)
DWB_ACTS(dwb_run_any_s1, (int)a->KH, (int)a->KW, 1)
DWB_ACTS(dwb_run_any_s2, (int)a->KH, (int)a->KW, 2)

/*
 * Small maps, 3x3 at stride 1 with the output the input's size (pads
 * summing to 2 each way): no planes at all. Numbering outputs p = oy W +
 * ox, tap (ky, kx) reads x at p + (ky - ph) W + (kx - pw), one masked
 * load from the channel itself; the masks (the taps inside the image,
 * the same for every channel) are made once per call. A masked tap loads
 * 0 and still adds w * 0: the same chain as the band path.
 */
/* vectors of one channel at most (8x8): on larger maps the nine mask
 * loads a vector cost more than the band path's planes (14x14: 1.3x) */
#define DWF_NV 4

typedef struct dwf_geom {
    int64_t nv;                /* vectors per channel: ceil(H W / 16) */
    int64_t off[9];            /* tap t's offset from p               */
    uint16_t m[DWF_NV][9];     /* vector v, tap t: lanes inside the image */
} dwf_geom;

static int dwf_plan(const mote_conv2d_args *a, dwf_geom *g)
{
    const int64_t H = a->H, W = a->W, HW = H * W;
    if (a->KH != 3 || a->KW != 3 || a->sh != 1 || a->sw != 1 || a->dh != 1 || a->dw != 1 ||
        a->OH != H || a->OW != W || HW < 1 || HW > DWF_NV * 16)
        return 0;
    g->nv = (HW + 15) / 16;
    for (int t = 0; t < 9; t++) g->off[t] = (t / 3 - a->ph) * W + (t % 3 - a->pw);
    memset(g->m, 0, sizeof g->m);
    for (int64_t p = 0, oy = 0, ox = 0; p < HW; p++) {
        for (int t = 0; t < 9; t++) {
            int64_t iy = oy + t / 3 - a->ph, ix = ox + t % 3 - a->pw;
            if (iy >= 0 && iy < H && ix >= 0 && ix < W) g->m[p / 16][t] |= (uint16_t)(1u << (p % 16));
        }
        if (++ox == W) ox = 0, oy++;
    }
    return 1;
}

DWB_INLINE void dwf_run(const mote_conv2d_args *a, const dwf_geom *g, const int ACT)
{
    const int64_t HW = a->H * a->W, nv = g->nv;
    const mote_act act = a->act;
    for (int64_t c = a->oc0; c < a->oc1; c++) {
        const float *xc = a->x + c * HW, *w = a->w + c * 9;
        float *yc = a->y + c * HW;
        vf wv[9];
        for (int t = 0; t < 9; t++) wv[t] = v_set1(w[t]);
        const vf bv = v_set1(a->bias ? a->bias[c] : 0.0f);
        for (int64_t v = 0; v < nv; v++) {
            vf acc = v_zero();
            /* masked lanes are never read, so the base may lie outside the channel */
            DWB_UNROLL for (int t = 0; t < 9; t++)
                acc = v_fma(wv[t], _mm512_maskz_loadu_ps(g->m[v][t], xc + 16 * v + g->off[t]), acc);
            vf out = dwb_act(v_add(acc, bv), ACT, &act);
            if (16 * v + 16 <= HW) v_store(yc + 16 * v, out);
            else v_store_n(yc + 16 * v, out, HW - 16 * v);
        }
    }
}

DW_ACTS(dwf_run_acts, (const mote_conv2d_args *a, const dwf_geom *g), (a, g), dwf_run(a, g, ACT))

/* The small-map path when it applies (1 done, 0 not). */
static int dwf_try(const mote_conv2d_args *a)
{
    dwf_geom g;
    if (a->oy1 > 0 || !dwf_plan(a, &g)) return 0;
    dwf_run_acts(a, &g);
    return 1;
}

/*
 * Small maps, channels in lanes (dwl_ below): 16 channels at a time. Each
 * position of their zero-padded input becomes one vector of the 16
 * channels' values, in a buffer filled by transposing 16 positions at a
 * time out of the channel planes (16 x 16 in registers); an output
 * position is then KH*KW fused multiply-adds of whole vectors, aligned
 * loads at any stride, pad or width, 16 positions at once as 16
 * independent chains, and every 16 output positions are transposed back
 * into the channels' rows. The planes of the other paths leave most of a
 * vector empty on such maps (7x7: 49 of 64 lanes, and a compressing store
 * per vector); here every lane is a channel. Each output is the same
 * chain as the band path's (fused multiply-adds over (ky, kx) from 0, a
 * padded tap adding w * 0, then bias, then the activation): the same bits.
 */
/* padded input positions at most: a 25 KiB buffer, within L1 */
#define DWL_POS 400

/* o[p] lane c = v[c] lane p: 2 x 2 blocks by 32-bit unpacks, 4 x 4 by
 * 64-bit unpacks, then 128-bit lanes by two rounds of lane shuffles */
DWB_INLINE void dwl_tr16(const __m512 *v, __m512 *o)
{
    __m512 a[16], b[16];
    DWL_UNROLL for (int i = 0; i < 8; i++) {
        a[2 * i] = _mm512_unpacklo_ps(v[2 * i], v[2 * i + 1]);
        a[2 * i + 1] = _mm512_unpackhi_ps(v[2 * i], v[2 * i + 1]);
    }
    DWL_UNROLL for (int i = 0; i < 4; i++)
        DWL_UNROLL for (int h = 0; h < 2; h++) {
            __m512d lo = _mm512_castps_pd(a[4 * i + h]), hi = _mm512_castps_pd(a[4 * i + h + 2]);
            b[4 * i + 2 * h] = _mm512_castpd_ps(_mm512_unpacklo_pd(lo, hi));
            b[4 * i + 2 * h + 1] = _mm512_castpd_ps(_mm512_unpackhi_pd(lo, hi));
        }
    DWL_UNROLL for (int j = 0; j < 4; j++) {
        __m512 e0 = _mm512_shuffle_f32x4(b[j], b[4 + j], 0x44), e1 = _mm512_shuffle_f32x4(b[j], b[4 + j], 0xEE);
        __m512 e2 = _mm512_shuffle_f32x4(b[8 + j], b[12 + j], 0x44);
        __m512 e3 = _mm512_shuffle_f32x4(b[8 + j], b[12 + j], 0xEE);
        o[j] = _mm512_shuffle_f32x4(e0, e2, 0x88);
        o[4 + j] = _mm512_shuffle_f32x4(e0, e2, 0xDD);
        o[8 + j] = _mm512_shuffle_f32x4(e1, e3, 0x88);
        o[12 + j] = _mm512_shuffle_f32x4(e1, e3, 0xDD);
    }
}

/* the padded input extent the outputs read: Hp rows, Wp columns */
static int dwl_plan(const mote_conv2d_args *a, int64_t *Hp, int64_t *Wp)
{
    if (a->oy1 > 0 && (a->oy0 != 0 || a->oy1 != a->OH)) return 0;
    if (a->sh != a->sw || (a->sh != 1 && a->sh != 2) || a->dh != 1 || a->dw != 1 || a->KH < 1 ||
        a->KW < 1 || a->KH > MOTE_DW_MAXK || a->KW > MOTE_DW_MAXK || a->oc1 - a->oc0 < 16 || a->OH < 1 ||
        a->OW < 1)
        return 0;
    /* where the transposes cost less than the lanes the planes leave
     * empty (AVX-512, AMD EPYC, 1 thread: 3x3 on 7x7 39 -> 27 us for 960
     * channels, 4x4 17 -> 14 for 1280; 5x5 on 7x7 54 -> 21 for 480, on 16x16
     * 57 -> 36 for 192; but 3x3 on 14x14, 384 channels, 41 -> 54) */
    if (a->KH * a->KW < 25 && a->OH * a->OW > 64) return 0;
    *Hp = (a->OH - 1) * a->sh + a->KH;
    *Wp = (a->OW - 1) * a->sw + a->KW;
    return *Hp * *Wp <= DWL_POS;
}

/* T holds Hp x Wp positions and the slack a chunk's last positions read
 * past them (DWL_CHUNK - 1 positions at stride 2, plus a row) */
#define DWL_CHUNK 8
#define DWL_SLACK (2 * DWL_CHUNK + MOTE_DW_MAXK)

DWB_INLINE void dwl_run(const mote_conv2d_args *a, int64_t Hp, int64_t Wp, const int KH, const int KW,
                        const int S, const int ACT)
{
    _Alignas(64) float T[(DWL_POS + DWL_SLACK) * 16];
    _Alignas(64) float O[DWL_POS * 16];
    const int64_t H = a->H, W = a->W, HW = H * W, OH = a->OH, OW = a->OW, OHW = OH * OW;
    const int KK = KH * KW;
    const mote_act act = a->act;
    /* positions outside the image (and the slack) stay 0; those inside
     * are written for every block of channels */
    memset(T, 0, sizeof(float) * 16 * (size_t)(Hp * Wp + DWL_SLACK));
    for (int64_t c0 = a->oc0; c0 < a->oc1; c0 += 16) {
        const int64_t nch = a->oc1 - c0 < 16 ? a->oc1 - c0 : 16;
        __m512 v[16], o[16];
        /* the block's inputs into T, 16 positions at a time */
        int64_t iy = 0, ix = 0;
        for (int64_t p0 = 0; p0 < HW; p0 += 16) {
            const int64_t n = HW - p0 < 16 ? HW - p0 : 16;
            DWL_UNROLL for (int c = 0; c < 16; c++)
                v[c] = c < nch ? v_load_n(a->x + (c0 + c) * HW + p0, n) : v_zero();
            dwl_tr16(v, o);
            for (int j = 0; j < n; j++) {
                const int64_t r = iy + a->ph, q = ix + a->pw;
                if (r < Hp && q < Wp) _mm512_store_ps(T + (r * Wp + q) * 16, o[j]);
                if (++ix == W) ix = 0, iy++;
            }
        }
        /* tap t of the 16 channels: their weight rows, transposed */
        vf wv[MOTE_DW_MAXK * MOTE_DW_MAXK + 16];
        for (int t0 = 0; t0 < KK; t0 += 16) {
            DWL_UNROLL for (int c = 0; c < 16; c++)
                v[c] = c < nch ? v_load_n(a->w + (c0 + c) * KK + t0, KK - t0) : v_zero();
            dwl_tr16(v, wv + t0);
        }
        const vf bv = a->bias ? v_load_n(a->bias + c0, nch) : v_zero();
        /* every output row, DWL_CHUNK positions at a time (past the row's
         * end: computed from T's next positions, never stored), into O */
        for (int64_t oy = 0; oy < OH; oy++) {
            const float *row = T + oy * S * Wp * 16;
            for (int64_t ox = 0; ox < OW; ox += DWL_CHUNK) {
                const float *in = row + ox * S * 16;
                vf acc[DWL_CHUNK];
                DWL_UNROLL for (int j = 0; j < DWL_CHUNK; j++) acc[j] = v_zero();
                for (int ky = 0; ky < KH; ky++)
                    for (int kx = 0; kx < KW; kx++) {
                        const vf wt = wv[ky * KW + kx];
                        const float *tp = in + (ky * Wp + kx) * 16;
                        DWL_UNROLL for (int j = 0; j < DWL_CHUNK; j++)
                            acc[j] = v_fma(wt, _mm512_load_ps(tp + j * S * 16), acc[j]);
                    }
                float *out = O + (oy * OW + ox) * 16;
                const int64_t n = OW - ox < DWL_CHUNK ? OW - ox : DWL_CHUNK;
                DWL_UNROLL for (int j = 0; j < DWL_CHUNK; j++)
                    if (j < n) _mm512_store_ps(out + j * 16, dwb_act(v_add(acc[j], bv), ACT, &act));
            }
        }
        /* O back into the channels' rows, 16 positions at a time */
        for (int64_t q0 = 0; q0 < OHW; q0 += 16) {
            const int64_t n = OHW - q0 < 16 ? OHW - q0 : 16;
            DWL_UNROLL for (int j = 0; j < 16; j++) v[j] = j < n ? _mm512_load_ps(O + (q0 + j) * 16) : v_zero();
            dwl_tr16(v, o);
            for (int c = 0; c < nch; c++) v_store_n(a->y + (c0 + c) * OHW + q0, o[c], n);
        }
    }
}

#define DWL_ACTS(NAME, KH, KW, S)                                                          \
    DW_ACTS(NAME, (const mote_conv2d_args *a, int64_t Hp, int64_t Wp), (a, Hp, Wp),        \
            dwl_run(a, Hp, Wp, KH, KW, S, ACT))
DWL_ACTS(dwl_run_3x3_s1, 3, 3, 1)
DWL_ACTS(dwl_run_3x3_s2, 3, 3, 2)
DWL_ACTS(dwl_run_5x5_s1, 5, 5, 1)
DWL_ACTS(dwl_run_5x5_s2, 5, 5, 2)
DWL_ACTS(dwl_run_any_s1, (int)a->KH, (int)a->KW, 1)
DWL_ACTS(dwl_run_any_s2, (int)a->KH, (int)a->KW, 2)

/*
 * Stride 2, 3x3, on rows of DWS_MIN_OW outputs or more: no planes and no
 * stores but the outputs. The 33 input columns under 16 outputs are
 * loaded straight from the row (two vectors and the next block's first
 * column; masked at the image's edges, a pad reading 0) and split in
 * registers into the taps: the even columns (kx = 0) and the odd ones
 * (kx = 1) by two permutes, and the even ones moved on by a column (kx =
 * 2) by one align. Two output rows share the input row between them;
 * two blocks of 16 columns make four independent chains. The band path
 * writes every input vector once more into its planes and reads it back
 * per tap. Measured on an AMD EPYC (Zen 4), 1 thread, minimum of 2000
 * calls: MobileNetV2's 112 -> 56 layer (96 channels) 202-217 -> 174-179
 * us, its 56 -> 28 layer (144) 80 -> 68; in the model (minimum of five
 * profiles) 253 -> 192 and 80 -> 71. Each output is the band path's chain
 * (fused multiply-adds over (ky, kx) from 0, a padded tap adding w * 0,
 * then bias, then the activation): the same bits.
 */
#define DWS_MIN_OW 24

/* the taps kx = 0, 1, 2 of 16 outputs of one input row, from its
 * columns c0 .. c0 + 31 (lo, hi: c0 under the first output's kx = 0)
 * and c0 + 32 (nx's first lane) */
DWB_INLINE void dws_split(__m512 lo, __m512 hi, __m512 nx, __m512 *t0, __m512 *t1, __m512 *t2)
{
    const __m512i ev = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    const __m512i od = _mm512_setr_epi32(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
    *t0 = _mm512_permutex2var_ps(lo, ev, hi);
    *t1 = _mm512_permutex2var_ps(lo, od, hi);
    *t2 = _mm512_castsi512_ps(_mm512_alignr_epi32(_mm512_castps_si512(nx), _mm512_castps_si512(*t0), 1));
}

/* Row xr's taps for two blocks of 16 outputs from input column c0 (xr
 * NULL: a row of padding, all zero). EDGE: some column lies outside [0,
 * W), and m holds the five loads' masks (dws_run). */
DWB_INLINE void dws_row(const float *xr, int64_t c0, const int EDGE, const uint16_t *m, __m512 t[2][3])
{
    if (!xr) {
        DWB_UNROLL for (int b = 0; b < 2; b++) t[b][0] = t[b][1] = t[b][2] = v_zero();
        return;
    }
    __m512 v[5];
    if (EDGE) {
        DWB_UNROLL for (int i = 0; i < 5; i++) v[i] = _mm512_maskz_loadu_ps(m[i], xr + c0 + 16 * i);
    } else {
        DWB_UNROLL for (int i = 0; i < 4; i++) v[i] = _mm512_loadu_ps(xr + c0 + 16 * i);
        v[4] = _mm512_maskz_loadu_ps(1, xr + c0 + 64);
    }
    dws_split(v[0], v[1], v[2], &t[0][0], &t[0][1], &t[0][2]);
    dws_split(v[2], v[3], v[4], &t[1][0], &t[1][1], &t[1][2]);
}

/* R (1 or 2) output rows from oy of channel c, outputs [ox, ox + 32) */
DWB_INLINE void dws_block(const mote_conv2d_args *a, const int R, const int EDGE, const int ACT, int64_t c,
                          int64_t oy, int64_t ox, const uint16_t *m, const vf *wv, vf bv)
{
    const int64_t H = a->H, W = a->W, OH = a->OH, OW = a->OW;
    const float *xc = a->x + c * H * W;
    const int64_t c0 = 2 * ox - a->pw;
    vf acc[2][2] = { { v_zero(), v_zero() }, { v_zero(), v_zero() } };
    /* input rows 2 oy - ph + k: k = 0..2 for row oy, 2..4 for oy + 1 */
    DWB_UNROLL for (int k = 0; k < 2 * R + 1; k++) {
        const int64_t iy = 2 * oy - a->ph + k;
        __m512 t[2][3];
        dws_row(iy >= 0 && iy < H ? xc + iy * W : NULL, c0, EDGE, m, t);
        DWB_UNROLL for (int o = 0; o < R; o++) {
            const int ky = k - 2 * o;
            if (ky < 0 || ky > 2) continue;
            DWB_UNROLL for (int kx = 0; kx < 3; kx++) {
                acc[o][0] = v_fma(wv[ky * 3 + kx], t[0][kx], acc[o][0]);
                acc[o][1] = v_fma(wv[ky * 3 + kx], t[1][kx], acc[o][1]);
            }
        }
    }
    const mote_act act = a->act;
    DWB_UNROLL for (int o = 0; o < R; o++)
        DWB_UNROLL for (int b = 0; b < 2; b++) {
            const int64_t x0 = ox + 16 * b;
            if (x0 >= OW) continue;
            float *y = a->y + (c * OH + oy + o) * OW + x0;
            const vf out = dwb_act(v_add(acc[o][b], bv), ACT, &act);
            if (x0 + 16 <= OW) _mm512_storeu_ps(y, out);
            else _mm512_mask_storeu_ps(y, (__mmask16)(((uint32_t)1 << (OW - x0)) - 1u), out);
        }
}

/* blocks of 32 outputs a row at most: rows of DW_ROW floats */
#define DWS_NB 64

DWB_INLINE void dws_run(const mote_conv2d_args *a, const int ACT)
{
    const int64_t OW = a->OW, W = a->W, oy0 = mote_dw_row0(a), oy1 = mote_dw_row1(a);
    const int64_t nb = (OW + 31) / 32;
    /* each block's load masks, and whether it needs them */
    uint16_t m[DWS_NB][5];
    int edge[DWS_NB];
    for (int64_t b = 0; b < nb; b++) {
        const int64_t c0 = 64 * b - a->pw;
        for (int i = 0; i < 5; i++) m[b][i] = dwb_cols(c0 + 16 * i, W);
        m[b][4] &= 1u;
        edge[b] = c0 < 0 || c0 + 65 > W;
    }
    for (int64_t c = a->oc0; c < a->oc1; c++) {
        vf wv[9];
        DWB_UNROLL for (int t = 0; t < 9; t++) wv[t] = v_set1(a->w[c * 9 + t]);
        const vf bv = v_set1(a->bias ? a->bias[c] : 0.0f);
        for (int64_t oy = oy0; oy < oy1; oy += 2) {
            const int R = oy + 1 < oy1 ? 2 : 1;
            for (int64_t b = 0; b < nb; b++) {
                if (R == 2) {
                    if (edge[b]) dws_block(a, 2, 1, ACT, c, oy, 32 * b, m[b], wv, bv);
                    else dws_block(a, 2, 0, ACT, c, oy, 32 * b, m[b], wv, bv);
                } else {
                    if (edge[b]) dws_block(a, 1, 1, ACT, c, oy, 32 * b, m[b], wv, bv);
                    else dws_block(a, 1, 0, ACT, c, oy, 32 * b, m[b], wv, bv);
                }
            }
        }
    }
}

DW_ACTS(dws_run_acts, (const mote_conv2d_args *a), (a), dws_run(a, ACT))

/* The stride-2 register path when it applies (1 done, 0 not): 3x3,
 * stride 2 both ways, rows of DWS_MIN_OW to 32 * DWS_NB outputs (narrower
 * ones would leave most of a block's lanes empty), and a left pad of 0..2
 * (a block's first column is then at most two before its row). */
static int dws_try(const mote_conv2d_args *a)
{
    if (a->KH != 3 || a->KW != 3 || a->sh != 2 || a->sw != 2 || a->dh != 1 || a->dw != 1 ||
        a->OW < DWS_MIN_OW || a->OW > 32 * DWS_NB || a->pw < 0 || a->pw > 2 || a->ph < 0)
        return 0;
    dws_run_acts(a);
    return 1;
}

/* The channels-in-lanes path when it applies (1 done, 0 not). */
static int dwl_try(const mote_conv2d_args *a)
{
    int64_t Hp, Wp;
    if (!dwl_plan(a, &Hp, &Wp)) return 0;
    const int s2 = a->sw == 2;
    if (a->KH == 3 && a->KW == 3) s2 ? dwl_run_3x3_s2(a, Hp, Wp) : dwl_run_3x3_s1(a, Hp, Wp);
    else if (a->KH == 5 && a->KW == 5) s2 ? dwl_run_5x5_s2(a, Hp, Wp) : dwl_run_5x5_s1(a, Hp, Wp);
    else s2 ? dwl_run_any_s2(a, Hp, Wp) : dwl_run_any_s1(a, Hp, Wp);
    return 1;
}

/* The band path when it applies (1 done, 0 not). */
static int dwb_try(const mote_conv2d_args *a)
{
    if (a->sh != a->sw || (a->sw != 1 && a->sw != 2) || a->KH < 1 || a->KW < 1 ||
        a->KH > MOTE_DW_MAXK || a->KW > MOTE_DW_MAXK || a->dh != 1 || a->dw != 1)
        return 0;
    dwb_geom g;
    if (!dwb_plan(a, (int)a->sw, &g)) return 0;
    const int s2 = a->sw == 2;
    if (a->KH == 3 && a->KW == 3) s2 ? dwb_run_3x3_s2(a, &g) : dwb_run_3x3_s1(a, &g);
    else if (a->KH == 5 && a->KW == 5) s2 ? dwb_run_5x5_s2(a, &g) : dwb_run_5x5_s1(a, &g);
    else if (a->KH == 7 && a->KW == 7) s2 ? dwb_run_7x7_s2(a, &g) : dwb_run_7x7_s1(a, &g);
    else s2 ? dwb_run_any_s2(a, &g) : dwb_run_any_s1(a, &g);
    return 1;
}

void mote_conv2d_dw3x3_f32_avx512(const mote_conv2d_args *a)
{
    if (!dwl_try(a) && !dws_try(a) && !dwf_try(a) && !dwb_try(a)) mote_conv2d_dw3x3_rows_f32_avx512(a);
}

void mote_conv2d_dw_f32_avx512(const mote_conv2d_args *a)
{
    if (!dwl_try(a) && !dws_try(a) && !dwf_try(a) && !dwb_try(a)) mote_conv2d_dw_rows_f32_avx512(a);
}
