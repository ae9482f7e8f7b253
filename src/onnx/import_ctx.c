/*
 * import_ctx.c — the ONNX importer's working state (onnx_import.h): the map
 * from ONNX value names to mote value ids, adding initializers as weights,
 * copying a node's attributes (checked against the op's schema), reading a
 * node's inputs and emitting mote nodes. Used by import.c and by the
 * rewriters of older opset forms and control flow (onnx_legacy.c,
 * onnx_control.c); it calls none of them, so no file of the importer calls
 * back into the one that called it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "graph/graph.h"
#include "graph/internal.h"
#include "onnx_import.h"

/* ------------------------------------------------------------- name map */

/* FNV-1a: a short, good-enough string hash for value names. */
static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++)
        h = (h ^ (uint8_t)*s) * 1099511628211ull;
    return h;
}

mote_status mote_onnx_names_put(mote_onnx_ctx *c, const char *name, int id)
{
    if ((c->n_names + 1) * 2 > c->cap_names) {
        size_t nc = c->cap_names ? c->cap_names * 2 : 256;
        struct mote_onnx_name *t = calloc(nc, sizeof *t);
        if (!t)
            return mote_error(MOTE_ERR_NOMEM, "out of memory for the value names");
        for (size_t i = 0; i < c->cap_names; i++) {
            if (!c->names[i].name)
                continue;
            size_t j = hash_str(c->names[i].name) & (nc - 1);
            while (t[j].name)
                j = (j + 1) & (nc - 1);
            t[j] = c->names[i];
        }
        free(c->names);
        c->names = t;
        c->cap_names = nc;
    }
    size_t j = hash_str(name) & (c->cap_names - 1);
    while (c->names[j].name) {
        if (!strcmp(c->names[j].name, name)) {
            c->names[j].id = id;   /* a later definition shadows */
            return MOTE_OK;
        }
        j = (j + 1) & (c->cap_names - 1);
    }
    c->names[j].name = name;
    c->names[j].id = id;
    c->n_names++;
    return MOTE_OK;
}

int mote_onnx_names_get(const mote_onnx_ctx *c, const char *name)
{
    if (c->cap_names) {
        size_t j = hash_str(name) & (c->cap_names - 1);
        while (c->names[j].name) {
            if (!strcmp(c->names[j].name, name))
                return c->names[j].id;
            j = (j + 1) & (c->cap_names - 1);
        }
    }
    /* in a Loop's body, a name of the graphs around is captured (the
     * context is the importer's own, never a caller's constant) */
    return c->parent ? mote_onnx_capture((mote_onnx_ctx *)c, name) : -1;
}

/* ---------------------------------------------------------------- nodes */

const char *mote_onnx_node_label(const mote_onnx_node *n, char *buf, size_t len)
{
    if (n->name && *n->name)
        snprintf(buf, len, "node '%s' (%s)", n->name, n->op_type);
    else
        snprintf(buf, len, "node producing '%s' (%s)", n->n_out ? n->out[0] : "?", n->op_type);
    return buf;
}

/* Adds a weight from an ONNX tensor under `name`. */
mote_status mote_onnx_add_tensor(mote_onnx_ctx *c, const mote_onnx_tensor *t,
                                 const char *name, int *id)
{
    mote_dtype dt;
    void *data;
    size_t nbytes;
    mote_status st = mote_onnx_tensor_data(t, c->dir, &dt, &data, &nbytes);
    if (st)
        return mote_error_wrap(st, name);
    if ((st = mote_onnx_f16_upcast(&dt, &data, &nbytes))) {   /* onnx_f16.c */
        free(data);
        return st;
    }
    *id = mote_graph_weight(c->g, name, dt, t->ndim, t->dims, data);
    free(data);
    if (*id < 0)
        return mote_error(MOTE_ERR_GRAPH, "cannot add weight '%s': %s", name, mote_last_error());
    return mote_onnx_names_put(c, name, *id);
}

/* A TENSOR attribute (ConstantOfShape's value, ...) becomes a list
 * attribute of its elements plus "_<name>_dtype" (the mote dtype code). */
static mote_status tensor_attr(mote_onnx_ctx *c, int node, const mote_onnx_attr *a,
                               const char *label)
{
    mote_dtype dt;
    void *data;
    size_t nbytes;
    mote_status st = mote_onnx_tensor_data(a->t, c->dir, &dt, &data, &nbytes);
    if (st)
        return mote_error_wrap(st, label);
    size_t n = nbytes / mote_dtype_size(dt);
    if (n > 4096) {
        free(data);
        return mote_error(MOTE_ERR_UNSUPPORTED, "%s: tensor attribute '%s' is too large (%zu elements)",
                          label, a->name, n);
    }
    int64_t *iv = malloc((n ? n : 1) * sizeof *iv);
    float *fv = malloc((n ? n : 1) * sizeof *fv);
    if (!iv || !fv) {
        free(iv); free(fv); free(data);
        return mote_error(MOTE_ERR_NOMEM, "out of memory");
    }
    bool is_float = dt == MOTE_F32 || dt == MOTE_F16 || dt == MOTE_BF16;
    for (size_t i = 0; i < n; i++) {
        const uint8_t *p = (const uint8_t *)data;
        switch (dt) {
        case MOTE_F32: fv[i] = ((const float *)data)[i]; break;
        case MOTE_F16: fv[i] = mote_f16_to_f32(((const uint16_t *)data)[i]); break;
        case MOTE_BF16: fv[i] = mote_bf16_to_f32(((const uint16_t *)data)[i]); break;
        case MOTE_I8: iv[i] = ((const int8_t *)data)[i]; break;
        case MOTE_U8: case MOTE_BOOL: iv[i] = p[i]; break;
        case MOTE_I32: iv[i] = ((const int32_t *)data)[i]; break;
        case MOTE_I64: iv[i] = ((const int64_t *)data)[i]; break;
        }
    }
    char key[256];
    snprintf(key, sizeof key, "_%s_dtype", a->name);
    st = is_float ? mote_graph_attr_floats(c->g, node, a->name, (int)n, fv)
                  : mote_graph_attr_ints(c->g, node, a->name, (int)n, iv);
    if (!st)
        st = mote_graph_attr_int(c->g, node, key, (int64_t)(dt == MOTE_F16 ? MOTE_F32 : dt));
    free(iv); free(fv); free(data);
    return st;
}

