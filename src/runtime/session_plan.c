/*
 * session_plan.c — a session's plan for one set of input shapes: every
 * node inferred and prepared in topological order (its allocations counted
 * against the budget as they are asked for), the buffers' lifetimes and
 * storage sharing, the arena's layout, the ops' state blocks, and only
 * then, with every size counted and within the budget, the arena and the
 * state allocated and bound to the steps. mote_session_new and
 * mote_session_reshape (session.c) call mote_session_build_plan.
 *
 * Not here: op math (src/ops/), the executor loop, options.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "graph/internal.h"
#include "session.h"
#include "shape_fold.h"
#include "control_flow.h"
#include "budget.h"
#include "prepared.h"
#include "instrument.h"

/* Union-find over values: storage sharing (aliases and in-place). */
static int root_of(int *parent, int v)
{
    while (parent[v] != v) v = parent[v] = parent[parent[v]];
    return v;
}


static mote_status set_input_shapes(mote_session *s, const mote_tensor *shapes, int n)
{
    const mote_graph *g = s->g;
    for (int v = 0; v < g->n_values; v++) s->vals[v].ndim = -1;
    if (!shapes) return MOTE_OK;
    if (n != g->n_inputs)
        return mote_error(MOTE_ERR_ARG, "%d input shapes given, the model has %d inputs",
                          n, g->n_inputs);
    for (int i = 0; i < g->n_inputs; i++) {
        const mote_value *val = &g->values[g->inputs[i]];
        const mote_tensor *t = &shapes[i];
        bool ok = t->ndim == val->ndim;
        for (int d = 0; ok && d < t->ndim; d++)
            ok = t->dims[d] >= 0 && (val->dims[d] < 0 || val->dims[d] == t->dims[d]);
        if (!ok) {
            char a[128], b[128];
            mote_tensor mt = mote_value_tensor(val);
            mote_tensor ot = *t;
            ot.dtype = val->dtype;
            if (ot.ndim < 0 || ot.ndim > MOTE_MAX_DIMS) ot.ndim = 0;
            return mote_error(MOTE_ERR_SHAPE, "input '%s': shape %s does not fit the model's %s",
                              val->name, mote_tensor_describe(&ot, a, sizeof a),
                              mote_tensor_describe(&mt, b, sizeof b));
        }
        s->vals[g->inputs[i]] = mote_value_tensor(val);
        for (int d = 0; d < t->ndim; d++) s->vals[g->inputs[i]].dims[d] = t->dims[d];
    }
    return MOTE_OK;
}

/* The order the steps run in: a topological order, or, for a flattened
 * graph (whose loops' steps must stay contiguous), the nodes as listed. */
static mote_status plan_order(const mote_session *s, int *order)
{
    if (!s->exec_order) return mote_graph_topo_order(s->g, order);
    for (int i = 0; i < s->g->n_nodes; i++) order[i] = i;
    return MOTE_OK;
}

/* The sides of data-dependent Ifs computed only when taken
 * (control_flow.c): on the plan's own graph (a copy of the model's when it
 * has none yet), which then runs in its node order. */
static mote_status plan_branches(mote_session *s)
{
    if (!mote_control_has_selects(s->g)) return MOTE_OK;
    mote_graph *w = (mote_graph *)s->g;
    bool own = s->g == s->folded || s->g == s->flat, changed = false;
    if (!own && !(w = mote_graph_clone(s->g, true)))
        return mote_error(MOTE_ERR_NOMEM, "out of memory");
    int *order = malloc(sizeof(int) * ((size_t)s->g->n_nodes + 1));
    mote_status st = order ? plan_order(s, order) : mote_error(MOTE_ERR_NOMEM, "out of memory");
    if (st == MOTE_OK) st = mote_control_branches(w, order, &changed);
    free(order);
    if (!own) {
        if (st == MOTE_OK && changed) {
            s->folded = w;   /* freed with the plan, like shape folding's copy */
            s->g = w;
        } else {
            mote_graph_free(w);
        }
    }
    if (st == MOTE_OK && changed) s->exec_order = true;
    return st;
}

