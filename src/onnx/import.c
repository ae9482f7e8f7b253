/*
 * import.c — maps a parsed ONNX model (onnx_proto.h) onto the graph
 * builder of mote.h: initializers and Constant nodes become weights, graph
 * inputs become inputs, nodes become nodes with their attributes. Older
 * opset forms are rewritten by onnx_legacy.c. Not the protobuf reading
 * (onnx_read.c) and not the optimization (src/passes/).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "graph/graph.h"
#include "graph/internal.h"
#include "ops/ops.h"
#include "onnx.h"
#include "onnx_import.h"
#include "passes/passes.h"

void mote_onnx_options_init(mote_onnx_options *o)
{
    memset(o, 0, sizeof *o);
    o->optimize = 1;
}

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
    if (!c->cap_names)
        return -1;
    size_t j = hash_str(name) & (c->cap_names - 1);
    while (c->names[j].name) {
        if (!strcmp(c->names[j].name, name))
            return c->names[j].id;
        j = (j + 1) & (c->cap_names - 1);
    }
    return -1;
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

/* Constant: its one value attribute becomes a weight named like its output. */
static mote_status import_constant(mote_onnx_ctx *c, const mote_onnx_node *n, const char *label)
{
    if (n->n_out != 1 || n->n_attrs != 1)
        return mote_error(MOTE_ERR_FORMAT, "%s: a Constant needs one output and one attribute", label);
    const mote_onnx_attr *a = &n->attrs[0];
    const char *out = n->out[0];
    int id;
    if (!strcmp(a->name, "value") && a->t)
        return mote_onnx_add_tensor(c, a->t, out, &id);
    int64_t one = 1;
    int64_t dims[1];
    const void *data = NULL;
    mote_dtype dt = 0;
    int ndim = 0;
    if (!strcmp(a->name, "value_float")) {
        dt = MOTE_F32; data = &a->f;
    } else if (!strcmp(a->name, "value_int")) {
        dt = MOTE_I64; data = &a->i;
    } else if (!strcmp(a->name, "value_floats")) {
        dt = MOTE_F32; data = a->floats ? (const void *)a->floats : (const void *)&one;
        ndim = 1; dims[0] = (int64_t)a->n_floats;
    } else if (!strcmp(a->name, "value_ints")) {
        dt = MOTE_I64; data = a->ints ? (const void *)a->ints : (const void *)&one;
        ndim = 1; dims[0] = (int64_t)a->n_ints;
    } else {
        return mote_error(MOTE_ERR_UNSUPPORTED, "%s: Constant attribute '%s' is not supported",
                          label, a->name ? a->name : "");
    }
    id = mote_graph_weight(c->g, out, dt, ndim, dims, data);
    if (id < 0)
        return mote_error(MOTE_ERR_GRAPH, "%s: %s", label, mote_last_error());
    return mote_onnx_names_put(c, out, id);
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

mote_status mote_onnx_import_node(mote_onnx_ctx *c, const mote_onnx_node *n, size_t index)
{
    char label[512];
    char uname[64];
    mote_onnx_node_label(n, label, sizeof label);
    const char *domain = n->domain ? n->domain : "";
    if (*domain && strcmp(domain, "ai.onnx") != 0)
        return mote_error(MOTE_ERR_UNSUPPORTED, "%s: operator domain '%s' (opset %lld) is not supported",
                          label, domain, (long long)mote_onnx_opset_version(c->m, domain));
    for (size_t i = 0; i < n->n_attrs; i++)
        if (!n->attrs[i].name || !*n->attrs[i].name)
            return mote_error(MOTE_ERR_FORMAT, "%s: attribute %zu has no name", label, i);
    mote_status st = mote_onnx_check_attrs(n, label);
    if (st)
        return st;
    if (!strcmp(n->op_type, "Constant"))
        return import_constant(c, n, label);
    const char *name = n->name;
    if (!name || !*name) {
        snprintf(uname, sizeof uname, "%s_%zu", n->op_type, index);
        name = uname;
    }
    if (!strcmp(n->op_type, "If"))   /* both branches inlined (onnx_control.c) */
        return mote_onnx_import_if(c, n, name, label);
    if (!strcmp(n->op_type, "Loop"))   /* a constant trip count, unrolled (onnx_control.c) */
        return mote_onnx_import_loop(c, n, name, label);
    /* Older opset forms are rewritten into the current ones. */
    bool handled = false;
    st = mote_onnx_legacy(c, n, name, label, &handled);
    if (st || handled)
        return st;
    if (!mote_op_find(n->op_type))
        return mote_error(MOTE_ERR_UNSUPPORTED, "%s: op %s (opset %lld) is not supported by mote",
                          label, n->op_type, (long long)c->opset);
    int *in = calloc(n->n_in + 1, sizeof *in);
    int *out = calloc(n->n_out + 1, sizeof *out);
    int node;
    if (!in || !out) {
        st = mote_error(MOTE_ERR_NOMEM, "out of memory");
        goto done;
    }
    if ((st = mote_onnx_input_ids(c, n, in, label)))
        goto done;
    if ((st = mote_onnx_emit(c, n->op_type, name, (int)n->n_in, in, (int)n->n_out,
                             (const char *const *)n->out, out, &node)))
        goto done;
    st = mote_onnx_copy_attrs(c, node, n, label);
    if (!st)
        st = mote_onnx_f16_node(c, node, n);   /* Cast to f16 -> f32 (onnx_f16.c) */
done:
    free(in);
    free(out);
    return st;
}

/* ---------------------------------------------------------------- graph */

static mote_status import_value_input(mote_onnx_ctx *c, const mote_onnx_value_info *v)
{
    if (mote_onnx_names_get(c, v->name) >= 0)
        return MOTE_OK;   /* an initializer with the same name: a weight (IR < 4) */
    if (!v->is_tensor)
        return mote_error(MOTE_ERR_UNSUPPORTED, "graph input '%s' is not a tensor (sequences, maps "
                          "and optionals are not supported)", v->name);
    mote_dtype dt = mote_onnx_to_mote_dtype(v->elem_type);
    if (!dt)
        return mote_error(MOTE_ERR_UNSUPPORTED, "graph input '%s': element type %s is not supported",
                          v->name, mote_onnx_dtype_name(v->elem_type));
    if (!v->has_shape)
        return mote_error(MOTE_ERR_UNSUPPORTED, "graph input '%s' has no shape (not even a rank)", v->name);
    int id = mote_graph_input(c->g, v->name, dt, v->ndim, v->dims);
    if (id < 0)
        return mote_error(MOTE_ERR_GRAPH, "cannot add input '%s': %s", v->name, mote_last_error());
    return mote_onnx_f16_input(c, v->name, id, dt);   /* f16 inputs: a Cast to f32 */
}

static void progress(const mote_onnx_options *o, const char *stage, size_t done, size_t total)
{
    if (o->progress)
        o->progress(o->progress_user, stage, done, total);
}

static mote_status import_model(mote_onnx_ctx *c, const mote_onnx_options *o)
{
    const mote_onnx_model *m = c->m;
    const mote_onnx_graph *og = &m->graph;
    mote_status st;
    if (og->n_sparse_inits)
        return mote_error(MOTE_ERR_UNSUPPORTED, "sparse initializers are not supported");
    c->opset = mote_onnx_opset_version(m, "");
    if (c->opset == 0 && m->n_opsets == 0)
        c->opset = 1;   /* IR 1-2 files carry no opset_import: opset 1 */
    if (c->opset == 0)
        return mote_error(MOTE_ERR_UNSUPPORTED, "the model imports no default-domain (ai.onnx) opset");
    /* Everything unsupported at once (onnx_support.c), before any work. */
    if ((st = mote_onnx_check_support(c)))
        return st;
    for (size_t i = 0; i < og->n_inits; i++) {
        int id;
        const mote_onnx_tensor *t = &og->inits[i];
        if (!t->name || !*t->name)
            return mote_error(MOTE_ERR_FORMAT, "initializer %zu has no name", i);
        if ((st = mote_onnx_add_tensor(c, t, t->name, &id)))
            return mote_error_wrap(st, "initializer");
        progress(o, "weights", i + 1, og->n_inits);
    }
    for (size_t i = 0; i < og->n_inputs; i++)
        if ((st = import_value_input(c, &og->inputs[i])))
            return st;
    /* Nodes in a topological order (onnx_order.c): ONNX allows any order. */
    size_t *order;
    if ((st = mote_onnx_node_order(og, &order)))
        return st;
    for (size_t i = 0; i < og->n_nodes; i++) {
        if ((st = mote_onnx_import_node(c, &og->nodes[order[i]], order[i]))) {
            free(order);
            return st;
        }
        progress(o, "nodes", i + 1, og->n_nodes);
    }
    free(order);
    for (size_t i = 0; i < og->n_outputs; i++) {
        int id = mote_onnx_names_get(c, og->outputs[i].name);
        if (!og->outputs[i].is_tensor)
            return mote_error(MOTE_ERR_UNSUPPORTED, "graph output '%s' is not a tensor (sequences, "
                              "maps and optionals are not supported)", og->outputs[i].name);
        if (id < 0)
            return mote_error(MOTE_ERR_GRAPH, "graph output '%s' is produced by no node", og->outputs[i].name);
        if ((st = mote_graph_output(c->g, id)))
            return st;
    }
    /* Metadata: where the model came from. */
    mote_graph_meta_string(c->g, "source", "onnx");
    if (m->producer_name && *m->producer_name)
        mote_graph_meta_string(c->g, "producer", m->producer_name);
    if (m->producer_version && *m->producer_version)
        mote_graph_meta_string(c->g, "producer_version", m->producer_version);
    if (m->doc && *m->doc)
        mote_graph_meta_string(c->g, "description", m->doc);
    if (og->name && *og->name)
        mote_graph_meta_string(c->g, "onnx.graph_name", og->name);
    mote_graph_meta_int(c->g, "onnx.ir_version", m->ir_version);
    mote_graph_meta_int(c->g, "onnx.opset", c->opset);
    mote_graph_meta_int(c->g, "onnx.nodes", (int64_t)og->n_nodes);
    for (size_t i = 0; i < m->n_meta; i++) {
        char key[256];
        if (!m->meta[i].key || !m->meta[i].value)
            continue;
        snprintf(key, sizeof key, "onnx.meta.%s", m->meta[i].key);
        mote_graph_meta_string(c->g, key, m->meta[i].value);
    }
    return MOTE_OK;
}

mote_status mote_onnx_import_memory(const void *buf, size_t len, const char *model_dir,
                                    const mote_onnx_options *opt, mote_graph **out)
{
    mote_onnx_options dflt;
    if (!out)
        return mote_error(MOTE_ERR_ARG, "mote_onnx_import: NULL out");
    *out = NULL;
    if (!buf && len)
        return mote_error(MOTE_ERR_ARG, "mote_onnx_import: NULL buffer");
    if (!opt) {
        mote_onnx_options_init(&dflt);
        opt = &dflt;
    }
    mote_onnx_model m;
    mote_status st = mote_onnx_parse_model(buf, len, &m);
    if (st)
        return st;
    progress(opt, "read", len, len);
    mote_onnx_ctx c;
    memset(&c, 0, sizeof c);
    c.m = &m;
    c.dir = model_dir;
    c.g = mote_graph_new();
    if (!c.g) {
        mote_onnx_model_free(&m);
        return mote_error(MOTE_ERR_NOMEM, "out of memory for the graph");
    }
    st = import_model(&c, opt);
    free(c.names);
    for (size_t i = 0; i < c.n_kept; i++)   /* onnx_control.c */
        free(c.kept[i]);
    free(c.kept);
    mote_onnx_model_free(&m);
    if (!st && opt->optimize) {
        progress(opt, "optimize", 0, 1);
        st = mote_optimize(c.g);
        progress(opt, "optimize", 1, 1);
    }
    if (st) {
        mote_graph_free(c.g);
        return st;
    }
    *out = c.g;
    return MOTE_OK;
}

/* Reads a whole file into a malloc'd buffer. */
static mote_status slurp(const char *path, uint8_t **buf, size_t *len)
{
    *buf = NULL;
    *len = 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return mote_error(MOTE_ERR_IO, "%s: %s", path, strerror(errno));
    struct stat sb;
    if (fstat(fileno(f), &sb) != 0 || !S_ISREG(sb.st_mode)) {
        fclose(f);
        return mote_error(MOTE_ERR_IO, "%s: not a regular file", path);
    }
    size_t n = (size_t)sb.st_size;
    uint8_t *p = malloc(n ? n : 1);
    if (!p) {
        fclose(f);
        return mote_error(MOTE_ERR_NOMEM, "%s: out of memory for %zu bytes", path, n);
    }
    if (n && fread(p, 1, n, f) != n) {
        free(p);
        fclose(f);
        return mote_error(MOTE_ERR_IO, "%s: short read", path);
    }
    fclose(f);
    *buf = p;
    *len = n;
    return MOTE_OK;
}

mote_status mote_onnx_import(const char *path, const mote_onnx_options *opt, mote_graph **out)
{
    if (!path || !out)
        return mote_error(MOTE_ERR_ARG, "mote_onnx_import: NULL argument");
    *out = NULL;
    uint8_t *buf;
    size_t len;
    mote_status st = slurp(path, &buf, &len);
    if (st)
        return st;
    char *dir = mote_strdup(path);
    if (!dir) {
        free(buf);
        return mote_error(MOTE_ERR_NOMEM, "out of memory");
    }
    char *slash = strrchr(dir, '/');
    if (slash)
        *(slash == dir ? slash + 1 : slash) = 0;
    else
        strcpy(dir, ".");
    st = mote_onnx_import_memory(buf, len, dir, opt, out);
    free(dir);
    free(buf);
    if (st)
        return mote_error_wrap(st, path);
    return MOTE_OK;
}

mote_status mote_onnx_read_tensor_file(const char *path, mote_tensor *t, char **name)
{
    uint8_t *buf;
    size_t len;
    memset(t, 0, sizeof *t);
    if (name)
        *name = NULL;
    mote_status st = slurp(path, &buf, &len);
    if (st)
        return st;
    mote_onnx_tensor ot;
    st = mote_onnx_parse_tensor(buf, len, &ot);
    if (!st) {
        size_t nbytes;
        st = mote_onnx_tensor_data(&ot, NULL, &t->dtype, &t->data, &nbytes);
        t->ndim = ot.ndim;
        memcpy(t->dims, ot.dims, sizeof t->dims);
        if (!st && name && !(*name = mote_strdup(ot.name ? ot.name : ""))) {
            free(t->data);
            t->data = NULL;
            st = mote_error(MOTE_ERR_NOMEM, "out of memory");
        }
        mote_onnx_tensor_free(&ot);
    }
    free(buf);
    return st ? mote_error_wrap(st, path) : MOTE_OK;
}
