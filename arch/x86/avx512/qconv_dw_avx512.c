/*
 * qconv_dw_avx512.c — the 8-bit depthwise convolution (one input channel
 * per group) of the AVX-512 table, 16 output pixels of a row per vector.
 *
 * Each input channel is laid out once per call as a padded i16 plane of
 * x - x_zp (0 in the padding, so taps outside the image add nothing and
 * need no bounds tests), in the caller's scratch: dw_space below sizes it
 * and mote_qconv2d_dw_scratch_bytes_avx512 reports it, so that nothing is
 * allocated while a session runs. vpdpwssd multiplies the two i16 halves of each
 * 32-bit lane by a pair of weights and adds both products to the i32 sum,
 * so each instruction does two horizontally adjacent taps of 16 pixels:
 *   stride 2: a 64-byte load of the plane at 2*ox0 + kx holds the pairs
 *             (x[2ox + kx], x[2ox + kx + 1]) as they are;
 *   stride 1: a pair plane Q[j] = (x[j], x[j+1]) is made row by row:
 *             32 bytes of the image row widened to i16 at once, and each
 *             pair picked out of them with one vpermw (with a plane of
 *             i16 first and the pairs made from it, a layer of 144
 *             channels at 56x56 took 1.17x as long).
 * A window of odd width pairs its last tap with a zero weight.
 * Stride 1 (dw_flat below) lays the padded plane out flat, one row after
 * another with no slack, and computes 16 consecutive flat positions per
 * vector: position f = oy*Wp + ox reads its taps at f + ky*dh*Wp + kx, so
 * the few lanes with ox >= OW (the right padding columns) are wasted
 * instead of the tail of every row (a 7-wide row used 7 of 16 lanes; in
 * the flat layout 7 of every 9). The valid lanes of a vector are
 * consecutive outputs of the NCHW plane, compressed to the front and
 * stored together. Products
 * of two values in [-255, 255] and their sums are exact in i32, and the
 * i32 sums wrap as the reference's, so the bits are the reference's; the
 * requantization is qrequant_avx512.h's. Dilated columns, windows over
 * DW_MAXK, or a call without its scratch return 0 (the caller runs its
 * general kernel).
 */
#include <immintrin.h>
#include <stdint.h>
#include <string.h>
#include "x86_kernels.h"
#include "avx512/qrequant_avx512.h"

#define DW_MAXK 16   /* window widths and heights handled here */

/* Which path a call takes and the scratch it lays its planes out in: a
 * padded i16 plane xp, a plane Q of i32 words (pairs of i16), and one
 * mask of valid lanes per output vector, each part whole cache lines. */
enum { DW_NONE, DW_FLAT, DW_FLAT2, DW_ROWS };
/* the lanes of one vector of flat positions: those that are outputs,
 * the n of them, and the first n lanes (where they go once compressed) */
typedef struct dw_lane {
    __mmask16 keep, store;
    int32_t n;
} dw_lane;
typedef struct dw_space {
    int path;
    int64_t nvec;              /* DW_FLAT, DW_FLAT2: output vectors          */
    int64_t nq;                /* words of Q (DW_FLAT2: of each of 2 planes) */
    int64_t nx;                /* i16 values of xp (DW_FLAT, DW_ROWS)        */
    size_t xp, q, valid;       /* bytes of each part                         */
} dw_space;

static size_t lines(size_t bytes) { return (bytes + 63) / 64 * 64; }

