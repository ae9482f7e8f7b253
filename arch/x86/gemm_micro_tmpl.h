/*
 * gemm_micro_tmpl.h — the register level of gemm_tmpl.h, included by it
 * (not a header to include anywhere else; the same macros are in force):
 * the cache blocking chosen once per process, the MR x NR micro-kernel
 * and its variants (full, edge, partial-height, narrow, A or B read in
 * place, transposed A in place, streamed-weight prefetch), and the tile
 * dispatchers that pick one. Packing and the loops over blocks are
 * gemm_tmpl.h's.
 */

static inline int64_t g_min(int64_t a, int64_t b) { return a < b ? a : b; }

/* K block size for a K split into blocks of at most kmax: equal blocks, so
 * K = kmax + 1 gives two halves rather than a full block and a sliver. */
static inline int64_t k_block(int64_t K, int64_t kmax)
{
    if (K <= kmax) return K < 1 ? 1 : K;
    int64_t n = (K + kmax - 1) / kmax;
    return (K + n - 1) / n;
}

/* The cache blocking (MC, KC, NC), chosen once per process from the
 * caches cpuid reports (gemm_blocking_x86.c, docs/kernels.md). */
static mote_x86_gemm_blocking blk;
static pthread_once_t blk_once = PTHREAD_ONCE_INIT;
static void blk_init(void) { mote_x86_gemm_blocking_for(MR, NR, &blk); }

const mote_x86_gemm_blocking *GEMM_NAME(blocking)(void)
{
    pthread_once(&blk_once, blk_init);
    return &blk;
}

/* What happens after the last K block. */
typedef struct gemm_epi {
    const float *bias;   /* bias + column j (per column) or + row i (per row), or NULL */
    int per_row;
    const mote_act *act; /* NULL: store the raw sums (not the last K block) */
} gemm_epi;

/* x[0:n] = act(x[0:n]), n <= NR */
static void act_row(float *x, int64_t n, const mote_act *act)
{
    for (int64_t j = 0; j < n; j += VLEN) v_store_n(x + j, v_act(v_load_n(x + j, n - j), act), n - j);
}

/*
 * Element (i, k) of a row-major A read in place, rows lda floats apart, for
 * a constant row i: from one of the bases at rows 0, 5, 10 plus 0..4 row
 * strides. The compiler then keeps three bases and the stride multiples in
 * registers and uses x86's base + index addressing; with MR row pointers
 * it spilled them, and reloaded 13 of them from the stack at every k (the
 * 64^3 product ran 10% slower).
 */
static ALWAYS_INLINE float a_row(const float *A, int64_t k, int i, int64_t lda)
{
    const char *base = (const char *)(A + k) + (int64_t)(i / 5) * 5 * lda * (int64_t)sizeof(float);
    return *(const float *)(base + (int64_t)(i % 5) * lda * (int64_t)sizeof(float));
}

/*
 * The MR x NR micro-kernel: C[0:mr, 0:nr] (+)= Ap (kc x MR) * Bp (kc x NR).
 * load_c: start from C (a later K block) instead of 0. With e->act set,
 * applies bias and activation before storing. Rows >= mr and columns >= nr
 * are computed (from zero padding) but never loaded or stored.
 */
