/*
 * if_guard.h — IfGuard (if_guard.c): what the session asks of it after a
 * run. Internal to src/ops/ and src/runtime/.
 */
#ifndef MOTE_IF_GUARD_H
#define MOTE_IF_GUARD_H

#include <stdbool.h>

/* True when the last run's condition chose the branch that was dropped. */
bool mote_if_guard_failed(const void *params);

#endif
