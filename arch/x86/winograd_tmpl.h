/*
 * winograd_tmpl.h — the Winograd F(2x2,3x3) input and output transforms
 * (kernels.h: mote_winograd_args), written once over the vector shim and
 * instantiated per ISA (winograd_<isa>.c defines WINO_NAME and w_zip, which
 * interleaves two vectors).
 *
 * Both run VLEN tiles of one tile row at a time: the transformed domain
 * keeps a tile row's tiles contiguous, and tile tx's columns 2tx .. 2tx + 3
 * are four stride-2 loads (v_load_s2) from a zero-padded copy of the input
 * row (a ring of four, each input row copied once per channel). The
 * output's two columns per tile are interleaved by w_zip. The additions
 * are the reference's, in its order: the same bits (the activation aside,
 * which is the shim's v_act). Rows wider than WINO_ROW floats once padded
 * take the reference.
 */
#include <stdint.h>
#include "kernels.h"
#include "ref.h"
#include "vmath.h"

#if defined(__GNUC__) || defined(__clang__)
#define W_UNROLL _Pragma("GCC unroll 16")
#else
#define W_UNROLL
#endif

/* floats in one padded input row (four on the stack: 33 KiB); a multiple
 * of VLEN */
#define WINO_ROW 2112

void WINO_NAME(in)(const mote_winograd_args *a)
{
    const int64_t H = a->H, W = a->W, TW = a->TW, T = a->ldt > 0 ? a->ldt : a->TH * a->TW,
                  xs = a->ldx > 0 ? a->ldx : a->C * T;
    /* the last block's loads reach column 2 (TWv - VLEN) + 3 + 2 VLEN - 1 */
    const int64_t TWv = (TW + VLEN - 1) / VLEN * VLEN, L = 2 * TWv + VLEN;
    if (L > WINO_ROW || a->pw + W > L) {
        mote_winograd_in_f32_ref(a);
        return;
    }
    _Alignas(64) float ring[4][WINO_ROW];
    for (int64_t c = a->c0; c < a->c1; c++) {
        const float *x = a->src + c * H * W;
        int64_t tag[4] = { INT64_MIN, INT64_MIN, INT64_MIN, INT64_MIN };
        for (int64_t ty = 0; ty < a->TH; ty++) {
            const float *rows[4];
            for (int r = 0; r < 4; r++) {
                int64_t iy = 2 * (a->ty0 + ty) - a->ph + r;
                int slot = (int)(((iy % 4) + 4) % 4);
                float *row = ring[slot];
                if (tag[slot] != iy) {
                    tag[slot] = iy;
                    for (int64_t j = 0; j < L; j += VLEN) v_store(row + j, v_zero());
                    if (iy >= 0 && iy < H)
                        for (int64_t j = 0; j < W; j += VLEN)
                            v_store_n(row + a->pw + j, v_load_n(x + iy * W + j, W - j), W - j);
                }
                rows[r] = row;
            }
            float *dst = a->dst + c * T + ty * TW;
            for (int64_t tx = 0; tx < TW; tx += VLEN) {
                vf d[4][4], u[4][4];
                W_UNROLL for (int r = 0; r < 4; r++)
                    W_UNROLL for (int j = 0; j < 4; j++) d[r][j] = v_load_s2(rows[r] + 2 * tx + j);
                W_UNROLL for (int j = 0; j < 4; j++) {
                    u[0][j] = v_sub(d[0][j], d[2][j]);
                    u[1][j] = v_add(d[1][j], d[2][j]);
                    u[2][j] = v_sub(d[2][j], d[1][j]);
                    u[3][j] = v_sub(d[1][j], d[3][j]);
                }
                const int64_t n = TW - tx;
                W_UNROLL for (int i = 0; i < 4; i++) {
                    vf v[4] = { v_sub(u[i][0], u[i][2]), v_add(u[i][1], u[i][2]),
                                v_sub(u[i][2], u[i][1]), v_sub(u[i][1], u[i][3]) };
                    W_UNROLL for (int k = 0; k < 4; k++) {
                        float *p = dst + (i * 4 + k) * xs + tx;
                        if (n >= VLEN) v_store(p, v[k]);
                        else v_store_n(p, v[k], n);
                    }
                }
            }
        }
        /* the padding past the tiles: zeros */
        for (int xi = 0; xi < 16; xi++)
            for (int64_t t = a->TH * TW; t < T; t += VLEN) v_store_n(a->dst + xi * xs + c * T + t, v_zero(), T - t);
    }
}

/* out[0, n) = the interleaving a0 b0 a1 b1 ..., n <= 2 VLEN */
static inline void w_store_pairs(float *out, vf a, vf b, int64_t n)
{
    vf lo, hi;
    w_zip(a, b, &lo, &hi);
    if (n >= 2 * VLEN) {
        v_store(out, lo);
        v_store(out + VLEN, hi);
    } else if (n > VLEN) {
        v_store(out, lo);
        v_store_n(out + VLEN, hi, n - VLEN);
    } else {
        v_store_n(out, lo, n);
    }
}

/* v_act with its three cheap cases inline: GCC leaves v_act itself out of
 * line (its sigmoid, tanh and GELU cases), a call per output vector */
static inline vf w_act(vf x, const mote_act *act)
{
    switch (act->kind) {
    case MOTE_ACT_NONE: return x;
    case MOTE_ACT_RELU: return v_max(x, v_zero());
    case MOTE_ACT_CLIP: return v_min(v_max(x, v_set1(act->alpha)), v_set1(act->beta));
    default: return v_act(x, act);
    }
}

void WINO_NAME(out)(const mote_winograd_args *a)
{
    const int64_t OH = a->H, OW = a->W, TW = a->TW, T = a->ldt > 0 ? a->ldt : a->TH * a->TW,
                  xs = a->ldx > 0 ? a->ldx : a->C * T;
    for (int64_t c = a->c0; c < a->c1; c++) {
        const vf bv = v_set1(a->bias ? a->bias[c] : 0.0f);
        float *y = a->dst + c * OH * OW;
        for (int64_t ty = 0; ty < a->TH; ty++) {
            const float *src = a->src + c * T + ty * TW;
            const int64_t oy = 2 * (a->ty0 + ty);
            if (oy >= OH) break;
            const int two = oy + 1 < OH;
            for (int64_t tx = 0; tx < TW; tx += VLEN) {
                const int64_t n = TW - tx;
                vf m[16];
                W_UNROLL for (int k = 0; k < 16; k++)
                    m[k] = n >= VLEN ? v_load(src + k * xs + tx) : v_load_n(src + k * xs + tx, n);
                vf s[2][4];
                W_UNROLL for (int j = 0; j < 4; j++) {
                    s[0][j] = v_add(v_add(m[j], m[4 + j]), m[8 + j]);
                    s[1][j] = v_sub(v_sub(m[4 + j], m[8 + j]), m[12 + j]);
                }
                int64_t cols = OW - 2 * tx;
                if (cols > 2 * VLEN) cols = 2 * VLEN;
                for (int r = 0; r < 1 + two; r++) {
                    vf y0 = v_add(v_add(s[r][0], s[r][1]), s[r][2]);
                    vf y1 = v_sub(v_sub(s[r][1], s[r][2]), s[r][3]);
                    y0 = w_act(v_add(y0, bv), &a->act);
                    y1 = w_act(v_add(y1, bv), &a->act);
                    w_store_pairs(y + (oy + r) * OW + 2 * tx, y0, y1, cols);
                }
            }
        }
    }
}