static dw_space dw_plan(const mote_qconv2d_args *a)
{
    dw_space d = {0};
    const int64_t OH = a->OH, OW = a->OW, KH = a->KH, dh = a->dh, npair = (a->KW + 1) / 2;
    if (a->dw != 1 || (a->sw != 1 && a->sw != 2) || a->KW > DW_MAXK || KH > DW_MAXK ||
        a->C != a->groups || OH < 1 || OW < 1)
        return d;
    if (a->sw == 1 && a->sh == 1) {
        /* Q is read up to the last vector's end plus the lowest row's
         * and the last pair's offsets; xp holds 2 lane masks per 16
         * columns of a row (dw_flat) */
        const int64_t Wp = OW + a->KW - 1;
        d.path = DW_FLAT;
        d.nvec = (OH * Wp + 15) / 16;
        d.nq = (d.nvec * 16 + (KH - 1) * dh * Wp + 2 * npair + 15) / 16 * 16;
        d.nx = 4 * ((Wp + 15) / 16);
    } else if (a->sw == 2 && a->sh == 2) {
        const int64_t Wq = OW + npair - 1;
        d.path = DW_FLAT2;
        d.nvec = (OH * Wq + 15) / 16;
        d.nq = (d.nvec * 16 + ((KH - 1) * dh / 2) * Wq + npair + 15) / 16 * 16;
    } else {
        /* a row at a time: xp with room for 2*ox0 + 2*p reads at stride
         * 2, Q (stride 1 only) for ox0 + 2*p */
        const int64_t OW16 = (OW + 15) / 16 * 16;
        const int64_t Hp = (OH - 1) * a->sh + (KH - 1) * dh + 1;
        const int64_t Wx = (2 * OW16 > a->W + a->pw ? 2 * OW16 : a->W + a->pw) + a->KW + 48;
        d.path = DW_ROWS;
        d.nx = Hp * Wx;
        d.nq = a->sw == 1 ? Hp * (OW16 + a->KW + 16) : 0;
    }
    d.xp = lines((size_t)d.nx * 2);
    d.q = lines((size_t)d.nq * 4 * (d.path == DW_FLAT2 ? 2 : 1));
    d.valid = lines((size_t)d.nvec * sizeof(dw_lane));
    return d;
}

size_t mote_qconv2d_dw_scratch_bytes_avx512(const mote_qconv2d_args *a)
{
    const dw_space d = dw_plan(a);
    return d.path == DW_NONE ? 0 : d.xp + d.q + d.valid;
}

/* weight pairs (w[ky][kx] - w_zp, w[ky][kx+1] - w_zp) of output channel oc */
static void dw_pairs(const mote_qconv2d_args *a, int64_t oc, int32_t pair[DW_MAXK][DW_MAXK / 2])
{
    const int64_t npair = (a->KW + 1) / 2;
    for (int64_t ky = 0; ky < a->KH; ky++)
        for (int64_t p = 0; p < npair; p++) {
            const int64_t i = (oc * a->KH + ky) * a->KW + 2 * p;
            int32_t w0 = (a->w_signed ? ((const int8_t *)a->w)[i] : ((const uint8_t *)a->w)[i]) - a->w_zp[oc];
            int32_t w1 = 2 * p + 1 < a->KW ?
                (a->w_signed ? ((const int8_t *)a->w)[i + 1] : ((const uint8_t *)a->w)[i + 1]) - a->w_zp[oc] : 0;
            pair[ky][p] = (int32_t)(((uint32_t)w0 & 0xffffu) | ((uint32_t)w1 << 16));
        }
}

/* requantizes acc (mode: rq's, a constant where inlined), keeps the
 * lanes of valid (outputs of the NCHW plane, consecutive from out) and
 * stores them; the next output's index */
static inline __attribute__((always_inline)) int64_t dw_put_mode(const mote_qconv2d_args *a, const mote_qrq16 *rq,
                                                                 const int mode, __m512i acc, const dw_lane *l,
                                                                 int64_t out)
{
    const __m512i y = _mm512_maskz_compress_epi32(l->keep, mote_qrq16_apply_mode(rq, acc, mode));
    mote_qstore16_avx512(a, out, l->store, y);
    return out + l->n;
}

static inline __attribute__((always_inline)) int64_t dw_put(const mote_qconv2d_args *a, const mote_qrq16 *rq,
                                                            __m512i acc, const dw_lane *l, int64_t out)
{
    return dw_put_mode(a, rq, rq->mode, acc, l, out);
}

/* The lanes of each of nvec vectors over flat positions f < nf of rows
 * Wrow wide, the first OW of each row being outputs: lane l of vector v
 * is position f = 16 v + l, column f % Wrow (counted along, not divided:
 * an idiv a lane cost 10% of the call). Made once per call, so that the
 * loops over each channel's vectors count no lanes. */
