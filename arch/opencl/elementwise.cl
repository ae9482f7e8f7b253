/*
 * elementwise.cl — unary and binary elementwise kernels with the contracts
 * of kernels/elementwise_ref.c (mote_unary_op, mote_binary_op numbering),
 * the binary ones also with numpy broadcasting over up to 8 dimensions,
 * and the per-channel affine map (folded BatchNormalization). One
 * work-item per output element.
 */

/* mote_unary_op */
#define UN_RELU 0
#define UN_LEAKY_RELU 1
#define UN_SIGMOID 2
#define UN_TANH 3
#define UN_GELU 4
#define UN_GELU_TANH 5
#define UN_EXP 6
#define UN_SQRT 7
#define UN_CLIP 8
#define UN_HARD_SIGMOID 9
#define UN_HARD_SWISH 10
#define UN_NEG 11
#define UN_ABS 12
#define UN_RECIPROCAL 13
#define UN_LOG 14
#define UN_ERF 15
#define UN_SILU 16
#define UN_FLOOR 17
#define UN_CEIL 18
#define UN_ROUND 19
#define UN_SIGN 20
#define UN_ELU 21
#define UN_SELU 22
#define UN_SOFTPLUS 23
#define UN_MISH 24
#define UN_SIN 25
#define UN_COS 26

/* ln(1 + e^x) without overflow for large |x| (as the reference) */
float softplus1(float x) { return fmax(x, 0.0f) + log1p(exp(-fabs(x))); }

/* nearest integer, ties to even, independent of the rounding mode */
float round_even1(float x)
{
    float f = floor(x), d = x - f;
    if (d > 0.5f || (d == 0.5f && fmod(f, 2.0f) != 0.0f)) f += 1.0f;
    return isfinite(x) ? f : x;
}

float mote_unary1(int op, float x, float alpha, float beta)
{
    switch (op) {
    case UN_RELU: return x > 0.0f ? x : 0.0f;
    case UN_LEAKY_RELU: return x >= 0.0f ? x : alpha * x;
    case UN_SIGMOID: return 1.0f / (1.0f + exp(-x));
    case UN_TANH: return tanh(x);
    case UN_GELU: return 0.5f * x * (1.0f + erf(x * MOTE_SQRT1_2));
    /* 0.5 x (1 + tanh u) as x / (1 + e^-2u): the same value without the
     * cancellation of 1 + tanh u for large negative x, where the device's
     * tanh is less exact than the C library's */
    case UN_GELU_TANH: return x / (1.0f + exp(-2.0f * MOTE_SQRT2_PI * (x + 0.044715f * x * x * x)));
    case UN_EXP: return exp(x);
    case UN_SQRT: return sqrt(x);
    case UN_CLIP: return fmin(fmax(x, alpha), beta);
    case UN_HARD_SIGMOID: return fmax(0.0f, fmin(1.0f, alpha * x + beta));
    case UN_HARD_SWISH: return x * fmax(0.0f, fmin(1.0f, x * (1.0f / 6.0f) + 0.5f));
    case UN_NEG: return -x;
    case UN_ABS: return fabs(x);
    case UN_RECIPROCAL: return 1.0f / x;
    case UN_LOG: return log(x);
    case UN_ERF: return erf(x);
    case UN_SILU: return x * (1.0f / (1.0f + exp(-x)));
    case UN_FLOOR: return floor(x);
    case UN_CEIL: return ceil(x);
    case UN_ROUND: return round_even1(x);
    case UN_SIGN: return x > 0.0f ? 1.0f : x < 0.0f ? -1.0f : x;
    case UN_ELU: return x > 0.0f ? x : alpha * expm1(x);
    case UN_SELU: return beta * (x > 0.0f ? x : alpha * expm1(x));
    case UN_SOFTPLUS: return softplus1(x);
    case UN_MISH: return x * tanh(softplus1(x));
    case UN_SIN: return sin(x);
    case UN_COS: return cos(x);
    default: return x;
    }
}

__kernel void mote_unary_f32(int op, long n, __global const float *x, long x_off,
                             __global float *y, long y_off, float alpha, float beta)
{
    long i = get_global_id(0);
    if (i < n) y[y_off + i] = mote_unary1(op, x[x_off + i], alpha, beta);
}

/* mote_binary_op */
#define BIN_ADD 0
#define BIN_SUB 1
#define BIN_MUL 2
#define BIN_DIV 3
#define BIN_MAX 4
#define BIN_MIN 5
#define BIN_POW 6
#define BIN_PRELU 7

float mote_binary1(int op, float a, float b)
{
    switch (op) {
    case BIN_ADD: return a + b;
    case BIN_SUB: return a - b;
    case BIN_MUL: return a * b;
    case BIN_DIV: return a / b;
    case BIN_MAX: return fmax(a, b);
    case BIN_MIN: return fmin(a, b);
    case BIN_POW: return pow(a, b);
    case BIN_PRELU: return a < 0.0f ? b * a : a;
    default: return a;
    }
}

/*
 * y[i] = a[ia] OP b[ib] for the output's row-major index i over dims
 * (ndim <= 8); ia = sum_d coord_d * as[d] with as[d] = 0 where a is
 * broadcast along d (likewise b). Contiguous same-shape operands take the
 * host's flat path (as = bs = the output's strides).
 */
__kernel void mote_binary_f32(int op, int ndim, long n, long8 dims, long8 astr, long8 bstr,
                              __global const float *a, long a_off,
                              __global const float *b, long b_off,
                              __global float *y, long y_off)
{
    long i = get_global_id(0);
    if (i >= n) return;
    long d[8] = {dims.s0, dims.s1, dims.s2, dims.s3, dims.s4, dims.s5, dims.s6, dims.s7};
    long sa[8] = {astr.s0, astr.s1, astr.s2, astr.s3, astr.s4, astr.s5, astr.s6, astr.s7};
    long sb[8] = {bstr.s0, bstr.s1, bstr.s2, bstr.s3, bstr.s4, bstr.s5, bstr.s6, bstr.s7};
    long rest = i, ia = 0, ib = 0;
    for (int k = ndim - 1; k >= 0; k--) {
        long c = rest % d[k];
        rest /= d[k];
        ia += c * sa[k];
        ib += c * sb[k];
    }
    y[y_off + i] = mote_binary1(op, a[a_off + ia], b[b_off + ib]);
}

/* y[c, i] = x[c, i] * scale[c] + shift[c], then the fused activation */
__kernel void mote_channel_affine_f32(long C, long HW, __global const float *x, long x_off,
                                      __global const float *scale, long scale_off,
                                      __global const float *shift, long shift_off,
                                      __global float *y, long y_off,
                                      int act, float act_alpha, float act_beta)
{
    long i = get_global_id(0);
    if (i >= C * HW) return;
    long c = i / HW;
    float v = x[x_off + i] * scale[scale_off + c] + shift[shift_off + c];
    y[y_off + i] = mote_act(v, act, act_alpha, act_beta);
}
