/*
 * mutate_mote.c — the structure-aware mutator of the .mote fuzz target
 * (included by fuzz_mote.c into the libFuzzer build only). Byte mutations
 * alone almost never get past the checksums, so half of the time the file
 * is read into a graph (the library's reader), one field is changed (a
 * value's dims, an attribute's value or type, a new attribute, an op
 * type, a node input, a node's or value's name, in the graph or in one of
 * its subgraphs) and the graph is written
 * back with fresh checksums; otherwise libFuzzer mutates the bytes and the
 * section and header checksums are recomputed over the result.
 */
#include <string.h>
#include "format/crc32.h"
#include "format/format.h"
#include "graph/graph.h"
#include "graph/internal.h"
#include "ops/ops.h"
#include "mutate_common.h"

/* Recomputes the three section CRCs and the header CRC in place (where
 * the directory points inside the buffer). */
static void fix_checksums(uint8_t *d, size_t len)
{
    if (len < 128) return;
    for (int k = 0; k < 3; k++) {
        uint8_t *e = d + 24 + 24 * k;
        uint64_t off = mote_le64(e), size = mote_le64(e + 8);
        if (off <= len && size <= len - off) {
            uint32_t c = mote_crc32(0, d + off, (size_t)size);
            e[16] = (uint8_t)c; e[17] = (uint8_t)(c >> 8); e[18] = (uint8_t)(c >> 16); e[19] = (uint8_t)(c >> 24);
        }
    }
    uint32_t c = mote_crc32(0, d, 124);
    d[124] = (uint8_t)c; d[125] = (uint8_t)(c >> 8); d[126] = (uint8_t)(c >> 16); d[127] = (uint8_t)(c >> 24);
}

static const char *const attr_names[] = {
    "group", "axis", "axes", "max_seq", "num_heads", "num_kv_heads", "strides", "pads",
    "dilations", "kernel_shape", "size", "perm", "keepdims", "epsilon", "alpha", "beta",
    "to", "ceil_mode", "auto_pad", "mode", "transA", "transB", "k", "_act", "blocksize",
};

