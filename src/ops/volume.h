/*
 * volume.h — the 3-D (NCDHW) forms of Conv, ConvTranspose, MaxPool and
 * AveragePool (src/ops/volume.c). Each op file checks its node and calls
 * these for rank-5 inputs.
 */
#ifndef MOTE_OPS_VOLUME_H
#define MOTE_OPS_VOLUME_H

#include "ops.h"
#include "ref.h"
#include "gemm_plan.h"

/* Conv on a rank-5 X: checks, geometry and plan (prepare); infer sets Y. */
mote_status mote_conv3d_infer(mote_op_ctx *c);
mote_status mote_conv3d_prepare(mote_op_ctx *c);

/* ConvTranspose with geometry a (x, w, y unset) for N images: the run
 * and its scratch; GEMM + col2vol when W is constant. */
mote_status mote_convt3d_prepare(mote_op_ctx *c, const mote_vol_args *a, int64_t N);
/* conv.c: the group attribute checked against X and W (any rank) */
mote_status mote_conv_check_group(mote_op_ctx *c, const mote_tensor *x, const mote_tensor *w,
                                  int64_t *group);
/* conv_transpose.c: the per-group GEMMs on W's prepared transposes */
mote_status mote_convt_gemm_plans(mote_op_ctx *c, const float *w, int64_t G, int64_t M,
                                  int64_t K, int64_t N, mote_gemm_plan **plans, size_t *scratch);

/* MaxPool (is_max) / AveragePool with geometry a (C = images x channels);
 * indices: MaxPool's second output wanted. */
mote_status mote_pool3d_prepare(mote_op_ctx *c, const mote_vol_args *a, int is_max, int indices);

#endif
