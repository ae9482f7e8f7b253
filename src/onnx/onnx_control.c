/*
 * onnx_control.c — If, imported by inlining both branches.
 *
 * mote's graphs are flat: an If (opset 1-16) becomes its two branches'
 * nodes in the outer graph, then one Where(cond, then_k, else_k) per
 * output. Every name a branch defines (its node outputs and initializers)
 * is renamed "<If node>/then/<name>" (or else) first, so the two branches
 * and the outer graph never clash, and references from nested subgraphs to
 * those names follow the rename; names a branch uses but does not define
 * are outer-scope values and resolve as any input does.
 *
 * Each such Where carries _if_select = 1: once its condition is known the
 * session passes the chosen branch's value on as the If would, whatever
 * the shapes of the two (src/runtime/shape_fold.c).
 * At run time both branches compute and Where picks one: right for any
 * condition, at the cost of the branch not taken. When the condition is a
 * shape-derived constant, the session resolves the Where and drops the
 * branch not taken (src/runtime/shape_fold.c); when it is known only at
 * run time and one branch cannot run at the session's shapes, the session
 * plans the other and checks the condition at each run (IfGuard).
 *
 * Loop stays a loop: one node holding its body as a subgraph (a GRAPH
 * attribute, docs/format.md). The body is imported into a graph of its
 * own; every name it reads but does not define is an outer value, which
 * becomes a further input of the body and of the node (captured), and the
 * body's initializers and Constants move to the outer graph and are
 * captured likewise, so a body is closed: (iter, cond, carried...,
 * captured...) -> (cond, carried..., scans...), the node (M, cond,
 * initial..., captured...) -> (final carried..., scans...) with the count
 * of captured values in _captures. A session runs it as a loop of steps
 * (src/runtime/control_flow.c, src/ops/loop.c). Scan is refused.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "graph/internal.h"
#include "onnx_import.h"

typedef struct rename_map {
    char **from;         /* names defined in a branch (copies) */
    char **to;           /* their new names                    */
    size_t n;
} rename_map;

static const char *lookup(const rename_map *m, const char *name)
{
    for (size_t i = m->n; i-- > 0;)
        if (!strcmp(m->from[i], name))
            return m->to[i];
    return NULL;
}

static bool defined_in(const mote_onnx_graph *g, const char *name)
{
    for (size_t i = 0; i < g->n_inits; i++)
        if (g->inits[i].name && !strcmp(g->inits[i].name, name))
            return true;
    for (size_t i = 0; i < g->n_inputs; i++)
        if (!strcmp(g->inputs[i].name, name))
            return true;
    for (size_t i = 0; i < g->n_nodes; i++)
        for (size_t k = 0; k < g->nodes[i].n_out; k++)
            if (!strcmp(g->nodes[i].out[k], name))
                return true;
    return false;
}

static mote_status replace(char **slot, const char *with)
{
    char *s = mote_strdup(with);
    if (!s)
        return mote_error(MOTE_ERR_NOMEM, "out of memory");
    free(*slot);
    *slot = s;
    return MOTE_OK;
}

/* Renames the references in g (a subgraph nested in the branch) to names
 * in m that g does not itself redefine. */
static mote_status rename_uses(mote_onnx_graph *g, const rename_map *m)
{
    mote_status st = MOTE_OK;
    for (size_t i = 0; i < g->n_nodes && !st; i++) {
        mote_onnx_node *n = &g->nodes[i];
        for (size_t k = 0; k < n->n_in && !st; k++) {
            const char *to = *n->in[k] && !defined_in(g, n->in[k]) ? lookup(m, n->in[k]) : NULL;
            if (to)
                st = replace(&n->in[k], to);
        }
        for (size_t a = 0; a < n->n_attrs && !st; a++)
            for (int j = 0; j < n->attrs[a].n_graphs && !st; j++)
                st = rename_uses(&n->attrs[a].graphs[j], m);
    }
    for (size_t i = 0; i < g->n_outputs && !st; i++) {
        const char *to = !defined_in(g, g->outputs[i].name) ? lookup(m, g->outputs[i].name) : NULL;
        if (to)
            st = replace(&g->outputs[i].name, to);
    }
    return st;
}

