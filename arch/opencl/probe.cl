/*
 * probe.cl — the short peak-FLOP probe behind `mote info --devices`: each
 * work-item runs PROBE_ITERS rounds of 16 independent fused multiply-adds
 * on float4 registers (128 FLOPs a round), so the loop is bound by the
 * device's FMA throughput, not by memory. The result is stored so that the
 * compiler keeps the work.
 */
#define PROBE_ITERS 512

__kernel void mote_probe_fma(__global float *out, float a, float b)
{
    float4 x0 = (float4)(get_global_id(0)), x1 = x0 + 1.0f, x2 = x0 + 2.0f, x3 = x0 + 3.0f;
    float4 x4 = x0 + 4.0f, x5 = x0 + 5.0f, x6 = x0 + 6.0f, x7 = x0 + 7.0f;
    float4 x8 = x0 + 8.0f, x9 = x0 + 9.0f, xa = x0 + 10.0f, xb = x0 + 11.0f;
    float4 xc = x0 + 12.0f, xd = x0 + 13.0f, xe = x0 + 14.0f, xf = x0 + 15.0f;
    for (int i = 0; i < PROBE_ITERS; i++) {
        x0 = fma(x0, a, b); x1 = fma(x1, a, b); x2 = fma(x2, a, b); x3 = fma(x3, a, b);
        x4 = fma(x4, a, b); x5 = fma(x5, a, b); x6 = fma(x6, a, b); x7 = fma(x7, a, b);
        x8 = fma(x8, a, b); x9 = fma(x9, a, b); xa = fma(xa, a, b); xb = fma(xb, a, b);
        xc = fma(xc, a, b); xd = fma(xd, a, b); xe = fma(xe, a, b); xf = fma(xf, a, b);
    }
    float4 s = x0 + x1 + x2 + x3 + x4 + x5 + x6 + x7 + x8 + x9 + xa + xb + xc + xd + xe + xf;
    out[get_global_id(0)] = s.x + s.y + s.z + s.w;
}