static ALWAYS_INLINE void micro_tile_v(int64_t kc, const float *restrict Ap, const int in_place,
                                     int64_t lda, const float *restrict Bp, float *C, int64_t ldc,
                                     int mr, int64_t nr, int load_c, const gemm_epi *e,
                                     const int pn_on, const char *pn, int64_t pn_step, int64_t pn_end,
                                     const int rows, const int b_in_place, int64_t ldb, const int nv)
{
    /* b_in_place: B read in place, row k at Bp + k * ldb (columns past nr
     * masked off: 2 for a full tile, 1 for an edge), not packed NR-wide */
    /* nv: how many of the NV vectors of columns are computed (a constant
     * after inlining: NV, or 1 for an edge panel of at most VLEN columns) */
    /* rows: how many of the MR rows are computed (a constant after
     * inlining: MR, or fewer for an edge tile of few rows) */
    vf c[MR][NV];
    /* in_place 1: A read in place, row i at Ap + i * lda (rows past mr read
     * the last row again, into accumulators never stored); 3: the same
     * with all rows present (mr == rows), addressed by a_row (below); 2: A read
     * transposed in place, element (i, k) at Ap + k * lda + i (a column
     * of a K x M matrix: the MR values of one k are consecutive; rows past
     * mr read row mr - 1's again) */
    const float *ar[MR];
    if (in_place == 1)
        for (int i = 0; i < rows; i++) ar[i] = Ap + (i < mr ? i : mr - 1) * lda;
    int64_t ai[MR];
    if (in_place == 2)
        for (int i = 0; i < rows; i++) ai[i] = i < mr ? i : mr - 1;
    const int full = nr >= NR;
    UNROLL for (int i = 0; i < rows; i++)
        UNROLL for (int v = 0; v < nv; v++) {
            if (load_c && i < mr)
                c[i][v] = full ? v_load(C + i * ldc + v * VLEN)
                               : v_load_n(C + i * ldc + v * VLEN, nr - v * VLEN);
            else
                c[i][v] = v_zero();
        }
    /* the next tile, to the right, reads (or writes) its rows of C next:
     * ask for them now, while this tile computes */
    if (blk.pf_c)
        for (int i = 0; i < rows; i++)
            UNROLL for (int v = 0; v < nv; v++) __builtin_prefetch(C + i * ldc + NR + v * VLEN, 1, 3);
    /* A read in place with a micro-panel of B of at most a quarter of L1
     * (K <= 96 here): B stays in L1 from the first row tile on, and the
     * prefetches only took load slots (64^3: 3% slower with them) */
    const int64_t pf = in_place == 3 && kc * NR * (int64_t)sizeof(float) * 4 <= blk.l1d ? 0 : blk.pf;
    /* two k steps per loop trip: the trip's compare and prefetch test
     * are paid half as often (64^3: 5% faster) */
    UNROLL2 for (int64_t k = 0; k < kc; k++) {
        vf b[NV];
        if (pf) {
            UNROLL for (int v = 0; v < NR; v += 16) __builtin_prefetch(Bp + (k + pf) * NR + v, 0, 3);
            if (!in_place) __builtin_prefetch(Ap + (k + pf) * MR, 0, 3);
            if (in_place == 2) {
                __builtin_prefetch(Ap + (k + pf) * lda, 0, 3);
                __builtin_prefetch(Ap + (k + pf) * lda + MR - 1, 0, 3);
            }
        }
        /* the stream to bring in while computing (see pf_stream) */
        if (pn_on) {
            int64_t off = (k * pn_step) & ~(int64_t)63;
            if (off < pn_end) {
                __builtin_prefetch(pn + off, 0, 2);
                __builtin_prefetch(pn + off + 64, 0, 2);
            }
        }
        if (b_in_place == 2) {
            UNROLL for (int v = 0; v < nv; v++) b[v] = v_load(Bp + k * ldb + v * VLEN);
            UNROLL for (int v = 0; v < NR; v += 16) __builtin_prefetch(Bp + k * ldb + NR + v, 0, 3);
        } else if (b_in_place) {
            UNROLL for (int v = 0; v < nv; v++) b[v] = v_load_n(Bp + k * ldb + v * VLEN, nr - v * VLEN);
        } else {
            UNROLL for (int v = 0; v < nv; v++) b[v] = v_load(Bp + k * NR + v * VLEN);
        }
        UNROLL for (int i = 0; i < rows; i++) {
            vf a = v_set1(in_place == 3   ? a_row(Ap, k, i, lda)
                          : in_place == 2 ? Ap[k * lda + ai[i]]
                          : in_place      ? ar[i][k]
                                          : Ap[k * MR + i]);
            UNROLL for (int v = 0; v < nv; v++) c[i][v] = v_fma(a, b[v], c[i][v]);
        }
    }
    /* epilogue: bias (one vector per column block, or one scalar per row),
     * then the activation; only after the last K block */
    vf bias_col[NV];
    UNROLL for (int v = 0; v < nv; v++)
        bias_col[v] = (e->act && e->bias && !e->per_row)
                          ? (full ? v_load(e->bias + v * VLEN) : v_load_n(e->bias + v * VLEN, nr - v * VLEN))
                          : v_zero();
    /* ReLU inline; other activations run over the stored rows (still in L1),
     * so the register tile does not spill around a call per vector */
    const int relu = e->act && e->act->kind == MOTE_ACT_RELU;
    /* Clip too (MobileNetV2's ReLU6 after every expansion: with K = 16..96
     * the pass over the stored rows cost about a tenth of the tile), as
     * v_act computes it */
    const int clip = e->act && e->act->kind == MOTE_ACT_CLIP;
    /* and HardSwish (PP-LCNetV3's, after every convolution), as v_act */
    const int hswish = e->act && e->act->kind == MOTE_ACT_HARD_SWISH;
    const int other = e->act && e->act->kind != MOTE_ACT_RELU && e->act->kind != MOTE_ACT_NONE && !clip &&
                      !hswish;
    UNROLL for (int i = 0; i < rows; i++) {
        if (i >= mr) break;
        vf bias_row = (e->act && e->bias && e->per_row) ? v_set1(e->bias[i]) : v_zero();
        UNROLL for (int v = 0; v < nv; v++) {
            vf x = c[i][v];
            if (e->act && e->bias) x = v_add(x, e->per_row ? bias_row : bias_col[v]);
            if (relu) x = v_max(x, v_zero());
            if (clip) x = v_min(v_max(x, v_set1(e->act->alpha)), v_set1(e->act->beta));
            if (hswish) x = v_mul(x, v_hard_sigmoid(x, 1.0f / 6.0f, 0.5f));
            if (full) v_store(C + i * ldc + v * VLEN, x);
            else v_store_n(C + i * ldc + v * VLEN, x, nr - v * VLEN);
        }
    }
    if (other)
        for (int i = 0; i < mr; i++) act_row(C + i * ldc, nr < NR ? nr : NR, e->act);
}

