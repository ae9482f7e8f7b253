/*
 * session.c — from a model to a flat array of steps over one arena.
 *
 * mote_session_new does, in order:
 *   1. resolve the kernel table for the ISA (cpu.c);
 *   2. fix the input shapes; for every node in topological order, look up
 *      its op, infer output shapes (op->infer), then let the op prepare
 *      (kernel choice, packed weights, scratch size);
 *   3. compute each buffer's lifetime in steps; fold aliases (Reshape
 *      outputs share their input's bytes) and in-place ops (an elementwise
 *      op may write over an input that dies at that step) into one storage;
 *   4. place all storages in one arena (planner.c) and point every
 *      value's data at its bytes.
 * mote_session_run then copies the inputs in and calls each step's run
 * function: no allocation, no shape work, no lookup.
 *
 * Not here: op math (src/ops/), kernels, the file format.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cpu.h"
#include "graph/internal.h"
#include "session.h"
#include "budget.h"

void mote_session_options_init(mote_session_options *o)
{
    memset(o, 0, sizeof *o);
    o->pin = -1;
}

/* ------------------------------------------------------------ inference */

static mote_status check_arity(const mote_node *n, const mote_op *op)
{
    if (n->n_in < op->min_in || n->n_in > op->max_in)
        return mote_error(MOTE_ERR_GRAPH, "node '%s' (%s): has %d inputs, the op takes %d to %d",
                          n->name, n->op, n->n_in, op->min_in, op->max_in);
    if (n->n_out < op->min_out || n->n_out > op->max_out)
        return mote_error(MOTE_ERR_GRAPH, "node '%s' (%s): has %d outputs, the op gives %d to %d",
                          n->name, n->op, n->n_out, op->min_out, op->max_out);
    for (int i = 0; i < n->n_in; i++)
        if (n->in[i] < -1)
            return mote_error(MOTE_ERR_GRAPH, "node '%s' (%s): input %d is invalid", n->name, n->op, i);
    return MOTE_OK;
}

/* Builds an op context for node n over vals; in/out are caller arrays. */
static void ctx_init(mote_op_ctx *c, const mote_graph *g, const mote_node *n,
                     mote_tensor *vals, mote_tensor **in, mote_tensor **out,
                     const mote_kernels *k, int threads)
{
    memset(c, 0, sizeof *c);
    c->g = g;
    c->node = n;
    c->n_in = n->n_in;
    c->n_out = n->n_out;
    for (int i = 0; i < n->n_in; i++) in[i] = n->in[i] >= 0 ? &vals[n->in[i]] : NULL;
    for (int i = 0; i < n->n_out; i++) out[i] = &vals[n->out[i]];
    c->in = in;
    c->out = out;
    c->k = k;
    c->threads = threads;
}

static mote_status check_outputs(const mote_op_ctx *c)
{
    for (int i = 0; i < c->n_out; i++) {
        const mote_tensor *t = c->out[i];
        if (!mote_dtype_size(t->dtype) || t->ndim < 0 || t->ndim > MOTE_MAX_DIMS)
            return mote_op_error(c, MOTE_ERR_SHAPE, "output %d has no valid dtype/shape", i);
        for (int d = 0; d < t->ndim; d++)
            if (t->dims[d] < 0)
                return mote_op_error(c, MOTE_ERR_SHAPE, "output %d has an unknown dimension", i);
        if (mote_tensor_numel(t) < 0 || (mote_tensor_nbytes(t) == 0 && mote_tensor_numel(t) > 0)) {
            char buf[MOTE_MAX_DIMS * 21 + 16];
            return mote_op_error(c, MOTE_ERR_LIMIT, "output %d of shape %s is too large (its "
                                 "size passes %lld)", i, mote_tensor_describe(t, buf, sizeof buf),
                                 (long long)PTRDIFF_MAX);
        }
    }
    return MOTE_OK;
}