/* Renames every name branch b defines to prefix + name, and its uses. */
static mote_status rename_branch(mote_onnx_graph *b, const char *prefix)
{
    rename_map m = {0};
    size_t cap = b->n_inits + 1;
    for (size_t i = 0; i < b->n_nodes; i++)
        cap += b->nodes[i].n_out;
    m.from = calloc(cap, sizeof *m.from);
    m.to = calloc(cap, sizeof *m.to);
    mote_status st = m.from && m.to ? MOTE_OK : mote_error(MOTE_ERR_NOMEM, "out of memory");
    for (size_t i = 0; !st && i < b->n_inits + b->n_nodes; i++) {
        bool init = i < b->n_inits;
        size_t cnt = init ? 1 : b->nodes[i - b->n_inits].n_out;
        for (size_t k = 0; !st && k < cnt; k++) {
            const char *name = init ? b->inits[i].name : b->nodes[i - b->n_inits].out[k];
            if (!name || !*name)
                continue;
            size_t len = strlen(prefix) + strlen(name) + 1;
            char *to = malloc(len);
            if (!to) {
                st = mote_error(MOTE_ERR_NOMEM, "out of memory");
                break;
            }
            snprintf(to, len, "%s%s", prefix, name);
            char *from = mote_strdup(name);
            if (!from) {
                free(to);
                st = mote_error(MOTE_ERR_NOMEM, "out of memory");
                break;
            }
            m.from[m.n] = from;
            m.to[m.n++] = to;
        }
    }
    /* uses first (they look the old names up), then the definitions */
    for (size_t i = 0; !st && i < b->n_nodes; i++) {
        mote_onnx_node *n = &b->nodes[i];
        for (size_t k = 0; !st && k < n->n_in; k++) {
            const char *to = *n->in[k] ? lookup(&m, n->in[k]) : NULL;
            if (to)
                st = replace(&n->in[k], to);
        }
        for (size_t a = 0; !st && a < n->n_attrs; a++)
            for (int j = 0; !st && j < n->attrs[a].n_graphs; j++)
                st = rename_uses(&n->attrs[a].graphs[j], &m);
    }
    for (size_t i = 0; !st && i < b->n_outputs; i++) {
        const char *to = lookup(&m, b->outputs[i].name);
        if (to)
            st = replace(&b->outputs[i].name, to);
    }
    for (size_t i = 0; !st && i < b->n_inits; i++)
        if (b->inits[i].name && *b->inits[i].name)
            st = replace(&b->inits[i].name, lookup(&m, b->inits[i].name));
    for (size_t i = 0; !st && i < b->n_nodes; i++) {
        mote_onnx_node *n = &b->nodes[i];
        for (size_t k = 0; !st && k < n->n_out; k++)
            if (*n->out[k])
                st = replace(&n->out[k], lookup(&m, n->out[k]));
        if (!st) {   /* node names too (unnamed ones get OP_INDEX) */
            char idx[64];
            snprintf(idx, sizeof idx, "%.40s_%zu", n->op_type, i);
            const char *base = n->name && *n->name ? n->name : idx;
            size_t len = strlen(prefix) + strlen(base) + 1;
            char *nn = malloc(len);
            if (!nn) {
                st = mote_error(MOTE_ERR_NOMEM, "out of memory");
                break;
            }
            snprintf(nn, len, "%s%s", prefix, base);
            free(n->name);
            n->name = nn;
        }
    }
    for (size_t i = 0; i < m.n; i++) {
        free(m.from[i]);
        free(m.to[i]);
    }
    free(m.from);
    free(m.to);
    return st;
}

static const mote_onnx_graph *branch(const mote_onnx_node *n, const char *which)
{
    for (size_t a = 0; a < n->n_attrs; a++)
        if (n->attrs[a].name && !strcmp(n->attrs[a].name, which) && n->attrs[a].n_graphs == 1)
            return &n->attrs[a].graphs[0];
    return NULL;
}

