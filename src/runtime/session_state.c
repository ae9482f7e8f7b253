/*
 * session_state.c — the state of stateful ops across runs (mote.h,
 * "session state"): reset, and copy between two sessions of one model.
 * Each op declares its state's size and, optionally, reset and copy hooks
 * (ops.h); this file walks the steps and calls them. It knows no op.
 */
#include "config.h"
#include <string.h>
#include "session.h"
#include "graph/internal.h"
#ifdef MOTE_HAVE_OPENCL
#include "opencl/opencl_session.h"
#endif

/* A session placed on a device keeps copies of the state there. */
static mote_status state_changed(mote_session *s)
{
#ifdef MOTE_HAVE_OPENCL
    if (s->dev) return mote_cl_session_state_changed(s);
#endif
    (void)s;
    return MOTE_OK;
}

mote_status mote_session_reset(mote_session *s)
{
    if (!s) return mote_error(MOTE_ERR_ARG, "mote_session_reset: NULL session");
    for (int i = 0; i < s->n_steps; i++) {
        void *st = s->steps[i].state;
        if (!st) continue;
        const mote_state_hooks *h = s->step_op[i]->state;
        if (h && h->reset) h->reset(s->steps[i].params, st);
        else memset(st, 0, s->state_size[i]);
    }
    return state_changed(s);
}

mote_status mote_session_copy_state(mote_session *dst, const mote_session *src)
{
    if (!dst || !src) return mote_error(MOTE_ERR_ARG, "mote_session_copy_state: NULL session");
    /* the model, not the graph: a session may run a copy specialized to its
     * shapes (shape_fold.c); the steps are compared one by one below */
    if (dst->m != src->m || dst->n_steps != src->n_steps)
        return mote_error(MOTE_ERR_ARG, "mote_session_copy_state: the sessions are not of "
                          "the same model");
    if (dst == src) return MOTE_OK;
    for (int i = 0; i < dst->n_steps; i++) {
        if (dst->step_node[i] != src->step_node[i] || dst->step_op[i] != src->step_op[i])
            return mote_error(MOTE_ERR_ARG, "mote_session_copy_state: the sessions' steps differ");
        if (dst->state_size[i] != src->state_size[i] ||
            (dst->state_size[i] && (!dst->steps[i].state || !src->steps[i].state)))
            return mote_error(MOTE_ERR_ARG, "mote_session_copy_state: node '%s': the sessions' "
                              "states differ in size (%zu and %zu bytes)",
                              dst->steps[i].node->name ? dst->steps[i].node->name : "?",
                              dst->state_size[i], src->state_size[i]);
    }
    for (int i = 0; i < dst->n_steps; i++) {
        void *d = dst->steps[i].state;
        const void *s = src->steps[i].state;
        if (!d) continue;
        const mote_state_hooks *h = dst->step_op[i]->state;
        if (h && h->copy) h->copy(dst->steps[i].params, d, s);
        else memcpy(d, s, dst->state_size[i]);
    }
    return state_changed(dst);
}
