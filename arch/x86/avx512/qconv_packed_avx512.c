/*
 * qconv_packed_avx512.c — the packed-weight 8-bit convolution (group 1) of
 * the AVX-512 table: an integer GEMM Y (OC x P) = W (OC x K) . X (K x P)
 * on AVX-512 VNNI's vpdpbusd (u8 x s8, four products summed into each i32
 * lane: 64 multiply-adds per instruction).
 *
 * Operands. vpdpbusd multiplies unsigned bytes by signed bytes, so
 *   activations x' = x (u8) or x + 128 (i8), zero point xz' likewise;
 *   weights     w' = w (i8) or w - 128 (u8), zero points wz' likewise;
 * then (x - xz)(w - wz) = (x' - xz')(w' - wz') term by term, and
 *   acc = bias + sum x'w' - xz' sum w' - wz' sum x' + K xz' wz'
 * in i32 arithmetic modulo 2^32, which is the reference's (wrapping) sum
 * exactly, whatever the order. Taps outside the image are x' = xz' (they
 * add nothing, as in the reference); k past K is x' = w' = 0.
 *
 * Packed weights (qconv2d_pack, once per model): i32 sum w'[oc] for every
 * padded channel, then blocks of QP_OB channels, each [steps][QP_OB][4] s8
 * (a step: four input channels at one tap), one 32-bit broadcast per
 * channel; and, for C a multiple of 64, a copy for AMX (below).
 *
 * Activations: strides 1 and 2 read the input in place from phase planes
 * (the padded input laid out once per call as [C/4][sh][sw][rows][Wq][4],
 * see qp_direct); other strides lay out 64 output pixels at a time by an
 * im2col into [steps][64][4]. The VNNI register tile is QP_OB = 6
 * channels times up to 4 vectors of 16 pixels: 24 accumulators, 4 vector
 * loads and 6 broadcasts per 24 vpdpbusd; the sums of x' per pixel (for
 * wz' != 0) come from one more vpdpbusd per vector against bytes of 1.
 * Where the CPU and the OS allow AMX, direct convolutions with C a multiple
 * of 64 run on AMX tiles instead (qp_amx_block). The requantization
 * (TFLite's fixed point, ONNX's float scale, or the raw i32) is done on 16
 * pixels of one channel at a time (qrequant_avx512.h), the same operations
 * as qint.h's mote_qconv2d_store.
 */
#include <immintrin.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "cpuid_x86.h"
#include "x86_kernels.h"
#include "avx512/qrequant_avx512.h"

#define QP_OB 6       /* output channels per packed block */
#define QP_PB 64      /* output pixels per block          */
#define QP_TAPS 64    /* windows of up to 64 taps take the AMX path */

/* Steps of four k: the weights' k runs over (channel group of 4, ky, kx),
 * the four bytes of a step being channels 4 c4 .. 4 c4 + 3 at one tap. */
static int64_t qp_steps(const mote_qconv2d_args *a) { return (a->C + 3) / 4 * a->KH * a->KW; }
static int64_t qp_ocpad(int64_t OC) { return (OC + QP_OB - 1) / QP_OB * QP_OB; }
static size_t qp_head(int64_t OC) { return ((size_t)qp_ocpad(OC) * 4 + 63) / 64 * 64; }

/* The AMX copy of the weights (see the AMX path below) when C is a
 * multiple of 64 (C' = C; the padding formula is kept for the layout). */
static int64_t qp_amx_c(const mote_qconv2d_args *a) { return (a->C + 63) / 64 * 64; }
/* The AMX path needs C a multiple of 64. It once took any multiple of 16,
 * padded to 64, but MobileNet's C = 16, 32, 96, 144 pointwise layers
 * then ran faster on the VNNI path (which pads to 4) in mote profile;
 * C = 192 and up (multiples of 64) are faster on AMX. */
static int qp_amx_fits(const mote_qconv2d_args *a) { return a->C % 64 == 0 && a->KH * a->KW <= QP_TAPS; }
static size_t qp_amx_bytes(const mote_qconv2d_args *a)
{
    return qp_amx_fits(a) ? (size_t)((a->OC + 31) / 32 * 32) * (size_t)(qp_amx_c(a) * a->KH * a->KW) : 0;
}
static size_t qp_amx_at(int64_t OC, int64_t K)
{
    return qp_head(OC) + (size_t)qp_ocpad(OC) * (size_t)K * 4 + 64;
}

size_t mote_qconv2d_pack_bytes_avx512(const mote_qconv2d_args *a)
{
    /* K = C KH KW; the steps pad C to a multiple of 4 (at most 3 KH KW
     * more bytes a channel, bounded by 4 K) */
    const int64_t K = a->C * a->KH * a->KW;
    return qp_amx_at(a->OC, K) + qp_amx_bytes(a);
}

