/*
 * pb.h — a reader for the protobuf wire format, enough for ONNX files.
 *
 * It walks the fields of one message held in memory and hands back each
 * field's number, wire type and payload; it does not know any schema (the
 * ONNX message readers in onnx_read.c do). It never reads past the buffer:
 * every varint, fixed-width value and length is checked against the bytes
 * that remain, and sub-messages are limited in nesting depth.
 *
 * Wire format (protobuf encoding spec): a message is a sequence of
 *   key = varint (field_number << 3 | wire_type)
 * followed by the payload of that wire type:
 *   0 varint (LEB128, at most 10 bytes), 1 fixed64 (8 bytes LE),
 *   2 length-delimited (varint length, then that many bytes),
 *   5 fixed32 (4 bytes LE). Types 3 and 4 (groups) are obsolete and refused.
 * Repeated scalars come either one field per element or "packed" as one
 * length-delimited field holding the elements back to back.
 */
#ifndef MOTE_PB_H
#define MOTE_PB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "mote.h"

/* Deepest nesting of sub-messages a reader accepts. ONNX needs about 8
 * (model, graph, node, attribute, tensor, ...); more is hostile input. */
#define MOTE_PB_MAX_DEPTH 32

enum {
    MOTE_PB_VARINT = 0,
    MOTE_PB_FIXED64 = 1,
    MOTE_PB_LEN = 2,
    MOTE_PB_FIXED32 = 5
};

/* A cursor over one message's bytes [p, end). */
typedef struct mote_pb {
    const uint8_t *base;   /* start of the whole file, for offsets in messages */
    const uint8_t *p;      /* next unread byte                                 */
    const uint8_t *end;    /* one past the message's last byte                 */
    int depth;             /* 0 for the top-level message                      */
} mote_pb;

/* One field as read from the wire. */
typedef struct mote_pb_field {
    uint32_t num;          /* field number (>= 1)                          */
    int wire;              /* MOTE_PB_VARINT, _FIXED64, _LEN or _FIXED32   */
    uint64_t v;            /* varint value, or the fixed32/fixed64 bits    */
    const uint8_t *data;   /* LEN: payload (len bytes)                     */
    size_t len;
    size_t offset;         /* the key's offset from base (for messages)    */
} mote_pb_field;

/* A reader over buf[0..len) as the top-level message. */
void mote_pb_init(mote_pb *r, const void *buf, size_t len);

/*
 * Reads the next field into *f. Sets *done (and returns MOTE_OK) at the end
 * of the message. MOTE_ERR_FORMAT, with the byte offset in the message, for
 * a truncated or malformed field.
 */
mote_status mote_pb_next(mote_pb *r, mote_pb_field *f, bool *done);

/* A reader over the payload of LEN field f, one level deeper than r;
 * MOTE_ERR_FORMAT if f is not LEN or the depth limit is reached. */
mote_status mote_pb_sub(const mote_pb *r, const mote_pb_field *f, mote_pb *sub);

/* Decodes one varint from [*p, end), advancing *p. */
mote_status mote_pb_varint(const uint8_t **p, const uint8_t *end, uint64_t *v);

/* Field payload as a type (checks the wire type; MOTE_ERR_FORMAT if wrong). */
mote_status mote_pb_as_int64(const mote_pb_field *f, int64_t *v);   /* varint */
mote_status mote_pb_as_float(const mote_pb_field *f, float *v);     /* fixed32 */
mote_status mote_pb_as_double(const mote_pb_field *f, double *v);   /* fixed64 */

/*
 * Repeated scalars, either form: appends the element(s) of field f to a
 * growable array (*arr with *n elements and *cap capacity, realloc'd).
 * Packed payloads are walked once to count before anything is allocated,
 * so a huge count in a short buffer is refused, not allocated.
 */
mote_status mote_pb_append_int64(const mote_pb_field *f, int64_t **arr, size_t *n, size_t *cap);
mote_status mote_pb_append_float(const mote_pb_field *f, float **arr, size_t *n, size_t *cap);
mote_status mote_pb_append_double(const mote_pb_field *f, double **arr, size_t *n, size_t *cap);

/* A NUL-terminated malloc'd copy of a LEN field's payload; MOTE_ERR_FORMAT
 * if it holds a NUL byte (names must not), MOTE_ERR_NOMEM on OOM. */
mote_status mote_pb_string(const mote_pb_field *f, char **out);

#endif
