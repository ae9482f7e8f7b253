/*
 * llama_run.c — running a llama-family decoder: one session whose input
 * shapes follow the work. A prompt of n tokens runs in one batched pass
 * (the session reshaped to T = n), generation one token at a time (T = 1).
 * Reshaping keeps the KV cache (the attention ops' state) and the packed
 * weights (the model's prepared weights), so there is one cache, one
 * packed copy and one thread pool, and nothing is copied between passes.
 */
#include <stdlib.h>
#include <string.h>
#include "llama.h"

struct mote_llama {
    const mote_model *m;
    mote_llama_hparams hp;
    mote_session *s;
    int T;                   /* the session's tokens per pass             */
    int pos;                 /* tokens in the KV cache                    */
};

/* The two inputs' shapes for T tokens: tokens i32 [T], pos i32 [1]. */
static void shapes_for(int T, mote_tensor shapes[2])
{
    memset(shapes, 0, 2 * sizeof shapes[0]);
    shapes[0].dtype = MOTE_I32; shapes[0].ndim = 1; shapes[0].dims[0] = T;
    shapes[1].dtype = MOTE_I32; shapes[1].ndim = 1; shapes[1].dims[0] = 1;
}

mote_status mote_llama_new(const mote_model *m, const mote_session_options *opts, mote_llama **out)
{
    *out = NULL;
    mote_llama *L = calloc(1, sizeof *L);
    if (!L) return MOTE_ERR_NOMEM;
    L->m = m;
    mote_session_options o;
    if (opts) o = *opts;
    else mote_session_options_init(&o);
    mote_tensor shapes[2];
    shapes_for(1, shapes);
    o.input_shapes = shapes;
    o.n_input_shapes = 2;
    mote_status st = mote_llama_hparams_from_model(m, &L->hp);
    if (!st) st = mote_session_new(m, &o, &L->s);
    if (st) {
        mote_llama_free(L);
        return st;
    }
    L->T = 1;
    *out = L;
    return MOTE_OK;
}

void mote_llama_free(mote_llama *L)
{
    if (!L) return;
    mote_session_free(L->s);
    free(L);
}

mote_status mote_llama_reset(mote_llama *L)
{
    L->pos = 0;
    return mote_session_reset(L->s);
}

int mote_llama_pos(const mote_llama *L) { return L->pos; }
const mote_llama_hparams *mote_llama_hparams_of(const mote_llama *L) { return &L->hp; }

size_t mote_llama_memory_bytes(const mote_llama *L)
{
    mote_memory mem;
    if (mote_session_memory(L->s, &mem) != MOTE_OK) return 0;
    return mem.total - mem.prepared + mote_model_prepared_bytes(L->m);
}

const mote_session *mote_llama_session(const mote_llama *L) { return L->s; }

/* Reshapes the session to T tokens per pass (nothing when it has them). */
static mote_status shape_to(mote_llama *L, int T)
{
    if (L->T == T) return MOTE_OK;
    mote_tensor shapes[2];
    shapes_for(T, shapes);
    mote_status st = mote_session_reshape(L->s, shapes, 2);
    if (!st) L->T = T;
    return st;
}

mote_status mote_llama_prepare(mote_llama *L, int n)
{
    if (n <= 1) return MOTE_OK;
    if (n > L->hp.max_seq) return MOTE_ERR_LIMIT;
    return shape_to(L, n);
}

mote_status mote_llama_forward(mote_llama *L, const int *ids, int n, const float **logits)
{
    if (n <= 0 || !ids) return MOTE_ERR_ARG;
    if (L->pos + n > L->hp.max_seq) return MOTE_ERR_LIMIT;
    mote_status st = shape_to(L, n);
    if (st) return st;
    int32_t pos = L->pos;
    mote_tensor in[2];
    memset(in, 0, sizeof in);
    in[0].dtype = MOTE_I32; in[0].ndim = 1; in[0].dims[0] = n; in[0].data = (void *)ids;
    in[1].dtype = MOTE_I32; in[1].ndim = 1; in[1].dims[0] = 1; in[1].data = &pos;
    if ((st = mote_session_run(L->s, in, 2))) return st;
    L->pos += n;
    mote_tensor out;
    if ((st = mote_session_output(L->s, 0, &out))) return st;
    *logits = out.data;
    return MOTE_OK;
}