static void dw_lanes_of(dw_lane *lane, int64_t nvec, int64_t nf, int64_t Wrow, int64_t OW)
{
    for (int64_t v = 0, f = 0, col = 0; v < nvec; v++) {
        unsigned m = 0;
        for (int64_t l = 0; l < 16; l++, f++) {
            if (f < nf && col < OW) m |= 1u << l;
            if (++col == Wrow) col = 0;
        }
        const int n = __builtin_popcount(m);
        lane[v].keep = (__mmask16)m;
        lane[v].store = (__mmask16)((1u << n) - 1);
        lane[v].n = n;
    }
}

/* A 3x3 window's sums for nvec vectors of 16 flat positions, of the
 * rows at Q + 16 v, + o1 and + o2, each row's second pair po further,
 * from bias; requantized (mode: rq's, a constant where inlined) and
 * stored from output out; the next output's index. The six weight pairs
 * stay in registers and the taps are straight-line code (a loop over ky
 * and p with a broadcast per tap: 1.4x the time of the layer). */
static inline __attribute__((always_inline)) int64_t
dw_rows3_mode(const mote_qconv2d_args *a, const mote_qrq16 *rq, const int mode, const int32_t *Q,
              int64_t o1, int64_t o2, int64_t po, const __m512i w[6], __m512i bias,
              const dw_lane *lane, int64_t nvec, int64_t out)
{
    for (int64_t v = 0; v < nvec; v++) {
        const int32_t *q = Q + v * 16;
        __m512i acc = _mm512_dpwssd_epi32(bias, _mm512_loadu_si512(q), w[0]);
        acc = _mm512_dpwssd_epi32(acc, _mm512_loadu_si512(q + po), w[1]);
        acc = _mm512_dpwssd_epi32(acc, _mm512_loadu_si512(q + o1), w[2]);
        acc = _mm512_dpwssd_epi32(acc, _mm512_loadu_si512(q + o1 + po), w[3]);
        acc = _mm512_dpwssd_epi32(acc, _mm512_loadu_si512(q + o2), w[4]);
        acc = _mm512_dpwssd_epi32(acc, _mm512_loadu_si512(q + o2 + po), w[5]);
        out = dw_put_mode(a, rq, mode, acc, &lane[v], out);
    }
    return out;
}

/* dw_rows3_mode made once per requantization (the mode's tests out of the
 * loop: 144 channels at 56x56 ... ) */
static inline __attribute__((always_inline)) int64_t dw_rows3(const mote_qconv2d_args *a, const mote_qrq16 *rq, const int32_t *Q, int64_t o1,
                        int64_t o2, int64_t po, const __m512i w[6], __m512i bias, const dw_lane *lane,
                        int64_t nvec, int64_t out)
{
    switch (rq->mode) {
    case 0: return dw_rows3_mode(a, rq, 0, Q, o1, o2, po, w, bias, lane, nvec, out);
    case 1: return dw_rows3_mode(a, rq, 1, Q, o1, o2, po, w, bias, lane, nvec, out);
    default: return dw_rows3_mode(a, rq, 2, Q, o1, o2, po, w, bias, lane, nvec, out);
    }
}

/* a 3x3 window's six weight pairs, (ky, p) in order, one vector each */
static inline __attribute__((always_inline)) void dw_pairs3(const int32_t pair[DW_MAXK][DW_MAXK / 2],
                                                            __m512i w[6])
{
    w[0] = _mm512_set1_epi32(pair[0][0]);
    w[1] = _mm512_set1_epi32(pair[0][1]);
    w[2] = _mm512_set1_epi32(pair[1][0]);
    w[3] = _mm512_set1_epi32(pair[1][1]);
    w[4] = _mm512_set1_epi32(pair[2][0]);
    w[5] = _mm512_set1_epi32(pair[2][1]);
}

/* lanes [first, end) of n (n <= 32) */
static uint32_t dw_lanes(int64_t first, int64_t end, int64_t n)
{
    first = first < 0 ? 0 : first;
    end = end > n ? n : end;
    return end <= first ? 0 : (uint32_t)(((1ull << end) - 1) & ~((1ull << first) - 1));
}

