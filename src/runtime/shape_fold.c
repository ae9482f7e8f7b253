/*
 * shape_fold.c — shape-derived constants, evaluated once when a session
 * fixes its input shapes.
 *
 * Exporters compute shapes inside the graph: Shape -> Gather -> Unsqueeze
 * -> Concat -> Reshape, Shape -> Slice -> Resize sizes, Range over a
 * sequence length, ConstantOfShape masks, Equal/Where on shapes. Once the
 * input shapes are fixed, every such value is a constant. This walks the
 * graph in topological order inferring shapes like a session does, and
 *   - evaluates each Shape and Size whose input shape is known, and
 *   - evaluates each node whose inputs all have data when at least one of
 *     them was evaluated here (weights-only chains were folded when the
 *     model was converted), when its outputs are not graph outputs, hold
 *     at most FOLD_MAX_BYTES together and its op keeps no state,
 * by running the op itself (infer, prepare, run on one thread: no second
 * evaluator). If anything was evaluated, the session gets a copy of the
 * graph specialized to these shapes: evaluated values become weights, the
 * nodes that made them and nodes whose outputs nothing uses any more are
 * dropped. The ops that need constant inputs (Reshape, Expand, Tile, Pad,
 * Slice, Resize, ConstantOfShape, Range ...) then see constants, and
 * mote_session_run does no shape work. A node this walk cannot infer or
 * evaluate is left alone: the session reports it as it would have.
 *
 * Not the session (session.c calls mote_shape_fold from one marked line)
 * and not the convert-time passes (src/passes/ fold weight-only chains).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "graph/internal.h"
#include "session.h"
#include "shape_fold.h"

#define FOLD_MAX_BYTES (4u << 20)

typedef struct fold_walk {
    const mote_graph *g;
    const mote_kernels *k;
    mote_tensor *vals;       /* (n_values) shapes; data for weights and folded values */
    bool *folded;            /* (n_values) evaluated here                              */
    void **owned;            /* (n_values) buffers of folded values, mote_alloc_aligned */
    mote_pool *pool;         /* one thread, made on first use                          */
    int n_folded;            /* nodes evaluated or selects resolved                    */
    int *picked;             /* (n_nodes) a resolved select: 1 + the value it passes on */
    uint8_t *guard;          /* (n_nodes) resolved without its condition: 1 + the value
                                the condition must have at run time (IfGuard)       */
} fold_walk;

static bool is_graph_output(const mote_graph *g, int v)
{
    for (int i = 0; i < g->n_outputs; i++)
        if (g->outputs[i] == v)
            return true;
    return false;
}

static void forget_outputs(fold_walk *w, const mote_node *n)
{
    for (int i = 0; i < n->n_out; i++) {
        memset(&w->vals[n->out[i]], 0, sizeof w->vals[n->out[i]]);
        w->vals[n->out[i]].ndim = -1;
    }
    mote_error_clear();
}

/* Should node n, already inferred, be evaluated now? */
static bool wants_fold(const fold_walk *w, const mote_node *n, const mote_op *op)
{
    if (op->state || n->n_in == 0 || (op->flags & MOTE_OP_CONTROL))
        return false;   /* state, a generator or a loop's step: left to run time */
    size_t bytes = 0;
    for (int i = 0; i < n->n_out; i++) {
        if (is_graph_output(w->g, n->out[i]))
            return false;
        bytes += mote_tensor_nbytes(&w->vals[n->out[i]]);
    }
    if (bytes > FOLD_MAX_BYTES)
        return false;
    if (!strcmp(n->op, "Shape") || !strcmp(n->op, "Size"))
        return true;
    bool derived = false;
    for (int i = 0; i < n->n_in; i++) {
        if (n->in[i] < 0)
            continue;
        if (!w->vals[n->in[i]].data)
            return false;
        derived |= w->folded[n->in[i]];
    }
    return derived;
}

