/*
 * qint_tmpl.h — the 8-bit quantized convolution (kernels/qint.h's
 * mote_qconv2d_ref) with 256-bit integer vectors, included by
 * avx2/qint_avx2.c (vpmaddwd + vpaddd) and avx512/qint_avx512.c (AVX-512
 * VNNI's vpdpwssd, the same sums in one instruction). The includer defines
 * QINT_FN (the function's name) and, for VNNI, QINT_VNNI; with a faster
 * depthwise kernel QINT_DW_FAST (0: not this shape), the scratch it needs
 * QINT_DW_SCRATCH, and the name of the table's qconv2d_scratch_bytes
 * QINT_SCRATCH_FN.
 *
 * Integer sums do not depend on their order, so these kernels give the
 * reference's bits exactly; the requantization is the reference's own
 * mote_qconv2d_store. Three paths:
 *   group 1 (convolutions, fully connected): for each output pixel the
 *     input patch minus its zero point is gathered once into i16 (zeros
 *     where the window leaves the image); each output channel's weights
 *     minus their zero point are widened 16 at a time and multiplied in
 *     pairs into i32 lanes;
 *   pointwise (1x1, stride 1, no padding, group 1): 16 pixels at a time,
 *     their inputs laid out as i16 channel pairs, a broadcast weight pair
 *     per two channels;
 *   depthwise (one input channel per group): 8 output pixels of a row at a
 *     time, each tap a broadcast weight times 8 inputs widened to i32.
 * Anything else (grouped convolutions with several channels per group, or
 * patches over QINT_MAXK values) runs the reference.
 */
#include <immintrin.h>
#include <stdint.h>
#include "qint.h"

#define QINT_MAXK 8192

static inline __m256i qint_dot(__m256i acc, __m256i a, __m256i b)
{
#ifdef QINT_VNNI
    return _mm256_dpwssd_epi32(acc, a, b);
#else
    return _mm256_add_epi32(acc, _mm256_madd_epi16(a, b));
#endif
}

static inline int32_t qint_hsum(__m256i v)
{
    __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0x4e));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0xb1));
    return _mm_cvtsi128_si32(s);
}

static inline int32_t qint_ld(const void *p, int is_signed, int64_t i)
{
    return is_signed ? ((const int8_t *)p)[i] : ((const uint8_t *)p)[i];
}

/* 16 weights widened to i16, minus zp */
static inline __m256i qint_w16(const void *w, int is_signed, int64_t i, __m256i zp)
{
    __m128i b = _mm_loadu_si128((const __m128i *)((const uint8_t *)w + i));
    __m256i v = is_signed ? _mm256_cvtepi8_epi16(b) : _mm256_cvtepu8_epi16(b);
    return _mm256_sub_epi16(v, zp);
}

static void qint_conv_g1(const mote_qconv2d_args *a, int64_t K)
{
    int16_t patch[QINT_MAXK + 16] __attribute__((aligned(32)));
    int64_t K16 = K / 16 * 16;
    for (int64_t oy = 0; oy < a->OH; oy++)
        for (int64_t ox = 0; ox < a->OW; ox++) {
            int64_t k = 0;
            for (int64_t c = 0; c < a->C; c++)
                for (int64_t ky = 0; ky < a->KH; ky++) {
                    int64_t iy = oy * a->sh - a->ph + ky * a->dh;
                    for (int64_t kx = 0; kx < a->KW; kx++, k++) {
                        int64_t ix = ox * a->sw - a->pw + kx * a->dw;
                        patch[k] = (iy < 0 || iy >= a->H || ix < 0 || ix >= a->W) ? 0 :
                            (int16_t)(qint_ld(a->x, a->x_signed, (c * a->H + iy) * a->W + ix) - a->x_zp);
                    }
                }
            for (int64_t oc = a->oc0; oc < a->oc1; oc++) {
                const int64_t row = oc * K;
                __m256i zp = _mm256_set1_epi16((int16_t)a->w_zp[oc]);
                __m256i acc = _mm256_setzero_si256();
                int64_t i = 0;
                for (; i < K16; i += 16)
                    acc = qint_dot(acc, qint_w16(a->w, a->w_signed, row + i, zp),
                                   _mm256_load_si256((const __m256i *)(patch + i)));
                uint32_t s = (uint32_t)qint_hsum(acc) + (uint32_t)(a->bias ? a->bias[oc] : 0);
                for (; i < K; i++)
                    s += (uint32_t)((qint_ld(a->w, a->w_signed, row + i) - a->w_zp[oc]) * patch[i]);
                mote_qconv2d_store(a, oc, (oc * a->OH + oy) * a->OW + ox, (int32_t)s);
            }
        }
}