/* stride 1 on the flat padded plane (the header comment) */
static int dw_flat(const mote_qconv2d_args *args, const dw_space *sp)
{
    /* a copy whose address stays here: the byte stores through a->y may
     * alias any memory, and would make every requantization reload the
     * caller's fields and rebuild its constants */
    const mote_qconv2d_args copy = *args, *a = &copy;
    const int64_t OH = a->OH, OW = a->OW, KH = a->KH, npair = (a->KW + 1) / 2;
    const int64_t Wp = OW + a->KW - 1, Hp = OH + (KH - 1) * a->dh;
    const int64_t nf = OH * Wp, nvec = sp->nvec, nq = sp->nq, nch = (Wp + 15) / 16;
    int32_t *Q = (int32_t *)((char *)a->scratch + sp->xp);
    dw_lane *lane = (dw_lane *)((char *)Q + sp->q);
    /* per 16 columns j0.. of a row: the 32 bytes from image column
     * j0 - pw that are in the image, and the pairs inside the row */
    __mmask32 *m_in = a->scratch;
    __mmask16 *m_row = (__mmask16 *)(m_in + nch);
    for (int64_t c = 0; c < nch; c++) {
        m_in[c] = dw_lanes(a->pw - 16 * c, a->W + a->pw - 16 * c, 32);
        m_row[c] = (__mmask16)dw_lanes(0, Wp - 16 * c, 16);
    }
    /* past the last row: read only by lanes that are not outputs */
    memset(Q + Hp * Wp, 0, (size_t)(nq - Hp * Wp) * 4);
    /* i16 element 2l of a pair vector is value l of the row, 2l + 1 value
     * l + 1 */
    const __m512i pick = _mm512_set_epi16(16, 15, 15, 14, 14, 13, 13, 12, 12, 11, 11, 10, 10, 9, 9, 8,
                                          8, 7, 7, 6, 6, 5, 5, 4, 4, 3, 3, 2, 2, 1, 1, 0);
    dw_lanes_of(lane, nvec, nf, Wp, OW);
    const __m512i zp = _mm512_set1_epi16((int16_t)a->x_zp);
    const int64_t ocg = a->OC / a->groups;
    int64_t have = -1;
    for (int64_t oc = a->oc0; oc < a->oc1; oc++) {
        const int64_t ic = oc / ocg;
        if (ic != have) {
            for (int64_t r = 0; r < Hp; r++) {
                const int64_t iy = r - a->ph;
                int32_t *d = Q + r * Wp;
                if (iy < 0 || iy >= a->H) {
                    for (int64_t c = 0; c < nch; c++)
                        _mm512_mask_storeu_epi32(d + 16 * c, m_row[c], _mm512_setzero_si512());
                    continue;
                }
                /* column j of the row is byte j - pw of the image row (an
                 * address formed as an integer: it may lie before the row,
                 * in lanes the masks leave out); outside the image the
                 * values are 0, as x - x_zp is in the padding */
                const uintptr_t src = (uintptr_t)((const uint8_t *)a->x + (ic * a->H + iy) * a->W) -
                                      (uintptr_t)a->pw;
                for (int64_t c = 0; c < nch; c++) {
                    const __m256i b = _mm256_maskz_loadu_epi8(m_in[c], (const void *)(src + (uintptr_t)(16 * c)));
                    const __m512i v = a->x_signed ? _mm512_cvtepi8_epi16(b) : _mm512_cvtepu8_epi16(b);
                    const __m512i q = _mm512_permutexvar_epi16(pick, _mm512_maskz_sub_epi16(m_in[c], v, zp));
                    _mm512_mask_storeu_epi32(d + 16 * c, m_row[c], q);
                }
            }
            have = ic;
        }
        int32_t pair[DW_MAXK][DW_MAXK / 2];
        dw_pairs(a, oc, pair);
        const __m512i bias = _mm512_set1_epi32(a->bias ? a->bias[oc] : 0);
        const mote_qrq16 rq = mote_qrq16_for(a, oc);
        int64_t out = oc * OH * OW;
        if (KH == 3 && npair == 2) {
            /* 3x3: rows dh Wp apart, pairs 2 apart */
            __m512i w[6];
            dw_pairs3(pair, w);
            dw_rows3(a, &rq, Q, a->dh * Wp, 2 * a->dh * Wp, 2, w, bias, lane, nvec, out);
            continue;
        }
        for (int64_t v = 0; v < nvec; v++) {
            const int32_t *q = Q + v * 16;
            __m512i acc = bias;
            for (int64_t ky = 0; ky < KH; ky++) {
                const int32_t *qr = q + ky * a->dh * Wp;
                for (int64_t p = 0; p < npair; p++)
                    acc = _mm512_dpwssd_epi32(acc, _mm512_loadu_si512(qr + 2 * p),
                                              _mm512_set1_epi32(pair[ky][p]));
            }
            out = dw_put(a, &rq, acc, &lane[v], out);
        }
    }
    return 1;
}

