/*
 * opencl_weights.h — one model's weights on one OpenCL device, shared by
 * the model's sessions (opencl_weights.c): the opened device and the
 * device copies of constants, each uploaded once.
 */
#ifndef MOTE_OPENCL_WEIGHTS_H
#define MOTE_OPENCL_WEIGHTS_H

#include "opencl.h"

struct mote_prepared;
typedef struct mote_cl_weights mote_cl_weights;

/* What a device copy is: the model's constant src (bytes long), or data
 * derived from it (tag != 0, parameters p). */
typedef struct mote_cl_wkey {
    const void *src;
    int tag;
    int64_t p[4];
    size_t bytes;
} mote_cl_wkey;

enum { MOTE_CL_W_COPY = 0, MOTE_CL_W_BN_FOLD = 1 };

/* The store of model pc for (platform, device) as in mote_cl_open, made
 * (the device opened) on first use; owned by pc. */
mote_status mote_cl_weights_open(struct mote_prepared *pc, int platform, int device,
                                 mote_cl_weights **out);
mote_cl *mote_cl_weights_device(mote_cl_weights *w);
/* Placement holds the lock throughout (find, add, recording launches). */
void mote_cl_weights_lock(mote_cl_weights *w);
void mote_cl_weights_unlock(mote_cl_weights *w);
/* With the lock held: the copy of key, or mem NULL. */
mote_cl_mem mote_cl_weights_find(mote_cl_weights *w, const mote_cl_wkey *key);
/* With the lock held: uploads n copies (host[i], keys[i].bytes) into one
 * new buffer; out[i] is where each went. */
mote_status mote_cl_weights_add(mote_cl_weights *w, int n, const mote_cl_wkey *keys,
                                const void *const *host, mote_cl_mem *out);
/* Device bytes the store holds. */
size_t mote_cl_weights_bytes(mote_cl_weights *w);

#endif