/* 8 i32 lanes already clamped to the byte type's range, stored as 8 bytes
 * (the saturating packs change nothing in range) */
static inline void qint_store_bytes8(uint8_t *dst, int is_signed, __m256i v)
{
    __m128i w = _mm_packs_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
    w = is_signed ? _mm_packs_epi16(w, w) : _mm_packus_epi16(w, w);
    _mm_storel_epi64((__m128i *)dst, w);
}

/* mote_q_mul(x, m, shift) on 8 lanes, -31 <= shift <= 31, m != INT32_MIN
 * (the one saturating case of the doubling high multiply: the caller
 * checks). The rounded doubling high multiply is floor((x m + 2^30) /
 * 2^31) for either sign of the product: the reference's nudge of 2^30 or
 * 1 - 2^30 and division toward zero give exactly that. The 64-bit
 * products of the even and odd lanes are shifted right by 31; their low
 * 32 bits are the result whichever way the shift fills. Then the
 * rounding right shift, ties away from zero, as mote_q_rshift. */
static inline __m256i qint_mul8(__m256i x, int32_t m, int shift)
{
    const int left = shift > 0 ? shift : 0, right = shift > 0 ? 0 : -shift;
    x = _mm256_sll_epi32(x, _mm_cvtsi32_si128(left));
    const __m256i mv = _mm256_set1_epi64x(m), half = _mm256_set1_epi64x((int64_t)1 << 30);
    __m256i pe = _mm256_add_epi64(_mm256_mul_epi32(x, mv), half);
    __m256i po = _mm256_add_epi64(_mm256_mul_epi32(_mm256_srli_epi64(x, 32), mv), half);
    x = _mm256_blend_epi32(_mm256_srli_epi64(pe, 31), _mm256_slli_epi64(_mm256_srli_epi64(po, 31), 32), 0xAA);
    const int32_t mask = (int32_t)(((int64_t)1 << right) - 1);
    __m256i rem = _mm256_and_si256(x, _mm256_set1_epi32(mask));
    __m256i thr = _mm256_add_epi32(_mm256_set1_epi32(mask >> 1), _mm256_srli_epi32(x, 31));
    x = _mm256_sra_epi32(x, _mm_cvtsi32_si128(right));
    return _mm256_sub_epi32(x, _mm256_cmpgt_epi32(rem, thr));
}

static inline int qint_mul_ok(int32_t m, int shift)
{
    return m != INT32_MIN && shift >= -31 && shift <= 31;
}

/* Stores 8 accumulators as output elements i..i+7 (n of them) of channel
 * oc. ONNX's float requantization is vectorized (the same IEEE operations
 * as mote_qconv2d_store: f32 conversion, one product, round to nearest
 * even, zero point, clamp); the other forms go through the shared store. */
