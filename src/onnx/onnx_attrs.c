/*
 * onnx_attrs.c — checks an ONNX node's attributes against its op's
 * schema (onnx_attr_table.h), as onnx.checker does: an attribute the op
 * does not have in any opset version, or one of another type (`group` as
 * a list), is an error naming the node, instead of being ignored (which
 * ran a grouped convolution as group 1). Ops without a schema in the
 * table (mote's own, or newer than the table) are not checked here; the
 * op's shape inference still checks what it reads.
 */
#include <stdio.h>
#include <string.h>
#include "graph/internal.h"
#include "onnx_import.h"

typedef struct attr_rule {
    const char *op, *name;   /* name NULL: the op takes no attribute */
    unsigned mask;           /* bit t: AttributeProto type t allowed  */
} attr_rule;

static const attr_rule rules[] = {
#define ATTR(op, name, mask) { op, name, mask },
#include "onnx_attr_table.h"
#undef ATTR
};

static const char *type_name(int t)
{
    static const char *names[] = {"UNDEFINED", "FLOAT", "INT", "STRING", "TENSOR", "GRAPH",
                                  "FLOATS", "INTS", "STRINGS", "TENSORS", "GRAPHS",
                                  "SPARSE_TENSOR", "SPARSE_TENSORS", "TYPE_PROTO", "TYPE_PROTOS"};
    return t >= 0 && t < (int)(sizeof names / sizeof names[0]) ? names[t] : "UNKNOWN";
}

/* "INT or INTS" for a mask, into buf. */
static const char *mask_names(unsigned mask, char *buf, size_t len)
{
    size_t at = 0;
    buf[0] = 0;
    for (int t = 1; t < 32 && at < len; t++)
        if (mask & (1u << t))
            at += (size_t)snprintf(buf + at, len - at, "%s%s", at ? " or " : "", type_name(t));
    return buf;
}

mote_status mote_onnx_check_attrs(const mote_onnx_node *n, const char *label)
{
    /* the first rule of the op: rules are sorted by op (strcmp order) */
    size_t lo = 0, hi = sizeof rules / sizeof rules[0];
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(rules[mid].op, n->op_type) < 0) lo = mid + 1;
        else hi = mid;
    }
    size_t end = lo, total = sizeof rules / sizeof rules[0];
    while (end < total && !strcmp(rules[end].op, n->op_type)) end++;
    if (lo == end)
        return MOTE_OK;   /* no schema here */
    for (size_t i = 0; i < n->n_attrs; i++) {
        const mote_onnx_attr *a = &n->attrs[i];
        /* subgraphs and tensor lists are refused as unsupported anyway,
         * with the reason (mote_onnx_copy_attrs) */
        if (a->type == MOTE_ONNX_ATTR_GRAPH || a->type == MOTE_ONNX_ATTR_GRAPHS ||
            a->type == MOTE_ONNX_ATTR_TENSORS)
            continue;
        const attr_rule *r = NULL;
        for (size_t k = lo; k < end && !r; k++)
            if (rules[k].name && !strcmp(rules[k].name, a->name)) r = &rules[k];
        if (!r)
            return mote_error(MOTE_ERR_FORMAT, "%s: '%s' is not an attribute of %s", label, a->name,
                              n->op_type);
        if (a->type <= 0 || a->type >= 32 || !(r->mask & (1u << a->type))) {
            char want[96];
            return mote_error(MOTE_ERR_FORMAT, "%s: attribute '%s' is %s, %s wants %s", label,
                              a->name, type_name(a->type), n->op_type,
                              mask_names(r->mask, want, sizeof want));
        }
    }
    return MOTE_OK;
}
