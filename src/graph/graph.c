/*
 * graph.c — the graph builder (mote_graph_* in mote.h) and the IR helpers
 * of graph.h: name indexes, values, nodes, attributes and their lookup,
 * metadata. Whole-graph rewrites (topological order, compaction, node
 * removal, cloning) are in graph_rewrite.c.
 *
 * Not here: reading/writing files (format*.c), shape inference (the ops,
 * driven by session.c), optimization passes (src/passes/).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "graph.h"
#include "internal.h"
#include "ops/ops.h"

bool mote_graph_grow(void **arr, int *cap, int need, size_t sz)
{
    if (need <= *cap) return true;
    int nc = *cap ? *cap : 8;
    while (nc < need) {
        if (nc > (1 << 28)) return false;
        nc *= 2;
    }
    void *p = realloc(*arr, (size_t)nc * sz);
    if (!p) return false;
    *arr = p;
    *cap = nc;
    return true;
}

mote_graph *mote_graph_new(void)
{
    return calloc(1, sizeof(mote_graph));
}

static void index_free(struct mote_name_index *ix);

static void attr_free(mote_attr *a)
{
    free(a->name);
    free(a->s);
    free(a->ints);
    free(a->floats);
    if (a->strs)
        for (int i = 0; i < a->n; i++) free(a->strs[i]);
    free(a->strs);
    mote_graph_free(a->g);
}

void mote_node_free(mote_node *n)
{
    free(n->op);
    free(n->name);
    free(n->in);
    free(n->out);
    for (int i = 0; i < n->n_attr; i++) attr_free(&n->attrs[i]);
    free(n->attrs);
}

void mote_graph_free(mote_graph *g)
{
    if (!g) return;
    for (int i = 0; i < g->n_values; i++) {
        free(g->values[i].name);
        if (g->values[i].owns_data) mote_free_aligned((void *)g->values[i].data);
    }
    for (int i = 0; i < g->n_nodes; i++) mote_node_free(&g->nodes[i]);
    for (int i = 0; i < g->n_meta; i++) {
        free(g->meta[i].key);
        free(g->meta[i].s);
    }
    free(g->values);
    free(g->nodes);
    free(g->inputs);
    free(g->outputs);
    free(g->meta);
    index_free(&g->vidx);
    index_free(&g->nidx);
    free(g);
}

/* ------------------------------------------------------- name indexes */

/* FNV-1a over the name. */
static uint32_t name_hash(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++) h = (h ^ (uint8_t)*s) * 16777619u;
    return h;
}

static void index_free(struct mote_name_index *ix)
{
    free(ix->slot);
    memset(ix, 0, sizeof *ix);
}

/* Inserts id (slots hold id + 1; 0 is empty). The table has room. */
static void index_put(struct mote_name_index *ix, const char *name, int id)
{
    uint32_t mask = (uint32_t)ix->cap - 1, j = name_hash(name) & mask;
    while (ix->slot[j]) j = (j + 1) & mask;
    ix->slot[j] = id + 1;
    ix->used++;
}

/* Brings ix up to date with the n names (name_of(g, i)): a table of at
 * least twice the slots in use; rebuilt from the live names when it
 * fills (dropping stale slots). False on out of memory. */
static bool index_sync(struct mote_name_index *ix, const mote_graph *g, int n,
                       const char *(*name_of)(const mote_graph *, int))
{
    if (ix->n_indexed > n) ix->n_indexed = n;   /* ids dropped from the end */
    if (ix->n_indexed == n && ix->slot) return true;
    int want = ix->used + (n - ix->n_indexed);
    if (!ix->slot || (int64_t)want * 2 > ix->cap) {
        int cap = 64;
        while (cap < 2 * n + 2) {
            if (cap > (1 << 29)) return false;
            cap *= 2;
        }
        int *slot = calloc((size_t)cap, sizeof *slot);
        if (!slot) return false;
        free(ix->slot);
        ix->slot = slot;
        ix->cap = cap;
        ix->used = 0;
        ix->n_indexed = 0;
    }
    for (int i = ix->n_indexed; i < n; i++) index_put(ix, name_of(g, i), i);
    ix->n_indexed = n;
    return true;
}

