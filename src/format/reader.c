/*
 * reader.c — parses and validates a .mote image (layout:
 * docs/format.md) into a mote_graph whose weights point into the image.
 *
 * Every field is read through a cursor that knows where its section ends
 * (format_cursor.c), so no read can pass the end of the buffer; every
 * count is compared with the bytes left before anything is allocated for
 * it; every offset + size is checked without overflow. A damaged or hostile file gives
 * MOTE_ERR_FORMAT and a message naming the section, the record and the
 * file offset. This file does not map files (model.c does) and knows
 * nothing of ops.
 */
#include <stdlib.h>
#include <string.h>
#include "crc32.h"
#include "format.h"
#include "cursor.h"
#include "graph/internal.h"

/* ------------------------------------------------------------- header */

typedef struct section {
    uint64_t off, size;
    uint32_t crc;
} section;

static const char *const sec_names[MOTE_SEC_COUNT] = {
    "metadata section", "tensor table", "graph section", "data section"
};

static bool little_endian_host(void)
{
    const uint16_t one = 1;
    uint8_t b;
    memcpy(&b, &one, 1);
    return b == 1;
}

static mote_status read_header(const uint8_t *p, size_t len, const char *what,
                               section *sec)
{
    const unsigned H = MOTE_FORMAT_HEADER_SIZE;
    if (len < 4 || memcmp(p, MOTE_FORMAT_MAGIC, 4) != 0)
        return mote_error(MOTE_ERR_FORMAT, "%s: not a .mote file (it does not start with "
                          "the bytes 'MOTE')", what);
    if (len < 8)
        return mote_error(MOTE_ERR_FORMAT, "%s: the file is %zu bytes, too short for a "
                          "%u-byte header (truncated?)", what, len, H);
    uint32_t version = mote_le32(p + MOTE_HDR_VERSION);
    if (version != MOTE_FORMAT_VERSION)
        return mote_error(MOTE_ERR_UNSUPPORTED, "%s: format version %u, but this reader "
                          "understands only version %u", what, version, MOTE_FORMAT_VERSION);
    if (len < H)
        return mote_error(MOTE_ERR_FORMAT, "%s: the file is %zu bytes, too short for a "
                          "%u-byte header (truncated?)", what, len, H);
    uint32_t crc = mote_crc32(0, p, MOTE_HDR_CRC), stored = mote_le32(p + MOTE_HDR_CRC);
    if (crc != stored)
        return mote_error(MOTE_ERR_FORMAT, "%s: header checksum mismatch: stored 0x%08x, "
                          "computed 0x%08x (the file is damaged)", what, stored, crc);
    if (mote_le32(p + MOTE_HDR_HEADER_SIZE) != H)
        return mote_error(MOTE_ERR_FORMAT, "%s: header size %u, version 1 has %u", what,
                          mote_le32(p + MOTE_HDR_HEADER_SIZE), H);
    if (mote_le32(p + MOTE_HDR_FLAGS) != 0 || mote_le32(p + MOTE_HDR_RESERVED) != 0)
        return mote_error(MOTE_ERR_UNSUPPORTED, "%s: header flags 0x%08x / reserved 0x%08x "
                          "that this reader does not know", what,
                          mote_le32(p + MOTE_HDR_FLAGS), mote_le32(p + MOTE_HDR_RESERVED));
    uint64_t file_size = mote_le64(p + MOTE_HDR_FILE_SIZE);
    if (file_size != len)
        return mote_error(MOTE_ERR_FORMAT, "%s: the header says the file is %llu bytes, "
                          "but it is %zu (%s)", what, (unsigned long long)file_size, len,
                          file_size > len ? "truncated" : "trailing bytes");
    /* v1 places the sections back to back after the header, the data
     * section at the next 64-byte boundary, and nothing after it. */
    uint64_t expect = H;
    for (int k = 0; k < MOTE_SEC_COUNT; k++) {
        const uint8_t *e = p + MOTE_HDR_DIR + k * MOTE_HDR_DIR_ENTRY;
        sec[k].off = mote_le64(e);
        sec[k].size = mote_le64(e + 8);
        sec[k].crc = mote_le32(e + 16);
        if (k == MOTE_SEC_DATA)
            expect = mote_align_up(expect, MOTE_FORMAT_ALIGN);
        if (sec[k].off != expect)
            return mote_error(MOTE_ERR_FORMAT, "%s: the %s starts at offset %llu, but "
                              "version 1 places it at %llu", what, sec_names[k],
                              (unsigned long long)sec[k].off, (unsigned long long)expect);
        /* expect can pass len when the data section's start is rounded up */
        if (expect > len || sec[k].size > len - expect)
            return mote_error(MOTE_ERR_FORMAT, "%s: the %s, %llu bytes at offset %llu, "
                              "is past the end of the file (%zu bytes)", what,
                              sec_names[k], (unsigned long long)sec[k].size,
                              (unsigned long long)expect, len);
        if (mote_le32(e + 20) != 0 || (k == MOTE_SEC_DATA && sec[k].crc != 0))
            return mote_error(MOTE_ERR_FORMAT, "%s: the %s's directory entry has "
                              "non-zero reserved bytes", what, sec_names[k]);
        expect += sec[k].size;
    }
    if (expect != len)
        return mote_error(MOTE_ERR_FORMAT, "%s: the sections end at %llu, but the file is "
                          "%zu bytes", what, (unsigned long long)expect, len);
    for (int k = 0; k < MOTE_SEC_DATA; k++) {
        crc = mote_crc32(0, p + sec[k].off, (size_t)sec[k].size);
        if (crc != sec[k].crc)
            return mote_error(MOTE_ERR_FORMAT, "%s: %s checksum mismatch: stored 0x%08x, "
                              "computed 0x%08x (the file is damaged)", what, sec_names[k],
                              sec[k].crc, crc);
    }
    return MOTE_OK;
}

