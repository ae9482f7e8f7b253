/*
 * onnx_legacy.c — rewrites nodes whose meaning changed between opsets into
 * the current form that mote's ops implement.
 *
 * Softmax, LogSoftmax and Hardmax before opset 13 coerce the input to 2-D
 * at `axis` (default 1) and normalize over the whole trailing block.
 * Softmax and LogSoftmax implement that form themselves when the node
 * carries the mote-private attribute "_legacy_axis" = 1, which is what
 * this file adds; Hardmax is rewritten as
 *     y = Reshape(Op(Flatten(x, axis), axis=-1), Shape(x)) Ops whose attributes moved
 * to inputs (Squeeze, Unsqueeze, Split, Clip, Pad, Reduce*, Slice) accept
 * both forms in their own infer functions, so they need nothing here.
 * Not the generic node import (import.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "graph/internal.h"
#include "onnx_import.h"

static mote_status legacy_softmax(mote_onnx_ctx *c, const mote_onnx_node *n, const char *name,
                                  const char *label)
{
    if (n->n_in != 1 || n->n_out != 1)
        return mote_error(MOTE_ERR_FORMAT, "%s: expects one input and one output", label);
    int64_t axis = 1;
    for (size_t i = 0; i < n->n_attrs; i++)
        if (!strcmp(n->attrs[i].name, "axis"))
            axis = n->attrs[i].i;
    int x;
    mote_status st = mote_onnx_input_ids(c, n, &x, label);
    if (st)
        return st;
    char nm[3][300], on[3][300];
    snprintf(nm[0], sizeof nm[0], "%s/flatten", name);
    snprintf(nm[1], sizeof nm[1], "%s/shape", name);
    snprintf(nm[2], sizeof nm[2], "%s/2d", name);
    snprintf(on[0], sizeof on[0], "%s/flat:0", name);
    snprintf(on[1], sizeof on[1], "%s/shape:0", name);
    snprintf(on[2], sizeof on[2], "%s/2d:0", name);
    const char *o0 = on[0], *o1 = on[1], *o2 = on[2];
    int flat, shape, y2, node;
    if ((st = mote_onnx_emit(c, "Flatten", nm[0], 1, &x, 1, &o0, &flat, &node)) ||
        (st = mote_graph_attr_int(c->g, node, "axis", axis)))
        return st;
    if ((st = mote_onnx_emit(c, n->op_type, nm[2], 1, &flat, 1, &o2, &y2, &node)) ||
        (st = mote_graph_attr_int(c->g, node, "axis", -1)))
        return st;
    if ((st = mote_onnx_emit(c, "Shape", nm[1], 1, &x, 1, &o1, &shape, &node)))
        return st;
    int in[2] = {y2, shape}, y;
    return mote_onnx_emit(c, "Reshape", name, 2, in, 1, (const char *const *)n->out, &y, &node);
}

/* Softmax / LogSoftmax < 13: the node as it is, plus _legacy_axis = 1. */
static mote_status legacy_attr(mote_onnx_ctx *c, const mote_onnx_node *n, const char *name,
                               const char *label)
{
    int *in = calloc(n->n_in + 1, sizeof *in), *out = calloc(n->n_out + 1, sizeof *out);
    int node;
    mote_status st = in && out ? MOTE_OK : mote_error(MOTE_ERR_NOMEM, "out of memory");
    if (!st)
        st = mote_onnx_input_ids(c, n, in, label);
    if (!st)
        st = mote_onnx_emit(c, n->op_type, name, (int)n->n_in, in, (int)n->n_out,
                            (const char *const *)n->out, out, &node);
    if (!st)
        st = mote_onnx_copy_attrs(c, node, n, label);
    if (!st)
        st = mote_graph_attr_int(c->g, node, "_legacy_axis", 1);
    free(in);
    free(out);
    return st;
}

bool mote_onnx_legacy_handles(const mote_onnx_ctx *c, const char *op)
{
    return c->opset < 13 && (!strcmp(op, "Softmax") || !strcmp(op, "LogSoftmax") ||
                             !strcmp(op, "Hardmax"));
}

mote_status mote_onnx_legacy(mote_onnx_ctx *c, const mote_onnx_node *n, const char *name,
                             const char *label, bool *handled)
{
    *handled = false;
    const char *op = n->op_type;
    if (mote_onnx_legacy_handles(c, op)) {
        *handled = true;
        if (strcmp(op, "Hardmax") != 0)
            return legacy_attr(c, n, name, label);
        return legacy_softmax(c, n, name, label);
    }
    return MOTE_OK;
}