/* The id named name, or -1 (after a successful index_sync). */
static int index_get(const struct mote_name_index *ix, const mote_graph *g, int n,
                     const char *(*name_of)(const mote_graph *, int), const char *name)
{
    uint32_t mask = (uint32_t)ix->cap - 1, j = name_hash(name) & mask;
    for (; ix->slot[j]; j = (j + 1) & mask) {
        int id = ix->slot[j] - 1;
        if (id < n && strcmp(name_of(g, id), name) == 0) return id;
    }
    return -1;
}

static const char *value_name(const mote_graph *g, int i) { return g->values[i].name; }
static const char *node_name(const mote_graph *g, int i) { return g->nodes[i].name; }

void mote_graph_names_changed(mote_graph *g)
{
    if (!g) return;
    index_free(&g->vidx);
    index_free(&g->nidx);
}

/* Lookups are logically const; the index is a cache. Without memory for
 * it they fall back to a linear scan. */
int mote_graph_find_value(const mote_graph *g, const char *name)
{
    if (!g || !name) return -1;
    mote_graph *w = (mote_graph *)g;
    if (index_sync(&w->vidx, g, g->n_values, value_name))
        return index_get(&g->vidx, g, g->n_values, value_name, name);
    for (int i = 0; i < g->n_values; i++)
        if (strcmp(g->values[i].name, name) == 0) return i;
    return -1;
}

int mote_graph_find_node(const mote_graph *g, const char *name)
{
    if (!g || !name) return -1;
    mote_graph *w = (mote_graph *)g;
    if (index_sync(&w->nidx, g, g->n_nodes, node_name))
        return index_get(&g->nidx, g, g->n_nodes, node_name, name);
    for (int i = 0; i < g->n_nodes; i++)
        if (strcmp(g->nodes[i].name, name) == 0) return i;
    return -1;
}

mote_status mote_graph_rename_value(mote_graph *g, int v, const char *name)
{
    char *nm = mote_strdup(name);
    if (!nm) return mote_error(MOTE_ERR_NOMEM, "graph: out of memory");
    free(g->values[v].name);
    g->values[v].name = nm;
    /* The old slot goes stale (its name no longer matches); the new name
     * needs a slot of its own. */
    struct mote_name_index *ix = &g->vidx;
    if (v < ix->n_indexed) {
        if ((int64_t)(ix->used + 1) * 2 > ix->cap) index_free(ix);
        else index_put(ix, nm, v);
    }
    return MOTE_OK;
}

static bool valid_shape(int ndim, const int64_t *dims, bool allow_unknown)
{
    if (ndim < 0 || ndim > MOTE_MAX_DIMS || (ndim > 0 && !dims)) return false;
    for (int i = 0; i < ndim; i++)
        if (dims[i] < (allow_unknown ? -1 : 0)) return false;
    return true;
}

int mote_graph_add_value(mote_graph *g, const char *name, mote_value_kind kind,
                         mote_dtype dtype, int ndim, const int64_t *dims)
{
    if (!g || !name || !*name) {
        mote_error(MOTE_ERR_ARG, "graph: a value needs a non-empty name");
        return -1;
    }
    if (!mote_dtype_size(dtype)) {
        mote_error(MOTE_ERR_ARG, "graph: value '%s': unknown dtype %d", name, (int)dtype);
        return -1;
    }
    if (!valid_shape(ndim, dims, kind != MOTE_VAL_WEIGHT)) {
        mote_error(MOTE_ERR_SHAPE, "graph: value '%s': invalid shape (ndim %d)", name, ndim);
        return -1;
    }
    if (mote_graph_find_value(g, name) >= 0) {
        mote_error(MOTE_ERR_GRAPH, "graph: a value named '%s' already exists", name);
        return -1;
    }
    if (!GROW(g->values, g->cap_values, g->n_values + 1)) {
        mote_error(MOTE_ERR_NOMEM, "graph: out of memory adding value '%s'", name);
        return -1;
    }
    mote_value *v = &g->values[g->n_values];
    memset(v, 0, sizeof *v);
    if (!(v->name = mote_strdup(name))) {
        mote_error(MOTE_ERR_NOMEM, "graph: out of memory");
        return -1;
    }
    v->kind = kind;
    v->dtype = dtype;
    v->ndim = ndim;
    for (int i = 0; i < ndim; i++) v->dims[i] = dims[i];
    v->producer = -1;
    return g->n_values++;
}

