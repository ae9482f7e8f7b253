/*
 * session.c — sessions: graph checks and shape inference, the options,
 * making, reshaping and freeing a session, and running it.
 *
 * mote_session_new does, in order:
 *   1. resolve the kernel table for the ISA (cpu.c) and the thread pool
 *      (the session's own, or the caller's from the options);
 *   2. take a reference to the model's prepared weights (prepared.c);
 *   3. build the plan for the input shapes (session_plan.c): infer and
 *      prepare every node, plan one arena, lay out the ops' state, count
 *      every byte against the budget, then allocate.
 * mote_session_reshape builds a new plan beside the old one and swaps.
 * mote_session_run then copies the inputs in and calls each step's run
 * function: no allocation, no shape work, no lookup.
 *
 * Not here: op math (src/ops/), kernels, the file format.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "config.h"
#include "cpu.h"
#include "device.h"
#include "graph/internal.h"
#include "session.h"
#include "budget.h"
#include "prepared.h"
#include "device.h"
#include "config.h"
#ifdef MOTE_HAVE_OPENCL
#include "opencl/opencl_session.h"
#endif
#include "shape_fold.h"
#include "control_flow.h"

/* The options of mote 0.1, the first with struct_size: the smallest
 * struct_size accepted. Fields added later go after max_bytes. */
#define OPTIONS_SIZE_0_1 (offsetof(mote_session_options, max_bytes) + sizeof(size_t))

void mote_session_options_init_sized(mote_session_options *o, size_t struct_size)
{
    if (!o || struct_size < OPTIONS_SIZE_0_1) return;
    /* A program built against a newer header: its extra fields are zero. */
    memset(o, 0, struct_size);
    mote_session_options d;
    memset(&d, 0, sizeof d);
    d.struct_size = struct_size;
    d.pin = -1;
    memcpy(o, &d, struct_size < sizeof d ? struct_size : sizeof d);
}

/* Copies the caller's options over the defaults, as far as the caller's
 * struct goes (see struct_size in mote.h). */
static mote_status copy_options(const mote_session_options *opts, mote_session_options *o)
{
    mote_session_options_init_sized(o, sizeof *o);
    if (!opts) return MOTE_OK;
    size_t n = opts->struct_size;
    if (n < OPTIONS_SIZE_0_1 || n > ((size_t)1 << 16))
        return mote_error(MOTE_ERR_ARG, "session options: struct_size is %zu; make the options "
                          "with mote_session_options_init", n);
    if (n > sizeof *o) {
        const unsigned char *tail = (const unsigned char *)opts + sizeof *o;
        for (size_t i = 0; i < n - sizeof *o; i++)
            if (tail[i])
                return mote_error(MOTE_ERR_UNSUPPORTED, "session options: the program sets an option "
                                  "(byte %zu of %zu) that this library (mote %s) does not know",
                                  sizeof *o + i, n, mote_version_string());
        n = sizeof *o;
    }
    memcpy(o, opts, n);
    o->struct_size = sizeof *o;
    return MOTE_OK;
}

/* ------------------------------------------------------------ inference */

mote_status mote_check_arity(const mote_node *n, const mote_op *op)
{
    if (n->n_in < op->min_in || n->n_in > op->max_in)
        return mote_error(MOTE_ERR_GRAPH, "node '%s' (%s): has %d inputs, the op takes %d to %d",
                          n->name, n->op, n->n_in, op->min_in, op->max_in);
    if (n->n_out < op->min_out || n->n_out > op->max_out)
        return mote_error(MOTE_ERR_GRAPH, "node '%s' (%s): has %d outputs, the op gives %d to %d",
                          n->name, n->op, n->n_out, op->min_out, op->max_out);
    for (int i = 0; i < n->n_in; i++)
        if (n->in[i] < -1)
            return mote_error(MOTE_ERR_GRAPH, "node '%s' (%s): input %d is invalid", n->name, n->op, i);
    return MOTE_OK;
}

