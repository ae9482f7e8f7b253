/*
 * control_flow.c — a model's Loops, flattened into one list of steps.
 *
 * In a graph, a Loop is one node whose GRAPH attribute "body" is a closed
 * subgraph (graph.h): the body's inputs are (iteration number, condition,
 * loop-carried values..., captured values...), its outputs (condition,
 * loop-carried values..., scan values...); the node's inputs are (M,
 * cond, initial values..., captured values...), the count of captured ones
 * in its attribute _captures, and its outputs (final loop-carried
 * values..., scan outputs...) — ONNX's Loop with what the body reads from
 * outside made explicit. A session does not plan subgraphs: it plans this
 * flat copy, where the Loop is
 *
 *     LoopBegin  (M, cond, initial...)      -> (iter, cond, state...)
 *     the body's nodes, its inputs bound to iter, cond, state and the
 *                captured outer values
 *     LoopEnd    (M, iter, cond, state..., the body's outputs...)
 *                                           -> the Loop's outputs
 *
 * and the session runs the nodes in the order listed, jumping where the
 * two control ops say (src/ops/loop.c). Body nodes that compute the same
 * on every trip (from captured values only) are placed before LoopBegin
 * and run once. The plan stays static: one arena,
 * every buffer placed once; a run allocates nothing.
 *
 * Not here: the ops' semantics (loop.c), liveness across trips
 * (session_plan.c), the importer that builds bodies (src/onnx/).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "graph/internal.h"
#include "control_flow.h"
#include "ops/ops.h"

static mote_status emit_graph(mote_graph *f, const mote_graph *src, const int *vmap,
                              const char *prefix, int depth, const bool *pick, bool want);

/* The body's nodes that compute the same every trip: whose inputs are
 * captured values or results of such nodes (stateless ops with inputs,
 * no subgraph). They run once, before the loop. hoist: (n_nodes). */
static mote_status invariant_nodes(const mote_graph *body, int first_captured, bool *hoist)
{
    bool *inv = calloc((size_t)body->n_values + 1, sizeof *inv);
    int *order = malloc(sizeof(int) * ((size_t)body->n_nodes + 1));
    mote_status st = inv && order ? mote_graph_topo_order(body, order)
                                  : mote_error(MOTE_ERR_NOMEM, "out of memory");
    for (int i = first_captured; !st && i < body->n_inputs; i++)
        inv[body->inputs[i]] = true;
    for (int oi = 0; !st && oi < body->n_nodes; oi++) {
        const mote_node *n = &body->nodes[order[oi]];
        const mote_op *op = mote_op_find(n->op);
        bool ok = op && !op->state && !(op->flags & MOTE_OP_CONTROL) && n->n_in > 0;
        for (int a = 0; ok && a < n->n_attr; a++)
            ok = n->attrs[a].type != MOTE_ATTR_GRAPH;
        for (int k = 0; ok && k < n->n_in; k++)
            ok = n->in[k] < 0 || inv[n->in[k]];
        hoist[order[oi]] = ok;
        for (int k = 0; ok && k < n->n_out; k++)
            inv[n->out[k]] = true;
    }
    free(inv);
    free(order);
    return st;
}

static char *joined(const char *a, const char *b)
{
    size_t n = strlen(a) + strlen(b) + 1;
    char *s = malloc(n);
    if (s)
        snprintf(s, n, "%s%s", a, b);
    return s;
}

/* A new activation of f named prefix + name (dtype a placeholder until
 * inferred); -1 with an error recorded. */
static int new_value(mote_graph *f, const char *prefix, const char *name, mote_dtype dt)
{
    char *full = joined(prefix, name);
    if (!full) {
        mote_error(MOTE_ERR_NOMEM, "out of memory flattening a Loop");
        return -1;
    }
    int id = mote_graph_add_value(f, full, MOTE_VAL_ACT, dt, 0, NULL);
    if (id >= 0)
        f->values[id].ndim = -1;
    free(full);
    return id;
}

/* Loop node n (of the graph being emitted): its inputs and outputs already
 * mapped to f's ids (in, out), its name with the prefix (L). */
