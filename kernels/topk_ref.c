/*
 * topk_ref.c — reference CumSum and TopK along one axis of a tensor viewed
 * as (outer, n, inner). Not the axis handling (the op computes the view).
 */
#include "ref.h"

/* Running sums in index order (or reverse index order) along n. */
#define CUMSUM_LOOP(T)                                                        \
    do {                                                                      \
        const T *xs = (const T *)x + o * n * inner + i;                      \
        T *ys = (T *)y + o * n * inner + i;                                   \
        T acc = 0;                                                            \
        for (int64_t s = 0; s < n; s++) {                                     \
            int64_t j = reverse ? n - 1 - s : s;                              \
            if (exclusive) { ys[j * inner] = acc; acc += xs[j * inner]; }     \
            else { acc += xs[j * inner]; ys[j * inner] = acc; }               \
        }                                                                     \
    } while (0)

/*
 * y[o,j,i] = sum_{k <= j} x[o,k,i]   (exclusive: k < j; reverse: k >= j / k > j)
 */
void mote_cumsum_ref(const void *x, void *y, mote_num t, int64_t n, int64_t inner,
                     int exclusive, int reverse, int64_t r0, int64_t r1)
{
    for (int64_t r = r0; r < r1; r++) {
        int64_t o = r / inner, i = r % inner;
        switch (t) {
        case MOTE_NUM_F32: CUMSUM_LOOP(float); break;
        case MOTE_NUM_I32: CUMSUM_LOOP(int32_t); break;
        case MOTE_NUM_I64: CUMSUM_LOOP(int64_t); break;
        default: break;
        }
    }
}
#undef CUMSUM_LOOP

/* a comes before b in the result: better value, or equal value and lower index */
static int before(const float *v, int64_t inner, int64_t a, int64_t b, int largest)
{
    float va = v[a * inner], vb = v[b * inner];
    if (va != vb)
        return largest ? va > vb : va < vb;
    return a < b;
}

/*
 * For each row, the first k of the indices 0..n-1 ordered by `before`,
 * kept sorted in tmp[0..k) by insertion (O(n k)); then
 * vals[o,t,i] = x[o,tmp[t],i] and idx[o,t,i] = tmp[t].
 */
void mote_topk_f32_ref(const float *x, int64_t n, int64_t inner, int64_t k, int largest,
                       float *vals, int64_t *idx, int64_t *tmp, int64_t r0, int64_t r1)
{
    if (k <= 0)
        return;
    for (int64_t r = r0; r < r1; r++) {
        int64_t o = r / inner, i = r % inner;
        const float *xr = x + o * n * inner + i;
        /* selection of the k best by insertion into a sorted prefix of tmp */
        int64_t m = 0;
        for (int64_t j = 0; j < n; j++) {
            if (m == k && !before(xr, inner, j, tmp[m - 1], largest))
                continue;
            int64_t p = m < k ? m++ : k - 1;
            while (p > 0 && before(xr, inner, j, tmp[p - 1], largest)) {
                tmp[p] = tmp[p - 1];
                p--;
            }
            tmp[p] = j;
        }
        for (int64_t t = 0; t < k; t++) {
            vals[(o * k + t) * inner + i] = xr[tmp[t] * inner];
            idx[(o * k + t) * inner + i] = tmp[t];
        }
    }
}
