/*
 * import.c — maps a parsed ONNX model (onnx_proto.h) onto the graph
 * builder of mote.h: initializers and Constant nodes become weights, graph
 * inputs become inputs, nodes become nodes with their attributes. Older
 * opset forms are rewritten by onnx_legacy.c; the name map and node
 * emission are in import_ctx.c. Not the protobuf reading
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
