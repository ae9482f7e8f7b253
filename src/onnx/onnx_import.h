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
} mote_onnx_ctx;

mote_status mote_onnx_names_put(mote_onnx_ctx *c, const char *name, int id);
int mote_onnx_names_get(const mote_onnx_ctx *c, const char *name);
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

/* Rewrites node n if its opset form differs from the current one mote's
 * ops implement; sets *handled when it added the node(s) itself. */
mote_status mote_onnx_legacy(mote_onnx_ctx *c, const mote_onnx_node *n, const char *name,
                             const char *label, bool *handled);

#endif
