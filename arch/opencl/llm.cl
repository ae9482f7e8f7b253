/*
 * llm.cl — the llama decoder's rotary embedding and attention, with the
 * contracts of rope_f32 and attend_f32 in kernels/llm.h (kernels/llm_ref.c).
 */

/* In place, one work-item per (pair j, head h):
 *   angle = pos * theta^(-2j/hs); (x0, x1) -> (x0 cos - x1 sin, x0 sin + x1 cos) */
__kernel void mote_rope_f32(long n_heads, long hs, long pos, float theta,
                            __global float *x, long x_off)
{
    long j = get_global_id(0), h = get_global_id(1);
    if (j >= hs / 2 || h >= n_heads) return;
    float freq = 1.0f / pow(theta, (float)(2 * j) / (float)hs);
    float a = (float)pos * freq, c = cos(a), s = sin(a);
    __global float *p = x + x_off + h * hs + 2 * j;
    float x0 = p[0], x1 = p[1];
    p[0] = x0 * c - x1 * s;
    p[1] = x0 * s + x1 * c;
}

/*
 * One work-group per query head h (NORM_WG items): with kv head
 * kvh = h / kv_mul, rows j < n of k and v (row stride ld, the head's hs
 * values at column kvh*hs):
 *   s[j] = scale * (q_h . k_j), p_j = exp(s[j] - max s) / sum exp(..)
 *   y_h = sum_j p_j v_j
 * s: scratch, n floats per head (s_ld apart).
 */
__kernel __attribute__((reqd_work_group_size(NORM_WG, 1, 1)))
void mote_attend_f32(long n, long hs, long kv_mul, float scale,
                     __global const float *q, long q_off,
                     __global const float *k, long k_off, __global const float *v, long v_off, long ld,
                     __global float *s, long s_off, long s_ld,
                     __global float *y, long y_off)
{
    __local float tmp[NORM_WG];
    long h = get_group_id(0);
    int l = get_local_id(0);
    q += q_off + h * hs;
    long col = (h / kv_mul) * hs;
    k += k_off;
    v += v_off;
    s += s_off + h * s_ld;
    y += y_off + h * hs;
    float m = -INFINITY;
    for (long j = l; j < n; j += NORM_WG) {
        __global const float *kj = k + col + j * ld;
        float d = 0.0f;
        for (long i = 0; i < hs; i++) d += q[i] * kj[i];
        d *= scale;
        s[j] = d;
        m = fmax(m, d);
    }
    m = group_reduce(tmp, m, 1);
    float sum = 0.0f;
    for (long j = l; j < n; j += NORM_WG) {
        float e = exp(s[j] - m);
        s[j] = e;
        sum += e;
    }
    sum = group_reduce(tmp, sum, 0);
    barrier(CLK_GLOBAL_MEM_FENCE);
    for (long i = l; i < hs; i += NORM_WG) {
        float acc = 0.0f;
        for (long j = 0; j < n; j++) acc += (s[j] / sum) * v[col + j * ld + i];
        y[i] = acc;
    }
}