/* One field-level change; false if the graph offers nothing to change. */
static bool mutate_graph(mote_graph *g, mut_rng *r)
{
    int nn = g->n_nodes, nv = g->n_values;
    switch (mut_below(r, 7)) {
    case 0: {   /* an input's or activation's dim (weights must match their data) */
        if (!nv) return false;
        mote_value *v = &g->values[mut_below(r, (uint32_t)nv)];
        if (v->kind == MOTE_VAL_WEIGHT || v->ndim <= 0) return false;
        int d = (int)mut_below(r, (uint32_t)v->ndim);
        v->dims[d] = mut_boundary(r, v->dims[d]);
        if (v->dims[d] < -1) v->dims[d] = -1;
        return true;
    }
    case 1: {   /* an attribute's value */
        if (!nn) return false;
        mote_node *n = &g->nodes[mut_below(r, (uint32_t)nn)];
        if (!n->n_attr) return false;
        mote_attr *a = &n->attrs[mut_below(r, (uint32_t)n->n_attr)];
        if (a->type == MOTE_ATTR_INT) a->i = mut_boundary(r, a->i);
        else if (a->type == MOTE_ATTR_INTS && a->n) {
            int k = (int)mut_below(r, (uint32_t)a->n);
            a->ints[k] = mut_boundary(r, a->ints[k]);
        } else if (a->type == MOTE_ATTR_FLOAT) {
            static const float f[] = {0.0f, -1.0f, 1e30f, -1e30f, 1e-30f, 3.4e38f};
            a->f = f[mut_below(r, 6)];
        } else if (a->type == MOTE_ATTR_FLOATS && a->n) {
            a->floats[mut_below(r, (uint32_t)a->n)] = (float)mut_boundary(r, 1);
        } else return false;
        return true;
    }
    case 2: {   /* an attribute of another type, or a new one */
        if (!nn) return false;
        int node = (int)mut_below(r, (uint32_t)nn);
        mote_node *n = &g->nodes[node];
        const char *name = n->n_attr && mut_below(r, 2) ? n->attrs[mut_below(r, (uint32_t)n->n_attr)].name
                         : attr_names[mut_below(r, sizeof attr_names / sizeof attr_names[0])];
        char key[64];
        snprintf(key, sizeof key, "%s", name);
        int64_t v[3] = {mut_boundary(r, 1), mut_boundary(r, 1), mut_boundary(r, 1)};
        switch (mut_below(r, 4)) {
        case 0: return mote_graph_attr_int(g, node, key, v[0]) == MOTE_OK;
        case 1: return mote_graph_attr_ints(g, node, key, (int)mut_below(r, 4), v) == MOTE_OK;
        case 2: return mote_graph_attr_float(g, node, key, (float)v[0]) == MOTE_OK;
        default: return mote_graph_attr_string(g, node, key, "SAME_UPPER") == MOTE_OK;
        }
    }
    case 3: {   /* another op, same inputs and outputs */
        if (!nn) return false;
        const mote_op *const *ops = mote_op_list();
        int count = 0;
        while (ops[count]) count++;
        mote_node *n = &g->nodes[mut_below(r, (uint32_t)nn)];
        char *op = mote_strdup(ops[mut_below(r, (uint32_t)count)]->name);
        if (!op) return false;
        free(n->op);
        n->op = op;
        return true;
    }
    case 4: {   /* a node input refers to another value (or none) */
        if (!nn || !nv) return false;
        mote_node *n = &g->nodes[mut_below(r, (uint32_t)nn)];
        if (!n->n_in) return false;
        n->in[mut_below(r, (uint32_t)n->n_in)] = (int)mut_below(r, (uint32_t)nv + 1) - 1;
        return true;
    }
    case 5: {   /* a name taken from another node or value: duplicates */
        if (nn < 2) return false;
        mote_node *a = &g->nodes[mut_below(r, (uint32_t)nn)], *b = &g->nodes[mut_below(r, (uint32_t)nn)];
        char *nm = mote_strdup(b->name);
        if (!nm || a == b) { free(nm); return false; }
        free(a->name);
        a->name = nm;
        mote_graph_names_changed(g);
        return true;
    }
    default: {  /* metadata a reader might trust: llama sizes */
        static const char *keys[] = {"llama.max_seq", "llama.n_layers", "llama.dim", "llama.vocab_size"};
        return mote_graph_meta_int(g, keys[mut_below(r, 4)], mut_boundary(r, 8)) == MOTE_OK;
    }
    }
}

/* The graph to change: g or, half the time when it has any, one of its
 * subgraphs (a Loop's body), at any depth, so that mutations reach the
 * nested records too. */
static mote_graph *pick_graph(mote_graph *g, mut_rng *r)
{
    for (int depth = 0; depth < MOTE_GRAPH_MAX_DEPTH && mut_below(r, 2); depth++) {
        mote_graph *sub[16];
        uint32_t n = 0;
        for (int i = 0; i < g->n_nodes; i++)
            for (int a = 0; a < g->nodes[i].n_attr && n < 16; a++)
                if (g->nodes[i].attrs[a].type == MOTE_ATTR_GRAPH && g->nodes[i].attrs[a].g)
                    sub[n++] = g->nodes[i].attrs[a].g;
        if (!n) break;
        g = sub[mut_below(r, n)];
    }
    return g;
}

size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed)
{
    mut_rng r = {seed};
    if (mut_below(&r, 2)) {
        mote_graph *g = NULL;
        if (mote_format_read(data, size, "mutator", &g) == MOTE_OK) {
            bool changed = false;
            for (int tries = 0; tries < 8 && !changed; tries++) changed = mutate_graph(pick_graph(g, &r), &r);
            void *buf = NULL;
            size_t len = 0;
            if (changed && mote_format_write_memory(g, &buf, &len) == MOTE_OK && len <= max_size) {
                memcpy(data, buf, len);
                mote_free_aligned(buf);
                mote_graph_free(g);
                return len;
            }
            mote_free_aligned(buf);
        }
        mote_graph_free(g);
    }
    size_t n = LLVMFuzzerMutate(data, size, max_size);
    fix_checksums(data, n);
    return n;
}
