/*
 * ops.h — the operator registry: what an op is to the session.
 *
 * Each op (src/ops/op_*.c) is a mote_op: shape inference, then prepare,
 * which picks kernels from the session's table, computes parameters, packs
 * weights and returns the function the executor calls. An op never sees an
 * intrinsic (kernels do that) and never sees the schedule (the session does).
 *
 * Lifecycle inside mote_session_new, per node in topological order:
 *   1. infer(c):   check attributes and input dtypes/shapes; fill c->out[i]
 *                  dtype, ndim, dims. Inputs that are weights have data.
 *   2. prepare(c): set c->run (required), c->params (from mote_ctx_alloc),
 *                  c->scratch_bytes (arena workspace live during the step),
 *                  c->state_bytes (state kept across runs, see below).
 *                  Data derived from constants alone (packed weights,
 *                  folded constants) comes from mote_ctx_prepared: made
 *                  once per model and ISA, shared by all its sessions.
 * Then mote_session_run calls run(step) for each step in order.
 * prepare runs again, with new shapes, on mote_session_reshape: params are
 * per shape, prepared data and state are not.
 *
 * Memory: every byte an op asks for (params, prepared data, scratch,
 * state) is counted against the session's budget before it is allocated;
 * mote_ctx_alloc* and mote_ctx_prepared fail with MOTE_ERR_LIMIT instead.
 */
#ifndef MOTE_OPS_H
#define MOTE_OPS_H

#include <stdarg.h>
#include "graph/graph.h"
#include "kernels.h"
#include "runtime/threadpool.h"

typedef struct mote_step mote_step;
typedef void (*mote_run_fn)(const mote_step *s);

/* One executable step; built by the session, read-only while running. */
struct mote_step {
    mote_run_fn run;
    const mote_node *node;
    int n_in, n_out;
    mote_tensor **in;          /* in[i] NULL for an absent optional input */
    mote_tensor **out;
    void *params;              /* from prepare                            */
    void *scratch;             /* scratch_bytes of arena, this step only  */
    void *state;               /* state_bytes kept across runs, or NULL   */
    /* control flow (see mote_op_ctx): NULL for a step that always
     * continues with the next one and never fails a run */
    const int *jump;           /* after run: -1 the next step, else this one */
    const char *const *verdict;/* after the run: NULL, or why it must fail */
    const char *jump_node;     /* plan time: the node jump leads to, and   */
    int *jump_target;          /*   where its step's index is written      */
    const mote_kernels *k;     /* resolved table: no NULL entries         */
    mote_pool *pool;
};

typedef struct mote_op_ctx {
    const mote_graph *g;
    const mote_node *node;
    int n_in, n_out;
    mote_tensor **in;          /* shapes; data != NULL only for weights   */
    mote_tensor **out;         /* filled by infer                         */
    const mote_kernels *k;
    int threads;
    /* set by prepare */
    mote_run_fn run;
    void *params;
    size_t scratch_bytes;
    size_t state_bytes;        /* 0: stateless                            */
    /* control flow (ops with MOTE_OP_CONTROL, src/ops/loop.c): jump is an
     * int in params that run sets to -1 (go on with the next step) or to
     * the index of the step to run next; jump_node names the node whose
     * step the op jumps to, and the session writes that step's index into
     * *jump_target (in params) once every step is built. verdict is a
     * const char * in params that run leaves NULL, or points at a static
     * message when the run must fail after its steps (a guard). */
    int *jump;
    const char *jump_node;
    int *jump_target;
    const char **verdict;
    /* allocations that live as long as the plan (freed with the session
     * or on reshape), and the session's memory account */
    void *allocs;
    struct mote_budget *budget;        /* NULL: not counted (tests)        */
    struct mote_prepared *prep;        /* the model's; NULL: private copies */
    /* the status of the last failed mote_ctx_alloc* / mote_ctx_prepared
     * (MOTE_ERR_LIMIT or MOTE_ERR_NOMEM): the session reports it whatever
     * status the op returned after the NULL */
    mote_status alloc_status;
} mote_op_ctx;