/* micro_tile_v over all NV vectors of columns */
#define micro_tile(...) micro_tile_v(__VA_ARGS__, NV)

/* Out-of-line full-tile and edge-tile variants, so the hot loop is lean. */
static void micro_tile_full(int64_t kc, const float *Ap, const float *Bp, float *C,
                            int64_t ldc, int load_c, const gemm_epi *e)
{
    micro_tile(kc, Ap, 0, 0, Bp, C, ldc, MR, NR, load_c, e, 0, NULL, 0, 0, MR, 0, 0);
}
static void micro_tile_edge(int64_t kc, const float *Ap, const float *Bp, float *C,
                            int64_t ldc, int mr, int64_t nr, int load_c, const gemm_epi *e)
{
    micro_tile(kc, Ap, 0, 0, Bp, C, ldc, mr, nr, load_c, e, 0, NULL, 0, 0, MR, 0, 0);
}
/* edge tiles of at most QUARTER_ROWS, HALF_ROWS or THREEQ_ROWS rows
 * compute only that many
 * (the same chain per element: fewer rows of padding computed) */
#define HALF_ROWS ((MR + 1) / 2)
#define QUARTER_ROWS ((MR + 3) / 4)
/* and an eighth: the 2 rows past 14 of a 16-row A (16 output channels,
 * MobileNetV2's 112x112 projection), where computing 4 rows took a third
 * of the 14-row tiles' time for a seventh of their work */