/* "tensor 'x' (f32[...])" for budget messages. */
static void describe_value(const mote_session *s, int v, char *what, size_t len)
{
    char desc[96];
    mote_tensor_describe(&s->vals[v], desc, sizeof desc);
    snprintf(what, len, "tensor '%s' (%s)", s->g->values[v].name ? s->g->values[v].name : "?", desc);
}

/* Each output of a node, as soon as its shape is known: its size must be
 * computable and fit the budget, before the node prepares anything. */
static mote_status check_output_sizes(const mote_session *s, const mote_node *n)
{
    for (int j = 0; j < n->n_out; j++) {
        size_t vb;
        char what[192];
        describe_value(s, n->out[j], what, sizeof what);
        if (!mote_limit_tensor_bytes(&s->vals[n->out[j]], &vb))
            return mote_error(MOTE_ERR_LIMIT, "%s: its size overflows", what);
        mote_status st = mote_limit_check(vb, s->limit, what);
        if (st != MOTE_OK) return st;
    }
    return MOTE_OK;
}

/* A step whose FLOPs plus bytes moved are below this runs on the calling
 * thread alone (its pool is NULL): splitting it costs more in waking and
 * joining the workers than the split saves (Silero VAD's convolutions,
 * 0.3-0.7 M, took twice as long on 2 threads). Results do not change:
 * every op gives the same bits for any split. MOTE_SPLIT_MIN_WORK (a
 * number >= 0) replaces it, e.g. 0 to split every step (the unit tests,
 * whose small tensors must still exercise the splits). */
#define SPLIT_MIN_WORK 1e6

static double split_min_work(void)
{
    const char *e = getenv("MOTE_SPLIT_MIN_WORK");
    if (e && *e) {
        char *end;
        double v = strtod(e, &end);
        if (*end == '\0' && v >= 0.0)
            return v;
    }
    return SPLIT_MIN_WORK;
}

/* Prepares every node: infer + prepare, in topological order. Every
 * allocation of an op is counted in s->mem before it is made. */
static mote_status build_steps(mote_session *s, const int *order, size_t *scratch)
{
    const mote_graph *g = s->g;
    int threads = mote_pool_threads(s->pool);
    double min_work = split_min_work();
    mote_tensor **p = s->ptrs;
    for (int oi = 0; oi < g->n_nodes; oi++) {
        const mote_node *n = &g->nodes[order[oi]];
        const mote_op *op = mote_op_find(n->op);
        if (!op)
            return mote_error(MOTE_ERR_UNSUPPORTED, "node '%s': op '%s' is not supported by mote",
                              n->name, n->op);
        mote_status st = mote_check_arity(n, op);
        if (st != MOTE_OK) return st;
        if ((st = mote_check_inputs(g, n, s->vals)) != MOTE_OK) return st;
        mote_op_ctx c;
        mote_ctx_init(&c, g, n, s->vals, p, p + n->n_in, s->k, threads);
        c.allocs = s->allocs;
        c.budget = &s->mem;
        c.prep = s->prep;
        st = op->infer(&c);
        if (st == MOTE_OK) st = mote_check_outputs(&c);
        if (st == MOTE_OK) st = check_output_sizes(s, n);
        if (st == MOTE_OK && op->prepare) st = op->prepare(&c);
        if (st != MOTE_OK && c.alloc_status != MOTE_OK) st = c.alloc_status;
        s->allocs = c.allocs;
        if (st != MOTE_OK) return st;
        if (!c.run)
            return mote_error(MOTE_ERR_UNSUPPORTED, "node '%s' (%s): the op chose no kernel", n->name, n->op);
        if (c.state_bytes && (op->flags & (MOTE_OP_ALIAS | MOTE_OP_INPLACE)))
            return mote_error(MOTE_ERR_UNSUPPORTED, "node '%s' (%s): a stateful op cannot alias",
                              n->name, n->op);
        mote_step *step = &s->steps[oi];
        step->run = c.run;
        step->node = n;
        step->n_in = n->n_in;
        step->n_out = n->n_out;
        step->in = p;
        step->out = p + n->n_in;
        step->params = c.params;
        step->jump = c.jump;
        step->verdict = c.verdict;
        step->jump_node = c.jump_node;
        step->jump_target = c.jump_target;
        step->k = s->k;
        step->pool = mote_node_flops(s, n) + mote_node_bytes(s, n) >= min_work ? s->pool : NULL;
        scratch[oi] = c.scratch_bytes;
        s->state_size[oi] = c.state_bytes;
        s->step_node[oi] = order[oi];
        s->step_op[oi] = op;
        p += n->n_in + n->n_out;
    }
    s->n_steps = g->n_nodes;
    return MOTE_OK;
}