/* Runs node n (inferred in c) on one thread; its outputs get new buffers. */
static bool evaluate(fold_walk *w, const mote_node *n, const mote_op *op, mote_op_ctx *c)
{
    if (!w->pool && mote_pool_new(1, 0, &w->pool) != MOTE_OK)
        return false;
    bool ok = !op->prepare || op->prepare(c) == MOTE_OK;
    ok = ok && c->run && c->state_bytes == 0;   /* a step with state runs in the session */
    void *scratch = NULL;
    if (ok && c->scratch_bytes)
        ok = (scratch = mote_alloc_aligned(c->scratch_bytes)) != NULL;
    for (int i = 0; ok && i < n->n_out; i++) {
        size_t nb = mote_tensor_nbytes(c->out[i]);
        void *b = mote_alloc_aligned(nb ? nb : 1);
        ok = b != NULL;
        if (ok) {
            memset(b, 0, nb ? nb : 1);
            w->owned[n->out[i]] = b;
            c->out[i]->data = b;
        }
    }
    if (ok) {
        mote_step s = {.run = c->run, .node = n, .n_in = n->n_in, .n_out = n->n_out, .in = c->in,
                       .out = c->out, .params = c->params, .scratch = scratch, .state = NULL,
                       .k = w->k, .pool = w->pool};
        if (op->flags & MOTE_OP_ALIAS)   /* the output is the input's bytes, reinterpreted */
            memcpy(c->out[0]->data, c->in[0]->data, mote_tensor_nbytes(c->out[0]));
        else
            c->run(&s);
        for (int i = 0; i < n->n_out; i++)
            w->folded[n->out[i]] = true;
        w->n_folded++;
    } else {
        for (int i = 0; i < n->n_out; i++) {
            mote_free_aligned(w->owned[n->out[i]]);
            w->owned[n->out[i]] = NULL;
            c->out[i]->data = NULL;
        }
    }
    mote_free_aligned(scratch);
    mote_ctx_free_all(c->allocs);
    c->allocs = NULL;
    return ok;
}

/* Where(cond, a, b) whose cond is one known element: when the input it
 * picks has a known shape and the Where is an If's select (onnx_control.c
 * marks them _if_select), or the other input is unknown or of the same
 * shape and dtype, its output is that input; the session passes it on and
 * the branch not taken is dropped. */
static bool resolve_select(fold_walk *w, const mote_node *n, int ni)
{
    if (!w->picked || strcmp(n->op, "Where") || n->n_in != 3 || n->n_out != 1 || n->in[0] < 0 || n->in[1] < 0 ||
        n->in[2] < 0)
        return false;
    const mote_tensor *cond = &w->vals[n->in[0]];
    if (cond->ndim < 0 || cond->dtype != MOTE_BOOL || mote_tensor_numel(cond) != 1)
        return false;
    if (!cond->data) {
        /* a condition known only at run time: when exactly one side can be
         * inferred at these shapes (the other branch cannot run), that side
         * is planned and an IfGuard checks the condition at each run */
        bool a = w->vals[n->in[1]].ndim >= 0, b = w->vals[n->in[2]].ndim >= 0;
        if (!w->guard || a == b)
            return false;
        int pick = a ? n->in[1] : n->in[2];
        if (cond->ndim > w->vals[pick].ndim)
            return false;
        w->vals[n->out[0]] = w->vals[pick];
        w->picked[ni] = pick + 1;
        w->guard[ni] = a ? 2 : 1;
        w->n_folded++;
        mote_error_clear();
        return true;
    }
    int pick = ((const uint8_t *)cond->data)[0] ? n->in[1] : n->in[2];
    int other = pick == n->in[1] ? n->in[2] : n->in[1];
    const mote_tensor *p = &w->vals[pick], *o = &w->vals[other];
    if (p->ndim < 0 || cond->ndim > p->ndim)
        return false;
    /* an If's select passes the chosen value on as the If does; a Where of
     * the model's own only when that gives the same shape */
    if (o->ndim >= 0 && !mote_attr_get_int(n, "_if_select", 0)) {
        bool same = o->ndim == p->ndim && o->dtype == p->dtype;
        for (int d = 0; same && d < p->ndim; d++)
            same = o->dims[d] == p->dims[d];
        if (!same)
            return false;
    }
    w->vals[n->out[0]] = *p;   /* shape, and the data when it is known */
    w->picked[ni] = pick + 1;
    w->n_folded++;
    mote_error_clear();
    return true;
}

