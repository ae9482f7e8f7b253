/*
 * onnx_read.c — fills the structs of onnx_proto.h from protobuf bytes:
 * ModelProto, GraphProto, NodeProto, AttributeProto, TensorProto,
 * ValueInfoProto/TypeProto, OperatorSetIdProto, StringStringEntryProto.
 * Field numbers are those of onnx.proto. Unknown fields are skipped.
 * It does not interpret the graph (import.c does).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "graph/internal.h"
#include "onnx_proto.h"
#include "pb.h"

/* A zeroed new last element of a growable array of `size`-byte structs. */
static void *push(void **arr, size_t *n, size_t *cap, size_t size)
{
    if (*n == *cap) {
        size_t nc = *cap ? *cap * 2 : 4;
        size_t bytes;
        if (!mote_mul_size(nc, size, &bytes))
            return NULL;
        void *p = realloc(*arr, bytes);
        if (!p)
            return NULL;
        *arr = p;
        *cap = nc;
    }
    void *e = (uint8_t *)*arr + *n * size;
    memset(e, 0, size);
    (*n)++;
    return e;
}

#define PUSH(arr, n, cap) push((void **)&(arr), &(n), &(cap), sizeof *(arr))
#define OOM() mote_error(MOTE_ERR_NOMEM, "out of memory while reading the ONNX file")

/* Replaces *dst with the string of field f (a repeated optional keeps the last). */
static mote_status set_string(const mote_pb_field *f, char **dst)
{
    char *s;
    mote_status st = mote_pb_string(f, &s);
    if (st)
        return st;
    free(*dst);
    *dst = s;
    return MOTE_OK;
}

static mote_status push_string(const mote_pb_field *f, char ***arr, size_t *n, size_t *cap)
{
    char **slot = push((void **)arr, n, cap, sizeof **arr);
    if (!slot)
        return OOM();
    return mote_pb_string(f, slot);
}

/* ----------------------------------------------------------- TensorProto */

static mote_status read_string_entry(const mote_pb *r, const mote_pb_field *f,
                                     char **key, char **value)
{
    mote_pb sub;
    mote_pb_field g;
    bool done;
    mote_status st = mote_pb_sub(r, f, &sub);
    while (!st && !(st = mote_pb_next(&sub, &g, &done)) && !done) {
        if (g.num == 1)
            st = set_string(&g, key);
        else if (g.num == 2)
            st = set_string(&g, value);
    }
    return st;
}

static mote_status read_tensor(mote_pb *r, mote_onnx_tensor *t)
{
    mote_pb_field f;
    bool done;
    mote_status st;
    int64_t *dims = NULL;
    size_t nd = 0, capd = 0;
    int64_t location = 0;
    t->ext_length = -1;
    while (!(st = mote_pb_next(r, &f, &done)) && !done) {
        switch (f.num) {
        case 1: st = mote_pb_append_int64(&f, &dims, &nd, &capd); break;
        case 2: {
            int64_t v;
            st = mote_pb_as_int64(&f, &v);
            t->data_type = (int32_t)v;
            break;
        }
        case 3: t->has_segment = true; break;
        case 4: st = mote_pb_append_float(&f, &t->f32, &t->n_f32, &t->cap_f32); break;
        case 5: st = mote_pb_append_int64(&f, &t->i32, &t->n_i32, &t->cap_i32); break;
        case 6: t->n_strings++; break;
        case 7: st = mote_pb_append_int64(&f, &t->i64, &t->n_i64, &t->cap_i64); break;
        case 8: st = set_string(&f, &t->name); break;
        case 9:
            if (f.wire != MOTE_PB_LEN)
                st = mote_error(MOTE_ERR_FORMAT, "byte %zu: raw_data is not bytes", f.offset);
            t->raw = f.data;
            t->raw_len = f.len;
            t->has_raw = true;
            break;
        case 10: st = mote_pb_append_double(&f, &t->f64, &t->n_f64, &t->cap_f64); break;
        case 11: st = mote_pb_append_int64(&f, &t->u64, &t->n_u64, &t->cap_u64); break;
        case 13: {
            char *k = NULL, *v = NULL;
            st = read_string_entry(r, &f, &k, &v);
            if (!st && k && v) {
                char *endp;
                if (!strcmp(k, "location")) {
                    free(t->ext_location);
                    t->ext_location = v;
                    v = NULL;
                } else if (!strcmp(k, "offset") || !strcmp(k, "length")) {
                    long long x = strtoll(v, &endp, 10);
                    if (*v == 0 || *endp || x < 0)
                        st = mote_error(MOTE_ERR_FORMAT, "external_data %s '%s' is not a number", k, v);
                    else if (k[0] == 'o')
                        t->ext_offset = x;
                    else
                        t->ext_length = x;
                }
            }
            free(k);
            free(v);
            break;
        }
        case 14: st = mote_pb_as_int64(&f, &location); break;
        default: break;
        }
        if (st)
            break;
    }
    if (!st && nd > MOTE_MAX_DIMS)
        st = mote_error(MOTE_ERR_UNSUPPORTED, "tensor '%s' has %zu dims (mote handles %d)",
                        t->name ? t->name : "", nd, MOTE_MAX_DIMS);
    if (!st) {
        t->ndim = (int)nd;
        for (size_t i = 0; i < nd; i++) {
            if (dims[i] < 0)
                st = mote_error(MOTE_ERR_FORMAT, "tensor '%s': negative dim %lld",
                                t->name ? t->name : "", (long long)dims[i]);
            t->dims[i] = dims[i];
        }
        t->external = location == 1;
    }
    free(dims);
    return st;
}