/* The control steps: each jump target resolved to its step, and the
 * steps that may fail a run (an IfGuard, a Loop's end) recorded once here,
 * so that a run reads their verdicts without looking at any other step. */
static mote_status link_steps(mote_session *s)
{
    int n = 0;
    for (int t = 0; t < s->n_steps; t++) {
        mote_step *st = &s->steps[t];
        n += st->verdict != NULL;
        if (!st->jump) continue;
        int node = st->jump_node ? mote_graph_find_node(s->g, st->jump_node) : -1;
        if (!s->exec_order || node < 0 || node == s->step_node[t] || !st->jump_target)
            return mote_error(MOTE_ERR_GRAPH, "node '%s' (%s): %s", st->node->name, st->node->op,
                              !s->exec_order ? "a control step in a graph the session did not "
                              "flatten (LoopBegin and LoopEnd come from a Loop, never from a file)"
                              : "its jump target is not a step of this plan");
        *st->jump_target = node;   /* flattened graphs run in node order */
    }
    if (!n) return MOTE_OK;
    mote_status st = mote_budget_add_n(&s->mem, &s->mem.plan, (size_t)n, sizeof(int),
                                       "the session's tables");
    if (st != MOTE_OK) return st;
    if (!(s->verdict_steps = malloc(sizeof(int) * (size_t)n)))
        return mote_error(MOTE_ERR_NOMEM, "out of memory");
    for (int t = 0; t < s->n_steps; t++)
        if (s->steps[t].verdict) s->verdict_steps[s->n_verdicts++] = t;
    return MOTE_OK;
}

/* A loop's steps run again and again: a step that jumps back to step b
 * from step e (a LoopEnd, to its LoopBegin) makes [b, e] a range in which
 * every value read there but made before b must live until e (the next
 * trip reads it again), and the values e writes (scan rows, trip after
 * trip) must live from b. Nested ranges: two passes settle both. */
static void loop_lifetimes(const mote_session *s, int *first, int *last)
{
    int nv = s->g->n_values;
    for (int pass = 0; pass < 2; pass++)
        for (int e = 0; e < s->n_steps; e++) {
            const mote_step *st = &s->steps[e];
            if (!st->jump || !st->jump_target || *st->jump_target >= e) continue;
            int b = *st->jump_target;
            for (int v = 0; v < nv; v++)
                if (first[v] <= b && last[v] > b && last[v] < e) last[v] = e;
            for (int j = 0; j < st->node->n_out; j++)
                if (first[st->node->out[j]] > b) first[st->node->out[j]] = b;
        }
}

/*
 * Zeroed memory for the arena and the state: calloc, whose large blocks
 * come from the OS already zero and cost nothing until touched (so a KV
 * cache sized for max_seq or an arena that a run uses in part is not
 * committed up front), aligned to 64 bytes by hand with the block's start
 * kept just before the aligned pointer.
 */
void *mote_zalloc64(size_t bytes)
{
    size_t total;
    if (!mote_add_size(bytes, 64 + sizeof(void *), &total)) return NULL;
    uint8_t *raw = calloc(1, total);
    if (!raw) return NULL;
    uint8_t *p = (uint8_t *)mote_align_up((uintptr_t)raw + sizeof(void *), 64);
    memcpy(p - sizeof(void *), &raw, sizeof raw);
    return p;
}

void mote_zfree64(void *p)
{
    if (!p) return;
    void *raw;
    memcpy(&raw, (uint8_t *)p - sizeof(void *), sizeof raw);
    free(raw);
}

/* Lifetimes, storage sharing and the arena's layout (s->plan, s->val_buf);
 * the arena is counted in s->mem but not allocated here. */
