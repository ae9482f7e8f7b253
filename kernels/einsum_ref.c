/*
 * einsum_ref.c — the reference Einsum contraction over letter indices. The
 * op parses the equation and gives each letter a size and a stride per
 * operand; this file only walks the index space.
 */
#include "ref.h"

/*
 * y[v_0..v_{no-1}] = sum over v_no..v_{nl-1} of prod_k x_k[sum_l v_l st[k][l]]
 * (summed letters enumerated with the last one fastest).
 */
void mote_einsum_f32_ref(int nops, const float *const *x, const int64_t *const *st,
                         int nl, int no, const int64_t *sz, float *y, int64_t e0, int64_t e1)
{
    int64_t v[64];
    for (int64_t e = e0; e < e1; e++) {
        int64_t r = e;
        for (int l = no - 1; l >= 0; l--) {
            v[l] = r % sz[l];
            r /= sz[l];
        }
        int empty = 0;
        for (int l = no; l < nl; l++) {
            v[l] = 0;
            empty |= sz[l] == 0;
        }
        float acc = 0.0f;
        while (!empty) {
            float p = 1.0f;
            for (int k = 0; k < nops; k++) {
                int64_t off = 0;
                for (int l = 0; l < nl; l++)
                    off += v[l] * st[k][l];
                p *= x[k][off];
            }
            acc += p;
            int l = nl - 1;
            while (l >= no && ++v[l] == sz[l])
                v[l--] = 0;
            if (l < no)
                break;
        }
        y[e] = acc;
    }
}
