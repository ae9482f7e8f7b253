/*
 * loop.c — LoopBegin and LoopEnd (mote's own ops, never in a file): the
 * two control steps an ONNX Loop becomes when a session flattens it
 * (src/runtime/control_flow.c). The session's steps are then
 *
 *     b      LoopBegin(M, cond, v_init...) -> (iter, cond_cur, state...)
 *     b+1..  the body's steps, reading iter, cond_cur, state and the
 *            values the body captures from outside
 *     e      LoopEnd(M, iter, cond_cur, state..., body cond, body carried...,
 *                    body scans...) -> (final carried..., scans...)
 *
 * LoopBegin copies the initial values into the state buffers, sets iter
 * to -1 ("no trip ran yet") and jumps to LoopEnd. LoopEnd, after a trip,
 * copies the body's carried outputs into the state buffers, its scan
 * outputs into row iter of the scans, counts the trip and takes the
 * body's condition; then, while iter < M (when M is given) and the
 * condition holds, it jumps back to step b+1; else it copies the state into
 * the final outputs and the run goes on. No step allocates: every buffer
 * is in the arena, planned once (src/runtime/session_plan.c keeps the
 * values a trip reads alive across the whole loop).
 *
 * Shapes are static: a carried value keeps its shape and dtype across
 * trips (else the session is refused), and a scan output holds M rows, so
 * M must be known when the session is made (a constant or shape-derived);
 * a loop with scan outputs that stops earlier (its condition turned
 * false) fails the run (a verdict, like IfGuard's) rather than return
 * rows no trip wrote. The copies are plain memcpy: no kernel of their own.
 *
 * A loop that would run more than MOTE_MAX_LOOP_TRIPS trips (environment,
 * read when the session is made; default 2^24) stops there and fails the
 * run, so a file with a trip count of 2^62, or a condition that never
 * turns false, cannot hang the caller.
 */
#include <stdlib.h>
#include <string.h>
#include "graph/internal.h"
#include "op_util.h"

/* ------------------------------------------------------------ LoopBegin */

typedef struct begin_params {
    int next;            /* what run sets: the step to go to (LoopEnd's)  */
    int end_step;        /* LoopEnd's step, filled in by the session      */
} begin_params;

static void run_begin(const mote_step *s)
{
    begin_params *p = s->params;
    int64_t *iter = s->out[0]->data;
    uint8_t *cond = s->out[1]->data;
    *iter = -1;
    *cond = s->in[1] ? mote_elem_get_i64(s->in[1]->data, s->in[1]->dtype, 0) != 0 : 1;
    for (int j = 2; j < s->n_in; j++) {
        size_t nb = mote_tensor_nbytes(s->in[j]);
        if (nb && s->out[j]->data != s->in[j]->data)
            memmove(s->out[j]->data, s->in[j]->data, nb);
    }
    p->next = p->end_step;
}

/* The trip count M (input 0) and the first condition (input 1): optional
 * scalars. */
static mote_status check_counts(mote_op_ctx *c, int m, int cond)
{
    if (c->in[m]) {
        if (c->in[m]->dtype != MOTE_I64 && c->in[m]->dtype != MOTE_I32)
            return mote_op_error(c, MOTE_ERR_UNSUPPORTED, "the trip count M has dtype %s, "
                                 "expected i64", mote_dtype_name(c->in[m]->dtype));
        if (mote_tensor_numel(c->in[m]) != 1)
            return mote_op_error(c, MOTE_ERR_SHAPE, "the trip count M must hold one value");
    }
    if (c->in[cond]) {
        mote_status st = mote_expect_dtype(c, cond, MOTE_BOOL);
        if (st)
            return st;
        if (mote_tensor_numel(c->in[cond]) != 1)
            return mote_op_error(c, MOTE_ERR_SHAPE, "the condition must hold one value");
    }
    return MOTE_OK;
}

static mote_status infer_begin(mote_op_ctx *c)
{
    if (c->n_out != c->n_in)
        return mote_op_error(c, MOTE_ERR_GRAPH, "%d inputs and %d outputs (they must match: "
                             "M, cond, then one per loop-carried value)", c->n_in, c->n_out);
    mote_status st = check_counts(c, 0, 1);
    if (st)
        return st;
    mote_set_out(c, 0, MOTE_I64, 0, NULL);
    mote_set_out(c, 1, MOTE_BOOL, 0, NULL);
    for (int j = 2; j < c->n_in; j++) {
        if (!c->in[j])
            return mote_op_error(c, MOTE_ERR_GRAPH, "loop-carried value %d has no initial value",
                                 j - 2);
        mote_set_out(c, j, c->in[j]->dtype, c->in[j]->ndim, c->in[j]->dims);
    }
    return MOTE_OK;
}

