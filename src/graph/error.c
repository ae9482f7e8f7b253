/*
 * error.c — status names, the thread-local last-error message, and the
 * small allocation helpers of internal.h. Not a logger: nothing is printed.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "internal.h"

static _Thread_local char last_error[1024];

const char *mote_last_error(void) { return last_error; }

void mote_error_clear(void) { last_error[0] = '\0'; }

mote_status mote_error(mote_status st, const char *fmt, ...)
{
    /* Formatted aside, then copied: callers add context by passing
     * mote_last_error() itself as an argument, which vsnprintf into the
     * same buffer would overwrite while reading it. */
    char msg[sizeof last_error];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    memcpy(last_error, msg, strlen(msg) + 1);
    return st;
}

mote_status mote_error_wrap(mote_status st, const char *ctx)
{
    /* shift the message right and put "ctx: " in front, truncating the end */
    size_t cl = strlen(ctx), ml = strlen(last_error), cap = sizeof last_error - 1;
    if (cl + 2 > cap) cl = cap - 2;
    size_t keep = ml + cl + 2 > cap ? cap - cl - 2 : ml;
    memmove(last_error + cl + 2, last_error, keep);
    memcpy(last_error, ctx, cl);
    last_error[cl] = ':';
    last_error[cl + 1] = ' ';
    last_error[cl + 2 + keep] = '\0';
    return st;
}

const char *mote_status_name(mote_status st)
{
    switch (st) {
    case MOTE_OK: return "MOTE_OK";
    case MOTE_ERR_ARG: return "MOTE_ERR_ARG";
    case MOTE_ERR_IO: return "MOTE_ERR_IO";
    case MOTE_ERR_FORMAT: return "MOTE_ERR_FORMAT";
    case MOTE_ERR_UNSUPPORTED: return "MOTE_ERR_UNSUPPORTED";
    case MOTE_ERR_SHAPE: return "MOTE_ERR_SHAPE";
    case MOTE_ERR_NOMEM: return "MOTE_ERR_NOMEM";
    case MOTE_ERR_GRAPH: return "MOTE_ERR_GRAPH";
    case MOTE_ERR_LIMIT: return "MOTE_ERR_LIMIT";
    }
    return "MOTE_ERR_UNKNOWN";
}

void *mote_alloc_aligned(size_t bytes)
{
    void *p = NULL;
    if (posix_memalign(&p, 64, bytes ? mote_align_up(bytes, 64) : 64) != 0)
        return NULL;
    return p;
}

void mote_free_aligned(void *p) { free(p); }

char *mote_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d) memcpy(d, s, n);
    return d;
}
