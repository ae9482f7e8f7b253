/*
 * test_kernels_qint.c — the 8-bit quantized kernels of every kernel table
 * this machine can run against the reference (kernels/qint_ref.c), bit
 * for bit: convolutions of group 1 (3x3, 1x1, 5x5, strides, pads,
 * dilations, fully connected shapes with K over the awkward sizes),
 * depthwise (multiplier 1 and 2), grouped convolutions, u8 and i8 data,
 * per-channel zero points and multipliers, narrow activation ranges, each
 * of the three output forms (TFLite's fixed point, ONNX's float
 * requantization, ConvInteger's raw i32), and
 * output channels outside [oc0, oc1) left unwritten. The table's other
 * 8-bit entries (binary, average pool, lookup) are checked the same way.
 * A table is skipped (with a message) only when this CPU cannot run it.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "runtime/cpu.h"
#include "kernels.h"
#include "testutil.h"

static const char *const isas[] = {"ref", "avx2", "avx512", "neon"};
#define N_ISAS 4

static uint32_t rng = 777;
static int32_t rnd(int32_t n)
{
    rng = rng * 1664525u + 1013904223u;
    return (int32_t)((rng >> 8) % (uint32_t)n);
}

static uint8_t *bytes(int64_t n)
{
    uint8_t *p = malloc((size_t)(n > 0 ? n : 1));
    ck_assert_ptr_nonnull(p);
    for (int64_t i = 0; i < n; i++)
        p[i] = (uint8_t)rnd(256);
    return p;
}

typedef struct conv_case {
    int64_t C, H, W, OC, KH, KW, sh, sw, ph, pw, dh, dw, groups;
} conv_case;

/* Runs one convolution case on every available table. */
static void check_conv(const conv_case *cc, int xs, int ws)
{
    mote_qconv2d_args a = {0};
    a.C = cc->C; a.H = cc->H; a.W = cc->W; a.OC = cc->OC; a.KH = cc->KH; a.KW = cc->KW;
    a.sh = cc->sh; a.sw = cc->sw; a.ph = cc->ph; a.pw = cc->pw; a.dh = cc->dh; a.dw = cc->dw;
    a.groups = cc->groups;
    a.OH = (a.H + 2 * a.ph - (a.KH - 1) * a.dh - 1) / a.sh + 1;
    a.OW = (a.W + 2 * a.pw - (a.KW - 1) * a.dw - 1) / a.sw + 1;
    ck_assert(a.OH > 0 && a.OW > 0);
    int64_t cg = a.C / a.groups, nx = a.C * a.H * a.W, nw = a.OC * cg * a.KH * a.KW;
    int64_t ny = a.OC * a.OH * a.OW;
    uint8_t *x = bytes(nx), *w = bytes(nw);
    int32_t *bias = malloc(sizeof(int32_t) * (size_t)a.OC), *wz = malloc(sizeof(int32_t) * (size_t)a.OC);
    int32_t *mult = malloc(sizeof(int32_t) * (size_t)a.OC), *shift = malloc(sizeof(int32_t) * (size_t)a.OC);
    float *fs = malloc(sizeof(float) * (size_t)a.OC);
    for (int64_t o = 0; o < a.OC; o++) {
        bias[o] = rnd(20001) - 10000;
        wz[o] = ws ? (rnd(4) ? 0 : rnd(21) - 10) : rnd(256);
        int sh;
        double real = (1 + rnd(1000)) / (double)(200 + 50 * cg * a.KH * a.KW);
        mote_q_multiplier(real, &mult[o], &sh);
        shift[o] = sh;
        fs[o] = (float)real;
    }
    a.x = x; a.w = w; a.bias = rnd(5) ? bias : NULL; a.w_zp = wz; a.mult = mult; a.shift = shift;
    /* the three stores: TFLite's fixed point, ONNX's float, raw i32 */
    int form = rnd(3);
    a.fscale = form == 1 ? fs : NULL;
    a.y_i32 = form == 2;
    size_t yb = (size_t)ny * (a.y_i32 ? 4 : 1);
    a.x_signed = xs; a.w_signed = ws; a.y_signed = xs;
    a.x_zp = xs ? rnd(41) - 20 : rnd(256);
    a.y_zp = xs ? rnd(41) - 20 : rnd(256);
    a.act_min = xs ? -128 : 0;
    a.act_max = xs ? 127 : 255;
    if (rnd(3) == 0) {
        a.act_min += 10;
        a.act_max -= 30;
    }
    /* a sub-range of output channels, as a thread would get */
    a.oc0 = a.OC > 2 ? rnd((int32_t)(a.OC / 2)) : 0;
    a.oc1 = a.OC - (a.OC > 3 ? rnd(2) : 0);
    uint8_t *want = malloc(yb), *got = malloc(yb);
    memset(want, 0xA5, yb);
    a.y = want;
    mote_qconv2d_ref(&a);
    for (int t = 0; t < N_ISAS; t++) {
        mote_kernels k;
        if (!mote_cpu_isa_available(isas[t]))
            continue;
        ck_assert_int_eq(mote_cpu_kernels(isas[t], &k), MOTE_OK);
        memset(got, 0xA5, yb);
        a.y = got;
        k.qconv2d(&a);
        for (int64_t i = 0; i < (int64_t)yb; i++)
            ck_assert_msg(got[i] == want[i], "%s: form %d C %lld HxW %lldx%lld OC %lld k %lldx%lld s %lld,%lld "
                          "p %lld,%lld d %lld,%lld g %lld x%s w%s: element %lld is %d, reference %d",
                          isas[t], form, (long long)a.C, (long long)a.H, (long long)a.W, (long long)a.OC,
                          (long long)a.KH, (long long)a.KW, (long long)a.sh, (long long)a.sw,
                          (long long)a.ph, (long long)a.pw, (long long)a.dh, (long long)a.dw,
                          (long long)a.groups, xs ? "i8" : "u8", ws ? "i8" : "u8", (long long)i,
                          got[i], want[i]);
    }
    free(x); free(w); free(bias); free(wz); free(mult); free(shift); free(fs); free(want); free(got);
}

