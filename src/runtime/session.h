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
#include "budget.h"

struct mote_model {
    mote_graph *g;           /* values' weight data point into the mapping */
    const void *map;         /* mmap'd file, or NULL                        */
    size_t map_len;
    bool map_is_mmap;        /* munmap on close (else caller's buffer)      */
    char *path;              /* for messages, or NULL                       */
    struct mote_prepared *prep; /* prepared weights shared by the sessions  */
};

/*
 * A session is four things with four lifetimes:
 *   prepared weights — the model's (m->prep), shared, made once per ISA;
 *   plan             — per input shapes: vals, steps, params, arena;
 *                      rebuilt by mote_session_reshape;
 *   state            — ops' blocks kept across runs and reshapes;
 *   resources        — the kernel table and the thread pool (own or shared).
 */
struct mote_session {
    const mote_model *m;
    const mote_graph *g;
    const mote_kernels *k;         /* the dispatch struct (cpu.h), shared     */
    mote_pool *pool;
    bool owns_pool;                /* else the caller's: runs take its lock  */
    struct mote_prepared *prep;    /* a reference to m->prep                 */
    size_t limit;                  /* the memory budget                      */
    void *user_arena; size_t user_arena_bytes;   /* the caller's, or NULL    */
    bool plan_only;                /* sizes only: no arena, no state (info)  */
    /* the plan */
    mote_tensor *vals;             /* one per graph value: dtype, shape, data */
    mote_step *steps;  int n_steps;
    int *step_node;                /* step i runs node step_node[i]          */
    const mote_op **step_op;
    mote_plan plan;                /* arena offsets per buffer               */
    int *val_buf;                  /* value v lives in plan.bufs[val_buf[v]]
                                      (-1: a weight, in the model)           */
    uint8_t *arena; size_t arena_bytes; bool owns_arena;
    size_t naive_bytes;
    void *allocs;                  /* ops' per-plan allocations              */
    mote_tensor **ptrs;            /* backing store for steps' in/out arrays */
    /* the state: step t's block is state + state_off[t], state_size[t] bytes */
    uint8_t *state; size_t state_bytes;
    size_t *state_off, *state_size;   /* per step                            */
    /* what the session holds, counted before each allocation */
    mote_budget mem;
    struct mote_cl_session *dev;   /* OpenCL placement, or NULL: all on the CPU */
    int dev_platform, dev_device;  /* the device placed on (a reshape places again) */
    mote_graph *folded;            /* shape_fold.c: g specialized to the input
                                      shapes (g points here), or NULL        */
    int *verdict_steps; int n_verdicts; /* the steps that may fail a run (an
                                      IfGuard, a Loop's end), found at plan
                                      time: a run reads only their verdicts */
    mote_graph *flat;              /* control_flow.c: the model's graph with its
                                      Loops flattened into steps, or NULL    */
    bool exec_order;               /* the plan's graph lists its nodes in the
                                      order they run (a flattened graph)     */
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

/* Where step t runs: "cpu", "opencl", or "alias" (a reshape: no work). */
const char *mote_session_step_device(const mote_session *s, int t);
/* The device's name ("cpu" when nothing is placed), how many steps run on
 * it, and the bytes moved each run (up: to the device) and once (weights). */
typedef struct mote_device_stats {
    const char *device;
    int n_device_steps;
    size_t up_bytes, down_bytes, weight_bytes;
} mote_device_stats;
mote_device_stats mote_session_device_stats(const mote_session *s);

#endif

/*
 * A session for inspection (mote info, mote dot): the same plan, shapes
 * and memory figures as mote_session_new, but neither the arena nor the
 * state is allocated (activations' data stay NULL) and it cannot run
 * (mote_session_run: MOTE_ERR_ARG).
 */
mote_status mote_session_new_plan_only(const mote_model *m, const mote_session_options *opts,
                                       mote_session **out);

/* session_plan.c: builds s's plan for input shapes (NULL: the model's;
 * n_shapes one per model input). s has its shared parts (m, g, k, pool,
 * prep, limit, caller's arena) set and no plan; prev is the plan it
 * replaces (reshape), whose state is kept when the sizes match. */
mote_status mote_session_build_plan(mote_session *s, const mote_tensor *shapes, int n_shapes,
                                    const mote_session *prev);
/* Frees s's plan: not its state, not the shared parts. */
void mote_session_plan_clear(mote_session *s);
/* Zeroed, 64-byte aligned blocks committed only when touched (calloc), for
 * arenas and state; mote_zfree64(NULL) does nothing. */
void *mote_zalloc64(size_t bytes);
void mote_zfree64(void *p);

/* session.c, for the plan: the checks and the op context of one node, and
 * the values' initial dtypes and shapes (inputs preset when ndim >= 0). */
mote_status mote_check_arity(const mote_node *n, const mote_op *op);
void mote_ctx_init(mote_op_ctx *c, const mote_graph *g, const mote_node *n,
                   mote_tensor *vals, mote_tensor **in, mote_tensor **out,
                   const mote_kernels *k, int threads);
mote_status mote_check_outputs(const mote_op_ctx *c);
mote_status mote_check_inputs(const mote_graph *g, const mote_node *n, const mote_tensor *vals);
mote_status mote_init_vals(const mote_graph *g, mote_tensor *vals, bool need_static);

/* Frees the allocations made with mote_ctx_alloc* (op_util.c). */
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
