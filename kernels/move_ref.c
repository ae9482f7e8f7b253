/*
 * move_ref.c — reference data-movement kernels: row copies by offset
 * (Gather, GatherND), a 2-D transpose (Transpose), strided copies
 * (Slice, Split, DepthToSpace,
 * SpaceToDepth), Tile, Pad, Trilu's triangle and ScatterND updates.
 *
 * Elements are opaque blocks of es bytes (any dtype), except for the
 * arithmetic of ScatterND's add/mul reductions. Not the index handling:
 * the ops normalize and bounds-check every index before it gets here.
 */
#include <string.h>
#include "ref.h"

/* y[r*n + i] = x[off[r] + i], i < n */
void mote_copy_rows_ref(const void *x, void *y, size_t es, int64_t n,
                        const int64_t *off, int64_t r0, int64_t r1)
{
    const char *xb = x;
    char *yb = y;
    size_t row = (size_t)n * es;
    for (int64_t r = r0; r < r1; r++)
        memcpy(yb + (size_t)r * row, xb + (size_t)off[r] * es, row);
}

/* Splits row r into the indices of dims[0..nd-1) (last dim excluded). */
static void row_index(int64_t r, int nd, const int64_t *dims, int64_t *idx)
{
    for (int d = nd - 2; d >= 0; d--) {
        idx[d] = r % dims[d];
        r /= dims[d];
    }
}

/* y[i] = x[base + sum_d i_d xs[d]] */
void mote_strided_copy_ref(const void *x, void *y, size_t es, int nd, const int64_t *dims,
                           const int64_t *xs, int64_t base, int64_t r0, int64_t r1)
{
    const char *xb = x;
    char *yb = y;
    int64_t idx[8];
    int64_t n = nd > 0 ? dims[nd - 1] : 1, step = nd > 0 ? xs[nd - 1] : 0;
    for (int64_t r = r0; r < r1; r++) {
        row_index(r, nd, dims, idx);
        int64_t src = base;
        for (int d = 0; d < nd - 1; d++)
            src += idx[d] * xs[d];
        char *dst = yb + (size_t)(r * n) * es;
        if (step == 1) {
            memcpy(dst, xb + (size_t)src * es, (size_t)n * es);
        } else {
            for (int64_t i = 0; i < n; i++)
                memcpy(dst + (size_t)i * es, xb + (size_t)(src + i * step) * es, es);
        }
    }
}

/* y[o] = x[o_d mod in[d]] */
void mote_tile_ref(const void *x, void *y, size_t es, int nd, const int64_t *in,
                   const int64_t *od, int64_t r0, int64_t r1)
{
    const char *xb = x;
    char *yb = y;
    int64_t idx[8];
    int64_t n = nd > 0 ? od[nd - 1] : 1, w = nd > 0 ? in[nd - 1] : 1;
    for (int64_t r = r0; r < r1; r++) {
        row_index(r, nd, od, idx);
        int64_t src = 0;
        for (int d = 0; d < nd - 1; d++)
            src = src * in[d] + idx[d] % in[d];
        src *= w;
        char *dst = yb + (size_t)(r * n) * es;
        for (int64_t i = 0; i < n; i += w) {
            int64_t len = n - i < w ? n - i : w;
            memcpy(dst + (size_t)i * es, xb + (size_t)src * es, (size_t)len * es);
        }
    }
}

/* Source index along one axis, or -1 (constant padding). */
static int64_t pad_src(int64_t i, int64_t n, mote_pad_mode mode)
{
    if (i >= 0 && i < n)
        return i;
    if (mode == MOTE_PAD_CONSTANT || n == 0)
        return -1;
    if (mode == MOTE_PAD_EDGE || n == 1)
        return i < 0 ? 0 : n - 1;
    /* reflect about the first and last element; period 2(n-1) */
    int64_t p = 2 * (n - 1);
    i %= p;
    if (i < 0)
        i += p;
    return i < n ? i : p - i;
}

/* n copies of the es-byte value at dst: one, then doubling copies */
static void fill_value(char *dst, const void *value, size_t es, int64_t n)
{
    if (n <= 0)
        return;
    memcpy(dst, value, es);
    size_t have = es, want = (size_t)n * es;
    while (have < want) {
        size_t c = have < want - have ? have : want - have;
        memcpy(dst + have, dst, c);
        have += c;
    }
}