void mote_onnx_tensor_free(mote_onnx_tensor *t)
{
    if (!t)
        return;
    free(t->name);
    free(t->f32);
    free(t->i32);
    free(t->i64);
    free(t->f64);
    free(t->u64);
    free(t->ext_location);
    memset(t, 0, sizeof *t);
}

mote_status mote_onnx_parse_tensor(const void *buf, size_t len, mote_onnx_tensor *t)
{
    mote_pb r;
    memset(t, 0, sizeof *t);
    mote_pb_init(&r, buf, len);
    mote_status st = read_tensor(&r, t);
    if (st) {
        mote_onnx_tensor_free(t);
        return mote_error_wrap(st, "TensorProto");
    }
    return MOTE_OK;
}

static mote_status read_sub_tensor(const mote_pb *r, const mote_pb_field *f, mote_onnx_tensor *t)
{
    mote_pb sub;
    mote_status st = mote_pb_sub(r, f, &sub);
    return st ? st : read_tensor(&sub, t);
}

/* -------------------------------------------------------- AttributeProto */

static void graph_free(mote_onnx_graph *g);
static mote_status read_graph(mote_pb *r, mote_onnx_graph *g);

static void attr_free(mote_onnx_attr *a)
{
    free(a->name);
    free(a->s);
    if (a->t) {
        mote_onnx_tensor_free(a->t);
        free(a->t);
    }
    free(a->floats);
    free(a->ints);
    for (size_t i = 0; i < a->n_strings; i++)
        free(a->strings[i]);
    free(a->strings);
    for (size_t i = 0; i < a->n_tensors; i++)
        mote_onnx_tensor_free(&a->tensors[i]);
    free(a->tensors);
    free(a->ref_attr_name);
    for (int i = 0; i < a->n_graphs; i++)
        graph_free(&a->graphs[i]);
    free(a->graphs);
}

