/*
 * format.h — the .mote file reader and writer (internal). The layout is
 * specified byte by byte in docs/format.md; the constants here are the
 * ones that spec names.
 *
 * This is only the file layer: it turns bytes into a mote_graph and back,
 * checking every offset, count, size, name and id on the way in. It knows
 * nothing of ops, shape inference or kernels (mote_graph_check does that).
 */
#ifndef MOTE_FORMAT_H
#define MOTE_FORMAT_H

#include <stdio.h>
#include "graph/graph.h"

#define MOTE_FORMAT_MAGIC "MOTE"          /* bytes 4D 4F 54 45 at offset 0   */
#define MOTE_FORMAT_VERSION 1u
#define MOTE_FORMAT_HEADER_SIZE 128u      /* fixed in v1                     */
#define MOTE_FORMAT_ALIGN 64u             /* tensor data alignment           */
#define MOTE_FORMAT_MAX_NAME 4096u        /* bytes in a name, NUL excluded   */
#define MOTE_FORMAT_MAX_STRING (1u << 24) /* bytes in a string value         */
#define MOTE_FORMAT_MAX_META 4096u        /* metadata entries                */
#define MOTE_FORMAT_MAX_ATTRS 1024u       /* attributes of one node          */

/* Sections, in file order; also their index in the header's directory. */
enum {
    MOTE_SEC_META = 0,
    MOTE_SEC_TENSORS = 1,
    MOTE_SEC_GRAPH = 2,
    MOTE_SEC_DATA = 3,
    MOTE_SEC_COUNT = 4
};

/* Header field offsets (docs/format.md, "Header"). */
#define MOTE_HDR_VERSION 4
#define MOTE_HDR_HEADER_SIZE 8
#define MOTE_HDR_FLAGS 12
#define MOTE_HDR_FILE_SIZE 16
#define MOTE_HDR_DIR 24          /* MOTE_SEC_COUNT entries of 24 bytes:      */
#define MOTE_HDR_DIR_ENTRY 24    /*   u64 offset, u64 size, u32 crc, u32 0   */
#define MOTE_HDR_RESERVED 120
#define MOTE_HDR_CRC 124         /* CRC-32 of bytes 0..123                   */

/*
 * Parses a complete .mote image into a new graph. Weight values point into
 * buf (owns_data = false), so buf must outlive the graph; if buf is 64-byte
 * aligned (mmap), so is every weight. Checks the structure and the header,
 * metadata, tensor-table and graph checksums, not the tensor data (see
 * mote_format_verify). `what` names the file in messages. On failure *out
 * is NULL and the status is MOTE_ERR_FORMAT (damaged or hostile file),
 * MOTE_ERR_UNSUPPORTED (a future version), or MOTE_ERR_NOMEM.
 */
mote_status mote_format_read(const void *buf, size_t len, const char *what,
                             mote_graph **out);

/*
 * Everything mote_format_read checks, plus every tensor's data checksum
 * and that the padding between tensors is zero. Builds no graph that
 * outlives the call.
 */
mote_status mote_format_verify(const void *buf, size_t len, const char *what);

/*
 * The format's rules on an in-memory graph: names present, short enough
 * and unique; ids in range; each activation produced by exactly one node;
 * graph inputs exactly the INPUT values; weight sizes = numel * dtype size.
 * The writer refuses a graph that breaks them (so every file it writes can
 * be read back; it passes st = MOTE_ERR_GRAPH), and the reader applies them
 * to what it has read (st = MOTE_ERR_FORMAT). On a broken rule, returns st
 * with a message prefixed by `what`, naming the value, node or key.
 */
mote_status mote_format_check_graph(const mote_graph *g, const char *what,
                                    mote_status st);

/*
 * Writes g as a .mote image to f, from its current position (normally a
 * new, empty file). Checks g first (mote_format_check_graph); MOTE_ERR_IO
 * if a write fails. `what` names the file in messages. Not atomic: see
 * mote_graph_save.
 */
mote_status mote_format_write_file(const mote_graph *g, FILE *f, const char *what);

/*
 * Writes g as a .mote image into a new 64-byte aligned buffer (free it with
 * mote_free_aligned): for tests, and for opening a graph without a file.
 */
mote_status mote_format_write_memory(const mote_graph *g, void **buf, size_t *len);

/* --- shared by the reader and the writer --- */

/* Little-endian field access (independent of the host's byte order). */
static inline uint32_t mote_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}
static inline uint64_t mote_le64(const uint8_t *p)
{
    return (uint64_t)mote_le32(p) | (uint64_t)mote_le32(p + 4) << 32;
}
static inline void mote_put_le32(uint8_t *p, uint32_t v)
{
    for (int k = 0; k < 4; k++)
        p[k] = (uint8_t)(v >> (8 * k));
}
static inline void mote_put_le64(uint8_t *p, uint64_t v)
{
    mote_put_le32(p, (uint32_t)v);
    mote_put_le32(p + 4, (uint32_t)(v >> 32));
}

/*
 * The first name among names[0..n-1] equal to an earlier one: returns its
 * index and stores the earlier one's in *first; -1 if all differ; -2 if
 * memory ran out (the error is recorded). Linear time (hashing).
 */
int mote_format_find_duplicate(int n, const char *const *names, int *first);

#endif
