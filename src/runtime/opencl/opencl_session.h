/*
 * opencl_session.h — the session's hooks into the OpenCL backend
 * (opencl_place.c): a placement pass that runs after the plan, the run
 * loop for a placed session, and what the instruments show.
 */
#ifndef MOTE_OPENCL_SESSION_H
#define MOTE_OPENCL_SESSION_H

#include "runtime/session.h"

typedef struct mote_cl_session mote_cl_session;

/* Opens the device (platform, device as in mote_cl_open) and places s's
 * steps; on failure s->dev may hold a partial placement (freed with s). */
mote_status mote_cl_session_place(mote_session *s, int platform, int device);
/* The steps in order with their transfers; h may be NULL. */
mote_status mote_cl_session_run(mote_session *s, const mote_step_hooks *h);
void mote_cl_session_free(mote_cl_session *d);
/* After the host copy of op state changed (reset, copy from another
 * session): the device's copies follow. */
mote_status mote_cl_session_state_changed(mote_session *s);
/* "opencl", "cpu" or "alias" (a reshape: no work on either side) */
const char *mote_cl_session_step_device(const mote_session *s, int step);
void mote_cl_session_stats(const mote_session *s, int *n_device, size_t *up_bytes, size_t *down_bytes,
                           size_t *weight_bytes, const char **device_name);

#endif
