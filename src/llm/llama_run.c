/*
 * llama_run.c — running a llama-family decoder: a batched session for
 * prompts (rebuilt when the prompt length changes) and a one-token session
 * for generation; the prompt session's KV cache is copied to the
 * generation session after each batched pass (mote_session_copy_state).
 */
#include <stdlib.h>
#include <string.h>
#include "llama.h"

struct mote_llama {
    const mote_model *m;
    mote_llama_hparams hp;
    mote_session_options opts;
    mote_session *gen;       /* T = 1                                  */
    mote_session *batch;     /* T = batch_T, or NULL                   */
    int batch_T;
    int pos;                 /* tokens in the KV cache                 */
};

static mote_status make_session(mote_llama *L, int T, mote_session **out)
{
    mote_tensor shapes[2];
    memset(shapes, 0, sizeof shapes);
    shapes[0].dtype = MOTE_I32; shapes[0].ndim = 1; shapes[0].dims[0] = T;
    shapes[1].dtype = MOTE_I32; shapes[1].ndim = 1; shapes[1].dims[0] = 1;
    mote_session_options o = L->opts;
    o.input_shapes = shapes;
    o.n_input_shapes = 2;
    o.arena = NULL;
    o.arena_bytes = 0;
    return mote_session_new(L->m, &o, out);
}

mote_status mote_llama_new(const mote_model *m, const mote_session_options *opts, mote_llama **out)
{
    *out = NULL;
    mote_llama *L = calloc(1, sizeof *L);
    if (!L) return MOTE_ERR_NOMEM;
    L->m = m;
    if (opts) L->opts = *opts;
    else mote_session_options_init(&L->opts);
    mote_status st = mote_llama_hparams_from_model(m, &L->hp);
    if (!st) st = make_session(L, 1, &L->gen);
    if (st) {
        mote_llama_free(L);
        return st;
    }
    *out = L;
    return MOTE_OK;
}

void mote_llama_free(mote_llama *L)
{
    if (!L) return;
    mote_session_free(L->gen);
    mote_session_free(L->batch);
    free(L);
}

mote_status mote_llama_reset(mote_llama *L)
{
    L->pos = 0;
    mote_status st = mote_session_reset(L->gen);
    if (!st && L->batch) st = mote_session_reset(L->batch);
    return st;
}

int mote_llama_pos(const mote_llama *L) { return L->pos; }
const mote_llama_hparams *mote_llama_hparams_of(const mote_llama *L) { return &L->hp; }

size_t mote_llama_memory_bytes(const mote_llama *L)
{
    return mote_session_arena_bytes(L->gen) + (L->batch ? mote_session_arena_bytes(L->batch) : 0);
}

mote_status mote_llama_prepare(mote_llama *L, int n)
{
    if (n <= 1 || (L->batch && L->batch_T == n)) return MOTE_OK;
    if (n > L->hp.max_seq) return MOTE_ERR_LIMIT;
    mote_session_free(L->batch);
    L->batch = NULL;
    mote_status st = make_session(L, n, &L->batch);
    if (!st) L->batch_T = n;
    return st;
}

mote_status mote_llama_forward(mote_llama *L, const int *ids, int n, const float **logits)
{
    if (n <= 0 || !ids) return MOTE_ERR_ARG;
    if (L->pos + n > L->hp.max_seq) return MOTE_ERR_LIMIT;
    mote_session *s = L->gen;
    mote_status st;
    if (n > 1) {
        if ((st = mote_llama_prepare(L, n))) return st;
        s = L->batch;
        /* the batch session continues from where generation stopped */
        if (L->pos && (st = mote_session_copy_state(s, L->gen))) return st;
    }
    int32_t pos = L->pos;
    mote_tensor in[2];
    memset(in, 0, sizeof in);
    in[0].dtype = MOTE_I32; in[0].ndim = 1; in[0].dims[0] = n; in[0].data = (void *)ids;
    in[1].dtype = MOTE_I32; in[1].ndim = 1; in[1].dims[0] = 1; in[1].data = &pos;
    if ((st = mote_session_run(s, in, 2))) return st;
    if (s != L->gen && (st = mote_session_copy_state(L->gen, s))) return st;
    L->pos += n;
    mote_tensor out;
    if ((st = mote_session_output(s, 0, &out))) return st;
    *logits = out.data;
    return MOTE_OK;
}