/* Imports branch b (already renamed): initializers, then nodes in order. */
static mote_status import_branch(mote_onnx_ctx *c, mote_onnx_graph *b, const char *label)
{
    if (b->n_inputs)
        return mote_error(MOTE_ERR_FORMAT, "%s: an If branch takes no inputs, this one has %zu",
                          label, b->n_inputs);
    mote_status st = MOTE_OK;
    for (size_t i = 0; i < b->n_inits && !st; i++) {
        int id;
        if (!b->inits[i].name || !*b->inits[i].name)
            return mote_error(MOTE_ERR_FORMAT, "%s: a branch initializer has no name", label);
        st = mote_onnx_add_tensor(c, &b->inits[i], b->inits[i].name, &id);
    }
    size_t *order = NULL;
    if (!st)
        st = mote_onnx_node_order(b, &order);
    for (size_t i = 0; i < b->n_nodes && !st; i++)
        st = mote_onnx_import_node(c, &b->nodes[order[i]], order[i]);
    free(order);
    return st;
}

mote_status mote_onnx_import_if(mote_onnx_ctx *c, const mote_onnx_node *n, const char *name,
                                const char *label)
{
    mote_onnx_graph *then_b = (mote_onnx_graph *)branch(n, "then_branch");
    mote_onnx_graph *else_b = (mote_onnx_graph *)branch(n, "else_branch");
    if (n->n_in != 1 || !*n->in[0] || !then_b || !else_b)
        return mote_error(MOTE_ERR_FORMAT, "%s: an If needs one input (cond) and the graphs "
                          "then_branch and else_branch", label);
    if (then_b->n_outputs != n->n_out || else_b->n_outputs != n->n_out)
        return mote_error(MOTE_ERR_FORMAT, "%s: the If has %zu outputs, its branches %zu and %zu",
                          label, n->n_out, then_b->n_outputs, else_b->n_outputs);
    char prefix[300];
    snprintf(prefix, sizeof prefix, "%.280s/then/", name);
    mote_status st = rename_branch(then_b, prefix);
    snprintf(prefix, sizeof prefix, "%.280s/else/", name);
    if (!st)
        st = rename_branch(else_b, prefix);
    if (!st)
        st = import_branch(c, then_b, label);
    if (!st)
        st = import_branch(c, else_b, label);
    int cond = st ? -1 : mote_onnx_names_get(c, n->in[0]);
    if (!st && cond < 0)
        st = mote_error(MOTE_ERR_GRAPH, "%s: input '%s' is not a graph input, initializer or the "
                        "output of an earlier node", label, n->in[0]);
    for (size_t k = 0; k < n->n_out && !st; k++) {
        int in[3] = {cond, mote_onnx_names_get(c, then_b->outputs[k].name),
                     mote_onnx_names_get(c, else_b->outputs[k].name)};
        if (in[1] < 0 || in[2] < 0)
            return mote_error(MOTE_ERR_GRAPH, "%s: branch output '%s' is produced by nothing",
                              label, in[1] < 0 ? then_b->outputs[k].name : else_b->outputs[k].name);
        char sel[320];
        snprintf(sel, sizeof sel, "%.280s/select_%zu", name, k);
        const char *outs[1] = {n->out[k]};
        int out_id, node;
        st = mote_onnx_emit(c, "Where", sel, 3, in, 1, outs, &out_id, &node);
        if (!st)   /* an If's select: resolved like the If when cond is known */
            st = mote_graph_attr_int(c->g, node, "_if_select", 1);
    }
    return st;
}

/* ----------------------------------------------------------------- Loop */

/* Records that body value inner is bound to outer value outer (of the
 * graph around): one more input of the body and of its node. */
static mote_status add_capture(mote_onnx_ctx *b, int outer, int inner)
{
    if (b->n_captures == b->cap_captures) {
        size_t nc = b->cap_captures ? 2 * b->cap_captures : 16;
        int *t = realloc(b->captures, nc * 2 * sizeof *t);
        if (!t)
            return mote_error(MOTE_ERR_NOMEM, "out of memory");
        b->captures = t;
        b->cap_captures = nc;
    }
    b->captures[2 * b->n_captures] = outer;
    b->captures[2 * b->n_captures + 1] = inner;
    b->n_captures++;
    return MOTE_OK;
}

/* A name the body reads but does not define: an outer value, which
 * becomes a new input of the body bound to that outer value (captured).
 * Nested bodies capture through every level between. -1 if no level
 * around defines it. */