/* Builds an op context for node n over vals; in/out are caller arrays. */
void mote_ctx_init(mote_op_ctx *c, const mote_graph *g, const mote_node *n,
                     mote_tensor *vals, mote_tensor **in, mote_tensor **out,
                     const mote_kernels *k, int threads)
{
    memset(c, 0, sizeof *c);
    c->g = g;
    c->node = n;
    c->n_in = n->n_in;
    c->n_out = n->n_out;
    for (int i = 0; i < n->n_in; i++) in[i] = n->in[i] >= 0 ? &vals[n->in[i]] : NULL;
    for (int i = 0; i < n->n_out; i++) out[i] = &vals[n->out[i]];
    c->in = in;
    c->out = out;
    c->k = k;
    c->threads = threads;
}

/* Every input of n has a known shape whose size fits: graph inputs and
 * weights come from the file or the caller, and ops may multiply any of
 * their dims (an empty (0, 2^62, 2^62) input included). */
mote_status mote_check_inputs(const mote_graph *g, const mote_node *n, const mote_tensor *vals)
{
    for (int i = 0; i < n->n_in; i++) {
        if (n->in[i] < 0) continue;
        const mote_tensor *t = &vals[n->in[i]];
        if (t->ndim < 0)
            return mote_error(MOTE_ERR_SHAPE, "node '%s' (%s): input %d ('%s') has no known shape",
                              n->name, n->op, i, g->values[n->in[i]].name);
        if (mote_tensor_numel(t) < 0 || (mote_tensor_nbytes(t) == 0 && mote_tensor_numel(t) > 0)) {
            char buf[MOTE_MAX_DIMS * 21 + 16];
            return mote_error(MOTE_ERR_LIMIT, "node '%s' (%s): input %d ('%s') of shape %s is "
                              "too large (its size passes %lld)", n->name, n->op, i,
                              g->values[n->in[i]].name, mote_tensor_describe(t, buf, sizeof buf),
                              (long long)PTRDIFF_MAX);
        }
    }
    return MOTE_OK;
}

mote_status mote_check_outputs(const mote_op_ctx *c)
{
    for (int i = 0; i < c->n_out; i++) {
        const mote_tensor *t = c->out[i];
        if (!mote_dtype_size(t->dtype) || t->ndim < 0 || t->ndim > MOTE_MAX_DIMS)
            return mote_op_error(c, MOTE_ERR_SHAPE, "output %d has no valid dtype/shape", i);
        for (int d = 0; d < t->ndim; d++)
            if (t->dims[d] < 0)
                return mote_op_error(c, MOTE_ERR_SHAPE, "output %d has an unknown dimension", i);
        if (mote_tensor_numel(t) < 0 || (mote_tensor_nbytes(t) == 0 && mote_tensor_numel(t) > 0)) {
            char buf[MOTE_MAX_DIMS * 21 + 16];
            return mote_op_error(c, MOTE_ERR_LIMIT, "output %d of shape %s is too large (its "
                                 "size passes %lld)", i, mote_tensor_describe(t, buf, sizeof buf),
                                 (long long)PTRDIFF_MAX);
        }
    }
    return MOTE_OK;
}

/* Sets vals for inputs (shape preset by caller if ndim >= 0) and weights. */
mote_status mote_init_vals(const mote_graph *g, mote_tensor *vals, bool need_static)
{
    for (int v = 0; v < g->n_values; v++) {
        const mote_value *val = &g->values[v];
        if (val->kind == MOTE_VAL_ACT) {
            memset(&vals[v], 0, sizeof vals[v]);
            vals[v].ndim = -1;
            continue;
        }
        if (val->kind == MOTE_VAL_INPUT && vals[v].ndim >= 0) continue;   /* preset */
        vals[v] = mote_value_tensor(val);
        if (val->kind == MOTE_VAL_INPUT && need_static)
            for (int d = 0; d < val->ndim; d++)
                if (val->dims[d] < 0)
                    return mote_error(MOTE_ERR_SHAPE, "input '%s': dimension %d is not fixed; "
                                      "give its shape in the session options", val->name, d);
    }
    return MOTE_OK;
}