#define EIGHTH_ROWS ((MR + 7) / 8)
#define THREEQ_ROWS ((3 * MR + 3) / 4)
/* one row past half: 8 of 14, the rows past 4 x 14 of a 64-row A (64
 * channels), which took as long in a three-quarter tile as 14 rows */
#define HALF1_ROWS (HALF_ROWS + 1)
static void micro_tile_threeq(int64_t kc, const float *Ap, const float *Bp, float *C,
                              int64_t ldc, int mr, int64_t nr, int load_c, const gemm_epi *e)
{
    micro_tile(kc, Ap, 0, 0, Bp, C, ldc, mr, nr, load_c, e, 0, NULL, 0, 0, THREEQ_ROWS, 0, 0);
}
static void micro_tile_half(int64_t kc, const float *Ap, const float *Bp, float *C,
                            int64_t ldc, int mr, int64_t nr, int load_c, const gemm_epi *e)
{
    micro_tile(kc, Ap, 0, 0, Bp, C, ldc, mr, nr, load_c, e, 0, NULL, 0, 0, HALF_ROWS, 0, 0);
}
static void micro_tile_quarter(int64_t kc, const float *Ap, const float *Bp, float *C,
                               int64_t ldc, int mr, int64_t nr, int load_c, const gemm_epi *e)
{
    micro_tile(kc, Ap, 0, 0, Bp, C, ldc, mr, nr, load_c, e, 0, NULL, 0, 0, QUARTER_ROWS, 0, 0);
}
static void micro_tile_eighth(int64_t kc, const float *Ap, const float *Bp, float *C,
                              int64_t ldc, int mr, int64_t nr, int load_c, const gemm_epi *e)
{
    micro_tile(kc, Ap, 0, 0, Bp, C, ldc, mr, nr, load_c, e, 0, NULL, 0, 0, EIGHTH_ROWS, 0, 0);
}
/* A in place (rows lda apart): a full tile, and any tile */
static void micro_tile_rows_full(int64_t kc, const float *A, int64_t lda, const float *Bp, float *C,
                                 int64_t ldc, int load_c, const gemm_epi *e)
{
    micro_tile(kc, A, 3, lda, Bp, C, ldc, MR, NR, load_c, e, 0, NULL, 0, 0, MR, 0, 0);
}
/* nothing after the sums (no bias, no activation, or not the last K
 * block): the epilogue is the stores alone, without the per-vector tests
 * of the flags (a 64x64x1 product: 448 -> 259 ns per call) */
static const gemm_epi epi_plain = { NULL, 0, NULL };
static void micro_tile_rows_plain(int64_t kc, const float *A, int64_t lda, const float *Bp, float *C,
                                  int64_t ldc, int load_c)
{
    micro_tile(kc, A, 3, lda, Bp, C, ldc, MR, NR, load_c, &epi_plain, 0, NULL, 0, 0, MR, 0, 0);
}
static void micro_tile_rows_edge(int64_t kc, const float *A, int64_t lda, const float *Bp, float *C,
                                 int64_t ldc, int mr, int64_t nr, int load_c, const gemm_epi *e)
{
    micro_tile(kc, A, 1, lda, Bp, C, ldc, mr, nr, load_c, e, 0, NULL, 0, 0, MR, 0, 0);
}
static void micro_tile_rows(int64_t kc, const float *A, int64_t lda, const float *Bp, float *C,
                            int64_t ldc, int mr, int64_t nr, int load_c, const gemm_epi *e)
{
    if (mr == MR && nr >= NR && (!e->act || (e->act->kind == MOTE_ACT_NONE && !e->bias)))
        micro_tile_rows_plain(kc, A, lda, Bp, C, ldc, load_c);
    else if (mr == MR && nr >= NR) micro_tile_rows_full(kc, A, lda, Bp, C, ldc, load_c, e);
    else micro_tile_rows_edge(kc, A, lda, Bp, C, ldc, mr, nr, load_c, e);
}

