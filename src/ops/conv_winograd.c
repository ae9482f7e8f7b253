/*
 * conv_winograd.c — the Winograd F(2x2,3x3) convolution engine (see
 * conv_winograd.h; the transforms' specification is kernels/winograd_ref.c).
 *
 * Why F(2x2,3x3): 16 products of (OC x C) by (C x T) do the work of
 * 9 * 4 = 36 per tile (2.25x fewer multiply-adds than im2col + GEMM), its
 * transforms only add (their rounding is that of a few additions: the
 * result stays within a few ulps of the sum's magnitude, tested against the
 * direct reference), and its 4x4 tiles waste little on ResNet's 56..7 maps.
 */
#include <string.h>
#include "conv_winograd.h"
#include "graph/internal.h"
#include "runtime/prepared.h"

/* phased: tile columns per GEMM call, at most (a packed block of V_xi) */
#define WINO_MAX_COLS 384
/* blocked: U (16 OC C floats) at most this (256 KiB), and a block's V and
 * M together at most this (1 MiB): within a core's L2 beside U (measured,
 * AVX-512, 1 thread, ResNet-18: 56x56 x 64 channels 1.5-1.8 -> 1.2-1.3 ms
 * blocked; 28x28 x 128, U 1 MiB, 1.13-1.27 -> 1.31-1.45: phased there) */
#define WINO_U_FLOATS 65536
#define WINO_VM_FLOATS 262144
/* blocked: tiles per block, at most */
#define WINO_BLOCK_TILES 128

/* n rounded up to a multiple of m (whole GEMM panels) */
static int64_t panels(int64_t n, int64_t m) { return (n + m - 1) / m * m; }

/* Tile rows per block: the most, up to bmax, that best trades the GEMM's
 * last NR-wide panel against the balance of the blocks split between two
 * threads (ties to more rows); from the shape alone. */
static int64_t pick_block_rows(int64_t TH, int64_t TW, int64_t bmax, int64_t nr)
{
    int64_t best = 1;
    double best_score = -1;
    for (int64_t b = 1; b <= bmax && b <= TH; b++) {
        int64_t tiles = b * TW, nb = (TH + b - 1) / b;
        double fill = (double)tiles / (double)panels(tiles, nr);
        int64_t rows0 = (nb + 1) / 2 * b;
        if (rows0 > TH) rows0 = TH;
        double score = fill * (double)TH / (double)(2 * rows0);
        if (score >= best_score - 1e-9) {
            best_score = score > best_score ? score : best_score;
            best = b;
        }
    }
    return best;
}

/* Floats from one xi's matrix (rows x ldt) to the next: at least
 * rows * ldt, a whole number of 64-byte lines, and an odd one, so the 16
 * values of a tile fall in 16 different L1 sets (64 channels of 128 tiles,
 * 32 KiB apart, all landed in one: the input transform took 1.8x as long) */
static int64_t plane(int64_t rows, int64_t ldt)
{
    int64_t xs = (rows * ldt + 15) / 16 * 16;
    return (xs / 16) % 2 ? xs : xs + 16;
}

bool mote_conv_wino_lattice(const mote_conv2d_args *g)
{
    int64_t d = g->dh;
    return d > 1 && g->dw == d && g->sh == 1 && g->sw == 1 && g->KH == 3 && g->KW == 3 &&
           g->H % d == 0 && g->W % d == 0 && g->OH % d == 0 && g->OW % d == 0 && g->ph % d == 0 &&
           g->pw % d == 0 && g->ph >= 0 && g->pw >= 0;
}

/* the lattice's combined image (conv_winograd.h): sub-image columns W/d
 * with left pad pw/d in blocks of Wb >= both OW/d + 2 and pw/d + W/d */
static void lattice_geometry(const mote_conv2d_args *g, mote_conv2d_args *s, int64_t *q, int64_t *Wb)
{
    int64_t d = g->dh, sw = g->W / d, sow = g->OW / d;
    *s = *g;
    *q = g->pw / d;
    *Wb = sow + 2 > *q + sw ? sow + 2 : *q + sw;
    s->H = g->H / d; s->OH = g->OH / d; s->ph = g->ph / d;
    s->W = d * *Wb; s->OW = d * *Wb - 2; s->pw = 0;
    s->dh = s->dw = 1;
}

int64_t mote_conv_wino_tiles(const mote_conv2d_args *g)
{
    mote_conv2d_args s = *g;
    int64_t q, Wb;
    if (g->dh > 1 || g->dw > 1) lattice_geometry(g, &s, &q, &Wb);
    return ((s.OH + 1) / 2) * ((s.OW + 1) / 2);
}

