/*
 * format.c — the rules of the .mote format that apply to a graph in memory,
 * shared by the writer (which refuses to write a graph that breaks them)
 * and the reader (which applies them to what it has parsed), plus the
 * linear-time duplicate-name check both use.
 *
 * Byte-level parsing is in format_read.c, writing in format_write.c. The
 * rules are listed in docs/format.md, "Validation".
 */
#include <stdlib.h>
#include <string.h>
#include "format.h"
#include "graph/internal.h"

/* ------------------------------------------------------------ duplicates */

/* FNV-1a: a simple, well-spread string hash. */
static uint32_t name_hash(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (uint8_t)*s) * 16777619u;
    return h;
}

int mote_format_find_duplicate(int n, const char *const *names, int *first)
{
    if (n < 2)
        return -1;
    size_t cap = 4;
    while (cap < 2 * (size_t)n)
        cap *= 2;
    int *slot = malloc(cap * sizeof *slot);  /* name index + 1; 0 = empty */
    if (!slot) {
        mote_error(MOTE_ERR_NOMEM, "out of memory checking %d names", n);
        return -2;
    }
    memset(slot, 0, cap * sizeof *slot);
    int dup = -1;
    for (int i = 0; i < n && dup < 0; i++) {
        size_t h = name_hash(names[i]) & (cap - 1);
        for (; slot[h]; h = (h + 1) & (cap - 1)) {
            if (strcmp(names[slot[h] - 1], names[i]) == 0) {
                *first = slot[h] - 1;
                dup = i;
                break;
            }
        }
        if (dup < 0)
            slot[h] = i + 1;
    }
    free(slot);
    return dup;
}

/* -------------------------------------------------------------- the rules */

/* A name is present, not empty, and at most MOTE_FORMAT_MAX_NAME bytes. */
static const char *name_problem(const char *s)
{
    if (!s)
        return "is missing";
    if (!*s)
        return "is empty";
    if (strnlen(s, MOTE_FORMAT_MAX_NAME + 1) > MOTE_FORMAT_MAX_NAME)
        return "is longer than 4096 bytes";
    return NULL;
}

static const char *string_problem(const char *s)
{
    if (!s)
        return "is missing";
    if (strnlen(s, (size_t)MOTE_FORMAT_MAX_STRING + 1) > MOTE_FORMAT_MAX_STRING)
        return "is longer than 16 MiB";
    return NULL;
}

/* Reports a name clash among names[0..n-1] (kind: "value", "node", ...). */
static mote_status check_unique(int n, const char **names, const char *what,
                                const char *kind, mote_status st)
{
    int first = -1;
    int dup = mote_format_find_duplicate(n, names, &first);
    if (dup == -2)
        return MOTE_ERR_NOMEM;
    if (dup >= 0)
        return mote_error(st, "%s: %s %d and %s %d have the same name '%s'",
                          what, kind, first, kind, dup, names[dup]);
    return MOTE_OK;
}

static mote_status check_value(const mote_graph *g, int i, int depth, const char *what,
                               mote_status st)
{
    const mote_value *v = &g->values[i];
    const char *pb = name_problem(v->name);
    if (pb)
        return mote_error(st, "%s: value %d: the name %s", what, i, pb);
    if (v->kind != MOTE_VAL_INPUT && v->kind != MOTE_VAL_WEIGHT && v->kind != MOTE_VAL_ACT)
        return mote_error(st, "%s: value '%s': unknown kind %d", what, v->name, (int)v->kind);
    /* An activation's rank may still be unknown (-1), its dims too (-1);
     * so may a subgraph input's (its node binds it to a value when a
     * session is made). */
    bool act = v->kind == MOTE_VAL_ACT || (depth > 0 && v->kind == MOTE_VAL_INPUT);
    if (mote_dtype_size(v->dtype) == 0)
        return mote_error(st, "%s: value '%s': unknown dtype code %d", what, v->name,
                          (int)v->dtype);
    if (v->ndim < (act ? -1 : 0) || v->ndim > MOTE_MAX_DIMS)
        return mote_error(st, "%s: value '%s': %d dimensions (at most %d)", what,
                          v->name, v->ndim, MOTE_MAX_DIMS);
    int64_t min_dim = v->kind == MOTE_VAL_WEIGHT ? 0 : -1;
    for (int d = 0; d < v->ndim; d++)
        if (v->dims[d] < min_dim)
            return mote_error(st, "%s: value '%s': dimension %d is %lld", what, v->name,
                              d, (long long)v->dims[d]);
    if (v->kind != MOTE_VAL_WEIGHT)
        return MOTE_OK;
    size_t bytes = mote_dtype_size(v->dtype);
    for (int d = 0; d < v->ndim; d++)
        if ((uint64_t)v->dims[d] > SIZE_MAX || !mote_mul_size(bytes, (size_t)v->dims[d], &bytes))
            return mote_error(st, "%s: weight '%s': the size overflows", what, v->name);
    if (v->nbytes != bytes)
        return mote_error(st, "%s: weight '%s': %zu bytes of data, but %s[...] needs %zu",
                          what, v->name, v->nbytes, mote_dtype_name(v->dtype), bytes);
    if (bytes && !v->data)
        return mote_error(st, "%s: weight '%s' has no data", what, v->name);
    return MOTE_OK;
}