void mote_qconv2d_pack_avx512(const mote_qconv2d_args *a, void *wp)
{
    const int64_t OC = a->OC, KHW = a->KH * a->KW, K = a->C * KHW, S = qp_steps(a);
    int32_t *wsum = wp;
    int8_t *blk = (int8_t *)((char *)wp + qp_head(OC));
    memset(wp, 0, mote_qconv2d_pack_bytes_avx512(a));
    for (int64_t oc = 0; oc < OC; oc++) {
        const int64_t b = oc / QP_OB, o = oc % QP_OB;
        uint32_t sum = 0;
        for (int64_t c = 0; c < a->C; c++)
            for (int64_t t = 0; t < KHW; t++) {
                int64_t k = c * KHW + t, st = (c / 4) * KHW + t;
                int32_t v = a->w_signed ? ((const int8_t *)a->w)[oc * K + k]
                                        : ((const uint8_t *)a->w)[oc * K + k] - 128;
                blk[((b * S + st) * QP_OB + o) * 4 + c % 4] = (int8_t)v;
                sum += (uint32_t)v;
            }
        wsum[oc] = (int32_t)sum;
    }
    if (qp_amx_fits(a)) {
        /* AMX: w'' = w' + 128 (u8), tiles [OC/16][KHW * C'/64][16 oc][64 c];
         * the padding channels (w' = 0) are 128 */
        uint8_t *am = (uint8_t *)wp + qp_amx_at(OC, K);
        const int64_t CB = qp_amx_c(a) / 64, KT = KHW * CB;
        memset(am, 128, qp_amx_bytes(a));
        for (int64_t oc = 0; oc < OC; oc++)
            for (int64_t c = 0; c < a->C; c++)
                for (int64_t t = 0; t < KHW; t++) {
                    int32_t v = a->w_signed ? ((const int8_t *)a->w)[oc * K + c * KHW + t]
                                            : ((const uint8_t *)a->w)[oc * K + c * KHW + t] - 128;
                    am[(((oc / 16) * KT + t * CB + c / 64) * 16 + oc % 16) * 64 + c % 64] =
                        (uint8_t)(v + 128);
                }
    }
}

/* The direct path: strides 1 and 2 (any window, pads, dilation). The
 * padded input is split into sh x sw phase planes, plane (py, px) holding
 * padded pixels (i*sh + py, j*sw + px); output pixel (oy, ox) is read as
 * q = oy*Wq + ox, so that one tap (ky, kx) of a block of consecutive q is
 * one contiguous run of plane ((ky*dh) % sh, (kx*dw) % sw), shifted by
 * ((ky*dh) / sh, (kx*dw) / sw). The planes are laid out as
 * [C/4][sh][sw][rows][Wq][4] (C4 groups of 4 channels: the AMX path lays
 * out whole groups of 64): the GEMM reads them in place, no im2col.
 * Lanes with ox >= OW are computed and not stored. */
static int qp_direct(const mote_qconv2d_args *a)
{
    return (a->sh == 1 || a->sh == 2) && (a->sw == 1 || a->sw == 2);
}
static int64_t qp_wp(const mote_qconv2d_args *a) { return a->OW + (a->KW - 1) * a->dw / a->sw; }
static int64_t qp_rows(const mote_qconv2d_args *a, int64_t out_rows)
{
    return out_rows + (a->KH - 1) * a->dh / a->sh + QP_PB / qp_wp(a) + 2;
}

size_t mote_qconv2d_packed_scratch_bytes_avx512(const mote_qconv2d_args *a)
{
    const int64_t S = qp_steps(a);
    size_t common = (size_t)S * 4 + 4 * QP_PB + 64;      /* offsets, pixel sums */
    if (qp_direct(a)) {
        const int64_t Wp = qp_wp(a);
        const int64_t C4 = qp_amx_fits(a) ? qp_amx_c(a) / 4 : (a->C + 3) / 4;
        return common + 4160 + (size_t)(C4 * a->sh * a->sw) * (size_t)qp_rows(a, a->OH) *
               (size_t)Wp * 4 +
               320 + 5 * (size_t)(a->W + 32) + 64;
    }
    return common + (size_t)S * QP_PB * 4 + 4 * QP_PB;
}

/* Four rows of n bytes (n a multiple of 16) -> n lanes of 4 bytes (row j
 * in byte j), each byte xor flip (0x80 turns i8 into i8 + 128 as u8).
 * 64 pixels at a time in 512-bit registers: the byte and word unpacks work
 * inside 128-bit lanes, so a 4 x 4 transpose of those lanes puts the
 * pixels back in order. */