static mote_status wino_prepare(mote_op_ctx *c, mote_conv_wino *p, const mote_conv2d_args *g,
                                int64_t N, const float *w, size_t *scratch);

mote_status mote_conv_wino_prepare(mote_op_ctx *c, mote_conv_wino *p, const mote_conv2d_args *g,
                                   int64_t N, const float *w, size_t *scratch)
{
    if (g->dh <= 1 && g->dw <= 1) {
        mote_status st = wino_prepare(c, p, g, N, w, scratch);
        p->d = 1;
        p->img_N = N;
        return st;
    }
    if (!mote_conv_wino_lattice(g))
        return mote_op_error(c, MOTE_ERR_UNSUPPORTED, "Winograd: dilation %lld does not tile this shape",
                             (long long)g->dh);
    int64_t d = g->dh, q, Wb;
    mote_conv2d_args s;
    lattice_geometry(g, &s, &q, &Wb);
    size_t inner = 0;
    mote_status st = wino_prepare(c, p, &s, d, w, &inner);
    if (st)
        return st;
    p->d = d;
    p->img_N = N;
    p->fH = g->H; p->fW = g->W; p->fOH = g->OH; p->fOW = g->OW;
    p->q = q;
    p->Wb = Wb;
    p->xs_bytes = mote_align_up((size_t)(d * g->C * s.H * s.W) * sizeof(float), 64);
    p->ys_bytes = mote_align_up((size_t)(d * g->OC * s.OH * s.OW) * sizeof(float), 64);
    if (!mote_add_size(inner, p->xs_bytes + p->ys_bytes, scratch))
        return mote_op_error(c, MOTE_ERR_NOMEM, "Winograd scratch size overflows");
    return MOTE_OK;
}