/* A transposed in place (element (i, k) at A + k * lda + i): a full
 * tile, and edge tiles by rows as tile() computes them */
static void micro_tile_cols_full(int64_t kc, const float *A, int64_t lda, const float *Bp, float *C,
                                 int64_t ldc, int load_c, const gemm_epi *e)
{
    micro_tile(kc, A, 2, lda, Bp, C, ldc, MR, NR, load_c, e, 0, NULL, 0, 0, MR, 0, 0);
}
#define COLS_EDGE(name, R)                                                                   \
    static void name(int64_t kc, const float *A, int64_t lda, const float *Bp, float *C,    \
                     int64_t ldc, int mr, int64_t nr, int load_c, const gemm_epi *e)        \
    {                                                                                        \
        micro_tile(kc, A, 2, lda, Bp, C, ldc, mr, nr, load_c, e, 0, NULL, 0, 0, R, 0, 0);    \
    }
COLS_EDGE(micro_tile_cols_edge, MR)
COLS_EDGE(micro_tile_cols_quarter, QUARTER_ROWS)
COLS_EDGE(micro_tile_cols_half, HALF_ROWS)
COLS_EDGE(micro_tile_cols_threeq, THREEQ_ROWS)

static void tile_cols(int64_t kc, const float *A, int64_t lda, const float *Bp, float *C, int64_t ldc,
                      int mr, int64_t nr, int load_c, const gemm_epi *e)
{
    if (mr == MR && nr >= NR) micro_tile_cols_full(kc, A, lda, Bp, C, ldc, load_c, e);
    else if (mr <= QUARTER_ROWS) micro_tile_cols_quarter(kc, A, lda, Bp, C, ldc, mr, nr, load_c, e);
    else if (mr <= HALF_ROWS) micro_tile_cols_half(kc, A, lda, Bp, C, ldc, mr, nr, load_c, e);
    else if (mr <= THREEQ_ROWS && THREEQ_ROWS < MR)
        micro_tile_cols_threeq(kc, A, lda, Bp, C, ldc, mr, nr, load_c, e);
    else micro_tile_cols_edge(kc, A, lda, Bp, C, ldc, mr, nr, load_c, e);
}

/* an edge panel of at most VLEN columns (a 14x14 image's 196 pixels: 4
 * past 6 panels of 32) computes one vector of columns, not NV (the same
 * chain per element) */
static void micro_tile_narrow(int64_t kc, const float *Ap, const float *Bp, float *C,
                              int64_t ldc, int mr, int64_t nr, int load_c, const gemm_epi *e)
{
    micro_tile_v(kc, Ap, 0, 0, Bp, C, ldc, mr, nr, load_c, e, 0, NULL, 0, 0, MR, 0, 0, 1);
}
#define NARROW(mr, nr) (NV > 1 && (nr) <= VLEN && (mr) > THREEQ_ROWS)

static void tile(int64_t kc, const float *Ap, const float *Bp, float *C, int64_t ldc,
                 int mr, int64_t nr, int load_c, const gemm_epi *e)
{
    if (mr == MR && nr >= NR) micro_tile_full(kc, Ap, Bp, C, ldc, load_c, e);
    else if (NARROW(mr, nr)) micro_tile_narrow(kc, Ap, Bp, C, ldc, mr, nr, load_c, e);
    else if (mr <= EIGHTH_ROWS && EIGHTH_ROWS < QUARTER_ROWS) micro_tile_eighth(kc, Ap, Bp, C, ldc, mr, nr, load_c, e);
    else if (mr <= QUARTER_ROWS) micro_tile_quarter(kc, Ap, Bp, C, ldc, mr, nr, load_c, e);
    else if (mr <= HALF_ROWS) micro_tile_half(kc, Ap, Bp, C, ldc, mr, nr, load_c, e);
    else if (mr <= THREEQ_ROWS && THREEQ_ROWS < MR) micro_tile_threeq(kc, Ap, Bp, C, ldc, mr, nr, load_c, e);
    else micro_tile_edge(kc, Ap, Bp, C, ldc, mr, nr, load_c, e);
}

