/*
 * onnx_f16.c — float16 models, computed in f32. mote's ops compute in f32,
 * so a model stored in f16 is imported as its f32 equivalent:
 *   - f16 initializers and Constant values are upcast to f32 once, here
 *     (exact: every f16 value is an f32 value);
 *   - Cast / tensor-attribute dtypes FLOAT16 become FLOAT, so the chains
 *     exporters write (Cast to f16 -> op -> Cast to f32) stay in f32;
 *   - a graph input declared f16 stays an f16 input, followed by a Cast
 *     to f32; a graph output declared f16 is produced in f32 and then
 *     rounded to f16 by a final Cast, so callers see the declared dtypes.
 * Results therefore follow f32 arithmetic, not f16 rounding at every op
 * (closer to the exact result than an f16 runtime, not bit-equal to one).
 * bfloat16 is left as it is. Not the rest of the import (import.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "graph/internal.h"
#include "onnx_import.h"

mote_status mote_onnx_f16_upcast(mote_dtype *dt, void **data, size_t *nbytes)
{
    if (*dt != MOTE_F16)
        return MOTE_OK;
    size_t n = *nbytes / 2;
    float *f = malloc(n ? n * sizeof *f : 1);
    if (!f)
        return mote_error(MOTE_ERR_NOMEM, "out of memory upcasting %zu f16 values", n);
    const uint16_t *h = *data;
    for (size_t i = 0; i < n; i++)
        f[i] = mote_f16_to_f32(h[i]);
    free(*data);
    *data = f;
    *nbytes = n * sizeof *f;
    *dt = MOTE_F32;
    return MOTE_OK;
}

mote_status mote_onnx_f16_node(mote_onnx_ctx *c, int node, const mote_onnx_node *n)
{
    if (strcmp(n->op_type, "Cast") != 0)
        return MOTE_OK;
    for (size_t i = 0; i < n->n_attrs; i++)
        if (n->attrs[i].name && !strcmp(n->attrs[i].name, "to") && n->attrs[i].i == MOTE_ONNX_FLOAT16)
            return mote_graph_attr_int(c->g, node, "to", MOTE_ONNX_FLOAT);
    return MOTE_OK;
}

/* A Cast node from value `from` to ONNX type `to`, its output named `out`. */
static mote_status add_cast(mote_onnx_ctx *c, int from, const char *out, int to, int *out_id)
{
    char name[300];
    snprintf(name, sizeof name, "%.200s.cast_f16_%d", out, c->n_synth++);
    const char *outs[1] = {out};
    int node = mote_graph_node(c->g, "Cast", name, 1, &from, 1, outs, out_id);
    if (node < 0)
        return mote_error(MOTE_ERR_GRAPH, "cannot add the f16 Cast for '%s': %s", out, mote_last_error());
    return mote_graph_attr_int(c->g, node, "to", to);
}

mote_status mote_onnx_f16_input(mote_onnx_ctx *c, const char *name, int id, mote_dtype dt)
{
    if (dt != MOTE_F16)
        return mote_onnx_names_put(c, name, id);
    char inner[300];
    snprintf(inner, sizeof inner, "%.200s.f32", name);
    int cast_out;
    mote_status st = add_cast(c, id, inner, MOTE_ONNX_FLOAT, &cast_out);
    return st ? st : mote_onnx_names_put(c, name, cast_out);
}

/* Is `name` a graph output the model declares as f16? */
static bool f16_output(const mote_onnx_ctx *c, const char *name)
{
    const mote_onnx_graph *g = &c->m->graph;
    for (size_t i = 0; i < g->n_outputs; i++)
        if (g->outputs[i].is_tensor && g->outputs[i].elem_type == MOTE_ONNX_FLOAT16 &&
            !strcmp(g->outputs[i].name, name))
            return true;
    return false;
}

mote_status mote_onnx_f16_rename_outputs(const mote_onnx_ctx *c, int n_out, const char *const *outs,
                                         char **renamed, bool *any)
{
    *any = false;
    for (int i = 0; i < n_out; i++) {
        renamed[i] = NULL;
        if (!outs || !outs[i] || !*outs[i] || !f16_output(c, outs[i]))
            continue;
        size_t len = strlen(outs[i]) + sizeof ".f32";
        if (!(renamed[i] = malloc(len)))
            return mote_error(MOTE_ERR_NOMEM, "out of memory");
        snprintf(renamed[i], len, "%s.f32", outs[i]);
        *any = true;
    }
    return MOTE_OK;
}

mote_status mote_onnx_f16_finish_outputs(mote_onnx_ctx *c, int n_out, const char *const *outs,
                                         const int *out_ids)
{
    for (int i = 0; i < n_out; i++) {
        if (!outs || !outs[i] || !*outs[i] || !f16_output(c, outs[i]))
            continue;
        int id;
        mote_status st = add_cast(c, out_ids[i], outs[i], MOTE_ONNX_FLOAT16, &id);
        if (!st)
            st = mote_onnx_names_put(c, outs[i], id);
        if (st)
            return st;
    }
    return MOTE_OK;
}
