/*
 * internal.h — small helpers shared by the runtime's own files: error
 * recording, checked size arithmetic, aligned allocation. Not installed.
 */
#ifndef MOTE_INTERNAL_H
#define MOTE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "mote.h"

/* Records a formatted message as this thread's last error; returns st. */
mote_status mote_error(mote_status st, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Prefixes the current message with "ctx: " (keeps the status). */
mote_status mote_error_wrap(mote_status st, const char *ctx);
void mote_error_clear(void);

/* Overflow-checked arithmetic: false on overflow. */
static inline bool mote_mul_size(size_t a, size_t b, size_t *r)
{
    return !__builtin_mul_overflow(a, b, r);
}
static inline bool mote_add_size(size_t a, size_t b, size_t *r)
{
    return !__builtin_add_overflow(a, b, r);
}
static inline size_t mote_align_up(size_t x, size_t a) { return (x + a - 1) & ~(a - 1); }

/* 64-byte aligned allocation (free with mote_free_aligned). */
void *mote_alloc_aligned(size_t bytes);
void mote_free_aligned(void *p);
char *mote_strdup(const char *s);

#endif