int mote_onnx_capture(mote_onnx_ctx *c, const char *name)
{
    if (!c->parent || !name || !*name)
        return -1;
    int outer = mote_onnx_names_get(c->parent, name);
    if (outer < 0)
        return -1;
    const mote_value *ov = &c->parent->g->values[outer];
    int id = mote_graph_add_value(c->g, name, MOTE_VAL_INPUT, ov->dtype, 0, NULL);
    if (id < 0)
        return -1;
    c->g->values[id].ndim = -1;   /* the outer value's shape, at session time */
    if (add_capture(c, outer, id) != MOTE_OK || mote_onnx_names_put(c, name, id) != MOTE_OK)
        return -1;
    return id;
}

/* The body's own weights (initializers, Constants) move to the outer
 * graph, named "<Loop>/<name>", and are captured like any outer value:
 * a subgraph holds no weights (docs/format.md). */
static mote_status hoist_weights(mote_onnx_ctx *b, mote_onnx_ctx *c, const char *loop)
{
    for (int v = 0; v < b->g->n_values; v++) {
        mote_value *val = &b->g->values[v];
        if (val->kind != MOTE_VAL_WEIGHT)
            continue;
        char nm[600];
        snprintf(nm, sizeof nm, "%.280s/%.300s", loop, val->name);
        int id = mote_graph_weight(c->g, nm, val->dtype, val->ndim, val->dims, val->data);
        if (id < 0)
            return mote_error(MOTE_ERR_GRAPH, "Loop '%s': %s", loop, mote_last_error());
        if (val->owns_data)
            mote_free_aligned((void *)val->data);
        val->kind = MOTE_VAL_INPUT;
        val->data = NULL;
        val->nbytes = 0;
        val->owns_data = false;
        mote_status st = add_capture(b, id, v);
        if (st)
            return st;
    }
    return MOTE_OK;
}

static void ctx_free(mote_onnx_ctx *b)
{
    free(b->names);
    for (size_t i = 0; i < b->n_kept; i++)
        free(b->kept[i]);
    free(b->kept);
    free(b->captures);
    mote_graph_free(b->g);
}

