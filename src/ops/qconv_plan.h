/*
 * qconv_plan.h — how the 8-bit convolution ops (qint.c, qlinear.c) run a
 * group-1 convolution or fully connected layer on the kernel table's
 * packed-weight path (kernels/qint.h, qconv2d_packed): the weights packed
 * once into the model's prepared-weights container, per-thread scratch,
 * and the split of the work over the pool. Where the table has no packed
 * path (or the weights are not constant, or the convolution is grouped)
 * the plan is empty and the op runs the table's qconv2d, each thread in
 * its own part of the step's scratch (mote_qconv_kscratch).
 */
#ifndef MOTE_QCONV_PLAN_H
#define MOTE_QCONV_PLAN_H

#include "ops.h"
#include "qint.h"

typedef struct mote_qconv_plan {
    const void *wp;            /* packed weights; NULL: no packed path    */
    size_t scratch;            /* bytes per thread, a multiple of 64      */
    int threads;
} mote_qconv_plan;

/* Fills pl for a (geometry, w in (OC, K) layout, w_signed; groups 1) and
 * adds the scratch the run needs to *scratch_bytes (from a 64-aligned
 * offset it returns in *scratch_off). w_const: a->w is a constant. */
mote_status mote_qconv_plan_prepare(mote_op_ctx *c, const mote_qconv2d_args *a, int w_const,
                                    mote_qconv_plan *pl, size_t *scratch_bytes,
                                    size_t *scratch_off);
/* Runs N images (x_img input bytes, y_img output bytes apart) of a, every
 * output channel; scratch is the step's scratch at the offset above. */
void mote_qconv_plan_run(const mote_qconv_plan *pl, const mote_step *s, const mote_qconv2d_args *a,
                         int64_t N, size_t x_img, size_t y_img, void *scratch);

/* The table's qconv2d's own scratch (qconv2d_scratch_bytes), one part per
 * thread of the step's scratch, so that the kernel allocates nothing. */
typedef struct mote_qconv_kscratch {
    size_t off;                /* where the first part starts, 64-aligned */
    size_t bytes;              /* bytes per thread, a multiple of 64; 0: none */
} mote_qconv_kscratch;

/* Fills ks for a (its geometry) and adds the parts to *scratch_bytes. */
void mote_qconv_kscratch_prepare(const mote_op_ctx *c, const mote_qconv2d_args *a,
                                 mote_qconv_kscratch *ks, size_t *scratch_bytes);
/* the part of thread in the step's scratch, NULL where ks has none */
static inline void *mote_qconv_kscratch_at(const mote_qconv_kscratch *ks, void *step_scratch,
                                           int thread)
{
    return ks->bytes ? (char *)step_scratch + ks->off + (size_t)thread * ks->bytes : NULL;
}

#endif