static mote_status wino_prepare(mote_op_ctx *c, mote_conv_wino *p, const mote_conv2d_args *g,
                                int64_t N, const float *w, size_t *scratch)
{
    memset(p, 0, sizeof *p);
    p->C = g->C; p->H = g->H; p->W = g->W;
    p->OC = g->OC; p->OH = g->OH; p->OW = g->OW;
    p->ph = g->ph; p->pw = g->pw;
    p->act = g->act;
    p->N = N;
    p->TH = (g->OH + 1) / 2;
    p->TW = (g->OW + 1) / 2;
    p->T = p->TH * p->TW;
    p->k = c->k;
    const mote_general_kernels *k = &c->k->general;
    int64_t nr = k->gemm_nr ? k->gemm_nr() : 16;
    int packed = k->gemm_packed_a_f32 && k->gemm_pack_a && k->gemm_pack_a_bytes && k->gemm_mr &&
                 k->gemm_packed_a_scratch_bytes;
    int threads = c->threads > 0 ? c->threads : 1;
    /* blocked when U stays in cache and a block can hold a whole tile row */
    int64_t bt_max = WINO_VM_FLOATS / (16 * (p->C + p->OC));
    if (bt_max > WINO_BLOCK_TILES) bt_max = WINO_BLOCK_TILES;
    if (16 * p->OC * p->C <= WINO_U_FLOATS && bt_max >= p->TW && p->TH > 1) {
        p->brows = pick_block_rows(p->TH, p->TW, bt_max / p->TW, nr);
        p->nbr = (p->TH + p->brows - 1) / p->brows;
    }
    int64_t cols;   /* the most tile columns one GEMM call takes, padded */
    p->nr = nr;
    if (p->brows) {
        cols = panels(p->brows * p->TW, nr);
        p->nblk = cols;
    } else {
        int64_t blocks = (p->T + WINO_MAX_COLS - 1) / WINO_MAX_COLS;
        int64_t per = (p->T + blocks - 1) / blocks;
        p->nblk = panels(per, nr);
        p->ldt = panels(p->T, nr);
        cols = p->ldt;
        p->vx = plane(p->C, p->ldt);
        p->mx = plane(p->OC, p->ldt);
    }
    /* the 16 U_xi: packed (each made in a buffer of one U_xi, only while
     * the model has no packing yet), else kept plain for gemm_f32 */
    size_t ubytes;
    if (!mote_mul_size(sizeof(float), (size_t)(p->OC * p->C), &ubytes))
        return mote_op_error(c, MOTE_ERR_NOMEM, "Winograd weights overflow");
    bool fill;
    if (packed) {
        float *tmp = NULL;
        for (int xi = 0; xi < 16; xi++) {
            /* keyed by W and xi: an entry per transformed matrix */
            mote_prep_key ka = { .tag = MOTE_PREP_WINOGRAD_F2, .src = w,
                                 .p = { p->OC, p->C, xi, 1 } };
            void *ap = mote_ctx_prepared(c, &ka, k->gemm_pack_a_bytes(p->OC, p->C), &fill);
            if (!ap)
                return MOTE_ERR_NOMEM;   /* the session reads c->alloc_status */
            if (fill) {
                if (!tmp && !(tmp = mote_ctx_alloc_aligned(c, ubytes)))
                    return MOTE_ERR_NOMEM;
                mote_winograd_f2_weights(p->OC, p->C, w, xi, tmp);
                k->gemm_pack_a(p->OC, p->C, tmp, p->C, 0, ap);
            }
            p->Up[xi] = ap;
        }
        p->gemm_scratch = mote_align_up(k->gemm_packed_a_scratch_bytes(cols, p->C), 64);
    } else {
        size_t all;
        if (!mote_mul_size(16, ubytes, &all))
            return mote_op_error(c, MOTE_ERR_NOMEM, "Winograd weights overflow");
        mote_prep_key key = { .tag = MOTE_PREP_WINOGRAD_F2, .src = w, .p = { p->OC, p->C, 16, 0 } };
        float *U = mote_ctx_prepared(c, &key, all, &fill);
        if (!U)
            return MOTE_ERR_NOMEM;
        if (fill)
            for (int xi = 0; xi < 16; xi++)
                mote_winograd_f2_weights(p->OC, p->C, w, xi, U + (size_t)xi * (size_t)(p->OC * p->C));
        p->U = U;
    }
    p->v_bytes = mote_align_up((size_t)16 * (size_t)plane(p->C, cols) * sizeof(float), 64);
    p->m_bytes = mote_align_up((size_t)16 * (size_t)plane(p->OC, cols) * sizeof(float), 64);
    size_t total;
    if (p->brows) {   /* V, M and GEMM scratch per thread */
        if (!mote_mul_size(p->v_bytes + p->m_bytes + p->gemm_scratch, (size_t)threads, &total))
            return mote_op_error(c, MOTE_ERR_NOMEM, "Winograd scratch size overflows");
    } else {          /* V and M shared, GEMM scratch per thread */
        size_t gs;
        if (!mote_mul_size(p->gemm_scratch, (size_t)threads, &gs) ||
            !mote_add_size(p->v_bytes + p->m_bytes, gs, &total))
            return mote_op_error(c, MOTE_ERR_NOMEM, "Winograd scratch size overflows");
    }
    *scratch = total;
    return MOTE_OK;
}

/* M_xi[:, n0:n1] = U_xi V_xi[:, n0:n1] with V_xi (C x T), M_xi (OC x T),
 * row-major with leading dimension T */
static void product(const mote_conv_wino *p, int xi, const float *V, float *M, int64_t T,
                    int64_t n0, int64_t n1, void *gemm_scratch)
{
    if (p->Up[xi]) {
        mote_gemm_packed_a_args g = {
            .M = p->OC, .N = T, .K = p->C, .Ap = p->Up[xi], .B = V, .ldb = T,
            .C = M, .ldc = T, .bias = NULL, .bias_per_row = 0,
            .act = { MOTE_ACT_NONE, 0, 0 }, .m0 = 0, .m1 = p->OC, .n0 = n0, .n1 = n1,
            .scratch = gemm_scratch,
        };
        p->k->general.gemm_packed_a_f32(&g);
    } else {
        mote_gemm_args g = {
            .M = p->OC, .N = n1 - n0, .K = p->C, .A = p->U + xi * p->OC * p->C, .lda = p->C,
            .trans_a = 0, .B = V + n0, .ldb = T, .trans_b = 0, .C = M + n0, .ldc = T,
            .alpha = 1.0f, .beta = 0.0f, .bias = NULL, .bias_per_row = 0,
            .act = { MOTE_ACT_NONE, 0, 0 },
        };
        p->k->general.gemm_f32(&g);
    }
}

typedef struct wino_job {
    const mote_conv_wino *p;
    const float *x, *bias;
    float *y;
    unsigned char *scratch;
    mote_winograd_args a;       /* phased: the transform, channels per chunk */
    int out;                    /* phased: the output transform            */
    const mote_conv_res *res;   /* the residual step, or NULL              */
} wino_job;

