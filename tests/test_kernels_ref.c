/*
 * test_kernels_ref.c — the reference kernels on small cases worked out by
 * hand. These pin down the specification that every fast table is then
 * compared against; no session, no graph.
 */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "ref.h"

#define EPS 1e-5f
#define ck_close(a, b) ck_assert_msg(fabsf((float)(a) - (float)(b)) <= EPS * (1.0f + fabsf((float)(b))), \
                                     "%s = %.8g, expected %.8g", #a, (double)(a), (double)(b))

static const mote_act no_act = {MOTE_ACT_NONE, 0, 0};

/* ------------------------------------------------------------------ table */

/* The optional fast paths (kernel_list.h): NULL in the reference. */
static int optional_entry(const char *name)
{
    static const char *const opt[] = {
        "gemm_nr", "gemm_pack_b_bytes", "gemm_pack_b", "gemm_scratch_bytes", "gemm_packed_f32",
        "gemm_mr", "gemm_pack_a_bytes", "gemm_pack_a", "gemm_packed_a_scratch_bytes",
        "gemm_packed_a_f32", "matmul_qpacked", "qconv2d_pack_bytes", "qconv2d_pack",
        "qconv2d_packed_scratch_bytes", "qconv2d_packed",
    };
    for (size_t i = 0; i < sizeof opt / sizeof opt[0]; i++)
        if (!strcmp(opt[i], name)) return 1;
    return 0;
}

