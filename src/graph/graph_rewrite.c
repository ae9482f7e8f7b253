/*
 * graph_rewrite.c — whole-graph rewrites over the IR of graph.h:
 * topological order, compaction and node removal (what passes use after
 * marking nodes dead), adding a node with given outputs, and deep copies.
 *
 * Building a graph node by node and looking things up is graph.c.
 */
#include <stdlib.h>
#include <string.h>
#include "graph.h"
#include "internal.h"

/* Kahn's algorithm over lists of each value's consumers (one entry per
 * use, in node then input order), so it is linear in nodes plus uses; a
 * node becomes ready when its last producer is done, in the order the
 * earlier quadratic scan gave. */
mote_status mote_graph_topo_order(const mote_graph *g, int *order)
{
    int nn = g->n_nodes, nv = g->n_values;
    if (nn == 0) return MOTE_OK;
    size_t uses = 0;
    for (int i = 0; i < nn; i++) uses += (size_t)g->nodes[i].n_in;
    int *pending = calloc((size_t)nn, sizeof(int));
    int *queue = malloc(sizeof(int) * (size_t)nn);
    int *first = calloc((size_t)nv + 1, sizeof(int));   /* consumers of v: [first[v], first[v+1]) */
    int *cons = malloc(sizeof(int) * (uses ? uses : 1));
    if (!pending || !queue || !first || !cons) {
        free(pending);
        free(queue);
        free(first);
        free(cons);
        return mote_error(MOTE_ERR_NOMEM, "graph: out of memory");
    }
    for (int i = 0; i < nn; i++)
        for (int j = 0; j < g->nodes[i].n_in; j++) {
            int v = g->nodes[i].in[j];
            if (v < 0 || v >= nv) continue;
            first[v + 1]++;
            if (g->values[v].producer >= 0) pending[i]++;
        }
    for (int v = 0; v < nv; v++) first[v + 1] += first[v];
    int *fill = malloc(sizeof(int) * ((size_t)nv + 1));
    if (!fill) {
        free(pending);
        free(queue);
        free(first);
        free(cons);
        return mote_error(MOTE_ERR_NOMEM, "graph: out of memory");
    }
    memcpy(fill, first, sizeof(int) * (size_t)nv);
    for (int i = 0; i < nn; i++)
        for (int j = 0; j < g->nodes[i].n_in; j++) {
            int v = g->nodes[i].in[j];
            if (v >= 0 && v < nv) cons[fill[v]++] = i;
        }
    free(fill);
    int head = 0, tail = 0, done = 0;
    for (int i = 0; i < nn; i++)
        if (pending[i] == 0) queue[tail++] = i;
    while (head < tail) {
        int i = queue[head++];
        order[done++] = i;
        for (int k = 0; k < g->nodes[i].n_out; k++) {
            int v = g->nodes[i].out[k];
            if (v < 0 || v >= nv) continue;
            for (int e = first[v]; e < first[v + 1]; e++)
                if (--pending[cons[e]] == 0) queue[tail++] = cons[e];
        }
    }
    mote_status st = MOTE_OK;
    if (done < nn) {
        int culprit = 0;
        while (culprit < nn && pending[culprit] == 0) culprit++;
        st = mote_error(MOTE_ERR_GRAPH, "graph has a cycle through node '%s' (%s)",
                        g->nodes[culprit].name, g->nodes[culprit].op);
    }
    free(pending);
    free(queue);
    free(first);
    free(cons);
    return st;
}

