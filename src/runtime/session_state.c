/*
 * session_state.c — the state of stateful ops across runs (mote.h,
 * "session state"): reset, and copy between two sessions of one model.
 * The ops own their state and its layout (the reset hook; for copying, the
 * one stateful op there is, LlmAttention, exports its copy function);
 * this file only walks the steps.
 */
#include "session.h"
#include "graph/internal.h"
#include "ops/op_util.h"

mote_status mote_session_reset(mote_session *s)
{
    if (!s) return mote_error(MOTE_ERR_ARG, "mote_session_reset: NULL session");
    for (int i = 0; i < s->n_steps; i++)
        if (s->step_op[i] && s->step_op[i]->reset && s->steps[i].params)
            s->step_op[i]->reset(s->steps[i].params);
    return MOTE_OK;
}

mote_status mote_session_copy_state(mote_session *dst, const mote_session *src)
{
    if (!dst || !src) return mote_error(MOTE_ERR_ARG, "mote_session_copy_state: NULL session");
    /* the model, not the graph: a session may run a copy specialized to its
     * shapes (shape_fold.c); the steps are compared one by one below */
    if (dst->m != src->m || dst->n_steps != src->n_steps)
        return mote_error(MOTE_ERR_ARG, "mote_session_copy_state: the sessions are not of "
                          "the same model");
    for (int i = 0; i < dst->n_steps; i++) {
        if (dst->step_node[i] != src->step_node[i] || dst->step_op[i] != src->step_op[i])
            return mote_error(MOTE_ERR_ARG, "mote_session_copy_state: the sessions' steps differ");
        if (dst->step_op[i] == &mote_op_LlmAttention && dst->steps[i].params && src->steps[i].params)
            mote_llm_attention_copy_state(dst->steps[i].params, src->steps[i].params);
    }
    return MOTE_OK;
}