mote_status mote_graph_infer(const mote_graph *g, const mote_kernels *k, int threads,
                             const int *order, mote_tensor *vals)
{
    mote_tensor *in[64], *out[64];
    for (int oi = 0; oi < g->n_nodes; oi++) {
        const mote_node *n = &g->nodes[order[oi]];
        const mote_op *op = mote_op_find(n->op);
        if (!op)
            return mote_error(MOTE_ERR_UNSUPPORTED, "node '%s': op '%s' is not supported by mote",
                              n->name, n->op);
        mote_status st = mote_check_arity(n, op);
        if (st != MOTE_OK) return st;
        if (n->n_in > 64 || n->n_out > 64)
            return mote_error(MOTE_ERR_UNSUPPORTED, "node '%s': more than 64 inputs or outputs", n->name);
        if ((st = mote_check_inputs(g, n, vals)) != MOTE_OK) return st;
        mote_op_ctx c;
        mote_ctx_init(&c, g, n, vals, in, out, k, threads);
        if ((st = op->infer(&c)) != MOTE_OK) return st;
        if ((st = mote_check_outputs(&c)) != MOTE_OK) return st;
    }
    return MOTE_OK;
}

/* Structural checks that need no shapes. */
static mote_status check_structure(const mote_graph *g, int *order)
{
    for (int v = 0; v < g->n_values; v++) {
        const mote_value *val = &g->values[v];
        if (val->kind == MOTE_VAL_ACT && (val->producer < 0 || val->producer >= g->n_nodes))
            return mote_error(MOTE_ERR_GRAPH, "value '%s' is used but nothing produces it", val->name);
        if (val->kind == MOTE_VAL_WEIGHT && !val->data && val->nbytes)
            return mote_error(MOTE_ERR_GRAPH, "weight '%s' has no data", val->name);
    }
    for (int i = 0; i < g->n_nodes; i++) {
        const mote_node *n = &g->nodes[i];
        for (int j = 0; j < n->n_in; j++)
            if (n->in[j] < -1 || n->in[j] >= g->n_values)
                return mote_error(MOTE_ERR_GRAPH, "node '%s': input %d refers to a missing value", n->name, j);
        for (int j = 0; j < n->n_out; j++)
            if (n->out[j] < 0 || n->out[j] >= g->n_values || g->values[n->out[j]].producer != i)
                return mote_error(MOTE_ERR_GRAPH, "node '%s': output %d is inconsistent", n->name, j);
    }
    if (g->n_outputs == 0) return mote_error(MOTE_ERR_GRAPH, "graph has no outputs");
    return mote_graph_topo_order(g, order);
}

/* The checks of mote_graph_check; with annotate, activations of a graph
 * whose inputs are all fixed get their inferred dtype and shape. */
static mote_status check_graph(mote_graph *g, bool annotate);

mote_status mote_graph_check(const mote_graph *g)
{
    return check_graph((mote_graph *)g, false);   /* not written to */
}

mote_status mote_graph_check_annotate(mote_graph *g)
{
    return check_graph(g, true);
}

static mote_status check_graph(mote_graph *g, bool annotate)
{
    if (!g) return mote_error(MOTE_ERR_ARG, "mote_graph_check: NULL graph");
    if (mote_graph_has_subgraphs(g)) {   /* checked as a session runs it: flat */
        mote_graph *flat = NULL;
        mote_status fst = mote_control_flatten(g, &flat);
        if (fst == MOTE_OK) fst = check_graph(flat, annotate);
        for (int v = 0; fst == MOTE_OK && annotate && v < g->n_values; v++) {
            if (g->values[v].kind != MOTE_VAL_ACT) continue;
            g->values[v].dtype = flat->values[v].dtype;
            g->values[v].ndim = flat->values[v].ndim;
            memcpy(g->values[v].dims, flat->values[v].dims, sizeof g->values[v].dims);
        }
        mote_graph_free(flat);
        return fst;
    }
    int *order = malloc(sizeof(int) * (size_t)(g->n_nodes + 1));
    mote_tensor *vals = calloc((size_t)g->n_values + 1, sizeof(mote_tensor));
    mote_status st = (!order || !vals) ? mote_error(MOTE_ERR_NOMEM, "out of memory") : MOTE_OK;
    if (st == MOTE_OK) st = check_structure(g, order);
    for (int i = 0; st == MOTE_OK && i < g->n_nodes; i++) {
        const mote_node *n = &g->nodes[i];
        const mote_op *op = mote_op_find(n->op);
        if (!op)
            st = mote_error(MOTE_ERR_UNSUPPORTED, "node '%s': op '%s' is not supported by mote",
                            n->name, n->op);
        else
            st = mote_check_arity(n, op);
    }
    /* Shapes are checked when every input's shape is fixed. */
    bool static_inputs = true;
    for (int i = 0; i < g->n_inputs && st == MOTE_OK; i++) {
        const mote_value *v = &g->values[g->inputs[i]];
        for (int d = 0; d < v->ndim; d++)
            if (v->dims[d] < 0) static_inputs = false;
    }
    if (st == MOTE_OK && static_inputs) {
        for (int v = 0; v < g->n_values; v++) vals[v].ndim = -1;
        st = mote_init_vals(g, vals, true);
        if (st == MOTE_OK) st = mote_graph_infer_folding(g, &mote_kernels_ref, order, vals);   /* shape-derived values on the way */
        for (int v = 0; annotate && st == MOTE_OK && v < g->n_values; v++) {
            mote_value *val = &g->values[v];
            if (val->kind != MOTE_VAL_ACT) continue;
            val->dtype = vals[v].dtype;
            val->ndim = vals[v].ndim;
            for (int d = 0; d < vals[v].ndim; d++) val->dims[d] = vals[v].dims[d];
        }
    }
    free(order);
    free(vals);
    return st;
}

