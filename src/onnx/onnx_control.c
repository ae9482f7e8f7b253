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
 * Loop with a constant trip count M (an initializer or Constant) and a
 * condition that is absent or constant, whose body passes its condition
 * through unchanged (no early exit) and holds no subgraph, is unrolled:
 * the body is imported M times, renamed "<Loop>/trip<k>/<name>", its inputs
 * bound to the trip number, true and the loop-carried values of the trip
 * before; the final carried values are the Loop's first outputs and each
 * scan output is the trips' values stacked (Unsqueeze + Concat on axis 0).
 * Other Loops (a computed trip count, an early exit) and Scan are refused.
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

/* Replaces *slot by s; the old string may be a key of the name map (the
 * trip before imported it), so it is kept until the import ends. */
static mote_status replace_keep(mote_onnx_ctx *c, char **slot, char *s)
{
    if (c->n_kept == c->cap_kept) {
        size_t nc = c->cap_kept ? 2 * c->cap_kept : 64;
        char **nk = realloc(c->kept, nc * sizeof *nk);
        if (!nk) {
            free(s);
            return mote_error(MOTE_ERR_NOMEM, "out of memory");
        }
        c->kept = nk;
        c->cap_kept = nc;
    }
    c->kept[c->n_kept++] = *slot;
    *slot = s;
    return MOTE_OK;
}

#define LOOP_MAX_TRIPS 1024   /* unrolled: each trip is a copy of the body */

/* A slot of the body holding a name the body defines: rewritten per trip. */
typedef struct loop_slot {
    char **where;        /* the string to replace          */
    size_t def;          /* index into the defined names   */
} loop_slot;

static bool has_subgraph(const mote_onnx_graph *b)
{
    for (size_t i = 0; i < b->n_nodes; i++)
        for (size_t a = 0; a < b->nodes[i].n_attrs; a++)
            if (b->nodes[i].attrs[a].n_graphs)
                return true;
    return false;
}

/* The constant int64 / bool scalar behind value id, or false. */
static bool const_scalar(const mote_onnx_ctx *c, int id, int64_t *v)
{
    if (id < 0 || id >= c->g->n_values)
        return false;
    const mote_value *val = &c->g->values[id];
    int64_t n = 1;
    for (int d = 0; d < val->ndim; d++)
        n *= val->dims[d];
    if (val->kind != MOTE_VAL_WEIGHT || !val->data || n != 1)
        return false;
    if (val->dtype == MOTE_I64)
        *v = *(const int64_t *)val->data;
    else if (val->dtype == MOTE_BOOL)
        *v = *(const uint8_t *)val->data != 0;
    else
        return false;
    return true;
}