/* Sets vals for inputs (shape preset by caller if ndim >= 0) and weights. */
static mote_status init_vals(const mote_graph *g, mote_tensor *vals, bool need_static)
{
    for (int v = 0; v < g->n_values; v++) {
        const mote_value *val = &g->values[v];
        if (val->kind == MOTE_VAL_ACT) {
            memset(&vals[v], 0, sizeof vals[v]);
            vals[v].ndim = -1;
            continue;
        }
        if (val->kind == MOTE_VAL_INPUT && vals[v].ndim >= 0) continue;   /* preset */
        vals[v] = mote_value_tensor(val);
        if (val->kind == MOTE_VAL_INPUT && need_static)
            for (int d = 0; d < val->ndim; d++)
                if (val->dims[d] < 0)
                    return mote_error(MOTE_ERR_SHAPE, "input '%s': dimension %d is not fixed; "
                                      "give its shape in the session options", val->name, d);
    }
    return MOTE_OK;
}

mote_status mote_graph_infer(const mote_graph *g, const mote_kernels *k, int threads,
                             const int *order, mote_tensor *vals)
{
    mote_tensor *in[64], *out[64];
    for (int oi = 0; oi < g->n_nodes; oi++) {
        const mote_node *n = &g->nodes[order[oi]];
        const mote_op *op = mote_op_find(n->op);
        if (!op)
            return mote_error(MOTE_ERR_UNSUPPORTED, "node '%s': op '%s' is not supported by mote",
                              n->name, n->op);
        mote_status st = check_arity(n, op);
        if (st != MOTE_OK) return st;
        if (n->n_in > 64 || n->n_out > 64)
            return mote_error(MOTE_ERR_UNSUPPORTED, "node '%s': more than 64 inputs or outputs", n->name);
        for (int i = 0; i < n->n_in; i++) {
            if (n->in[i] < 0) continue;
            const mote_tensor *t = &vals[n->in[i]];
            if (t->ndim < 0)
                return mote_error(MOTE_ERR_SHAPE, "node '%s' (%s): input %d ('%s') has no known shape",
                                  n->name, n->op, i, g->values[n->in[i]].name);
            /* Graph inputs and weights come from the file or the caller:
             * ops may multiply any of their dims. */
            if (mote_tensor_numel(t) < 0 || (mote_tensor_nbytes(t) == 0 && mote_tensor_numel(t) > 0)) {
                char buf[MOTE_MAX_DIMS * 21 + 16];
                return mote_error(MOTE_ERR_LIMIT, "node '%s' (%s): input %d ('%s') of shape %s is "
                                  "too large (its size passes %lld)", n->name, n->op, i,
                                  g->values[n->in[i]].name, mote_tensor_describe(t, buf, sizeof buf),
                                  (long long)PTRDIFF_MAX);
            }
        }
        mote_op_ctx c;
        ctx_init(&c, g, n, vals, in, out, k, threads);
        if ((st = op->infer(&c)) != MOTE_OK) return st;
        if ((st = check_outputs(&c)) != MOTE_OK) return st;
    }
    return MOTE_OK;
}

/* Structural checks that need no shapes. */
static mote_status check_structure(const mote_graph *g, int *order)
{
    for (int v = 0; v < g->n_values; v++) {
        const mote_value *val = &g->values[v];
        if (val->kind == MOTE_VAL_ACT && (val->producer < 0 || val->producer >= g->n_nodes))
            return mote_error(MOTE_ERR_GRAPH, "value '%s' is used but nothing produces it", val->name);
        if (val->kind == MOTE_VAL_WEIGHT && !val->data && val->nbytes)
            return mote_error(MOTE_ERR_GRAPH, "weight '%s' has no data", val->name);
    }
    for (int i = 0; i < g->n_nodes; i++) {
        const mote_node *n = &g->nodes[i];
        for (int j = 0; j < n->n_in; j++)
            if (n->in[j] < -1 || n->in[j] >= g->n_values)
                return mote_error(MOTE_ERR_GRAPH, "node '%s': input %d refers to a missing value", n->name, j);
        for (int j = 0; j < n->n_out; j++)
            if (n->out[j] < 0 || n->out[j] >= g->n_values || g->values[n->out[j]].producer != i)
                return mote_error(MOTE_ERR_GRAPH, "node '%s': output %d is inconsistent", n->name, j);
    }
    if (g->n_outputs == 0) return mote_error(MOTE_ERR_GRAPH, "graph has no outputs");
    return mote_graph_topo_order(g, order);
}