/* strict: the first node that cannot be inferred is an error (as in
 * mote_graph_infer); otherwise its outputs are unknown and the walk goes on. */
/* Infers node ni (and evaluates it when it should be folded). strict: a
 * node that cannot be inferred is an error; otherwise its outputs become
 * unknown. */
static mote_status node_step(fold_walk *w, const mote_node *n, bool strict)
{
    const mote_graph *g = w->g;
    mote_tensor *in[64], *out[64];
    const mote_op *op = mote_op_find(n->op);
    bool ok = op && n->n_in <= 64 && n->n_out <= 64 && n->n_in >= op->min_in &&
              n->n_in <= op->max_in && n->n_out >= op->min_out && n->n_out <= op->max_out;
    for (int i = 0; ok && i < n->n_in; i++)
        ok = n->in[i] >= -1 && n->in[i] < g->n_values && (n->in[i] < 0 || w->vals[n->in[i]].ndim >= 0);
    if (!ok && strict)
        return mote_error(op ? MOTE_ERR_GRAPH : MOTE_ERR_UNSUPPORTED,
                          "node '%s' (%s): %s", n->name, n->op,
                          op ? "its inputs or outputs do not fit the op" : "op is not supported by mote");
    if (!ok) {
        forget_outputs(w, n);
        return MOTE_OK;
    }
    /* inputs whose size overflows (an empty (0, 2^62, 2^62) tensor) are
     * refused before an op multiplies their dims */
    mote_status ist = mote_check_inputs(g, n, w->vals);
    if (ist && strict)
        return ist;
    if (ist) {
        mote_error_clear();
        forget_outputs(w, n);
        return MOTE_OK;
    }
    mote_op_ctx c;
    memset(&c, 0, sizeof c);
    c.g = g;
    c.node = n;
    c.n_in = n->n_in;
    c.n_out = n->n_out;
    for (int i = 0; i < n->n_in; i++)
        in[i] = n->in[i] >= 0 ? &w->vals[n->in[i]] : NULL;
    for (int i = 0; i < n->n_out; i++)
        out[i] = &w->vals[n->out[i]];
    c.in = in;
    c.out = out;
    c.k = w->k;
    c.threads = 1;
    mote_status st = op->infer(&c);
    if (st && strict)
        return st;
    ok = st == MOTE_OK;
    for (int i = 0; ok && i < n->n_out; i++) {
        const mote_tensor *t = out[i];
        ok = mote_dtype_size(t->dtype) && t->ndim >= 0 && t->ndim <= MOTE_MAX_DIMS &&
             mote_tensor_numel(t) >= 0;
        for (int d = 0; ok && d < t->ndim; d++)
            ok = t->dims[d] >= 0;
    }
    if (!ok && strict)
        return mote_error(MOTE_ERR_SHAPE, "node '%s' (%s): an output has no valid dtype or shape",
                          n->name, n->op);
    if (!ok) {
        forget_outputs(w, n);
        return MOTE_OK;
    }
    for (int i = 0; i < n->n_out; i++)
        out[i]->data = NULL;
    if (!strict && wants_fold(w, n, op))
        evaluate(w, n, op, &c);
    mote_error_clear();
    return MOTE_OK;
}

/* Infer and prepare n as a session would (its allocations freed after):
 * the error of an op that infers but refuses to prepare. */