static inline void qp_il64(__m512i a, __m512i b, __m512i c, __m512i d, uint8_t *out)
{
    __m512i ab0 = _mm512_unpacklo_epi8(a, b), ab1 = _mm512_unpackhi_epi8(a, b);
    __m512i cd0 = _mm512_unpacklo_epi8(c, d), cd1 = _mm512_unpackhi_epi8(c, d);
    /* t_k lane L: pixels 16L + 4k .. 16L + 4k + 3 */
    __m512i t0 = _mm512_unpacklo_epi16(ab0, cd0), t1 = _mm512_unpackhi_epi16(ab0, cd0);
    __m512i t2 = _mm512_unpacklo_epi16(ab1, cd1), t3 = _mm512_unpackhi_epi16(ab1, cd1);
    /* u0 = t0.L0 t0.L1 t1.L0 t1.L1, u1 = t2.L0 t2.L1 t3.L0 t3.L1, ... */
    __m512i u0 = _mm512_shuffle_i32x4(t0, t1, 0x44), u1 = _mm512_shuffle_i32x4(t2, t3, 0x44);
    __m512i u2 = _mm512_shuffle_i32x4(t0, t1, 0xee), u3 = _mm512_shuffle_i32x4(t2, t3, 0xee);
    /* o0 = t0.L0 t1.L0 t2.L0 t3.L0 (pixels 0..15), o1 = the L1 lanes, ... */
    _mm512_storeu_si512(out, _mm512_shuffle_i32x4(u0, u1, 0x88));
    _mm512_storeu_si512(out + 64, _mm512_shuffle_i32x4(u0, u1, 0xdd));
    _mm512_storeu_si512(out + 128, _mm512_shuffle_i32x4(u2, u3, 0x88));
    _mm512_storeu_si512(out + 192, _mm512_shuffle_i32x4(u2, u3, 0xdd));
}

static inline void qp_interleave(const uint8_t *r0, const uint8_t *r1, const uint8_t *r2,
                                 const uint8_t *r3, int64_t n, uint8_t *out, __m128i flip)
{
    int64_t i = 0;
    const __m512i f = _mm512_broadcast_i32x4(flip);
    for (; i + 64 <= n; i += 64)
        qp_il64(_mm512_xor_si512(_mm512_loadu_si512(r0 + i), f),
                _mm512_xor_si512(_mm512_loadu_si512(r1 + i), f),
                _mm512_xor_si512(_mm512_loadu_si512(r2 + i), f),
                _mm512_xor_si512(_mm512_loadu_si512(r3 + i), f), out + 4 * i);
    for (; i < n; i += 16) {
        __m128i a = _mm_xor_si128(_mm_loadu_si128((const __m128i *)(r0 + i)), flip);
        __m128i b = _mm_xor_si128(_mm_loadu_si128((const __m128i *)(r1 + i)), flip);
        __m128i c = _mm_xor_si128(_mm_loadu_si128((const __m128i *)(r2 + i)), flip);
        __m128i d = _mm_xor_si128(_mm_loadu_si128((const __m128i *)(r3 + i)), flip);
        __m128i ab0 = _mm_unpacklo_epi8(a, b), ab1 = _mm_unpackhi_epi8(a, b);
        __m128i cd0 = _mm_unpacklo_epi8(c, d), cd1 = _mm_unpackhi_epi8(c, d);
        _mm_storeu_si128((__m128i *)(out + 4 * i), _mm_unpacklo_epi16(ab0, cd0));
        _mm_storeu_si128((__m128i *)(out + 4 * i + 16), _mm_unpackhi_epi16(ab0, cd0));
        _mm_storeu_si128((__m128i *)(out + 4 * i + 32), _mm_unpacklo_epi16(ab1, cd1));
        _mm_storeu_si128((__m128i *)(out + 4 * i + 48), _mm_unpackhi_epi16(ab1, cd1));
    }
}

/* The phase planes of the direct path for output rows from row0: R rows
 * of each, into xp ([C4][sh][sw][R][Wq][4]); tmp holds five rows of W + 32
 * bytes. Padding lanes are xz' for real channels and 0 for the channels
 * past C, all bytes xor xflip (0x80: the AMX path's s8 x'' = x' - 128);
 * the image's columns are interleaved straight from x, 64 at a
 * time (masked loads: nothing past a row of x is read; stride 2 takes the
 * even bytes of 128 with vpmovwb). */