START_TEST(test_qconv2d_group1_every_table_bit_exact)
{
    static const int64_t ks[] = {1, 15, 16, 17, 31, 33, 255, 257};
    for (int s = 0; s < 4; s++) {
        int xs = s & 1, ws = s >> 1;
        /* 3x3 stride 1 and 2 with SAME-style pads, 1x1 pointwise, 5x5 dilated */
        conv_case c1 = {3, 11, 13, 8, 3, 3, 2, 2, 1, 1, 1, 1, 1};
        conv_case c2 = {17, 7, 9, 5, 1, 1, 1, 1, 0, 0, 1, 1, 1};
        conv_case c3 = {4, 12, 10, 3, 5, 5, 1, 1, 2, 2, 2, 2, 1};
        conv_case c4 = {16, 6, 6, 33, 3, 3, 1, 1, 1, 1, 1, 1, 1};
        /* pointwise on maps of 16+ pixels (the 16-pixel path), odd C */
        conv_case p1 = {17, 5, 7, 9, 1, 1, 1, 1, 0, 0, 1, 1, 1};
        conv_case p2 = {32, 4, 4, 24, 1, 1, 1, 1, 0, 0, 1, 1, 1};
        conv_case p3 = {3, 9, 11, 40, 1, 1, 1, 1, 0, 0, 1, 1, 1};
        check_conv(&p1, xs, ws);
        check_conv(&p2, xs, ws);
        check_conv(&p3, xs, ws);
        check_conv(&c1, xs, ws);
        check_conv(&c2, xs, ws);
        check_conv(&c3, xs, ws);
        check_conv(&c4, xs, ws);
        /* fully connected: K inputs, N outputs, one pixel */
        for (int i = 0; i < 8; i++) {
            conv_case fc = {ks[i], 1, 1, 1 + rnd(20), 1, 1, 1, 1, 0, 0, 1, 1, 1};
            check_conv(&fc, xs, ws);
        }
    }
}
END_TEST

