/*
 * threadpool.h — a persistent thread pool with a static fork/join.
 *
 * mote_pool_for splits [0, n) into one contiguous chunk per thread, in
 * thread order, and returns when all are done. The split depends only on n
 * and the thread count; ops make each output element's computation
 * independent of the chunk, so results are bit-identical for any count.
 * Workers spin briefly after a job, then sleep on a condition variable:
 * an idle pool burns no core. The caller's thread does chunk 0; the other
 * chunks go to whichever thread claims them first (the caller included,
 * so a worker the OS has not scheduled does not stall the join), and
 * chunk t is always run as fn(..., t).
 */
#ifndef MOTE_POOL_H
#define MOTE_POOL_H

#include <stdint.h>
#include "mote.h"


/* fn(ctx, begin, end, thread) for one chunk. */
typedef void (*mote_pool_fn)(void *ctx, int64_t begin, int64_t end, int thread);

/* threads >= 1; pin: pin worker i to physical core i (hwloc or affinity). */
mote_status mote_pool_new(int threads, int pin, mote_pool **out);
void mote_pool_free(mote_pool *p);
int mote_pool_threads(const mote_pool *p);
/* Wakes the workers that sleep, so that they spin when the next jobs
 * come: a session run calls it first, and the wake-up (tens of
 * microseconds) overlaps the input copy instead of the first op, which
 * the caller would otherwise run alone. No-op for NULL or one thread. */
void mote_pool_wake(mote_pool *p);
/* How many times a worker has returned from sleep (tests). */
long mote_pool_wakeups(const mote_pool *p);
/* A pool shared by sessions serves one run at a time: a session on a
 * caller's pool holds this lock for its whole run. */
void mote_pool_run_lock(mote_pool *p);
void mote_pool_run_unlock(mote_pool *p);
/*
 * Runs fn over [0, n), split into chunks whose boundaries are multiples of
 * `grain` (except the end). Uses at most ceil(n / grain) threads. Safe to
 * call with p == NULL (runs inline).
 */
void mote_pool_for(mote_pool *p, int64_t n, int64_t grain, mote_pool_fn fn, void *ctx);

/* Number of physical cores (hwloc, else sysconf), >= 1. */
int mote_physical_cores(void);

#endif