mote_status mote_onnx_copy_attrs(mote_onnx_ctx *c, int node, const mote_onnx_node *n,
                                 const char *label)
{
    mote_status st = MOTE_OK;
    for (size_t i = 0; i < n->n_attrs && !st; i++) {
        const mote_onnx_attr *a = &n->attrs[i];
        const char *an = a->name ? a->name : "";
        if (a->ref_attr_name)
            return mote_error(MOTE_ERR_UNSUPPORTED, "%s: attribute '%s' refers to a function attribute",
                              label, an);
        int type = a->type;
        switch (type) {
        case MOTE_ONNX_ATTR_FLOAT: st = mote_graph_attr_float(c->g, node, an, a->f); break;
        case MOTE_ONNX_ATTR_INT: st = mote_graph_attr_int(c->g, node, an, a->i); break;
        case MOTE_ONNX_ATTR_STRING: st = mote_graph_attr_string(c->g, node, an, a->s ? a->s : ""); break;
        case MOTE_ONNX_ATTR_FLOATS:
            st = mote_graph_attr_floats(c->g, node, an, (int)a->n_floats, a->floats);
            break;
        case MOTE_ONNX_ATTR_INTS:
            st = mote_graph_attr_ints(c->g, node, an, (int)a->n_ints, a->ints);
            break;
        case MOTE_ONNX_ATTR_STRINGS:
            st = mote_graph_attr_strings(c->g, node, an, (int)a->n_strings,
                                         (const char *const *)a->strings);
            break;
        case MOTE_ONNX_ATTR_TENSOR:
            if (!a->t)
                return mote_error(MOTE_ERR_FORMAT, "%s: tensor attribute '%s' holds no tensor", label, an);
            st = tensor_attr(c, node, a, label);
            break;
        case MOTE_ONNX_ATTR_GRAPH: case MOTE_ONNX_ATTR_GRAPHS:
            return mote_error(MOTE_ERR_UNSUPPORTED,
                              "%s: attribute '%s' is a subgraph; control flow (If/Loop/Scan) is not supported",
                              label, an);
        case MOTE_ONNX_ATTR_TENSORS:
            return mote_error(MOTE_ERR_UNSUPPORTED, "%s: attribute '%s' is a tensor list; not supported",
                              label, an);
        default:
            return mote_error(MOTE_ERR_UNSUPPORTED, "%s: attribute '%s' has unsupported type %d",
                              label, an, type);
        }
    }
    return st;
}

/* Input ids of an ONNX node; "" is an absent optional input (-1). */
mote_status mote_onnx_input_ids(mote_onnx_ctx *c, const mote_onnx_node *n, int *ids,
                                const char *label)
{
    for (size_t i = 0; i < n->n_in; i++) {
        if (!*n->in[i]) {
            ids[i] = -1;
            continue;
        }
        ids[i] = mote_onnx_names_get(c, n->in[i]);
        if (ids[i] < 0)
            return mote_error(MOTE_ERR_GRAPH,
                              "%s: input '%s' is not a graph input, initializer or the output of an earlier node",
                              label, n->in[i]);
    }
    return MOTE_OK;
}

/* Adds a node of `op` with the ONNX node's inputs (ids) and outputs.
 * Outputs the model declares float16 are made in f32 under another name,
 * then cast to f16 under their own (onnx_f16.c). */
mote_status mote_onnx_emit(mote_onnx_ctx *c, const char *op, const char *name,
                           int n_in, const int *in, int n_out, const char *const *outs,
                           int *out_ids, int *node)
{
    char **f32 = calloc((size_t)n_out + 1, sizeof *f32);
    const char **names = calloc((size_t)n_out + 1, sizeof *names);
    bool any = false;
    mote_status st = f32 && names ? mote_onnx_f16_rename_outputs(c, n_out, outs, f32, &any)
                                  : mote_error(MOTE_ERR_NOMEM, "out of memory");
    for (int i = 0; !st && i < n_out; i++)
        names[i] = f32[i] ? f32[i] : outs ? outs[i] : NULL;
    if (!st) {
        *node = mote_graph_node(c->g, op, name, n_in, in, n_out, any ? names : outs, out_ids);
        if (*node < 0)
            st = mote_error(MOTE_ERR_GRAPH, "cannot add node '%s' (%s): %s", name, op, mote_last_error());
    }
    for (int i = 0; !st && i < n_out; i++)
        if (outs && outs[i] && *outs[i] && !f32[i])
            st = mote_onnx_names_put(c, outs[i], out_ids[i]);
    if (!st && any)
        st = mote_onnx_f16_finish_outputs(c, n_out, outs, out_ids);
    for (int i = 0; f32 && i < n_out; i++)
        free(f32[i]);
    free(f32);
    free(names);
    return st;
}