static mote_status prepare_begin(mote_op_ctx *c)
{
    begin_params *p = mote_ctx_alloc(c, sizeof *p);
    if (!p)
        return MOTE_ERR_NOMEM;
    p->next = -1;
    p->end_step = -1;
    c->params = p;
    c->run = run_begin;
    c->jump = &p->next;
    c->jump_node = mote_attr_get_string(c->node, "_end", NULL);
    c->jump_target = &p->end_step;
    if (!c->jump_node)
        return mote_op_error(c, MOTE_ERR_GRAPH, "the attribute _end (the LoopEnd node) is missing");
    return MOTE_OK;
}

/* -------------------------------------------------------------- LoopEnd */

typedef struct end_params {
    int next;            /* what run sets: -1, or the body's first step      */
    int begin_step;      /* LoopBegin's step, filled in by the session       */
    int carried, scans;  /* C loop-carried values, S scan outputs            */
    int64_t rows;        /* the scans' planned rows (M), when S > 0          */
    int64_t max_trips;   /* MOTE_MAX_LOOP_TRIPS                              */
    const char *verdict; /* NULL, or why the run fails                       */
} end_params;

/* Inputs: 0 M, 1 iter, 2 cond_cur, 3.. state (C), then the body's cond,
 * carried (C) and scans (S). */
enum { END_M = 0, END_ITER = 1, END_COND = 2, END_STATE = 3 };

static bool overlaps(const mote_tensor *a, const mote_tensor *b)
{
    const uint8_t *pa = a->data, *pb = b->data;
    size_t na = mote_tensor_nbytes(a), nb = mote_tensor_nbytes(b);
    return na && nb && pa < pb + nb && pb < pa + na;
}

static void run_end(const mote_step *s)
{
    end_params *p = s->params;
    const int C = p->carried, S = p->scans;
    mote_tensor *const *state = s->in + END_STATE;
    mote_tensor *const *body = s->in + END_STATE + C;   /* cond, carried, scans */
    int64_t *iter = s->in[END_ITER]->data;
    uint8_t *cond = s->in[END_COND]->data;
    int64_t it = *iter;
    if (it >= 0) {   /* a trip just ran: take what it computed */
        /* the scan rows first: a body output may be a view of a state
         * buffer (an Identity of a carried value), which the carried
         * values then overwrite */
        for (int k = 0; k < S && it < p->rows; k++) {
            size_t nb = mote_tensor_nbytes(body[1 + C + k]);
            memcpy((uint8_t *)s->out[C + k]->data + (size_t)it * nb, body[1 + C + k]->data, nb);
        }
        /* a body output may be another value's state (a swap): stage
         * through the scratch when any source overlaps any state */
        bool stage = false;
        for (int j = 0; j < C && !stage; j++)
            for (int i = 0; i < C && !stage; i++)
                stage = i != j && overlaps(body[1 + j], state[i]);
        uint8_t *tmp = s->scratch;
        for (int j = 0; j < C; j++) {
            size_t nb = mote_tensor_nbytes(state[j]);
            if (stage) {
                memcpy(tmp, body[1 + j]->data, nb);
                tmp += nb;
            } else if (nb && state[j]->data != body[1 + j]->data) {
                memmove(state[j]->data, body[1 + j]->data, nb);
            }
        }
        tmp = s->scratch;
        for (int j = 0; stage && j < C; j++) {
            size_t nb = mote_tensor_nbytes(state[j]);
            memcpy(state[j]->data, tmp, nb);
            tmp += nb;
        }
        it++;
        *cond = mote_elem_get_i64(body[0]->data, body[0]->dtype, 0) != 0;
    } else {
        it = 0;
    }
    bool go = *cond != 0;
    if (s->in[END_M])
        go = go && it < mote_elem_get_i64(s->in[END_M]->data, s->in[END_M]->dtype, 0);
    if (S > 0 && it >= p->rows)
        go = false;
    bool capped = go && it >= p->max_trips;
    if (capped)
        go = false;
    *iter = it;
    if (go) {
        p->next = p->begin_step + 1;
        return;
    }
    for (int j = 0; j < C; j++) {
        size_t nb = mote_tensor_nbytes(state[j]);
        if (nb && s->out[j]->data != state[j]->data)
            memmove(s->out[j]->data, state[j]->data, nb);
    }
    p->verdict = capped ? "the loop reached MOTE_MAX_LOOP_TRIPS trips without ending"
               : S > 0 && it < p->rows
        ? "the loop stopped (its condition turned false) before the trip count M that its "
          "scan outputs were planned for"
        : NULL;
    p->next = -1;
}