/* ------------------------------------------------------------- options */

static int env_int(const char *name, int dflt)
{
    const char *s = getenv(name);
    if (!s || !*s) return dflt;
    char *end;
    long v = strtol(s, &end, 10);
    return (*end || v < 0 || v > 1024) ? dflt : (int)v;
}

static mote_status resolve_options(const mote_session_options *o, int *threads, int *pin)
{
    *pin = 1;
    *threads = o->threads > 0 ? o->threads : env_int("MOTE_THREADS", 0);
    if (*threads <= 0) *threads = mote_physical_cores();
    if (*threads > 1024) return mote_error(MOTE_ERR_ARG, "thread count %d is too large", *threads);
    *pin = o->pin;
    if (*pin < 0) {
        const char *p = getenv("MOTE_PIN");
        /* 1 and 0 as in the pin option, cores and none as words. */
        if (!p || !*p || strcmp(p, "cores") == 0 || strcmp(p, "1") == 0) *pin = 1;
        else if (strcmp(p, "none") == 0 || strcmp(p, "0") == 0) *pin = 0;
        else return mote_error(MOTE_ERR_ARG, "MOTE_PIN='%s': expected 'cores' (or 1) or 'none' (or 0)", p);
    }
    return MOTE_OK;
}

/* Fixes the input shapes: shapes[i] for model input i (n must be the
 * number of inputs), or the model's own when shapes is NULL. */
static void free_device(mote_session *s);

static void session_release(mote_session *s)
{
    free_device(s);
    mote_session_plan_clear(s);
    mote_zfree64(s->state);
    s->state = NULL;
    if (s->owns_pool) mote_pool_free(s->pool);
    mote_prepared_release(s->prep);
    free(s);
}

/* ---------------------------------------------------- device placement */

/* The device choice (option, else MOTE_DEVICE): on an OpenCL device, the
 * placement pass (src/runtime/opencl/opencl_place.c) decides per step,
 * after the plan, and the run goes through its loop. An inspection session
 * (plan only: no arena) is not placed. */
static mote_status place_on_device(mote_session *s, const mote_session_options *o)
{
    mote_device_choice dc;
    mote_status st = mote_device_parse(o->device, &dc);
    if (st != MOTE_OK || dc.kind == MOTE_DEVICE_CPU) return st;
    if (s->exec_order)   /* the device's run loop goes straight through its steps */
        return mote_error(MOTE_ERR_UNSUPPORTED, "this model's Loops run on the CPU only: "
                          "use the cpu device");
#ifdef MOTE_HAVE_OPENCL
    s->dev_platform = dc.platform;
    s->dev_device = dc.device;
    return mote_cl_session_place(s, dc.platform, dc.device);
#else
    return mote_error(MOTE_ERR_UNSUPPORTED, "no OpenCL backend in this build");
#endif
}

