/*
 * common.cl — what every OpenCL kernel of mote shares: the fused
 * activations (mote_act_kind in kernels/kernels.h, same numbering) and
 * index helpers. The host concatenates the .cl files of arch/opencl into one
 * program, this one first; it is not a kernel file by itself.
 *
 * Offsets: every buffer argument comes with an element offset, so one
 * device buffer (the session's arena, a weight store) holds many tensors.
 */

/* mote_act_kind */
#define ACT_NONE 0
#define ACT_RELU 1
#define ACT_LEAKY_RELU 2
#define ACT_CLIP 3
#define ACT_SIGMOID 4
#define ACT_TANH 5
#define ACT_HARD_SIGMOID 6
#define ACT_HARD_SWISH 7
#define ACT_GELU 8

#define MOTE_SQRT1_2 0.70710678118654752440f
#define MOTE_SQRT2_PI 0.79788456080286535588f

/* y = act(x); alpha/beta as in mote_act */
float mote_act(float x, int kind, float alpha, float beta)
{
    switch (kind) {
    case ACT_RELU: return x > 0.0f ? x : 0.0f;
    case ACT_LEAKY_RELU: return x >= 0.0f ? x : alpha * x;
    case ACT_CLIP: return fmin(fmax(x, alpha), beta);
    case ACT_SIGMOID: return 1.0f / (1.0f + exp(-x));
    case ACT_TANH: return tanh(x);
    case ACT_HARD_SIGMOID: return fmax(0.0f, fmin(1.0f, alpha * x + beta));
    case ACT_HARD_SWISH: return x * fmax(0.0f, fmin(1.0f, x * (1.0f / 6.0f) + 0.5f));
    case ACT_GELU: return 0.5f * x * (1.0f + erf(x * MOTE_SQRT1_2));
    default: return x;
    }
}
