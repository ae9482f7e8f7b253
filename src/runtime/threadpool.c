/*
 * threadpool.c — the session's thread pool (see pool.h for the contract).
 *
 * Fork/join on a generation counter: the caller publishes a job and bumps
 * `gen`; workers that are spinning see it at once, sleeping ones are woken
 * by a condition variable. The chunks are fixed by n, grain and the thread
 * count (so are the results), but not who runs them: the caller runs
 * chunk 0, then every participant claims the next unclaimed chunk from
 * `ticket` until none is left, and the caller waits until `finished`
 * counts them all. On a busy machine a worker the OS has not scheduled
 * yet no longer holds up the join: the caller runs its chunk instead.
 * Chunk t is always run as fn(..., t), whoever runs it, so per-chunk
 * scratch indexed by the thread argument stays private.
 * After a job a worker spins for a short while (a following op usually
 * comes within microseconds), then sleeps, so an idle pool costs nothing.
 *
 * Pinning: with hwloc, worker t is bound to one processing unit of physical
 * core t (t >= 1; the caller's own thread is never re-bound: it belongs to
 * the embedding program). Without hwloc, sched_setaffinity to the t-th
 * allowed CPU. MOTE_PIN=none or the session option turns it off.
 */
#include "config.h"
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#ifdef MOTE_HAVE_HWLOC
#include <hwloc.h>
#endif
#include "graph/internal.h"
#include "threadpool.h"

/* Polling budget before sleeping, by the clock (a pause takes 10 to 140
 * cycles by CPU: 2000 of them were 22 us on a Xeon, less than the gaps
 * between ops in a model's serial stretches, and a worker woken from
 * sleep in a VM came 30-50 us late, so the caller often ran the first op
 * of a run alone). 200 us catches the next op; an idle pool still
 * sleeps soon after a run, and an oversubscribed machine does not stall
 * long on spinners. */
#define SPIN_NS 200000

typedef struct worker {
    mote_pool *p;
    int id;
    pthread_t th;
} worker;

struct mote_pool {
    int n;                       /* threads, the caller included */
    worker *w;                   /* n - 1 workers                */
    pthread_mutex_t mu;
    pthread_mutex_t run_mu;      /* one session's run at a time  */
    pthread_cond_t wake, done;
    atomic_uint_fast64_t gen;    /* bumped per job               */
    /* the job's chunk claims: (job & 0xffffffff) << 32 | chunks << 16 |
     * next unclaimed chunk; a claim is a compare-and-swap of it, so a
     * stale claim for an earlier job fails */
    atomic_uint_fast64_t ticket;
    atomic_int finished;         /* chunks of the job completed  */
    uint32_t jobs;               /* jobs published (the caller's) */
    atomic_int sleepers;
    atomic_long wakeups;         /* workers' returns from sleep  */
    atomic_bool stop;
    bool waiting;                /* caller asleep on `done`      */
    /* the current job */
    mote_pool_fn fn;
    void *ctx;
    int64_t n_items, grain;
    int n_chunks;
    int pin;
};

static void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* One step of a spin: true (after a pause) while the budget lasts; the
 * clock is read every 64 steps, *start set at the first read. */
static bool spin_on(unsigned *spins, uint64_t *start)
{
    if ((++*spins & 63) != 0) {
        cpu_relax();
        return true;
    }
    uint64_t t = now_ns();
    if (*start == 0) *start = t;
    if (t - *start < SPIN_NS) {
        cpu_relax();
        return true;
    }
    return false;
}

/* Chunk t of [0, n) in units of grain, over k chunks. */
static void chunk_bounds(int64_t n, int64_t grain, int k, int t, int64_t *b, int64_t *e)
{
    int64_t units = (n + grain - 1) / grain;
    int64_t ub = units * t / k, ue = units * (t + 1) / k;
    *b = ub * grain;
    *e = ue * grain < n ? ue * grain : n;
}

static void run_chunk(mote_pool *p, int t)
{
    if (t >= p->n_chunks) return;
    int64_t b, e;
    chunk_bounds(p->n_items, p->grain, p->n_chunks, t, &b, &e);
    if (b < e) p->fn(p->ctx, b, e, t);
}