static void free_device(mote_session *s)
{
#ifdef MOTE_HAVE_OPENCL
    mote_cl_session_free(s->dev);
#endif
    s->dev = NULL;
}

/* The run loop of a placed session (NULL: all on the CPU). */
static mote_status run_on_device(mote_session *s, const mote_step_hooks *h)
{
#ifdef MOTE_HAVE_OPENCL
    return mote_cl_session_run(s, h);
#else
    (void)s; (void)h;
    return MOTE_OK;
#endif
}

const char *mote_session_step_device(const mote_session *s, int t)
{
#ifdef MOTE_HAVE_OPENCL
    if (s->dev) return mote_cl_session_step_device(s, t);
#endif
    (void)s; (void)t;
    return "cpu";
}

mote_device_stats mote_session_device_stats(const mote_session *s)
{
    mote_device_stats r = {.device = "cpu"};
#ifdef MOTE_HAVE_OPENCL
    if (s->dev)
        mote_cl_session_stats(s, &r.n_device_steps, &r.up_bytes, &r.down_bytes, &r.weight_bytes, &r.device);
#endif
    (void)s;
    return r;
}

static mote_status session_new(const mote_model *m, const mote_session_options *opts,
                               bool plan_only, mote_session **out)
{
    if (!out) return mote_error(MOTE_ERR_ARG, "mote_session_new: NULL output pointer");
    *out = NULL;
    if (!m) return mote_error(MOTE_ERR_ARG, "mote_session_new: NULL model");
    mote_session_options o;
    mote_status st = copy_options(opts, &o);
    if (st != MOTE_OK) return st;
    int threads = 1, pin = 0;
    st = o.pool ? MOTE_OK : resolve_options(&o, &threads, &pin);
    if (st != MOTE_OK) return st;
    if (o.arena && ((uintptr_t)o.arena & 63) != 0)
        return mote_error(MOTE_ERR_ARG, "the caller's arena is not 64-byte aligned");
    mote_session *s = calloc(1, sizeof *s);
    if (!s) return mote_error(MOTE_ERR_NOMEM, "out of memory");
    s->m = m;
    s->g = m->g;
    s->prep = m->prep;
    mote_prepared_retain(s->prep);
    s->limit = mote_limit_bytes(o.max_bytes);
    s->user_arena = o.arena;
    s->user_arena_bytes = o.arena_bytes;
    s->plan_only = plan_only;
    if ((st = mote_cpu_kernels(o.isa, &s->k)) != MOTE_OK) goto fail;
    if (o.pool) {
        s->pool = o.pool;
    } else {
        if ((st = mote_pool_new(threads, pin, &s->pool)) != MOTE_OK) goto fail;
        s->owns_pool = true;
    }
    if ((st = mote_session_build_plan(s, o.input_shapes, o.n_input_shapes, NULL)) != MOTE_OK) goto fail;
    if (!plan_only && (st = place_on_device(s, &o)) != MOTE_OK) goto fail;
    *out = s;
    return MOTE_OK;
fail:
    session_release(s);
    return st;
}

mote_status mote_session_new(const mote_model *m, const mote_session_options *opts,
                             mote_session **out)
{
    return session_new(m, opts, false, out);
}

mote_status mote_session_new_plan_only(const mote_model *m, const mote_session_options *opts,
                                       mote_session **out)
{
    return session_new(m, opts, true, out);
}

