/*
 * rnn_ref.c — reference LSTM and GRU recurrences for one direction over a
 * whole sequence, batch rows independent (the op splits them over the
 * pool). Default activations only: sigmoid for gates, tanh otherwise.
 * Not the layouts, the direction handling of bidirectional runs or the
 * input checks (the op does those).
 */
#include <math.h>
#include <string.h>
#include "ref.h"

static float sigm(float v)
{
    return 1.0f / (1.0f + expf(-v));
}

static float clipv(float v, float c)
{
    return c > 0.0f ? (v < -c ? -c : v > c ? c : v) : v;
}

/* g[j] = Wb[j] + Rb[j] + sum_k w[j,k] x[k] + sum_k r[j,k] h[k], j < n */
static void gates(const mote_rnn_args *a, int64_t j0, int64_t n, const float *x,
                  const float *h, float *g)
{
    if (a->matvec) {
        a->matvec(a->I, a->w, j0, j0 + n, x, g);
        if (h)
            a->matvec(a->H, a->r, j0, j0 + n, h, a->rh);
        for (int64_t j = 0; j < n; j++)
            g[j] += (h ? a->rh[j] : 0.0f) + (a->wb ? a->wb[j0 + j] : 0.0f) +
                    (a->rb ? a->rb[j0 + j] : 0.0f);
        return;
    }
    for (int64_t j = j0; j < j0 + n; j++) {
        float s = (a->wb ? a->wb[j] : 0.0f) + (a->rb ? a->rb[j] : 0.0f);
        const float *wj = a->w + j * a->I, *rj = a->r + j * a->H;
        for (int64_t k = 0; k < a->I; k++)
            s += wj[k] * x[k];
        if (h)
            for (int64_t k = 0; k < a->H; k++)
                s += rj[k] * h[k];
        g[j - j0] = s;
    }
}

/* Step s of len valid steps is time index t. */
static int64_t step_time(const mote_rnn_args *a, int64_t s, int64_t len)
{
    return a->reverse ? len - 1 - s : s;
}

void mote_lstm_f32_ref(const mote_rnn_args *a, float *tmp, int64_t b0, int64_t b1)
{
    int64_t H = a->H;
    float *g = tmp, *h = tmp + 4 * H;   /* gates (4H) i,o,f,c; h (H) */
    for (int64_t b = b0; b < b1; b++) {
        float *c = a->yc + b * a->ysh_b, *hout = a->yh + b * a->ysh_b;
        int64_t len = a->lens ? a->lens[b] : a->T;
        for (int64_t k = 0; k < H; k++) {
            h[k] = a->h0 ? a->h0[b * a->ysh_b + k] : 0.0f;
            c[k] = a->c0 ? a->c0[b * a->ysh_b + k] : 0.0f;
        }
        for (int64_t t = len; t < a->T; t++)
            memset(a->y + t * a->ys_t + b * a->ys_b, 0, sizeof(float) * (size_t)H);
        for (int64_t s = 0; s < len; s++) {
            int64_t t = step_time(a, s, len);
            gates(a, 0, 4 * H, a->x + t * a->xs_t + b * a->xs_b, h, g);
            const float *gi = g, *go = g + H, *gf = g + 2 * H, *gc = g + 3 * H;
            float *y = a->y + t * a->ys_t + b * a->ys_b;
            for (int64_t k = 0; k < H; k++) {
                float pi = a->p ? a->p[k] * c[k] : 0.0f, pf = a->p ? a->p[2 * H + k] * c[k] : 0.0f;
                float i = sigm(clipv(gi[k] + pi, a->clip));
                float f = sigm(clipv(gf[k] + pf, a->clip));
                float u = tanhf(clipv(gc[k], a->clip));
                c[k] = f * c[k] + i * u;
                float po = a->p ? a->p[H + k] * c[k] : 0.0f;
                float o = sigm(clipv(go[k] + po, a->clip));
                y[k] = o * tanhf(c[k]);
            }
            memcpy(h, y, sizeof(float) * (size_t)H);
        }
        memcpy(hout, h, sizeof(float) * (size_t)H);
    }
}

void mote_gru_f32_ref(const mote_rnn_args *a, float *tmp, int64_t b0, int64_t b1)
{
    int64_t H = a->H;
    float *g = tmp, *h = tmp + 3 * H;   /* gates (3H) z,r,h; state (H) */
    for (int64_t b = b0; b < b1; b++) {
        float *hout = a->yh + b * a->ysh_b;
        int64_t len = a->lens ? a->lens[b] : a->T;
        for (int64_t k = 0; k < H; k++)
            h[k] = a->h0 ? a->h0[b * a->ysh_b + k] : 0.0f;
        for (int64_t t = len; t < a->T; t++)
            memset(a->y + t * a->ys_t + b * a->ys_b, 0, sizeof(float) * (size_t)H);
        for (int64_t s = 0; s < len; s++) {
            int64_t t = step_time(a, s, len);
            const float *x = a->x + t * a->xs_t + b * a->xs_b;
            float *y = a->y + t * a->ys_t + b * a->ys_b;
            gates(a, 0, 2 * H, x, h, g);                 /* z, r with R h */
            for (int64_t k = 0; k < 2 * H; k++)
                g[k] = sigm(clipv(g[k], a->clip));
            float *n = g + 2 * H;
            for (int64_t j = 0; j < H; j++) {
                int64_t row = 2 * H + j;
                const float *wj = a->w + row * a->I, *rj = a->r + row * a->H;
                float xw = a->wb ? a->wb[row] : 0.0f, rh = 0.0f, rb = a->rb ? a->rb[row] : 0.0f;
                float r = g[H + j];
                for (int64_t k = 0; k < a->I; k++)
                    xw += wj[k] * x[k];
                if (a->linear_before_reset) {
                    for (int64_t k = 0; k < H; k++)
                        rh += rj[k] * h[k];
                    n[j] = xw + r * (rh + rb);
                } else {
                    for (int64_t k = 0; k < H; k++)
                        rh += rj[k] * (g[H + k] * h[k]);
                    n[j] = xw + rh + rb;
                }
            }
            for (int64_t k = 0; k < H; k++) {
                float z = g[k];
                float nn = tanhf(clipv(n[k], a->clip));
                y[k] = (1.0f - z) * nn + z * h[k];
            }
            memcpy(h, y, sizeof(float) * (size_t)H);
        }
        memcpy(hout, h, sizeof(float) * (size_t)H);
    }
}