static mote_status read_attr(mote_pb *r, mote_onnx_attr *a)
{
    mote_pb_field f;
    bool done;
    mote_status st;
    mote_pb sub;
    while (!(st = mote_pb_next(r, &f, &done)) && !done) {
        switch (f.num) {
        case 1: st = set_string(&f, &a->name); break;
        case 20: {
            int64_t v;
            st = mote_pb_as_int64(&f, &v);
            a->type = (int)v;
            break;
        }
        case 2: st = mote_pb_as_float(&f, &a->f); break;
        case 3: st = mote_pb_as_int64(&f, &a->i); break;
        case 4:
            /* bytes: kept with its length; may hold anything */
            if (f.wire != MOTE_PB_LEN) {
                st = mote_error(MOTE_ERR_FORMAT, "byte %zu: attribute s is not bytes", f.offset);
                break;
            }
            free(a->s);
            a->s = malloc(f.len + 1);
            if (!a->s) {
                st = OOM();
                break;
            }
            if (f.len)
                memcpy(a->s, f.data, f.len);
            a->s[f.len] = 0;
            a->s_len = f.len;
            break;
        case 5:
            if (a->t)
                mote_onnx_tensor_free(a->t);
            else if (!(a->t = calloc(1, sizeof *a->t))) {
                st = OOM();
                break;
            }
            st = read_sub_tensor(r, &f, a->t);
            break;
        case 6: case 11: {
            /* subgraphs (If/Loop/Scan bodies); nesting is bounded by the
             * reader's depth limit */
            if ((size_t)a->n_graphs == a->cap_graphs) {
                size_t nc = a->cap_graphs ? 2 * a->cap_graphs : 2;
                mote_onnx_graph *ng = realloc(a->graphs, nc * sizeof *ng);
                if (!ng) {
                    st = OOM();
                    break;
                }
                a->graphs = ng;
                a->cap_graphs = nc;
            }
            mote_onnx_graph *g = &a->graphs[a->n_graphs];
            memset(g, 0, sizeof *g);
            a->n_graphs++;
            if ((st = mote_pb_sub(r, &f, &sub)) == MOTE_OK)
                st = read_graph(&sub, g);
            break;
        }
        case 7: st = mote_pb_append_float(&f, &a->floats, &a->n_floats, &a->cap_floats); break;
        case 8: st = mote_pb_append_int64(&f, &a->ints, &a->n_ints, &a->cap_ints); break;
        case 9:
            if (f.wire != MOTE_PB_LEN) {
                st = mote_error(MOTE_ERR_FORMAT, "byte %zu: attribute strings is not bytes", f.offset);
                break;
            }
            {
                char **slot = PUSH(a->strings, a->n_strings, a->cap_strings);
                if (!slot) {
                    st = OOM();
                    break;
                }
                /* strings may hold any bytes; a NUL ends them for mote */
                *slot = malloc(f.len + 1);
                if (!*slot) {
                    st = OOM();
                    break;
                }
                if (f.len)
                    memcpy(*slot, f.data, f.len);
                (*slot)[f.len] = 0;
            }
            break;
        case 10: {
            mote_onnx_tensor *t = PUSH(a->tensors, a->n_tensors, a->cap_tensors);
            st = t ? read_sub_tensor(r, &f, t) : OOM();
            break;
        }
        case 21: st = set_string(&f, &a->ref_attr_name); break;
        default: break;
        }
        if (st)
            break;
    }
    return st;
}

/* ------------------------------------------------------------- NodeProto */

static void node_free(mote_onnx_node *n)
{
    free(n->name);
    free(n->op_type);
    free(n->domain);
    for (size_t i = 0; i < n->n_in; i++)
        free(n->in[i]);
    free(n->in);
    for (size_t i = 0; i < n->n_out; i++)
        free(n->out[i]);
    free(n->out);
    for (size_t i = 0; i < n->n_attrs; i++)
        attr_free(&n->attrs[i]);
    free(n->attrs);
}

static mote_status read_node(mote_pb *r, mote_onnx_node *n)
{
    mote_pb_field f;
    bool done;
    mote_status st;
    while (!(st = mote_pb_next(r, &f, &done)) && !done) {
        switch (f.num) {
        case 1: st = push_string(&f, &n->in, &n->n_in, &n->cap_in); break;
        case 2: st = push_string(&f, &n->out, &n->n_out, &n->cap_out); break;
        case 3: st = set_string(&f, &n->name); break;
        case 4: st = set_string(&f, &n->op_type); break;
        case 7: st = set_string(&f, &n->domain); break;
        case 5: {
            mote_onnx_attr *a = PUSH(n->attrs, n->n_attrs, n->cap_attrs);
            mote_pb sub;
            if (!a)
                st = OOM();
            else if (!(st = mote_pb_sub(r, &f, &sub)))
                st = read_attr(&sub, a);
            if (st && a)
                st = mote_error_wrap(st, a->name ? a->name : "attribute");
            break;
        }
        default: break;
        }
        if (st)
            break;
    }
    if (!st && !n->op_type)
        st = mote_error(MOTE_ERR_FORMAT, "node without op_type");
    return st;
}

/* ------------------------------------------------- ValueInfo / TypeProto */

static mote_status read_shape(mote_pb *r, mote_onnx_value_info *v)
{
    mote_pb_field f, g;
    bool done, done2;
    mote_status st;
    v->has_shape = true;
    v->ndim = 0;
    while (!(st = mote_pb_next(r, &f, &done)) && !done) {
        if (f.num != 1)
            continue;
        if (v->ndim >= MOTE_MAX_DIMS)
            return mote_error(MOTE_ERR_UNSUPPORTED, "value '%s' has more than %d dims",
                              v->name ? v->name : "", MOTE_MAX_DIMS);
        int64_t d = -1;   /* symbolic or absent: left to the session */
        mote_pb dim;
        if ((st = mote_pb_sub(r, &f, &dim)))
            return st;
        while (!(st = mote_pb_next(&dim, &g, &done2)) && !done2) {
            if (g.num == 1) {
                if ((st = mote_pb_as_int64(&g, &d)))
                    return st;
                if (d < 0)
                    return mote_error(MOTE_ERR_FORMAT, "value '%s': negative dim %lld",
                                      v->name ? v->name : "", (long long)d);
            } else if (g.num == 2) {
                d = -1;
            }
        }
        if (st)
            return st;
        v->dims[v->ndim++] = d;
    }
    return st;
}