/* stride 2 on two flat planes, the padded plane's even and its odd rows
 * (the header comment) */
static int dw_flat2(const mote_qconv2d_args *args, const dw_space *sp)
{
    /* a copy whose address stays here: the byte stores through a->y may
     * alias any memory, and would make every requantization reload the
     * caller's fields and rebuild its constants */
    const mote_qconv2d_args copy = *args, *a = &copy;
    const int64_t OH = a->OH, OW = a->OW, KH = a->KH, dh = a->dh, npair = (a->KW + 1) / 2;
    const int64_t Wq = OW + npair - 1, Hp = (OH - 1) * 2 + (KH - 1) * dh + 1;
    const int64_t nf = OH * Wq, nvec = sp->nvec, nq = sp->nq;
    int32_t *Q = (int32_t *)((char *)a->scratch + sp->xp);
    dw_lane *lane = (dw_lane *)((char *)Q + sp->q);
    memset(Q, 0, (size_t)nq * 2 * 4);
    dw_lanes_of(lane, nvec, nf, Wq, OW);
    /* padded row r is row r/2 of phase r%2, as 2*Wq i16 values: its
     * 32-bit words are the column pairs (x[2c], x[2c+1]); the image's
     * columns past the last one read are left out */
    const int64_t ncol = a->W < 2 * Wq - a->pw ? a->W : 2 * Wq - a->pw;
    const __m512i zp = _mm512_set1_epi16((int16_t)a->x_zp);
    const int64_t ocg = a->OC / a->groups;
    int64_t have = -1;
    for (int64_t oc = a->oc0; oc < a->oc1; oc++) {
        const int64_t ic = oc / ocg;
        if (ic != have) {
            for (int64_t r = 0; r < Hp; r++) {
                const int64_t iy = r - a->ph;
                if (iy < 0 || iy >= a->H) continue;
                const uint8_t *src = (const uint8_t *)a->x + (ic * a->H + iy) * a->W;
                const int64_t at = (r / 2) * Wq;
                if (at + Wq > nq) break;
                int16_t *d = (int16_t *)(Q + (r % 2) * nq + at) + a->pw;
                /* 32 columns at a time (16 at a time: 1.2x as long) */
                for (int64_t ix = 0; ix < ncol; ix += 32) {
                    const __mmask32 m = (__mmask32)dw_lanes(0, ncol - ix, 32);
                    __m256i b = _mm256_maskz_loadu_epi8(m, src + ix);
                    __m512i v = a->x_signed ? _mm512_cvtepi8_epi16(b) : _mm512_cvtepu8_epi16(b);
                    _mm512_mask_storeu_epi16(d + ix, m, _mm512_sub_epi16(v, zp));
                }
            }
            have = ic;
        }
        int32_t pair[DW_MAXK][DW_MAXK / 2];
        dw_pairs(a, oc, pair);
        const __m512i bias = _mm512_set1_epi32(a->bias ? a->bias[oc] : 0);
        const mote_qrq16 rq = mote_qrq16_for(a, oc);
        int64_t out = oc * OH * OW;
        if (KH == 3 && npair == 2 && dh == 1) {
            /* 3x3: row 1 in the odd plane, row 2 the even plane's next
             * row; pairs 1 apart */
            __m512i w[6];
            dw_pairs3(pair, w);
            dw_rows3(a, &rq, Q, nq, Wq, 1, w, bias, lane, nvec, out);
            continue;
        }
        for (int64_t v = 0; v < nvec; v++) {
            __m512i acc = bias;
            for (int64_t ky = 0; ky < KH; ky++) {
                const int32_t *qr = Q + ((ky * dh) % 2) * nq + v * 16 + ((ky * dh) / 2) * Wq;
                for (int64_t p = 0; p < npair; p++)
                    acc = _mm512_dpwssd_epi32(acc, _mm512_loadu_si512(qr + p),
                                              _mm512_set1_epi32(pair[ky][p]));
            }
            out = dw_put(a, &rq, acc, &lane[v], out);
        }
    }
    return 1;
}