void mote_pad_ref(const void *x, void *y, size_t es, int nd, const int64_t *in,
                  const int64_t *od, const int64_t *begin, mote_pad_mode mode,
                  const void *value, int64_t r0, int64_t r1)
{
    const char *xb = x;
    char *yb = y;
    int64_t idx[8];
    int64_t n = nd > 0 ? od[nd - 1] : 1;
    for (int64_t r = r0; r < r1; r++) {
        row_index(r, nd, od, idx);
        char *dst = yb + (size_t)(r * n) * es;
        int64_t src = 0;
        int outside = 0;
        for (int d = 0; d < nd - 1; d++) {
            int64_t s = pad_src(idx[d] - begin[d], in[d], mode);
            if (s < 0)
                outside = 1;
            src = src * in[d] + (s < 0 ? 0 : s);
        }
        int64_t w = nd > 0 ? in[nd - 1] : 1, b = nd > 0 ? begin[nd - 1] : 0;
        src *= w;
        if (outside) {
            fill_value(dst, value, es, n);
            continue;
        }
        /* [lo, hi): the outputs whose source lies inside the row, one copy */
        int64_t lo = b > 0 ? b : 0, hi = b + w < n ? b + w : n;
        if (hi < lo)
            lo = hi = n;
        for (int64_t i = 0; i < lo; i++) {
            int64_t s = pad_src(i - b, w, mode);
            memcpy(dst + (size_t)i * es, s < 0 ? value : xb + (size_t)(src + s) * es, es);
        }
        if (hi > lo)
            memcpy(dst + (size_t)lo * es, xb + (size_t)(src + lo - b) * es, (size_t)(hi - lo) * es);
        for (int64_t i = hi > lo ? hi : lo; i < n; i++) {
            int64_t s = pad_src(i - b, w, mode);
            memcpy(dst + (size_t)i * es, s < 0 ? value : xb + (size_t)(src + s) * es, es);
        }
    }
}

/* y[off[r] + i] (=, +=, *=) u[r*n + i] */
void mote_scatter_rows_ref(void *y, const void *u, mote_num t, size_t es, int64_t n,
                           const int64_t *off, int64_t rows, mote_scatter_red red)
{
    for (int64_t r = 0; r < rows; r++) {
        if (red == MOTE_SCATTER_NONE) {
            memcpy((char *)y + (size_t)off[r] * es, (const char *)u + (size_t)(r * n) * es,
                   (size_t)n * es);
            continue;
        }
        for (int64_t i = 0; i < n; i++) {
            int64_t d = off[r] + i, s = r * n + i;
            switch (t) {
            case MOTE_NUM_F32:
                if (red == MOTE_SCATTER_ADD) ((float *)y)[d] += ((const float *)u)[s];
                else ((float *)y)[d] *= ((const float *)u)[s];
                break;
            case MOTE_NUM_I32:
                if (red == MOTE_SCATTER_ADD) ((int32_t *)y)[d] += ((const int32_t *)u)[s];
                else ((int32_t *)y)[d] *= ((const int32_t *)u)[s];
                break;
            case MOTE_NUM_I64:
                if (red == MOTE_SCATTER_ADD) ((int64_t *)y)[d] += ((const int64_t *)u)[s];
                else ((int64_t *)y)[d] *= ((const int64_t *)u)[s];
                break;
            default:
                break;
            }
        }
    }
}

/* Trilu over matrices r0..r1 of an (n, m) stack: y[i][j] = x[i][j] where
 * j - i >= k (upper) or j - i <= k (lower), else 0 (all-zero bytes). */
void mote_trilu_ref(const void *x, void *y, size_t es, int64_t n, int64_t m, int64_t k,
                    int upper, int64_t r0, int64_t r1)
{
    const char *xb = x;
    char *yb = y;
    for (int64_t r = r0; r < r1; r++)
        for (int64_t i = 0; i < n; i++) {
            size_t row = ((size_t)r * (size_t)n + (size_t)i) * (size_t)m * es;
            for (int64_t j = 0; j < m; j++) {
                int keep = upper ? j - i >= k : j - i <= k;
                if (keep)
                    memcpy(yb + row + (size_t)j * es, xb + row + (size_t)j * es, es);
                else
                    memset(yb + row + (size_t)j * es, 0, es);
            }
        }
}

/* y[r*ldy + c] = x[c*ldx + r], r < R, c < C */
void mote_transpose_32_ref(int64_t R, int64_t C, const uint32_t *x, int64_t ldx, uint32_t *y,
                           int64_t ldy)
{
    for (int64_t r = 0; r < R; r++)
        for (int64_t c = 0; c < C; c++)
            y[r * ldy + c] = x[c * ldx + r];
}

/* The same copies in b x b tiles (what the table kernels do where they
 * have no vector form): each tile's reads and writes stay in a few lines. */
void mote_transpose_32_tiles_ref(int64_t R, int64_t C, const uint32_t *x, int64_t ldx, uint32_t *y,
                                 int64_t ldy, int64_t b)
{
    for (int64_t r0 = 0; r0 < R; r0 += b)
        for (int64_t c0 = 0; c0 < C; c0 += b) {
            int64_t r1 = r0 + b < R ? r0 + b : R, c1 = c0 + b < C ? c0 + b : C;
            for (int64_t r = r0; r < r1; r++)
                for (int64_t c = c0; c < c1; c++)
                    y[r * ldy + c] = x[c * ldx + r];
        }
}
