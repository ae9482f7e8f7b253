/*
 * flatbuf.c — the bounds-checked FlatBuffers reader (see flatbuf.h). Each
 * function checks a range against the buffer before it reads it; sizes
 * are computed in size_t from 32-bit quantities, so they cannot wrap on a
 * 64-bit host, and a wrap check guards the 32-bit case.
 */
#include <stdio.h>
#include <string.h>
#include "tflite/flatbuf.h"
#include "graph/internal.h"

static bool fail(const fb_buf *b, const char *what, size_t at, const char *why)
{
    mote_status st = mote_error(MOTE_ERR_FORMAT, "%s: %s at byte %zu: %s", b->what, what, at, why);
    if (b->st)
        *b->st = st;
    return false;
}

/* [pos, pos + len) lies inside the buffer */
static bool in_buf(const fb_buf *b, size_t pos, size_t len)
{
    return pos <= b->n && len <= b->n - pos;
}

static uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

bool fb_table_at(const fb_buf *b, size_t pos, const char *what, fb_table *t)
{
    if (!in_buf(b, pos, 4))
        return fail(b, what, pos, "table outside the file");
    int32_t so = (int32_t)rd32(b->p + pos);
    /* vtable = pos - soffset, computed without wrapping */
    int64_t vt = (int64_t)pos - (int64_t)so;
    if (vt < 0 || !in_buf(b, (size_t)vt, 4))
        return fail(b, what, pos, "vtable outside the file");
    uint16_t vlen = rd16(b->p + vt), tlen = rd16(b->p + vt + 2);
    if (vlen < 4 || (vlen & 1) || !in_buf(b, (size_t)vt, vlen))
        return fail(b, what, (size_t)vt, "bad vtable size");
    if (tlen < 4 || !in_buf(b, pos, tlen))
        return fail(b, what, pos, "table size passes the end of the file");
    t->pos = pos;
    t->vt = (size_t)vt;
    t->n_fields = (unsigned)(vlen - 4) / 2;
    t->size = tlen;
    return true;
}

bool fb_root(const fb_buf *b, fb_table *t)
{
    if (b->n < 8)
        return fail(b, "header", 0, "file too short for a flatbuffer");
    return fb_table_at(b, rd32(b->p), "root table", t);
}

/* Offset of field id inside the buffer, 0 if absent; false if its size
 * does not fit the table. */
static bool field(const fb_buf *b, const fb_table *t, unsigned id, size_t size, size_t *at)
{
    *at = 0;
    if (id >= t->n_fields)
        return true;
    uint16_t off = rd16(b->p + t->vt + 4 + 2 * id);
    if (off == 0)
        return true;
    if (off < 4 || size > t->size || off > t->size - size) {
        char why[64];
        snprintf(why, sizeof why, "field %u (offset %u) outside its table", id, off);
        return fail(b, "table", t->pos, why);
    }
    *at = t->pos + off;
    return true;
}

bool fb_u8(const fb_buf *b, const fb_table *t, unsigned id, uint8_t dflt, uint8_t *v)
{
    size_t at;
    if (!field(b, t, id, 1, &at))
        return false;
    *v = at ? b->p[at] : dflt;
    return true;
}

bool fb_u32(const fb_buf *b, const fb_table *t, unsigned id, uint32_t dflt, uint32_t *v)
{
    size_t at;
    if (!field(b, t, id, 4, &at))
        return false;
    *v = at ? rd32(b->p + at) : dflt;
    return true;
}

bool fb_i32(const fb_buf *b, const fb_table *t, unsigned id, int32_t dflt, int32_t *v)
{
    uint32_t u;
    if (!fb_u32(b, t, id, (uint32_t)dflt, &u))
        return false;
    *v = (int32_t)u;
    return true;
}

bool fb_f32(const fb_buf *b, const fb_table *t, unsigned id, float dflt, float *v)
{
    size_t at;
    if (!field(b, t, id, 4, &at))
        return false;
    if (at) {
        uint32_t u = rd32(b->p + at);
        memcpy(v, &u, 4);
    } else {
        *v = dflt;
    }
    return true;
}

/* Follows the reference in field id; *to 0 when absent. */
static bool ref(const fb_buf *b, const fb_table *t, unsigned id, const char *what, size_t *to)
{
    size_t at;
    *to = 0;
    if (!field(b, t, id, 4, &at))
        return false;
    if (!at)
        return true;
    size_t target = at + (size_t)rd32(b->p + at);
    if (target < at || !in_buf(b, target, 4))
        return fail(b, what, at, "reference outside the file");
    *to = target;
    return true;
}

bool fb_sub(const fb_buf *b, const fb_table *t, unsigned id, const char *what,
            fb_table *sub, bool *present)
{
    size_t to;
    *present = false;
    if (!ref(b, t, id, what, &to))
        return false;
    if (!to)
        return true;
    *present = true;
    return fb_table_at(b, to, what, sub);
}

bool fb_vector(const fb_buf *b, const fb_table *t, unsigned id, size_t elem,
               const char *what, fb_vec *v)
{
    size_t to;
    v->pos = 0;
    v->n = 0;
    if (!ref(b, t, id, what, &to))
        return false;
    if (!to)
        return true;
    uint32_t n = rd32(b->p + to);
    size_t bytes;
    if (!mote_mul_size(n, elem, &bytes) || !in_buf(b, to + 4, bytes))
        return fail(b, what, to, "vector passes the end of the file");
    v->pos = to + 4;
    v->n = n;
    return true;
}

bool fb_vec_table(const fb_buf *b, const fb_vec *v, uint32_t i, const char *what, fb_table *t)
{
    size_t at = v->pos + (size_t)i * 4;
    size_t target = at + (size_t)rd32(b->p + at);
    if (target < at)
        return fail(b, what, at, "reference outside the file");
    return fb_table_at(b, target, what, t);
}

bool fb_string(const fb_buf *b, const fb_table *t, unsigned id, const char *what,
               const char **s)
{
    fb_vec v;
    *s = NULL;
    if (!fb_vector(b, t, id, 1, what, &v))
        return false;
    if (!v.pos)
        return true;
    if (!in_buf(b, v.pos + v.n, 1) || b->p[v.pos + v.n] != 0)
        return fail(b, what, v.pos, "string without its terminating NUL");
    if (memchr(b->p + v.pos, 0, v.n))
        return fail(b, what, v.pos, "string holds a NUL byte");
    *s = (const char *)b->p + v.pos;
    return true;
}

int32_t fb_vec_i32(const fb_buf *b, const fb_vec *v, uint32_t i)
{
    return (int32_t)rd32(b->p + v->pos + (size_t)i * 4);
}

int64_t fb_vec_i64(const fb_buf *b, const fb_vec *v, uint32_t i)
{
    const uint8_t *p = b->p + v->pos + (size_t)i * 8;
    return (int64_t)((uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32);
}

float fb_vec_f32(const fb_buf *b, const fb_vec *v, uint32_t i)
{
    uint32_t u = rd32(b->p + v->pos + (size_t)i * 4);
    float f;
    memcpy(&f, &u, 4);
    return f;
}