mote_status mote_onnx_import_loop(mote_onnx_ctx *c, const mote_onnx_node *n, const char *name,
                                  const char *label)
{
    const mote_onnx_graph *body = branch(n, "body");
    if (!body || n->n_in < 2)
        return mote_error(MOTE_ERR_FORMAT, "%s: a Loop needs the inputs M, cond and the graph body", label);
    size_t carried = n->n_in - 2, scans = n->n_out >= carried ? n->n_out - carried : 0;
    if (body->n_inputs != carried + 2 || body->n_outputs != carried + 1 + scans || n->n_out < carried)
        return mote_error(MOTE_ERR_FORMAT, "%s: the Loop's body takes %zu inputs and gives %zu outputs; "
                          "with %zu loop-carried values it must take %zu and give %zu", label,
                          body->n_inputs, body->n_outputs, carried, carried + 2, carried + 1 + scans);
    size_t n_in = n->n_in;
    int *in = calloc(n_in + 1, sizeof *in);
    mote_onnx_ctx b;
    memset(&b, 0, sizeof b);
    b.m = c->m;
    b.dir = c->dir;
    b.opset = c->opset;
    b.parent = c;
    b.g = mote_graph_new();
    mote_status st = in && b.g ? MOTE_OK : mote_error(MOTE_ERR_NOMEM, "out of memory");
    /* the outer values: M, cond, the initial loop-carried values */
    for (size_t i = 0; !st && i < n_in; i++) {
        in[i] = *n->in[i] ? mote_onnx_names_get(c, n->in[i]) : -1;
        if (*n->in[i] && in[i] < 0)
            st = mote_error(MOTE_ERR_GRAPH, "%s: input '%s' is not a graph input, initializer or "
                            "the output of an earlier node", label, n->in[i]);
        else if (i >= 2 && in[i] < 0)
            st = mote_error(MOTE_ERR_FORMAT, "%s: loop-carried value %zu has no initial value",
                            label, i - 2);
    }
    /* the body's own inputs: iteration number, condition, carried values */
    for (size_t i = 0; !st && i < body->n_inputs; i++) {
        const mote_onnx_value_info *vi = &body->inputs[i];
        mote_dtype dt = i == 0 ? MOTE_I64 : i == 1 ? MOTE_BOOL : c->g->values[in[i]].dtype;
        if (vi->is_tensor && vi->elem_type && i >= 2 && mote_onnx_to_mote_dtype(vi->elem_type))
            dt = mote_onnx_to_mote_dtype(vi->elem_type);
        int id = mote_graph_add_value(b.g, vi->name, MOTE_VAL_INPUT, dt, 0, NULL);
        if (id < 0) {
            st = mote_error(MOTE_ERR_GRAPH, "%s: body input '%s': %s", label, vi->name,
                            mote_last_error());
            break;
        }
        if (vi->has_shape) {
            b.g->values[id].ndim = vi->ndim;
            memcpy(b.g->values[id].dims, vi->dims, sizeof vi->dims);
        } else {
            b.g->values[id].ndim = -1;   /* the initial value's, at session time */
        }
        st = mote_onnx_names_put(&b, vi->name, id);
    }
    /* the body's nodes, in dependency order; what they read from outside
     * is captured on the way (mote_onnx_names_get) */
    for (size_t i = 0; !st && i < body->n_inits; i++) {
        int id;
        if (!body->inits[i].name || !*body->inits[i].name)
            st = mote_error(MOTE_ERR_FORMAT, "%s: a body initializer has no name", label);
        else
            st = mote_onnx_add_tensor(&b, &body->inits[i], body->inits[i].name, &id);
    }
    size_t *order = NULL;
    if (!st)
        st = mote_onnx_node_order(body, &order);
    for (size_t i = 0; !st && i < body->n_nodes; i++)
        st = mote_onnx_import_node(&b, &body->nodes[order[i]], order[i]);
    free(order);
    for (size_t i = 0; !st && i < body->n_outputs; i++) {
        int id = mote_onnx_names_get(&b, body->outputs[i].name);
        if (id < 0)
            st = mote_error(MOTE_ERR_GRAPH, "%s: body output '%s' is produced by nothing", label,
                            body->outputs[i].name);
        else if ((st = mote_graph_output(b.g, id)) != MOTE_OK)
            st = mote_error(MOTE_ERR_GRAPH, "%s: %s", label, mote_last_error());
    }
    if (!st)
        st = hoist_weights(&b, c, name);
    /* the body's inputs: its own, then the captured ones; the node's: M,
     * cond, the initial values, then the outer values captured */
    size_t K = b.n_captures;
    int *all_in = NULL;
    if (!st) {
        all_in = calloc(n_in + K + 1, sizeof *all_in);
        int *bin = malloc((body->n_inputs + K + 1) * sizeof *bin);
        if (!all_in || !bin) {
            free(bin);
            st = mote_error(MOTE_ERR_NOMEM, "out of memory");
        } else {
            for (size_t i = 0; i < body->n_inputs; i++)
                bin[i] = mote_onnx_names_get(&b, body->inputs[i].name);
            memcpy(all_in, in, n_in * sizeof *in);
            for (size_t k = 0; k < K; k++) {
                all_in[n_in + k] = b.captures[2 * k];
                bin[body->n_inputs + k] = b.captures[2 * k + 1];
            }
            free(b.g->inputs);
            b.g->inputs = bin;
            b.g->n_inputs = b.g->cap_inputs = (int)(body->n_inputs + K);
        }
    }
    if (!st) {
        int node;
        int *out_ids = calloc(n->n_out + 1, sizeof *out_ids);
        st = out_ids ? mote_onnx_emit(c, "Loop", name, (int)(n_in + K), all_in, (int)n->n_out,
                                      (const char *const *)n->out, out_ids, &node)
                     : mote_error(MOTE_ERR_NOMEM, "out of memory");
        free(out_ids);
        if (!st)
            st = mote_graph_attr_int(c->g, node, "_captures", (int64_t)K);
        if (!st) {
            st = mote_graph_attr_graph(c->g, node, "body", b.g);
            b.g = NULL;   /* the node owns it now */
        }
    }
    free(all_in);
    free(in);
    ctx_free(&b);
    return st;
}
