/*
 * conv_winograd.h — the Winograd F(2x2,3x3) engine behind Conv (conv.c
 * chooses it): 3x3, stride 1, dilation 1, one group, constant weights.
 *
 * The input transform (the table's winograd_in), the 16 products M_xi
 * (OC x T) = U_xi (OC x C) V_xi (C x T) (the packed-A GEMM, U_xi packed
 * once and shared through the prepared-weights container) and the output
 * transform with bias and activation (winograd_out), run one of two ways:
 *   blocked  when U fits in a core's cache: blocks of tile rows, each one
 *            task (all three steps on the block, V and M in the thread's
 *            own cache-sized buffers): one parallel region per batch;
 *   phased   otherwise (deep layers, U of megabytes): per image, the input
 *            transform split over channels, the 16 products over (xi,
 *            column block), each U_xi read by one thread, the output
 *            transform over output channels: three parallel regions.
 * V and M keep each channel's tiles padded to a whole number of the
 * GEMM's NR-wide panels (winograd_in writes zeros there), so every product
 * runs full panels, its B read in place (gemm_tmpl.h, BIP_MAX_M): 64 -> 64
 * channels at 80x80 (M-LSD; blocks of 120 tiles, padded to 128), the 16
 * products of a block 134 -> 104 us, the conv 2.75 -> 1.99 ms (AVX-512,
 * 1 thread).
 * Neither forks per GEMM call. Blocks depend on the shape only and every
 * element is computed by one call, so the bits do not depend on the
 * thread count.
 */
#ifndef MOTE_CONV_WINOGRAD_H
#define MOTE_CONV_WINOGRAD_H

#include "op_util.h"

typedef struct mote_conv_wino {
    int64_t C, H, W, OC, OH, OW, ph, pw;
    int64_t TH, TW, T;          /* tiles                                   */
    int64_t nr;                 /* the GEMM's panel width: a channel's row
                                   of tiles in V and M is padded to whole
                                   panels (phased: ldt; blocked: per block) */
    int64_t ldt;                /* phased: T padded to nr                  */
    int64_t vx, mx;             /* phased: floats from one xi to the next in
                                   V and M (plane() in conv_winograd.c)          */
    mote_act act;
    const float *U;             /* (16, OC, C) transformed weights, plain
                                   (tables without packed-A GEMM), or NULL */
    const void *Up[16];         /* U_xi packed (packed-A tables) or NULL   */
    int64_t N;                  /* images                                  */
    int64_t brows;              /* blocked: tile rows per block; 0: phased */
    int64_t nbr;                /* blocked: blocks per image               */
    int64_t nblk;               /* phased: tile columns per GEMM call      */
    size_t v_bytes, m_bytes;    /* V (16, C, T) and M (16, OC, T): phased,
                                   whole image; blocked, one block per thread */
    size_t gemm_scratch;        /* per thread                              */
    const mote_kernels *k;
    /* dilation d > 1: the engine above runs on the d x d sub-lattices of
     * each image (geometry above: one sub-image; N: images x d x d),
     * gathered into and scattered from scratch (see mote_conv_wino_lattice) */
    int64_t d;                  /* 1: none                                 */
    int64_t img_N;              /* images                                  */
    int64_t fH, fW, fOH, fOW;   /* the full image and output               */
    int64_t q, Wb;              /* sub-image left pad; columns per block   */
    size_t xs_bytes, ys_bytes;  /* the sub-images of one image, in scratch */
} mote_conv_wino;

/*
 * A 3x3 conv of stride 1 and dilation d (both axes) whose input and output
 * sizes and top/left pads are multiples of d: output rows d*y' + a read
 * only input rows d*i + a (i = y' + ky - pt/d), likewise columns, so it is
 * d*d undilated convs of the sub-images X[c][d*i + a][d*j + b] (M-LSD's
 * dilated 3x3 layers: 80x80, d = 5, 25 sub-images of 16x16). The d
 * sub-images of a row phase a sit side by side in one image, each in a
 * block of Wb columns with its own zero left pad and at least two zero
 * columns after it, so a tile row spans d of them (the transforms run
 * VLEN tiles at once: a 16x16 sub-image alone has 8 per row) and the
 * outputs at the blocks' seams are computed and dropped; d such images per
 * input image go through the engine above. True when g fits.
 */
bool mote_conv_wino_lattice(const mote_conv2d_args *g);
/* 2x2 tiles per image the engine runs for g (dilated: per row phase) */
int64_t mote_conv_wino_tiles(const mote_conv2d_args *g);

/*
 * Fills p for a conv of geometry g (mote_conv2d_args: C, H, W, OC, OH, OW,
 * ph, pw, dh, act; dh > 1 when mote_conv_wino_lattice(g)) over N images with constant weights w (OC, C, 3, 3);
 * *scratch: the bytes a run needs.
 */
mote_status mote_conv_wino_prepare(mote_op_ctx *c, mote_conv_wino *p, const mote_conv2d_args *g,
                                   int64_t N, const float *w, size_t *scratch);
/* x (N, C, H, W) -> y (N, OC, OH, OW); bias (OC) or NULL; res: the
 * residual step for each block of outputs just written, or NULL. */
void mote_conv_wino_run(const mote_conv_wino *p, mote_pool *pool, const float *x,
                        const float *bias, float *y, void *scratch, const mote_conv_res *res);

#endif