static mote_status plan_memory(mote_session *s, const size_t *scratch)
{
    const mote_graph *g = s->g;
    int nv = g->n_values, ns = s->n_steps;
    int *parent = malloc(sizeof(int) * (size_t)(nv + 1));
    int *first = malloc(sizeof(int) * (size_t)(nv + 1));
    int *last = malloc(sizeof(int) * (size_t)(nv + 1));
    bool *is_out = calloc((size_t)nv + 1, sizeof(bool));
    mote_buf *bufs = calloc((size_t)(nv + ns) + 1, sizeof(mote_buf));
    mote_status st = MOTE_OK;
    if (!parent || !first || !last || !is_out || !bufs) {
        st = mote_error(MOTE_ERR_NOMEM, "out of memory");
        goto done;
    }
    for (int v = 0; v < nv; v++) {
        parent[v] = v;
        first[v] = g->values[v].kind == MOTE_VAL_INPUT ? 0 : ns;
        last[v] = -1;
    }
    for (int i = 0; i < g->n_outputs; i++) is_out[g->outputs[i]] = true;
    for (int t = 0; t < ns; t++) {
        const mote_node *n = s->steps[t].node;
        for (int j = 0; j < n->n_out; j++) first[n->out[j]] = t;
        for (int j = 0; j < n->n_in; j++)
            if (n->in[j] >= 0 && t > last[n->in[j]]) last[n->in[j]] = t;
    }
    for (int v = 0; v < nv; v++) {
        if (is_out[v]) last[v] = ns;                 /* outputs outlive the run */
        if (last[v] < first[v]) last[v] = first[v];  /* produced, never used    */
    }
    loop_lifetimes(s, first, last);
    /* Merge a storage into another: the root keeps the union of lifetimes. */
#define MERGE(into, from) do {                                            \
        int ri_ = root_of(parent, (into)), rf_ = root_of(parent, (from)); \
        if (ri_ != rf_) {                                                 \
            parent[rf_] = ri_;                                            \
            if (first[rf_] < first[ri_]) first[ri_] = first[rf_];         \
            if (last[rf_] > last[ri_]) last[ri_] = last[rf_];             \
        }                                                                 \
    } while (0)
    for (int t = 0; t < ns; t++) {
        const mote_node *n = s->steps[t].node;
        const mote_op *op = s->step_op[t];
        if (!(op->flags & (MOTE_OP_ALIAS | MOTE_OP_INPLACE)) || n->n_in < 1 || n->in[0] < 0) continue;
        int src = n->in[0], dst = n->out[0];
        int r = root_of(parent, src);
        if (op->flags & MOTE_OP_ALIAS) {
            MERGE(src, dst);
            continue;
        }
        /* In-place: only over an arena buffer of the same size that dies here. */
        size_t sb = mote_tensor_nbytes(&s->vals[src]), db = mote_tensor_nbytes(&s->vals[dst]);
        if (g->values[r].kind != MOTE_VAL_WEIGHT && sb == db && last[r] == t && !is_out[src] &&
            !is_out[r] && s->vals[src].dtype == s->vals[dst].dtype)
            MERGE(src, dst);
    }
#undef MERGE
    /* every intermediate (checked as each node was inferred) and every
     * scratch must fit the budget on its own before the arena is planned */
    for (int t = 0; t < ns; t++) {
        char what[160];
        snprintf(what, sizeof what, "the scratch of node '%s'",
                 s->steps[t].node->name ? s->steps[t].node->name : "?");
        if ((st = mote_limit_check(scratch[t], s->limit, what)) != MOTE_OK) goto done;
    }
    /* One buffer per storage root in the arena; weights stay in place. */
    int nb = 0;
    size_t naive = 0;
    for (int v = 0; v < nv; v++) {
        s->val_buf[v] = -1;
        if (g->values[v].kind == MOTE_VAL_ACT) naive += mote_tensor_nbytes(&s->vals[v]);
        if (root_of(parent, v) != v || g->values[v].kind == MOTE_VAL_WEIGHT) continue;
        bufs[nb] = (mote_buf){.bytes = mote_tensor_nbytes(&s->vals[v]), .first = first[v], .last = last[v]};
        s->val_buf[v] = nb++;
    }
    for (int v = 0; v < nv; v++) {   /* a weight root r is written -(r + 1) */
        int r = root_of(parent, v);
        s->val_buf[v] = g->values[r].kind == MOTE_VAL_WEIGHT ? -(r + 1) : s->val_buf[r];
    }
    for (int t = 0; t < ns; t++) {
        bufs[nb] = (mote_buf){.bytes = scratch[t], .first = t, .last = t};
        naive += scratch[t];       /* a planner-less runtime needs scratch too */
        nb++;
    }
    size_t arena = 0;
    if ((st = mote_plan_place(bufs, nb, &arena)) != MOTE_OK) goto done;
    if ((st = mote_budget_add(&s->mem, &s->mem.arena, arena ? arena : 64,
                              "the session's arena")) != MOTE_OK)
        goto done;
    s->naive_bytes = naive;
    s->plan.bufs = bufs;
    s->plan.n_bufs = nb;
    s->plan.arena_bytes = arena;
    s->plan.naive_bytes = naive;
    s->arena_bytes = arena;
    bufs = NULL;
