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
 * Loop and Scan are not imported (onnx_support.c says so).
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
