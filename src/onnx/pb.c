/*
 * pb.c — protobuf wire-format reader (see pb.h). Schema-free: it returns
 * fields; it does not know what they mean. Every read is bounds-checked.
 */
#include <stdlib.h>
#include <string.h>
#include "graph/internal.h"
#include "pb.h"

void mote_pb_init(mote_pb *r, const void *buf, size_t len)
{
    r->base = buf;
    r->p = buf;
    r->end = r->p + len;
    r->depth = 0;
}

/* LEB128: 7 bits per byte, low group first, high bit set on all but the
 * last byte. A 64-bit value needs at most 10 bytes, and the 10th may only
 * carry the single remaining bit. */
mote_status mote_pb_varint(const uint8_t **pp, const uint8_t *end, uint64_t *v)
{
    const uint8_t *p = *pp;
    uint64_t x = 0;
    for (int i = 0; i < 10; i++) {
        if (p >= end)
            return mote_error(MOTE_ERR_FORMAT, "truncated varint");
        uint8_t b = *p++;
        if (i == 9 && b > 1)
            return mote_error(MOTE_ERR_FORMAT, "varint overflows 64 bits");
        x |= (uint64_t)(b & 0x7f) << (7 * i);
        if (!(b & 0x80)) {
            *v = x;
            *pp = p;
            return MOTE_OK;
        }
    }
    return mote_error(MOTE_ERR_FORMAT, "varint longer than 10 bytes");
}

static uint64_t load_le(const uint8_t *p, int n)
{
    uint64_t x = 0;
    for (int i = n - 1; i >= 0; i--)
        x = (x << 8) | p[i];
    return x;
}

mote_status mote_pb_next(mote_pb *r, mote_pb_field *f, bool *done)
{
    memset(f, 0, sizeof *f);
    *done = false;
    if (r->p >= r->end) {
        *done = true;
        return MOTE_OK;
    }
    size_t off = (size_t)(r->p - r->base);
    f->offset = off;
    uint64_t key;
    if (mote_pb_varint(&r->p, r->end, &key) != MOTE_OK)
        return mote_error(MOTE_ERR_FORMAT, "byte %zu: truncated or bad field key", off);
    f->num = (uint32_t)(key >> 3);
    f->wire = (int)(key & 7);
    if ((key >> 3) == 0 || (key >> 3) > 536870911u)
        return mote_error(MOTE_ERR_FORMAT, "byte %zu: field number %llu out of range",
                          off, (unsigned long long)(key >> 3));
    size_t left;
    switch (f->wire) {
    case MOTE_PB_VARINT:
        if (mote_pb_varint(&r->p, r->end, &f->v) != MOTE_OK)
            return mote_error(MOTE_ERR_FORMAT, "byte %zu: field %u: truncated or bad varint",
                              off, f->num);
        return MOTE_OK;
    case MOTE_PB_FIXED64:
    case MOTE_PB_FIXED32: {
        int n = f->wire == MOTE_PB_FIXED64 ? 8 : 4;
        if ((size_t)(r->end - r->p) < (size_t)n)
            return mote_error(MOTE_ERR_FORMAT, "byte %zu: field %u: fixed%d value past the end",
                              off, f->num, n * 8);
        f->v = load_le(r->p, n);
        r->p += n;
        return MOTE_OK;
    }
    case MOTE_PB_LEN: {
        uint64_t len;
        if (mote_pb_varint(&r->p, r->end, &len) != MOTE_OK)
            return mote_error(MOTE_ERR_FORMAT, "byte %zu: field %u: truncated or bad length",
                              off, f->num);
        left = (size_t)(r->end - r->p);
        if (len > left)
            return mote_error(MOTE_ERR_FORMAT,
                              "byte %zu: field %u: length %llu runs past the end (%zu bytes left)",
                              off, f->num, (unsigned long long)len, left);
        f->data = r->p;
        f->len = (size_t)len;
        r->p += len;
        return MOTE_OK;
    }
    default:
        return mote_error(MOTE_ERR_FORMAT, "byte %zu: field %u: unsupported wire type %d",
                          off, f->num, f->wire);
    }
}

mote_status mote_pb_sub(const mote_pb *r, const mote_pb_field *f, mote_pb *sub)
{
    if (f->wire != MOTE_PB_LEN)
        return mote_error(MOTE_ERR_FORMAT, "byte %zu: field %u: expected a message, got wire type %d",
                          f->offset, f->num, f->wire);
    if (r->depth + 1 > MOTE_PB_MAX_DEPTH)
        return mote_error(MOTE_ERR_FORMAT, "byte %zu: messages nested deeper than %d levels",
                          f->offset, MOTE_PB_MAX_DEPTH);
    sub->base = r->base;
    sub->p = f->data;
    sub->end = f->data + f->len;
    sub->depth = r->depth + 1;
    return MOTE_OK;
}

mote_status mote_pb_as_int64(const mote_pb_field *f, int64_t *v)
{
    if (f->wire != MOTE_PB_VARINT)
        return mote_error(MOTE_ERR_FORMAT, "byte %zu: field %u: expected a varint, got wire type %d",
                          f->offset, f->num, f->wire);
    *v = (int64_t)f->v;
    return MOTE_OK;
}

mote_status mote_pb_as_float(const mote_pb_field *f, float *v)
{
    if (f->wire != MOTE_PB_FIXED32)
        return mote_error(MOTE_ERR_FORMAT, "byte %zu: field %u: expected a float, got wire type %d",
                          f->offset, f->num, f->wire);
    uint32_t b = (uint32_t)f->v;
    memcpy(v, &b, 4);
    return MOTE_OK;
}

