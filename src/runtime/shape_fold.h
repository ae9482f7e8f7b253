/*
 * shape_fold.h — shape-derived constants at session creation
 * (shape_fold.c). Internal to src/runtime/.
 */
#ifndef MOTE_SHAPE_FOLD_H
#define MOTE_SHAPE_FOLD_H

#include "mote.h"
#include "graph/graph.h"
#include "kernels.h"

/*
 * With s->vals holding the fixed input shapes and the weights (as
 * session.c sets them before preparing nodes), evaluates every value that
 * depends only on shapes and constants. If any was, s->g becomes a copy of
 * the graph specialized to these shapes (owned: s->folded) and s->vals is
 * remade for it; otherwise nothing changes. Errors only for lack of memory:
 * what cannot be evaluated is left to the session to report.
 */
mote_status mote_shape_fold(mote_session *s);

/*
 * mote_graph_infer (session.h) for a graph whose input shapes are fixed,
 * evaluating shape-derived values on the way so that ops needing them as
 * constants can be inferred: vals gets every value's dtype and shape (the
 * evaluated data is freed again). The first node that cannot be inferred
 * is an error.
 */
mote_status mote_graph_infer_folding(const mote_graph *g, const mote_kernels *k, const int *order,
                                     mote_tensor *vals);


/*
 * For messages (mote convert): every node of g that must run and cannot be
 * inferred, or inferred but not prepared, at these input shapes (one per
 * input, in g->inputs order) while its own inputs are known, i.e. each
 * cause rather than its consequences. Their errors are joined with "; "
 * into buf (truncated to len); returns how many there are. Each node that
 * infers is prepared once here, its allocations freed at once.
 */
int mote_graph_list_failures(const mote_graph *g, const mote_tensor *shapes, char *buf, size_t len);

#endif
