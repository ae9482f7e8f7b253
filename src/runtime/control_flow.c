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
 * two control ops say (src/ops/loop.c). The plan stays static: one arena,
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

static mote_status emit_graph(mote_graph *f, const mote_graph *src, const int *vmap,
                              const char *prefix, int depth);

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
    int C = n->n_in - 2 - (int)K, S = n->n_out - C;
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
    int node = -1;
    if (!st) {
        node = mote_graph_node_with_outputs(f, "LoopBegin", bname, 2 + C, in, 2 + C, bin, NULL);
        st = node < 0 ? MOTE_ERR_GRAPH : mote_graph_attr_string(f, node, "_end", ename);
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
    if (!st)
        st = emit_graph(f, body, bmap, pre, depth + 1);
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
                              const char *prefix, int depth)
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
        st = emit_graph(f, g, vmap, "", 0);
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
