/*
 * reduce_ref.c — reference reductions: Reduce{Sum,Mean,Max,Min,Prod,L1,L2,
 * LogSum,LogSumExp,SumSquare} over any set of axes, and ArgMax / ArgMin
 * along one axis. The formulas are at mote_reduce_kind (ref.h).
 * Not the op layer (src/ops/reduce.c), which works out which dims
 * are kept and which reduced.
 */
#include <math.h>
#include "ref.h"

/* Offset in x of flat index i over dims (row-major) with strides st. */
static int64_t offset_of(int64_t i, int nd, const int64_t *dims, const int64_t *st)
{
    int64_t off = 0;
    for (int d = nd - 1; d >= 0; d--) {
        off += (i % dims[d]) * st[d];
        i /= dims[d];
    }
    return off;
}

void mote_reduce_f32_ref(const mote_reduce_args *a)
{
    int64_t nred = 1;
    for (int d = 0; d < a->nr; d++)
        nred *= a->rdims[d];
    for (int64_t o = a->o0; o < a->o1; o++) {
        const float *x = a->x + offset_of(o, a->nk, a->kdims, a->kstr);
        double acc;
        switch (a->kind) {
        case MOTE_RED_MAX: acc = -INFINITY; break;
        case MOTE_RED_MIN: acc = INFINITY; break;
        case MOTE_RED_PROD: acc = 1.0; break;
        default: acc = 0.0; break;
        }
        /* log-sum-exp: the max first, so e^(x - m) <= 1 cannot overflow */
        double m = -INFINITY;
        if (a->kind == MOTE_RED_LOG_SUM_EXP)
            for (int64_t r = 0; r < nred; r++) {
                double v = x[offset_of(r, a->nr, a->rdims, a->rstr)];
                if (v > m) m = v;
            }
        for (int64_t r = 0; r < nred; r++) {
            double v = x[offset_of(r, a->nr, a->rdims, a->rstr)];
            switch (a->kind) {
            case MOTE_RED_MAX: if (v > acc || isnan(v)) acc = v; break;
            case MOTE_RED_MIN: if (v < acc || isnan(v)) acc = v; break;
            case MOTE_RED_PROD: acc *= v; break;
            case MOTE_RED_L1: acc += fabs(v); break;
            case MOTE_RED_L2: case MOTE_RED_SUM_SQUARE: acc += v * v; break;
            case MOTE_RED_LOG_SUM_EXP: acc += exp(v - m); break;
            default: acc += v; break;   /* SUM, MEAN, LOG_SUM */
            }
        }
        switch (a->kind) {
        case MOTE_RED_MEAN: acc = nred ? acc / (double)nred : NAN; break;
        case MOTE_RED_L2: acc = sqrt(acc); break;
        case MOTE_RED_LOG_SUM: acc = log(acc); break;
        case MOTE_RED_LOG_SUM_EXP: acc = nred && isfinite(m) ? m + log(acc) : m; break;
        default: break;
        }
        a->y[o] = (float)acc;
    }
}

void mote_argreduce_f32_ref(int is_min, int select_last, int64_t n, int64_t inner,
                            const float *x, int64_t *y, int64_t o0, int64_t o1)
{
    for (int64_t o = o0; o < o1; o++)
        for (int64_t i = 0; i < inner; i++) {
            const float *row = x + o * n * inner + i;
            int64_t best = 0;
            for (int64_t k = 1; k < n; k++) {
                float v = row[k * inner], b = row[best * inner];
                int better = is_min ? v < b : v > b;
                if (better || (select_last && v == b))
                    best = k;
            }
            y[o * inner + i] = best;
        }
}