static mote_status node_prepare(fold_walk *w, const mote_node *n)
{
    const mote_op *op = mote_op_find(n->op);
    if (!op || !op->prepare || n->n_in > 64 || n->n_out > 64)
        return MOTE_OK;
    mote_tensor *in[64], *out[64];
    mote_op_ctx c;
    memset(&c, 0, sizeof c);
    c.g = w->g;
    c.node = n;
    c.n_in = n->n_in;
    c.n_out = n->n_out;
    for (int i = 0; i < n->n_in; i++)
        in[i] = n->in[i] >= 0 ? &w->vals[n->in[i]] : NULL;
    for (int i = 0; i < n->n_out; i++)
        out[i] = &w->vals[n->out[i]];
    c.in = in;
    c.out = out;
    c.k = w->k;
    c.threads = 1;
    mote_status st = op->infer(&c);
    if (st == MOTE_OK)
        st = op->prepare(&c);
    if (st != MOTE_OK && c.alloc_status != MOTE_OK)
        st = c.alloc_status;
    mote_ctx_free_all(c.allocs);
    return st;
}

static void walk(fold_walk *w, const int *order)
{
    for (int oi = 0; oi < w->g->n_nodes; oi++) {
        const mote_node *n = &w->g->nodes[order[oi]];
        if (!resolve_select(w, n, order[oi]))
            node_step(w, n, false);
    }
}

/* The value that readers of v read once resolved selects pass theirs on. */
static int redirect(const fold_walk *w, int v)
{
    for (int hops = 0; hops < w->g->n_nodes && v >= 0 && w->g->values[v].producer >= 0 &&
                       w->picked[w->g->values[v].producer]; hops++)
        v = w->picked[w->g->values[v].producer] - 1;
    return v;
}

/* needed[ni]: node ni must run (its outputs are read, through resolved
 * selects, by the graph's outputs or by nodes that run; state keeps a
 * node). Folded values and resolved selects need no node. */
static void mark_needed(const fold_walk *w, const int *order, bool *live, bool *needed)
{
    const mote_graph *g = w->g;
    for (int i = 0; i < g->n_outputs; i++)
        live[redirect(w, g->outputs[i])] = true;
    for (int oi = g->n_nodes - 1; oi >= 0; oi--) {
        int ni = order[oi];
        const mote_node *n = &g->nodes[ni];
        const mote_op *op = mote_op_find(n->op);
        bool need = op && op->state, all_folded = n->n_out > 0;
        for (int i = 0; i < n->n_out; i++) {
            need |= live[n->out[i]] && !w->folded[n->out[i]];
            all_folded &= w->folded[n->out[i]];
        }
        if (all_folded || w->picked[ni])
            need = false;
        if (w->guard && w->guard[ni] && live[redirect(w, n->out[0])])
            live[redirect(w, n->in[0])] = true;   /* its IfGuard reads the condition */
        needed[ni] = need;
        for (int i = 0; need && i < n->n_in; i++)
            if (n->in[i] >= 0)
                live[redirect(w, n->in[i])] = true;
    }
}

/* The graph specialized to the walk: folded values become weights (the
 * graph owns their buffers), and nodes nothing needs any more are dropped. */