/* The checks of mote_graph_check; with annotate, activations of a graph
 * whose inputs are all fixed get their inferred dtype and shape. */
static mote_status check_graph(mote_graph *g, bool annotate);

mote_status mote_graph_check(const mote_graph *g)
{
    return check_graph((mote_graph *)g, false);   /* not written to */
}

mote_status mote_graph_check_annotate(mote_graph *g)
{
    return check_graph(g, true);
}

static mote_status check_graph(mote_graph *g, bool annotate)
{
    if (!g) return mote_error(MOTE_ERR_ARG, "mote_graph_check: NULL graph");
    int *order = malloc(sizeof(int) * (size_t)(g->n_nodes + 1));
    mote_tensor *vals = calloc((size_t)g->n_values + 1, sizeof(mote_tensor));
    mote_status st = (!order || !vals) ? mote_error(MOTE_ERR_NOMEM, "out of memory") : MOTE_OK;
    if (st == MOTE_OK) st = check_structure(g, order);
    for (int i = 0; st == MOTE_OK && i < g->n_nodes; i++) {
        const mote_node *n = &g->nodes[i];
        const mote_op *op = mote_op_find(n->op);
        if (!op)
            st = mote_error(MOTE_ERR_UNSUPPORTED, "node '%s': op '%s' is not supported by mote",
                            n->name, n->op);
        else
            st = check_arity(n, op);
    }
    /* Shapes are checked when every input's shape is fixed. */
    bool static_inputs = true;
    for (int i = 0; i < g->n_inputs && st == MOTE_OK; i++) {
        const mote_value *v = &g->values[g->inputs[i]];
        for (int d = 0; d < v->ndim; d++)
            if (v->dims[d] < 0) static_inputs = false;
    }
    if (st == MOTE_OK && static_inputs) {
        for (int v = 0; v < g->n_values; v++) vals[v].ndim = -1;
        st = init_vals(g, vals, true);
        if (st == MOTE_OK) st = mote_graph_infer(g, &mote_kernels_ref, 1, order, vals);
        for (int v = 0; annotate && st == MOTE_OK && v < g->n_values; v++) {
            mote_value *val = &g->values[v];
            if (val->kind != MOTE_VAL_ACT) continue;
            val->dtype = vals[v].dtype;
            val->ndim = vals[v].ndim;
            for (int d = 0; d < vals[v].ndim; d++) val->dims[d] = vals[v].dims[d];
        }
    }
    free(order);
    free(vals);
    return st;
}

/* ------------------------------------------------------------- planning */

/* Union-find over values: storage sharing (aliases and in-place). */
static int root_of(int *parent, int v)
{
    while (parent[v] != v) v = parent[v] = parent[parent[v]];
    return v;
}

static int env_int(const char *name, int dflt)
{
    const char *s = getenv(name);
    if (!s || !*s) return dflt;
    char *end;
    long v = strtol(s, &end, 10);
    return (*end || v < 0 || v > 1024) ? dflt : (int)v;
}

static mote_status resolve_options(const mote_session_options *o, int *threads, int *pin)
{
    *pin = 1;
    *threads = o->threads > 0 ? o->threads : env_int("MOTE_THREADS", 0);
    if (*threads <= 0) *threads = mote_physical_cores();
    if (*threads > 1024) return mote_error(MOTE_ERR_ARG, "thread count %d is too large", *threads);
    *pin = o->pin;
    if (*pin < 0) {
        const char *p = getenv("MOTE_PIN");
        if (!p || !*p || strcmp(p, "cores") == 0) *pin = 1;
        else if (strcmp(p, "none") == 0) *pin = 0;
        else return mote_error(MOTE_ERR_ARG, "MOTE_PIN='%s': expected 'cores' or 'none'", p);
    }
    return MOTE_OK;
}