mote_status mote_pb_as_double(const mote_pb_field *f, double *v)
{
    if (f->wire != MOTE_PB_FIXED64)
        return mote_error(MOTE_ERR_FORMAT, "byte %zu: field %u: expected a double, got wire type %d",
                          f->offset, f->num, f->wire);
    memcpy(v, &f->v, 8);
    return MOTE_OK;
}

/* Makes room for `more` elements of `size` bytes in a growable array. */
static mote_status grow(void **arr, size_t *n, size_t *cap, size_t more, size_t size)
{
    size_t need;
    if (!mote_add_size(*n, more, &need))
        return mote_error(MOTE_ERR_FORMAT, "repeated field too long");
    if (need <= *cap)
        return MOTE_OK;
    size_t nc = *cap ? *cap : 8;
    while (nc < need) {
        if (!mote_mul_size(nc, 2, &nc))
            return mote_error(MOTE_ERR_FORMAT, "repeated field too long");
    }
    size_t bytes;
    if (!mote_mul_size(nc, size, &bytes))
        return mote_error(MOTE_ERR_FORMAT, "repeated field too long");
    void *p = realloc(*arr, bytes);
    if (!p)
        return mote_error(MOTE_ERR_NOMEM, "out of memory for a repeated field of %zu elements", need);
    *arr = p;
    *cap = nc;
    return MOTE_OK;
}

mote_status mote_pb_append_int64(const mote_pb_field *f, int64_t **arr, size_t *n, size_t *cap)
{
    mote_status st;
    if (f->wire == MOTE_PB_VARINT) {
        if ((st = grow((void **)arr, n, cap, 1, sizeof **arr)))
            return st;
        (*arr)[(*n)++] = (int64_t)f->v;
        return MOTE_OK;
    }
    if (f->wire != MOTE_PB_LEN)
        return mote_error(MOTE_ERR_FORMAT, "byte %zu: field %u: expected varints, got wire type %d",
                          f->offset, f->num, f->wire);
    /* Count first: each varint ends with a byte below 0x80. */
    size_t count = 0;
    for (size_t i = 0; i < f->len; i++)
        count += f->data[i] < 0x80;
    if (f->len && f->data[f->len - 1] >= 0x80)
        return mote_error(MOTE_ERR_FORMAT, "byte %zu: field %u: packed varints end mid-value",
                          f->offset, f->num);
    if ((st = grow((void **)arr, n, cap, count, sizeof **arr)))
        return st;
    const uint8_t *p = f->data, *end = f->data + f->len;
    while (p < end) {
        uint64_t v;
        if (mote_pb_varint(&p, end, &v) != MOTE_OK)
            return mote_error(MOTE_ERR_FORMAT, "byte %zu: field %u: bad packed varint",
                              f->offset, f->num);
        (*arr)[(*n)++] = (int64_t)v;
    }
    return MOTE_OK;
}

/* Shared by float (4 bytes) and double (8 bytes) elements. */
static mote_status append_fixed(const mote_pb_field *f, void **arr, size_t *n, size_t *cap,
                                int size, int wire)
{
    mote_status st;
    if (f->wire == wire) {
        if ((st = grow(arr, n, cap, 1, (size_t)size)))
            return st;
        uint8_t b[8];
        for (int i = 0; i < size; i++)
            b[i] = (uint8_t)(f->v >> (8 * i));
        memcpy((uint8_t *)*arr + *n * (size_t)size, b, (size_t)size);
        (*n)++;
        return MOTE_OK;
    }
    if (f->wire != MOTE_PB_LEN)
        return mote_error(MOTE_ERR_FORMAT, "byte %zu: field %u: expected %s values, got wire type %d",
                          f->offset, f->num, size == 4 ? "float" : "double", f->wire);
    if (f->len % (size_t)size)
        return mote_error(MOTE_ERR_FORMAT, "byte %zu: field %u: packed length %zu is not a multiple of %d",
                          f->offset, f->num, f->len, size);
    size_t count = f->len / (size_t)size;
    if ((st = grow(arr, n, cap, count, (size_t)size)))
        return st;
    /* The wire is little-endian; so is every target mote builds for. */
    if (count)
        memcpy((uint8_t *)*arr + *n * (size_t)size, f->data, f->len);
    *n += count;
    return MOTE_OK;
}

mote_status mote_pb_append_float(const mote_pb_field *f, float **arr, size_t *n, size_t *cap)
{
    return append_fixed(f, (void **)arr, n, cap, 4, MOTE_PB_FIXED32);
}

mote_status mote_pb_append_double(const mote_pb_field *f, double **arr, size_t *n, size_t *cap)
{
    return append_fixed(f, (void **)arr, n, cap, 8, MOTE_PB_FIXED64);
}

mote_status mote_pb_string(const mote_pb_field *f, char **out)
{
    *out = NULL;
    if (f->wire != MOTE_PB_LEN)
        return mote_error(MOTE_ERR_FORMAT, "byte %zu: field %u: expected a string, got wire type %d",
                          f->offset, f->num, f->wire);
    if (f->len && memchr(f->data, 0, f->len))
        return mote_error(MOTE_ERR_FORMAT, "byte %zu: field %u: string holds a NUL byte",
                          f->offset, f->num);
    char *s = malloc(f->len + 1);
    if (!s)
        return mote_error(MOTE_ERR_NOMEM, "out of memory for a %zu-byte string", f->len);
    if (f->len)
        memcpy(s, f->data, f->len);
    s[f->len] = 0;
    *out = s;
    return MOTE_OK;
}
