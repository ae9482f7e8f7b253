/*
 * instrument.h — what the instruments (mote trace, profile, check-kernels,
 * info) compute from a session: per-node FLOP estimates, bytes moved,
 * tensor statistics and content hashes.
 *
 * Internal to the runtime and its tools (not installed, not in mote.h).
 * Nothing here runs a model or prints; the hooks themselves are in
 * session.h (mote_session_run_hooked).
 */
#ifndef MOTE_INSTRUMENT_H
#define MOTE_INSTRUMENT_H

#include <stdint.h>
#include "session.h"

/*
 * Floating-point operations of node n, estimated from the session's shapes
 * (a multiply-add counts 2). See instrument.c for the formula per op.
 */
double mote_node_flops(const mote_session *s, const mote_node *n);

/* Bytes the node reads and writes: its inputs (weights included) plus its
 * outputs, at their dtypes' sizes. A lower bound on memory traffic. */
double mote_node_bytes(const mote_session *s, const mote_node *n);

/* Summary of a tensor's elements, in double. Non-finite elements are
 * counted in nan/inf and left out of min, max, mean and std. */
typedef struct mote_tstats {
    int64_t n;          /* elements                                  */
    int64_t nan, inf;   /* NaN and +-Inf counts                      */
    double min, max;    /* over finite elements (0 if there are none) */
    double mean, std;   /* population std over finite elements       */
    int64_t argmax;     /* first index of max, -1 if none is finite  */
} mote_tstats;
void mote_tensor_stats(const mote_tensor *t, mote_tstats *out);


/* FNV-1a, 64 bits, over len bytes: a content hash for comparing dumps. */
uint64_t mote_fnv1a64(const void *p, size_t len);

#endif