static mote_status set_input_shapes(mote_session *s, const mote_session_options *o)
{
    const mote_graph *g = s->g;
    for (int v = 0; v < g->n_values; v++) s->vals[v].ndim = -1;
    if (!o->input_shapes) return MOTE_OK;
    if (o->n_input_shapes != g->n_inputs)
        return mote_error(MOTE_ERR_ARG, "session options give %d input shapes, the model has %d inputs",
                          o->n_input_shapes, g->n_inputs);
    for (int i = 0; i < g->n_inputs; i++) {
        const mote_value *val = &g->values[g->inputs[i]];
        const mote_tensor *t = &o->input_shapes[i];
        bool ok = t->ndim == val->ndim;
        for (int d = 0; ok && d < t->ndim; d++)
            ok = t->dims[d] >= 0 && (val->dims[d] < 0 || val->dims[d] == t->dims[d]);
        if (!ok) {
            char a[128], b[128];
            mote_tensor mt = mote_value_tensor(val);
            mote_tensor ot = *t;
            ot.dtype = val->dtype;
            return mote_error(MOTE_ERR_SHAPE, "input '%s': shape %s does not fit the model's %s",
                              val->name, mote_tensor_describe(&ot, a, sizeof a),
                              mote_tensor_describe(&mt, b, sizeof b));
        }
        s->vals[g->inputs[i]] = mote_value_tensor(val);
        for (int d = 0; d < t->ndim; d++) s->vals[g->inputs[i]].dims[d] = t->dims[d];
    }
    return MOTE_OK;
}

/* Prepares every node: infer + prepare, in topological order. */
static mote_status build_steps(mote_session *s, const int *order, size_t *scratch)
{
    const mote_graph *g = s->g;
    int threads = mote_pool_threads(s->pool);
    int total_io = 0;
    for (int i = 0; i < g->n_nodes; i++) total_io += g->nodes[i].n_in + g->nodes[i].n_out;
    s->ptrs = calloc((size_t)total_io + 1, sizeof(mote_tensor *));
    s->steps = calloc((size_t)g->n_nodes + 1, sizeof(mote_step));
    s->step_node = calloc((size_t)g->n_nodes + 1, sizeof(int));
    s->step_op = calloc((size_t)g->n_nodes + 1, sizeof(mote_op *));
    if (!s->ptrs || !s->steps || !s->step_node || !s->step_op)
        return mote_error(MOTE_ERR_NOMEM, "out of memory");
    mote_tensor **p = s->ptrs;
    for (int oi = 0; oi < g->n_nodes; oi++) {
        const mote_node *n = &g->nodes[order[oi]];
        const mote_op *op = mote_op_find(n->op);
        if (!op)
            return mote_error(MOTE_ERR_UNSUPPORTED, "node '%s': op '%s' is not supported by mote",
                              n->name, n->op);
        mote_status st = check_arity(n, op);
        if (st != MOTE_OK) return st;
        for (int i = 0; i < n->n_in; i++)
            if (n->in[i] >= 0 && s->vals[n->in[i]].ndim < 0)
                return mote_error(MOTE_ERR_SHAPE, "node '%s' (%s): input %d ('%s') has no known shape",
                                  n->name, n->op, i, g->values[n->in[i]].name);
        mote_op_ctx c;
        ctx_init(&c, g, n, s->vals, p, p + n->n_in, &s->k, threads);
        c.allocs = s->allocs;
        st = op->infer(&c);
        if (st == MOTE_OK) st = check_outputs(&c);
        if (st == MOTE_OK && op->prepare) st = op->prepare(&c);
        s->allocs = c.allocs;
        if (st != MOTE_OK) return st;
        if (!c.run)
            return mote_error(MOTE_ERR_UNSUPPORTED, "node '%s' (%s): the op chose no kernel", n->name, n->op);
        mote_step *step = &s->steps[oi];
        step->run = c.run;
        step->node = n;
        step->n_in = n->n_in;
        step->n_out = n->n_out;
        step->in = p;
        step->out = p + n->n_in;
        step->params = c.params;
        step->k = &s->k;
        step->pool = s->pool;
        scratch[oi] = c.scratch_bytes;
        s->step_node[oi] = order[oi];
        s->step_op[oi] = op;
        p += n->n_in + n->n_out;
    }
    s->n_steps = g->n_nodes;
    return MOTE_OK;
}