/* B in place (rows ldb apart): a full tile, and edge tiles by rows */
static void micro_tile_bip_full(int64_t kc, const float *Ap, const float *B, int64_t ldb, float *C,
                                int64_t ldc, int load_c, const gemm_epi *e)
{
    micro_tile(kc, Ap, 0, 0, B, C, ldc, MR, NR, load_c, e, 0, NULL, 0, 0, MR, 2, ldb);
}
#define BIP_EDGE(name, R)                                                                    \
    static void name(int64_t kc, const float *Ap, const float *B, int64_t ldb, float *C,    \
                     int64_t ldc, int mr, int64_t nr, int load_c, const gemm_epi *e)        \
    {                                                                                        \
        micro_tile(kc, Ap, 0, 0, B, C, ldc, mr, nr, load_c, e, 0, NULL, 0, 0, R, 1, ldb);    \
    }
BIP_EDGE(micro_tile_bip_edge, MR)
BIP_EDGE(micro_tile_bip_quarter, QUARTER_ROWS)
BIP_EDGE(micro_tile_bip_eighth, EIGHTH_ROWS)
BIP_EDGE(micro_tile_bip_half, HALF_ROWS)
BIP_EDGE(micro_tile_bip_half1, HALF1_ROWS)
BIP_EDGE(micro_tile_bip_threeq, THREEQ_ROWS)

static void tile_bip(int64_t kc, const float *Ap, const float *B, int64_t ldb, float *C, int64_t ldc,
                     int mr, int64_t nr, int load_c, const gemm_epi *e)
{
    if (mr == MR && nr >= NR) micro_tile_bip_full(kc, Ap, B, ldb, C, ldc, load_c, e);
    else if (mr <= EIGHTH_ROWS && EIGHTH_ROWS < QUARTER_ROWS)
        micro_tile_bip_eighth(kc, Ap, B, ldb, C, ldc, mr, nr, load_c, e);
    else if (mr <= QUARTER_ROWS) micro_tile_bip_quarter(kc, Ap, B, ldb, C, ldc, mr, nr, load_c, e);
    else if (mr <= HALF_ROWS) micro_tile_bip_half(kc, Ap, B, ldb, C, ldc, mr, nr, load_c, e);
    else if (mr <= HALF1_ROWS && HALF1_ROWS < THREEQ_ROWS)
        micro_tile_bip_half1(kc, Ap, B, ldb, C, ldc, mr, nr, load_c, e);
    else if (mr <= THREEQ_ROWS && THREEQ_ROWS < MR)
        micro_tile_bip_threeq(kc, Ap, B, ldb, C, ldc, mr, nr, load_c, e);
    else micro_tile_bip_edge(kc, Ap, B, ldb, C, ldc, mr, nr, load_c, e);
}

/*
 * A prefetch stream: while a few tiles compute from caches, the operand
 * the next tiles need comes in from memory, spread over their k steps
 * (two lines per step at most). Weights that stream by once (a layer's
 * 9 MiB packed W on a 7x7 image: 49 rows meet each B panel) otherwise
 * stall the first micro-panel's pass on every load and compute after.
 */
typedef struct pf_stream {
    const char *p;       /* the slice this tile brings in */
    int64_t step;        /* bytes per k step              */
    int64_t end;         /* bytes of the slice            */
} pf_stream;

/* A stream of `bytes` split between n tiles of kc k steps each, or none
 * (end 0) when base is NULL or the streamed matrix (`total` bytes) stays
 * in L2 anyway (the packed-A path's A, read again for each NC block);
 * pf_slice gives tile i its share. */
typedef struct pf_plan {
    const char *base;
    int64_t share, step, bytes;
} pf_plan;

