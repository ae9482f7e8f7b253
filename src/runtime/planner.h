/*
 * planner.h — the static memory plan: one arena for every intermediate.
 *
 * Input: for each buffer, its size and the first and last step that use it.
 * Output: an offset per buffer such that two buffers whose lifetimes
 * overlap never share a byte. Greedy by size (largest first), each placed
 * at the lowest offset that does not collide with an already placed,
 * overlapping-in-time buffer. Offsets are 64-byte aligned.
 */
#ifndef MOTE_PLANNER_H
#define MOTE_PLANNER_H

#include <stdbool.h>
#include <stddef.h>
#include "mote.h"

typedef struct mote_buf {
    size_t bytes;       /* 0: not placed (weights, aliases)         */
    int first, last;    /* steps [first, last] inclusive             */
    size_t offset;      /* result                                    */
} mote_buf;

typedef struct mote_plan {
    mote_buf *bufs; int n_bufs;
    size_t arena_bytes;     /* the plan's total                     */
    size_t naive_bytes;     /* sum of all sizes                     */
} mote_plan;

/* Places bufs[0..n) (fills offsets) and returns the arena size in *arena. */
mote_status mote_plan_place(mote_buf *bufs, int n, size_t *arena);
/* True if no two buffers overlap in both time and bytes (for tests). */
bool mote_plan_valid(const mote_buf *bufs, int n);

#endif