static mote_status check_graph(const mote_graph *g, const char *what, mote_status st, int depth);

/* A subgraph: the rules of a graph, no weights or metadata of its own, no
 * cycle, and at most MOTE_GRAPH_MAX_DEPTH levels of nesting. */
static mote_status check_subgraph(const mote_node *nd, const mote_attr *a, const char *what,
                                  mote_status st, int depth)
{
    if (!a->g)
        return mote_error(st, "%s: node '%s': attribute '%s' holds no subgraph", what, nd->name,
                          a->name);
    if (depth + 1 > (int)MOTE_GRAPH_MAX_DEPTH)
        return mote_error(st, "%s: node '%s': subgraph '%s' is nested %d deep (at most %d)", what,
                          nd->name, a->name, depth + 1, MOTE_GRAPH_MAX_DEPTH);
    const mote_graph *b = a->g;
    char inner[512];
    snprintf(inner, sizeof inner, "%s: node '%.200s', subgraph '%.100s'", what, nd->name, a->name);
    if (b->n_meta)
        return mote_error(st, "%s: a subgraph has no metadata", inner);
    for (int i = 0; i < b->n_values; i++)
        if (b->values[i].kind == MOTE_VAL_WEIGHT)
            return mote_error(st, "%s: value '%s' is a weight (a subgraph reads the outer "
                              "graph's weights through its inputs)", inner,
                              b->values[i].name ? b->values[i].name : "?");
    mote_status s = check_graph(b, inner, st, depth + 1);
    if (s != MOTE_OK)
        return s;
    int *order = malloc(sizeof(int) * ((size_t)b->n_nodes + 1));
    if (!order)
        return mote_error(MOTE_ERR_NOMEM, "%s: out of memory", what);
    s = mote_graph_topo_order(b, order);
    free(order);
    if (s != MOTE_OK)
        return mote_error(st, "%s: %s", inner, mote_last_error());
    return MOTE_OK;
}

static mote_status check_attr(const mote_node *nd, const mote_attr *a, const char *what,
                              mote_status st, int depth)
{
    const char *pb = name_problem(a->name);
    if (pb)
        return mote_error(st, "%s: node '%s': an attribute name %s", what, nd->name, pb);
    switch (a->type) {
    case MOTE_ATTR_INT: case MOTE_ATTR_FLOAT:
        return MOTE_OK;
    case MOTE_ATTR_STRING:
        pb = string_problem(a->s);
        break;
    case MOTE_ATTR_INTS: case MOTE_ATTR_FLOATS: case MOTE_ATTR_STRINGS: {
        const void *list = a->type == MOTE_ATTR_INTS ? (const void *)a->ints
                         : a->type == MOTE_ATTR_FLOATS ? (const void *)a->floats
                         : (const void *)a->strs;
        if (a->n < 0 || (a->n > 0 && !list))
            pb = "has a bad list";
        for (int k = 0; !pb && a->type == MOTE_ATTR_STRINGS && k < a->n; k++)
            pb = string_problem(a->strs[k]);
        break;
    }
    case MOTE_ATTR_GRAPH:
        return check_subgraph(nd, a, what, st, depth);
    default:
        return mote_error(st, "%s: node '%s': attribute '%s' has unknown type %d", what,
                          nd->name, a->name, (int)a->type);
    }
    if (pb)
        return mote_error(st, "%s: node '%s': attribute '%s': a string %s", what,
                          nd->name, a->name, pb);
    return MOTE_OK;
}