/* ------------------------------------------------------------ sections */

/* What the parser keeps of the tensor table. */
typedef struct tensor_rec {
    const char *name;          /* points into the image */
    mote_dtype dtype;
    int ndim;
    int64_t dims[MOTE_MAX_DIMS];
    uint64_t off, nbytes;      /* relative to the data section */
    uint32_t crc;
    bool used;                 /* claimed by a weight value */
} tensor_rec;

typedef struct parser {
    rd r;
    const section *sec;
    mote_graph *g;             /* the graph being read: the model's, or a subgraph */
    tensor_rec *t;  int n_t;
    bool verify;               /* also check data checksums and padding */
    int depth;                 /* subgraphs open around the record being read */
} parser;

static void rd_section(parser *ps, int k)
{
    ps->r.pos = (size_t)ps->sec[k].off;
    ps->r.end = (size_t)(ps->sec[k].off + ps->sec[k].size);
    ps->r.sec = sec_names[k];
    ps->r.ctx[0] = 0;
}

/* The builder failed on input the parser had already checked: only
 * memory can be short. */
static mote_status built(rd *r, bool ok)
{
    if (ok)
        return MOTE_OK;
    return mote_error(MOTE_ERR_NOMEM, "%s: %s, %s: out of memory building the graph",
                      r->what, r->sec, r->ctx);
}

