/*
 * qconv_plan.c — the packed-weight path of the 8-bit convolutions (see
 * qconv_plan.h). Work units are (image, block of 64 output pixels) when
 * there are enough of them for the threads, else (image, block of 24
 * output channels): each unit's outputs are computed alone, so the bits
 * do not depend on the thread count.
 */
#include "graph/internal.h"
#include "op_util.h"
#include "qconv_plan.h"
#include "runtime/prepared.h"

#define QP_PIXELS 64
#define QP_CHANNELS 24

mote_status mote_qconv_plan_prepare(mote_op_ctx *c, const mote_qconv2d_args *a, int w_const,
                                    mote_qconv_plan *pl, size_t *scratch_bytes,
                                    size_t *scratch_off)
{
    pl->wp = NULL;
    pl->scratch = 0;
    pl->threads = c->threads > 0 ? c->threads : 1;
    if (!w_const || a->groups != 1 || !c->k->general.qconv2d_packed)
        return MOTE_OK;
    const int64_t K = a->C * a->KH * a->KW;
    size_t bytes = c->k->general.qconv2d_pack_bytes(a);
    mote_prep_key key = { .tag = MOTE_PREP_QCONV, .src = a->w,
                          .p = { a->OC, K, a->w_signed, 0 } };
    bool fill;
    void *wp = mote_ctx_prepared(c, &key, bytes, &fill);
    if (!wp)
        return c->alloc_status ? c->alloc_status : MOTE_ERR_NOMEM;
    if (fill)
        c->k->general.qconv2d_pack(a, wp);
    pl->wp = wp;
    pl->scratch = (c->k->general.qconv2d_packed_scratch_bytes(a) + 63) / 64 * 64;
    *scratch_off = (*scratch_bytes + 63) / 64 * 64;
    *scratch_bytes = *scratch_off + pl->scratch * (size_t)pl->threads;
    return MOTE_OK;
}

void mote_qconv_kscratch_prepare(const mote_op_ctx *c, const mote_qconv2d_args *a,
                                 mote_qconv_kscratch *ks, size_t *scratch_bytes)
{
    ks->bytes = mote_align_up(c->k->general.qconv2d_scratch_bytes(a), 64);
    ks->off = mote_align_up(*scratch_bytes, 64);
    if (ks->bytes)
        *scratch_bytes = ks->off + ks->bytes * (size_t)(c->threads > 0 ? c->threads : 1);
}

typedef struct qp_job {
    const mote_qconv_plan *pl;
    const mote_qconv2d_args *a;
    int64_t per_img, P;
    int by_pixels;
    size_t x_img, y_img;
    char *scratch;
    const mote_kernels *k;
} qp_job;

static void qp_chunk(void *ctx, int64_t b, int64_t e, int thread)
{
    const qp_job *j = ctx;
    mote_qconv2d_packed_args pa;
    pa.wp = j->pl->wp;
    pa.scratch = j->scratch + (size_t)thread * j->pl->scratch;
    for (int64_t u = b; u < e; u++) {
        int64_t n = u / j->per_img, i = u % j->per_img;
        pa.a = *j->a;
        pa.a.x = (const char *)j->a->x + (size_t)n * j->x_img;
        pa.a.y = (char *)j->a->y + (size_t)n * j->y_img;
        if (j->by_pixels) {
            pa.p0 = i * QP_PIXELS;
            pa.p1 = pa.p0 + QP_PIXELS < j->P ? pa.p0 + QP_PIXELS : j->P;
            /* neighbouring pixel blocks of one thread in one call */
            while (u + 1 < e && (u + 1) / j->per_img == n) {
                u++;
                pa.p1 = pa.p1 + QP_PIXELS < j->P ? pa.p1 + QP_PIXELS : j->P;
            }
            pa.a.oc0 = 0;
            pa.a.oc1 = j->a->OC;
        } else {
            pa.p0 = 0;
            pa.p1 = j->P;
            pa.a.oc0 = i * QP_CHANNELS;
            pa.a.oc1 = pa.a.oc0 + QP_CHANNELS < j->a->OC ? pa.a.oc0 + QP_CHANNELS : j->a->OC;
            /* neighbouring channel blocks too: the kernel lays the input
             * out once per call */
            while (u + 1 < e && (u + 1) / j->per_img == n) {
                u++;
                pa.a.oc1 = pa.a.oc1 + QP_CHANNELS < j->a->OC ? pa.a.oc1 + QP_CHANNELS : j->a->OC;
            }
        }
        j->k->general.qconv2d_packed(&pa);
    }
}

void mote_qconv_plan_run(const mote_qconv_plan *pl, const mote_step *s, const mote_qconv2d_args *a,
                         int64_t N, size_t x_img, size_t y_img, void *scratch)
{
    qp_job j = { pl, a, 0, a->OH * a->OW, 1, x_img, y_img, scratch, s->k };
    int64_t pix = (j.P + QP_PIXELS - 1) / QP_PIXELS;
    if (N * pix >= 2 * (int64_t)pl->threads || pl->threads == 1 || a->OC <= QP_CHANNELS) {
        j.per_img = pix;
    } else {
        j.by_pixels = 0;
        j.per_img = (a->OC + QP_CHANNELS - 1) / QP_CHANNELS;
    }
    mote_pool_for(s->pool, N * j.per_img, 1, qp_chunk, &j);
}
