/*
 * winograd_ref.c — Winograd F(2x2, 3x3): the weight transform and the
 * reference input and output transforms (kernels.h: mote_winograd_args).
 *
 * With the interpolation points 0, 1, -1 (and infinity):
 *   B^T = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1]
 *   G   = [1 0 0; 1/2 1/2 1/2; 1/2 -1/2 1/2; 0 0 1]
 *   A^T = [1 1 1 0; 0 1 -1 -1]
 * y (2x2) = A^T [ (G g G^T) .* (B^T d B) ] A summed over input channels;
 * the sum over channels is the op's matrix products (src/ops/conv_winograd.c).
 * The transforms are written as two passes (down the columns, then along
 * the rows); the order of the additions below is the specification the
 * table kernels reproduce bit for bit.
 */
#include "ref.h"

void mote_winograd_f2_weights(int64_t OC, int64_t C, const float *w, int xi, float *U_xi)
{
    static const double G[4][3] = { { 1, 0, 0 }, { 0.5, 0.5, 0.5 }, { 0.5, -0.5, 0.5 }, { 0, 0, 1 } };
    const int i = xi / 4, j = xi % 4;
    for (int64_t oc = 0; oc < OC; oc++)
        for (int64_t c = 0; c < C; c++) {
            const float *g = w + (oc * C + c) * 9;
            double t[3];   /* row i of G g */
            for (int k = 0; k < 3; k++)
                t[k] = G[i][0] * g[k] + G[i][1] * g[3 + k] + G[i][2] * g[6 + k];
            U_xi[oc * C + c] = (float)(t[0] * G[j][0] + t[1] * G[j][1] + t[2] * G[j][2]);
        }
}

void mote_winograd_in_f32_ref(const mote_winograd_args *a)
{
    const int64_t T = a->ldt > 0 ? a->ldt : a->TH * a->TW;
    for (int64_t c = a->c0; c < a->c1; c++) {
        const float *x = a->src + c * a->H * a->W;
        for (int64_t ty = 0; ty < a->TH; ty++)
            for (int64_t tx = 0; tx < a->TW; tx++) {
                float d[4][4], u[4][4];
                for (int i = 0; i < 4; i++)
                    for (int j = 0; j < 4; j++) {
                        int64_t iy = 2 * (a->ty0 + ty) - a->ph + i, ix = 2 * tx - a->pw + j;
                        d[i][j] = iy >= 0 && iy < a->H && ix >= 0 && ix < a->W ? x[iy * a->W + ix] : 0.0f;
                    }
                for (int j = 0; j < 4; j++) {   /* B^T d, down the columns */
                    u[0][j] = d[0][j] - d[2][j];
                    u[1][j] = d[1][j] + d[2][j];
                    u[2][j] = d[2][j] - d[1][j];
                    u[3][j] = d[1][j] - d[3][j];
                }
                float *v = a->dst + c * T + ty * a->TW + tx;
                const int64_t xs = a->ldx > 0 ? a->ldx : a->C * T;   /* from one xi to the next */
                for (int i = 0; i < 4; i++) {   /* (B^T d) B, along the rows */
                    v[(i * 4 + 0) * xs] = u[i][0] - u[i][2];
                    v[(i * 4 + 1) * xs] = u[i][1] + u[i][2];
                    v[(i * 4 + 2) * xs] = u[i][2] - u[i][1];
                    v[(i * 4 + 3) * xs] = u[i][1] - u[i][3];
                }
            }
        for (int xi = 0; xi < 16; xi++)   /* the padding past the tiles */
            for (int64_t t = a->TH * a->TW; t < T; t++)
                a->dst[xi * (a->ldx > 0 ? a->ldx : a->C * T) + c * T + t] = 0.0f;
    }
}

void mote_winograd_out_f32_ref(const mote_winograd_args *a)
{
    const int64_t T = a->ldt > 0 ? a->ldt : a->TH * a->TW, xs = a->ldx > 0 ? a->ldx : a->C * T;
    for (int64_t c = a->c0; c < a->c1; c++) {
        const float b = a->bias ? a->bias[c] : 0.0f;
        float *y = a->dst + c * a->H * a->W;
        for (int64_t ty = 0; ty < a->TH; ty++)
            for (int64_t tx = 0; tx < a->TW; tx++) {
                const float *m = a->src + c * T + ty * a->TW + tx;
                float s[2][4];
                for (int j = 0; j < 4; j++) {   /* A^T m, down the columns */
                    s[0][j] = m[(0 + j) * xs] + m[(4 + j) * xs] + m[(8 + j) * xs];
                    s[1][j] = m[(4 + j) * xs] - m[(8 + j) * xs] - m[(12 + j) * xs];
                }
                for (int r = 0; r < 2; r++) {   /* (A^T m) A, along the rows */
                    int64_t oy = 2 * (a->ty0 + ty) + r, ox = 2 * tx;
                    if (oy >= a->H) break;
                    float y0 = s[r][0] + s[r][1] + s[r][2];
                    float y1 = s[r][1] - s[r][2] - s[r][3];
                    y[oy * a->W + ox] = mote_act_apply_ref(y0 + b, a->act);
                    if (ox + 1 < a->W) y[oy * a->W + ox + 1] = mote_act_apply_ref(y1 + b, a->act);
                }
            }
    }
}