static mote_status read_meta(parser *ps)
{
    rd *r = &ps->r;
    rd_section(ps, MOTE_SEC_META);
    int n;
    if (!mote_rd_count(r, "entry count", 4 + 1 + 4 + 5, &n))
        return MOTE_ERR_FORMAT;
    if (n > (int)MOTE_FORMAT_MAX_META)
        return mote_rd_fail(r, "%d entries (at most %u)", n, MOTE_FORMAT_MAX_META);
    const char **keys = malloc(((size_t)n + 1) * sizeof *keys);
    if (!keys)
        return mote_error(MOTE_ERR_NOMEM, "%s: out of memory", r->what);
    mote_status st = MOTE_OK;
    for (int k = 0; k < n && st == MOTE_OK; k++) {
        mote_rd_ctx(r, "entry %d", k);
        const char *key, *s;
        uint32_t type;
        int64_t i;
        uint64_t bits;
        if (!mote_rd_name(r, "key", &keys[k]) || !mote_rd_u32(r, "type", &type)) {
            st = MOTE_ERR_FORMAT;
            break;
        }
        key = keys[k];
        mote_rd_ctx(r, "entry '%s'", key);
        if (type == MOTE_META_STRING && mote_rd_str(r, "value", MOTE_FORMAT_MAX_STRING, &s))
            st = built(r, mote_graph_meta_string(ps->g, key, s) == MOTE_OK);
        else if (type == MOTE_META_INT && mote_rd_i64(r, "value", &i))
            st = built(r, mote_graph_meta_int(ps->g, key, i) == MOTE_OK);
        else if (type == MOTE_META_FLOAT && mote_rd_u64(r, "value", &bits)) {
            double f;
            memcpy(&f, &bits, 8);
            st = built(r, mote_graph_meta_float(ps->g, key, f) == MOTE_OK);
        } else if (type < MOTE_META_STRING || type > MOTE_META_FLOAT)
            st = mote_rd_fail(r, "unknown type %u", type);
        else
            st = MOTE_ERR_FORMAT;
    }
    int first = -1, dup = st == MOTE_OK ? mote_format_find_duplicate(n, keys, &first) : -1;
    if (dup == -2)
        st = MOTE_ERR_NOMEM;
    else if (dup >= 0)
        st = mote_error(MOTE_ERR_FORMAT, "%s: metadata key '%s' appears twice", r->what,
                        keys[dup]);
    free(keys);
    if (st == MOTE_OK && !mote_rd_done(r))
        st = MOTE_ERR_FORMAT;
    return st;
}