/* Claims and runs chunks of the current job until none is left. */
static void claim_chunks(mote_pool *p)
{
    uint_fast64_t s = atomic_load_explicit(&p->ticket, memory_order_acquire);
    for (;;) {
        int next = (int)(s & 0xffff), k = (int)((s >> 16) & 0xffff);
        if (next >= k) return;
        if (!atomic_compare_exchange_weak_explicit(&p->ticket, &s, s + 1, memory_order_acq_rel,
                                                   memory_order_acquire))
            continue;                 /* s now holds the current ticket */
        run_chunk(p, next);
        if (atomic_fetch_add_explicit(&p->finished, 1, memory_order_acq_rel) + 1 == k) {
            pthread_mutex_lock(&p->mu);
            if (p->waiting) pthread_cond_signal(&p->done);
            pthread_mutex_unlock(&p->mu);
        }
        s = atomic_load_explicit(&p->ticket, memory_order_acquire);
    }
}

#ifdef MOTE_HAVE_HWLOC
static pthread_once_t topo_once = PTHREAD_ONCE_INIT;
static hwloc_topology_t topo;
static bool topo_ok;
static void topo_init(void)
{
    if (hwloc_topology_init(&topo) == 0 && hwloc_topology_load(topo) == 0) topo_ok = true;
}
#endif

int mote_physical_cores(void)
{
#ifdef MOTE_HAVE_HWLOC
    pthread_once(&topo_once, topo_init);
    if (topo_ok) {
        int n = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_CORE);
        if (n > 0) return n;
    }
#endif
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
}

static void pin_self(int t)
{
#ifdef MOTE_HAVE_HWLOC
    pthread_once(&topo_once, topo_init);
    if (topo_ok) {
        hwloc_obj_t core = hwloc_get_obj_by_type(topo, HWLOC_OBJ_CORE, (unsigned)t);
        if (core && core->cpuset) {
            hwloc_bitmap_t set = hwloc_bitmap_dup(core->cpuset);
            if (set) {
                hwloc_bitmap_singlify(set);
                hwloc_set_cpubind(topo, set, HWLOC_CPUBIND_THREAD);
                hwloc_bitmap_free(set);
            }
            return;
        }
    }
#endif
#ifdef HAVE_SCHED_SETAFFINITY
    cpu_set_t allowed, one;
    if (sched_getaffinity(0, sizeof allowed, &allowed) != 0) return;
    int seen = 0;
    for (int c = 0; c < CPU_SETSIZE; c++)
        if (CPU_ISSET(c, &allowed) && seen++ == t) {
            CPU_ZERO(&one);
            CPU_SET(c, &one);
            sched_setaffinity(0, sizeof one, &one);
            return;
        }
#else
    (void)t;
#endif
}

static void *worker_main(void *arg)
{
    worker *w = arg;
    mote_pool *p = w->p;
    if (p->pin) pin_self(w->id);
    uint_fast64_t seen = 0;
    for (;;) {
        /* wait for a new generation: spin, then sleep */
        unsigned spins = 0;
        uint64_t start = 0;
        while (atomic_load_explicit(&p->gen, memory_order_acquire) == seen &&
               !atomic_load(&p->stop)) {
            if (spin_on(&spins, &start)) continue;
            pthread_mutex_lock(&p->mu);
            atomic_fetch_add(&p->sleepers, 1);
            while (atomic_load(&p->gen) == seen && !atomic_load(&p->stop))
                pthread_cond_wait(&p->wake, &p->mu);
            atomic_fetch_sub(&p->sleepers, 1);
            atomic_fetch_add(&p->wakeups, 1);
            pthread_mutex_unlock(&p->mu);
        }
        if (atomic_load(&p->stop)) return NULL;
        seen = atomic_load(&p->gen);
        claim_chunks(p);
    }
}

