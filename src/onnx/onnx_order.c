/*
 * onnx_order.c — the order in which the importer visits an ONNX graph's
 * nodes: a topological order (each node after the nodes that produce its
 * inputs). ONNX allows a node list in any order that has one; some exporters
 * write a node after its consumer. Among the valid orders this picks the one
 * closest to the file's (always the next ready node with the lowest index),
 * so an already sorted list keeps its order exactly. A node with subgraphs
 * (If) also waits for the producers of the outer values its subgraphs
 * read. A cycle is an error naming the nodes on it. Not the import itself
 * (import.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "graph/internal.h"
#include "onnx_import.h"

/* FNV-1a over a value name. */
static uint64_t name_hash(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++)
        h = (h ^ (uint8_t)*s) * 1099511628211ull;
    return h;
}

typedef struct {
    const char **key;   /* output name, NULL for an empty slot        */
    size_t *node;       /* its first producer                         */
    size_t cap;         /* a power of two, at least twice the entries */
} producer_map;

static size_t map_find(const producer_map *m, const char *name)
{
    size_t j = name_hash(name) & (m->cap - 1);
    while (m->key[j] && strcmp(m->key[j], name))
        j = (j + 1) & (m->cap - 1);
    return j;
}

/* A binary min-heap of node indices: the ready node earliest in the file. */
static void heap_push(size_t *h, size_t *n, size_t v)
{
    size_t i = (*n)++;
    while (i && h[(i - 1) / 2] > v) {
        h[i] = h[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    h[i] = v;
}

static size_t heap_pop(size_t *h, size_t *n)
{
    size_t top = h[0], last = h[--*n], i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= *n)
            break;
        if (c + 1 < *n && h[c + 1] < h[c])
            c++;
        if (h[c] >= last)
            break;
        h[i] = h[c];
        i = c;
    }
    if (*n)
        h[i] = last;
    return top;
}

/* The names node i depends on: its inputs, then every input of a node in
 * its subgraphs (recursively; names a subgraph defines itself are in no
 * outer producer's map, so they add no edge). */
typedef struct dep_list {
    const char **names;
    size_t n, cap;
} dep_list;

static bool dep_add(dep_list *d, const char *name)
{
    if (d->n == d->cap) {
        size_t nc = d->cap ? 2 * d->cap : 8;
        const char **nn = realloc(d->names, nc * sizeof *nn);
        if (!nn)
            return false;
        d->names = nn;
        d->cap = nc;
    }
    d->names[d->n++] = name;
    return true;
}

static bool dep_collect(dep_list *d, const mote_onnx_graph *sub)
{
    for (size_t i = 0; i < sub->n_nodes; i++) {
        const mote_onnx_node *n = &sub->nodes[i];
        for (size_t k = 0; k < n->n_in; k++)
            if (!dep_add(d, n->in[k]))
                return false;
        for (size_t a = 0; a < n->n_attrs; a++)
            for (int j = 0; j < n->attrs[a].n_graphs; j++)
                if (!dep_collect(d, &n->attrs[a].graphs[j]))
                    return false;
    }
    for (size_t i = 0; i < sub->n_outputs; i++)   /* an output may be an outer value */
        if (!dep_add(d, sub->outputs[i].name))
            return false;
    return true;
}

static bool deps_of(const mote_onnx_node *n, dep_list *d)
{
    for (size_t k = 0; k < n->n_in; k++)
        if (!dep_add(d, n->in[k]))
            return false;
    for (size_t a = 0; a < n->n_attrs; a++)
        for (int j = 0; j < n->attrs[a].n_graphs; j++)
            if (!dep_collect(d, &n->attrs[a].graphs[j]))
                return false;
    return true;
}

/* The producer of `name` read by node `i` (SIZE_MAX: a graph input,
 * initializer, absent optional input or unknown name). When several nodes
 * write the same name (invalid ONNX, tolerated as "a later definition
 * shadows"), the nearest one before `i` is taken, else the first. */
static size_t producer_of(const producer_map *m, const size_t *next_same, size_t i, const char *name)
{
    if (!name || !*name)
        return SIZE_MAX;
    size_t j = map_find(m, name);
    if (!m->key[j])
        return SIZE_MAX;
    size_t first = m->node[j], best = SIZE_MAX;
    for (size_t p = first; p != SIZE_MAX; p = next_same[p])
        if (p < i)
            best = p;
    return best != SIZE_MAX ? best : first;
}

/* Names the nodes of one cycle among the nodes left unsorted. */
static mote_status cycle_error(const mote_onnx_graph *g, const producer_map *m,
                               const size_t *next_same, const size_t *indeg, const dep_list *deps)
{
    size_t n = g->n_nodes, start = 0;
    while (start < n && !indeg[start])
        start++;
    /* Walk backwards along unsorted producers: the walk must revisit a
     * node, and the nodes from its first visit on form a cycle. */
    size_t *seen_at = malloc(n * sizeof *seen_at), *path = malloc(n * sizeof *path);
    if (!seen_at || !path) {
        free(seen_at);
        free(path);
        return mote_error(MOTE_ERR_GRAPH, "the node graph has a cycle");
    }
    for (size_t i = 0; i < n; i++)
        seen_at[i] = SIZE_MAX;
    size_t len = 0, cur = start;
    while (seen_at[cur] == SIZE_MAX) {
        seen_at[cur] = len;
        path[len++] = cur;
        size_t next = SIZE_MAX;
        for (size_t k = 0; k < deps[cur].n && next == SIZE_MAX; k++) {
            size_t p = producer_of(m, next_same, cur, deps[cur].names[k]);
            if (p != SIZE_MAX && indeg[p] && !(p == cur && k >= g->nodes[cur].n_in))
                next = p;
        }
        if (next == SIZE_MAX)
            break;   /* cannot happen: an unsorted node waits on an unsorted producer */
        cur = next;
    }
    char msg[1024];
    size_t used = (size_t)snprintf(msg, sizeof msg, "the node graph has a cycle:");
    size_t from = seen_at[cur] == SIZE_MAX ? 0 : seen_at[cur];
    for (size_t k = len; k-- > from && used < sizeof msg;) {
        char label[256];
        mote_onnx_node_label(&g->nodes[path[k]], label, sizeof label);
        used += (size_t)snprintf(msg + used, sizeof msg - used, "%s %s", k + 1 == len ? "" : " ->",
                                 label);
    }
    free(seen_at);
    free(path);
    return mote_error(MOTE_ERR_GRAPH, "%s", msg);
}