static mote_status read_tensors(parser *ps, const uint8_t *image)
{
    rd *r = &ps->r;
    rd_section(ps, MOTE_SEC_TENSORS);
    const section *data = &ps->sec[MOTE_SEC_DATA];
    int n;
    if (!mote_rd_count(r, "tensor count", 5 + 4 + 4 + 8 + 8 + 4, &n))
        return MOTE_ERR_FORMAT;
    ps->t = calloc((size_t)n + 1, sizeof *ps->t);
    const char **names = malloc(((size_t)n + 1) * sizeof *names);
    if (!ps->t || !names) {
        free(names);
        return mote_error(MOTE_ERR_NOMEM, "%s: out of memory", r->what);
    }
    uint64_t prev_end = 0;
    for (int k = 0; k < n; k++) {
        tensor_rec *t = &ps->t[k];
        mote_rd_ctx(r, "tensor %d", k);
        if (!mote_rd_name(r, "name", &t->name))
            goto bad;
        names[k] = t->name;
        mote_rd_ctx(r, "tensor '%s'", t->name);
        if (!mote_rd_dtype(r, &t->dtype) || !mote_rd_shape(r, 0, 0, &t->ndim, t->dims) ||
            !mote_rd_u64(r, "data offset", &t->off) || !mote_rd_u64(r, "data size", &t->nbytes) ||
            !mote_rd_u32(r, "checksum", &t->crc))
            goto bad;
        uint64_t need = mote_dtype_size(t->dtype);
        for (int d = 0; d < t->ndim; d++)
            if (t->dims[d] && need > UINT64_MAX / (uint64_t)t->dims[d]) {
                mote_rd_fail(r, "the shape's size overflows");
                goto bad;
            } else {
                need *= (uint64_t)t->dims[d];
            }
        if (t->nbytes != need) {
            mote_rd_fail(r, "data size %llu, but %s with this shape is %llu bytes",
                    (unsigned long long)t->nbytes, mote_dtype_name(t->dtype),
                    (unsigned long long)need);
            goto bad;
        }
        if (t->off > data->size || t->nbytes > data->size - t->off) {
            mote_rd_fail(r, "data offset %llu + %llu bytes is past the end of the file "
                    "(%llu bytes of data from offset %llu)", (unsigned long long)t->off,
                    (unsigned long long)t->nbytes, (unsigned long long)data->size,
                    (unsigned long long)data->off);
            goto bad;
        }
        if (t->off % MOTE_FORMAT_ALIGN) {
            mote_rd_fail(r, "data offset %llu is not a multiple of %u",
                    (unsigned long long)t->off, MOTE_FORMAT_ALIGN);
            goto bad;
        }
        if (t->off < prev_end) {
            mote_rd_fail(r, "data offset %llu overlaps the previous tensor, which ends at %llu",
                    (unsigned long long)t->off, (unsigned long long)prev_end);
            goto bad;
        }
        if (ps->verify) {
            const uint8_t *base = image + data->off;
            for (uint64_t b = prev_end; b < t->off; b++)
                if (base[b]) {
                    mote_rd_fail(r, "non-zero padding byte before its data, at offset %llu",
                            (unsigned long long)(data->off + b));
                    goto bad;
                }
            uint32_t crc = mote_crc32(0, base + t->off, (size_t)t->nbytes);
            if (crc != t->crc) {
                mote_rd_fail(r, "data checksum mismatch: stored 0x%08x, computed 0x%08x "
                        "(the weights are damaged)", t->crc, crc);
                goto bad;
            }
        }
        prev_end = t->off + t->nbytes;
    }
    if (ps->verify)
        for (uint64_t b = prev_end; b < data->size; b++)
            if (image[data->off + b]) {
                r->ctx[0] = 0;
                mote_rd_fail(r, "non-zero padding byte after the last tensor, at offset %llu",
                        (unsigned long long)(data->off + b));
                goto bad;
            }
    ps->n_t = n;
    int first = -1, dup = mote_format_find_duplicate(n, names, &first);
    free(names);
    if (dup == -2)
        return MOTE_ERR_NOMEM;
    if (dup >= 0)
        return mote_error(MOTE_ERR_FORMAT, "%s: tensor table: tensors %d and %d have the "
                          "same name '%s'", r->what, first, dup, ps->t[dup].name);
    return mote_rd_done(r) ? MOTE_OK : MOTE_ERR_FORMAT;
bad:
    free(names);
    return MOTE_ERR_FORMAT;
}

/* One value record; weights are matched with their tensor-table entry and
 * pointed at their bytes in the image. */