static mote_status specialize(fold_walk *w, const int *order, mote_graph **out)
{
    const mote_graph *g = w->g;
    mote_graph *sg = mote_graph_clone(g, true);
    bool *live = calloc((size_t)g->n_values + 1, sizeof *live);
    bool *dead = calloc((size_t)g->n_nodes + 1, sizeof *dead);
    if (!sg || !live || !dead) {
        mote_graph_free(sg);
        free(live);
        free(dead);
        return mote_error(MOTE_ERR_NOMEM, "out of memory for the shape-specialized graph");
    }
    for (int v = 0; v < g->n_values; v++) {
        if (!w->folded[v])
            continue;
        mote_value *val = &sg->values[v];
        const mote_tensor *t = &w->vals[v];
        val->kind = MOTE_VAL_WEIGHT;
        val->dtype = t->dtype;
        val->ndim = t->ndim;
        for (int d = 0; d < t->ndim; d++)
            val->dims[d] = t->dims[d];
        val->data = w->owned[v];
        val->nbytes = mote_tensor_nbytes(t);
        val->owns_data = true;
        val->producer = -1;
        w->owned[v] = NULL;   /* the graph frees it now */
    }
    /* Resolved selects: their readers (and the graph's outputs) read the
     * value they pass on instead; then what nothing needs is dropped. */
    for (int k = 0; k < sg->n_nodes; k++)
        for (int i = 0; i < sg->nodes[k].n_in; i++)
            if (sg->nodes[k].in[i] >= 0)
                sg->nodes[k].in[i] = redirect(w, sg->nodes[k].in[i]);
    for (int i = 0; i < sg->n_outputs; i++)
        sg->outputs[i] = redirect(w, sg->outputs[i]);
    mark_needed(w, order, live, dead);
    for (int ni = 0; ni < g->n_nodes; ni++)
        dead[ni] = !dead[ni];
    /* Value ids stay those of the model's graph (whoever reads s->vals by
     * them keeps working): an activation whose producer is dropped and that
     * was not folded is read by no live node; it becomes a constant without
     * data that keeps its inferred dtype and shape (for readers of shapes). */
    for (int ni = 0; ni < g->n_nodes; ni++)
        for (int i = 0; dead[ni] && i < g->nodes[ni].n_out; i++) {
            int v = g->nodes[ni].out[i];
            mote_value *val = &sg->values[v];
            if (w->folded[v])
                continue;
            val->kind = MOTE_VAL_WEIGHT;
            if (w->vals[v].ndim >= 0) {
                val->dtype = w->vals[v].dtype;
                val->ndim = w->vals[v].ndim;
                for (int d = 0; d < val->ndim; d++)
                    val->dims[d] = w->vals[v].dims[d];
            } else {
                val->ndim = 1;
                val->dims[0] = 0;
            }
            val->data = NULL;
            val->nbytes = 0;
            val->owns_data = false;
            val->producer = -1;
        }
    mote_status st = mote_graph_remove_nodes(sg, dead);
    /* An IfGuard for each select resolved without its condition. */
    for (int ni = 0; ni < g->n_nodes && !st; ni++) {
        const mote_node *n = &g->nodes[ni];
        if (!w->guard[ni] || !live[redirect(w, n->out[0])])
            continue;
        char name[300];
        snprintf(name, sizeof name, "%.280s/guard", n->name ? n->name : "select");
        int cond = redirect(w, n->in[0]), seen;
        int gn = mote_graph_node(sg, "IfGuard", name, 1, &cond, 1, NULL, &seen);
        st = gn < 0 ? MOTE_ERR_GRAPH : mote_graph_attr_int(sg, gn, "expect", w->guard[ni] - 1);
    }
    free(live);
    free(dead);
    if (st) {
        mote_graph_free(sg);
        return st;
    }
    *out = sg;
    return MOTE_OK;
}