static mote_status emit_loop(mote_graph *f, const mote_node *n, const int *in, const int *out,
                             const char *L, int depth)
{
    const mote_graph *body = mote_node_subgraph(n, "body");
    int64_t K = mote_attr_get_int(n, "_captures", 0);
    /* a file's _captures may be anything: range-checked before any arithmetic */
    int C = K >= 0 && K <= n->n_in - 2 ? n->n_in - 2 - (int)K : -1;
    int S = C >= 0 && n->n_out >= C ? n->n_out - C : -1;
    if (K < 0 || n->n_in < 2 || C < 0 || S < 0 || body->n_inputs != n->n_in ||
        body->n_outputs != 1 + n->n_out)
        return mote_error(MOTE_ERR_GRAPH, "node '%s' (Loop): %d inputs (%lld captured), %d outputs, "
                          "and a body of %d inputs and %d outputs do not fit together (the body "
                          "takes iter, cond, then one per node input after M and cond; it gives "
                          "cond, then one per node output)", n->name, n->n_in, (long long)K,
                          n->n_out, body->n_inputs, body->n_outputs);
    for (int k = 0; k < (int)K; k++)
        if (in[2 + C + k] < 0)
            return mote_error(MOTE_ERR_GRAPH, "node '%s' (Loop): captured input %d is absent",
                              n->name, k);
    char *pre = joined(L, "/");
    int *bmap = malloc(sizeof(int) * ((size_t)body->n_values + 1));
    int *bin = malloc(sizeof(int) * ((size_t)n->n_in + 1));
    int *ein = malloc(sizeof(int) * ((size_t)(4 + 2 * C + S) + 1));
    char *bname = pre ? joined(pre, "begin") : NULL, *ename = pre ? joined(pre, "end") : NULL;
    mote_status st = pre && bmap && bin && ein && bname && ename ? MOTE_OK
                   : mote_error(MOTE_ERR_NOMEM, "out of memory flattening a Loop");
    /* LoopBegin: iter, cond, one state buffer per loop-carried value */
    int iter = -1, cond = -1;
    if (!st) {
        iter = new_value(f, pre, "iter", MOTE_I64);
        cond = iter < 0 ? -1 : new_value(f, pre, "cond", MOTE_BOOL);
        if (cond < 0)
            st = MOTE_ERR_GRAPH;
    }
    int *state = bin + 2;
    bin[0] = iter;
    bin[1] = cond;
    for (int j = 0; !st && j < C; j++) {
        char nm[32];
        snprintf(nm, sizeof nm, "state_%d", j);
        mote_dtype dt = in[2 + j] >= 0 ? f->values[in[2 + j]].dtype : MOTE_F32;
        if ((state[j] = new_value(f, pre, nm, dt)) < 0)
            st = MOTE_ERR_GRAPH;
    }
    /* the body: its inputs bound, its activations new values of f */
    for (int v = 0; !st && v < body->n_values; v++)
        bmap[v] = -1;
    for (int i = 0; !st && i < body->n_inputs; i++)
        bmap[body->inputs[i]] = i < 2 + C ? bin[i] : in[i];
    for (int v = 0; !st && v < body->n_values; v++)
        if (body->values[v].kind == MOTE_VAL_ACT &&
            (bmap[v] = new_value(f, pre, body->values[v].name, body->values[v].dtype)) < 0)
            st = MOTE_ERR_GRAPH;
    for (int v = 0; !st && v < body->n_values; v++)
        if (bmap[v] < 0)
            st = mote_error(MOTE_ERR_GRAPH, "node '%s' (Loop): body value '%s' is neither an input "
                            "nor computed by the body", n->name, body->values[v].name);
    /* what every trip computes alike runs once, before LoopBegin; then the
     * loop: LoopBegin, the rest of the body, LoopEnd */
    bool *hoist = st ? NULL : calloc((size_t)body->n_nodes + 1, sizeof *hoist);
    if (!st && !hoist)
        st = mote_error(MOTE_ERR_NOMEM, "out of memory");
    if (!st)
        st = invariant_nodes(body, 2 + C, hoist);
    if (!st)
        st = emit_graph(f, body, bmap, pre, depth + 1, hoist, true);
    int node = -1;
    if (!st) {
        node = mote_graph_node_with_outputs(f, "LoopBegin", bname, 2 + C, in, 2 + C, bin, NULL);
        st = node < 0 ? MOTE_ERR_GRAPH : mote_graph_attr_string(f, node, "_end", ename);
    }
    if (!st)
        st = emit_graph(f, body, bmap, pre, depth + 1, hoist, false);
    free(hoist);
    /* LoopEnd: M, iter, cond, state..., then the body's outputs */
    if (!st) {
        ein[0] = in[0];
        ein[1] = iter;
        ein[2] = cond;
        for (int j = 0; j < C; j++)
            ein[3 + j] = state[j];
        for (int i = 0; i < body->n_outputs; i++)
            ein[3 + C + i] = bmap[body->outputs[i]];
        node = mote_graph_node_with_outputs(f, "LoopEnd", ename, 4 + 2 * C + S, ein, n->n_out, out,
                                            NULL);
        st = node < 0 ? MOTE_ERR_GRAPH : mote_graph_attr_string(f, node, "_begin", bname);
        if (!st)
            st = mote_graph_attr_int(f, node, "carried", C);
    }
    free(pre);
    free(bmap);
    free(bin);
    free(ein);
    free(bname);
    free(ename);
    return st;
}