int mote_graph_input(mote_graph *g, const char *name, mote_dtype dtype,
                     int ndim, const int64_t *dims)
{
    if (!g) return mote_error(MOTE_ERR_ARG, "graph: NULL graph"), -1;
    if (!GROW(g->inputs, g->cap_inputs, g->n_inputs + 1))
        return mote_error(MOTE_ERR_NOMEM, "graph: out of memory"), -1;
    int id = mote_graph_add_value(g, name, MOTE_VAL_INPUT, dtype, ndim, dims);
    if (id >= 0) g->inputs[g->n_inputs++] = id;
    return id;
}

int mote_graph_weight(mote_graph *g, const char *name, mote_dtype dtype,
                      int ndim, const int64_t *dims, const void *data)
{
    if (!g || !data) return mote_error(MOTE_ERR_ARG, "graph: weight '%s' has no data",
                                       name ? name : "?"), -1;
    int id = mote_graph_add_value(g, name, MOTE_VAL_WEIGHT, dtype, ndim, dims);
    if (id < 0) return -1;
    mote_value *v = &g->values[id];
    mote_tensor t = mote_value_tensor(v);
    size_t nb = mote_tensor_nbytes(&t);
    if (nb == 0 && mote_tensor_numel(&t) != 0) {
        mote_error(MOTE_ERR_SHAPE, "graph: weight '%s' is too large", name);
        goto undo;
    }
    void *copy = mote_alloc_aligned(nb);
    if (!copy) {
        mote_error(MOTE_ERR_NOMEM, "graph: out of memory for weight '%s' (%zu bytes)", name, nb);
        goto undo;
    }
    memcpy(copy, data, nb);
    v->data = copy;
    v->nbytes = nb;
    v->owns_data = true;
    return id;
undo:
    free(v->name);
    g->n_values--;
    return -1;
}