mote_status mote_graph_compact(mote_graph *g, const bool *dead)
{
    int *vmap = malloc(sizeof(int) * (size_t)(g->n_values ? g->n_values : 1));
    bool *used = calloc((size_t)(g->n_values ? g->n_values : 1), sizeof(bool));
    if (!vmap || !used) {
        free(vmap);
        free(used);
        return mote_error(MOTE_ERR_NOMEM, "graph: out of memory");
    }
    /* drop dead nodes, renumbering producers */
    int nn = 0;
    int *nmap = malloc(sizeof(int) * (size_t)(g->n_nodes ? g->n_nodes : 1));
    if (!nmap) {
        free(vmap);
        free(used);
        return mote_error(MOTE_ERR_NOMEM, "graph: out of memory");
    }
    for (int i = 0; i < g->n_nodes; i++) {
        if (dead && dead[i]) {
            mote_node_free(&g->nodes[i]);
            nmap[i] = -1;
            continue;
        }
        nmap[i] = nn;
        g->nodes[nn++] = g->nodes[i];
    }
    g->n_nodes = nn;
    mote_graph_names_changed(g);   /* ids renumbered below */
    for (int i = 0; i < g->n_inputs; i++) used[g->inputs[i]] = true;
    for (int i = 0; i < g->n_outputs; i++) used[g->outputs[i]] = true;
    for (int i = 0; i < nn; i++) {
        for (int j = 0; j < g->nodes[i].n_in; j++)
            if (g->nodes[i].in[j] >= 0) used[g->nodes[i].in[j]] = true;
        for (int j = 0; j < g->nodes[i].n_out; j++) used[g->nodes[i].out[j]] = true;
    }
    int nv = 0;
    for (int v = 0; v < g->n_values; v++) {
        mote_value *val = &g->values[v];
        if (val->producer >= 0) val->producer = nmap[val->producer];
        if (!used[v] || (val->kind == MOTE_VAL_ACT && val->producer < 0)) {
            vmap[v] = -1;
            free(val->name);
            if (val->owns_data) mote_free_aligned((void *)val->data);
            continue;
        }
        vmap[v] = nv;
        g->values[nv++] = *val;
    }
    g->n_values = nv;
    for (int i = 0; i < nn; i++) {
        for (int j = 0; j < g->nodes[i].n_in; j++)
            if (g->nodes[i].in[j] >= 0) g->nodes[i].in[j] = vmap[g->nodes[i].in[j]];
        for (int j = 0; j < g->nodes[i].n_out; j++) g->nodes[i].out[j] = vmap[g->nodes[i].out[j]];
    }
    for (int i = 0; i < g->n_inputs; i++) g->inputs[i] = vmap[g->inputs[i]];
    int no = 0;
    for (int i = 0; i < g->n_outputs; i++)
        if (vmap[g->outputs[i]] >= 0) g->outputs[no++] = vmap[g->outputs[i]];
    g->n_outputs = no;
    free(vmap);
    free(used);
    free(nmap);
    return MOTE_OK;
}

mote_status mote_graph_remove_nodes(mote_graph *g, const bool *dead)
{
    int *nmap = malloc(sizeof(int) * (size_t)(g->n_nodes ? g->n_nodes : 1));
    if (!nmap) return mote_error(MOTE_ERR_NOMEM, "graph: out of memory");
    int nn = 0;
    for (int i = 0; i < g->n_nodes; i++) {
        if (dead[i]) {
            mote_node_free(&g->nodes[i]);
            nmap[i] = -1;
            continue;
        }
        nmap[i] = nn;
        g->nodes[nn++] = g->nodes[i];
    }
    g->n_nodes = nn;
    for (int v = 0; v < g->n_values; v++)
        if (g->values[v].producer >= 0) g->values[v].producer = nmap[g->values[v].producer];
    free(nmap);
    return MOTE_OK;
}

static mote_status copy_attr(mote_graph *d, int node, const mote_attr *a)
{
    switch (a->type) {
    case MOTE_ATTR_INT: return mote_graph_attr_int(d, node, a->name, a->i);
    case MOTE_ATTR_FLOAT: return mote_graph_attr_float(d, node, a->name, a->f);
    case MOTE_ATTR_STRING: return mote_graph_attr_string(d, node, a->name, a->s);
    case MOTE_ATTR_INTS: return mote_graph_attr_ints(d, node, a->name, a->n, a->ints);
    case MOTE_ATTR_FLOATS: return mote_graph_attr_floats(d, node, a->name, a->n, a->floats);
    case MOTE_ATTR_STRINGS:
        return mote_graph_attr_strings(d, node, a->name, a->n, (const char *const *)a->strs);
    case MOTE_ATTR_GRAPH: {
        mote_graph *body = a->g ? mote_graph_clone(a->g, true) : NULL;
        if (!body) return mote_error(MOTE_ERR_NOMEM, "graph: out of memory copying subgraph '%s'", a->name);
        return mote_graph_attr_graph(d, node, a->name, body);
    }
    }
    return mote_error(MOTE_ERR_FORMAT, "graph: attribute '%s' has unknown type %d", a->name, (int)a->type);
}