/* Node n: its names, input ids, attributes, and outputs (recording each
 * output's producer in prod, which catches a value produced twice). */
static mote_status check_node(const mote_graph *g, int n, int *prod, const char *what,
                              mote_status st, int depth)
{
    const mote_node *nd = &g->nodes[n];
    const char *pb = name_problem(nd->name);
    if (pb)
        return mote_error(st, "%s: node %d: the name %s", what, n, pb);
    if ((pb = name_problem(nd->op)))
        return mote_error(st, "%s: node '%s': the op type %s", what, nd->name, pb);
    if (nd->n_attr > (int)MOTE_FORMAT_MAX_ATTRS)
        return mote_error(st, "%s: node '%s': %d attributes (at most %u)", what, nd->name,
                          nd->n_attr, MOTE_FORMAT_MAX_ATTRS);
    if (nd->n_in < 0 || nd->n_out < 0 || nd->n_attr < 0 || (nd->n_in && !nd->in) ||
        (nd->n_out && !nd->out) || (nd->n_attr && !nd->attrs))
        return mote_error(st, "%s: node '%s': bad input, output or attribute list",
                          what, nd->name);
    for (int k = 0; k < nd->n_in; k++)
        if (nd->in[k] < -1 || nd->in[k] >= g->n_values)
            return mote_error(st, "%s: node '%s': input %d is value id %d, not in [-1, %d)",
                              what, nd->name, k, nd->in[k], g->n_values);
    for (int k = 0; k < nd->n_out; k++) {
        int o = nd->out[k];
        if (o < 0 || o >= g->n_values)
            return mote_error(st, "%s: node '%s': output %d is value id %d, not in [0, %d)",
                              what, nd->name, k, o, g->n_values);
        if (g->values[o].kind != MOTE_VAL_ACT)
            return mote_error(st, "%s: node '%s': output '%s' is a graph %s, not an activation",
                              what, nd->name, g->values[o].name,
                              g->values[o].kind == MOTE_VAL_INPUT ? "input" : "weight");
        if (prod[o] >= 0)
            return mote_error(st, "%s: value '%s' is produced by two nodes, '%s' and '%s'",
                              what, g->values[o].name, g->nodes[prod[o]].name, nd->name);
        prod[o] = n;
    }
    const char **names = malloc(((size_t)nd->n_attr + 1) * sizeof *names);
    if (!names)
        return mote_error(MOTE_ERR_NOMEM, "%s: out of memory", what);
    mote_status s = MOTE_OK;
    for (int k = 0; k < nd->n_attr && s == MOTE_OK; k++) {
        s = check_attr(nd, &nd->attrs[k], what, st, depth);
        names[k] = nd->attrs[k].name;
    }
    if (s == MOTE_OK) {
        int first = -1;
        int dup = mote_format_find_duplicate(nd->n_attr, names, &first);
        if (dup == -2)
            s = MOTE_ERR_NOMEM;
        else if (dup >= 0)
            s = mote_error(st, "%s: node '%s' has attribute '%s' twice", what, nd->name,
                           names[dup]);
    }
    free(names);
    return s;
}

/* Graph inputs are exactly the INPUT values, each once; outputs are
 * distinct valid ids. mark has n_values zeroed ints. */
static mote_status check_io(const mote_graph *g, int *mark, const char *what, mote_status st)
{
    int n_input_values = 0;
    for (int i = 0; i < g->n_values; i++)
        n_input_values += g->values[i].kind == MOTE_VAL_INPUT;
    for (int k = 0; k < g->n_inputs; k++) {
        int v = g->inputs[k];
        if (v < 0 || v >= g->n_values)
            return mote_error(st, "%s: graph input %d is value id %d, not in [0, %d)",
                              what, k, v, g->n_values);
        if (g->values[v].kind != MOTE_VAL_INPUT)
            return mote_error(st, "%s: graph input %d, '%s', is not an input value",
                              what, k, g->values[v].name);
        if (mark[v]++)
            return mote_error(st, "%s: '%s' is listed twice as a graph input", what,
                              g->values[v].name);
    }
    if (n_input_values != g->n_inputs)
        return mote_error(st, "%s: %d input values but %d graph inputs", what,
                          n_input_values, g->n_inputs);
    memset(mark, 0, (size_t)g->n_values * sizeof *mark);
    for (int k = 0; k < g->n_outputs; k++) {
        int v = g->outputs[k];
        if (v < 0 || v >= g->n_values)
            return mote_error(st, "%s: graph output %d is value id %d, not in [0, %d)",
                              what, k, v, g->n_values);
        if (mark[v]++)
            return mote_error(st, "%s: '%s' is listed twice as a graph output", what,
                              g->values[v].name);
    }
    return MOTE_OK;
}