static void qp_pad_input(const mote_qconv2d_args *a, int64_t C4, int64_t row0, int64_t R,
                         uint8_t *xp, uint8_t *tmp, uint8_t xflip)
{
    const int64_t Wq = qp_wp(a), W = a->W, SH = a->sh, SW = a->sw;
    const uint8_t flip = (a->x_signed ? 0x80 : 0) ^ xflip, pad = (uint8_t)(a->x_zp ^ flip);
    const __m512i f512 = _mm512_set1_epi8((char)flip);
    uint8_t *zrow = tmp + 4 * (W + 32);              /* a row of flip bytes: 0 after it */
    memset(zrow, flip, (size_t)(W + 32));
    for (int64_t c4 = 0; c4 < C4; c4++) {
        uint32_t pat = 0;                              /* the padding lane */
        for (int j = 0; j < 4; j++)
            if (4 * c4 + j < a->C) pat |= (uint32_t)pad << (8 * j);
        const __m512i vpat = _mm512_set1_epi32((int32_t)pat);
        for (int64_t py = 0; py < SH; py++)
            for (int64_t px = 0; px < SW; px++) {
                /* plane columns j read input column j*SW + px - pw: the
                 * image's are [lo, hi) */
                int64_t lo = a->pw - px > 0 ? (a->pw - px + SW - 1) / SW : 0;
                int64_t hi = (W + a->pw - px + SW - 1) / SW;
                if (lo > Wq) lo = Wq;
                if (hi > Wq) hi = Wq;
                const int64_t ix0 = lo * SW + px - a->pw;
                uint8_t *plane = xp + ((c4 * SH + py) * SW + px) * R * Wq * 4;
                for (int64_t r = 0; r < R; r++) {
                    const int64_t iy = (row0 + r) * SH + py - a->ph;
                    uint8_t *d = plane + r * Wq * 4;
                    if (iy < 0 || iy >= a->H || hi <= lo) {
                        for (int64_t i = 0; i < Wq; i += 16)
                            _mm512_storeu_si512(d + 4 * i, vpat);   /* may run into the next row */
                        continue;
                    }
                    const uint8_t *rp[4];
                    __m512i dflt[4];
                    for (int j = 0; j < 4; j++) {
                        const int real = 4 * c4 + j < a->C;
                        rp[j] = (real ? (const uint8_t *)a->x + ((4 * c4 + j) * a->H + iy) * W : zrow) + ix0;
                        dflt[j] = _mm512_set1_epi8((char)(real ? (uint8_t)a->x_zp : flip));
                    }
                    for (int64_t i = 0; i < lo; i += 16)
                        _mm512_storeu_si512(d + 4 * i, vpat);
                    /* 64 columns at a time (their lanes past hi, and past
                     * the row, are rewritten by what follows) */
                    const int64_t avail = W - ix0;       /* input bytes from ix0 */
                    for (int64_t i = 0; i < hi - lo; i += 64) {
                        __m512i v[4];
                        const int64_t s0 = i * SW, left = avail - s0;
                        const __mmask64 m0 = left >= 64 ? ~(__mmask64)0 : (((__mmask64)1 << left) - 1);
                        if (SW == 1) {
                            for (int j = 0; j < 4; j++)
                                v[j] = _mm512_mask_loadu_epi8(dflt[j], m0, rp[j] + s0);
                        } else {
                            const int64_t l1 = left - 64;
                            const __mmask64 m1 = l1 >= 64 ? ~(__mmask64)0 :
                                                 l1 <= 0 ? 0 : (((__mmask64)1 << l1) - 1);
                            for (int j = 0; j < 4; j++) {
                                __m256i e0 = _mm512_cvtepi16_epi8(_mm512_mask_loadu_epi8(dflt[j], m0, rp[j] + s0));
                                __m256i e1 = _mm512_cvtepi16_epi8(_mm512_mask_loadu_epi8(dflt[j], m1, rp[j] + s0 + 64));
                                v[j] = _mm512_inserti64x4(_mm512_castsi256_si512(e0), e1, 1);
                            }
                        }
                        qp_il64(_mm512_xor_si512(v[0], f512), _mm512_xor_si512(v[1], f512),
                                _mm512_xor_si512(v[2], f512), _mm512_xor_si512(v[3], f512),
                                d + 4 * (lo + i));
                    }
                    for (int64_t i = hi; i < Wq; i += 16)
                        _mm512_storeu_si512(d + 4 * i, vpat);
                }
            }
    }
}

/* One plain im2col row of the strided path: channel c at tap (ky, kx) for
 * the n pixels from pb, raw bytes; taps outside the image get pad. */
static void qp_row(const mote_qconv2d_args *a, int64_t c, int64_t ky, int64_t kx, int64_t pb,
                   int64_t n, uint8_t pad, uint8_t *row)
{
    const uint8_t *x = (const uint8_t *)a->x + c * a->H * a->W;
    int64_t i = 0, oy = pb / a->OW, ox = pb % a->OW;
    while (i < n) {
        int64_t cnt = a->OW - ox < n - i ? a->OW - ox : n - i;
        int64_t iy = oy * a->sh - a->ph + ky * a->dh;
        uint8_t *d = row + i;
        if (iy < 0 || iy >= a->H) {
            memset(d, pad, (size_t)cnt);
        } else {
            const uint8_t *src = x + iy * a->W;
            const int64_t ix0 = ox * a->sw - a->pw + kx * a->dw, sw = a->sw, W = a->W;
            int64_t j = 0;
            if (sw == 2) {
                /* even bytes of 64: the low bytes of 32 16-bit lanes; a
                 * masked load reads nothing past the row */
                while (j < cnt && ix0 + j * 2 < 0) {
                    d[j] = pad;
                    j++;
                }
                for (; j < cnt && ix0 + 2 * j < W; j += 32) {
                    int64_t s0 = ix0 + 2 * j, left = W - s0, m32 = cnt - j < 32 ? cnt - j : 32;
                    __mmask64 m = left >= 64 ? ~(__mmask64)0 : (((__mmask64)1 << left) - 1);
                    __m512i v = _mm512_mask_loadu_epi8(_mm512_set1_epi8((char)pad), m, src + s0);
                    _mm256_mask_storeu_epi8(d + j, (__mmask32)(m32 >= 32 ? 0xffffffffu : ((1u << m32) - 1)),
                                            _mm512_cvtepi16_epi8(v));
                }
            }
            for (; j < cnt; j++) {
                int64_t ix = ix0 + j * sw;
                d[j] = (uint64_t)ix < (uint64_t)W ? src[ix] : pad;
            }
        }
        i += cnt;
        ox = 0;
        oy++;
    }
}