static mote_status read_value(parser *ps, int i, const uint8_t *image)
{
    rd *r = &ps->r;
    const char *name;
    uint32_t kind;
    mote_dtype dtype;
    int ndim;
    int64_t dims[MOTE_MAX_DIMS] = {0};
    int32_t ti;
    mote_rd_ctx(r, "value %d", i);
    if (!mote_rd_name(r, "name", &name) || !mote_rd_u32(r, "kind", &kind))
        return MOTE_ERR_FORMAT;
    mote_rd_ctx(r, "value '%s'", name);
    if (kind < MOTE_VAL_INPUT || kind > MOTE_VAL_ACT)
        return mote_rd_fail(r, "unknown kind %u", kind);
    bool act = kind == MOTE_VAL_ACT, weight = kind == MOTE_VAL_WEIGHT;
    bool any_rank = act || (ps->depth > 0 && kind == MOTE_VAL_INPUT);   /* bound per session */
    if (!mote_rd_dtype(r, &dtype) || !mote_rd_shape(r, any_rank ? -1 : 0, weight ? 0 : -1, &ndim, dims) ||
        !mote_rd_i32(r, "tensor", &ti))
        return MOTE_ERR_FORMAT;
    const tensor_rec *t = NULL;
    if (!weight && ti != -1)
        return mote_rd_fail(r, "tensor index %d on a value that is not a weight", ti);
    if (weight && ps->depth > 0)
        return mote_rd_fail(r, "a weight inside a subgraph (a subgraph reads the outer graph's "
                            "weights through its inputs)");
    if (weight) {
        if (ti < 0 || ti >= ps->n_t)
            return mote_rd_fail(r, "tensor index %d, not in [0, %d)", ti, ps->n_t);
        t = &ps->t[ti];
        if (t->used)
            return mote_rd_fail(r, "tensor '%s' is already used by another value", t->name);
        ps->t[ti].used = true;
        if (strcmp(t->name, name) != 0 || t->dtype != dtype || t->ndim != ndim ||
            memcmp(t->dims, dims, (size_t)ndim * sizeof *dims) != 0)
            return mote_rd_fail(r, "its name, dtype or shape differs from tensor '%s'", t->name);
    }
    /* Filled in place (the arrays were sized from the count): the
     * builder's name lookups are linear, which a hostile file with
     * millions of values could turn into hours. Names are checked for
     * clashes afterwards, in linear time. */
    mote_value *v = &ps->g->values[i];
    memset(v, 0, sizeof *v);
    if (!(v->name = mote_strdup(name)))
        return built(r, false);
    ps->g->n_values++;
    v->kind = (mote_value_kind)kind;
    v->dtype = dtype;
    v->ndim = ndim;
    memcpy(v->dims, dims, sizeof dims);
    v->producer = -1;
    if (t) {
        v->data = image + ps->sec[MOTE_SEC_DATA].off + t->off;
        v->nbytes = (size_t)t->nbytes;
    }
    return MOTE_OK;
}

/* A u32 count and that many i32 value ids in [lo, n_values). */
static bool rd_ids(parser *ps, const char *field, int lo, int *n, int **ids)
{
    rd *r = &ps->r;
    *ids = NULL;
    if (!mote_rd_count(r, field, 4, n))
        return false;
    *ids = malloc(((size_t)*n + 1) * sizeof **ids);
    if (!*ids) {
        built(r, false);
        return false;
    }
    for (int k = 0; k < *n; k++) {
        int32_t v;
        if (!mote_rd_i32(r, field, &v))
            return false;
        if (v < lo || v >= ps->g->n_values) {
            mote_rd_fail(r, "%s %d is value id %d, not in [%d, %d)", field, k, v, lo,
                    ps->g->n_values);
            return false;
        }
        (*ids)[k] = v;
    }
    return true;
}

static mote_status read_subgraph(parser *ps, const char *key, mote_graph **out);