int mote_qconv2d_dw_avx512(const mote_qconv2d_args *a)
{
    if (a->oc0 >= a->oc1)
        return 1;
    const dw_space sp = dw_plan(a);
    if (sp.path == DW_NONE || !a->scratch)
        return 0;
    if (sp.path == DW_FLAT)
        return dw_flat(a, &sp);
    if (sp.path == DW_FLAT2)
        return dw_flat2(a, &sp);
    const int64_t sw = a->sw;
    const int64_t OW16 = (a->OW + 15) / 16 * 16, ocg = a->OC / a->groups;
    const int64_t Hp = (a->OH - 1) * a->sh + (a->KH - 1) * a->dh + 1;
    const int64_t Wx = sp.nx / Hp, WQ = OW16 + a->KW + 16;
    int16_t *xp = a->scratch;
    int32_t *Q = (int32_t *)((char *)a->scratch + sp.xp);
    int64_t have = -1;
    for (int64_t oc = a->oc0; oc < a->oc1; oc++) {
        const int64_t ic = oc / ocg;
        if (ic != have) {
            /* the padded plane of channel ic */
            memset(xp, 0, (size_t)(Hp * Wx) * 2);
            const __m256i zp = _mm256_set1_epi16((int16_t)a->x_zp);
            for (int64_t r = 0; r < Hp; r++) {
                const int64_t iy = r - a->ph;
                if (iy < 0 || iy >= a->H) continue;
                const uint8_t *src = (const uint8_t *)a->x + (ic * a->H + iy) * a->W;
                int16_t *d = xp + r * Wx + a->pw;
                for (int64_t ix = 0; ix < a->W; ix += 16) {
                    const int64_t left = a->W - ix;
                    const __mmask16 m = left >= 16 ? 0xffff : (__mmask16)((1u << left) - 1);
                    __m128i b = _mm_maskz_loadu_epi8(m, src + ix);
                    __m256i v = a->x_signed ? _mm256_cvtepi8_epi16(b) : _mm256_cvtepu8_epi16(b);
                    _mm256_mask_storeu_epi16(d + ix, m, _mm256_sub_epi16(v, zp));
                }
            }
            if (sw == 1)
                for (int64_t r = 0; r < Hp; r++)
                    for (int64_t j = 0; j < WQ - 16; j += 16) {
                        const int16_t *s = xp + r * Wx + j;
                        __m512i lo = _mm512_cvtepu16_epi32(_mm256_loadu_si256((const __m256i *)s));
                        __m512i hi = _mm512_cvtepu16_epi32(_mm256_loadu_si256((const __m256i *)(s + 1)));
                        _mm512_storeu_si512(Q + r * WQ + j, _mm512_or_si512(lo, _mm512_slli_epi32(hi, 16)));
                    }
            have = ic;
        }
        int32_t pair[DW_MAXK][DW_MAXK / 2];
        const int64_t npair = (a->KW + 1) / 2;
        dw_pairs(a, oc, pair);
        const __m512i bias = _mm512_set1_epi32(a->bias ? a->bias[oc] : 0);
        for (int64_t oy = 0; oy < a->OH; oy++)
            for (int64_t ox0 = 0; ox0 < a->OW; ox0 += 16) {
                __m512i acc = bias;
                for (int64_t ky = 0; ky < a->KH; ky++) {
                    const int64_t r = oy * a->sh + ky * a->dh;
                    for (int64_t p = 0; p < npair; p++) {
                        __m512i v = sw == 1 ? _mm512_loadu_si512(Q + r * WQ + ox0 + 2 * p)
                                            : _mm512_loadu_si512(xp + r * Wx + 2 * ox0 + 2 * p);
                        acc = _mm512_dpwssd_epi32(acc, v, _mm512_set1_epi32(pair[ky][p]));
                    }
                }
                const int64_t left = a->OW - ox0;
                const __mmask16 m = left >= 16 ? 0xffff : (__mmask16)((1u << left) - 1);
                mote_qstore16_avx512(a, (oc * a->OH + oy) * a->OW + ox0, m,
                                     mote_qrequant16_avx512(a, oc, acc));
            }
    }
    return 1;
}