static mote_status infer_end(mote_op_ctx *c)
{
    int64_t C = mote_attr_get_int(c->node, "carried", -1);
    if (C < 0 || C > c->n_out)
        return mote_op_error(c, MOTE_ERR_GRAPH, "carried=%lld (expected 0 to %d)", (long long)C,
                             c->n_out);
    int S = c->n_out - (int)C;
    if (c->n_in != 4 + 2 * (int)C + S)
        return mote_op_error(c, MOTE_ERR_GRAPH, "%d inputs; with %lld loop-carried values and %d "
                             "scan outputs it needs %d", c->n_in, (long long)C, S,
                             4 + 2 * (int)C + S);
    mote_status st = check_counts(c, END_M, END_COND);
    if (st)
        return st;
    if (!c->in[END_ITER] || !c->in[END_COND] || !c->in[END_STATE + C])
        return mote_op_error(c, MOTE_ERR_GRAPH, "iter, cond and the body's condition are required");
    int bc = END_STATE + (int)C;
    if ((st = mote_expect_dtype(c, bc, MOTE_BOOL)))
        return st;
    if (mote_tensor_numel(c->in[bc]) != 1)
        return mote_op_error(c, MOTE_ERR_SHAPE, "the body's condition must hold one value");
    for (int j = 0; j < C; j++) {
        const mote_tensor *a = c->in[END_STATE + j], *b = c->in[bc + 1 + j];
        bool same = a && b && a->dtype == b->dtype && a->ndim == b->ndim;
        for (int d = 0; same && d < a->ndim; d++)
            same = a->dims[d] == b->dims[d];
        if (!same) {
            char x[96] = "none", y[96] = "none";
            if (a) mote_tensor_describe(a, x, sizeof x);
            if (b) mote_tensor_describe(b, y, sizeof y);
            return mote_op_error(c, MOTE_ERR_UNSUPPORTED, "loop-carried value %d enters as %s and "
                                 "a trip gives %s: mote plans one shape per value", j, x, y);
        }
        mote_set_out(c, j, a->dtype, a->ndim, a->dims);
    }
    int64_t rows = 0;
    if (S > 0) {
        if (!c->in[END_M] || !c->in[END_M]->data)
            return mote_op_error(c, MOTE_ERR_UNSUPPORTED, "a Loop with scan outputs needs a trip "
                                 "count M known when the session is made (a constant or computed "
                                 "from shapes); this one is %s",
                                 c->in[END_M] ? "computed at run time" : "absent");
        rows = mote_elem_get_i64(c->in[END_M]->data, c->in[END_M]->dtype, 0);
        if (rows < 0)
            rows = 0;
    }
    for (int k = 0; k < S; k++) {
        const mote_tensor *b = c->in[bc + 1 + (int)C + k];
        if (!b)
            return mote_op_error(c, MOTE_ERR_GRAPH, "scan output %d has no body value", k);
        if (b->ndim + 1 > MOTE_MAX_DIMS)
            return mote_op_error(c, MOTE_ERR_UNSUPPORTED, "scan output %d would have %d dimensions "
                                 "(at most %d)", k, b->ndim + 1, MOTE_MAX_DIMS);
        int64_t dims[MOTE_MAX_DIMS];
        dims[0] = rows;
        for (int d = 0; d < b->ndim; d++)
            dims[1 + d] = b->dims[d];
        mote_set_out(c, (int)C + k, b->dtype, b->ndim + 1, dims);
    }
    return MOTE_OK;
}

static mote_status prepare_end(mote_op_ctx *c)
{
    end_params *p = mote_ctx_alloc(c, sizeof *p);
    if (!p)
        return MOTE_ERR_NOMEM;
    p->carried = (int)mote_attr_get_int(c->node, "carried", 0);
    p->scans = c->n_out - p->carried;
    p->rows = p->scans ? c->out[p->carried]->dims[0] : 0;
    p->next = -1;
    p->begin_step = -1;
    p->max_trips = (int64_t)1 << 24;
    const char *env = getenv("MOTE_MAX_LOOP_TRIPS");
    if (env && *env) {
        char *end;
        long long v = strtoll(env, &end, 10);
        if (*end || v < 1)
            return mote_op_error(c, MOTE_ERR_ARG, "MOTE_MAX_LOOP_TRIPS='%s' is not a positive "
                                 "whole number", env);
        p->max_trips = v;
    }
    size_t staged = 0;
    for (int j = 0; j < p->carried; j++)
        staged += mote_align_up(mote_tensor_nbytes(c->in[END_STATE + j]), 64);
    c->params = p;
    c->run = run_end;
    c->scratch_bytes = p->carried > 1 ? staged : 0;
    c->jump = &p->next;
    c->jump_node = mote_attr_get_string(c->node, "_begin", NULL);
    c->jump_target = &p->begin_step;
    c->verdict = &p->verdict;
    if (!c->jump_node)
        return mote_op_error(c, MOTE_ERR_GRAPH, "the attribute _begin (the LoopBegin node) is missing");
    return MOTE_OK;
}

const mote_op mote_op_LoopBegin = {"LoopBegin", 2, 2 + 4096, 2, 2 + 4096, MOTE_OP_CONTROL,
                                   infer_begin, prepare_begin, NULL};
const mote_op mote_op_LoopEnd = {"LoopEnd", 4, 4 + 3 * 4096, 0, 2 * 4096, MOTE_OP_CONTROL,
                                 infer_end, prepare_end, NULL};