mote_status mote_onnx_import_loop(mote_onnx_ctx *c, const mote_onnx_node *n, const char *name,
                                  const char *label)
{
    mote_onnx_graph *b = (mote_onnx_graph *)branch(n, "body");
    if (!b || n->n_in < 2)
        return mote_error(MOTE_ERR_FORMAT, "%s: a Loop needs the inputs M, cond and the graph body", label);
    size_t carried = n->n_in - 2, scans = n->n_out >= carried ? n->n_out - carried : 0;
    if (b->n_inputs != carried + 2 || b->n_outputs != carried + 1 + scans || n->n_out < carried)
        return mote_error(MOTE_ERR_FORMAT, "%s: the Loop's body takes %zu inputs and gives %zu outputs; "
                          "with %zu loop-carried values it must take %zu and give %zu", label,
                          b->n_inputs, b->n_outputs, carried, carried + 2, carried + 1 + scans);
    int64_t trips = 0, cond0 = 1;
    int m_id = *n->in[0] ? mote_onnx_names_get(c, n->in[0]) : -1;
    if (!const_scalar(c, m_id, &trips))
        return mote_error(MOTE_ERR_UNSUPPORTED, "%s: a Loop is supported with a constant trip count M "
                          "(a computed or absent M is not)", label);
    if (*n->in[1] && !const_scalar(c, mote_onnx_names_get(c, n->in[1]), &cond0))
        return mote_error(MOTE_ERR_UNSUPPORTED, "%s: a Loop's cond must be absent or a constant", label);
    /* the body must keep going: its cond output is its cond input */
    if (strcmp(b->outputs[0].name, b->inputs[1].name) != 0)
        return mote_error(MOTE_ERR_UNSUPPORTED, "%s: a Loop whose body computes its condition (an early "
                          "exit) is not supported", label);
    if (has_subgraph(b))
        return mote_error(MOTE_ERR_UNSUPPORTED, "%s: a Loop whose body holds subgraphs is not supported", label);
    if (!cond0)
        trips = 0;
    if (trips < 0 || trips > LOOP_MAX_TRIPS)
        return mote_error(MOTE_ERR_UNSUPPORTED, "%s: trip count %lld (from 0 to %d are unrolled)", label,
                          (long long)trips, LOOP_MAX_TRIPS);
    if (trips == 0 && scans)
        return mote_error(MOTE_ERR_UNSUPPORTED, "%s: a Loop of no trips with scan outputs (empty "
                          "tensors of unknown shape) is not supported", label);

    /* the names the body defines, and every slot that holds one */
    size_t n_def = b->n_inits, n_slot = 0, cap_slot = b->n_inits + b->n_outputs + 1;
    for (size_t i = 0; i < b->n_nodes; i++) {
        n_def += b->nodes[i].n_out;
        cap_slot += b->nodes[i].n_in + b->nodes[i].n_out;
    }
    char **orig = calloc(n_def + 1, sizeof *orig);
    loop_slot *slots = calloc(cap_slot, sizeof *slots);
    char **node_names = calloc(b->n_nodes + 1, sizeof *node_names);
    int *cur = calloc(carried + 1, sizeof *cur);                   /* carried value ids    */
    int *scan_ids = calloc(scans * (size_t)(trips ? trips : 1) + 1, sizeof *scan_ids);
    size_t *order = NULL;
    mote_status st = orig && slots && node_names && cur && scan_ids ? MOTE_OK
                   : mote_error(MOTE_ERR_NOMEM, "out of memory");
    size_t d = 0;
    for (size_t i = 0; !st && i < b->n_inits + b->n_nodes; i++) {
        bool init = i < b->n_inits;
        size_t cnt = init ? 1 : b->nodes[i - b->n_inits].n_out;
        for (size_t k = 0; !st && k < cnt; k++) {
            char **where = init ? &b->inits[i].name : &b->nodes[i - b->n_inits].out[k];
            if (!*where || !**where)
                continue;
            if (!(orig[d] = mote_strdup(*where)))
                st = mote_error(MOTE_ERR_NOMEM, "out of memory");
            else
                slots[n_slot++] = (loop_slot){where, d++};
        }
    }
    n_def = d;
    /* uses: node inputs and body outputs that name a definition */
    for (size_t i = 0; !st && i < b->n_nodes; i++)
        for (size_t k = 0; k < b->nodes[i].n_in; k++)
            for (size_t j = 0; j < n_def; j++)
                if (*b->nodes[i].in[k] && !strcmp(b->nodes[i].in[k], orig[j])) {
                    slots[n_slot++] = (loop_slot){&b->nodes[i].in[k], j};
                    break;
                }
    for (size_t i = 1; !st && i < b->n_outputs; i++)
        for (size_t j = 0; j < n_def; j++)
            if (!strcmp(b->outputs[i].name, orig[j])) {
                slots[n_slot++] = (loop_slot){&b->outputs[i].name, j};
                break;
            }
    for (size_t i = 0; !st && i < b->n_nodes; i++) {
        char idx[64];
        snprintf(idx, sizeof idx, "%.40s_%zu", b->nodes[i].op_type, i);
        if (!(node_names[i] = mote_strdup(b->nodes[i].name && *b->nodes[i].name ? b->nodes[i].name : idx)))
            st = mote_error(MOTE_ERR_NOMEM, "out of memory");
    }
    if (!st)
        st = mote_onnx_node_order(b, &order);
    for (size_t j = 0; !st && j < carried; j++)
        if ((cur[j] = mote_onnx_names_get(c, n->in[2 + j])) < 0)
            st = mote_error(MOTE_ERR_GRAPH, "%s: input '%s' is not a graph input, initializer or the "
                            "output of an earlier node", label, n->in[2 + j]);
    int true_id = -1;
    if (!st) {
        uint8_t one = 1;
        char wn[300];
        snprintf(wn, sizeof wn, "%.280s/cond", name);
        true_id = mote_graph_weight(c->g, wn, MOTE_BOOL, 0, NULL, &one);
        if (true_id < 0)
            st = mote_error(MOTE_ERR_GRAPH, "%s: %s", label, mote_last_error());
    }
    for (int64_t t = 0; !st && t < trips; t++) {
        char prefix[320];
        snprintf(prefix, sizeof prefix, "%.280s/trip%lld/", name, (long long)t);
        /* this trip's names */
        for (size_t s = 0; !st && s < n_slot; s++) {
            size_t len = strlen(prefix) + strlen(orig[slots[s].def]) + 1;
            char *nm = malloc(len);
            if (!nm) {
                st = mote_error(MOTE_ERR_NOMEM, "out of memory");
                break;
            }
            snprintf(nm, len, "%s%s", prefix, orig[slots[s].def]);
            st = replace_keep(c, slots[s].where, nm);
        }
        for (size_t i = 0; !st && i < b->n_nodes; i++) {
            size_t len = strlen(prefix) + strlen(node_names[i]) + 1;
            char *nm = malloc(len);
            if (!nm) {
                st = mote_error(MOTE_ERR_NOMEM, "out of memory");
                break;
            }
            snprintf(nm, len, "%s%s", prefix, node_names[i]);
            free(b->nodes[i].name);
            b->nodes[i].name = nm;
        }
        /* its inputs: the trip number, true, the carried values */
        char wn[340];   /* outside the trip's prefix: no body name can take it */
        snprintf(wn, sizeof wn, "%.280s/iteration%lld", name, (long long)t);
        int iter_id = st ? -1 : mote_graph_weight(c->g, wn, MOTE_I64, 0, NULL, &t);
        if (!st && iter_id < 0)
            st = mote_error(MOTE_ERR_GRAPH, "%s: %s", label, mote_last_error());
        if (!st && *b->inputs[0].name)
            st = mote_onnx_names_put(c, b->inputs[0].name, iter_id);
        if (!st && *b->inputs[1].name)
            st = mote_onnx_names_put(c, b->inputs[1].name, true_id);
        for (size_t j = 0; !st && j < carried; j++)
            st = mote_onnx_names_put(c, b->inputs[2 + j].name, cur[j]);
        for (size_t i = 0; !st && i < b->n_inits; i++) {
            int id;
            st = mote_onnx_add_tensor(c, &b->inits[i], b->inits[i].name, &id);
        }
        for (size_t i = 0; !st && i < b->n_nodes; i++)
            st = mote_onnx_import_node(c, &b->nodes[order[i]], order[i]);
        for (size_t j = 0; !st && j < carried + scans; j++) {
            int id = mote_onnx_names_get(c, b->outputs[1 + j].name);
            if (id < 0)
                st = mote_error(MOTE_ERR_GRAPH, "%s: body output '%s' is produced by nothing", label,
                                b->outputs[1 + j].name);
            else if (j < carried)
                cur[j] = id;
            else
                scan_ids[(size_t)t * scans + (j - carried)] = id;
        }
    }
    /* the final carried values, and each scan output stacked over trips */
    for (size_t j = 0; !st && j < carried; j++) {
        if (!*n->out[j])
            continue;
        char nn[320];
        snprintf(nn, sizeof nn, "%.280s/out_%zu", name, j);
        const char *outs[1] = {n->out[j]};
        int out_id, node;
        st = mote_onnx_emit(c, "Identity", nn, 1, &cur[j], 1, outs, &out_id, &node);
    }
    for (size_t k = 0; !st && k < scans; k++) {
        int *parts = calloc((size_t)trips + 1, sizeof *parts);
        if (!parts) {
            st = mote_error(MOTE_ERR_NOMEM, "out of memory");
            break;
        }
        int64_t zero = 0;
        char an[320];
        snprintf(an, sizeof an, "%.280s/scan_%zu_axis", name, k);
        int axes = mote_graph_weight(c->g, an, MOTE_I64, 1, &(int64_t){1}, &zero);
        if (axes < 0)
            st = mote_error(MOTE_ERR_GRAPH, "%s: %s", label, mote_last_error());
        for (int64_t t = 0; !st && t < trips; t++) {
            char un[340];
            snprintf(un, sizeof un, "%.280s/scan_%zu_trip%lld", name, k, (long long)t);
            int in[2] = {scan_ids[(size_t)t * scans + k], axes}, node;
            st = mote_onnx_emit(c, "Unsqueeze", un, 2, in, 1, NULL, &parts[t], &node);
        }
        if (!st) {
            char cn[320];
            snprintf(cn, sizeof cn, "%.280s/scan_%zu", name, k);
            const char *outs[1] = {n->out[carried + k]};
            int out_id, node;
            st = mote_onnx_emit(c, "Concat", cn, (int)trips, parts, 1, outs, &out_id, &node);
            if (!st)
                st = mote_graph_attr_int(c->g, node, "axis", 0);
        }
        free(parts);
    }
    for (size_t i = 0; orig && i < n_def; i++)
        free(orig[i]);
    for (size_t i = 0; node_names && i < b->n_nodes; i++)
        free(node_names[i]);
    free(orig);
    free(slots);
    free(node_names);
    free(cur);
    free(scan_ids);
    free(order);
    return st;
}
