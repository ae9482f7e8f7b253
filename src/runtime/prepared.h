/*
 * prepared.h — prepared weights: data derived from a model's constants
 * alone (packed GEMM operands, repacked quantized matrices, folded
 * constants). They depend on the model and the kernel table, never on the
 * input shapes, so they are made once and shared by every session of the
 * model, whatever its shapes (like ONNX Runtime's prepacked-weights
 * container). Not here: what a packing is (kernels/, arch/) or when an op
 * wants one (src/ops/).
 *
 * The container hangs off the mote_model and is reference-counted: the
 * model holds one reference and each session another, so it lives as long
 * as the last of them. Entries are found by key and kept until then (a
 * session that reshapes back to an earlier shape finds its packing again).
 * Thread safety: find and add need the container's lock, which a session
 * holds for the whole of its preparation, so an entry is filled before any
 * other session can find it.
 */
#ifndef MOTE_PREPARED_H
#define MOTE_PREPARED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "mote.h"

/* What a prepared entry is derived from and how. */
typedef struct mote_prep_key {
    int tag;              /* the kind of derivation (MOTE_PREP_*)              */
    const void *src;      /* the constant it is derived from (in the model)    */
    int64_t p[4];         /* the derivation's parameters: sizes, strides, flags */
    const char *isa;      /* the kernel table's name: layouts differ per ISA   */
} mote_prep_key;

enum {
    MOTE_PREP_GEMM_B = 1, /* packed constant B: p = K, N, ldb, trans_b         */
    MOTE_PREP_GEMM_A,     /* packed constant A: p = M, K, lda                  */
    MOTE_PREP_QPACK,      /* repacked quantized rows: p = weight type, N, K    */
    MOTE_PREP_BN_FOLD,    /* BatchNorm scale and shift (src: scale): p = C,
                             epsilon's bits, mean and bias addresses */
    MOTE_PREP_TRANSPOSE,  /* groups of a matrix transposed: p = groups, rows
                             and columns of one group (src: its first row) */
    MOTE_PREP_DEVICE,     /* an accelerator's copy of the weights (an owned
                             object): p = platform, device */
    MOTE_PREP_WINOGRAD_F2, /* Winograd F(2x2,3x3) weights (src: W): p = OC, C,
                             then xi and 1 (U_xi packed as a GEMM's A) or
                             16 and 0 (all 16 U_xi plain, (16, OC, C)) */
    MOTE_PREP_QCONV       /* packed 8-bit convolution weights: p = OC, K,
                             w_signed */
};

typedef struct mote_prepared mote_prepared;

/* A new, empty container with one reference; NULL when out of memory. */
mote_prepared *mote_prepared_new(void);
void mote_prepared_retain(mote_prepared *pc);
/* Drops a reference; the last one frees every entry. */
void mote_prepared_release(mote_prepared *pc);
void mote_prepared_lock(mote_prepared *pc);
void mote_prepared_unlock(mote_prepared *pc);
/* With the lock held: the entry for key (its size in *bytes), or NULL. */
void *mote_prepared_find(mote_prepared *pc, const mote_prep_key *key, size_t *bytes);
/* With the lock held: a new 64-byte aligned, uncleared entry for key, which
 * the caller fills before unlocking; NULL when out of memory. */
void *mote_prepared_add(mote_prepared *pc, const mote_prep_key *key, size_t bytes);
/* With the lock held: an entry that is an object the container owns
 * (found with mote_prepared_find, bytes 0): drop(obj) runs when the
 * container is freed. False when out of memory (obj is not taken). */
bool mote_prepared_attach(mote_prepared *pc, const mote_prep_key *key, void *obj,
                          void (*drop)(void *obj));
/* Bytes held by all entries, and how many there are (locks). */
size_t mote_prepared_bytes(mote_prepared *pc, int *entries);

#endif