mote_status mote_session_reshape(mote_session *s, const mote_tensor *shapes, int n_shapes)
{
    if (!s) return mote_error(MOTE_ERR_ARG, "mote_session_reshape: NULL session");
    if (!shapes && n_shapes)
        return mote_error(MOTE_ERR_ARG, "mote_session_reshape: NULL shapes");
    /* the new plan is built beside the old one, which stays intact on failure */
    mote_session t;
    memset(&t, 0, sizeof t);
    t.m = s->m;
    t.g = s->m->g;   /* the model's graph: the plan folds it for its own shapes */
    t.k = s->k;
    t.pool = s->pool;
    t.owns_pool = s->owns_pool;
    t.prep = s->prep;
    t.limit = s->limit;
    t.user_arena = s->user_arena;
    t.user_arena_bytes = s->user_arena_bytes;
    t.plan_only = s->plan_only;
    mote_status st = mote_session_build_plan(&t, shapes, n_shapes, s);
    if (st != MOTE_OK) {
        mote_session_plan_clear(&t);
        if (t.state != s->state) mote_zfree64(t.state);
        return st;
    }
    /* a placement's device buffers mirror the old plan: place again */
    bool placed = s->dev != NULL;
    int platform = s->dev_platform, device = s->dev_device;
    free_device(s);
    mote_session_plan_clear(s);
    if (s->state != t.state) mote_zfree64(s->state);
    *s = t;
    if (!placed || s->exec_order) return MOTE_OK;   /* Loops: on the CPU */
#ifdef MOTE_HAVE_OPENCL
    s->dev_platform = platform;
    s->dev_device = device;
    return mote_cl_session_place(s, platform, device);   /* on failure: all on the CPU */
#else
    (void)platform; (void)device;
    return MOTE_OK;
#endif
}

void mote_session_free(mote_session *s)
{
    if (s) session_release(s);
}

mote_status mote_session_memory(const mote_session *s, mote_memory *out)
{
    if (!s || !out) return mote_error(MOTE_ERR_ARG, "mote_session_memory: NULL argument");
    out->arena = s->mem.arena;
    out->plan = s->mem.plan;
    out->state = s->mem.state;
    out->prepared = s->mem.prepared;
    out->total = s->mem.total;
    out->budget = s->mem.limit;
    return MOTE_OK;
}

mote_status mote_model_memory(const mote_model *m, const mote_session_options *opts,
                              mote_memory *out)
{
    if (!out) return mote_error(MOTE_ERR_ARG, "mote_model_memory: NULL output");
    memset(out, 0, sizeof *out);
    mote_session_options o;
    if (opts) o = *opts;
    else mote_session_options_init(&o);
    /* the thread count stays: per-thread scratch is part of the arena */
    o.arena = NULL;                                  /* planned, not checked against */
    o.arena_bytes = 0;
    mote_session *s = NULL;
    mote_status st = session_new(m, &o, true, &s);
    if (st != MOTE_OK) return st;
    st = mote_session_memory(s, out);
    mote_session_free(s);
    return st;
}

mote_status mote_pool_create(int threads, int pin, mote_pool **out)
{
    if (!out) return mote_error(MOTE_ERR_ARG, "mote_pool_create: NULL output pointer");
    *out = NULL;
    mote_session_options o;
    mote_session_options_init(&o);
    o.threads = threads;
    o.pin = pin;
    int t, p;
    mote_status st = resolve_options(&o, &t, &p);
    return st != MOTE_OK ? st : mote_pool_new(t, p, out);
}

void mote_pool_destroy(mote_pool *p) { mote_pool_free(p); }

/* Checks the inputs against the session's shapes and copies them in. */
static mote_status load_inputs(mote_session *s, const mote_tensor *inputs, int n_inputs)
{
    if (!s) return mote_error(MOTE_ERR_ARG, "mote_session_run: NULL session");
    if (s->plan_only)
        return mote_error(MOTE_ERR_ARG, "mote_session_run: this session was made for "
                          "inspection only (no arena)");
    const mote_graph *g = s->g;
    if (n_inputs != g->n_inputs || (n_inputs && !inputs))
        return mote_error(MOTE_ERR_ARG, "mote_session_run: the model takes %d inputs, got %d",
                          g->n_inputs, n_inputs);
    for (int i = 0; i < n_inputs; i++) {
        const mote_tensor *want = &s->vals[g->inputs[i]], *got = &inputs[i];
        bool ok = got->dtype == want->dtype && got->ndim == want->ndim;
        for (int d = 0; ok && d < want->ndim; d++) ok = got->dims[d] == want->dims[d];
        if (!ok) {
            char a[128], b[128];
            return mote_error(MOTE_ERR_SHAPE, "input '%s': got %s, the session expects %s",
                              g->values[g->inputs[i]].name, mote_tensor_describe(got, a, sizeof a),
                              mote_tensor_describe(want, b, sizeof b));
        }
        size_t nb = mote_tensor_nbytes(want);
        if (nb && !got->data)
            return mote_error(MOTE_ERR_ARG, "input '%s': NULL data", g->values[g->inputs[i]].name);
    }
    for (int i = 0; i < n_inputs; i++) {
        size_t nb = mote_tensor_nbytes(&s->vals[g->inputs[i]]);
        if (nb && s->vals[g->inputs[i]].data != inputs[i].data)
            memcpy(s->vals[g->inputs[i]].data, inputs[i].data, nb);
    }
    return MOTE_OK;
}