static mote_status read_attr(parser *ps, int node, const char **name)
{
    rd *r = &ps->r;
    mote_graph *g = ps->g;
    uint32_t type, bits;
    if (!mote_rd_name(r, "attribute name", name) || !mote_rd_u32(r, "attribute type", &type))
        return MOTE_ERR_FORMAT;
    const char *key = *name;
    int64_t i;
    const char *s;
    int n;
    switch (type) {
    case MOTE_ATTR_INT:
        if (!mote_rd_i64(r, key, &i))
            return MOTE_ERR_FORMAT;
        return built(r, mote_graph_attr_int(g, node, key, i) == MOTE_OK);
    case MOTE_ATTR_FLOAT: {
        float f;
        if (!mote_rd_u32(r, key, &bits))
            return MOTE_ERR_FORMAT;
        memcpy(&f, &bits, 4);
        return built(r, mote_graph_attr_float(g, node, key, f) == MOTE_OK);
    }
    case MOTE_ATTR_STRING:
        if (!mote_rd_str(r, key, MOTE_FORMAT_MAX_STRING, &s))
            return MOTE_ERR_FORMAT;
        return built(r, mote_graph_attr_string(g, node, key, s) == MOTE_OK);
    case MOTE_ATTR_INTS: case MOTE_ATTR_FLOATS: case MOTE_ATTR_STRINGS: {
        size_t elem = type == MOTE_ATTR_INTS ? 8 : type == MOTE_ATTR_FLOATS ? 4 : 5;
        if (!mote_rd_count(r, key, elem, &n))
            return MOTE_ERR_FORMAT;
        void *list = malloc(((size_t)n + 1) * (type == MOTE_ATTR_FLOATS ? sizeof(float) : 8));
        if (!list)
            return built(r, false);
        bool ok = true;
        for (int k = 0; k < n && ok; k++) {
            if (type == MOTE_ATTR_INTS) {
                ok = mote_rd_i64(r, key, &((int64_t *)list)[k]);
            } else if (type == MOTE_ATTR_FLOATS) {
                ok = mote_rd_u32(r, key, &bits);
                memcpy(&((float *)list)[k], &bits, 4);
            } else {
                ok = mote_rd_str(r, key, MOTE_FORMAT_MAX_STRING, &((const char **)list)[k]);
            }
        }
        mote_status st = MOTE_ERR_FORMAT;
        if (ok && type == MOTE_ATTR_INTS)
            st = built(r, mote_graph_attr_ints(g, node, key, n, list) == MOTE_OK);
        else if (ok && type == MOTE_ATTR_FLOATS)
            st = built(r, mote_graph_attr_floats(g, node, key, n, list) == MOTE_OK);
        else if (ok)
            st = built(r, mote_graph_attr_strings(g, node, key, n,
                                                  (const char *const *)list) == MOTE_OK);
        free(list);
        return st;
    }
    case MOTE_ATTR_GRAPH: {
        mote_graph *body = NULL;
        mote_status st = read_subgraph(ps, key, &body);
        if (st != MOTE_OK)
            return st;
        return built(r, mote_graph_attr_graph(g, node, key, body) == MOTE_OK);
    }
    default:
        return mote_rd_fail(r, "attribute '%s' has unknown type %u", key, type);
    }
}

/* Appends a node whose output values already exist (the file fixes every
 * value id, so the builder's mote_graph_node, which creates its outputs,
 * does not fit). g->nodes was sized from the count. Takes ownership of in
 * and out. */
static bool append_node(mote_graph *g, const char *op, const char *name,
                        int n_in, int *in, int n_out, int *out)
{
    mote_node *nd = &g->nodes[g->n_nodes];
    memset(nd, 0, sizeof *nd);
    nd->op = mote_strdup(op);
    nd->name = mote_strdup(name);
    if (!nd->op || !nd->name) {
        free(nd->op);
        free(nd->name);
        return false;
    }
    nd->n_in = n_in;
    nd->in = in;
    nd->n_out = n_out;
    nd->out = out;
    for (int k = 0; k < n_out; k++)
        g->values[out[k]].producer = g->n_nodes;
    g->n_nodes++;
    return true;
}