/* Lifetimes, storage sharing and the arena. */
static mote_status plan_memory(mote_session *s, const size_t *scratch, const mote_session_options *o)
{
    const mote_graph *g = s->g;
    int nv = g->n_values, ns = s->n_steps;
    int *parent = malloc(sizeof(int) * (size_t)(nv + 1));
    int *first = malloc(sizeof(int) * (size_t)(nv + 1));
    int *last = malloc(sizeof(int) * (size_t)(nv + 1));
    bool *is_out = calloc((size_t)nv + 1, sizeof(bool));
    int *buf_of = malloc(sizeof(int) * (size_t)(nv + ns + 1));
    mote_buf *bufs = calloc((size_t)(nv + ns) + 1, sizeof(mote_buf));
    mote_status st = MOTE_OK;
    if (!parent || !first || !last || !is_out || !buf_of || !bufs) {
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
    /* reliability: every intermediate and scratch size must be computable
     * (no overflow) and within the memory budget before the arena is
     * planned, so an absurd shape is refused instead of allocated. */
    size_t budget = mote_limit_bytes(o->max_bytes);
    for (int v = 0; v < nv; v++) {
        if (g->values[v].kind != MOTE_VAL_ACT) continue;
        size_t vb;
        char what[160], desc[96];
        mote_tensor_describe(&s->vals[v], desc, sizeof desc);
        snprintf(what, sizeof what, "tensor '%s' (%s)", g->values[v].name ? g->values[v].name : "?", desc);
        if (!mote_limit_tensor_bytes(&s->vals[v], &vb)) {
            st = mote_error(MOTE_ERR_LIMIT, "%s: its size overflows", what);
            goto done;
        }
        if ((st = mote_limit_check(vb, budget, what)) != MOTE_OK) goto done;
    }
    for (int t = 0; t < ns; t++) {
        char what[160];
        snprintf(what, sizeof what, "the scratch of node '%s'",
                 s->steps[t].node->name ? s->steps[t].node->name : "?");
        if ((st = mote_limit_check(scratch[t], budget, what)) != MOTE_OK) goto done;
    }
    /* One buffer per storage root in the arena; weights stay in place. */
    int nb = 0;
    size_t naive = 0;
    for (int v = 0; v < nv; v++) {
        buf_of[v] = -1;
        if (g->values[v].kind == MOTE_VAL_ACT) naive += mote_tensor_nbytes(&s->vals[v]);
        if (root_of(parent, v) != v || g->values[v].kind == MOTE_VAL_WEIGHT) continue;
        bufs[nb] = (mote_buf){.bytes = mote_tensor_nbytes(&s->vals[v]), .first = first[v], .last = last[v]};
        buf_of[v] = nb++;
    }
    int scratch0 = nb;
    for (int t = 0; t < ns; t++) {
        bufs[nb] = (mote_buf){.bytes = scratch[t], .first = t, .last = t};
        naive += scratch[t];       /* a planner-less runtime needs scratch too */
        nb++;
    }
    size_t arena = 0;
    if ((st = mote_plan_place(bufs, nb, &arena)) != MOTE_OK) goto done;
    if ((st = mote_limit_check(arena, budget, "the session's arena")) != MOTE_OK) goto done; /* reliability */
    s->naive_bytes = naive;
    s->plan.bufs = bufs;
    s->plan.n_bufs = nb;
    s->plan.arena_bytes = arena;
    s->plan.naive_bytes = naive;
    bufs = NULL;
    if (o->arena) {
        if (((uintptr_t)o->arena & 63) != 0) {
            st = mote_error(MOTE_ERR_ARG, "the caller's arena is not 64-byte aligned");
            goto done;
        }
        if (o->arena_bytes < arena) {
            st = mote_error(MOTE_ERR_ARG, "the caller's arena has %zu bytes, the plan needs %zu",
                            o->arena_bytes, arena);
            goto done;
        }
        s->arena = o->arena;
        s->arena_bytes = arena;
    } else {
        s->arena = mote_alloc_aligned(arena ? arena : 64);
        if (!s->arena) {
            st = mote_error(MOTE_ERR_NOMEM, "out of memory for the %zu-byte arena", arena);
            goto done;
        }
        memset(s->arena, 0, arena ? arena : 64);
        s->owns_arena = true;
        s->arena_bytes = arena;
    }
    for (int v = 0; v < nv; v++) {
        int r = root_of(parent, v);
        if (g->values[r].kind == MOTE_VAL_WEIGHT)
            s->vals[v].data = (void *)g->values[r].data;
        else
            s->vals[v].data = s->arena + s->plan.bufs[buf_of[r]].offset;
    }
    for (int t = 0; t < ns; t++)
        s->steps[t].scratch = scratch[t] ? s->arena + s->plan.bufs[scratch0 + t].offset : NULL;
done:
    free(parent);
    free(first);
    free(last);
    free(is_out);
    free(buf_of);
    free(bufs);
    return st;
}

mote_status mote_session_new(const mote_model *m, const mote_session_options *opts,
                             mote_session **out)
{
    if (!out) return mote_error(MOTE_ERR_ARG, "mote_session_new: NULL output pointer");
    *out = NULL;
    if (!m) return mote_error(MOTE_ERR_ARG, "mote_session_new: NULL model");
    mote_session_options o;
    if (opts) o = *opts;
    else mote_session_options_init(&o);
    int threads, pin;
    mote_status st = resolve_options(&o, &threads, &pin);
    if (st != MOTE_OK) return st;
    mote_session *s = calloc(1, sizeof *s);
    if (!s) return mote_error(MOTE_ERR_NOMEM, "out of memory");
    s->m = m;
    s->g = m->g;
    const mote_graph *g = m->g;
    int *order = malloc(sizeof(int) * (size_t)(g->n_nodes + 1));
    size_t *scratch = calloc((size_t)g->n_nodes + 1, sizeof(size_t));
    s->vals = calloc((size_t)g->n_values + 1, sizeof(mote_tensor));
    if (!order || !scratch || !s->vals) {
        st = mote_error(MOTE_ERR_NOMEM, "out of memory");
        goto fail;
    }
    if ((st = mote_cpu_kernels(o.isa, &s->k)) != MOTE_OK) goto fail;
    if ((st = mote_graph_topo_order(g, order)) != MOTE_OK) goto fail;
    if ((st = mote_pool_new(threads, pin, &s->pool)) != MOTE_OK) goto fail;
    if ((st = set_input_shapes(s, &o)) != MOTE_OK) goto fail;
    if ((st = init_vals(g, s->vals, true)) != MOTE_OK) goto fail;
    if ((st = build_steps(s, order, scratch)) != MOTE_OK) goto fail;
    if ((st = plan_memory(s, scratch, &o)) != MOTE_OK) goto fail;
    free(order);
    free(scratch);
    *out = s;
    return MOTE_OK;
fail:
    free(order);
    free(scratch);
    mote_session_free(s);
    return st;
}

void mote_session_free(mote_session *s)
{
    if (!s) return;
    mote_pool_free(s->pool);
    mote_ctx_free_all(s->allocs);
    if (s->owns_arena) mote_free_aligned(s->arena);
    free(s->plan.bufs);
    free(s->vals);
    free(s->steps);
    free(s->step_node);
    free(s->step_op);
    free(s->ptrs);
    free(s);
}

/* Checks the inputs against the session's shapes and copies them in. */
static mote_status load_inputs(mote_session *s, const mote_tensor *inputs, int n_inputs)
{
    if (!s) return mote_error(MOTE_ERR_ARG, "mote_session_run: NULL session");
    const mote_graph *g = s->g;
    if (n_inputs != g->n_inputs || (n_inputs && !inputs))
        return mote_error(MOTE_ERR_ARG, "mote_session_run: the model takes %d inputs, got %d",
                          g->n_inputs, n_inputs);
    for (int i = 0; i < n_inputs; i++) {
        const mote_tensor *want = &s->vals[g->inputs[i]], *got = &inputs[i];
        bool ok = got->dtype == want->dtype && got->ndim == want->ndim;
        for (int d = 0; ok && d < want->ndim; d++) ok = got->dims[d] == want->dims[d];
        if (!ok) {
            char a[128], b[128];
            return mote_error(MOTE_ERR_SHAPE, "input '%s': got %s, the session expects %s",
                              g->values[g->inputs[i]].name, mote_tensor_describe(got, a, sizeof a),
                              mote_tensor_describe(want, b, sizeof b));
        }
        size_t nb = mote_tensor_nbytes(want);
        if (nb && !got->data)
            return mote_error(MOTE_ERR_ARG, "input '%s': NULL data", g->values[g->inputs[i]].name);
    }
    for (int i = 0; i < n_inputs; i++) {
        size_t nb = mote_tensor_nbytes(&s->vals[g->inputs[i]]);
        if (nb && s->vals[g->inputs[i]].data != inputs[i].data)
            memcpy(s->vals[g->inputs[i]].data, inputs[i].data, nb);
    }
    return MOTE_OK;
}

mote_status mote_session_run(mote_session *s, const mote_tensor *inputs, int n_inputs)
{
    mote_status st = load_inputs(s, inputs, n_inputs);
    if (st != MOTE_OK) return st;
    for (int t = 0; t < s->n_steps; t++) s->steps[t].run(&s->steps[t]);
    return MOTE_OK;
}

/* The instruments' run loop: the same steps, with a call before and after
 * each. Kept apart from mote_session_run so that plain runs pay nothing. */
mote_status mote_session_run_hooked(mote_session *s, const mote_tensor *inputs, int n_inputs,
                                    const mote_step_hooks *h)
{
    if (!h) return mote_session_run(s, inputs, n_inputs);
    mote_status st = load_inputs(s, inputs, n_inputs);
    if (st != MOTE_OK) return st;
    for (int t = 0; t < s->n_steps; t++) {
        if (h->before) h->before(h->ctx, s, t);
        s->steps[t].run(&s->steps[t]);
        if (h->after) h->after(h->ctx, s, t);
    }
    return MOTE_OK;
}

mote_status mote_session_output(const mote_session *s, int i, mote_tensor *out)
{
    if (!s || !out) return mote_error(MOTE_ERR_ARG, "mote_session_output: NULL argument");
    if (i < 0 || i >= s->g->n_outputs)
        return mote_error(MOTE_ERR_ARG, "output %d does not exist (the model has %d)", i, s->g->n_outputs);
    *out = s->vals[s->g->outputs[i]];
    return MOTE_OK;
}

size_t mote_session_arena_bytes(const mote_session *s) { return s ? s->arena_bytes : 0; }
size_t mote_session_naive_bytes(const mote_session *s) { return s ? s->naive_bytes : 0; }
const char *mote_session_isa(const mote_session *s) { return s ? s->k.name : NULL; }
int mote_session_threads(const mote_session *s) { return s ? mote_pool_threads(s->pool) : 0; }