/* After a run: the verdicts of the steps that may fail one (an IfGuard
 * whose If was resolved without its condition, a Loop that stopped before
 * the rows its scan outputs were planned for); found at plan time. */
static mote_status check_verdicts(const mote_session *s)
{
    for (int i = 0; i < s->n_verdicts; i++) {
        const mote_step *st = &s->steps[s->verdict_steps[i]];
        if (*st->verdict)
            return mote_error(MOTE_ERR_SHAPE, "node '%s': %s", st->node->name, *st->verdict);
    }
    return MOTE_OK;
}

/* The steps in order; a control step (a Loop's) may say which runs next. */
static void run_steps(const mote_session *s)
{
    const mote_step *steps = s->steps;
    for (int t = 0; t < s->n_steps;) {
        steps[t].run(&steps[t]);
        t = steps[t].jump && *steps[t].jump >= 0 ? *steps[t].jump : t + 1;
    }
}

mote_status mote_session_run(mote_session *s, const mote_tensor *inputs, int n_inputs)
{
    if (s && !s->dev) mote_pool_wake(s->pool);   /* while the inputs are copied */
    mote_status st = load_inputs(s, inputs, n_inputs);
    if (st != MOTE_OK) return st;
    if (!s->owns_pool) mote_pool_run_lock(s->pool);   /* a shared pool: one run at a time */
    if (s->dev) {
        st = run_on_device(s, NULL);
    } else {
        run_steps(s);
    }
    if (!s->owns_pool) mote_pool_run_unlock(s->pool);
    if (st == MOTE_OK) st = check_verdicts(s);
    return st;
}

/* The instruments' run loop: the same steps, with a call before and after
 * each. Kept apart from mote_session_run so that plain runs pay nothing. */
mote_status mote_session_run_hooked(mote_session *s, const mote_tensor *inputs, int n_inputs,
                                    const mote_step_hooks *h)
{
    if (!h) return mote_session_run(s, inputs, n_inputs);
    if (s && !s->dev) mote_pool_wake(s->pool);
    mote_status st = load_inputs(s, inputs, n_inputs);
    if (st != MOTE_OK) return st;
    if (!s->owns_pool) mote_pool_run_lock(s->pool);
    if (s->dev) {
        st = run_on_device(s, h);
    } else {
        for (int t = 0; t < s->n_steps;) {
            const mote_step *stp = &s->steps[t];
            if (h->before) h->before(h->ctx, s, t);
            stp->run(stp);
            if (h->after) h->after(h->ctx, s, t);
            t = stp->jump && *stp->jump >= 0 ? *stp->jump : t + 1;
        }
    }
    if (!s->owns_pool) mote_pool_run_unlock(s->pool);
    if (st == MOTE_OK) st = check_verdicts(s);
    return st;
}

mote_status mote_session_output(const mote_session *s, int i, mote_tensor *out)
{
    if (!s || !out) return mote_error(MOTE_ERR_ARG, "mote_session_output: NULL argument");
    if (i < 0 || i >= s->g->n_outputs)
        return mote_error(MOTE_ERR_ARG, "output %d does not exist (the model has %d)", i, s->g->n_outputs);
    *out = s->vals[s->g->outputs[i]];
    return MOTE_OK;
}

size_t mote_session_arena_bytes(const mote_session *s) { return s ? s->arena_bytes : 0; }
size_t mote_session_naive_bytes(const mote_session *s) { return s ? s->naive_bytes : 0; }
const char *mote_session_isa(const mote_session *s) { return s && s->k ? s->k->name : NULL; }
int mote_session_threads(const mote_session *s) { return s ? mote_pool_threads(s->pool) : 0; }