int mote_graph_node_with_outputs(mote_graph *g, const char *op, const char *name, int n_in,
                                 const int *in, int n_out, const int *out,
                                 const mote_node *attrs_from)
{
    if (!g || !op || !*op || !name || !*name || n_in < 0 || n_out < 0 || (n_in && !in) ||
        (n_out && !out)) {
        mote_error(MOTE_ERR_ARG, "graph: invalid node arguments (op %s)", op ? op : "NULL");
        return -1;
    }
    for (int i = 0; i < n_in; i++)
        if (in[i] < -1 || in[i] >= g->n_values) {
            mote_error(MOTE_ERR_GRAPH, "graph: node %s (%s): input %d refers to value %d, "
                       "which does not exist", name, op, i, in[i]);
            return -1;
        }
    for (int k = 0; k < n_out; k++)
        if (out[k] < 0 || out[k] >= g->n_values || g->values[out[k]].kind != MOTE_VAL_ACT ||
            g->values[out[k]].producer >= 0) {
            mote_error(MOTE_ERR_GRAPH, "graph: node %s (%s): output %d is not an activation "
                       "without a producer", name, op, k);
            return -1;
        }
    if (mote_graph_find_node(g, name) >= 0) {
        mote_error(MOTE_ERR_GRAPH, "graph: a node named '%s' already exists", name);
        return -1;
    }
    if (!GROW(g->nodes, g->cap_nodes, g->n_nodes + 1)) goto nomem;
    mote_node *n = &g->nodes[g->n_nodes];
    memset(n, 0, sizeof *n);
    n->op = mote_strdup(op);
    n->name = mote_strdup(name);
    n->in = malloc(sizeof(int) * (size_t)(n_in ? n_in : 1));
    n->out = malloc(sizeof(int) * (size_t)(n_out ? n_out : 1));
    if (!n->op || !n->name || !n->in || !n->out) {
        mote_node_free(n);
        goto nomem;
    }
    n->n_in = n_in;
    n->n_out = n_out;
    if (n_in) memcpy(n->in, in, sizeof(int) * (size_t)n_in);
    if (n_out) memcpy(n->out, out, sizeof(int) * (size_t)n_out);
    int id = g->n_nodes++;
    for (int k = 0; k < n_out; k++) g->values[out[k]].producer = id;
    for (int a = 0; attrs_from && a < attrs_from->n_attr; a++)
        if (copy_attr(g, id, &attrs_from->attrs[a]) != MOTE_OK) return -1;
    return id;
nomem:
    mote_error(MOTE_ERR_NOMEM, "graph: out of memory adding node '%s'", name);
    return -1;
}

mote_graph *mote_graph_clone(const mote_graph *g, bool share_data)
{
    mote_graph *d = mote_graph_new();
    if (!d) return NULL;
    /* values are recreated in the same order so ids stay valid */
    for (int v = 0; v < g->n_values; v++) {
        const mote_value *s = &g->values[v];
        int id;
        if (s->kind == MOTE_VAL_WEIGHT && !share_data)
            id = mote_graph_weight(d, s->name, s->dtype, s->ndim, s->dims, s->data);
        else
            id = mote_graph_add_value(d, s->name, s->kind, s->dtype, s->ndim < 0 ? 0 : s->ndim, s->dims);
        if (id != v) goto fail;
        d->values[v].ndim = s->ndim;
        d->values[v].producer = s->producer;
        if (s->kind == MOTE_VAL_WEIGHT && share_data) {
            d->values[v].data = s->data;
            d->values[v].nbytes = s->nbytes;
        }
    }
    for (int i = 0; i < g->n_nodes; i++) {
        const mote_node *n = &g->nodes[i];
        if (!GROW(d->nodes, d->cap_nodes, d->n_nodes + 1)) goto fail;
        mote_node *c = &d->nodes[d->n_nodes];
        memset(c, 0, sizeof *c);
        c->op = mote_strdup(n->op);
        c->name = mote_strdup(n->name);
        c->in = malloc(sizeof(int) * (size_t)(n->n_in ? n->n_in : 1));
        c->out = malloc(sizeof(int) * (size_t)n->n_out);
        d->n_nodes++;
        if (!c->op || !c->name || !c->in || !c->out) goto fail;
        c->n_in = n->n_in;
        c->n_out = n->n_out;
        memcpy(c->in, n->in, sizeof(int) * (size_t)n->n_in);
        memcpy(c->out, n->out, sizeof(int) * (size_t)n->n_out);
        for (int a = 0; a < n->n_attr; a++)
            if (copy_attr(d, i, &n->attrs[a]) != MOTE_OK) goto fail;
    }
    for (int i = 0; i < g->n_inputs; i++) {
        if (!GROW(d->inputs, d->cap_inputs, d->n_inputs + 1)) goto fail;
        d->inputs[d->n_inputs++] = g->inputs[i];
    }
    for (int i = 0; i < g->n_outputs; i++)
        if (mote_graph_output(d, g->outputs[i]) != MOTE_OK) goto fail;
    for (int i = 0; i < g->n_meta; i++) {
        const mote_meta *m = &g->meta[i];
        mote_status st = m->type == MOTE_META_INT ? mote_graph_meta_int(d, m->key, m->i)
                       : m->type == MOTE_META_FLOAT ? mote_graph_meta_float(d, m->key, m->f)
                       : mote_graph_meta_string(d, m->key, m->s);
        if (st != MOTE_OK) goto fail;
    }
    return d;
fail:
    mote_graph_free(d);
    return NULL;
}