static mote_status read_node(parser *ps, int n)
{
    rd *r = &ps->r;
    mote_graph *g = ps->g;
    const char *op, *name;
    int n_in, n_out, n_attr, *in = NULL, *out = NULL;
    mote_rd_ctx(r, "node %d", n);
    if (!mote_rd_name(r, "op type", &op) || !mote_rd_name(r, "name", &name))
        return MOTE_ERR_FORMAT;
    mote_rd_ctx(r, "node '%s'", name);
    if (!rd_ids(ps, "input", -1, &n_in, &in) || !rd_ids(ps, "output", 0, &n_out, &out)) {
        free(in);
        free(out);
        return MOTE_ERR_FORMAT;
    }
    for (int k = 0; k < n_out; k++) {
        const mote_value *v = &g->values[out[k]];
        const char *why = v->kind != MOTE_VAL_ACT ? "is not an activation"
                        : v->producer >= 0 ? "is already produced by node" : NULL;
        if (why) {
            mote_rd_fail(r, "output '%s' %s%s%s%s", v->name, why, v->producer >= 0 ? " '" : "",
                    v->producer >= 0 ? g->nodes[v->producer].name : "",
                    v->producer >= 0 ? "'" : "");
            free(in);
            free(out);
            return MOTE_ERR_FORMAT;
        }
    }
    if (!append_node(g, op, name, n_in, in, n_out, out)) {
        free(in);
        free(out);
        return built(r, false);
    }
    if (!mote_rd_count(r, "attribute count", 4 + 1 + 4 + 4, &n_attr))
        return MOTE_ERR_FORMAT;
    if (n_attr > (int)MOTE_FORMAT_MAX_ATTRS)
        return mote_rd_fail(r, "%d attributes (at most %u)", n_attr, MOTE_FORMAT_MAX_ATTRS);
    const char **names = malloc(((size_t)n_attr + 1) * sizeof *names);
    if (!names)
        return built(r, false);
    mote_status st = MOTE_OK;
    for (int k = 0; k < n_attr && st == MOTE_OK; k++)
        st = read_attr(ps, n, &names[k]);
    int first = -1, dup = st == MOTE_OK ? mote_format_find_duplicate(n_attr, names, &first) : -1;
    if (dup == -2)
        st = MOTE_ERR_NOMEM;
    else if (dup >= 0)
        st = mote_rd_fail(r, "attribute '%s' appears twice", names[dup]);
    free(names);
    return st;
}

/* Values, nodes, graph inputs and outputs of ps->g: the graph section's
 * records, which a subgraph repeats (without weights) inside an attribute. */
static mote_status read_graph_records(parser *ps, const uint8_t *image)
{
    rd *r = &ps->r;
    mote_graph *g = ps->g;
    int n;
    if (!mote_rd_count(r, "value count", 5 + 4 + 4 + 4 + 4, &n))
        return MOTE_ERR_FORMAT;
    if (!(g->values = calloc((size_t)n + 1, sizeof *g->values)))
        return built(r, false);
    g->cap_values = n + 1;
    for (int i = 0; i < n; i++) {
        mote_status st = read_value(ps, i, image);
        if (st != MOTE_OK)
            return st;
    }
    r->ctx[0] = 0;
    if (!mote_rd_count(r, "node count", 5 + 5 + 4 + 4 + 4, &n))
        return MOTE_ERR_FORMAT;
    if (!(g->nodes = calloc((size_t)n + 1, sizeof *g->nodes)))
        return built(r, false);
    g->cap_nodes = n + 1;
    for (int k = 0; k < n; k++) {
        mote_status st = read_node(ps, k);
        if (st != MOTE_OK)
            return st;
    }
    int *ids = NULL;
    r->ctx[0] = 0;
    if (!rd_ids(ps, "graph input", 0, &n, &ids)) {
        free(ids);
        return MOTE_ERR_FORMAT;
    }
    /* The builder records INPUT values as graph inputs in value order;
     * the file's list (whose order counts) replaces that. */
    free(g->inputs);
    g->inputs = ids;
    g->n_inputs = g->cap_inputs = n;
    if (!rd_ids(ps, "graph output", 0, &n, &ids)) {
        free(ids);
        return MOTE_ERR_FORMAT;
    }
    mote_status st = MOTE_OK;
    for (int k = 0; k < n && st == MOTE_OK; k++)
        if (mote_graph_output(g, ids[k]) != MOTE_OK)
            st = mote_rd_fail(r, "graph output %d ('%s') refused: %s", k, g->values[ids[k]].name,
                         mote_last_error());
    free(ids);
    return st;
}

/* A GRAPH attribute: a subgraph's records, in the graph section, nested at
 * most MOTE_GRAPH_MAX_DEPTH deep; its weights are the outer graph's (the
 * value records say tensor -1). The cross-record rules of a graph are
 * checked on the whole model at the end (mote_format_check_graph). */