static inline void qint_store8(const mote_qconv2d_args *a, int64_t oc, int64_t i, int64_t n, __m256i acc)
{
    if (a->fscale && !a->y_i32 && n == 8) {
        __m256 f = _mm256_mul_ps(_mm256_cvtepi32_ps(acc), _mm256_set1_ps(a->fscale[oc]));
        f = _mm256_round_ps(f, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
        f = _mm256_add_ps(f, _mm256_set1_ps((float)a->y_zp));
        f = _mm256_max_ps(f, _mm256_set1_ps((float)a->act_min));
        f = _mm256_min_ps(f, _mm256_set1_ps((float)a->act_max));
        __m256i v = _mm256_cvtps_epi32(f);
        qint_store_bytes8((uint8_t *)a->y + i, a->y_signed, v);
        return;
    }
    if (!a->fscale && !a->y_i32 && n == 8 && qint_mul_ok(a->mult[oc], a->shift[oc]) &&
        a->act_min >= (a->y_signed ? -128 : 0) && a->act_max <= (a->y_signed ? 127 : 255)) {
        /* the fixed-point form: mote_q_mul, zero point, clamp (qint_mul8) */
        __m256i v = _mm256_add_epi32(qint_mul8(acc, a->mult[oc], a->shift[oc]), _mm256_set1_epi32(a->y_zp));
        v = _mm256_min_epi32(_mm256_max_epi32(v, _mm256_set1_epi32(a->act_min)), _mm256_set1_epi32(a->act_max));
        qint_store_bytes8((uint8_t *)a->y + i, a->y_signed, v);
        return;
    }
    int32_t s[8] __attribute__((aligned(32)));
    _mm256_store_si256((__m256i *)s, acc);
    for (int64_t l = 0; l < n; l++)
        mote_qconv2d_store(a, oc, i + l, s[l]);
}

#ifdef QINT_BIN_FN
/* 8 bytes of p from element e, widened to i32 */
static inline __m256i qint_ld8x8(const void *p, int is_signed, int64_t e)
{
    __m128i r = _mm_loadl_epi64((const __m128i *)((const uint8_t *)p + e));
    return is_signed ? _mm256_cvtepi8_epi32(r) : _mm256_cvtepu8_epi32(r);
}

/* kernels/qint.h's mote_qbinary_ref, 8 elements at a time: the same
 * integer operations lane by lane, so the same bytes. Parameters outside
 * what the lanes model (a saturating multiplier, shifts past 31, a clamp
 * range wider than the dtype, where the reference's byte store wraps)
 * run the reference. */
void QINT_BIN_FN(const mote_qbinary_params *p, const void *a, const void *b, void *y, int64_t e0,
                 int64_t e1)
{
    const int lo = p->is_signed ? -128 : 0, hi = p->is_signed ? 127 : 255;
    int ok = p->act_min >= lo && p->act_max <= hi && p->act_min <= p->act_max &&
             qint_mul_ok(p->y_mult, p->y_shift) &&
             (p->kind == MOTE_QBIN_MUL || (qint_mul_ok(p->a_mult, p->a_shift) &&
                                           qint_mul_ok(p->b_mult, p->b_shift) &&
                                           p->left_shift >= 0 && p->left_shift <= 23));
    int64_t e = e0;
    if (ok) {
        const __m256i az = _mm256_set1_epi32(p->a_zp), bz = _mm256_set1_epi32(p->b_zp);
        const __m256i yz = _mm256_set1_epi32(p->y_zp), vmin = _mm256_set1_epi32(p->act_min);
        const __m256i vmax = _mm256_set1_epi32(p->act_max);
        const __m128i ls = _mm_cvtsi32_si128(p->left_shift);
        for (; e + 8 <= e1; e += 8) {
            __m256i av = _mm256_sub_epi32(qint_ld8x8(a, p->is_signed, e), az);
            __m256i bv = _mm256_sub_epi32(qint_ld8x8(b, p->is_signed, e), bz);
            __m256i sv;
            if (p->kind == MOTE_QBIN_MUL) {
                sv = _mm256_mullo_epi32(av, bv);
            } else {
                av = qint_mul8(_mm256_sll_epi32(av, ls), p->a_mult, p->a_shift);
                bv = qint_mul8(_mm256_sll_epi32(bv, ls), p->b_mult, p->b_shift);
                sv = p->kind == MOTE_QBIN_SUB ? _mm256_sub_epi32(av, bv) : _mm256_add_epi32(av, bv);
            }
            __m256i v = _mm256_add_epi32(qint_mul8(sv, p->y_mult, p->y_shift), yz);
            v = _mm256_min_epi32(_mm256_max_epi32(v, vmin), vmax);
            qint_store_bytes8((uint8_t *)y + e, p->is_signed, v);
        }
    }
    if (e < e1)
        mote_qbinary_ref(p, a, b, y, e, e1);
}
#endif

#define QINT_MAXC1 1024

/* 1x1, stride 1, no padding, group 1 (pointwise): 16 pixels at a time.
 * The pixels' inputs minus their zero point are laid out once per block as
 * i16 channel pairs (x_c[p], x_c+1[p]) so that one vpmaddwd / vpdpwssd
 * with a broadcast weight pair (w_c, w_c+1) adds two channels to 8
 * pixels' sums. */
static void qint_conv_1x1(const mote_qconv2d_args *a)
{
    int16_t xp[(QINT_MAXC1 / 2) * 32] __attribute__((aligned(32)));
    const int64_t P = a->H * a->W, C = a->C, CP = (C + 1) / 2;
    for (int64_t p0 = 0; p0 < P; p0 += 16) {
        int64_t n = P - p0 < 16 ? P - p0 : 16;
        for (int64_t cp = 0; cp < CP; cp++)
            for (int64_t l = 0; l < 16; l++) {
                int64_t c = 2 * cp;
                int16_t *d = xp + cp * 32 + (l / 8) * 16 + (l % 8) * 2;
                d[0] = l < n ? (int16_t)(qint_ld(a->x, a->x_signed, c * P + p0 + l) - a->x_zp) : 0;
                d[1] = l < n && c + 1 < C ?
                       (int16_t)(qint_ld(a->x, a->x_signed, (c + 1) * P + p0 + l) - a->x_zp) : 0;
            }
        for (int64_t oc = a->oc0; oc < a->oc1; oc++) {
            const int64_t row = oc * C;
            const int32_t wz = a->w_zp[oc];
            __m256i acc0 = _mm256_set1_epi32(a->bias ? a->bias[oc] : 0), acc1 = acc0;
            for (int64_t cp = 0; cp < CP; cp++) {
                int32_t w0 = qint_ld(a->w, a->w_signed, row + 2 * cp) - wz;
                int32_t w1 = 2 * cp + 1 < C ? qint_ld(a->w, a->w_signed, row + 2 * cp + 1) - wz : 0;
                __m256i wp = _mm256_set1_epi32((int32_t)(((uint32_t)w0 & 0xffffu) | ((uint32_t)w1 << 16)));
                acc0 = qint_dot(acc0, _mm256_load_si256((const __m256i *)(xp + cp * 32)), wp);
                acc1 = qint_dot(acc1, _mm256_load_si256((const __m256i *)(xp + cp * 32 + 16)), wp);
            }
            qint_store8(a, oc, oc * P + p0, n < 8 ? n : 8, acc0);
            if (n > 8)
                qint_store8(a, oc, oc * P + p0 + 8, n - 8, acc1);
        }
    }
}

static void qint_conv_dw(const mote_qconv2d_args *a)
{
    int64_t ocg = a->OC / a->groups;
    for (int64_t oc = a->oc0; oc < a->oc1; oc++) {
        int64_t ic = oc / ocg;
        const int32_t wz = a->w_zp[oc], b = a->bias ? a->bias[oc] : 0;
        for (int64_t oy = 0; oy < a->OH; oy++)
            for (int64_t ox0 = 0; ox0 < a->OW; ox0 += 8) {
                __m256i acc = _mm256_set1_epi32(b);
                int64_t n = a->OW - ox0 < 8 ? a->OW - ox0 : 8;
                for (int64_t ky = 0; ky < a->KH; ky++) {
                    int64_t iy = oy * a->sh - a->ph + ky * a->dh;
                    if (iy < 0 || iy >= a->H)
                        continue;
                    const int64_t base = (ic * a->H + iy) * a->W;
                    for (int64_t kx = 0; kx < a->KW; kx++) {
                        int32_t wv = qint_ld(a->w, a->w_signed, (oc * a->KH + ky) * a->KW + kx) - wz;
                        int64_t ix0 = ox0 * a->sw - a->pw + kx * a->dw;
                        int64_t ixl = ix0 + (n - 1) * a->sw;
                        __m256i xv;
                        if (a->sw == 1 && n == 8 && ix0 >= 0 && ixl < a->W) {
                            __m128i r = _mm_loadl_epi64((const __m128i *)((const uint8_t *)a->x + base + ix0));
                            xv = a->x_signed ? _mm256_cvtepi8_epi32(r) : _mm256_cvtepu8_epi32(r);
                            xv = _mm256_sub_epi32(xv, _mm256_set1_epi32(a->x_zp));
                        } else {
                            int32_t t[8] __attribute__((aligned(32))) = {0};
                            for (int64_t l = 0; l < n; l++) {
                                int64_t ix = ix0 + l * a->sw;
                                if (ix >= 0 && ix < a->W)
                                    t[l] = qint_ld(a->x, a->x_signed, base + ix) - a->x_zp;
                            }
                            xv = _mm256_load_si256((const __m256i *)t);
                        }
                        acc = _mm256_add_epi32(acc, _mm256_mullo_epi32(xv, _mm256_set1_epi32(wv)));
                    }
                }
                qint_store8(a, oc, (oc * a->OH + oy) * a->OW + ox0, n, acc);
            }
    }
}

enum { QINT_1X1, QINT_G1, QINT_DW, QINT_REF };

static int qint_path(const mote_qconv2d_args *a)
{
    int64_t cg = a->C / a->groups, K = cg * a->KH * a->KW;
    if (a->groups == 1 && a->KH == 1 && a->KW == 1 && a->sh == 1 && a->sw == 1 && a->ph == 0 &&
        a->pw == 0 && a->C <= QINT_MAXC1 && a->H * a->W >= 16)
        return QINT_1X1;
    if (a->groups == 1 && K <= QINT_MAXK)
        return QINT_G1;
    return cg == 1 ? QINT_DW : QINT_REF;
}

void QINT_FN(const mote_qconv2d_args *a)
{
    switch (qint_path(a)) {
    case QINT_1X1: qint_conv_1x1(a); break;
    case QINT_G1: qint_conv_g1(a, a->C / a->groups * a->KH * a->KW); break;
    case QINT_DW:
#ifdef QINT_DW_FAST
        if (QINT_DW_FAST(a))
            break;
#endif
        qint_conv_dw(a);
        break;
    default: mote_qconv2d_ref(a); break;
    }
}

#ifdef QINT_DW_FAST
/* the scratch of the depthwise fast path, the only one that has any */
size_t QINT_SCRATCH_FN(const mote_qconv2d_args *a)
{
    return qint_path(a) == QINT_DW ? QINT_DW_SCRATCH(a) : 0;
}
#endif