done:
    free(parent);
    free(first);
    free(last);
    free(is_out);
    free(bufs);
    return st;
}

/*
 * The state blocks' layout (64-byte aligned offsets), counted in s->mem.
 * A previous plan's state with the same per-step sizes is kept (a reshape
 * keeps a KV cache); *fresh says whether a new block must be allocated.
 */
static mote_status plan_state(mote_session *s, const mote_session *prev, bool *fresh)
{
    size_t total = 0;
    for (int t = 0; t < s->n_steps; t++) {
        s->state_off[t] = total;
        if (!s->state_size[t]) continue;
        char what[192];
        snprintf(what, sizeof what, "the state of node '%s' (%s)",
                 s->steps[t].node->name ? s->steps[t].node->name : "?", s->steps[t].node->op);
        mote_status st = mote_limit_check(s->state_size[t], s->limit, what);
        if (st != MOTE_OK) return st;
        if (!mote_add_size(total, mote_align_up(s->state_size[t], 64), &total) ||
            total < s->state_size[t])
            return mote_error(MOTE_ERR_LIMIT, "%s: the session's state size overflows", what);
    }
    s->state_bytes = total;
    bool same = prev && prev->state_size && prev->n_steps == s->n_steps && !prev->plan_only;
    for (int t = 0; same && t < s->n_steps; t++) same = prev->state_size[t] == s->state_size[t];
    *fresh = total > 0 && !same;
    if (same) s->state = prev->state;
    return total ? mote_budget_add(&s->mem, &s->mem.state, total, "the ops' state (KV caches)")
                 : MOTE_OK;
}

/* Points every value, scratch and state at its bytes. */
static void bind_memory(mote_session *s)
{
    const mote_graph *g = s->g;
    for (int v = 0; v < g->n_values; v++) {
        int b = s->val_buf[v];
        if (b < 0)
            s->vals[v].data = (void *)g->values[-b - 1].data;
        else
            s->vals[v].data = s->arena ? s->arena + s->plan.bufs[b].offset : NULL;
    }
    int scratch0 = s->plan.n_bufs - s->n_steps;
    for (int t = 0; t < s->n_steps; t++) {
        const mote_buf *b = &s->plan.bufs[scratch0 + t];
        s->steps[t].scratch = b->bytes && s->arena ? s->arena + b->offset : NULL;
        s->steps[t].state = s->state_size[t] && s->state ? s->state + s->state_off[t] : NULL;
    }
}

/* Frees the plan (not the state, not the shared parts). */
void mote_session_plan_clear(mote_session *s)
{
    if (s->folded) {   /* the graph this plan specialized to its shapes */
        mote_graph_free(s->folded);
        s->folded = NULL;
        s->g = s->m->g;
    }
    mote_ctx_free_all(s->allocs);
    s->allocs = NULL;
    if (s->owns_arena) mote_zfree64(s->arena);
    s->arena = NULL;
    s->owns_arena = false;
    free(s->plan.bufs);
    free(s->vals);
    free(s->val_buf);
    free(s->steps);
    free(s->step_node);
    free(s->step_op);
    free(s->ptrs);
    free(s->state_off);
    free(s->state_size);
    free(s->verdict_steps);
    s->verdict_steps = NULL;
    s->n_verdicts = 0;
    if (s->flat) {     /* the model's graph with its Loops flattened */
        mote_graph_free(s->flat);
        s->flat = NULL;
        s->g = s->m->g;
    }
    s->exec_order = false;
    s->plan.bufs = NULL;
    s->vals = NULL;
    s->val_buf = NULL;
    s->steps = NULL;
    s->step_node = NULL;
    s->step_op = NULL;
    s->ptrs = NULL;
    s->state_off = s->state_size = NULL;
    s->n_steps = 0;
}