/* Appends src's nodes to f in a topological order of src, inputs and
 * outputs through vmap (src value id -> f value id), names prefixed. */
static mote_status emit_graph(mote_graph *f, const mote_graph *src, const int *vmap,
                              const char *prefix, int depth, const bool *pick, bool want)
{
    if (depth > (int)MOTE_GRAPH_MAX_DEPTH)
        return mote_error(MOTE_ERR_GRAPH, "subgraphs nested more than %d deep", MOTE_GRAPH_MAX_DEPTH);
    int *order = malloc(sizeof(int) * ((size_t)src->n_nodes + 1));
    int cap = 8;
    for (int i = 0; i < src->n_nodes; i++)
        if (src->nodes[i].n_in + src->nodes[i].n_out > cap)
            cap = src->nodes[i].n_in + src->nodes[i].n_out;
    int *io = malloc(sizeof(int) * (size_t)cap);
    mote_status st = order && io ? MOTE_OK : mote_error(MOTE_ERR_NOMEM, "out of memory");
    if (!st)
        st = mote_graph_topo_order(src, order);
    for (int oi = 0; !st && oi < src->n_nodes; oi++) {
        if (pick && pick[order[oi]] != want)
            continue;
        const mote_node *n = &src->nodes[order[oi]];
        int *in = io, *out = io + n->n_in;
        for (int k = 0; k < n->n_in; k++)
            in[k] = n->in[k] < 0 ? -1 : vmap[n->in[k]];
        for (int k = 0; k < n->n_out; k++)
            out[k] = vmap[n->out[k]];
        char *name = joined(prefix, n->name);
        if (!name) {
            st = mote_error(MOTE_ERR_NOMEM, "out of memory");
            break;
        }
        bool sub = false;
        for (int a = 0; a < n->n_attr; a++)
            sub |= n->attrs[a].type == MOTE_ATTR_GRAPH;
        if (!strcmp(n->op, "Loop") && mote_node_subgraph(n, "body"))
            st = emit_loop(f, n, in, out, name, depth);
        else if (sub)
            st = mote_error(MOTE_ERR_UNSUPPORTED, "node '%s' (%s) holds a subgraph: a session runs "
                            "the subgraph of a Loop (attribute body) only", name, n->op);
        else if (mote_graph_node_with_outputs(f, n->op, name, n->n_in, in, n->n_out, out, n) < 0)
            st = MOTE_ERR_GRAPH;
        free(name);
    }
    free(order);
    free(io);
    return st;
}

