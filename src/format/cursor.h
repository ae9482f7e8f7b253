/*
 * cursor.h — the bounds-checked cursor the .mote reader
 * (format_read.c) reads every field through: each read knows where its
 * section ends, so none can pass the end of the buffer, and each failure
 * sets a MOTE_ERR_FORMAT message naming the file, the section, the record
 * and the offset. Internal to the reader.
 */
#ifndef MOTE_FORMAT_CURSOR_H
#define MOTE_FORMAT_CURSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "mote.h"

typedef struct rd {
    const uint8_t *base;   /* the whole image                            */
    size_t pos, end;       /* current offset and end of the section      */
    const char *what;      /* file name for messages                     */
    const char *sec;       /* section name for messages                  */
    char ctx[320];         /* the record being read, e.g. "node 'conv1'"  */
} rd;

/* Sets the error (MOTE_ERR_FORMAT, with the cursor's context) and returns it. */
mote_status mote_rd_fail(const rd *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Names the record being read, for messages. */
void mote_rd_ctx(rd *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Bytes left in the section. */
size_t mote_rd_left(const rd *r);
/* Makes sure n more bytes lie inside the section; returns a pointer to them. */
const uint8_t *mote_rd_take(rd *r, size_t n, const char *field);
/* Little-endian integers; false (error set) past the section's end. */
bool mote_rd_u32(rd *r, const char *field, uint32_t *v);
bool mote_rd_i32(rd *r, const char *field, int32_t *v);
bool mote_rd_u64(rd *r, const char *field, uint64_t *v);
bool mote_rd_i64(rd *r, const char *field, int64_t *v);
/* A string: u32 length n (at most max), n bytes without a NUL, one NUL;
 * *s points into the image. */
bool mote_rd_str(rd *r, const char *field, uint32_t max, const char **s);
/* A non-empty string of at most MOTE_FORMAT_MAX_NAME bytes. */
bool mote_rd_name(rd *r, const char *field, const char **s);
/* A u32 count of records of at least min_bytes each, bounded by what is
 * left of the section. */
bool mote_rd_count(rd *r, const char *field, size_t min_bytes, int *n);
/* A dtype code that mote knows. */
bool mote_rd_dtype(rd *r, mote_dtype *t);
/* i32 ndim (min_ndim..MOTE_MAX_DIMS), then ndim i64 dims, each >= min_dim. */
bool mote_rd_shape(rd *r, int min_ndim, int64_t min_dim, int *ndim, int64_t *dims);
/* The section is consumed exactly (clears the record context). */
bool mote_rd_done(rd *r);

#endif