START_TEST(test_qconv2d_depthwise_every_table_bit_exact)
{
    for (int s = 0; s < 4; s++) {
        int xs = s & 1, ws = s >> 1;
        for (int mult = 1; mult <= 2; mult++)
            for (int stride = 1; stride <= 2; stride++) {
                static const int64_t widths[] = {1, 7, 8, 9, 17, 33};
                for (int wi = 0; wi < 6; wi++) {
                    conv_case c = {5, 6, widths[wi] + 2, 5 * mult, 3, 3, stride, stride,
                                   rnd(2), rnd(2), 1, 1, 5};
                    check_conv(&c, xs, ws);
                }
            }
        conv_case c5 = {6, 9, 20, 6, 5, 5, 1, 1, 2, 2, 1, 1, 6};
        check_conv(&c5, xs, ws);
        conv_case cd = {4, 9, 20, 4, 3, 3, 1, 1, 2, 2, 2, 2, 4};
        check_conv(&cd, xs, ws);
        /* two channels per group: the fallback */
        conv_case cgp = {8, 5, 5, 4, 3, 3, 1, 1, 1, 1, 1, 1, 4};
        check_conv(&cgp, xs, ws);
    }
}
END_TEST

START_TEST(test_qint_elementwise_entries_every_table_bit_exact)
{
    enum { N = 1000 };
    uint8_t *a = bytes(N), *b = bytes(N), *tab = bytes(256);
    uint8_t want[N], got[N];
    for (int kind = MOTE_QBIN_ADD; kind <= MOTE_QBIN_MUL; kind++) {
        mote_qbinary_params p = {0};
        p.kind = kind;
        p.is_signed = kind == MOTE_QBIN_SUB;
        p.a_zp = 3; p.b_zp = -7; p.y_zp = 11; p.act_min = p.is_signed ? -128 : 0;
        p.act_max = p.is_signed ? 127 : 255; p.left_shift = 20;
        mote_q_multiplier(0.4, &p.a_mult, &p.a_shift);
        mote_q_multiplier(0.5, &p.b_mult, &p.b_shift);
        mote_q_multiplier(kind == MOTE_QBIN_MUL ? 0.013 : 1.3e-6, &p.y_mult, &p.y_shift);
        mote_qbinary_ref(&p, a, b, want, 0, N);
        for (int t = 0; t < N_ISAS; t++) {
            mote_kernels k;
            if (!mote_cpu_isa_available(isas[t]))
                continue;
            ck_assert_int_eq(mote_cpu_kernels(isas[t], &k), MOTE_OK);
            memset(got, 0, N);
            k.qbinary(&p, a, b, got, 0, N);
            ck_assert_int_eq(memcmp(got, want, N), 0);
            k.qlut(tab, a, got, 0, N);
            for (int i = 0; i < N; i++)
                ck_assert_int_eq(got[i], tab[a[i]]);
        }
    }
    mote_qpool2d_args pa = {0};
    pa.H = 7; pa.W = 9; pa.KH = 3; pa.KW = 3; pa.sh = 2; pa.sw = 2; pa.ph = 1; pa.pw = 1;
    pa.OH = 4; pa.OW = 5; pa.x = a; pa.y = want; pa.act_min = 0; pa.act_max = 255;
    pa.c0 = 0; pa.c1 = 3;
    mote_qavgpool2d_ref(&pa);
    for (int t = 0; t < N_ISAS; t++) {
        mote_kernels k;
        if (!mote_cpu_isa_available(isas[t]))
            continue;
        ck_assert_int_eq(mote_cpu_kernels(isas[t], &k), MOTE_OK);
        pa.y = got;
        k.qavgpool2d(&pa);
        ck_assert_int_eq(memcmp(got, want, 3 * 20), 0);
    }
    free(a);
    free(b);
    free(tab);
}
END_TEST

static Suite *qint_suite(void)
{
    Suite *s = suite_create("kernels_qint");
    TCase *tc = tcase_create("tables");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_qconv2d_group1_every_table_bit_exact);
    tcase_add_test(tc, test_qconv2d_depthwise_every_table_bit_exact);
    tcase_add_test(tc, test_qint_elementwise_entries_every_table_bit_exact);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    for (int t = 0; t < N_ISAS; t++)
        if (!mote_cpu_isa_available(isas[t]))
            fprintf(stderr, "test_kernels_qint: %s not available here, skipped\n", isas[t]);
    return mote_test_run(qint_suite());
}