/* The im2col block of the strided path: n pixels from pb into xb
 * ([S][64][4]); rows: four rows of 64 bytes. */
static void qp_im2col(const mote_qconv2d_args *a, int64_t pb, int64_t n, uint8_t *xb,
                      uint8_t *rows)
{
    const int64_t C4 = (a->C + 3) / 4, KHW = a->KH * a->KW;
    const uint8_t pad = (uint8_t)a->x_zp, zero = a->x_signed ? 0x80 : 0;   /* 0 after the flip */
    const __m128i flip = _mm_set1_epi8(a->x_signed ? (char)0x80 : 0);
    for (int64_t c4 = 0; c4 < C4; c4++)
        for (int64_t t = 0; t < KHW; t++) {
            const int64_t ky = t / a->KW, kx = t % a->KW;
            for (int j = 0; j < 4; j++) {
                uint8_t *row = rows + j * QP_PB;
                if (4 * c4 + j >= a->C) {
                    memset(row, zero, QP_PB);
                } else {
                    qp_row(a, 4 * c4 + j, ky, kx, pb, n, pad, row);
                    if (n < QP_PB) memset(row + n, zero, (size_t)(QP_PB - n));
                }
            }
            qp_interleave(rows, rows + QP_PB, rows + 2 * QP_PB, rows + 3 * QP_PB, QP_PB,
                          xb + (c4 * KHW + t) * QP_PB * 4, flip);
        }
}

/* The tile: NV vectors of 16 pixels times QP_OB channels over S steps;
 * step s reads its pixels at xb + off[s] * 4 bytes. */
static inline __attribute__((always_inline)) void
qp_tile(const int NV, const uint8_t *xb, const int32_t *off, const int32_t *wb, int64_t S,
        __m512i acc[4][QP_OB])
{
    __m512i c00 = _mm512_setzero_si512(), c01 = c00, c02 = c00, c03 = c00, c04 = c00, c05 = c00;
    __m512i c10 = c00, c11 = c00, c12 = c00, c13 = c00, c14 = c00, c15 = c00;
    __m512i c20 = c00, c21 = c00, c22 = c00, c23 = c00, c24 = c00, c25 = c00;
    __m512i c30 = c00, c31 = c00, c32 = c00, c33 = c00, c34 = c00, c35 = c00;
    for (int64_t k = 0; k < S; k++) {
        const uint8_t *xv = xb + (int64_t)off[k] * 4;
        const int32_t *w = wb + k * QP_OB;
        __m512i x0 = _mm512_loadu_si512(xv), x1 = x0, x2 = x0, x3 = x0, b;
        if (NV > 1) x1 = _mm512_loadu_si512(xv + 64);
        if (NV > 2) x2 = _mm512_loadu_si512(xv + 128);
        if (NV > 3) x3 = _mm512_loadu_si512(xv + 192);
#define QP_O(o)                                                   \
        b = _mm512_set1_epi32(w[o]);                              \
        c0##o = _mm512_dpbusd_epi32(c0##o, x0, b);                \
        if (NV > 1) c1##o = _mm512_dpbusd_epi32(c1##o, x1, b);    \
        if (NV > 2) c2##o = _mm512_dpbusd_epi32(c2##o, x2, b);    \
        if (NV > 3) c3##o = _mm512_dpbusd_epi32(c3##o, x3, b);
        QP_O(0) QP_O(1) QP_O(2) QP_O(3) QP_O(4) QP_O(5)
#undef QP_O
    }
    acc[0][0] = c00; acc[0][1] = c01; acc[0][2] = c02; acc[0][3] = c03; acc[0][4] = c04; acc[0][5] = c05;
    acc[1][0] = c10; acc[1][1] = c11; acc[1][2] = c12; acc[1][3] = c13; acc[1][4] = c14; acc[1][5] = c15;
    acc[2][0] = c20; acc[2][1] = c21; acc[2][2] = c22; acc[2][3] = c23; acc[2][4] = c24; acc[2][5] = c25;
    acc[3][0] = c30; acc[3][1] = c31; acc[3][2] = c32; acc[3][3] = c33; acc[3][4] = c34; acc[3][5] = c35;
}

/* Where a vector's lanes go: up to 4 runs, lane l of run r to output
 * pixel base[r] + l, for the lanes in mask[r]. */
typedef struct qp_segs {
    int n;
    __mmask16 mask[4];
    int64_t base[4];
} qp_segs;

/* One block: nv vectors of pixels read through off from xb, every
 * channel block in [oc0, oc1), stored through seg. */