/* blocked: [b, e) indexes (image, block of tile rows) */
static void block_chunk(void *ctx, int64_t b, int64_t e, int thread)
{
    const wino_job *j = ctx;
    const mote_conv_wino *p = j->p;
    unsigned char *mine = j->scratch + (size_t)thread * (p->v_bytes + p->m_bytes + p->gemm_scratch);
    float *V = (float *)mine, *M = (float *)(mine + p->v_bytes);
    void *gs = mine + p->v_bytes + p->m_bytes;
    for (int64_t i = b; i < e; i++) {
        int64_t n = i / p->nbr, ty0 = (i % p->nbr) * p->brows;
        int64_t th = ty0 + p->brows < p->TH ? p->brows : p->TH - ty0;
        int64_t T = panels(th * p->TW, p->nr);
        int64_t vx = plane(p->C, T), mx = plane(p->OC, T);
        mote_winograd_args a = { .C = p->C, .H = p->H, .W = p->W, .ph = p->ph, .pw = p->pw,
                                 .ty0 = ty0, .TH = th, .TW = p->TW, .ldt = T, .ldx = vx,
                                 .src = j->x + n * p->C * p->H * p->W, .dst = V,
                                 .act = { MOTE_ACT_NONE, 0, 0 }, .c0 = 0, .c1 = p->C };
        p->k->general.winograd_in_f32(&a);
        for (int xi = 0; xi < 16; xi++)
            product(p, xi, V + xi * vx, M + xi * mx, T, 0, T, gs);
        mote_winograd_args o = { .C = p->OC, .H = p->OH, .W = p->OW, .ty0 = ty0, .TH = th,
                                 .TW = p->TW, .ldt = T, .ldx = mx, .src = M,
                                 .dst = j->y + n * p->OC * p->OH * p->OW,
                                 .bias = j->bias, .act = p->act, .c0 = 0, .c1 = p->OC };
        p->k->general.winograd_out_f32(&o);
        /* the block's output rows of each channel, while in cache */
        int64_t oy0 = 2 * ty0, oy1 = 2 * (ty0 + th) < p->OH ? 2 * (ty0 + th) : p->OH;
        for (int64_t oc = 0; j->res && oc < p->OC; oc++) {
            int64_t off = ((n * p->OC + oc) * p->OH + oy0) * p->OW;
            j->res->fn(j->res->ctx, j->y + off, j->res->r + off, (oy1 - oy0) * p->OW);
        }
    }
}

/* phased: channels [b, e) of one transform */
static void transform_chunk(void *ctx, int64_t b, int64_t e, int thread)
{
    (void)thread;
    const wino_job *j = ctx;
    mote_winograd_args a = j->a;
    a.c0 = b;
    a.c1 = e;
    if (j->out) {
        j->p->k->general.winograd_out_f32(&a);
        if (j->res) {   /* channels [b, e), while in cache */
            int64_t ohw = j->p->OH * j->p->OW, off = (a.dst - j->y) + b * ohw;
            j->res->fn(j->res->ctx, j->y + off, j->res->r + off, (e - b) * ohw);
        }
    } else
        j->p->k->general.winograd_in_f32(&a);
}

/* phased: [b, e) indexes (xi, block of tile columns) */
static void gemm_chunk(void *ctx, int64_t b, int64_t e, int thread)
{
    const wino_job *j = ctx;
    const mote_conv_wino *p = j->p;
    const float *V = (const float *)j->scratch;
    float *M = (float *)(j->scratch + p->v_bytes);
    void *gs = j->scratch + p->v_bytes + p->m_bytes + (size_t)thread * p->gemm_scratch;
    int64_t nb = (p->ldt + p->nblk - 1) / p->nblk;
    for (int64_t i = b; i < e; i++) {
        int xi = (int)(i / nb);
        int64_t n0 = (i % nb) * p->nblk, n1 = n0 + p->nblk < p->ldt ? n0 + p->nblk : p->ldt;
        product(p, xi, V + xi * p->vx, M + xi * p->mx, p->ldt, n0, n1, gs);
    }
}

static void wino_run(const mote_conv_wino *p, mote_pool *pool, const float *x, const float *bias,
                     float *y, void *scratch, const mote_conv_res *res);

typedef struct lattice_job {
    const mote_conv_wino *p;
    const float *src;
    float *dst;
    int64_t planes;             /* channels                                */
    int out;                    /* 0: image -> combined, 1: back           */
    const mote_conv_res *res;   /* back: the residual step, or NULL        */
    const float *r;             /* back: this image's residual             */
} lattice_job;