static inline pf_plan pf_plan_for(const void *base, int64_t bytes, int64_t n, int64_t kc, int64_t total)
{
    pf_plan p = { NULL, 0, 0, 0 };
    long l2 = blk.l2 > 0 ? blk.l2 : 256 * 1024;
    if (!base || kc <= 0 || n <= 0 || total <= l2 / 2) return p;
    p.base = base;
    p.bytes = bytes;
    p.share = (bytes + n - 1) / n;
    p.step = g_min((p.share + kc - 1) / kc, 128);
    return p;
}

static inline pf_stream pf_slice(const pf_plan *p, int64_t i)
{
    pf_stream s = { NULL, 0, 0 };
    if (!p->base) return s;
    s.p = p->base + i * p->share;
    s.step = p->step;
    s.end = g_min(p->share, p->bytes - i * p->share);
    return s;
}

static void micro_tile_full_pf(int64_t kc, const float *Ap, const float *Bp, float *C,
                               int64_t ldc, int load_c, const gemm_epi *e, const pf_stream *s)
{
    micro_tile(kc, Ap, 0, 0, Bp, C, ldc, MR, NR, load_c, e, 1, s->p, s->step, s->end, MR, 0, 0);
}
static void micro_tile_edge_pf(int64_t kc, const float *Ap, const float *Bp, float *C,
                               int64_t ldc, int mr, int64_t nr, int load_c, const gemm_epi *e,
                               const pf_stream *s)
{
    micro_tile(kc, Ap, 0, 0, Bp, C, ldc, mr, nr, load_c, e, 1, s->p, s->step, s->end, MR, 0, 0);
}
static void micro_tile_half_pf(int64_t kc, const float *Ap, const float *Bp, float *C,
                               int64_t ldc, int mr, int64_t nr, int load_c, const gemm_epi *e,
                               const pf_stream *s)
{
    micro_tile(kc, Ap, 0, 0, Bp, C, ldc, mr, nr, load_c, e, 1, s->p, s->step, s->end, HALF_ROWS, 0, 0);
}
static void micro_tile_threeq_pf(int64_t kc, const float *Ap, const float *Bp, float *C,
                                 int64_t ldc, int mr, int64_t nr, int load_c, const gemm_epi *e,
                                 const pf_stream *s)
{
    micro_tile(kc, Ap, 0, 0, Bp, C, ldc, mr, nr, load_c, e, 1, s->p, s->step, s->end, THREEQ_ROWS, 0, 0);
}
static void micro_tile_narrow_pf(int64_t kc, const float *Ap, const float *Bp, float *C,
                                 int64_t ldc, int mr, int64_t nr, int load_c, const gemm_epi *e,
                                 const pf_stream *s)
{
    micro_tile_v(kc, Ap, 0, 0, Bp, C, ldc, mr, nr, load_c, e, 1, s->p, s->step, s->end, MR, 0, 0, 1);
}
static void tile_pf(int64_t kc, const float *Ap, const float *Bp, float *C, int64_t ldc,
                    int mr, int64_t nr, int load_c, const gemm_epi *e, const pf_stream *s)
{
    if (s->end <= 0) tile(kc, Ap, Bp, C, ldc, mr, nr, load_c, e);
    else if (mr == MR && nr >= NR) micro_tile_full_pf(kc, Ap, Bp, C, ldc, load_c, e, s);
    else if (NARROW(mr, nr)) micro_tile_narrow_pf(kc, Ap, Bp, C, ldc, mr, nr, load_c, e, s);
    else if (mr <= HALF_ROWS) micro_tile_half_pf(kc, Ap, Bp, C, ldc, mr, nr, load_c, e, s);
    else if (mr <= THREEQ_ROWS && THREEQ_ROWS < MR) micro_tile_threeq_pf(kc, Ap, Bp, C, ldc, mr, nr, load_c, e, s);
    else micro_tile_edge_pf(kc, Ap, Bp, C, ldc, mr, nr, load_c, e, s);
}