/* TypeProto is recursive (sequence of sequence of ...): the depth limit of
 * mote_pb_sub bounds it. Only tensor types are recorded. */
static mote_status read_type(mote_pb *r, mote_onnx_value_info *v, bool top)
{
    mote_pb_field f, g;
    bool done, done2;
    mote_status st;
    mote_pb sub, sub2;
    while (!(st = mote_pb_next(r, &f, &done)) && !done) {
        if (f.num == 1 && top) {            /* tensor_type */
            v->is_tensor = true;
            if ((st = mote_pb_sub(r, &f, &sub)))
                return st;
            while (!(st = mote_pb_next(&sub, &g, &done2)) && !done2) {
                int64_t et;
                if (g.num == 1) {
                    if ((st = mote_pb_as_int64(&g, &et)))
                        return st;
                    v->elem_type = (int32_t)et;
                } else if (g.num == 2) {
                    if ((st = mote_pb_sub(&sub, &g, &sub2)) || (st = read_shape(&sub2, v)))
                        return st;
                }
            }
            if (st)
                return st;
        } else if (f.num == 4 || f.num == 5 || f.num == 9 || f.num == 8) {
            /* sequence, map, optional, sparse: walk the element types */
            if ((st = mote_pb_sub(r, &f, &sub)))
                return st;
            while (!(st = mote_pb_next(&sub, &g, &done2)) && !done2) {
                if (f.num != 8 && (g.num == 1 || g.num == 2) && g.wire == MOTE_PB_LEN) {
                    if ((st = mote_pb_sub(&sub, &g, &sub2)) || (st = read_type(&sub2, v, false)))
                        return st;
                }
            }
            if (st)
                return st;
        }
    }
    return st;
}

static mote_status read_value_info(mote_pb *r, mote_onnx_value_info *v)
{
    mote_pb_field f;
    bool done;
    mote_status st;
    mote_pb sub;
    while (!(st = mote_pb_next(r, &f, &done)) && !done) {
        if (f.num == 1)
            st = set_string(&f, &v->name);
        else if (f.num == 2 && !(st = mote_pb_sub(r, &f, &sub)))
            st = read_type(&sub, v, true);
        if (st)
            break;
    }
    if (!st && !v->name)
        st = mote_error(MOTE_ERR_FORMAT, "value info without a name");
    return st;
}

/* ------------------------------------------------------------ GraphProto */

static void graph_free(mote_onnx_graph *g)
{
    free(g->name);
    for (size_t i = 0; i < g->n_nodes; i++)
        node_free(&g->nodes[i]);
    free(g->nodes);
    for (size_t i = 0; i < g->n_inits; i++)
        mote_onnx_tensor_free(&g->inits[i]);
    free(g->inits);
    mote_onnx_value_info *lists[3] = {g->inputs, g->outputs, g->infos};
    size_t counts[3] = {g->n_inputs, g->n_outputs, g->n_infos};
    for (int l = 0; l < 3; l++) {
        for (size_t i = 0; i < counts[l]; i++)
            free(lists[l][i].name);
        free(lists[l]);
    }
}

static mote_status read_graph(mote_pb *r, mote_onnx_graph *g)
{
    mote_pb_field f;
    bool done;
    mote_status st;
    mote_pb sub;
    char where[64];
    while (!(st = mote_pb_next(r, &f, &done)) && !done) {
        mote_onnx_value_info *v = NULL;
        switch (f.num) {
        case 1: {
            mote_onnx_node *n = PUSH(g->nodes, g->n_nodes, g->cap_nodes);
            if (!n)
                return OOM();
            if ((st = mote_pb_sub(r, &f, &sub)) || (st = read_node(&sub, n))) {
                snprintf(where, sizeof where, "node %zu", g->n_nodes - 1);
                return mote_error_wrap(st, n->name && *n->name ? n->name : where);
            }
            break;
        }
        case 2: st = set_string(&f, &g->name); break;
        case 5: {
            mote_onnx_tensor *t = PUSH(g->inits, g->n_inits, g->cap_inits);
            if (!t)
                return OOM();
            if ((st = mote_pb_sub(r, &f, &sub)) || (st = read_tensor(&sub, t))) {
                snprintf(where, sizeof where, "initializer %zu", g->n_inits - 1);
                return mote_error_wrap(st, where);
            }
            break;
        }
        case 15: g->n_sparse_inits++; break;
        case 11: v = PUSH(g->inputs, g->n_inputs, g->cap_inputs); goto vi;
        case 12: v = PUSH(g->outputs, g->n_outputs, g->cap_outputs); goto vi;
        case 13: v = PUSH(g->infos, g->n_infos, g->cap_infos);
        vi:
            if (!v)
                return OOM();
            if ((st = mote_pb_sub(r, &f, &sub)) || (st = read_value_info(&sub, v)))
                return mote_error_wrap(st, f.num == 11 ? "graph input" :
                                           f.num == 12 ? "graph output" : "value_info");
            break;
        default: break;
        }
        if (st)
            return st;
    }
    return st;
}

