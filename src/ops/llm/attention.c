/*
 * attention.c — LlmAttention: causal grouped-query attention with a
 * key/value cache that persists across runs of the session.
 *   inputs:  Q (T, n_heads*hs), K (T, n_kv_heads*hs), V (T, n_kv_heads*hs)
 *            (Q and K already rotated), pos (one i32/i64): the position
 *            of row 0
 *   attrs:   num_heads, num_kv_heads, max_seq (the cache capacity)
 *   output:  (T, n_heads*hs)
 * Each run first stores K, V rows at cache positions pos..pos+T-1, then for
 * row t and head h (which reads kv head h / (n_heads / n_kv_heads)):
 *   a_j = softmax_j( q . k_j / sqrt(hs) ),  j in [0, pos + t]
 *   out = sum_j a_j v_j
 * The cache is the op's state (ops.h): the session allocates it from the
 * size prepare declares, keeps it across runs and across reshapes (a
 * prompt of T tokens, then one token at a time, in one session), and calls
 * the reset and copy hooks here. Its size, 2 * max_seq * kv_heads * hs
 * floats, is overflow-checked and counted against the memory budget before
 * it exists. A run whose positions do not fit the cache writes zeros:
 * callers keep pos + T <= max_seq.
 */
#include <math.h>
#include <stdint.h>
#include <string.h>
#include "graph/internal.h"
#include "ops/op_util.h"
#include "graph/internal.h"

typedef struct attn_params {
    int64_t T, nh, nkv, hs, max_seq;
    const mote_llm_kernels *lk;
} attn_params;

/* The state block: this header, then the key cache (max_seq, nkv*hs) and
 * the value cache (max_seq, nkv*hs), each 64-byte aligned. */
typedef struct attn_state {
    int64_t filled;                /* rows [0, filled) written since the
                                      last reset: what copy/reset touch */
    char pad[56];
} attn_state;

static float *cache_k(const attn_params *p, void *state)
{
    (void)p;
    return (float *)((attn_state *)state + 1);
}

static float *cache_v(const attn_params *p, void *state)
{
    size_t cache = mote_align_up((size_t)(p->max_seq * p->nkv * p->hs) * sizeof(float), 64);
    return (float *)((char *)cache_k(p, state) + cache);
}

typedef struct attn_job {
    const attn_params *p;
    const float *kc, *vc;
    const float *q;
    float *y;
    int64_t pos;
    float *scratch;                /* (threads, max_seq) scores        */
} attn_job;

static void attn_chunk(void *ctx, int64_t i0, int64_t i1, int thread)
{
    const attn_job *j = ctx;
    const attn_params *p = j->p;
    int64_t kvd = p->nkv * p->hs, group = p->nh / p->nkv;
    float *sc = j->scratch + (size_t)thread * (size_t)p->max_seq;
    float scale = 1.0f / sqrtf((float)p->hs);
    for (int64_t i = i0; i < i1; i++) {
        int64_t t = i / p->nh, h = i % p->nh, kvh = h / group;
        int64_t n = j->pos + t + 1;              /* causal: keys 0..pos+t */
        p->lk->attend_f32(n, p->hs, j->q + t * p->nh * p->hs + h * p->hs, j->kc + kvh * p->hs,
                          j->vc + kvh * p->hs, kvd, scale, sc, j->y + t * p->nh * p->hs + h * p->hs);
    }
}

static void attn_run(const mote_step *s)
{
    const attn_params *p = s->params;
    attn_state *st = s->state;
    float *kc = cache_k(p, st), *vc = cache_v(p, st);
    int64_t pos = mote_llm_read_pos(s->in[3]);
    int64_t kvd = p->nkv * p->hs;
    if (pos < 0 || pos + p->T > p->max_seq) {
        memset(s->out[0]->data, 0, (size_t)(p->T * p->nh * p->hs) * sizeof(float));
        return;
    }
    memcpy(kc + pos * kvd, s->in[1]->data, (size_t)(p->T * kvd) * sizeof(float));
    memcpy(vc + pos * kvd, s->in[2]->data, (size_t)(p->T * kvd) * sizeof(float));
    if (pos + p->T > st->filled) st->filled = pos + p->T;
    attn_job j = { p, kc, vc, s->in[0]->data, s->out[0]->data, pos, s->scratch };
    mote_pool_for(s->pool, p->T * p->nh, 1, attn_chunk, &j);
}