static void qp_block(const mote_qconv2d_args *a, const int32_t *wsum, const int32_t *blk,
                     int64_t S, const uint8_t *xb, const int32_t *off, int nv, const qp_segs *seg,
                     int need_xsum, int32_t *xsum)
{
    const int64_t K = a->C * a->KH * a->KW, P = a->OH * a->OW;
    const int32_t xz = a->x_zp + (a->x_signed ? 128 : 0), wshift = a->w_signed ? 0 : 128;
    if (need_xsum) {
        const __m512i ones = _mm512_set1_epi8(1);
        for (int v = 0; v < nv; v++) {
            __m512i s = _mm512_setzero_si512();
            for (int64_t k = 0; k < S; k++)
                s = _mm512_dpbusd_epi32(s, _mm512_loadu_si512(xb + (int64_t)off[k] * 4 + 64 * v), ones);
            _mm512_storeu_si512(xsum + 16 * v, s);
        }
    }
    const int64_t b0 = a->oc0 / QP_OB, b1 = (a->oc1 + QP_OB - 1) / QP_OB;
    for (int64_t b = b0; b < b1; b++) {
        __m512i acc[4][QP_OB];
        const int32_t *wb = blk + b * S * QP_OB;
        switch (nv) {
        case 1: qp_tile(1, xb, off, wb, S, acc); break;
        case 2: qp_tile(2, xb, off, wb, S, acc); break;
        case 3: qp_tile(3, xb, off, wb, S, acc); break;
        default: qp_tile(4, xb, off, wb, S, acc); break;
        }
        for (int o = 0; o < QP_OB; o++) {
            const int64_t oc = b * QP_OB + o;
            if (oc < a->oc0 || oc >= a->oc1) continue;
            const int32_t wz = a->w_zp[oc] - wshift;
            const uint32_t c0 = (uint32_t)(a->bias ? a->bias[oc] : 0) -
                                (uint32_t)xz * (uint32_t)wsum[oc] +
                                (uint32_t)K * (uint32_t)xz * (uint32_t)wz;
            const mote_qrq16 rq = mote_qrq16_for(a, oc);
            for (int v = 0; v < nv; v++) {
                __m512i s = _mm512_add_epi32(acc[v][o], _mm512_set1_epi32((int32_t)c0));
                if (wz)
                    s = _mm512_sub_epi32(s, _mm512_mullo_epi32(_mm512_loadu_si512(xsum + 16 * v),
                                                               _mm512_set1_epi32(wz)));
                s = mote_qrq16_apply(&rq, s);
                const qp_segs *g = seg + v;
                for (int r = 0; r < g->n; r++) {
                    mote_qstore16_avx512(a, oc * P + g->base[r], g->mask[r], s);
                }
            }
        }
    }
}

/*
 * The AMX path (direct convolutions with C a multiple of 64, where the CPU
 * and the OS allow AMX): tdpbusd multiplies u8 rows of A by s8 4-byte
 * groups of B, so the roles swap: A = weights as u8 w'' = w' + 128, 16
 * channels x 64 input channels of one tap per tile; B = the phase planes
 * as s8 x'' = x' - 128, 16 rows of 4 input channels x 16 pixels, a tile
 * row per group of 4 channels (the planes' channel pitch is the stride).
 * With S'' the sum of x'' over a pixel's K taps:
 *   sum x'w' - xz' sum w' - wz' sum x' + K xz' wz'
 *     = sum x''w'' + 128 sum w' - 128 K wz' - (128 + wz') S'' - xz' sum w' + K xz' wz'
 * in i32 modulo 2^32, the reference's sum exactly. 2 x 2 tiles of 16
 * channels x 16 pixels accumulate at a time.
 */
typedef struct qp_tilecfg {
    uint8_t palette, start;
    uint8_t reserved[14];
    uint16_t colsb[16];
    uint8_t rows[16];
} qp_tilecfg;

static pthread_once_t qp_amx_once = PTHREAD_ONCE_INIT;
static int qp_amx_ok;

static void qp_amx_init(void)
{
    mote_x86_features f;
    mote_x86_cpu_detect(&f);
    /* Linux hands out the tile data state on request (ARCH_REQ_XCOMP_PERM,
     * XFEATURE_XTILEDATA) */
    qp_amx_ok = f.amx_int8 && syscall(SYS_arch_prctl, 0x1023, 18) == 0;
}

static int qp_amx(void)
{
    pthread_once(&qp_amx_once, qp_amx_init);
    return qp_amx_ok;
}

/* 8 tiles of 16 rows of 64 bytes (a constant object: GCC's
 * _tile_loadconfig tells the compiler it reads 8 bytes only, so a
 * configuration built on the stack could lose its other stores) */
static const qp_tilecfg qp_cfg __attribute__((aligned(64))) = {
    1, 0, {0}, {64, 64, 64, 64, 64, 64, 64, 64}, {16, 16, 16, 16, 16, 16, 16, 16}
};