/* ------------------------------------------------------------ ModelProto */

void mote_onnx_model_free(mote_onnx_model *m)
{
    if (!m)
        return;
    free(m->producer_name);
    free(m->producer_version);
    free(m->domain);
    free(m->doc);
    graph_free(&m->graph);
    for (size_t i = 0; i < m->n_opsets; i++)
        free(m->opsets[i].domain);
    free(m->opsets);
    for (size_t i = 0; i < m->n_meta; i++) {
        free(m->meta[i].key);
        free(m->meta[i].value);
    }
    free(m->meta);
    memset(m, 0, sizeof *m);
}

static mote_status read_model(mote_pb *r, mote_onnx_model *m)
{
    mote_pb_field f, g;
    bool done, done2;
    mote_status st;
    mote_pb sub;
    while (!(st = mote_pb_next(r, &f, &done)) && !done) {
        switch (f.num) {
        case 1: st = mote_pb_as_int64(&f, &m->ir_version); break;
        case 2: st = set_string(&f, &m->producer_name); break;
        case 3: st = set_string(&f, &m->producer_version); break;
        case 4: st = set_string(&f, &m->domain); break;
        case 5: st = mote_pb_as_int64(&f, &m->model_version); break;
        case 6: st = set_string(&f, &m->doc); break;
        case 7:
            if (m->has_graph)
                return mote_error(MOTE_ERR_FORMAT, "ModelProto holds two graphs");
            m->has_graph = true;
            if ((st = mote_pb_sub(r, &f, &sub)) || (st = read_graph(&sub, &m->graph)))
                return mote_error_wrap(st, "graph");
            break;
        case 8: {
            mote_onnx_opset *o = PUSH(m->opsets, m->n_opsets, m->cap_opsets);
            if (!o)
                return OOM();
            if ((st = mote_pb_sub(r, &f, &sub)))
                return st;
            while (!(st = mote_pb_next(&sub, &g, &done2)) && !done2) {
                if (g.num == 1)
                    st = set_string(&g, &o->domain);
                else if (g.num == 2)
                    st = mote_pb_as_int64(&g, &o->version);
                if (st)
                    break;
            }
            if (st)
                return mote_error_wrap(st, "opset_import");
            break;
        }
        case 14: {
            void *e = push((void **)&m->meta, &m->n_meta, &m->cap_meta, sizeof *m->meta);
            if (!e)
                return OOM();
            if ((st = read_string_entry(r, &f, &m->meta[m->n_meta - 1].key,
                                        &m->meta[m->n_meta - 1].value)))
                return mote_error_wrap(st, "metadata_props");
            break;
        }
        case 25: m->n_functions++; break;
        default: break;
        }
        if (st)
            return st;
    }
    return st;
}

mote_status mote_onnx_parse_model(const void *buf, size_t len, mote_onnx_model *m)
{
    mote_pb r;
    memset(m, 0, sizeof *m);
    mote_pb_init(&r, buf, len);
    mote_status st = read_model(&r, m);
    if (!st && !m->has_graph)
        st = mote_error(MOTE_ERR_FORMAT, "no graph in the model (not an ONNX ModelProto?)");
    if (st) {
        mote_onnx_model_free(m);
        return mote_error_wrap(st, "ModelProto");
    }
    return MOTE_OK;
}

int64_t mote_onnx_opset_version(const mote_onnx_model *m, const char *domain)
{
    bool dflt = !domain || !*domain || !strcmp(domain, "ai.onnx");
    for (size_t i = 0; i < m->n_opsets; i++) {
        const char *d = m->opsets[i].domain ? m->opsets[i].domain : "";
        bool odflt = !*d || !strcmp(d, "ai.onnx");
        if (dflt ? odflt : !strcmp(d, domain))
            return m->opsets[i].version;
    }
    return 0;
}