static mote_status attn_infer(mote_op_ctx *c)
{
    mote_status st = MOTE_OK;
    for (int i = 0; i < 3 && !st; i++) st = mote_expect_dtype(c, i, MOTE_F32);
    if (!st) st = mote_llm_expect_pos(c, 3);
    if (st) return st;
    int64_t nh = mote_attr_get_int(c->node, "num_heads", 0);
    int64_t nkv = mote_attr_get_int(c->node, "num_kv_heads", nh);
    int64_t ms = mote_attr_get_int(c->node, "max_seq", 0);
    const mote_tensor *q = c->in[0], *k = c->in[1], *v = c->in[2];
    if (nh <= 0 || nkv <= 0 || nh % nkv || ms <= 0)
        return mote_op_error(c, MOTE_ERR_SHAPE, "num_heads %lld must be a positive multiple "
                             "of num_kv_heads %lld, max_seq %lld positive",
                             (long long)nh, (long long)nkv, (long long)ms);
    if (q->ndim != 2 || k->ndim != 2 || v->ndim != 2 || q->dims[1] % nh ||
        k->dims[0] != q->dims[0] || v->dims[0] != q->dims[0] ||
        k->dims[1] != q->dims[1] / nh * nkv || v->dims[1] != k->dims[1])
        return mote_op_error(c, MOTE_ERR_SHAPE, "Q must be (T, heads*hs), K and V "
                             "(T, kv_heads*hs)");
    /* The caches (max_seq, kv_heads*hs) twice and the scores (threads,
     * max_seq) must have a size: max_seq comes from the file. */
    int64_t kvd = k->dims[1], rows;
    size_t cache, scores;
    if (__builtin_mul_overflow(ms, kvd, &rows) || !mote_mul_size((size_t)rows, 2 * sizeof(float), &cache) ||
        cache > (size_t)PTRDIFF_MAX ||
        !mote_mul_size((size_t)ms, (size_t)(c->threads > 0 ? c->threads : 1) * sizeof(float), &scores) ||
        scores > (size_t)PTRDIFF_MAX)
        return mote_op_error(c, MOTE_ERR_LIMIT, "max_seq %lld: the size of a key/value cache of "
                             "%lld x %lld floats overflows", (long long)ms, (long long)ms, (long long)kvd);
    mote_set_out(c, 0, MOTE_F32, 2, q->dims);
    return MOTE_OK;
}

static mote_status attn_prepare(mote_op_ctx *c)
{
    attn_params *p = mote_ctx_alloc(c, sizeof *p);
    if (!p) return MOTE_ERR_NOMEM;
    p->lk = &c->k->llm;
    p->nh = mote_attr_get_int(c->node, "num_heads", 0);
    p->nkv = mote_attr_get_int(c->node, "num_kv_heads", p->nh);
    p->max_seq = mote_attr_get_int(c->node, "max_seq", 0);
    p->T = c->in[0]->dims[0];
    p->hs = c->in[0]->dims[1] / p->nh;
    /* state: the header and two caches of max_seq * nkv * hs floats, and
     * per-thread score rows of max_seq floats: every product checked, since
     * max_seq comes from the file */
    size_t cache, state, scratch;
    if (!mote_mul_size((size_t)p->max_seq, (size_t)p->nkv, &cache) ||
        !mote_mul_size(cache, (size_t)p->hs, &cache) ||
        !mote_mul_size(cache, sizeof(float), &cache) || cache > SIZE_MAX / 4 ||
        !mote_mul_size(mote_align_up(cache, 64), 2, &state) ||
        !mote_add_size(state, sizeof(attn_state), &state) ||
        !mote_mul_size((size_t)(c->threads > 0 ? c->threads : 1), (size_t)p->max_seq, &scratch) ||
        !mote_mul_size(scratch, sizeof(float), &scratch))
        return mote_op_error(c, MOTE_ERR_LIMIT, "the key/value cache for max_seq %lld, %lld kv "
                             "heads of %lld overflows", (long long)p->max_seq,
                             (long long)p->nkv, (long long)p->hs);
    c->params = p;
    c->state_bytes = state;
    c->scratch_bytes = scratch;
    c->run = attn_run;
    return MOTE_OK;
}

static void attn_reset(const void *params, void *state)
{
    const attn_params *p = params;
    attn_state *st = state;
    /* only the rows written: a session that used a few positions does not
     * touch (and make the OS commit) a cache sized for max_seq */
    size_t used = (size_t)st->filled * (size_t)(p->nkv * p->hs) * sizeof(float);
    memset(cache_k(p, state), 0, used);
    memset(cache_v(p, state), 0, used);
    st->filled = 0;
}

static void attn_copy_state(const void *params, void *dst, const void *src)
{
    const attn_params *p = params;
    attn_state *d = dst;
    const attn_state *s = src;
    int64_t rows = s->filled > d->filled ? s->filled : d->filled;
    size_t used = (size_t)rows * (size_t)(p->nkv * p->hs) * sizeof(float);
    memcpy(cache_k(p, dst), cache_k(p, (void *)src), used);
    memcpy(cache_v(p, dst), cache_v(p, (void *)src), used);
    d->filled = s->filled;
}

void mote_llm_attention_cache(const mote_step *s, float **k, float **v, int64_t **filled)
{
    const attn_params *p = s->params;
    *k = cache_k(p, s->state);
    *v = cache_v(p, s->state);
    *filled = &((attn_state *)s->state)->filled;
}

static const mote_state_hooks attn_state_hooks = { .reset = attn_reset, .copy = attn_copy_state };

const mote_op mote_op_LlmAttention = {
    .name = "LlmAttention", .min_in = 4, .max_in = 4, .min_out = 1, .max_out = 1,
    .infer = attn_infer, .prepare = attn_prepare, .state = &attn_state_hooks,
};
