/*
 * graph.h — the in-memory graph IR shared by the builder, the .mote reader
 * and writer, the importers, the optimization passes and the session.
 *
 * A graph is a list of values (tensors) and a list of nodes (ops). Values
 * are inputs, weights (constant data) or activations (produced by a node).
 * Nodes reference values by index. This is not the executor's format: the
 * session turns a graph into a flat array of steps.
 */
#ifndef MOTE_GRAPH_H
#define MOTE_GRAPH_H

#include <stdbool.h>
#include "mote.h"

typedef enum mote_attr_type {
    MOTE_ATTR_INT = 1,
    MOTE_ATTR_FLOAT = 2,
    MOTE_ATTR_STRING = 3,
    MOTE_ATTR_INTS = 4,
    MOTE_ATTR_FLOATS = 5,
    MOTE_ATTR_STRINGS = 6,
    MOTE_ATTR_GRAPH = 7      /* a subgraph: an If's branch, a Loop's body */
} mote_attr_type;

typedef struct mote_attr {
    char *name;
    mote_attr_type type;
    int64_t i;          /* INT                         */
    float f;            /* FLOAT                       */
    char *s;            /* STRING                      */
    int n;              /* element count of the lists  */
    int64_t *ints;      /* INTS    (n)                 */
    float *floats;      /* FLOATS  (n)                 */
    char **strs;        /* STRINGS (n)                 */
    struct mote_graph *g; /* GRAPH (owned): a closed subgraph, see below */
} mote_attr;

typedef enum mote_value_kind {
    MOTE_VAL_INPUT = 1,
    MOTE_VAL_WEIGHT = 2,
    MOTE_VAL_ACT = 3
} mote_value_kind;

typedef struct mote_value {
    char *name;
    mote_value_kind kind;
    mote_dtype dtype;
    int ndim;
    int64_t dims[MOTE_MAX_DIMS];   /* -1: unknown until a session fixes it */
    int producer;                  /* node index for ACT values, else -1   */
    const void *data;              /* WEIGHT: nbytes of data               */
    size_t nbytes;
    bool owns_data;                /* data was malloc'd by the graph       */
} mote_value;

typedef struct mote_node {
    char *op;            /* ONNX op type, e.g. "Conv"         */
    char *name;          /* unique within the graph           */
    int n_in;
    int *in;             /* value ids; -1 = absent optional   */
    int n_out;
    int *out;            /* value ids                         */
    int n_attr;
    mote_attr *attrs;
} mote_node;

typedef enum mote_meta_type {
    MOTE_META_STRING = 1,
    MOTE_META_INT = 2,
    MOTE_META_FLOAT = 3
} mote_meta_type;

typedef struct mote_meta {
    char *key;
    mote_meta_type type;
    char *s;             /* STRING; also the formatted text of INT/FLOAT */
    int64_t i;
    double f;
} mote_meta;

struct mote_graph {
    mote_value *values;  int n_values, cap_values;
    mote_node *nodes;    int n_nodes, cap_nodes;
    int *inputs;         int n_inputs, cap_inputs;    /* value ids */
    int *outputs;        int n_outputs, cap_outputs;  /* value ids */
    mote_meta *meta;     int n_meta, cap_meta;
    /* Name -> id hash indexes (graph.c), built lazily: they cover ids
     * [0, n_indexed) and every hit is checked against the name, so ids
     * removed or reused leave only harmless stale slots. Code that renames
     * or renumbers values or nodes outside graph.c calls
     * mote_graph_rename_value or mote_graph_names_changed. */
    struct mote_name_index { int *slot; int cap, used, n_indexed; } vidx, nidx;
};

/* --- helpers used across src/ (graph.c) --- */

/* A tensor view of value v (data = weight data or NULL). */
mote_tensor mote_value_tensor(const mote_value *v);
/* Attribute lookup; NULL if absent. */
const mote_attr *mote_node_attr(const mote_node *n, const char *name);
int64_t mote_attr_get_int(const mote_node *n, const char *name, int64_t dflt);
float mote_attr_get_float(const mote_node *n, const char *name, float dflt);
const char *mote_attr_get_string(const mote_node *n, const char *name, const char *dflt);
/* List attributes: returns the count (-1 if absent) and the array. */
int mote_attr_get_ints(const mote_node *n, const char *name, const int64_t **v);
int mote_attr_get_floats(const mote_node *n, const char *name, const float **v);