__attribute__((target("amx-tile,amx-int8"))) static void qp_amx_config(int on)
{
    if (on)
        _tile_loadconfig(&qp_cfg);
    else
        _tile_release();
}

/* One block of nv vectors of 16 pixels (from xb), every channel tile in
 * [oc0, oc1); offtap: each tap's offset in lanes, pitch: lanes from one
 * group of 4 channels to the next; ct: 4 KiB of scratch. */
__attribute__((target("amx-tile,amx-int8"))) static void
qp_amx_block(const mote_qconv2d_args *a, const int32_t *wsum, const uint8_t *am,
             const uint8_t *xb, const int32_t *offtap, int64_t pitch, int nv, const qp_segs *seg,
             int32_t *xsum, int32_t *ct)
{
    const int64_t KHW = a->KH * a->KW, K = a->C * KHW, CB = qp_amx_c(a) / 64, KT = KHW * CB;
    const int64_t P = a->OH * a->OW;
    const int32_t xz = a->x_zp + (a->x_signed ? 128 : 0), wshift = a->w_signed ? 0 : 128;
    const __m512i ones = _mm512_set1_epi8(1);
    for (int v = 0; v < nv; v++) {
        __m512i sx = _mm512_setzero_si512();
        for (int64_t t = 0; t < KHW; t++)
            for (int64_t c4 = 0; c4 < a->C / 4; c4++)   /* (the padding channels' x'' are 0) */
                sx = _mm512_dpbusd_epi32(sx, ones, _mm512_loadu_si512(xb + (offtap[t] + c4 * pitch) * 4 + 64 * v));
        _mm512_storeu_si512(xsum + 16 * v, sx);
    }
    /* pairs of channel tiles from an even one: the packing pads OC to a
     * multiple of 32, so tile ot + 1 always exists */
    const int64_t t0 = a->oc0 / 32 * 2, t1 = (a->oc1 + 15) / 16;
    for (int64_t ot = t0; ot < t1; ot += 2) {
        for (int pv = 0; pv < nv; pv += 2) {
            _tile_zero(0);
            _tile_zero(1);
            _tile_zero(2);
            _tile_zero(3);
            for (int64_t kt = 0; kt < KT; kt++) {
                const uint8_t *b = xb + (offtap[kt / CB] + (kt % CB) * 16 * pitch) * 4 + pv * 64;
                const uint8_t *w = am + (ot * KT + kt) * 16 * 64;
                _tile_loadd(6, b, pitch * 4);
                _tile_loadd(7, b + 64, pitch * 4);
                _tile_loadd(4, w, 64);
                _tile_loadd(5, w + KT * 16 * 64, 64);
                _tile_dpbusd(0, 4, 6);
                _tile_dpbusd(1, 4, 7);
                _tile_dpbusd(2, 5, 6);
                _tile_dpbusd(3, 5, 7);
            }
            _tile_stored(0, ct, 64);
            _tile_stored(1, ct + 256, 64);
            _tile_stored(2, ct + 512, 64);
            _tile_stored(3, ct + 768, 64);
            for (int oi = 0; oi < 2; oi++)
                for (int o = 0; o < 16; o++) {
                    const int64_t oc = (ot + oi) * 16 + o;
                    if (oc < a->oc0 || oc >= a->oc1) continue;
                    const int32_t wz = a->w_zp[oc] - wshift;
                    const uint32_t c1 = (uint32_t)(a->bias ? a->bias[oc] : 0) -
                                        (uint32_t)xz * (uint32_t)wsum[oc] +
                                        (uint32_t)K * (uint32_t)xz * (uint32_t)wz +
                                        128u * (uint32_t)wsum[oc] - 128u * (uint32_t)K * (uint32_t)wz;
                    const __m512i f = _mm512_set1_epi32(128 + wz);
                    const mote_qrq16 rq = mote_qrq16_for(a, oc);
                    for (int vv = 0; vv < 2 && pv + vv < nv; vv++) {
                        const int v = pv + vv;
                        __m512i acc = _mm512_loadu_si512(ct + (oi * 2 + vv) * 256 + o * 16);
                        acc = _mm512_add_epi32(acc, _mm512_set1_epi32((int32_t)c1));
                        acc = _mm512_sub_epi32(acc, _mm512_mullo_epi32(_mm512_loadu_si512(xsum + 16 * v), f));
                        acc = mote_qrq16_apply(&rq, acc);
                        const qp_segs *g = seg + v;
                        for (int r = 0; r < g->n; r++) {
                            mote_qstore16_avx512(a, oc * P + g->base[r], g->mask[r], acc);
                        }
                    }
                }
        }
    }
}

