/*
 * op_llm_util.c — helpers shared by the language-model ops: picking the
 * LLM kernel table for the session's ISA (kernels/llm.h) and reading the
 * attributes and position inputs they have in common.
 */
#include <string.h>
#include "config.h"
#include "op_llm.h"

const mote_llm_kernels *mote_llm_kernels_for(mote_op_ctx *c)
{
    const mote_llm_kernels *t = &mote_llm_kernels_ref;
#ifdef MOTE_HAVE_X86
    if (c->k && c->k->name && !strcmp(c->k->name, "avx512")) t = &mote_llm_kernels_avx512;
    else if (c->k && c->k->name && !strcmp(c->k->name, "avx2")) t = &mote_llm_kernels_avx2;
#endif
    mote_llm_kernels *r = mote_ctx_alloc(c, sizeof *r);
    if (!r) return NULL;
    *r = *t;
    const mote_llm_kernels *ref = &mote_llm_kernels_ref;
    if (!r->rmsnorm_f32) r->rmsnorm_f32 = ref->rmsnorm_f32;
    if (!r->rope_f32) r->rope_f32 = ref->rope_f32;
    if (!r->matvec_f32) r->matvec_f32 = ref->matvec_f32;
    if (!r->matvec_f16) r->matvec_f16 = ref->matvec_f16;
    if (!r->dot_f32) r->dot_f32 = ref->dot_f32;
    if (!r->axpy_f32) r->axpy_f32 = ref->axpy_f32;
    if (!r->swiglu_f32) r->swiglu_f32 = ref->swiglu_f32;
    if (!r->attend_f32) r->attend_f32 = ref->attend_f32;
    if (!r->quantize_q8a) r->quantize_q8a = ref->quantize_q8a;
    if (!r->quantize_q16a) r->quantize_q16a = ref->quantize_q16a;
    if (!r->matmul_q8_0) r->matmul_q8_0 = ref->matmul_q8_0;
    if (!r->matmul_q4_0) r->matmul_q4_0 = ref->matmul_q4_0;
    return r;
}

int mote_llm_weight_type(const mote_node *n)
{
    const char *s = mote_attr_get_string(n, "weight_type", "f32");
    if (!strcmp(s, "f32")) return MOTE_W_F32;
    if (!strcmp(s, "q8_0")) return MOTE_W_Q8_0;
    if (!strcmp(s, "q4_0")) return MOTE_W_Q4_0;
    if (!strcmp(s, "f16")) return MOTE_W_F16;
    return -1;
}

int64_t mote_llm_read_pos(const mote_tensor *t)
{
    if (t->dtype == MOTE_I64) return *(const int64_t *)t->data;
    return *(const int32_t *)t->data;
}

mote_status mote_llm_expect_pos(const mote_op_ctx *c, int i)
{
    const mote_tensor *t = c->in[i];
    if (!t || (t->dtype != MOTE_I32 && t->dtype != MOTE_I64) || mote_tensor_numel(t) != 1)
        return mote_op_error(c, MOTE_ERR_SHAPE, "input %d (position) must be one i32 or i64", i);
    return MOTE_OK;
}
