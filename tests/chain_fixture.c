/*
 * chain_fixture.c — builds the long chains of chain_fixture.h: through the
 * graph builder, and as ONNX protobuf written field by field (just the
 * fields the importer needs: ir_version, opset_import, graph nodes,
 * inputs and outputs).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "chain_fixture.h"

static const char *chain_op(int i) { return (i & 1) ? "Neg" : "Relu"; }

mote_graph *mote_chain_graph(int n)
{
    mote_graph *g = mote_graph_new();
    if (!g) return NULL;
    int64_t d[2] = {1, 4};
    int v = mote_graph_input(g, "x", MOTE_F32, 2, d);
    char name[32];
    for (int i = 0; i < n && v >= 0; i++) {
        snprintf(name, sizeof name, "n%d", i);
        const char *out = i == n - 1 ? "y" : NULL;
        int y;
        if (mote_graph_node(g, chain_op(i), name, 1, &v, 1, out ? &out : NULL, &y) < 0) v = -1;
        else v = y;
    }
    if (v < 0 || mote_graph_output(g, v) != MOTE_OK) {
        mote_graph_free(g);
        return NULL;
    }
    return g;
}

void mote_chain_expect(int n, const float *x, float *y)
{
    for (int k = 0; k < 4; k++) {
        float v = x[k];
        for (int i = 0; i < n && i < 2; i++) v = (i & 1) ? -v : (v > 0 ? v : 0);
        /* after Relu then Neg the value is <= 0: later pairs give 0 and -0 */
        y[k] = n <= 2 ? v : ((n & 1) ? 0.0f : -0.0f);
    }
}

/* --- a minimal protobuf writer --- */
typedef struct pbuf { uint8_t *p; size_t len, cap; } pbuf;

static void put(pbuf *b, const void *data, size_t n)
{
    if (b->len + n > b->cap) {
        size_t c = b->cap ? b->cap : 256;
        while (c < b->len + n) c *= 2;
        uint8_t *q = realloc(b->p, c);
        if (!q) abort();
        b->p = q;
        b->cap = c;
    }
    memcpy(b->p + b->len, data, n);
    b->len += n;
}

static void varint(pbuf *b, uint64_t v)
{
    uint8_t t[10];
    int n = 0;
    do {
        t[n] = (uint8_t)(v & 0x7f);
        v >>= 7;
        if (v) t[n] |= 0x80;
        n++;
    } while (v);
    put(b, t, (size_t)n);
}

static void field_varint(pbuf *b, int f, uint64_t v) { varint(b, (uint64_t)f << 3); varint(b, v); }
static void field_bytes(pbuf *b, int f, const void *d, size_t n)
{
    varint(b, ((uint64_t)f << 3) | 2);
    varint(b, n);
    put(b, d, n);
}
static void field_str(pbuf *b, int f, const char *s) { field_bytes(b, f, s, strlen(s)); }
static void field_msg(pbuf *b, int f, pbuf *m) { field_bytes(b, f, m->p, m->len); free(m->p); *m = (pbuf){0}; }

/* ValueInfoProto f32[1,4] */
static void value_info(pbuf *out, int field, const char *name)
{
    pbuf vi = {0}, tp = {0}, tt = {0}, sh = {0}, dim = {0};
    for (int k = 0; k < 2; k++) {
        field_varint(&dim, 1, k ? 4 : 1);
        field_msg(&sh, 1, &dim);
    }
    field_varint(&tt, 1, 1);       /* elem_type FLOAT */
    field_msg(&tt, 2, &sh);
    field_msg(&tp, 1, &tt);
    field_str(&vi, 1, name);
    field_msg(&vi, 2, &tp);
    field_msg(out, field, &vi);
}

uint8_t *mote_chain_onnx(int n, size_t *len)
{
    pbuf model = {0}, graph = {0}, node = {0}, opset = {0};
    char in[32], out[32], name[32];
    for (int i = 0; i < n; i++) {
        if (i) snprintf(in, sizeof in, "v%d", i - 1);
        else snprintf(in, sizeof in, "x");
        if (i == n - 1) snprintf(out, sizeof out, "y");
        else snprintf(out, sizeof out, "v%d", i);
        snprintf(name, sizeof name, "n%d", i);
        field_str(&node, 1, in);
        field_str(&node, 2, out);
        field_str(&node, 3, name);
        field_str(&node, 4, chain_op(i));
        field_msg(&graph, 1, &node);
    }
    field_str(&graph, 2, "chain");
    value_info(&graph, 11, "x");
    value_info(&graph, 12, "y");
    field_varint(&model, 1, 8);               /* ir_version */
    field_str(&opset, 1, "");
    field_varint(&opset, 2, 13);
    field_msg(&model, 8, &opset);
    field_msg(&model, 7, &graph);
    *len = model.len;
    return model.p;
}