/* Op flags */
#define MOTE_OP_INPLACE 1u   /* out[0] may share in[0]'s bytes (same size, elementwise) */
#define MOTE_OP_ALIAS   2u   /* out[0] IS in[0]'s bytes, reinterpreted (Reshape):
                                run does nothing; the planner keeps in[0] alive */
#define MOTE_OP_CONTROL 4u   /* control flow: runs only in a session's plan, on the
                                CPU; never evaluated ahead (shape folding) */

typedef struct mote_op {
    const char *name;
    int min_in, max_in, min_out, max_out;
    unsigned flags;
    mote_status (*infer)(mote_op_ctx *c);
    mote_status (*prepare)(mote_op_ctx *c);
    /* optional: the state hooks of a stateful op (below) */
    const struct mote_state_hooks *state;
} mote_op;

/*
 * State (ops whose prepare sets c->state_bytes, e.g. a KV cache): the
 * session gives the step a zeroed block of that many bytes (step->state,
 * 64-byte aligned), kept across runs and across reshapes that leave its
 * size unchanged. Its layout is the op's. Optional hooks, called with the
 * step's params: reset clears it (mote_session_reset; NULL or no hooks:
 * zero the block); copy copies it from the same node of another session
 * whose state has the same size (mote_session_copy_state; NULL: copy the
 * block). The executor knows no op by name.
 */
typedef struct mote_state_hooks {
    void (*reset)(const void *params, void *state);
    void (*copy)(const void *params, void *dst, const void *src);
} mote_state_hooks;

/* Registry (src/ops/registry.c). NULL if unknown. */
const mote_op *mote_op_find(const char *name);
/* All ops, NULL-terminated (for docs and `mote info --ops`). */
const mote_op *const *mote_op_list(void);

/* Records an error naming the node and op; returns st. */
mote_status mote_op_error(const mote_op_ctx *c, mote_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Zeroed memory that lives as long as the session; NULL (and an error) on OOM. */
void *mote_ctx_alloc(mote_op_ctx *c, size_t bytes);
/* 64-byte aligned and NOT cleared (written before read). */
void *mote_ctx_alloc_aligned(mote_op_ctx *c, size_t bytes);
/*
 * Prepared data for key (prepared.h; key->isa is filled in here): the
 * model's entry when one exists (*fill false), else a new uncleared
 * 64-byte aligned one of `bytes` that the op fills now (*fill true).
 * Counted against the budget either way; NULL with an error recorded.
 */
struct mote_prep_key;
void *mote_ctx_prepared(mote_op_ctx *c, struct mote_prep_key *key, size_t bytes, bool *fill);

/* Shape helpers for infer. */
/* numpy broadcast of a and b into out (ndim, dims); MOTE_ERR_SHAPE if they don't fit */
mote_status mote_broadcast_shape(const mote_tensor *a, const mote_tensor *b,
                                 int *ndim, int64_t *dims);
/* Normalizes an axis in [-ndim, ndim) to [0, ndim); -1 if out of range. */
int mote_norm_axis(int64_t axis, int ndim);
/* Input i is present and has dtype t, or records an error. */
mote_status mote_expect_dtype(const mote_op_ctx *c, int i, mote_dtype t);
/* Sets out[i] to dtype and shape. */
void mote_set_out(mote_op_ctx *c, int i, mote_dtype t, int ndim, const int64_t *dims);

/* The f32 constant data of input i (a weight), or NULL. */
static inline const float *mote_in_const_f32(const mote_op_ctx *c, int i)
{
    return (i < c->n_in && c->in[i] && c->in[i]->dtype == MOTE_F32) ?
           (const float *)c->in[i]->data : NULL;
}

#endif
