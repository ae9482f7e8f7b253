/*
 * flatbuf.h — a bounds-checked reader for the FlatBuffers binary format,
 * enough of it for TFLite model files: tables through their vtables,
 * scalars with defaults, offsets to tables, vectors and strings. Every
 * offset, vtable entry and length is checked against the buffer before it
 * is followed, so a truncated or hostile file gives MOTE_ERR_FORMAT, never
 * a read outside the buffer. Not a schema compiler, not a writer.
 *
 * The format, as far as used here (all little-endian):
 *   buffer[0..4)      u32 offset of the root table from byte 0
 *   table at t        i32 soffset: its vtable is at t - soffset
 *   vtable at v       u16 vtable bytes, u16 table bytes, then one u16 per
 *                     field: the field's offset from t (0: absent)
 *   reference field   u32 at f; the object is at f + value
 *   vector / string   u32 count, then the elements (a string: bytes, NUL)
 */
#ifndef MOTE_TFLITE_FLATBUF_H
#define MOTE_TFLITE_FLATBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "mote.h"

typedef struct fb_buf {
    const uint8_t *p;          /* the whole file                     */
    size_t n;                  /* its size in bytes                  */
    const char *what;          /* file name for messages             */
    mote_status *st;           /* the failure's status is stored here */
} fb_buf;

typedef struct fb_table {
    size_t pos;                /* the table's start (its soffset)    */
    size_t vt;                 /* its vtable                         */
    unsigned n_fields;         /* entries in the vtable              */
    size_t size;               /* the table's size in bytes          */
} fb_table;

typedef struct fb_vec {
    size_t pos;                /* first element                      */
    uint32_t n;                /* element count                      */
} fb_vec;

/* The root table; false (error set) if the buffer cannot hold one. */
bool fb_root(const fb_buf *b, fb_table *t);
/* The table at pos, with its vtable checked. */
bool fb_table_at(const fb_buf *b, size_t pos, const char *what, fb_table *t);
/* Scalar fields: the default when absent; false on a field that does not
 * fit its table. */
bool fb_u8(const fb_buf *b, const fb_table *t, unsigned id, uint8_t dflt, uint8_t *v);
bool fb_i32(const fb_buf *b, const fb_table *t, unsigned id, int32_t dflt, int32_t *v);
bool fb_u32(const fb_buf *b, const fb_table *t, unsigned id, uint32_t dflt, uint32_t *v);
bool fb_f32(const fb_buf *b, const fb_table *t, unsigned id, float dflt, float *v);
/* A sub-table; *present false when the field is absent. */
bool fb_sub(const fb_buf *b, const fb_table *t, unsigned id, const char *what,
            fb_table *sub, bool *present);
/* A vector of elem-byte scalars or of references (elem 4); an absent field
 * gives an empty vector. */
bool fb_vector(const fb_buf *b, const fb_table *t, unsigned id, size_t elem,
               const char *what, fb_vec *v);
/* The i-th table of a vector of tables. */
bool fb_vec_table(const fb_buf *b, const fb_vec *v, uint32_t i, const char *what, fb_table *t);
/* A string field: *s points into the buffer (NUL-terminated, checked), or
 * is NULL when absent. */
bool fb_string(const fb_buf *b, const fb_table *t, unsigned id, const char *what,
               const char **s);
/* Element readers for a checked vector (i < v->n). */
int32_t fb_vec_i32(const fb_buf *b, const fb_vec *v, uint32_t i);
int64_t fb_vec_i64(const fb_buf *b, const fb_vec *v, uint32_t i);
float fb_vec_f32(const fb_buf *b, const fb_vec *v, uint32_t i);

#endif
