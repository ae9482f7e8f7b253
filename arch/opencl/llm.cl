/*
 * llm.cl — the llama decoder's rotary embedding, key/value cache and
 * attention, and SwiGLU, with the contracts of rope_f32, attend_f32 and
 * swiglu_f32 in kernels/llm.h (kernels/llm_ref.c) and of the LlmRope,
 * LlmAttention and LlmSwiGLU ops (src/ops/llm/).
 *
 * The position comes from the host as a number (pos_kind 0: pos_add) or
 * from a device buffer holding the op's pos input, one int (pos_kind 1)
 * or long (2) at 4-byte offset pos_off, plus pos_add: so a session's
 * launches are made once and read each run's position on the device.
 */

long llm_pos(__global const int *pos, long pos_off, int pos_kind, long pos_add)
{
    __global const char *p = (__global const char *)pos + pos_off * 4;
    if (pos_kind == 1) return (long)*(__global const int *)p + pos_add;
    if (pos_kind == 2) return *(__global const long *)p + pos_add;
    return pos_add;
}

/* y = x rotated, row t at position pos + t; one work-item per (pair j,
 * head h, row t):
 *   angle = p * theta^(-2j/hs); (x0, x1) -> (x0 cos - x1 sin, x0 sin + x1 cos) */
__kernel void mote_rope_f32(long n_heads, long hs, float theta,
                            __global const int *pos, long pos_off, int pos_kind, long pos_add,
                            __global const float *x, long x_off, __global float *y, long y_off)
{
    long j = get_global_id(0), h = get_global_id(1), t = get_global_id(2);
    if (j >= hs / 2 || h >= n_heads) return;
    long p = llm_pos(pos, pos_off, pos_kind, pos_add) + t;
    float freq = 1.0f / pow(theta, (float)(2 * j) / (float)hs);
    float a = (float)p * freq, c = cos(a), s = sin(a);
    long at = t * n_heads * hs + h * hs + 2 * j;
    float x0 = x[x_off + at], x1 = x[x_off + at + 1];
    y[y_off + at] = x0 * c - x1 * s;
    y[y_off + at + 1] = x0 * s + x1 * c;
}

/* The key/value cache rows of a run: kc[pos + t] = k[t], vc[pos + t] =
 * v[t] (kvd floats a row), one work-item per (value i, row t); nothing
 * when the positions do not fit the cache (LlmAttention then writes
 * zeros). */
__kernel void mote_kv_store_f32(long T, long kvd, long max_seq,
                                __global const int *pos, long pos_off, int pos_kind,
                                __global const float *k, long k_off, __global const float *v, long v_off,
                                __global float *kc, long kc_off, __global float *vc, long vc_off)
{
    long i = get_global_id(0), t = get_global_id(1);
    long p = llm_pos(pos, pos_off, pos_kind, 0);
    if (i >= kvd || p < 0 || p + T > max_seq) return;
    kc[kc_off + (p + t) * kvd + i] = k[k_off + t * kvd + i];
    vc[vc_off + (p + t) * kvd + i] = v[v_off + t * kvd + i];
}

/*
 * attend_f32 for one query head by a work-group of NORM_WG items: with
 * rows j < n of k and v (row stride ld, the head's hs values from col):
 *   s[j] = scale * (q . k_j), p_j = exp(s[j] - max s) / sum exp(..)
 *   y = sum_j p_j v_j
 * s: scratch, n floats.
 */
void attend_head(__local float *tmp, long n, long hs, float scale, __global const float *q,
                 __global const float *k, __global const float *v, long ld, long col,
                 __global float *s, __global float *y)
{
    int l = get_local_id(0);
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

/* One work-group per query head h: kv head h / kv_mul, columns
 * (h / kv_mul) * hs of k and v rows j < n (row stride ld); s[h*s_ld..]
 * scratch; y[h*hs..]. */
__kernel __attribute__((reqd_work_group_size(NORM_WG, 1, 1)))
void mote_attend_f32(long n, long hs, long kv_mul, float scale,
                     __global const float *q, long q_off,
                     __global const float *k, long k_off, __global const float *v, long v_off, long ld,
                     __global float *s, long s_off, long s_ld,
                     __global float *y, long y_off)
{
    __local float tmp[NORM_WG];
    long h = get_group_id(0);
    attend_head(tmp, n, hs, scale, q + q_off + h * hs, k + k_off, v + v_off, ld, (h / kv_mul) * hs,
                s + s_off + h * s_ld, y + y_off + h * hs);
}

/* LlmAttention after mote_kv_store_f32: one work-group per (head h, row
 * t), row t attending to cache rows 0 .. pos + t; zeros when the positions
 * do not fit. q, y: (T, n_heads * hs); caches (max_seq, kvd); s: a scratch
 * row of max_seq floats per (t, h). */
__kernel __attribute__((reqd_work_group_size(NORM_WG, 1, 1)))
void mote_attention_f32(long T, long hs, long kv_mul, long max_seq, float scale,
                        __global const int *pos, long pos_off, int pos_kind,
                        __global const float *q, long q_off,
                        __global const float *kc, long kc_off, __global const float *vc, long vc_off,
                        __global float *s, long s_off, __global float *y, long y_off)
{
    __local float tmp[NORM_WG];
    long h = get_group_id(0), t = get_group_id(1), nh = get_num_groups(0);
    long p = llm_pos(pos, pos_off, pos_kind, 0);
    long row = t * nh * hs + h * hs;
    /* every item reaches the barriers: positions past the cache attend to
     * row 0, then write zeros over it */
    bool fits = p >= 0 && p + T <= max_seq;
    long kvd = nh / kv_mul * hs;
    attend_head(tmp, fits ? p + t + 1 : 1, hs, scale, q + q_off + row, kc + kc_off, vc + vc_off, kvd,
                (h / kv_mul) * hs, s + s_off + (t * nh + h) * max_seq, y + y_off + row);
    if (!fits)
        for (long i = get_local_id(0); i < hs; i += NORM_WG) y[y_off + row + i] = 0.0f;
}

/* y = silu(a) * b, elementwise */
__kernel void mote_swiglu_f32(long n, __global const float *a, long a_off, __global const float *b, long b_off,
                              __global float *y, long y_off)
{
    long i = get_global_id(0);
    if (i >= n) return;
    float x = a[a_off + i];
    y[y_off + i] = x * (1.0f / (1.0f + exp(-x))) * b[b_off + i];
}