mote_status mote_control_flatten(const mote_graph *g, mote_graph **out)
{
    *out = NULL;
    mote_graph *f = mote_graph_clone(g, true);
    bool *all = calloc((size_t)g->n_nodes + 1, sizeof *all);
    int *vmap = malloc(sizeof(int) * ((size_t)g->n_values + 1));
    mote_status st = f && all && vmap ? MOTE_OK : mote_error(MOTE_ERR_NOMEM, "out of memory");
    for (int i = 0; !st && i < g->n_nodes; i++)
        all[i] = true;
    for (int v = 0; !st && v < g->n_values; v++)
        vmap[v] = v;
    if (!st)   /* the values stay, their ids too; the nodes come again in order */
        st = mote_graph_remove_nodes(f, all);
    if (!st) {
        mote_graph_names_changed(f);
        st = emit_graph(f, g, vmap, "", 0, NULL, false);
    }
    free(all);
    free(vmap);
    if (st) {
        mote_graph_free(f);
        return st;
    }
    *out = f;
    return MOTE_OK;
}

/* ------------------------------------------- the two sides of an If */

/*
 * An imported If is its two branches' nodes and one select per output,
 * Where(cond, then_k, else_k) marked _if_select (src/onnx/onnx_control.c).
 * A node whose every result is read only by the then side of the selects
 * on one condition (directly, as their input 1, or through nodes of that
 * side) is needed only when the condition is true; likewise for the else
 * side. Stateful and control nodes, and nodes whose results are graph
 * outputs, stay where they are. Each condition's sides are moved to just
 * before its first select, between an IfJump and a Goto, so a run
 * computes one side. A side whose nodes read a value computed after that
 * first select is left as it is (both sides then run, as before).
 */
typedef struct side_walk {
    const mote_graph *g;
    int *cstart, *cnode, *cslot;   /* consumers of value v: [cstart[v], cstart[v+1]) */
    int *group;                    /* (n_nodes) a select's group, else -1            */
    int *tag;                      /* (n_nodes) 2 group + 1 then, + 2 else; 0 none   */
    int *pos;                      /* (n_nodes) position in the order                */
} side_walk;

static bool is_select(const mote_node *n)
{
    return !strcmp(n->op, "Where") && n->n_in == 3 && n->in[0] >= 0 &&
           mote_attr_get_int(n, "_if_select", 0) == 1;
}

/* The side node n belongs to, from its consumers (0: none). */
static int side_of(const side_walk *w, int n, const bool *is_out)
{
    const mote_node *nd = &w->g->nodes[n];
    const mote_op *op = mote_op_find(nd->op);
    if (!op || op->state || (op->flags & MOTE_OP_CONTROL) || w->group[n] >= 0 || nd->n_out == 0)
        return 0;
    int tag = -1;
    for (int j = 0; j < nd->n_out; j++) {
        int v = nd->out[j];
        if (is_out[v] || w->cstart[v] == w->cstart[v + 1])
            return 0;
        for (int e = w->cstart[v]; e < w->cstart[v + 1]; e++) {
            int c = w->cnode[e], t;
            if (w->group[c] >= 0)
                t = w->cslot[e] == 1 ? 2 * w->group[c] + 1 : w->cslot[e] == 2 ? 2 * w->group[c] + 2 : 0;
            else
                t = w->tag[c];
            if (t == 0 || (tag >= 0 && t != tag))
                return 0;
            tag = t;
        }
    }
    return tag < 0 ? 0 : tag;
}

static mote_status add_jump(mote_graph *g, const char *op, const char *name, int cond, int when,
                            const char *target, int *id)
{
    int in[1] = {cond};
    *id = mote_graph_node_with_outputs(g, op, name, cond >= 0 ? 1 : 0, in, 0, NULL, NULL);
    if (*id < 0)
        return MOTE_ERR_GRAPH;
    mote_status st = mote_graph_attr_string(g, *id, "_target", target);
    if (!st && cond >= 0)
        st = mote_graph_attr_int(g, *id, "when", when);
    return st;
}

bool mote_control_has_selects(const mote_graph *g)
{
    for (int i = 0; i < g->n_nodes; i++)
        if (is_select(&g->nodes[i]))
            return true;
    return false;
}