void mote_qconv2d_packed_avx512(const mote_qconv2d_packed_args *pa)
{
    const mote_qconv2d_args *a = &pa->a;
    if (pa->p0 >= pa->p1 || a->oc0 >= a->oc1)
        return;
    const int64_t S = qp_steps(a), KHW = a->KH * a->KW, C4 = (a->C + 3) / 4;
    const int32_t *wsum = pa->wp;
    const int32_t *blk = (const int32_t *)((const char *)pa->wp + qp_head(a->OC));
    int32_t *off = pa->scratch;
    int32_t *xsum = off + (S + 15) / 16 * 16;
    uint8_t *data = (uint8_t *)(xsum + 4 * 16);
    const int32_t wshift = a->w_signed ? 0 : 128;
    int need_xsum = 0;
    for (int64_t oc = a->oc0; oc < a->oc1; oc++)
        need_xsum |= a->w_zp[oc] - wshift != 0;
    qp_segs seg[4];
    if (qp_direct(a)) {
        const int64_t Wp = qp_wp(a), OW = a->OW;
        const int64_t oy0 = pa->p0 / OW, oy1 = (pa->p1 - 1) / OW;
        const int64_t R = qp_rows(a, oy1 - oy0 + 1);
        const int64_t SH = a->sh, SW = a->sw;
        const int amx = qp_amx_fits(a) && qp_amx();
        const int64_t C4p = amx ? qp_amx_c(a) / 4 : C4;   /* channel groups laid out */
        uint8_t *tmp = data + (size_t)(C4p * SH * SW * R * Wp) * 4 + 320;
        int32_t *ct = (int32_t *)(tmp + 5 * (a->W + 32) + 64 - ((uintptr_t)(tmp + 5 * (a->W + 32)) % 64));
        qp_pad_input(a, C4p, oy0, R, data, tmp, amx ? 0x80 : 0);
        int32_t offtap[QP_TAPS];
        if (amx && KHW <= QP_TAPS) {
            for (int64_t ky = 0, t = 0; ky < a->KH; ky++)
                for (int64_t kx = 0; kx < a->KW; kx++, t++) {
                    const int64_t ty = ky * a->dh, tx = kx * a->dw;
                    offtap[t] = (int32_t)((((ty % SH) * SW + tx % SW) * R + ty / SH) * Wp + tx / SW);
                }
        }
        for (int64_t c4 = 0, k = 0; c4 < C4; c4++)
            for (int64_t ky = 0; ky < a->KH; ky++)
                for (int64_t kx = 0; kx < a->KW; kx++, k++) {
                    const int64_t ty = ky * a->dh, tx = kx * a->dw;
                    off[k] = (int32_t)((((c4 * SH + ty % SH) * SW + tx % SW) * R + ty / SH) * Wp + tx / SW);
                }
        /* q relative to row oy0: from the first pixel to past the last */
        const int64_t q0 = pa->p0 % OW, q1 = (oy1 - oy0) * Wp + (pa->p1 - 1) % OW + 1;
        for (int64_t qb = q0; qb < q1; qb += QP_PB) {
            const int64_t n = q1 - qb < QP_PB ? q1 - qb : QP_PB;
            const int nv = (int)((n + 15) / 16);
            for (int v = 0; v < nv; v++) {
                qp_segs *g = &seg[v];
                g->n = 0;
                int64_t l = 0, lend = n - 16 * v < 16 ? n - 16 * v : 16;
                while (l < lend) {
                    int64_t q = qb + 16 * v + l, r = q / Wp, ox = q % Wp;
                    if (ox >= OW) {            /* the padding columns */
                        l += Wp - ox;
                        continue;
                    }
                    int64_t cnt = OW - ox < lend - l ? OW - ox : lend - l;
                    g->mask[g->n] = (__mmask16)(((1u << cnt) - 1) << l);
                    g->base[g->n] = (oy0 + r) * OW + ox - l;
                    g->n++;
                    l += cnt;
                }
            }
            if (amx && KHW <= QP_TAPS) {
                qp_amx_config(1);
                qp_amx_block(a, wsum, (const uint8_t *)pa->wp + qp_amx_at(a->OC, a->C * KHW),
                             data + qb * 4, offtap, SH * SW * R * Wp, nv, seg, xsum, ct);
                qp_amx_config(0);
            } else {
                qp_block(a, wsum, blk, S, data + qb * 4, off, nv, seg, need_xsum, xsum);
            }
        }
        return;
    }
    uint8_t *xb = data, *rows = data + (size_t)S * QP_PB * 4;
    for (int64_t k = 0; k < S; k++)
        off[k] = (int32_t)(k * QP_PB);
    (void)KHW;
    for (int64_t pb = pa->p0; pb < pa->p1; pb += QP_PB) {
        const int64_t n = pa->p1 - pb < QP_PB ? pa->p1 - pb : QP_PB;
        const int nv = (int)((n + 15) / 16);
        qp_im2col(a, pb, n, xb, rows);
        for (int v = 0; v < nv; v++) {
            int64_t left = n - 16 * v;
            seg[v].n = 1;
            seg[v].mask[0] = left >= 16 ? 0xffff : (__mmask16)((1u << left) - 1);
            seg[v].base[0] = pb + 16 * v;
        }
        qp_block(a, wsum, blk, S, xb, off, nv, seg, need_xsum, xsum);
    }
}