START_TEST(test_ref_table_fills_every_entry_but_the_optional_ones)
{
    const mote_kernels *k = &mote_kernels_ref;
    ck_assert_str_eq(k->name, "ref");
    int n = 0;
#define ENTRY(table, name, ret, params)                                             \
    ck_assert_msg((k->table.name != NULL) != optional_entry(#name), "%s.%s: %s", #table, #name, \
                  optional_entry(#name) ? "optional, must be NULL" : "missing");   \
    n++;
#define ENTRY_ARRAY(table, name, count, ret, params)                                \
    for (int i = 0; i < (count); i++)                                               \
        ck_assert_msg(k->table.name[i] != NULL, "%s.%s[%d] missing", #table, #name, i); \
    n++;
    MOTE_KERNEL_LIST(ENTRY, ENTRY_ARRAY)
#undef ENTRY
#undef ENTRY_ARRAY
    ck_assert_int_gt(n, 30);
}
END_TEST

/* ------------------------------------------------------------ elementwise */

static float un(mote_unary_op op, float x, float alpha, float beta)
{
    float y;
    mote_kernels_ref.general.unary_f32[op](1, &x, &y, alpha, beta);
    return y;
}

START_TEST(test_unary_ref_known_values)
{
    ck_close(un(MOTE_UN_RELU, -1.5f, 0, 0), 0.0f);
    ck_close(un(MOTE_UN_RELU, 2.5f, 0, 0), 2.5f);
    ck_close(un(MOTE_UN_LEAKY_RELU, -2.0f, 0.1f, 0), -0.2f);
    ck_close(un(MOTE_UN_LEAKY_RELU, 3.0f, 0.1f, 0), 3.0f);
    ck_close(un(MOTE_UN_SIGMOID, 0.0f, 0, 0), 0.5f);
    ck_close(un(MOTE_UN_SIGMOID, logf(3.0f), 0, 0), 0.75f);   /* 1/(1+1/3) */
    ck_close(un(MOTE_UN_TANH, 0.0f, 0, 0), 0.0f);
    ck_close(un(MOTE_UN_TANH, logf(2.0f), 0, 0), 0.6f);       /* (4-1)/(4+1) */
    ck_close(un(MOTE_UN_GELU, 0.0f, 0, 0), 0.0f);
    ck_close(un(MOTE_UN_GELU, 1.0f, 0, 0), 0.8413447461f);    /* Phi(1) */
    ck_close(un(MOTE_UN_GELU, -1.0f, 0, 0), -0.1586552539f);  /* -(1 - Phi(1)) */
    ck_close(un(MOTE_UN_GELU_TANH, 1.0f, 0, 0), 0.8411919906f);
    ck_close(un(MOTE_UN_EXP, 1.0f, 0, 0), 2.7182818285f);
    ck_close(un(MOTE_UN_SQRT, 6.25f, 0, 0), 2.5f);
    ck_close(un(MOTE_UN_CLIP, 7.0f, -1.0f, 6.0f), 6.0f);
    ck_close(un(MOTE_UN_CLIP, -7.0f, -1.0f, 6.0f), -1.0f);
    ck_close(un(MOTE_UN_CLIP, 0.5f, -1.0f, 6.0f), 0.5f);
    ck_close(un(MOTE_UN_HARD_SIGMOID, 1.0f, 0.2f, 0.5f), 0.7f);
    ck_close(un(MOTE_UN_HARD_SIGMOID, 5.0f, 0.2f, 0.5f), 1.0f);
    ck_close(un(MOTE_UN_HARD_SIGMOID, -5.0f, 0.2f, 0.5f), 0.0f);
    ck_close(un(MOTE_UN_HARD_SWISH, 3.0f, 0, 0), 3.0f);
    ck_close(un(MOTE_UN_HARD_SWISH, -3.0f, 0, 0), 0.0f);
    ck_close(un(MOTE_UN_HARD_SWISH, 1.0f, 0, 0), 2.0f / 3.0f);
    ck_close(un(MOTE_UN_NEG, 2.0f, 0, 0), -2.0f);
    ck_close(un(MOTE_UN_ABS, -2.0f, 0, 0), 2.0f);
    ck_close(un(MOTE_UN_RECIPROCAL, 4.0f, 0, 0), 0.25f);
    ck_close(un(MOTE_UN_LOG, 2.7182818285f, 0, 0), 1.0f);
    ck_close(un(MOTE_UN_ERF, 0.0f, 0, 0), 0.0f);
    ck_close(un(MOTE_UN_ERF, 1.0f, 0, 0), 0.8427007929f);
    ck_close(un(MOTE_UN_SILU, logf(3.0f), 0, 0), 0.75f * logf(3.0f));
}
END_TEST

START_TEST(test_binary_ref_broadcasts_a_scalar_with_stride_zero)
{
    float a[3] = {1, 2, 3}, b[3] = {4, 5, 6}, s = 2, y[3];
    mote_add_f32_ref(3, a, 1, b, 1, y);
    ck_close(y[0], 5); ck_close(y[2], 9);
    mote_sub_f32_ref(3, a, 1, &s, 0, y);
    ck_close(y[0], -1); ck_close(y[1], 0); ck_close(y[2], 1);
    mote_mul_f32_ref(3, &s, 0, b, 1, y);
    ck_close(y[0], 8); ck_close(y[2], 12);
    mote_div_f32_ref(3, b, 1, &s, 0, y);
    ck_close(y[0], 2); ck_close(y[1], 2.5f);
    mote_max_f32_ref(3, a, 1, &s, 0, y);
    ck_close(y[0], 2); ck_close(y[2], 3);
    mote_min_f32_ref(3, a, 1, &s, 0, y);
    ck_close(y[0], 1); ck_close(y[2], 2);
    mote_pow_f32_ref(3, a, 1, &s, 0, y);
    ck_close(y[1], 4); ck_close(y[2], 9);
}
END_TEST

START_TEST(test_act_apply_ref_each_kind)
{
    mote_act a = {MOTE_ACT_RELU, 0, 0};
    ck_close(mote_act_apply_ref(-1, a), 0);
    a.kind = MOTE_ACT_LEAKY_RELU; a.alpha = 0.5f;
    ck_close(mote_act_apply_ref(-4, a), -2);
    a.kind = MOTE_ACT_CLIP; a.alpha = 0; a.beta = 6;
    ck_close(mote_act_apply_ref(8, a), 6);
    ck_close(mote_act_apply_ref(-8, a), 0);
    a.kind = MOTE_ACT_SIGMOID;
    ck_close(mote_act_apply_ref(0, a), 0.5f);
    a.kind = MOTE_ACT_TANH;
    ck_close(mote_act_apply_ref(logf(2.0f), a), 0.6f);
    a.kind = MOTE_ACT_HARD_SIGMOID; a.alpha = 0.2f; a.beta = 0.5f;
    ck_close(mote_act_apply_ref(1, a), 0.7f);
    a.kind = MOTE_ACT_HARD_SWISH;
    ck_close(mote_act_apply_ref(1, a), 2.0f / 3.0f);
    a.kind = MOTE_ACT_GELU;
    ck_close(mote_act_apply_ref(1, a), 0.8413447461f);
    a.kind = MOTE_ACT_NONE;
    ck_close(mote_act_apply_ref(-3, a), -3);

    float x[3] = {-1, 0.5f, 2};
    mote_act relu = {MOTE_ACT_RELU, 0, 0};
    mote_act_f32_ref(3, x, relu);
    ck_close(x[0], 0); ck_close(x[1], 0.5f); ck_close(x[2], 2);
}
END_TEST

/* ------------------------------------------------------------------ GEMM */

/* A = [[1,2,3],[4,5,6]], B = [[7,8],[9,10],[11,12]]: AB = [[58,64],[139,154]] */
static const float GA[6] = {1, 2, 3, 4, 5, 6};
static const float GB[6] = {7, 8, 9, 10, 11, 12};
static const float GAt[6] = {1, 4, 2, 5, 3, 6};    /* A^T, 3 x 2 */
static const float GBt[6] = {7, 9, 11, 8, 10, 12}; /* B^T, 2 x 3 */

START_TEST(test_gemm_ref_2x3_times_3x2)
{
    float C[4];
    mote_gemm_args g = {.M = 2, .N = 2, .K = 3, .A = GA, .lda = 3, .B = GB, .ldb = 2,
                        .C = C, .ldc = 2, .alpha = 1, .beta = 0, .act = no_act};
    C[0] = C[1] = C[2] = C[3] = NAN;  /* beta = 0: C is not read */
    mote_gemm_f32_ref(&g);
    ck_close(C[0], 58); ck_close(C[1], 64); ck_close(C[2], 139); ck_close(C[3], 154);
}
END_TEST

START_TEST(test_gemm_ref_transposes_give_the_same_product)
{
    for (int ta = 0; ta < 2; ta++)
        for (int tb = 0; tb < 2; tb++) {
            float C[4];
            mote_gemm_args g = {.M = 2, .N = 2, .K = 3,
                                .A = ta ? GAt : GA, .lda = ta ? 2 : 3, .trans_a = ta,
                                .B = tb ? GBt : GB, .ldb = tb ? 3 : 2, .trans_b = tb,
                                .C = C, .ldc = 2, .alpha = 1, .beta = 0, .act = no_act};
            mote_gemm_f32_ref(&g);
            ck_close(C[0], 58); ck_close(C[1], 64); ck_close(C[2], 139); ck_close(C[3], 154);
        }
}
END_TEST

START_TEST(test_gemm_ref_alpha_beta_bias_act_and_ldc)
{
    /* C has ldc 3 (a padding column that must stay untouched). */
    float C[6] = {1, 1, -99, 2, 2, -99};
    float bias_col[2] = {10, 20}, bias_row[2] = {-1000, 0};
    mote_gemm_args g = {.M = 2, .N = 2, .K = 3, .A = GA, .lda = 3, .B = GB, .ldb = 2,
                        .C = C, .ldc = 3, .alpha = 0.5f, .beta = 2, .bias = bias_col,
                        .act = no_act};
    mote_gemm_f32_ref(&g);
    /* 0.5*AB + 2*C + bias[n] */
    ck_close(C[0], 29 + 2 + 10); ck_close(C[1], 32 + 2 + 20);
    ck_close(C[3], 69.5f + 4 + 10); ck_close(C[4], 77 + 4 + 20);
    ck_close(C[2], -99); ck_close(C[5], -99);

    float D[4];
    mote_gemm_args h = {.M = 2, .N = 2, .K = 3, .A = GA, .lda = 3, .B = GB, .ldb = 2,
                        .C = D, .ldc = 2, .alpha = 1, .beta = 0, .bias = bias_row,
                        .bias_per_row = 1, .act = {MOTE_ACT_RELU, 0, 0}};
    mote_gemm_f32_ref(&h);
    ck_close(D[0], 0); ck_close(D[1], 0);         /* 58-1000, 64-1000 -> relu 0 */
    ck_close(D[2], 139); ck_close(D[3], 154);
}
END_TEST

START_TEST(test_matvec_ref_rows_of_a_range)
{
    /* W (3, 4); rows [1, 3) only */
    const float W[12] = {9, 9, 9, 9, 1, 2, 3, 4, 0, -1, 0, 1};
    const float x[4] = {-1, 0.5f, 2, 0.25f};
    float y[3] = {7, 7, 7};
    mote_matvec_f32_ref(4, W, 1, 3, x, y);
    ck_close(y[0], -1 + 1 + 6 + 1);
    ck_close(y[1], -0.5f + 0.25f);
    ck_assert(y[2] == 7);
    mote_matvec_f32_ref(0, W, 0, 1, x, y);   /* K = 0: an empty sum */
    ck_close(y[0], 0);
}
END_TEST

/* ----------------------------------------------------------- convolution */

/* x = 1..9 as one 3x3 channel */
static const float X9[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9};

static mote_conv2d_args conv_args(int64_t C, int64_t H, int64_t W, int64_t OC,
                                  int64_t K, int64_t s, int64_t p, int64_t d, int64_t groups)
{
    mote_conv2d_args a = {.C = C, .H = H, .W = W, .OC = OC, .KH = K, .KW = K,
                          .sh = s, .sw = s, .ph = p, .pw = p, .dh = d, .dw = d,
                          .groups = groups, .act = no_act, .oc0 = 0, .oc1 = OC};
    a.OH = (H + 2 * p - d * (K - 1) - 1) / s + 1;
    a.OW = (W + 2 * p - d * (K - 1) - 1) / s + 1;
    return a;
}

START_TEST(test_conv2d_ref_2x2_ones_no_pad)
{
    float w[4] = {1, 1, 1, 1}, y[4];
    mote_conv2d_args a = conv_args(1, 3, 3, 1, 2, 1, 0, 1, 1);
    a.x = X9; a.w = w; a.y = y;
    ck_assert_int_eq(a.OH, 2);
    mote_conv2d_f32_ref(&a);
    ck_close(y[0], 1 + 2 + 4 + 5); ck_close(y[1], 2 + 3 + 5 + 6);
    ck_close(y[2], 4 + 5 + 7 + 8); ck_close(y[3], 5 + 6 + 8 + 9);
}
END_TEST

START_TEST(test_conv2d_ref_pads_and_strides)
{
    /* 3x3 kernel of ones, pad 1, stride 2: OH = (3+2-3)/2+1 = 2;
     * windows centred on (0,0), (0,2), (2,0), (2,2) */
    float w[9] = {1, 1, 1, 1, 1, 1, 1, 1, 1}, y[4], bias = 0.5f;
    mote_conv2d_args a = conv_args(1, 3, 3, 1, 3, 2, 1, 1, 1);
    a.x = X9; a.w = w; a.y = y; a.bias = &bias;
    ck_assert_int_eq(a.OH, 2);
    mote_conv2d_f32_ref(&a);
    ck_close(y[0], 1 + 2 + 4 + 5 + 0.5f);
    ck_close(y[1], 2 + 3 + 5 + 6 + 0.5f);
    ck_close(y[2], 4 + 5 + 7 + 8 + 0.5f);
    ck_close(y[3], 5 + 6 + 8 + 9 + 0.5f);
}
END_TEST

START_TEST(test_conv2d_ref_dilation_reaches_the_corners)
{
    /* 2x2 kernel, dilation 2 on 3x3: one output, taps at the four corners */
    float w[4] = {1, 10, 100, 1000}, y[1];
    mote_conv2d_args a = conv_args(1, 3, 3, 1, 2, 1, 0, 2, 1);
    a.x = X9; a.w = w; a.y = y;
    ck_assert_int_eq(a.OH, 1);
    mote_conv2d_f32_ref(&a);
    ck_close(y[0], 1 * 1 + 10 * 3 + 100 * 7 + 1000 * 9);
}
END_TEST

START_TEST(test_conv2d_ref_groups_use_their_own_channels)
{
    /* C = 4, OC = 2, groups = 2, 1x1 kernels on a 1x1 image:
     * y0 = w0 . x[0:2], y1 = w1 . x[2:4] */
    float x[4] = {1, 2, 3, 4}, w[4] = {1, 10, 100, 1000}, y[2], bias[2] = {-1000, 0.5f};
    mote_conv2d_args a = conv_args(4, 1, 1, 2, 1, 1, 0, 1, 2);
    a.x = x; a.w = w; a.y = y; a.bias = bias;
    a.act.kind = MOTE_ACT_RELU;
    mote_conv2d_f32_ref(&a);
    ck_close(y[0], 0);                   /* relu(21 - 1000) */
    ck_close(y[1], 300 + 4000 + 0.5f);
    /* only the requested channel range is written */
    y[0] = y[1] = -7;
    a.oc0 = 1;
    mote_conv2d_f32_ref(&a);
    ck_close(y[0], -7);
    ck_close(y[1], 4300.5f);
}
END_TEST

START_TEST(test_conv2d_dw3x3_ref_matches_direct_and_hand_values)
{
    /* two channels, the second image is the first times -1, pad 1 */
    float x[18], w[18], yd[18], yr[18];
    for (int i = 0; i < 9; i++) { x[i] = X9[i]; x[9 + i] = -X9[i]; w[i] = 1; w[9 + i] = (float)(i + 1); }
    mote_conv2d_args a = conv_args(2, 3, 3, 2, 3, 1, 1, 1, 2);
    a.x = x; a.w = w;
    a.y = yd; mote_conv2d_dw3x3_f32_ref(&a);
    a.y = yr; mote_conv2d_f32_ref(&a);
    ck_assert_int_eq(memcmp(yd, yr, sizeof yd), 0);
    ck_close(yd[4], 45);                 /* centre: sum of 1..9 */
    ck_close(yd[0], 1 + 2 + 4 + 5);      /* corner */
    /* channel 1, centre: -(sum i*i) */
    ck_close(yd[9 + 4], -(1 + 4 + 9 + 16 + 25 + 36 + 49 + 64 + 81));
    /* stride 2 */
    mote_conv2d_args b = conv_args(2, 3, 3, 2, 3, 2, 1, 1, 2);
    b.x = x; b.w = w; b.y = yd;
    mote_conv2d_dw3x3_f32_ref(&b);
    ck_close(yd[0], 12); ck_close(yd[3], 5 + 6 + 8 + 9);
}
END_TEST

START_TEST(test_im2col_ref_2x2_kernel)
{
    /* rows (ky,kx) = (0,0),(0,1),(1,0),(1,1), columns = the 4 output positions */
    float col[16];
    mote_conv2d_args a = conv_args(1, 3, 3, 1, 2, 1, 0, 1, 1);
    a.x = X9;
    mote_im2col_f32_ref(&a, 0, col);
    const float want[16] = {1, 2, 4, 5,  2, 3, 5, 6,  4, 5, 7, 8,  5, 6, 8, 9};
    for (int i = 0; i < 16; i++) ck_close(col[i], want[i]);
    /* group 1 of a 2-channel, 2-group conv reads channel 1; a pad gives zeros */
    float x2[18];
    for (int i = 0; i < 9; i++) { x2[i] = 0; x2[9 + i] = X9[i]; }
    mote_conv2d_args b = conv_args(2, 3, 3, 2, 1, 2, 1, 1, 2);  /* 1x1, stride 2, pad 1 */
    b.x = x2;
    ck_assert_int_eq(b.OH, 3);
    float c2[9];
    mote_im2col_f32_ref(&b, 1, c2);
    /* positions (-1,-1) (-1,1) (-1,3); (1,-1) (1,1) (1,3); (3,*) */
    const float want2[9] = {0, 0, 0, 0, 5, 0, 0, 0, 0};
    for (int i = 0; i < 9; i++) ck_close(c2[i], want2[i]);
}
END_TEST

/* --------------------------------------------------------------- pooling */

START_TEST(test_maxpool_ref_2x2_stride_2)
{
    float x[16], y[4];
    for (int i = 0; i < 16; i++) x[i] = (float)(i + 1);
    mote_pool2d_args a = {.C = 1, .H = 4, .W = 4, .OH = 2, .OW = 2, .KH = 2, .KW = 2,
                          .sh = 2, .sw = 2, .dh = 1, .dw = 1, .x = x, .y = y, .c0 = 0, .c1 = 1};
    mote_maxpool2d_f32_ref(&a);
    ck_close(y[0], 6); ck_close(y[1], 8); ck_close(y[2], 14); ck_close(y[3], 16);
}
END_TEST

START_TEST(test_maxpool_ref_pads_never_win)
{
    /* all-negative input, 3x3 window, pad 1: the zero padding must not win */
    float x[4] = {-4, -3, -2, -1}, y[4];
    mote_pool2d_args a = {.C = 1, .H = 2, .W = 2, .OH = 2, .OW = 2, .KH = 3, .KW = 3,
                          .sh = 1, .sw = 1, .ph = 1, .pw = 1, .ph_end = 1, .pw_end = 1,
                          .dh = 1, .dw = 1, .x = x, .y = y, .c0 = 0, .c1 = 1};
    mote_maxpool2d_f32_ref(&a);
    for (int i = 0; i < 4; i++) ck_close(y[i], -1);
    /* dilation 2 on 3x3 input, 2x2 window: corners 1,3,7,9 -> 9 */
    float z;
    mote_pool2d_args b = {.C = 1, .H = 3, .W = 3, .OH = 1, .OW = 1, .KH = 2, .KW = 2,
                          .sh = 1, .sw = 1, .dh = 2, .dw = 2, .x = X9, .y = &z, .c0 = 0, .c1 = 1};
    float x9[9]; memcpy(x9, X9, sizeof x9); x9[8] = -9;
    b.x = x9;
    mote_maxpool2d_f32_ref(&b);
    ck_close(z, 7);
}
END_TEST

/* argmax: flat (c, iy, ix) index of the first maximum in (ky, kx) order;
 * the same windows on u8 and i8 (ties keep the first tap; channel 1 of a
 * two-channel call counts from its own plane, c * H * W) */
START_TEST(test_maxpool_ref_indices_and_8_bit_types)
{
    const float xf[9] = {1, 5, 2, 5, 0, 7, 3, 3, 1};
    float y[4];
    int64_t idx[4];
    mote_pool2d_args a = {.C = 1, .H = 3, .W = 3, .OH = 2, .OW = 2, .KH = 2, .KW = 2,
                          .sh = 1, .sw = 1, .dh = 1, .dw = 1, .x = xf, .y = y, .c0 = 0, .c1 = 1};
    mote_maxpool2d_idx_f32_ref(&a, idx);
    const float wy[4] = {5, 7, 5, 7};
    const int64_t wi[4] = {1, 5, 3, 5};
    for (int i = 0; i < 4; i++) {
        ck_close(y[i], wy[i]);
        ck_assert_int_eq(idx[i], wi[i]);
    }
    uint8_t xu[18], yu[8];
    int64_t iu[8];
    for (int i = 0; i < 9; i++) xu[i] = xu[9 + i] = (uint8_t)xf[i];
    xu[9 + 4] = 200;   /* channel 1's centre wins all four windows */
    a.C = 2; a.c1 = 2;
    mote_maxpool2d_u8_ref(&a, xu, yu, iu);
    for (int i = 0; i < 4; i++) {
        ck_assert_int_eq(yu[i], (int)wy[i]);
        ck_assert_int_eq(iu[i], wi[i]);
        ck_assert_int_eq(yu[4 + i], 200);
        ck_assert_int_eq(iu[4 + i], 9 + 4);
    }
    const int8_t xi[9] = {-1, -5, -2, -5, -128, -7, -3, -3, -1};
    int8_t yi[4];
    int64_t ii[4];
    a.C = 1; a.c1 = 1;
    mote_maxpool2d_i8_ref(&a, xi, yi, ii);
    const int8_t wyi[4] = {-1, -2, -3, -1};
    const int64_t wii[4] = {0, 2, 6, 8};
    for (int i = 0; i < 4; i++) {
        ck_assert_int_eq(yi[i], wyi[i]);
        ck_assert_int_eq(ii[i], wii[i]);
    }
}
END_TEST

START_TEST(test_avgpool_ref_count_include_pad)
{
    /* 3x3 input 1..9, 2x2 window, stride 2, pad 1 on every side: OH = OW = 2.
     * windows: rows {-1,0}/{1,2}, cols {-1,0}/{1,2} */
    float y[4];
    mote_pool2d_args a = {.C = 1, .H = 3, .W = 3, .OH = 2, .OW = 2, .KH = 2, .KW = 2,
                          .sh = 2, .sw = 2, .ph = 1, .pw = 1, .ph_end = 1, .pw_end = 1,
                          .dh = 1, .dw = 1, .x = X9, .y = y, .c0 = 0, .c1 = 1};
    mote_avgpool2d_f32_ref(&a);
    ck_close(y[0], 1.0f); ck_close(y[1], 2.5f); ck_close(y[2], 5.5f); ck_close(y[3], 7.0f);
    a.count_include_pad = 1;
    mote_avgpool2d_f32_ref(&a);
    ck_close(y[0], 0.25f); ck_close(y[1], 1.25f); ck_close(y[2], 2.75f); ck_close(y[3], 7.0f);
}
END_TEST

START_TEST(test_avgpool_ref_ceil_mode_window_past_the_padded_extent)
{
    /* 3x3, 2x2 window, stride 2, no pads, ceil_mode output 2x2: the last
     * window row/col 3 lies outside even the padded extent */
    float y[4];
    mote_pool2d_args a = {.C = 1, .H = 3, .W = 3, .OH = 2, .OW = 2, .KH = 2, .KW = 2,
                          .sh = 2, .sw = 2, .dh = 1, .dw = 1, .count_include_pad = 1,
                          .x = X9, .y = y, .c0 = 0, .c1 = 1};
    mote_avgpool2d_f32_ref(&a);
    ck_close(y[0], 3.0f); ck_close(y[1], 4.5f); ck_close(y[2], 7.5f); ck_close(y[3], 9.0f);
    /* with an explicit end pad of 1, that pad counts */
    a.ph_end = a.pw_end = 1;
    mote_avgpool2d_f32_ref(&a);
    ck_close(y[1], 9.0f / 4); ck_close(y[3], 9.0f / 4);
}
END_TEST

START_TEST(test_global_avgpool_ref)
{
    float x[6] = {1, 2, 3, 10, 20, 30}, y[2];
    mote_global_avgpool_f32_ref(2, 3, x, y);
    ck_close(y[0], 2); ck_close(y[1], 20);
}
END_TEST

/* ----------------------------------------------------------------- norms */

START_TEST(test_softmax_ref_known_values)
{
    float x[6] = {0, logf(2), logf(3), 1000, 1000, 1000}, y[6];
    mote_softmax_f32_ref(2, 3, x, y, 0);
    ck_close(y[0], 1.0f / 6); ck_close(y[1], 2.0f / 6); ck_close(y[2], 3.0f / 6);
    for (int i = 3; i < 6; i++) ck_close(y[i], 1.0f / 3);   /* no overflow */
    mote_softmax_f32_ref(2, 3, x, y, 1);
    ck_close(y[0], logf(1.0f / 6)); ck_close(y[2], logf(0.5f)); ck_close(y[4], -logf(3));
}
END_TEST

START_TEST(test_layernorm_ref_known_values)
{
    /* x = 1,2,3,4: mean 2.5, var 1.25 */
    float x[4] = {1, 2, 3, 4}, g[4] = {1, 2, 1, 1}, b[4] = {0, 0, 1, 0}, y[4];
    float inv = 1.0f / sqrtf(1.25f + 1e-5f);
    mote_layernorm_f32_ref(1, 4, x, g, b, 1e-5f, y);
    ck_close(y[0], -1.5f * inv); ck_close(y[1], -0.5f * inv * 2);
    ck_close(y[2], 0.5f * inv + 1); ck_close(y[3], 1.5f * inv);
    mote_layernorm_f32_ref(1, 4, x, NULL, NULL, 1e-5f, y);
    ck_close(y[1], -0.5f * inv); ck_close(y[2], 0.5f * inv);
}
END_TEST

START_TEST(test_rmsnorm_ref_known_values)
{
    float x[4] = {3, 4, 0, 0}, g[2] = {1, 2}, y[4];
    mote_rmsnorm_f32_ref(2, 2, x, g, 0.0f, y);   /* mean square 12.5 */
    ck_close(y[0], 3 / sqrtf(12.5f)); ck_close(y[1], 8 / sqrtf(12.5f));
    mote_rmsnorm_f32_ref(1, 2, x + 2, NULL, 1.0f, y);  /* zeros stay 0 with eps */
    ck_close(y[0], 0); ck_close(y[1], 0);
}
END_TEST

/* The planar row kernel sums exactly what the general resampler sums when
 * only the last two axes change: random taps (1, 2 or 4 per axis, some
 * outside, some zero weights) over a (2, 3, H, W) tensor, bit for bit. */
START_TEST(test_resize_row_ref_equals_general_ref)
{
    static const int tapset[3] = {1, 2, 4};
    uint32_t seed = 7;
#define RND() (seed = seed * 1664525u + 1013904223u, seed >> 8)
    for (int c = 0; c < 27; c++) {
        int TH = tapset[c % 3], TW = tapset[(c / 3) % 3];
        int64_t in[4] = {2, 3, 3 + c % 5, 4 + c % 7}, out[4] = {2, 3, 1 + c % 9, 1 + c % 11};
        int taps[4] = {1, 1, TH, TW};
        int64_t *idx[4];
        float *wt[4];
        for (int d = 0; d < 4; d++) {
            idx[d] = malloc(sizeof(int64_t) * (size_t)(out[d] * taps[d]));
            wt[d] = malloc(sizeof(float) * (size_t)(out[d] * taps[d]));
            for (int64_t o = 0; o < out[d]; o++)
                for (int k = 0; k < taps[d]; k++) {
                    int64_t i = o * taps[d] + k;
                    if (d < 2) {
                        idx[d][i] = o;
                        wt[d][i] = 1.0f;
                        continue;
                    }
                    idx[d][i] = (int64_t)(RND() % (uint32_t)in[d]);
                    wt[d][i] = RND() % 5 == 0 ? 0.0f : (float)(RND() % 1000) / 500.0f - 1.0f;
                }
            if (d >= 2 && c % 4 == 3)    /* the first output lies outside */
                for (int k = 0; k < taps[d]; k++)
                    idx[d][k] = -1;
        }
        /* the row kernel's planar tables of the last axis */
        int32_t *iw = malloc(sizeof(int32_t) * (size_t)(out[3] * TW));
        float *ww = malloc(sizeof(float) * (size_t)(out[3] * TW));
        int32_t *span = malloc(sizeof(int32_t) * (size_t)(2 * ((out[3] + 7) / 8)));
        for (int64_t o = 0; o < out[3]; o++)
            for (int k = 0; k < TW; k++) {
                iw[k * out[3] + o] = (int32_t)idx[3][o * TW + k];
                ww[k * out[3] + o] = wt[3][o * TW + k];
            }
        mote_resize_row_span(iw, TW, out[3], span);
        int64_t nx = in[0] * in[1] * in[2] * in[3], ny = out[0] * out[1] * out[2] * out[3];
        float *x = malloc(sizeof(float) * (size_t)nx), *y1 = malloc(sizeof(float) * (size_t)ny);
        float *y2 = malloc(sizeof(float) * (size_t)ny);
        for (int64_t i = 0; i < nx; i++)
            x[i] = (float)(RND() % 2000) / 100.0f - 10.0f;
        x[0] = -0.0f;
        int64_t rows = out[0] * out[1] * out[2];
        mote_resize_f32_ref(x, y1, 4, in, out, taps, (const int64_t *const *)idx,
                            (const float *const *)wt, 0.5f, 0, rows);
        for (int64_t r = 0; r < rows; r++) {
            int64_t plane = r / out[2], oh = r % out[2];
            const int64_t *ih = idx[2] + oh * TH;
            float *y = y2 + r * out[3];
            if (ih[0] < 0) {
                for (int64_t i = 0; i < out[3]; i++)
                    y[i] = 0.5f;
                continue;
            }
            const float *src[4];
            for (int k = 0; k < TH; k++)
                src[k] = x + (plane * in[2] + ih[k]) * in[3];
            mote_resize_row_args a = { src, wt[2] + oh * TH, TH, TW, iw, ww, span, out[3], in[3], 1,
                                       0.5f, y };
            mote_resize_row_f32_ref(&a);
        }
        ck_assert_msg(memcmp(y1, y2, sizeof(float) * (size_t)ny) == 0, "case %d (taps %dx%d) differs",
                      c, TH, TW);
        for (int d = 0; d < 4; d++) {
            free(idx[d]);
            free(wt[d]);
        }
        free(x); free(y1); free(y2); free(iw); free(ww); free(span);
    }
#undef RND
}
END_TEST

START_TEST(test_channel_affine_ref)
{
    float x[4] = {1, 2, 3, 4}, sc[2] = {2, -1}, sh[2] = {0.5f, 10}, y[4];
    mote_channel_affine_f32_ref(2, 2, x, sc, sh, y);
    ck_close(y[0], 2.5f); ck_close(y[1], 4.5f); ck_close(y[2], 7); ck_close(y[3], 6);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("kernels_ref");
    TCase *t = tcase_create("ref");
    tcase_add_test(t, test_ref_table_fills_every_entry_but_the_optional_ones);
    tcase_add_test(t, test_unary_ref_known_values);
    tcase_add_test(t, test_binary_ref_broadcasts_a_scalar_with_stride_zero);
    tcase_add_test(t, test_act_apply_ref_each_kind);
    tcase_add_test(t, test_gemm_ref_2x3_times_3x2);
    tcase_add_test(t, test_gemm_ref_transposes_give_the_same_product);
    tcase_add_test(t, test_gemm_ref_alpha_beta_bias_act_and_ldc);
    tcase_add_test(t, test_matvec_ref_rows_of_a_range);
    tcase_add_test(t, test_conv2d_ref_2x2_ones_no_pad);
    tcase_add_test(t, test_conv2d_ref_pads_and_strides);
    tcase_add_test(t, test_conv2d_ref_dilation_reaches_the_corners);
    tcase_add_test(t, test_conv2d_ref_groups_use_their_own_channels);
    tcase_add_test(t, test_conv2d_dw3x3_ref_matches_direct_and_hand_values);
    tcase_add_test(t, test_im2col_ref_2x2_kernel);
    tcase_add_test(t, test_maxpool_ref_2x2_stride_2);
    tcase_add_test(t, test_maxpool_ref_pads_never_win);
    tcase_add_test(t, test_maxpool_ref_indices_and_8_bit_types);
    tcase_add_test(t, test_avgpool_ref_count_include_pad);
    tcase_add_test(t, test_avgpool_ref_ceil_mode_window_past_the_padded_extent);
    tcase_add_test(t, test_global_avgpool_ref);
    tcase_add_test(t, test_softmax_ref_known_values);
    tcase_add_test(t, test_resize_row_ref_equals_general_ref);
    tcase_add_test(t, test_layernorm_ref_known_values);
    tcase_add_test(t, test_rmsnorm_ref_known_values);
    tcase_add_test(t, test_channel_affine_ref);
    suite_add_tcase(s, t);
    return s;
}

int main(void)
{
    SRunner *r = srunner_create(suite());
    srunner_run_all(r, CK_NORMAL);
    int failed = srunner_ntests_failed(r);
    srunner_free(r);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
