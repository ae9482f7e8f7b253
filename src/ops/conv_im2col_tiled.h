/*
 * conv_im2col_tiled.h — im2col + GEMM by blocks of output rows, for Conv
 * (conv.c chooses it): one group, constant weights, the GEMM's rows being
 * the output channels.
 *
 * The output is cut into blocks of whole output rows, sized from the
 * shape alone so that a block's im2col columns (Cg*KH*KW x rows*OW) stay
 * in a thread's cache; each block is one task: its im2col into the
 * thread's own buffer, then the packed-A GEMM (W packed once, shared
 * through the prepared-weights container) straight into the output. One
 * parallel region per image batch: no serial im2col, no column matrix of
 * the whole image written by two cores, no fork/join per GEMM call; each
 * output is computed by one task, so the bits do not depend on the
 * thread count. Only for weights that stay in cache (mote_conv_tiled_fits).
 */
#ifndef MOTE_CONV_IM2COL_TILED_H
#define MOTE_CONV_IM2COL_TILED_H

#include "op_util.h"

typedef struct mote_conv_tiled {
    mote_conv2d_args g;         /* geometry and act (x, w, bias, y per run) */
    int64_t N;                  /* images                                   */
    int64_t Kc, OHW;            /* GEMM depth C*KH*KW; output pixels        */
    int64_t rows, nblocks;      /* output rows per block; blocks per image  */
    const float *W;             /* (OC, Kc) constant weights                */
    const void *Ap;             /* W packed (packed-A tables) or NULL       */
    size_t col_bytes;           /* one block's columns, per thread          */
    size_t gemm_scratch;        /* per thread, after its columns            */
    const mote_kernels *k;
} mote_conv_tiled;

/* Whether blocks suit these weights (OC x Kc floats): each block reads
 * all of W, so W must stay in cache beside a block (measured, AVX-512:
 * ResNet-18's 7x7 layers, W 9.4 MB, went 2.9 -> 6 ms in four blocks). */
bool mote_conv_tiled_fits(int64_t OC, int64_t Kc);

/* Fills p for geometry g (group 1) over N images, weights w (OC, Kc),
 * constant; *scratch: the bytes a run needs. */
mote_status mote_conv_tiled_prepare(mote_op_ctx *c, mote_conv_tiled *p, const mote_conv2d_args *g,
                                    int64_t N, const float *w, size_t *scratch);
/* x (N, C, H, W) -> y (N, OC, OH, OW); bias (OC) or NULL; res: the
 * residual step for each block just written, or NULL. */
void mote_conv_tiled_run(const mote_conv_tiled *p, mote_pool *pool, const float *x,
                         const float *bias, float *y, void *scratch, const mote_conv_res *res);

#endif