/*
 * Builds s's plan for input shapes (NULL: the model's). s has its shared
 * parts set and no plan. Every byte is counted in s->mem before it is
 * allocated: the tables here, each op's allocations as it prepares, then
 * the arena and the state together, before either exists. prev: the plan
 * being replaced (reshape), whose state is kept if it fits.
 */
mote_status mote_session_build_plan(mote_session *s, const mote_tensor *shapes, int n_shapes,
                                       const mote_session *prev)
{
    /* Loops (subgraphs) become steps of one flat list that runs in the
     * order it is written (control_flow.c) */
    if (mote_graph_has_subgraphs(s->g)) {
        mote_status fst = mote_control_flatten(s->g, &s->flat);
        if (fst != MOTE_OK) return fst;
        s->g = s->flat;
        s->exec_order = true;
    }
    const mote_graph *g = s->g;
    size_t nv = (size_t)g->n_values + 1, nn = (size_t)g->n_nodes + 1, io = 1;
    for (int i = 0; i < g->n_nodes; i++) io += (size_t)g->nodes[i].n_in + (size_t)g->nodes[i].n_out;
    memset(&s->mem, 0, sizeof s->mem);
    s->mem.limit = s->limit;
    mote_budget *b = &s->mem;
    const char *what = "the session's tables";
    mote_status st;
    if ((st = mote_budget_add_n(b, &b->plan, nv, sizeof(mote_tensor) + sizeof(int), what)) ||
        (st = mote_budget_add_n(b, &b->plan, nn, sizeof(mote_step) + sizeof(int) + sizeof(mote_op *) +
                                                 2 * sizeof(size_t), what)) ||
        (st = mote_budget_add_n(b, &b->plan, io, sizeof(mote_tensor *), what)))
        return st;
    int *order = malloc(sizeof(int) * nn);
    size_t *scratch = calloc(nn, sizeof(size_t));
    s->vals = calloc(nv, sizeof(mote_tensor));
    s->val_buf = calloc(nv, sizeof(int));
    s->steps = calloc(nn, sizeof(mote_step));
    s->step_node = calloc(nn, sizeof(int));
    s->step_op = calloc(nn, sizeof(mote_op *));
    s->state_off = calloc(nn, sizeof(size_t));
    s->state_size = calloc(nn, sizeof(size_t));
    s->ptrs = calloc(io, sizeof(mote_tensor *));
    if (!order || !scratch || !s->vals || !s->val_buf || !s->steps || !s->step_node ||
        !s->step_op || !s->state_off || !s->state_size || !s->ptrs) {
        st = mote_error(MOTE_ERR_NOMEM, "out of memory");
        goto done;
    }
    if ((st = plan_order(s, order)) != MOTE_OK) goto done;
    if ((st = set_input_shapes(s, shapes, n_shapes)) != MOTE_OK) goto done;
    if ((st = mote_init_vals(g, s->vals, true)) != MOTE_OK) goto done;
    /* shape-derived constants (shape_fold.c): s->g may become a copy of the
     * model's graph specialized to these shapes (the same value ids; fewer
     * nodes, or more where an If guard was added), which this plan then
     * runs; the order and the still empty per-node tables follow it */
    int nodes_before = g->n_nodes;
    if ((st = mote_shape_fold(s)) != MOTE_OK) goto done;
    if ((st = plan_branches(s)) != MOTE_OK) goto done;
    if (s->g != g || s->g->n_nodes != nodes_before) {
        g = s->g;
        size_t fnv = (size_t)g->n_values + 1, fnn = (size_t)g->n_nodes + 1, fio = 1;
        for (int i = 0; i < g->n_nodes; i++) fio += (size_t)g->nodes[i].n_in + (size_t)g->nodes[i].n_out;
        if (fnv > nv || fnn > nn || fio > io) {
            if ((fnv > nv && (st = mote_budget_add_n(b, &b->plan, fnv - nv, sizeof(int), what))) ||
                (fnn > nn && (st = mote_budget_add_n(b, &b->plan, fnn - nn, sizeof(mote_step) +
                                                     sizeof(int) + sizeof(mote_op *) +
                                                     2 * sizeof(size_t) + sizeof(int) + sizeof(size_t),
                                                     what))) ||
                (fio > io && (st = mote_budget_add_n(b, &b->plan, fio - io, sizeof(mote_tensor *), what))))
                goto done;
            nv = fnv > nv ? fnv : nv;
            nn = fnn > nn ? fnn : nn;
            io = fio > io ? fio : io;
            free(order); free(scratch); free(s->val_buf); free(s->steps); free(s->step_node);
            free(s->step_op); free(s->state_off); free(s->state_size); free(s->ptrs);
            order = malloc(sizeof(int) * nn);
            scratch = calloc(nn, sizeof(size_t));
            s->val_buf = calloc(nv, sizeof(int));
            s->steps = calloc(nn, sizeof(mote_step));
            s->step_node = calloc(nn, sizeof(int));
            s->step_op = calloc(nn, sizeof(mote_op *));
            s->state_off = calloc(nn, sizeof(size_t));
            s->state_size = calloc(nn, sizeof(size_t));
            s->ptrs = calloc(io, sizeof(mote_tensor *));
            if (!order || !scratch || !s->val_buf || !s->steps || !s->step_node ||
                !s->step_op || !s->state_off || !s->state_size || !s->ptrs) {
                st = mote_error(MOTE_ERR_NOMEM, "out of memory");
                goto done;
            }
        }
        if ((st = plan_order(s, order)) != MOTE_OK) goto done;
    }
    for (int i = 0; i < g->n_inputs; i++) {   /* inputs: checked before any node */
        size_t ib;
        char what[192];
        describe_value(s, g->inputs[i], what, sizeof what);
        if (!mote_limit_tensor_bytes(&s->vals[g->inputs[i]], &ib)) {
            st = mote_error(MOTE_ERR_LIMIT, "input %s: its size overflows", what);
            goto done;
        }
        if ((st = mote_limit_check(ib, s->limit, what)) != MOTE_OK) goto done;
    }
    /* the model's prepared weights are found or made under its lock */
    mote_prepared_lock(s->prep);
    st = build_steps(s, order, scratch);
    mote_prepared_unlock(s->prep);
    if (st != MOTE_OK) goto done;
    if ((st = link_steps(s)) != MOTE_OK) goto done;
    if ((st = plan_memory(s, scratch)) != MOTE_OK) goto done;
    bool fresh_state = false;
    if ((st = plan_state(s, prev, &fresh_state)) != MOTE_OK) goto done;
    /* every size is now counted and within the budget: allocate */
    if (s->plan_only) {
        s->state = NULL;
    } else {
        if (s->user_arena) {
            if (s->user_arena_bytes < s->arena_bytes) {
                st = mote_error(MOTE_ERR_ARG, "the caller's arena has %zu bytes, the plan needs %zu",
                                s->user_arena_bytes, s->arena_bytes);
                goto done;
            }
            s->arena = s->user_arena;
        } else {
            if (!(s->arena = mote_zalloc64(s->arena_bytes ? s->arena_bytes : 64))) {
                st = mote_error(MOTE_ERR_NOMEM, "out of memory for the %zu-byte arena",
                                s->arena_bytes);
                goto done;
            }
            s->owns_arena = true;
        }
        if (fresh_state && !(s->state = mote_zalloc64(s->state_bytes))) {
            st = mote_error(MOTE_ERR_NOMEM, "out of memory for %zu bytes of op state",
                            s->state_bytes);
            goto done;
        }
    }
    bind_memory(s);
done:
    free(order);
    free(scratch);
    return st;
}

