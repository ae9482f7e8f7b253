/*
 * branch.c — IfJump and Goto (mote's own ops, never in a file): the
 * control steps a session adds around the two sides of a data-dependent
 * If (src/runtime/control_flow.c, mote_control_branches). The steps that
 * only one side of the If's selects needs are laid out as
 *
 *     IfJump(cond)   when cond == `when`, go to the step named `_target`
 *     then side      (the steps only the then values need)
 *     Goto           go to the first select
 *     else side      (the steps only the else values need)
 *     the selects    Where(cond, then value, else value)
 *
 * so a run computes one side only. Both sides are planned in the arena as
 * usual; nothing is allocated while running. Neither op has outputs.
 */
#include "op_util.h"

typedef struct jump_params {
    int next;            /* what run sets: -1, or the step to go to     */
    int target;          /* the step named _target, set by the session  */
    int when;            /* IfJump: the condition value that jumps      */
} jump_params;

static void run_if_jump(const mote_step *s)
{
    jump_params *p = s->params;
    int c = mote_elem_get_i64(s->in[0]->data, s->in[0]->dtype, 0) != 0;
    p->next = c == p->when ? p->target : -1;
}

static void run_goto(const mote_step *s)
{
    jump_params *p = s->params;
    p->next = p->target;
}

static mote_status infer_if_jump(mote_op_ctx *c)
{
    mote_status st = mote_expect_dtype(c, 0, MOTE_BOOL);
    if (st)
        return st;
    if (mote_tensor_numel(c->in[0]) != 1)
        return mote_op_error(c, MOTE_ERR_SHAPE, "the condition must hold one value, it has %lld",
                             (long long)mote_tensor_numel(c->in[0]));
    int64_t w = mote_attr_get_int(c->node, "when", -1);
    if (w != 0 && w != 1)
        return mote_op_error(c, MOTE_ERR_GRAPH, "when=%lld (expected 0 or 1)", (long long)w);
    return MOTE_OK;
}

static mote_status infer_goto(mote_op_ctx *c)
{
    (void)c;
    return MOTE_OK;
}

static mote_status prepare_jump(mote_op_ctx *c, mote_run_fn run)
{
    jump_params *p = mote_ctx_alloc(c, sizeof *p);
    if (!p)
        return MOTE_ERR_NOMEM;
    p->next = -1;
    p->target = -1;
    p->when = (int)mote_attr_get_int(c->node, "when", 0);
    c->params = p;
    c->run = run;
    c->jump = &p->next;
    c->jump_node = mote_attr_get_string(c->node, "_target", NULL);
    c->jump_target = &p->target;
    if (!c->jump_node)
        return mote_op_error(c, MOTE_ERR_GRAPH, "the attribute _target (where it jumps) is missing");
    return MOTE_OK;
}

static mote_status prepare_if_jump(mote_op_ctx *c) { return prepare_jump(c, run_if_jump); }
static mote_status prepare_goto(mote_op_ctx *c) { return prepare_jump(c, run_goto); }

const mote_op mote_op_IfJump = {"IfJump", 1, 1, 0, 0, MOTE_OP_CONTROL, infer_if_jump,
                                prepare_if_jump, NULL};
const mote_op mote_op_Goto = {"Goto", 0, 0, 0, 0, MOTE_OP_CONTROL, infer_goto, prepare_goto, NULL};
