/*
 * onnx_support.c — before anything is imported, one pass over an ONNX
 * graph that finds everything mote cannot take: ops (by domain and
 * name, If branches included), attributes an op does not have or of the
 * wrong type (the same rules as the import, onnx_attrs.c), initializer
 * and graph-input element types, subgraph attributes other than If's.
 * All of them are reported in one error, grouped by op type, so that a
 * model with three unsupported ops names all three instead of the first.
 * Shapes, attribute values and dtypes met during shape inference are the
 * session's to check. Not the import (import.c).
 */
#include <stdio.h>
#include <string.h>
#include "graph/internal.h"
#include "ops/ops.h"
#include "onnx_import.h"

typedef struct report {
    char msg[1000];
    size_t used;
    int n;           /* entries found */
    int shown;       /* entries written into msg */
    int format;      /* of them, attributes the op does not have or
                        of the wrong type: a malformed file's errors */
} report;

static void add(report *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add(report *r, const char *fmt, ...)
{
    r->n++;
    if (r->used + 8 >= sizeof r->msg)
        return;
    if (r->shown)
        r->used += (size_t)snprintf(r->msg + r->used, sizeof r->msg - r->used, "; ");
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(r->msg + r->used, sizeof r->msg - r->used, fmt, ap);
    va_end(ap);
    if (k > 0)
        r->used += (size_t)k;
    if (r->used >= sizeof r->msg)
        r->used = sizeof r->msg - 1;
    r->shown++;
}

static bool op_supported(const mote_onnx_ctx *c, const mote_onnx_node *n)
{
    const char *domain = n->domain ? n->domain : "";
    if (*domain && strcmp(domain, "ai.onnx") != 0)
        return false;
    return !strcmp(n->op_type, "Constant") || !strcmp(n->op_type, "If") ||
           !strcmp(n->op_type, "Loop") ||
           mote_op_find(n->op_type) || mote_onnx_legacy_handles(c, n->op_type);
}

/* Was an earlier node of the same (domain, op) already reported? */
static bool seen_before(const mote_onnx_graph *g, size_t i)
{
    const mote_onnx_node *n = &g->nodes[i];
    for (size_t j = 0; j < i; j++) {
        const mote_onnx_node *m = &g->nodes[j];
        if (!strcmp(m->op_type, n->op_type) &&
            !strcmp(m->domain ? m->domain : "", n->domain ? n->domain : ""))
            return true;
    }
    return false;
}

/* The ops of g and, through If, of its branches. */
static void check_nodes(const mote_onnx_ctx *c, const mote_onnx_graph *g, report *r)
{
    char label[512];
    for (size_t i = 0; i < g->n_nodes; i++) {
        const mote_onnx_node *n = &g->nodes[i];
        if (op_supported(c, n) || seen_before(g, i))
            continue;
        size_t more = 0;
        for (size_t j = i + 1; j < g->n_nodes; j++)
            more += !strcmp(g->nodes[j].op_type, n->op_type) &&
                    !strcmp(g->nodes[j].domain ? g->nodes[j].domain : "", n->domain ? n->domain : "");
        char extra[64] = "";
        if (more)
            snprintf(extra, sizeof extra, " and %zu more node%s", more, more > 1 ? "s" : "");
        mote_onnx_node_label(n, label, sizeof label);
        const char *domain = n->domain ? n->domain : "";
        if (*domain && strcmp(domain, "ai.onnx") != 0)
            add(r, "%s%s: operator domain '%s' (opset %lld) is not supported", label, extra, domain,
                (long long)mote_onnx_opset_version(c->m, domain));
        else
            add(r, "%s%s: op %s (opset %lld) is not supported by mote", label, extra, n->op_type,
                (long long)c->opset);
    }
    /* Subgraph attributes: an If's branches (inlined) and a Loop's body
     * (kept as a subgraph, onnx_control.c) are checked in turn; on any
     * other op they are refused. Other attributes of a supported op: each
     * node's first bad one (a Constant's, and a nameless attribute, are
     * the import's to refuse). */
    for (size_t i = 0; i < g->n_nodes; i++) {
        const mote_onnx_node *n = &g->nodes[i];
        if (!op_supported(c, n) || !strcmp(n->op_type, "Constant"))
            continue;
        bool named = true;
        for (size_t a = 0; a < n->n_attrs; a++)
            named &= n->attrs[a].name && *n->attrs[a].name;
        mote_onnx_node_label(n, label, sizeof label);
        if (named && mote_onnx_check_attrs(n, label) != MOTE_OK) {
            r->format++;
            add(r, "%s", mote_last_error());
            mote_error_clear();
        }
        bool is_if = !strcmp(n->op_type, "If") || !strcmp(n->op_type, "Loop");
        for (size_t a = 0; a < n->n_attrs; a++) {
            const mote_onnx_attr *at = &n->attrs[a];
            if (at->type != MOTE_ONNX_ATTR_GRAPH && at->type != MOTE_ONNX_ATTR_GRAPHS)
                continue;
            if (is_if && at->type == MOTE_ONNX_ATTR_GRAPH) {
                for (int k = 0; k < at->n_graphs; k++)
                    check_nodes(c, &at->graphs[k], r);
                continue;
            }
            add(r, "%s: attribute '%s' is a subgraph; control flow other than If and Loop (Scan) "
                "is not supported", mote_onnx_node_label(n, label, sizeof label), at->name ? at->name : "");
        }
    }
}

mote_status mote_onnx_check_support(const mote_onnx_ctx *c)
{
    const mote_onnx_graph *g = &c->m->graph;
    report r = {0};
    check_nodes(c, g, &r);
    for (size_t i = 0; i < g->n_inits; i++) {
        const mote_onnx_tensor *t = &g->inits[i];
        if (!mote_onnx_to_mote_dtype(t->data_type))
            add(&r, "initializer '%s': element type %s is not supported", t->name ? t->name : "",
                mote_onnx_dtype_name(t->data_type));
    }
    for (size_t i = 0; i < g->n_inputs; i++) {
        const mote_onnx_value_info *v = &g->inputs[i];
        if (v->is_tensor && !mote_onnx_to_mote_dtype(v->elem_type))
            add(&r, "graph input '%s': element type %s is not supported", v->name,
                mote_onnx_dtype_name(v->elem_type));
    }
    if (!r.n)
        return MOTE_OK;
    /* only bad attributes: the file breaks the ONNX schema (as the import
     * would say); anything unsupported besides: unsupported */
    mote_status st = r.format == r.n ? MOTE_ERR_FORMAT : MOTE_ERR_UNSUPPORTED;
    if (r.n == 1)
        return mote_error(st, "%s", r.msg);
    if (r.shown < r.n)
        return mote_error(st, "%d things mote does not support: %s; and %d more",
                          r.n, r.msg, r.n - r.shown);
    return mote_error(st, "%d things mote does not support: %s", r.n, r.msg);
}
