/*
 * session.h — the model and session structures, for the runtime's own
 * files (the CLI's instruments and tests read them too).
 */
#ifndef MOTE_SESSION_H
#define MOTE_SESSION_H

#include "graph/graph.h"
#include "ops/ops.h"
#include "threadpool.h"
#include "planner.h"

struct mote_model {
    mote_graph *g;           /* values' weight data point into the mapping */
    const void *map;         /* mmap'd file, or NULL                        */
    size_t map_len;
    bool map_is_mmap;        /* munmap on close (else caller's buffer)      */
    char *path;              /* for messages, or NULL                       */
};

struct mote_session {
    const mote_model *m;
    const mote_graph *g;
    mote_kernels k;                /* resolved table (no NULL entries)       */
    mote_pool *pool;
    mote_tensor *vals;             /* one per graph value: dtype, shape, data */
    mote_step *steps;  int n_steps;
    int *step_node;                /* step i runs node step_node[i]          */
    const mote_op **step_op;
    mote_plan plan;                /* arena offsets per value                */
    uint8_t *arena; size_t arena_bytes; bool owns_arena;
    size_t naive_bytes;
    void *allocs;                  /* list of session-lifetime allocations   */
    mote_tensor **ptrs;            /* backing store for steps' in/out arrays */
    mote_graph *folded;            /* shape_fold.c: g specialized to the input
                                      shapes (g points here), or NULL        */
};


/*
 * Instruments (trace, profile, check-kernels): a run that calls before(t)
 * and after(t) around step t. vals[] and steps[] of the session can be read
 * inside the hooks; after(t) sees step t's outputs. step_node[t] is the
 * graph node of step t.
 */
typedef struct mote_step_hooks {
    void (*before)(void *ctx, const mote_session *s, int step);
    void (*after)(void *ctx, const mote_session *s, int step);
    void *ctx;
} mote_step_hooks;
mote_status mote_session_run_hooked(mote_session *s, const mote_tensor *inputs, int n_inputs,
                                    const mote_step_hooks *h);

#endif

/* Frees the allocations made with mote_ctx_alloc* (opsutil.c). */
void mote_ctx_free_all(void *allocs);
/*
 * Shape inference over a whole graph: fills vals (one per value) with
 * dtype and shape, weights with their data. Graph inputs take the shapes
 * in vals on entry when vals[v].ndim >= 0 was preset (see session.c).
 * order: the topological order (n_nodes). Used by sessions and
 * mote_graph_check.
 */
/* mote_graph_check, and when every input shape is fixed, records each
 * activation's inferred dtype and shape in the graph (for model accessors). */
mote_status mote_graph_check_annotate(mote_graph *g);
mote_status mote_graph_infer(const mote_graph *g, const mote_kernels *k, int threads,
                             const int *order, mote_tensor *vals);