static mote_status read_subgraph(parser *ps, const char *key, mote_graph **out)
{
    rd *r = &ps->r;
    *out = NULL;
    if (ps->depth >= (int)MOTE_GRAPH_MAX_DEPTH)
        return mote_rd_fail(r, "subgraph '%s' is nested %d deep (at most %d)", key, ps->depth + 1,
                            MOTE_GRAPH_MAX_DEPTH);
    char where[sizeof r->ctx];
    memcpy(where, r->ctx, sizeof where);
    mote_graph *outer = ps->g, *body = mote_graph_new();
    if (!body)
        return built(r, false);
    ps->g = body;
    ps->depth++;
    mote_status st = read_graph_records(ps, NULL);
    ps->depth--;
    ps->g = outer;
    if (st != MOTE_OK) {
        mote_graph_free(body);
        return st;
    }
    memcpy(r->ctx, where, sizeof where);
    *out = body;
    return MOTE_OK;
}

static mote_status read_graph(parser *ps, const uint8_t *image)
{
    rd *r = &ps->r;
    rd_section(ps, MOTE_SEC_GRAPH);
    mote_status st = read_graph_records(ps, image);
    r->ctx[0] = 0;
    for (int k = 0; st == MOTE_OK && k < ps->n_t; k++)
        if (!ps->t[k].used)
            st = mote_rd_fail(r, "tensor '%s' belongs to no weight value", ps->t[k].name);
    if (st == MOTE_OK && !mote_rd_done(r))
        st = MOTE_ERR_FORMAT;
    return st;
}

/* ---------------------------------------------------------------- entry */

static mote_status parse(const void *buf, size_t len, const char *what, bool verify,
                         mote_graph **out)
{
    if (out)
        *out = NULL;
    if (!what)
        what = "(memory)";
    if (!buf)
        return mote_error(MOTE_ERR_ARG, "%s: no buffer", what);
    if (!little_endian_host())
        return mote_error(MOTE_ERR_UNSUPPORTED, "%s: .mote files are little-endian and "
                          "this host is not", what);
    const uint8_t *image = buf;
    section sec[MOTE_SEC_COUNT];
    mote_status st = read_header(image, len, what, sec);
    if (st != MOTE_OK)
        return st;
    if (verify)
        for (uint64_t b = sec[MOTE_SEC_GRAPH].off + sec[MOTE_SEC_GRAPH].size;
             b < sec[MOTE_SEC_DATA].off; b++)
            if (image[b])
                return mote_error(MOTE_ERR_FORMAT, "%s: non-zero padding byte before the "
                                  "data section, at offset %llu", what, (unsigned long long)b);
    parser ps = {.r = {.base = image, .what = what}, .sec = sec, .verify = verify};
    ps.g = mote_graph_new();
    if (!ps.g)
        return mote_error(MOTE_ERR_NOMEM, "%s: out of memory", what);
    st = read_meta(&ps);
    if (st == MOTE_OK)
        st = read_tensors(&ps, image);
    if (st == MOTE_OK)
        st = read_graph(&ps, image);
    /* The cross-record rules: unique names, every activation produced,
     * graph inputs = the input values. */
    if (st == MOTE_OK)
        st = mote_format_check_graph(ps.g, what, MOTE_ERR_FORMAT);
    free(ps.t);
    if (st != MOTE_OK || !out) {
        mote_graph_free(ps.g);
        return st;
    }
    *out = ps.g;
    return MOTE_OK;
}

mote_status mote_format_read(const void *buf, size_t len, const char *what,
                             mote_graph **out)
{
    if (!out)
        return mote_error(MOTE_ERR_ARG, "mote_format_read: out is NULL");
    return parse(buf, len, what, false, out);
}

mote_status mote_format_verify(const void *buf, size_t len, const char *what)
{
    return parse(buf, len, what, true, NULL);
}
