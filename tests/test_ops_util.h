/*
 * test_ops_util.h — a tiny harness for the op tests: build a one-node
 * graph with the public builder, run it through a real session, check the
 * output's shape and numbers. Static helpers, included by test_ops*.c only.
 */
#ifndef MOTE_TEST_OPS_UTIL_H
#define MOTE_TEST_OPS_UTIL_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "testutil.h"

#define OP1_MAX 16

/* A one-node model being built, then its session. */
typedef struct op1 {
    mote_graph *g;
    int ins[OP1_MAX];          /* the node's input value ids (-1 absent) */
    int n_in;
    mote_tensor feed[OP1_MAX]; /* model inputs, in order, with their data */
    int n_feed;
    int node;
    int n_out;
    mote_model *m;
    mote_session *s;
} op1;

static inline void op1_init(op1 *t)
{
    memset(t, 0, sizeof *t);
    t->g = mote_graph_new();
    ck_assert_ptr_nonnull(t->g);
}

/* A model input fed `data` at run time. */
static inline void op1_input(op1 *t, mote_dtype dt, int ndim, const int64_t *dims, const void *data)
{
    char name[32];
    snprintf(name, sizeof name, "in%d", t->n_in);
    int v = mote_graph_input(t->g, name, dt, ndim, dims);
    ck_assert_int_ge(v, 0);
    mote_tensor *f = &t->feed[t->n_feed++];
    f->dtype = dt;
    f->ndim = ndim;
    for (int i = 0; i < ndim; i++) f->dims[i] = dims[i];
    f->data = (void *)data;
    t->ins[t->n_in++] = v;
}

/* A constant input (weight). */
static inline void op1_weight(op1 *t, mote_dtype dt, int ndim, const int64_t *dims, const void *data)
{
    char name[32];
    snprintf(name, sizeof name, "w%d", t->n_in);
    int v = mote_graph_weight(t->g, name, dt, ndim, dims, data);
    ck_assert_int_ge(v, 0);
    t->ins[t->n_in++] = v;
}

static inline void op1_absent(op1 *t) { t->ins[t->n_in++] = -1; }

/* Adds the node; every output becomes a model output. Returns the node id. */
static inline int op1_node(op1 *t, const char *op, int n_out)
{
    int outs[OP1_MAX];
    t->node = mote_graph_node(t->g, op, "n", t->n_in, t->ins, n_out, NULL, outs);
    ck_assert_int_ge(t->node, 0);
    t->n_out = n_out;
    for (int i = 0; i < n_out; i++)
        ck_assert_int_eq(mote_graph_output(t->g, outs[i]), MOTE_OK);
    return t->node;
}

/* Builds the model and session (threads; 0 = default) and runs once. */
static inline mote_status op1_run(op1 *t, int threads)
{
    mote_graph *g = t->g;
    t->g = NULL;
    mote_status st = mote_model_from_graph(g, &t->m);
    if (st) return st;
    mote_session_options o;
    mote_session_options_init(&o);
    o.threads = threads > 0 ? threads : 1;
    o.pin = 0;
    if ((st = mote_session_new(t->m, &o, &t->s))) return st;
    return mote_session_run(t->s, t->feed, t->n_feed);
}

static inline mote_tensor op1_out(op1 *t, int i)
{
    mote_tensor o;
    ck_assert_mote_ok(mote_session_output(t->s, i, &o));
    return o;
}

static inline void op1_free(op1 *t)
{
    if (t->s) mote_session_free(t->s);
    if (t->m) mote_model_close(t->m);
    if (t->g) mote_graph_free(t->g);
    memset(t, 0, sizeof *t);
}

/* Runs and expects failure with status st and `needle` in the message. */
#define op1_expect_error(t, st, needle) do {                                          \
        mote_status st__ = op1_run((t), 1);                                           \
        ck_assert_msg(st__ == (st), "expected %s, got %s: %s", mote_status_name(st),  \
                      mote_status_name(st__), mote_last_error());                     \
        ck_assert_msg(strstr(mote_last_error(), (needle)) != NULL,                    \
                      "message '%s' lacks '%s'", mote_last_error(), (needle));        \
        op1_free(t);                                                                  \
    } while (0)

/* Checks o's shape against dims[0..ndim). */
static inline void expect_shape(const mote_tensor *o, int ndim, const int64_t *dims)
{
    ck_assert_int_eq(o->ndim, ndim);
    for (int i = 0; i < ndim; i++)
        ck_assert_msg(o->dims[i] == dims[i], "dim %d is %lld, expected %lld", i,
                      (long long)o->dims[i], (long long)dims[i]);
}

/* Checks o (f32) against want[0..n) within tol (relative above 1). */
static inline void expect_f32(const mote_tensor *o, const float *want, int64_t n, float tol)
{
    ck_assert_int_eq(o->dtype, MOTE_F32);
    ck_assert_int_eq(mote_tensor_numel(o), n);
    const float *y = o->data;
    for (int64_t i = 0; i < n; i++)
        ck_assert_msg(fabsf(y[i] - want[i]) <= tol * (1.0f + fabsf(want[i])),
                      "y[%lld] = %.7g, expected %.7g", (long long)i, (double)y[i], (double)want[i]);
}

#define D(...) ((const int64_t[]){__VA_ARGS__})
#define F(...) ((const float[]){__VA_ARGS__})
#define NOF(...) (int)(sizeof((const int64_t[]){__VA_ARGS__}) / sizeof(int64_t))

#endif
