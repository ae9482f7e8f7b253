/*
 * onnx_import.h — the importer's working state and helpers shared by
 * import.c and onnx_legacy.c. Internal to src/onnx/.
 */
#ifndef MOTE_ONNX_IMPORT_H
#define MOTE_ONNX_IMPORT_H

#include <stdbool.h>
#include "graph/graph.h"
#include "onnx_proto.h"

struct mote_onnx_name {
    const char *name;   /* points into the parsed model (lives as long as it) */
    int id;             /* mote value id                                       */
};

typedef struct mote_onnx_ctx {
    const mote_onnx_model *m;
    mote_graph *g;
    const char *dir;            /* model directory for external data, or NULL  */
    int64_t opset;              /* default-domain opset version                */
    struct mote_onnx_name *names; size_t n_names, cap_names; /* ONNX name -> id */
    int n_synth;                /* counter for names the importer invents      */
    char **kept; size_t n_kept, cap_kept; /* names the map points at that an
                                   If's renaming replaced (onnx_control.c);
                                   freed when the import ends                */
    /* a Loop's body (onnx_control.c): the context around, and the values
     * it captures, as pairs (outer id, body input id) */
    struct mote_onnx_ctx *parent;
    int *captures; size_t n_captures, cap_captures;
} mote_onnx_ctx;

mote_status mote_onnx_names_put(mote_onnx_ctx *c, const char *name, int id);
int mote_onnx_names_get(const mote_onnx_ctx *c, const char *name);
/* In a Loop's body: name, defined around it, made an input of the body
 * (onnx_control.c); -1 if no graph around defines it. */
int mote_onnx_capture(mote_onnx_ctx *c, const char *name);
/* "node 'conv1' (Conv)" for messages. */
const char *mote_onnx_node_label(const mote_onnx_node *n, char *buf, size_t len);
mote_status mote_onnx_add_tensor(mote_onnx_ctx *c, const mote_onnx_tensor *t,
                                 const char *name, int *id);
/* The node's attributes against its op's schema (onnx_attrs.c): unknown
 * names and wrong types are errors naming the node. */
mote_status mote_onnx_check_attrs(const mote_onnx_node *n, const char *label);
mote_status mote_onnx_copy_attrs(mote_onnx_ctx *c, int node, const mote_onnx_node *n,
                                 const char *label);
mote_status mote_onnx_input_ids(mote_onnx_ctx *c, const mote_onnx_node *n, int *ids,
                                const char *label);
mote_status mote_onnx_emit(mote_onnx_ctx *c, const char *op, const char *name,
                           int n_in, const int *in, int n_out, const char *const *outs,
                           int *out_ids, int *node);

/* Imports one node (import.c); index names an unnamed one. */
mote_status mote_onnx_import_node(mote_onnx_ctx *c, const mote_onnx_node *n, size_t index);
/* If: both branches inlined, a Where per output (onnx_control.c); n's
 * branches are renamed in place. */
mote_status mote_onnx_import_if(mote_onnx_ctx *c, const mote_onnx_node *n, const char *name,
                                const char *label);

/* Loop: one node holding its body as a subgraph, closed over what it
 * reads from outside (onnx_control.c). */
mote_status mote_onnx_import_loop(mote_onnx_ctx *c, const mote_onnx_node *n, const char *name,
                                  const char *label);

/* Rewrites node n if its opset form differs from the current one mote's
 * ops implement; sets *handled when it added the node(s) itself. */
mote_status mote_onnx_legacy(mote_onnx_ctx *c, const mote_onnx_node *n, const char *name,
                             const char *label, bool *handled);

/* Every op, element type and subgraph attribute of c->m that mote cannot
 * import, in one MOTE_ERR_UNSUPPORTED error (onnx_support.c). */
mote_status mote_onnx_check_support(const mote_onnx_ctx *c);
/* True when onnx_legacy.c rewrites op_type at c's opset into ops mote has. */
bool mote_onnx_legacy_handles(const mote_onnx_ctx *c, const char *op_type);

/* float16 models computed in f32 (onnx_f16.c). Upcasts an f16 tensor's
 * data (malloc'd, replaced) to f32; other dtypes are left alone. */
mote_status mote_onnx_f16_upcast(mote_dtype *dt, void **data, size_t *nbytes);
/* After a node's attributes are copied: Cast to FLOAT16 becomes FLOAT. */
mote_status mote_onnx_f16_node(mote_onnx_ctx *c, int node, const mote_onnx_node *n);
/* Maps graph input `name` (value id, dtype dt); an f16 input through a Cast to f32. */
mote_status mote_onnx_f16_input(mote_onnx_ctx *c, const char *name, int id, mote_dtype dt);
/* renamed[i] (malloc'd) = "NAME.f32" for each output declared f16, else NULL. */
mote_status mote_onnx_f16_rename_outputs(const mote_onnx_ctx *c, int n_out, const char *const *outs,
                                         char **renamed, bool *any);
/* After the node: a Cast to f16 named like each f16 output, from out_ids[i]. */
mote_status mote_onnx_f16_finish_outputs(mote_onnx_ctx *c, int n_out, const char *const *outs,
                                         const int *out_ids);

/* A topological order of g's nodes (onnx_order.c): *order, malloc'd, lists
 * every node index once, producers before users, otherwise in file order.
 * MOTE_ERR_GRAPH naming the nodes when they form a cycle. */
mote_status mote_onnx_node_order(const mote_onnx_graph *g, size_t **order);

#endif