mote_status mote_control_branches(mote_graph *g, const int *order, bool *changed)
{
    *changed = false;
    int nn = g->n_nodes, nv = g->n_values, n_groups = 0;
    bool any = false;
    for (int i = 0; i < nn && !any; i++)
        any = is_select(&g->nodes[i]);
    if (!any)
        return MOTE_OK;
    size_t uses = 0;
    for (int i = 0; i < nn; i++)
        uses += (size_t)g->nodes[i].n_in;
    side_walk w = {g, calloc((size_t)nv + 2, sizeof(int)), malloc((uses + 1) * sizeof(int)),
                   malloc((uses + 1) * sizeof(int)), malloc(((size_t)nn + 1) * sizeof(int)),
                   calloc((size_t)nn + 1, sizeof(int)), malloc(((size_t)nn + 1) * sizeof(int))};
    int *cond_group = malloc(((size_t)nv + 1) * sizeof(int));
    bool *is_out = calloc((size_t)nv + 1, sizeof(bool));
    int *first = NULL, *seq = NULL;
    bool *ok = NULL;
    mote_status st = w.cstart && w.cnode && w.cslot && w.group && w.tag && w.pos && cond_group &&
                     is_out ? MOTE_OK : mote_error(MOTE_ERR_NOMEM, "out of memory");
    if (st)
        goto done;
    for (int i = 0; i < g->n_outputs; i++)
        is_out[g->outputs[i]] = true;
    /* consumers of each value */
    for (int i = 0; i < nn; i++)
        for (int k = 0; k < g->nodes[i].n_in; k++)
            if (g->nodes[i].in[k] >= 0)
                w.cstart[g->nodes[i].in[k] + 1]++;
    for (int v = 0; v < nv; v++)
        w.cstart[v + 1] += w.cstart[v];
    int *fill = malloc(((size_t)nv + 1) * sizeof(int));
    if (!fill) {
        st = mote_error(MOTE_ERR_NOMEM, "out of memory");
        goto done;
    }
    memcpy(fill, w.cstart, (size_t)nv * sizeof(int));
    for (int i = 0; i < nn; i++)
        for (int k = 0; k < g->nodes[i].n_in; k++)
            if (g->nodes[i].in[k] >= 0) {
                int e = fill[g->nodes[i].in[k]]++;
                w.cnode[e] = i;
                w.cslot[e] = k;
            }
    free(fill);
    /* the selects, grouped by their condition */
    for (int v = 0; v < nv; v++)
        cond_group[v] = -1;
    for (int oi = 0; oi < nn; oi++) {
        int i = order[oi];
        w.pos[i] = oi;
        w.group[i] = -1;
        if (!is_select(&g->nodes[i]))
            continue;
        int c = g->nodes[i].in[0];
        if (cond_group[c] < 0)
            cond_group[c] = n_groups++;
        w.group[i] = cond_group[c];
    }
    first = malloc(((size_t)n_groups + 1) * sizeof(int));   /* each group's first select */
    ok = calloc((size_t)n_groups + 1, sizeof(bool));
    seq = malloc(((size_t)nn + 3 * (size_t)n_groups + 1) * sizeof(int));
    if (!first || !ok || !seq) {
        st = mote_error(MOTE_ERR_NOMEM, "out of memory");
        goto done;
    }
    for (int k = 0; k < n_groups; k++)
        first[k] = -1;
    for (int oi = 0; oi < nn; oi++)
        if (w.group[order[oi]] >= 0 && first[w.group[order[oi]]] < 0)
            first[w.group[order[oi]]] = order[oi];
    /* the innermost loop around each position (its LoopBegin's position,
     * -1: none): a side is not moved into a loop it is outside of (the
     * loop would compute it on every trip) */
    int *loop_of = malloc(((size_t)nn + 1) * sizeof(int)), *stack = malloc(((size_t)nn + 1) * sizeof(int));
    if (!loop_of || !stack) {
        free(loop_of);
        free(stack);
        st = mote_error(MOTE_ERR_NOMEM, "out of memory");
        goto done;
    }
    for (int oi = 0, top = 0; oi < nn; oi++) {
        const char *op = g->nodes[order[oi]].op;
        if (!strcmp(op, "LoopEnd") && top > 0)
            top--;
        loop_of[oi] = top > 0 ? stack[top - 1] : -1;
        if (!strcmp(op, "LoopBegin"))
            stack[top++] = oi;
    }
    /* the sides, consumers first */
    for (int oi = nn - 1; oi >= 0; oi--) {
        int t = side_of(&w, order[oi], is_out);
        if (t && loop_of[oi] != loop_of[w.pos[first[(t - 1) / 2]]])
            t = 0;
        w.tag[order[oi]] = t;
    }
    free(loop_of);
    free(stack);
    /* a group is moved when it has a side and every node of its sides
     * reads only values made before its first select */
    for (int k = 0; k < n_groups; k++)
        ok[k] = true;
    bool any_side = false;
    for (int i = 0; i < nn; i++) {
        if (!w.tag[i])
            continue;
        int k = (w.tag[i] - 1) / 2;
        any_side = true;
        for (int j = 0; j < g->nodes[i].n_in; j++) {
            int v = g->nodes[i].in[j], p = v >= 0 ? g->values[v].producer : -1;
            if (p >= 0 && !w.tag[p] && w.pos[p] >= w.pos[first[k]])
                ok[k] = false;
        }
    }
    if (!any_side)
        goto done;
    /* the new order: the sides of group k just before its first select */
    int ns = 0;
    for (int oi = 0; oi < nn && !st; oi++) {
        int i = order[oi];
        if (w.tag[i] && ok[(w.tag[i] - 1) / 2])
            continue;
        int k = w.group[i];
        if (k >= 0 && first[k] == i && ok[k]) {
            int n_then = 0, n_else = 0, first_else = -1;
            for (int oj = 0; oj < nn; oj++) {
                int t = w.tag[order[oj]];
                n_then += t == 2 * k + 1;
                if (t == 2 * k + 2 && !n_else++)
                    first_else = order[oj];
            }
            if (n_then || n_else) {
                const mote_node *sel = &g->nodes[i];
                int cond = sel->in[0], id;
                char *nm = joined(sel->name, n_then ? "/if_then" : "/if_else");
                char *gn = joined(sel->name, "/then_done");
                char *sel_name = mote_strdup(sel->name);
                char *else_name = first_else >= 0 ? mote_strdup(g->nodes[first_else].name) : NULL;
                if (!nm || !gn || !sel_name || (first_else >= 0 && !else_name))
                    st = mote_error(MOTE_ERR_NOMEM, "out of memory");
                /* then side present: skip it when cond is false (to the else
                 * side, or the select); else only: skip it when true */
                if (!st)
                    st = add_jump(g, "IfJump", nm, cond, n_then ? 0 : 1,
                                  n_then && n_else ? else_name : sel_name, &id);
                if (!st) {
                    seq[ns++] = id;
                    for (int oj = 0; oj < nn; oj++)
                        if (w.tag[order[oj]] == 2 * k + 1)
                            seq[ns++] = order[oj];
                }
                if (!st && n_then && n_else) {
                    st = add_jump(g, "Goto", gn, -1, 0, sel_name, &id);
                    if (!st)
                        seq[ns++] = id;
                }
                for (int oj = 0; !st && oj < nn; oj++)
                    if (w.tag[order[oj]] == 2 * k + 2)
                        seq[ns++] = order[oj];
                free(nm);
                free(gn);
                free(sel_name);
                free(else_name);
            }
        }
        seq[ns++] = i;
    }
    if (st)
        goto done;
    /* the graph's nodes in that order (the added ones were appended) */
    if (ns != g->n_nodes) {
        st = mote_error(MOTE_ERR_GRAPH, "If sides: %d steps laid out for %d nodes", ns, g->n_nodes);
        goto done;
    }
    mote_node *moved = malloc((size_t)ns * sizeof *moved);
    if (!moved) {
        st = mote_error(MOTE_ERR_NOMEM, "out of memory");
        goto done;
    }
    for (int i = 0; i < ns; i++)
        moved[i] = g->nodes[seq[i]];
    memcpy(g->nodes, moved, (size_t)ns * sizeof *moved);
    free(moved);
    for (int i = 0; i < ns; i++)
        for (int j = 0; j < g->nodes[i].n_out; j++)
            g->values[g->nodes[i].out[j]].producer = i;
    mote_graph_names_changed(g);
    *changed = true;
done:
    free(w.cstart);
    free(w.cnode);
    free(w.cslot);
    free(w.group);
    free(w.tag);
    free(w.pos);
    free(cond_group);
    free(is_out);
    free(first);
    free(ok);
    free(seq);
    return st;
}