mote_status mote_shape_fold(mote_session *s)
{
    const mote_graph *g = s->g;
    int want = 0;
    for (int i = 0; i < g->n_nodes && !want; i++)
        want = !strcmp(g->nodes[i].op, "Shape") || !strcmp(g->nodes[i].op, "Size") ||
               !strcmp(g->nodes[i].op, "Where");   /* an If's select, maybe on a constant */
    if (!want)
        return MOTE_OK;
    fold_walk w = {g, s->k, NULL, NULL, NULL, NULL, 0, NULL, NULL};
    int *order = malloc(sizeof *order * ((size_t)g->n_nodes + 1));
    w.vals = calloc((size_t)g->n_values + 1, sizeof *w.vals);
    w.folded = calloc((size_t)g->n_values + 1, sizeof *w.folded);
    w.owned = calloc((size_t)g->n_values + 1, sizeof *w.owned);
    w.picked = calloc((size_t)g->n_nodes + 1, sizeof *w.picked);
    w.guard = calloc((size_t)g->n_nodes + 1, sizeof *w.guard);
    mote_status st = MOTE_OK;
    if (!order || !w.vals || !w.folded || !w.owned || !w.picked || !w.guard)
        st = mote_error(MOTE_ERR_NOMEM, "out of memory for shape folding");
    if (!st)
        st = mote_graph_topo_order(g, order);
    if (!st) {
        /* inputs and weights as the session set them; activations unknown */
        for (int v = 0; v < g->n_values; v++) {
            w.vals[v] = s->vals[v];
            if (g->values[v].kind == MOTE_VAL_ACT) {
                memset(&w.vals[v], 0, sizeof w.vals[v]);
                w.vals[v].ndim = -1;
            } else if (g->values[v].kind == MOTE_VAL_INPUT) {
                w.vals[v].data = NULL;
            }
        }
        walk(&w, order);
    }
    mote_graph *sg = NULL;
    if (!st && w.n_folded)
        st = specialize(&w, order, &sg);
    if (!st && sg) {
        /* the session now works on sg (same value ids, other kinds) */
        mote_tensor *vals = calloc((size_t)sg->n_values + 1, sizeof *vals);
        if (!vals) {
            st = mote_error(MOTE_ERR_NOMEM, "out of memory");
            mote_graph_free(sg);
        } else {
            for (int v = 0; v < sg->n_values; v++) {
                if (sg->values[v].kind == MOTE_VAL_ACT) {
                    vals[v].ndim = -1;
                    continue;
                }
                vals[v] = mote_value_tensor(&sg->values[v]);
            }
            for (int i = 0; i < sg->n_inputs; i++)   /* the fixed input shapes */
                vals[sg->inputs[i]] = s->vals[sg->inputs[i]];
            free(s->vals);
            s->vals = vals;
            s->folded = sg;
            s->g = sg;
        }
    }
    for (int v = 0; w.owned && v < g->n_values; v++)
        mote_free_aligned(w.owned[v]);
    if (w.pool)
        mote_pool_free(w.pool);
    free(order);
    free(w.vals);
    free(w.folded);
    free(w.owned);
    free(w.picked);
    free(w.guard);
    return st;
}

mote_status mote_graph_infer_folding(const mote_graph *g, const mote_kernels *k, const int *order,
                                     mote_tensor *vals)
{
    fold_walk w = {g, k, vals, NULL, NULL, NULL, 0, NULL, NULL};
    w.folded = calloc((size_t)g->n_values + 1, sizeof *w.folded);
    w.owned = calloc((size_t)g->n_values + 1, sizeof *w.owned);
    w.picked = calloc((size_t)g->n_nodes + 1, sizeof *w.picked);
    w.guard = calloc((size_t)g->n_nodes + 1, sizeof *w.guard);
    bool *live = calloc((size_t)g->n_values + 1, sizeof *live);
    bool *needed = calloc((size_t)g->n_nodes + 1, sizeof *needed);
    mote_status st = MOTE_OK;
    if (!w.folded || !w.owned || !w.picked || !w.guard || !live || !needed)
        st = mote_error(MOTE_ERR_NOMEM, "out of memory for shape inference");
    if (!st) {
        /* the walk goes past what it cannot infer; a node that must run
         * and could not be inferred is then inferred again, strictly, for
         * its error (a branch an If does not take may fail freely) */
        walk(&w, order);
        mark_needed(&w, order, live, needed);
        for (int oi = 0; oi < g->n_nodes && !st; oi++) {
            const mote_node *n = &g->nodes[order[oi]];
            bool failed = false;
            for (int i = 0; i < n->n_out; i++)
                failed |= vals[n->out[i]].ndim < 0;
            if (needed[order[oi]] && failed)
                st = node_step(&w, n, true);
        }
        for (int v = 0; v < g->n_values; v++)
            if (vals[v].ndim < 0)   /* not taken: the graph's own record */
                vals[v] = mote_value_tensor(&g->values[v]);
    }
    for (int v = 0; w.owned && v < g->n_values; v++)
        if (w.owned[v]) {
            mote_free_aligned(w.owned[v]);
            vals[v].data = NULL;   /* shapes stay; the evaluated data goes */
        }
    for (int v = 0; v < g->n_values; v++)
        if (g->values[v].kind == MOTE_VAL_ACT)
            vals[v].data = NULL;   /* resolved selects pointed at data too */
    if (w.pool)
        mote_pool_free(w.pool);
    free(w.folded);
    free(w.owned);
    free(w.picked);
    free(w.guard);
    free(live);
    free(needed);
    return st;
}