/* channels [b, e) between an image (or output) and its d combined images
 * (d, planes, rows, cols): row y of a plane is row y / d of the combined
 * image y % d, its column d*j + b' column b' * Wb + q + j there (output:
 * b' * Wb + j); in, the pads are written as zeros. */
static void lattice_chunk(void *ctx, int64_t b, int64_t e, int thread)
{
    (void)thread;
    const lattice_job *j = ctx;
    const mote_conv_wino *p = j->p;
    int64_t d = p->d, Wb = p->Wb;
    int64_t H = j->out ? p->fOH : p->fH, W = j->out ? p->fOW : p->fW;
    int64_t rows = H / d, cols = j->out ? p->OW : p->W, n = W / d, q = j->out ? 0 : p->q;
    for (int64_t c = b; c < e; c++) {
        for (int64_t y = 0; y < H; y++) {
            float *full = (j->out ? j->dst : (float *)j->src) + (c * H + y) * W;
            float *comb = (j->out ? (float *)j->src : j->dst) +
                          (((y % d) * j->planes + c) * rows + y / d) * cols;
            if (!j->out)
                memset(comb, 0, sizeof(float) * (size_t)cols);
            for (int64_t bb = 0; bb < d; bb++) {
                float *blk = comb + bb * Wb + q;
                if (j->out)
                    for (int64_t i = 0; i < n; i++) full[i * d + bb] = blk[i];
                else
                    for (int64_t i = 0; i < n; i++) blk[i] = full[i * d + bb];
            }
        }
        if (j->res)   /* channel c is whole: its residual step, in cache */
            j->res->fn(j->res->ctx, j->dst + c * H * W, j->r + c * H * W, H * W);
    }
}

void mote_conv_wino_run(const mote_conv_wino *p, mote_pool *pool, const float *x,
                        const float *bias, float *y, void *scratch, const mote_conv_res *res)
{
    if (p->d <= 1) {
        wino_run(p, pool, x, bias, y, scratch, res && res->r ? res : NULL);
        return;
    }
    float *xs = scratch, *ys = (float *)((char *)scratch + p->xs_bytes);
    void *inner = (char *)scratch + p->xs_bytes + p->ys_bytes;
    for (int64_t n = 0; n < p->img_N; n++) {
        lattice_job in = { p, x + n * p->C * p->fH * p->fW, xs, p->C, 0, NULL, NULL };
        mote_pool_for(pool, p->C, 1, lattice_chunk, &in);
        wino_run(p, pool, xs, bias, ys, inner, NULL);
        /* the residual step per output channel, as each is laid out */
        const int64_t img = n * p->OC * p->fOH * p->fOW;
        lattice_job out = { p, ys, y + img, p->OC, 1, res && res->r ? res : NULL,
                            res && res->r ? res->r + img : NULL };
        mote_pool_for(pool, p->OC, 1, lattice_chunk, &out);
    }
}

static void wino_run(const mote_conv_wino *p, mote_pool *pool, const float *x, const float *bias,
                     float *y, void *scratch, const mote_conv_res *res)
{
    wino_job j = { .p = p, .x = x, .bias = bias, .y = y, .scratch = scratch, .res = res };
    if (p->brows) {
        mote_pool_for(pool, p->N * p->nbr, 1, block_chunk, &j);
        return;
    }
    float *V = scratch;
    float *M = (float *)((char *)scratch + p->v_bytes);
    int64_t nb = (p->ldt + p->nblk - 1) / p->nblk;
    for (int64_t n = 0; n < p->N; n++) {
        j.a = (mote_winograd_args){ .C = p->C, .H = p->H, .W = p->W, .ph = p->ph, .pw = p->pw,
                                    .TH = p->TH, .TW = p->TW, .ldt = p->ldt, .ldx = p->vx,
                                    .src = x + n * p->C * p->H * p->W,
                                    .dst = V, .act = { MOTE_ACT_NONE, 0, 0 } };
        j.out = 0;
        mote_pool_for(pool, p->C, 1, transform_chunk, &j);
        mote_pool_for(pool, 16 * nb, 1, gemm_chunk, &j);
        j.a = (mote_winograd_args){ .C = p->OC, .H = p->OH, .W = p->OW, .TH = p->TH, .TW = p->TW,
                                    .ldt = p->ldt, .ldx = p->mx, .src = M,
                                    .dst = y + n * p->OC * p->OH * p->OW, .bias = bias,
                                    .act = p->act };
        j.out = 1;
        mote_pool_for(pool, p->OC, 1, transform_chunk, &j);
    }
}
