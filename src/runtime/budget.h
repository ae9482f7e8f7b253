/*
 * budget.h — the memory budget: the most bytes mote lets one session
 * hold (its arena, plan, op state and the prepared weights it uses, all
 * together). Sizes over it are refused with MOTE_ERR_LIMIT and a message
 * naming what asked, before they are allocated, so that an absurd
 * dimension in a file cannot exhaust the machine. Not an allocator:
 * callers count with mote_budget_add, then allocate and check.
 *
 * The budget: the session option max_bytes if set, else the environment
 * variable MOTE_MAX_BYTES (bytes, with an optional K/M/G suffix), else 75%
 * of physical memory.
 */
#ifndef MOTE_BUDGET_H
#define MOTE_BUDGET_H

#include <stddef.h>
#include "mote.h"

/* The budget in bytes; `option` is a caller's explicit value (0: none). */
size_t mote_limit_bytes(size_t option);
/* MOTE_OK if bytes <= budget, else MOTE_ERR_LIMIT with a message
 * "<what> needs N bytes, over the memory budget of M bytes (MOTE_MAX_BYTES)". */
mote_status mote_limit_check(size_t bytes, size_t budget, const char *what);
/* bytes = numel(dims) * item, overflow-checked; false on overflow or a
 * negative dimension. */
_Bool mote_limit_tensor_bytes(const mote_tensor *t, size_t *bytes);

/*
 * A session's account: every byte it will hold, by kind, counted against
 * the budget BEFORE it is allocated. mote_budget_add refuses (MOTE_ERR_LIMIT,
 * naming `what`, nothing counted) when the running total would pass the
 * limit or overflow size_t; the caller allocates only after it succeeded.
 */
typedef struct mote_budget {
    size_t limit;       /* mote_limit_bytes() of the session's options      */
    size_t total;       /* the sum of the kinds below                       */
    size_t plan;        /* per-shape tables: values, steps, op parameters   */
    size_t prepared;    /* packed / folded weights the session uses (shared
                           with the model's other sessions)                 */
    size_t state;       /* ops' state kept across runs (KV caches)          */
    size_t arena;       /* intermediates and per-step scratch               */
} mote_budget;

/* *kind += bytes and b->total += bytes when the new total fits the limit. */
mote_status mote_budget_add(mote_budget *b, size_t *kind, size_t bytes, const char *what);
/* The same for n items of `size` bytes (n * size overflow-checked). */
mote_status mote_budget_add_n(mote_budget *b, size_t *kind, size_t n, size_t size,
                              const char *what);

#endif