/*
 * Subgraphs (GRAPH attributes) are closed: a body holds no weights and
 * references no value of the graph around it. What a body reads from
 * outside (an outer activation, weight or input) is an input of the body,
 * bound to an input of its node: the node lists everything its bodies
 * read, so the outer graph's dataflow (order, liveness, dead nodes) is
 * complete without looking inside. docs/format.md fixes which node input
 * binds which body input for If and Loop.
 */
#define MOTE_GRAPH_MAX_DEPTH 8   /* subgraphs nested in subgraphs, at most */
/* Sets GRAPH attribute key of node to body, which the graph then owns
 * (also on failure, when it is freed). */
mote_status mote_graph_attr_graph(mote_graph *g, int node, const char *key, mote_graph *body);
/* Appends a node whose outputs are existing activations without a
 * producer (it becomes theirs), with the attributes of attrs_from when it
 * is not NULL (subgraphs included, copied). Returns its id, or -1 with an
 * error recorded. */
int mote_graph_node_with_outputs(mote_graph *g, const char *op, const char *name, int n_in,
                                 const int *in, int n_out, const int *out,
                                 const mote_node *attrs_from);
/* The subgraph in GRAPH attribute name of n, or NULL. */
const mote_graph *mote_node_subgraph(const mote_node *n, const char *name);
/* True when some node of g holds a subgraph. */
bool mote_graph_has_subgraphs(const mote_graph *g);

/* Nodes in an order where every producer comes before its consumers.
 * order must hold n_nodes ints. MOTE_ERR_GRAPH on a cycle. */
mote_status mote_graph_topo_order(const mote_graph *g, int *order);

/* Node id by name; -1 if none. */
int mote_graph_find_node(const mote_graph *g, const char *name);
/* Renames value v (the index follows); MOTE_ERR_NOMEM on failure. */
mote_status mote_graph_rename_value(mote_graph *g, int v, const char *name);
/* Drops the name indexes after values or nodes were renamed or
 * renumbered in place; the next lookup rebuilds them. */
void mote_graph_names_changed(mote_graph *g);

/* Adds a value without data ownership (the reader points into the mmap). */
int mote_graph_add_value(mote_graph *g, const char *name, mote_value_kind kind,
                         mote_dtype dtype, int ndim, const int64_t *dims);
/* Removes nodes marked in `dead` (n_nodes bools) and values no longer
 * referenced (except inputs and outputs); renumbers. Used by passes. */
mote_status mote_graph_compact(mote_graph *g, const bool *dead_nodes);
/* Removes nodes marked in `dead` (n_nodes bools); values keep their ids,
 * and one whose producer was removed has producer -1. */
mote_status mote_graph_remove_nodes(mote_graph *g, const bool *dead);
/* Deep copy (weight data shared, not owned, if share_data). */
mote_graph *mote_graph_clone(const mote_graph *g, bool share_data);
/* Frees what node n owns (names, lists, attributes), not n itself. */
void mote_node_free(mote_node *n);
/* Grows *arr (element size sz, capacity *cap) so that it holds at least
 * need elements, doubling; false when out of memory or past 2^28. GROW
 * is the form the graph's own files use on their arrays. */
bool mote_graph_grow(void **arr, int *cap, int need, size_t sz);
#define GROW(arr, cap, need) mote_graph_grow((void **)&(arr), &(cap), (need), sizeof *(arr))

/* Element i of an array of dtype t, as a double (i64 beyond 2^53 rounds). */
double mote_elem_f64(const void *data, mote_dtype t, int64_t i);
static inline double mote_tensor_elem(const mote_tensor *t, int64_t i)
{
    return mote_elem_f64(t->data, t->dtype, i);
}

/* The graph of a model (read-only view). */
const mote_graph *mote_model_graph(const mote_model *m);

#endif
