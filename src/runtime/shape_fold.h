/*
 * shape_fold.h — shape-derived constants at session creation
 * (shape_fold.c). Internal to src/runtime/.
 */
#ifndef MOTE_SHAPE_FOLD_H
#define MOTE_SHAPE_FOLD_H

#include "mote.h"

/*
 * With s->vals holding the fixed input shapes and the weights (as
 * session.c sets them before preparing nodes), evaluates every value that
 * depends only on shapes and constants. If any was, s->g becomes a copy of
 * the graph specialized to these shapes (owned: s->folded) and s->vals is
 * remade for it; otherwise nothing changes. Errors only for lack of memory:
 * what cannot be evaluated is left to the session to report.
 */
mote_status mote_shape_fold(mote_session *s);

#endif