int mote_graph_list_failures(const mote_graph *g, const mote_tensor *shapes, char *buf, size_t len)
{
    int count = 0;
    size_t used = 0;
    if (len)
        buf[0] = 0;
    fold_walk w = {g, &mote_kernels_ref, NULL, NULL, NULL, NULL, 0, NULL, NULL};
    int *order = malloc(sizeof *order * ((size_t)g->n_nodes + 1));
    w.vals = calloc((size_t)g->n_values + 1, sizeof *w.vals);
    w.folded = calloc((size_t)g->n_values + 1, sizeof *w.folded);
    w.owned = calloc((size_t)g->n_values + 1, sizeof *w.owned);
    w.picked = calloc((size_t)g->n_nodes + 1, sizeof *w.picked);
    w.guard = calloc((size_t)g->n_nodes + 1, sizeof *w.guard);
    bool *live = calloc((size_t)g->n_values + 1, sizeof *live);
    bool *needed = calloc((size_t)g->n_nodes + 1, sizeof *needed);
    if (order && w.vals && w.folded && w.owned && w.picked && w.guard && live && needed &&
        mote_graph_topo_order(g, order) == MOTE_OK) {
        for (int v = 0; v < g->n_values; v++) {
            w.vals[v] = mote_value_tensor(&g->values[v]);
            if (g->values[v].kind == MOTE_VAL_ACT) {
                memset(&w.vals[v], 0, sizeof w.vals[v]);
                w.vals[v].ndim = -1;
            }
        }
        for (int i = 0; i < g->n_inputs; i++) {
            mote_tensor *t = &w.vals[g->inputs[i]];
            for (int d = 0; d < t->ndim && d < shapes[i].ndim; d++)
                t->dims[d] = shapes[i].dims[d];
            t->data = NULL;
        }
        walk(&w, order);
        mark_needed(&w, order, live, needed);
        /* a node that must run, whose inputs are known but which cannot be
         * inferred, or inferred but not prepared: a cause, not a
         * consequence of another failure */
        for (int oi = 0; oi < g->n_nodes; oi++) {
            const mote_node *n = &g->nodes[order[oi]];
            bool failed = false, inputs_known = true;
            for (int i = 0; i < n->n_out; i++)
                failed |= w.vals[n->out[i]].ndim < 0;
            for (int i = 0; i < n->n_in; i++)
                inputs_known &= n->in[i] < 0 || w.vals[n->in[i]].ndim >= 0;
            if (!needed[order[oi]] || !inputs_known)
                continue;
            if ((failed ? node_step(&w, n, true) : node_prepare(&w, n)) == MOTE_OK)
                continue;
            count++;
            if (used + 4 < len)
                used += (size_t)snprintf(buf + used, len - used, "%s%s", count > 1 ? "; " : "",
                                         mote_last_error());
            if (used >= len)
                used = len ? len - 1 : 0;
        }
        mote_error_clear();
    }
    for (int v = 0; w.owned && v < g->n_values; v++)
        mote_free_aligned(w.owned[v]);
    if (w.pool)
        mote_pool_free(w.pool);
    free(order);
    free(w.vals);
    free(w.folded);
    free(w.owned);
    free(w.picked);
    free(w.guard);
    free(live);
    free(needed);
    return count;
}