static mote_status check_meta(const mote_graph *g, const char *what, mote_status st)
{
    if (g->n_meta > (int)MOTE_FORMAT_MAX_META)
        return mote_error(st, "%s: %d metadata entries (at most %u)", what, g->n_meta,
                          MOTE_FORMAT_MAX_META);
    const char **keys = malloc(((size_t)g->n_meta + 1) * sizeof *keys);
    if (!keys)
        return mote_error(MOTE_ERR_NOMEM, "%s: out of memory", what);
    mote_status s = MOTE_OK;
    for (int k = 0; k < g->n_meta && s == MOTE_OK; k++) {
        const mote_meta *m = &g->meta[k];
        const char *pb = name_problem(m->key);
        if (pb)
            s = mote_error(st, "%s: metadata entry %d: the key %s", what, k, pb);
        else if (m->type != MOTE_META_STRING && m->type != MOTE_META_INT &&
                 m->type != MOTE_META_FLOAT)
            s = mote_error(st, "%s: metadata '%s': unknown type %d", what, m->key, (int)m->type);
        else if (m->type == MOTE_META_STRING && (pb = string_problem(m->s)))
            s = mote_error(st, "%s: metadata '%s': the value %s", what, m->key, pb);
        keys[k] = m->key;
    }
    if (s == MOTE_OK)
        s = check_unique(g->n_meta, keys, what, "metadata entry", st);
    free(keys);
    return s;
}

mote_status mote_format_check_graph(const mote_graph *g, const char *what, mote_status st)
{
    return check_graph(g, what, st, 0);
}

static mote_status check_graph(const mote_graph *g, const char *what, mote_status st, int depth)
{
    if (!g)
        return mote_error(MOTE_ERR_ARG, "%s: no graph", what);
    if (g->n_values < 0 || g->n_nodes < 0 || g->n_inputs < 0 || g->n_outputs < 0 ||
        g->n_meta < 0)
        return mote_error(st, "%s: the graph has a negative count", what);
    size_t nv = (size_t)g->n_values, nn = (size_t)g->n_nodes;
    int *prod = malloc((nv + 1) * sizeof *prod);
    const char **names = malloc((nv > nn ? nv : nn) * sizeof *names + 1);
    if (!prod || !names) {
        free(prod);
        free(names);
        return mote_error(MOTE_ERR_NOMEM, "%s: out of memory", what);
    }
    mote_status s = MOTE_OK;
    for (int i = 0; i < g->n_values && s == MOTE_OK; i++) {
        s = check_value(g, i, depth, what, st);
        names[i] = g->values[i].name;
        prod[i] = -1;
    }
    if (s == MOTE_OK)
        s = check_unique(g->n_values, names, what, "value", st);
    for (int n = 0; n < g->n_nodes && s == MOTE_OK; n++) {
        s = check_node(g, n, prod, what, st, depth);
        names[n] = g->nodes[n].name;
    }
    if (s == MOTE_OK)
        s = check_unique(g->n_nodes, names, what, "node", st);
    for (int i = 0; i < g->n_values && s == MOTE_OK; i++)
        if (g->values[i].kind == MOTE_VAL_ACT && prod[i] < 0)
            s = mote_error(st, "%s: value '%s' is an activation that no node produces",
                           what, g->values[i].name);
    if (s == MOTE_OK) {
        memset(prod, 0, (nv + 1) * sizeof *prod);
        s = check_io(g, prod, what, st);
    }
    if (s == MOTE_OK)
        s = check_meta(g, what, st);
    free(prod);
    free(names);
    return s;
}
