/*
 * opencl_weights.c — one model's weights on one OpenCL device, shared by
 * every session of the model placed there (issue 9's prepared weights:
 * the store is an owned entry of the model's mote_prepared container, so
 * it lives as long as the model or its last session).
 *
 * The store holds the opened device (context, queue, program: built or
 * loaded once per model and device) and the device copies of constants,
 * found by what they are derived from (the model's constant and a tag for
 * derived data such as a folded BatchNormalization). Each placement adds
 * what it misses in one new buffer, uploaded once; a second session, or a
 * reshape, finds them and uploads nothing.
 *
 * Not here: which steps read which weights (opencl_place.c).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include "opencl_internal.h"
#include "opencl_weights.h"
#include "runtime/prepared.h"

typedef struct went {
    mote_cl_wkey key;
    mote_cl_mem m;
} went;

struct mote_cl_weights {
    mote_cl *cl;
    pthread_mutex_t mu;
    went *e;
    int n, cap;
    cl_mem *bufs;
    int n_bufs, cap_bufs;
    size_t bytes;
};

static void weights_free(void *obj)
{
    mote_cl_weights *w = obj;
    for (int i = 0; i < w->n_bufs; i++) mote_cl_release(w->bufs[i]);
    free(w->bufs);
    free(w->e);
    mote_cl_close(w->cl);
    pthread_mutex_destroy(&w->mu);
    free(w);
}

mote_status mote_cl_weights_open(struct mote_prepared *pc, int platform, int device,
                                 mote_cl_weights **out)
{
    *out = NULL;
    mote_prep_key key = {.tag = MOTE_PREP_DEVICE, .p = {platform, device}, .isa = "opencl"};
    mote_prepared_lock(pc);
    size_t bytes;
    mote_cl_weights *w = mote_prepared_find(pc, &key, &bytes);
    mote_status st = MOTE_OK;
    if (!w) {
        w = calloc(1, sizeof *w);
        if (!w) {
            st = mote_error(MOTE_ERR_NOMEM, "out of memory");
        } else if ((st = mote_cl_open(platform, device, &w->cl)) != MOTE_OK) {
            free(w);
            w = NULL;
        } else {
            pthread_mutex_init(&w->mu, NULL);
            if (!mote_prepared_attach(pc, &key, w, weights_free)) {
                weights_free(w);
                w = NULL;
                st = mote_error(MOTE_ERR_NOMEM, "out of memory");
            }
        }
    }
    mote_prepared_unlock(pc);
    *out = w;
    return st;
}

mote_cl *mote_cl_weights_device(mote_cl_weights *w) { return w->cl; }
void mote_cl_weights_lock(mote_cl_weights *w) { pthread_mutex_lock(&w->mu); }
void mote_cl_weights_unlock(mote_cl_weights *w) { pthread_mutex_unlock(&w->mu); }
size_t mote_cl_weights_bytes(mote_cl_weights *w) { return w->bytes; }

static bool same(const mote_cl_wkey *a, const mote_cl_wkey *b)
{
    return a->src == b->src && a->tag == b->tag && a->bytes == b->bytes &&
           memcmp(a->p, b->p, sizeof a->p) == 0;
}

mote_cl_mem mote_cl_weights_find(mote_cl_weights *w, const mote_cl_wkey *key)
{
    for (int i = 0; i < w->n; i++)
        if (same(&w->e[i].key, key)) return w->e[i].m;
    return (mote_cl_mem){NULL, 0};
}

mote_status mote_cl_weights_add(mote_cl_weights *w, int n, const mote_cl_wkey *keys,
                                const void *const *host, mote_cl_mem *out)
{
    if (n <= 0) return MOTE_OK;
    if (w->n + n > w->cap) {
        int cap = (w->n + n) * 2;
        went *e = realloc(w->e, sizeof *e * (size_t)cap);
        if (!e) return mote_error(MOTE_ERR_NOMEM, "out of memory");
        w->e = e;
        w->cap = cap;
    }
    if (w->n_bufs == w->cap_bufs) {
        int cap = w->cap_bufs ? 2 * w->cap_bufs : 4;
        cl_mem *b = realloc(w->bufs, sizeof *b * (size_t)cap);
        if (!b) return mote_error(MOTE_ERR_NOMEM, "out of memory");
        w->bufs = b;
        w->cap_bufs = cap;
    }
    /* one buffer, 64-byte aligned slots */
    size_t floats = 0;
    for (int i = 0; i < n; i++) floats += (keys[i].bytes / sizeof(float) + 15) / 16 * 16;
    cl_mem buf;
    mote_status st = mote_cl_alloc(w->cl, floats * sizeof(float), &buf);
    if (st != MOTE_OK) return st;
    size_t at = 0;
    for (int i = 0; i < n && st == MOTE_OK; i++) {
        out[i] = (mote_cl_mem){buf, (int64_t)at};
        st = mote_cl_write(w->cl, out[i], host[i], keys[i].bytes);
        at += (keys[i].bytes / sizeof(float) + 15) / 16 * 16;
    }
    if (st != MOTE_OK) {
        mote_cl_release(buf);
        return st;
    }
    w->bufs[w->n_bufs++] = buf;
    for (int i = 0; i < n; i++) w->e[w->n++] = (went){keys[i], out[i]};
    w->bytes += floats * sizeof(float);
    return MOTE_OK;
}
