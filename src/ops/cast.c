/*
 * cast.c — Cast (attribute `to`, an ONNX TensorProto data type code)
 * and CastLike (the dtype of input 1) between every mote dtype: f32, f16,
 * bf16, i8, u8, i32, i64, bool.
 *
 *   float -> float: through f32 (f16 / bf16 round to nearest even);
 *   float -> int:   truncation toward zero, clamped to the type's range,
 *                   NaN -> 0 (ONNX leaves out-of-range undefined);
 *   int -> int:     two's-complement wrap to the width (numpy's astype);
 *   int -> float:   the nearest representable value;
 *   x -> bool:      x != 0;  bool -> x: 0 or 1.
 * ONNX types mote lacks (double, string, u16, ...) are refused naming them.
 */
#include <string.h>
#include "op_util.h"

/* ONNX TensorProto.DataType -> mote dtype (0: none) */
static mote_dtype from_onnx(int64_t to)
{
    switch (to) {
    case 1: return MOTE_F32;
    case 2: return MOTE_U8;
    case 3: return MOTE_I8;
    case 6: return MOTE_I32;
    case 7: return MOTE_I64;
    case 9: return MOTE_BOOL;
    case 10: return MOTE_F16;
    case 16: return MOTE_BF16;
    default: return 0;
    }
}

static const char *onnx_name(int64_t to)
{
    static const char *const n[] = {"UNDEFINED", "FLOAT", "UINT8", "INT8", "UINT16", "INT16",
                                    "INT32", "INT64", "STRING", "BOOL", "FLOAT16", "DOUBLE",
                                    "UINT32", "UINT64", "COMPLEX64", "COMPLEX128", "BFLOAT16"};
    return to >= 0 && to < (int64_t)(sizeof n / sizeof *n) ? n[to] : "an unknown type";
}

typedef struct cast_params {
    mote_dtype from, to;
    int64_t n;
} cast_params;

typedef struct cast_job {
    const cast_params *p;
    const void *x;
    void *y;
} cast_job;

static int is_float(mote_dtype t)
{
    return t == MOTE_F32 || t == MOTE_F16 || t == MOTE_BF16;
}

/* Typed loops for the common pairs, the values the per-element path
 * gives: small integers and bool convert to f32 exactly, x -> bool is
 * x != 0 (NaN -> 1). Blocks of 64 with restrict operands, which the
 * compiler vectorizes at -O2, then the rest. */
#define CAST_LOOP(NAME, TX, TY, EXPR)                                                 \
    static void NAME(const TX *restrict x, TY *restrict y, int64_t b, int64_t e)      \
    {                                                                                 \
        int64_t i = b;                                                                \
        for (; i + 64 <= e; i += 64)                                                  \
            for (int k = 0; k < 64; k++) {                                            \
                TX v = x[i + k];                                                      \
                y[i + k] = EXPR;                                                      \
            }                                                                         \
        for (; i < e; i++) {                                                          \
            TX v = x[i];                                                              \
            y[i] = EXPR;                                                              \
        }                                                                             \
    }
CAST_LOOP(u8_to_f32, uint8_t, float, (float)v)
CAST_LOOP(i8_to_f32, int8_t, float, (float)v)
CAST_LOOP(i32_to_f32, int32_t, float, (float)v)   /* one rounding, as through double */
CAST_LOOP(f32_to_bool, float, uint8_t, (uint8_t)(v != 0.0f))
#undef CAST_LOOP

/* 1: done by a typed loop */
static int cast_fast(mote_dtype f, mote_dtype t, const void *x, void *y, int64_t b, int64_t e)
{
    if (t == MOTE_F32 && (f == MOTE_BOOL || f == MOTE_U8))
        u8_to_f32(x, y, b, e);
    else if (t == MOTE_F32 && f == MOTE_I8)
        i8_to_f32(x, y, b, e);
    else if (t == MOTE_F32 && f == MOTE_I32)
        i32_to_f32(x, y, b, e);
    else if (t == MOTE_BOOL && f == MOTE_F32)
        f32_to_bool(x, y, b, e);
    else
        return 0;
    return 1;
}

static void cast_chunk(void *ctx, int64_t b, int64_t e, int thread)
{
    const cast_job *j = ctx;
    mote_dtype f = j->p->from, t = j->p->to;
    if (f == t) {
        size_t es = mote_dtype_size(f);
        memcpy((char *)j->y + (size_t)b * es, (const char *)j->x + (size_t)b * es, (size_t)(e - b) * es);
        return;
    }
    if (cast_fast(f, t, j->x, j->y, b, e))
        return;
    for (int64_t i = b; i < e; i++) {
        if (is_float(f))
            mote_elem_put_f64(j->y, t, i, mote_elem_f64(j->x, f, i));
        else
            mote_elem_put_i64(j->y, t, i, mote_elem_get_i64(j->x, f, i));
    }
}

static void run_cast(const mote_step *s)
{
    const cast_params *p = s->params;
    cast_job j = {p, s->in[0]->data, s->out[0]->data};
    mote_pool_for(s->pool, p->n, 32768, cast_chunk, &j);   /* a pass over memory: split big ones */
}

static mote_status infer_cast(mote_op_ctx *c)
{
    if (!c->in[0])
        return mote_op_error(c, MOTE_ERR_GRAPH, "input 0 is missing");
    mote_dtype to;
    if (!strcmp(c->node->op, "CastLike")) {
        if (c->n_in < 2 || !c->in[1])
            return mote_op_error(c, MOTE_ERR_GRAPH, "input target_type is missing");
        to = c->in[1]->dtype;
    } else {
        const mote_attr *a = mote_node_attr(c->node, "to");
        if (!a || a->type != MOTE_ATTR_INT)
            return mote_op_error(c, MOTE_ERR_GRAPH, "attribute to is missing");
        to = from_onnx(a->i);
        if (!to)
            return mote_op_error(c, MOTE_ERR_UNSUPPORTED, "cast to %s (ONNX type %lld) is not supported",
                                 onnx_name(a->i), (long long)a->i);
    }
    mote_set_out(c, 0, to, c->in[0]->ndim, c->in[0]->dims);
    return MOTE_OK;
}

static mote_status prepare_cast(mote_op_ctx *c)
{
    cast_params *p = mote_ctx_alloc(c, sizeof *p);
    if (!p)
        return MOTE_ERR_NOMEM;
    p->from = c->in[0]->dtype;
    p->to = c->out[0]->dtype;
    p->n = mote_tensor_numel(c->in[0]);
    c->params = p;
    c->run = run_cast;
    c->scratch_bytes = 0;
    return MOTE_OK;
}

const mote_op mote_op_Cast = {"Cast", 1, 1, 1, 1, 0, infer_cast, prepare_cast, NULL};
const mote_op mote_op_CastLike = {"CastLike", 2, 2, 1, 1, 0, infer_cast, prepare_cast, NULL};