mote_status mote_onnx_node_order(const mote_onnx_graph *g, size_t **order_out)
{
    size_t n = g->n_nodes;
    *order_out = NULL;
    producer_map m = {0};
    m.cap = 16;
    size_t n_outs = 0;
    for (size_t i = 0; i < n; i++)
        n_outs += g->nodes[i].n_out;
    while (m.cap < 2 * n_outs + 2)
        m.cap *= 2;
    m.key = calloc(m.cap, sizeof *m.key);
    m.node = malloc(m.cap * sizeof *m.node);
    size_t *next_same = malloc((n + 1) * sizeof *next_same);
    size_t *indeg = calloc(n + 1, sizeof *indeg);
    size_t *n_users = calloc(n + 1, sizeof *n_users);
    size_t *order = malloc((n + 1) * sizeof *order);
    size_t *heap = malloc((n + 1) * sizeof *heap);
    size_t *user_start = NULL, *users = NULL;
    dep_list *deps = NULL;
    mote_status st = MOTE_OK;
    if (!m.key || !m.node || !next_same || !indeg || !n_users || !order || !heap) {
        st = mote_error(MOTE_ERR_NOMEM, "out of memory for the node order");
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        next_same[i] = SIZE_MAX;
        for (size_t k = 0; k < g->nodes[i].n_out; k++) {
            const char *o = g->nodes[i].out[k];
            if (!o || !*o)
                continue;
            size_t j = map_find(&m, o);
            if (!m.key[j]) {
                m.key[j] = o;
                m.node[j] = i;
            } else if (m.node[j] != i) {
                size_t p = m.node[j];   /* append i to the chain of producers */
                while (next_same[p] != SIZE_MAX && next_same[p] != i)
                    p = next_same[p];
                if (next_same[p] == SIZE_MAX)
                    next_same[p] = i;
            }
        }
    }
    /* Edges producer -> user, as counts then a flat list (CSR). One edge per
     * input, so a node reading a value twice counts it twice on both sides. */
    size_t n_edges = 0;
    deps = calloc(n + 1, sizeof *deps);
    if (!deps) {
        st = mote_error(MOTE_ERR_NOMEM, "out of memory for the node order");
        goto done;
    }
    for (size_t i = 0; i < n; i++)
        if (!deps_of(&g->nodes[i], &deps[i])) {
            st = mote_error(MOTE_ERR_NOMEM, "out of memory for the node order");
            goto done;
        }
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < deps[i].n; k++) {
            size_t p = producer_of(&m, next_same, i, deps[i].names[k]);
            if (p == SIZE_MAX || (p == i && k >= g->nodes[i].n_in))
                continue;   /* (a subgraph name like the node's own output: no edge) */
            n_users[p]++;
            indeg[i]++;
            n_edges++;
        }
    user_start = malloc((n + 1) * sizeof *user_start);
    users = malloc((n_edges + 1) * sizeof *users);
    if (!user_start || !users) {
        st = mote_error(MOTE_ERR_NOMEM, "out of memory for the node order");
        goto done;
    }
    user_start[0] = 0;
    for (size_t i = 0; i < n; i++)
        user_start[i + 1] = user_start[i] + n_users[i];
    for (size_t i = 0; i < n; i++)
        n_users[i] = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < deps[i].n; k++) {
            size_t p = producer_of(&m, next_same, i, deps[i].names[k]);
            if (p != SIZE_MAX && !(p == i && k >= g->nodes[i].n_in))
                users[user_start[p] + n_users[p]++] = i;
        }
    size_t n_heap = 0, n_done = 0;
    for (size_t i = 0; i < n; i++)
        if (!indeg[i])
            heap_push(heap, &n_heap, i);
    while (n_heap) {
        size_t i = heap_pop(heap, &n_heap);
        order[n_done++] = i;
        for (size_t e = user_start[i]; e < user_start[i + 1]; e++)
            if (--indeg[users[e]] == 0)
                heap_push(heap, &n_heap, users[e]);
    }
    if (n_done < n) {
        st = cycle_error(g, &m, next_same, indeg, deps);
        goto done;
    }
    *order_out = order;
    order = NULL;
done:
    for (size_t i = 0; deps && i < n; i++)
        free(deps[i].names);
    free(deps);
    free(m.key);
    free(m.node);
    free(next_same);
    free(indeg);
    free(n_users);
    free(order);
    free(heap);
    free(user_start);
    free(users);
    return st;
}