int mote_graph_node(mote_graph *g, const char *op, const char *name,
                    int n_in, const int *in_ids,
                    int n_out, const char *const *out_names, int *out_ids)
{
    if (!g || !op || !*op || n_in < 0 || n_out < 1 || (n_in && !in_ids)) {
        mote_error(MOTE_ERR_ARG, "graph: invalid node arguments (op %s)", op ? op : "NULL");
        return -1;
    }
    for (int i = 0; i < n_in; i++)
        if (in_ids[i] < -1 || in_ids[i] >= g->n_values) {
            mote_error(MOTE_ERR_GRAPH, "graph: node %s (%s): input %d refers to value %d, "
                       "which does not exist", name ? name : "?", op, i, in_ids[i]);
            return -1;
        }
    char auto_name[64];
    if (!name || !*name) {
        snprintf(auto_name, sizeof auto_name, "%s_%d", op, g->n_nodes);
        name = auto_name;
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
    n->out = malloc(sizeof(int) * (size_t)n_out);
    if (!n->op || !n->name || !n->in || !n->out) {
        mote_node_free(n);
        goto nomem;
    }
    n->n_in = n_in;
    memcpy(n->in, in_ids, sizeof(int) * (size_t)n_in);
    int first_value = g->n_values;
    for (int k = 0; k < n_out; k++) {
        char vname[512];
        const char *vn = out_names && out_names[k] && *out_names[k] ? out_names[k] : NULL;
        if (!vn) {
            snprintf(vname, sizeof vname, "%s:%d", name, k);
            vn = vname;
        }
        int id = mote_graph_add_value(g, vn, MOTE_VAL_ACT, MOTE_F32, 0, NULL);
        if (id < 0) {
            for (int j = first_value; j < g->n_values; j++) free(g->values[j].name);
            g->n_values = first_value;
            mote_node_free(n);
            return -1;
        }
        g->values[id].producer = g->n_nodes;
        g->values[id].ndim = -1;           /* unknown until inferred */
        n->out[k] = id;
        if (out_ids) out_ids[k] = id;
    }
    n->n_out = n_out;
    return g->n_nodes++;
nomem:
    mote_error(MOTE_ERR_NOMEM, "graph: out of memory adding node '%s'", name);
    return -1;
}

/* Returns the attribute slot for key on node (replacing an existing one). */
static mote_attr *attr_slot(mote_graph *g, int node, const char *key, mote_attr_type t)
{
    if (!g || node < 0 || node >= g->n_nodes) {
        mote_error(MOTE_ERR_ARG, "graph: attribute '%s' on invalid node %d", key ? key : "", node);
        return NULL;
    }
    if (!key || !*key) {
        mote_error(MOTE_ERR_ARG, "graph: node '%s' (%s): an attribute needs a non-empty name",
                   g->nodes[node].name, g->nodes[node].op);
        return NULL;
    }
    mote_node *n = &g->nodes[node];
    for (int i = 0; i < n->n_attr; i++)
        if (strcmp(n->attrs[i].name, key) == 0) {
            char *nm = n->attrs[i].name;
            n->attrs[i].name = NULL;
            attr_free(&n->attrs[i]);
            memset(&n->attrs[i], 0, sizeof n->attrs[i]);
            n->attrs[i].name = nm;
            n->attrs[i].type = t;
            return &n->attrs[i];
        }
    mote_attr *na = realloc(n->attrs, sizeof(mote_attr) * (size_t)(n->n_attr + 1));
    if (!na) goto nomem;
    n->attrs = na;
    mote_attr *a = &n->attrs[n->n_attr];
    memset(a, 0, sizeof *a);
    if (!(a->name = mote_strdup(key))) goto nomem;
    a->type = t;
    n->n_attr++;
    return a;
nomem:
    mote_error(MOTE_ERR_NOMEM, "graph: out of memory for attribute '%s'", key);
    return NULL;
}

mote_status mote_graph_attr_int(mote_graph *g, int node, const char *key, int64_t v)
{
    mote_attr *a = attr_slot(g, node, key, MOTE_ATTR_INT);
    if (!a) return MOTE_ERR_ARG;
    a->i = v;
    return MOTE_OK;
}

mote_status mote_graph_attr_float(mote_graph *g, int node, const char *key, float v)
{
    mote_attr *a = attr_slot(g, node, key, MOTE_ATTR_FLOAT);
    if (!a) return MOTE_ERR_ARG;
    a->f = v;
    return MOTE_OK;
}

mote_status mote_graph_attr_string(mote_graph *g, int node, const char *key, const char *v)
{
    if (!v) return mote_error(MOTE_ERR_ARG, "graph: attribute '%s': NULL string", key);
    mote_attr *a = attr_slot(g, node, key, MOTE_ATTR_STRING);
    if (!a) return MOTE_ERR_ARG;
    if (!(a->s = mote_strdup(v))) return mote_error(MOTE_ERR_NOMEM, "graph: out of memory");
    return MOTE_OK;
}

mote_status mote_graph_attr_ints(mote_graph *g, int node, const char *key,
                                 int n, const int64_t *v)
{
    if (n < 0 || (n && !v)) return mote_error(MOTE_ERR_ARG, "graph: attribute '%s': bad list", key);
    mote_attr *a = attr_slot(g, node, key, MOTE_ATTR_INTS);
    if (!a) return MOTE_ERR_ARG;
    if (!(a->ints = malloc(sizeof(int64_t) * (size_t)(n ? n : 1))))
        return mote_error(MOTE_ERR_NOMEM, "graph: out of memory");
    if (n) memcpy(a->ints, v, sizeof(int64_t) * (size_t)n);
    a->n = n;
    return MOTE_OK;
}

mote_status mote_graph_attr_floats(mote_graph *g, int node, const char *key,
                                   int n, const float *v)
{
    if (n < 0 || (n && !v)) return mote_error(MOTE_ERR_ARG, "graph: attribute '%s': bad list", key);
    mote_attr *a = attr_slot(g, node, key, MOTE_ATTR_FLOATS);
    if (!a) return MOTE_ERR_ARG;
    if (!(a->floats = malloc(sizeof(float) * (size_t)(n ? n : 1))))
        return mote_error(MOTE_ERR_NOMEM, "graph: out of memory");
    if (n) memcpy(a->floats, v, sizeof(float) * (size_t)n);
    a->n = n;
    return MOTE_OK;
}

mote_status mote_graph_attr_strings(mote_graph *g, int node, const char *key,
                                    int n, const char *const *v)
{
    if (n < 0 || (n && !v)) return mote_error(MOTE_ERR_ARG, "graph: attribute '%s': bad list", key);
    mote_attr *a = attr_slot(g, node, key, MOTE_ATTR_STRINGS);
    if (!a) return MOTE_ERR_ARG;
    if (!(a->strs = calloc((size_t)(n ? n : 1), sizeof(char *))))
        return mote_error(MOTE_ERR_NOMEM, "graph: out of memory");
    a->n = n;
    for (int i = 0; i < n; i++)
        if (!v[i] || !(a->strs[i] = mote_strdup(v[i])))
            return mote_error(MOTE_ERR_NOMEM, "graph: attribute '%s': bad string %d", key, i);
    return MOTE_OK;
}

mote_status mote_graph_attr_graph(mote_graph *g, int node, const char *key, mote_graph *body)
{
    if (!body) return mote_error(MOTE_ERR_ARG, "graph: attribute '%s': no subgraph", key ? key : "");
    mote_attr *a = attr_slot(g, node, key, MOTE_ATTR_GRAPH);
    if (!a) {
        mote_graph_free(body);
        return MOTE_ERR_ARG;
    }
    a->g = body;
    return MOTE_OK;
}

const mote_graph *mote_node_subgraph(const mote_node *n, const char *name)
{
    const mote_attr *a = mote_node_attr(n, name);
    return a && a->type == MOTE_ATTR_GRAPH ? a->g : NULL;
}

bool mote_graph_has_subgraphs(const mote_graph *g)
{
    for (int i = 0; i < g->n_nodes; i++)
        for (int a = 0; a < g->nodes[i].n_attr; a++)
            if (g->nodes[i].attrs[a].type == MOTE_ATTR_GRAPH) return true;
    return false;
}

mote_status mote_graph_output(mote_graph *g, int value)
{
    if (!g || value < 0 || value >= g->n_values)
        return mote_error(MOTE_ERR_ARG, "graph: output refers to value %d, which does not exist", value);
    if (!GROW(g->outputs, g->cap_outputs, g->n_outputs + 1))
        return mote_error(MOTE_ERR_NOMEM, "graph: out of memory");
    g->outputs[g->n_outputs++] = value;
    return MOTE_OK;
}

static mote_meta *meta_slot(mote_graph *g, const char *key)
{
    if (!g || !key || !*key) {
        mote_error(MOTE_ERR_ARG, "graph: metadata needs a key");
        return NULL;
    }
    for (int i = 0; i < g->n_meta; i++)
        if (strcmp(g->meta[i].key, key) == 0) {
            free(g->meta[i].s);
            g->meta[i].s = NULL;
            return &g->meta[i];
        }
    if (!GROW(g->meta, g->cap_meta, g->n_meta + 1)) goto nomem;
    mote_meta *m = &g->meta[g->n_meta];
    memset(m, 0, sizeof *m);
    if (!(m->key = mote_strdup(key))) goto nomem;
    g->n_meta++;
    return m;
nomem:
    mote_error(MOTE_ERR_NOMEM, "graph: out of memory");
    return NULL;
}

mote_status mote_graph_meta_string(mote_graph *g, const char *key, const char *v)
{
    mote_meta *m = meta_slot(g, key);
    if (!m) return MOTE_ERR_ARG;
    m->type = MOTE_META_STRING;
    if (!(m->s = mote_strdup(v ? v : ""))) return mote_error(MOTE_ERR_NOMEM, "graph: out of memory");
    return MOTE_OK;
}

mote_status mote_graph_meta_int(mote_graph *g, const char *key, int64_t v)
{
    char buf[32];
    mote_meta *m = meta_slot(g, key);
    if (!m) return MOTE_ERR_ARG;
    m->type = MOTE_META_INT;
    m->i = v;
    snprintf(buf, sizeof buf, "%lld", (long long)v);
    if (!(m->s = mote_strdup(buf))) return mote_error(MOTE_ERR_NOMEM, "graph: out of memory");
    return MOTE_OK;
}

mote_status mote_graph_meta_float(mote_graph *g, const char *key, double v)
{
    char buf[40];
    mote_meta *m = meta_slot(g, key);
    if (!m) return MOTE_ERR_ARG;
    m->type = MOTE_META_FLOAT;
    m->f = v;
    snprintf(buf, sizeof buf, "%.17g", v);
    if (!(m->s = mote_strdup(buf))) return mote_error(MOTE_ERR_NOMEM, "graph: out of memory");
    return MOTE_OK;
}

/* ---------------------------------------------------------------- helpers */

mote_tensor mote_value_tensor(const mote_value *v)
{
    mote_tensor t;
    memset(&t, 0, sizeof t);
    t.dtype = v->dtype;
    t.ndim = v->ndim < 0 ? 0 : v->ndim;
    for (int i = 0; i < t.ndim; i++) t.dims[i] = v->dims[i];
    t.data = (void *)v->data;
    return t;
}

const mote_attr *mote_node_attr(const mote_node *n, const char *name)
{
    for (int i = 0; i < n->n_attr; i++)
        if (strcmp(n->attrs[i].name, name) == 0) return &n->attrs[i];
    return NULL;
}

int64_t mote_attr_get_int(const mote_node *n, const char *name, int64_t dflt)
{
    const mote_attr *a = mote_node_attr(n, name);
    return (a && a->type == MOTE_ATTR_INT) ? a->i : dflt;
}

float mote_attr_get_float(const mote_node *n, const char *name, float dflt)
{
    const mote_attr *a = mote_node_attr(n, name);
    if (a && a->type == MOTE_ATTR_FLOAT) return a->f;
    if (a && a->type == MOTE_ATTR_INT) return (float)a->i;
    return dflt;
}

const char *mote_attr_get_string(const mote_node *n, const char *name, const char *dflt)
{
    const mote_attr *a = mote_node_attr(n, name);
    return (a && a->type == MOTE_ATTR_STRING) ? a->s : dflt;
}

int mote_attr_get_ints(const mote_node *n, const char *name, const int64_t **v)
{
    const mote_attr *a = mote_node_attr(n, name);
    if (!a || a->type != MOTE_ATTR_INTS) return -1;
    *v = a->ints;
    return a->n;
}

int mote_attr_get_floats(const mote_node *n, const char *name, const float **v)
{
    const mote_attr *a = mote_node_attr(n, name);
    if (!a || a->type != MOTE_ATTR_FLOATS) return -1;
    *v = a->floats;
    return a->n;
}
