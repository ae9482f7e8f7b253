/*
 * cursor.c — the reader's bounds-checked cursor (format_cursor.h).
 */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "format.h"
#include "cursor.h"
#include "graph/internal.h"

mote_status mote_rd_fail(const rd *r, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return mote_error(MOTE_ERR_FORMAT, "%s: %s%s%s: %s", r->what, r->sec,
                      r->ctx[0] ? ", " : "", r->ctx, msg);
}

void mote_rd_ctx(rd *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->ctx, sizeof r->ctx, fmt, ap);
    va_end(ap);
}

size_t mote_rd_left(const rd *r) { return r->end - r->pos; }

/* Makes sure n more bytes lie inside the section; returns a pointer to them. */
const uint8_t *mote_rd_take(rd *r, size_t n, const char *field)
{
    if (mote_rd_left(r) < n) {
        mote_rd_fail(r, "%s: needs %zu bytes at offset %zu, but the section ends at %zu",
                field, n, r->pos, r->end);
        return NULL;
    }
    const uint8_t *p = r->base + r->pos;
    r->pos += n;
    return p;
}

bool mote_rd_u32(rd *r, const char *field, uint32_t *v)
{
    const uint8_t *p = mote_rd_take(r, 4, field);
    if (p)
        *v = mote_le32(p);
    return p != NULL;
}

bool mote_rd_i32(rd *r, const char *field, int32_t *v)
{
    uint32_t u;
    if (!mote_rd_u32(r, field, &u))
        return false;
    memcpy(v, &u, 4);      /* two's complement, as the format says */
    return true;
}

bool mote_rd_u64(rd *r, const char *field, uint64_t *v)
{
    const uint8_t *p = mote_rd_take(r, 8, field);
    if (p)
        *v = mote_le64(p);
    return p != NULL;
}

bool mote_rd_i64(rd *r, const char *field, int64_t *v)
{
    uint64_t u;
    if (!mote_rd_u64(r, field, &u))
        return false;
    memcpy(v, &u, 8);
    return true;
}

/* A string: u32 length n (at most max), n bytes without a NUL, one NUL.
 * *s points into the image, which is why it must be NUL-terminated there. */
bool mote_rd_str(rd *r, const char *field, uint32_t max, const char **s)
{
    uint32_t n;
    if (!mote_rd_u32(r, field, &n))
        return false;
    if (n > max) {
        mote_rd_fail(r, "%s: a string of %u bytes (the limit is %u)", field, n, max);
        return false;
    }
    const uint8_t *p = mote_rd_take(r, (size_t)n + 1, field);
    if (!p)
        return false;
    if (p[n] != 0 || memchr(p, 0, n)) {
        mote_rd_fail(r, "%s: the %u-byte string at offset %zu is not NUL-terminated there",
                field, n, r->pos - n - 1);
        return false;
    }
    if (max == MOTE_FORMAT_MAX_NAME && n == 0) {
        mote_rd_fail(r, "%s: an empty name", field);
        return false;
    }
    *s = (const char *)p;
    return true;
}

bool mote_rd_name(rd *r, const char *field, const char **s)
{
    return mote_rd_str(r, field, MOTE_FORMAT_MAX_NAME, s);
}

/* A u32 count of records of at least min_bytes each: it can never exceed
 * what is left of the section, which bounds every allocation by the file
 * size. */
bool mote_rd_count(rd *r, const char *field, size_t min_bytes, int *n)
{
    uint32_t c;
    if (!mote_rd_u32(r, field, &c))
        return false;
    if (c > INT_MAX || (uint64_t)c * min_bytes > mote_rd_left(r)) {
        mote_rd_fail(r, "%s: %u records need at least %llu bytes, but %zu are left in the section",
                field, c, (unsigned long long)c * min_bytes, mote_rd_left(r));
        return false;
    }
    *n = (int)c;
    return true;
}

/* A dtype code that mote knows. */
bool mote_rd_dtype(rd *r, mote_dtype *t)
{
    uint32_t c;
    if (!mote_rd_u32(r, "dtype", &c))
        return false;
    if (c >= MOTE_DTYPE_COUNT || mote_dtype_size((mote_dtype)c) == 0) {
        mote_rd_fail(r, "unknown dtype code %u", c);
        return false;
    }
    *t = (mote_dtype)c;
    return true;
}

/* i32 ndim, then ndim i64 dims, each at least min_dim. */
bool mote_rd_shape(rd *r, int min_ndim, int64_t min_dim, int *ndim, int64_t *dims)
{
    int32_t nd;
    if (!mote_rd_i32(r, "ndim", &nd))
        return false;
    if (nd < min_ndim || nd > MOTE_MAX_DIMS) {
        mote_rd_fail(r, "%d dimensions (at most %d)", nd, MOTE_MAX_DIMS);
        return false;
    }
    for (int d = 0; d < nd; d++) {
        if (!mote_rd_i64(r, "dims", &dims[d]))
            return false;
        if (dims[d] < min_dim) {
            mote_rd_fail(r, "dimension %d is %lld", d, (long long)dims[d]);
            return false;
        }
    }
    *ndim = nd;
    return true;
}

bool mote_rd_done(rd *r)
{
    r->ctx[0] = 0;
    if (r->pos != r->end) {
        mote_rd_fail(r, "%zu bytes after the last record, at offset %zu", mote_rd_left(r), r->pos);
        return false;
    }
    return true;
}

