/*
 * control_flow.h — graphs with subgraphs made flat for a session
 * (control_flow.c).
 */
#ifndef MOTE_CONTROL_FLOW_H
#define MOTE_CONTROL_FLOW_H

#include "graph/graph.h"

/*
 * A copy of g in which every Loop node (a GRAPH attribute "body") is
 * replaced by LoopBegin, its body's nodes and LoopEnd (src/ops/loop.c), in
 * nested Loops too; the nodes are listed in the order a session runs them
 * (every producer first, each loop's steps contiguous), so the session runs
 * them in that order rather than sorting. g's value ids keep their meaning;
 * body values and nodes are added, named "<Loop node>/<name>". A node with
 * another subgraph, or a Loop whose counts do not add up, is an error
 * naming it.
 */
mote_status mote_control_flatten(const mote_graph *g, mote_graph **out);

/*
 * The sides of data-dependent Ifs (their selects still in g after shape
 * folding): every node only one side of a condition's selects needs is
 * moved, with its side, to just before the first select, between an
 * IfJump and a Goto (src/ops/branch.c), so a run computes one side; g is
 * changed in place (nodes appended and reordered, values untouched) and
 * must then run in its node order. order: g's execution order.
 * *changed says whether anything was moved.
 */
bool mote_control_has_selects(const mote_graph *g);
mote_status mote_control_branches(mote_graph *g, const int *order, bool *changed);

#endif