mote_status mote_pool_new(int threads, int pin, mote_pool **out)
{
    *out = NULL;
    if (threads < 1 || threads > 1024)
        return mote_error(MOTE_ERR_ARG, "thread count %d is out of range 1..1024", threads);
    mote_pool *p = calloc(1, sizeof *p);
    if (!p) return mote_error(MOTE_ERR_NOMEM, "out of memory for the thread pool");
    p->n = threads;
    p->pin = pin;
    pthread_mutex_init(&p->mu, NULL);
    pthread_mutex_init(&p->run_mu, NULL);
    pthread_cond_init(&p->wake, NULL);
    pthread_cond_init(&p->done, NULL);
    if (threads > 1) {
        p->w = calloc((size_t)threads - 1, sizeof(worker));
        if (!p->w) {
            mote_pool_free(p);
            return mote_error(MOTE_ERR_NOMEM, "out of memory for the thread pool");
        }
        for (int t = 1; t < threads; t++) {
            worker *w = &p->w[t - 1];
            w->p = p;
            w->id = t;
            if (pthread_create(&w->th, NULL, worker_main, w) != 0) {
                p->n = t;          /* free joins only the ones started */
                mote_pool_free(p);
                return mote_error(MOTE_ERR_NOMEM, "could not start worker thread %d", t);
            }
        }
    }
    *out = p;
    return MOTE_OK;
}

void mote_pool_free(mote_pool *p)
{
    if (!p) return;
    pthread_mutex_lock(&p->mu);
    atomic_store(&p->stop, true);
    pthread_cond_broadcast(&p->wake);
    pthread_mutex_unlock(&p->mu);
    for (int t = 1; t < p->n; t++) pthread_join(p->w[t - 1].th, NULL);
    pthread_mutex_destroy(&p->mu);
    pthread_mutex_destroy(&p->run_mu);
    pthread_cond_destroy(&p->wake);
    pthread_cond_destroy(&p->done);
    free(p->w);
    free(p);
}

int mote_pool_threads(const mote_pool *p) { return p ? p->n : 1; }

/* A new generation with no job in it: a sleeping worker wakes, finds
 * every chunk of the last job claimed, and spins for the next. */
void mote_pool_wake(mote_pool *p)
{
    if (!p || p->n < 2 || atomic_load(&p->sleepers) == 0) return;
    atomic_fetch_add(&p->gen, 1);
    pthread_mutex_lock(&p->mu);
    pthread_cond_broadcast(&p->wake);
    pthread_mutex_unlock(&p->mu);
}

long mote_pool_wakeups(const mote_pool *p) { return p ? atomic_load(&p->wakeups) : 0; }

void mote_pool_run_lock(mote_pool *p) { pthread_mutex_lock(&p->run_mu); }
void mote_pool_run_unlock(mote_pool *p) { pthread_mutex_unlock(&p->run_mu); }

void mote_pool_for(mote_pool *p, int64_t n, int64_t grain, mote_pool_fn fn, void *ctx)
{
    if (n <= 0) return;
    if (grain < 1) grain = 1;
    int64_t units = (n + grain - 1) / grain;
    int k = (!p || units < 2) ? 1 : (int)(units < p->n ? units : p->n);
    if (k == 1) {
        fn(ctx, 0, n, 0);
        return;
    }
    p->fn = fn;
    p->ctx = ctx;
    p->n_items = n;
    p->grain = grain;
    p->n_chunks = k;
    atomic_store_explicit(&p->finished, 0, memory_order_relaxed);
    /* chunk 0 is the caller's: the claims start at 1; the release makes
     * the job's fields visible to whoever claims a chunk */
    p->jobs++;
    atomic_store_explicit(&p->ticket, (uint_fast64_t)p->jobs << 32 | (uint_fast64_t)k << 16 | 1u,
                          memory_order_release);
    atomic_fetch_add(&p->gen, 1);   /* seq_cst: ordered before the sleepers check */
    if (atomic_load(&p->sleepers) > 0) {
        pthread_mutex_lock(&p->mu);
        pthread_cond_broadcast(&p->wake);
        pthread_mutex_unlock(&p->mu);
    }
    run_chunk(p, 0);
    atomic_fetch_add_explicit(&p->finished, 1, memory_order_acq_rel);
    claim_chunks(p);
    unsigned spins = 0;
    uint64_t start = 0;
    while (atomic_load_explicit(&p->finished, memory_order_acquire) < k) {
        if (spin_on(&spins, &start)) continue;
        pthread_mutex_lock(&p->mu);
        p->waiting = true;
        while (atomic_load(&p->finished) < k) pthread_cond_wait(&p->done, &p->mu);
        p->waiting = false;
        pthread_mutex_unlock(&p->mu);
    }
}
