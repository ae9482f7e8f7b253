/*
 * writer.c — writes a mote_graph as a .mote file (layout: docs/format.md).
 *
 * The metadata, tensor-table and graph sections are small, so they are
 * built in memory first; their sizes and checksums then fill the header,
 * and the weights are streamed after them, each at a 64-byte aligned
 * offset. mote_graph_save adds atomicity: a temporary file beside the
 * destination, fsync, rename.
 *
 * This file does not validate ops or shapes (mote_graph_check does); it
 * only refuses a graph that the reader would reject (format.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "crc32.h"
#include "format.h"
#include "tempfiles.h"
#include "graph/internal.h"

/* --------------------------------------------------------- byte buffer */

typedef struct wbuf {
    uint8_t *p;     /* (cap) bytes, n used */
    size_t n, cap;
    bool oom;       /* an append failed; the buffer is then useless */
} wbuf;

static void wb_bytes(wbuf *b, const void *src, size_t n)
{
    if (b->oom)
        return;
    if (b->cap - b->n < n) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap - b->n < n) {
            if (cap > SIZE_MAX / 2) {
                b->oom = true;
                return;
            }
            cap *= 2;
        }
        uint8_t *p = realloc(b->p, cap);
        if (!p) {
            b->oom = true;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->n, src, n);
    b->n += n;
}

static void wb_u32(wbuf *b, uint32_t v)
{
    uint8_t t[4];
    mote_put_le32(t, v);
    wb_bytes(b, t, 4);
}

static void wb_u64(wbuf *b, uint64_t v)
{
    uint8_t t[8];
    mote_put_le64(t, v);
    wb_bytes(b, t, 8);
}

static void wb_i32(wbuf *b, int32_t v) { wb_u32(b, (uint32_t)v); }
static void wb_i64(wbuf *b, int64_t v) { wb_u64(b, (uint64_t)v); }

/* A string: u32 length (NUL excluded), the bytes, one NUL. */
static void wb_str(wbuf *b, const char *s)
{
    size_t n = strlen(s);
    wb_u32(b, (uint32_t)n);
    wb_bytes(b, s, n + 1);
}

/* ----------------------------------------------------------- sections */

static void put_meta(wbuf *b, const mote_graph *g)
{
    wb_u32(b, (uint32_t)g->n_meta);
    for (int k = 0; k < g->n_meta; k++) {
        const mote_meta *m = &g->meta[k];
        wb_str(b, m->key);
        wb_u32(b, (uint32_t)m->type);
        if (m->type == MOTE_META_STRING) {
            wb_str(b, m->s);
        } else if (m->type == MOTE_META_INT) {
            wb_i64(b, m->i);
        } else {
            uint64_t bits;
            memcpy(&bits, &m->f, 8);
            wb_u64(b, bits);
        }
    }
}

static void put_shape(wbuf *b, int ndim, const int64_t *dims)
{
    wb_i32(b, ndim);
    for (int d = 0; d < ndim; d++)
        wb_i64(b, dims[d]);
}

/* The tensor table: the weights in value order, each placed at the next
 * 64-byte boundary of the data section. *data_size gets the section size. */
static void put_tensors(wbuf *b, const mote_graph *g, uint64_t *data_size)
{
    uint32_t count = 0;
    for (int i = 0; i < g->n_values; i++)
        count += g->values[i].kind == MOTE_VAL_WEIGHT;
    wb_u32(b, count);
    uint64_t off = 0;
    for (int i = 0; i < g->n_values; i++) {
        const mote_value *v = &g->values[i];
        if (v->kind != MOTE_VAL_WEIGHT)
            continue;
        off = mote_align_up(off, MOTE_FORMAT_ALIGN);
        wb_str(b, v->name);
        wb_u32(b, (uint32_t)v->dtype);
        put_shape(b, v->ndim, v->dims);
        wb_u64(b, off);
        wb_u64(b, v->nbytes);
        wb_u32(b, mote_crc32(0, v->data, v->nbytes));
        off += v->nbytes;
    }
    *data_size = mote_align_up(off, MOTE_FORMAT_ALIGN);
}

static void put_graph(wbuf *b, const mote_graph *g);

static void put_attr(wbuf *b, const mote_attr *a)
{
    wb_str(b, a->name);
    wb_u32(b, (uint32_t)a->type);
    uint32_t bits;
    switch (a->type) {
    case MOTE_ATTR_INT:
        wb_i64(b, a->i);
        break;
    case MOTE_ATTR_FLOAT:
        memcpy(&bits, &a->f, 4);
        wb_u32(b, bits);
        break;
    case MOTE_ATTR_STRING:
        wb_str(b, a->s);
        break;
    case MOTE_ATTR_INTS:
        wb_u32(b, (uint32_t)a->n);
        for (int k = 0; k < a->n; k++)
            wb_i64(b, a->ints[k]);
        break;
    case MOTE_ATTR_FLOATS:
        wb_u32(b, (uint32_t)a->n);
        for (int k = 0; k < a->n; k++) {
            memcpy(&bits, &a->floats[k], 4);
            wb_u32(b, bits);
        }
        break;
    case MOTE_ATTR_STRINGS:
        wb_u32(b, (uint32_t)a->n);
        for (int k = 0; k < a->n; k++)
            wb_str(b, a->strs[k]);
        break;
    case MOTE_ATTR_GRAPH:   /* the graph section's records again, nested */
        put_graph(b, a->g);
        break;
    }
}

static void put_ids(wbuf *b, int n, const int *ids)
{
    wb_u32(b, (uint32_t)n);
    for (int k = 0; k < n; k++)
        wb_i32(b, ids[k]);
}

static void put_graph(wbuf *b, const mote_graph *g)
{
    wb_u32(b, (uint32_t)g->n_values);
    int32_t tensor = 0;
    for (int i = 0; i < g->n_values; i++) {
        const mote_value *v = &g->values[i];
        wb_str(b, v->name);
        wb_u32(b, (uint32_t)v->kind);
        wb_u32(b, (uint32_t)v->dtype);
        put_shape(b, v->ndim, v->dims);
        wb_i32(b, v->kind == MOTE_VAL_WEIGHT ? tensor++ : -1);
    }
    wb_u32(b, (uint32_t)g->n_nodes);
    for (int n = 0; n < g->n_nodes; n++) {
        const mote_node *nd = &g->nodes[n];
        wb_str(b, nd->op);
        wb_str(b, nd->name);
        put_ids(b, nd->n_in, nd->in);
        put_ids(b, nd->n_out, nd->out);
        wb_u32(b, (uint32_t)nd->n_attr);
        for (int k = 0; k < nd->n_attr; k++)
            put_attr(b, &nd->attrs[k]);
    }
    put_ids(b, g->n_inputs, g->inputs);
    put_ids(b, g->n_outputs, g->outputs);
}

/* ---------------------------------------------------------------- image */

/* Everything of the image except the weights themselves. */
typedef struct image {
    uint8_t hdr[MOTE_FORMAT_HEADER_SIZE];
    wbuf sec[3];            /* metadata, tensor table, graph */
    uint64_t data_off;      /* file offset of the data section (64-aligned) */
    uint64_t file_size;
} image;

static void image_free(image *im)
{
    for (int k = 0; k < 3; k++)
        free(im->sec[k].p);
}

static mote_status image_plan(const mote_graph *g, const char *what, image *im)
{
    memset(im, 0, sizeof *im);
    mote_status st = mote_format_check_graph(g, what, MOTE_ERR_GRAPH);
    if (st != MOTE_OK)
        return st;
    uint64_t data_size = 0;
    put_meta(&im->sec[0], g);
    put_tensors(&im->sec[1], g, &data_size);
    put_graph(&im->sec[2], g);
    for (int k = 0; k < 3; k++)
        if (im->sec[k].oom)
            return mote_error(MOTE_ERR_NOMEM, "%s: out of memory building the file", what);
    uint8_t *h = im->hdr;
    memcpy(h, MOTE_FORMAT_MAGIC, 4);
    mote_put_le32(h + MOTE_HDR_VERSION, MOTE_FORMAT_VERSION);
    mote_put_le32(h + MOTE_HDR_HEADER_SIZE, MOTE_FORMAT_HEADER_SIZE);
    uint64_t off = MOTE_FORMAT_HEADER_SIZE;
    for (int k = 0; k < 3; k++) {
        uint8_t *e = h + MOTE_HDR_DIR + k * MOTE_HDR_DIR_ENTRY;
        mote_put_le64(e, off);
        mote_put_le64(e + 8, im->sec[k].n);
        mote_put_le32(e + 16, mote_crc32(0, im->sec[k].p, im->sec[k].n));
        off += im->sec[k].n;
    }
    im->data_off = mote_align_up(off, MOTE_FORMAT_ALIGN);
    im->file_size = im->data_off + data_size;
    uint8_t *e = h + MOTE_HDR_DIR + MOTE_SEC_DATA * MOTE_HDR_DIR_ENTRY;
    mote_put_le64(e, im->data_off);
    mote_put_le64(e + 8, data_size);     /* crc stays 0: data is checked per tensor */
    mote_put_le64(h + MOTE_HDR_FILE_SIZE, im->file_size);
    mote_put_le32(h + MOTE_HDR_CRC, mote_crc32(0, h, MOTE_HDR_CRC));
    return MOTE_OK;
}

/* Where the bytes go: a FILE, or a memory block of file_size bytes. */
typedef struct sink {
    FILE *f;
    uint8_t *mem;
    uint64_t pos;
} sink;

static bool sink_put(sink *s, const void *p, size_t n)
{
    if (n == 0)
        return true;
    if (s->f) {
        if (fwrite(p, 1, n, s->f) != n)
            return false;
    } else {
        memcpy(s->mem + s->pos, p, n);
    }
    s->pos += n;
    return true;
}

static bool sink_pad(sink *s, uint64_t to)
{
    static const uint8_t zero[MOTE_FORMAT_ALIGN];
    while (s->pos < to)
        if (!sink_put(s, zero, to - s->pos < sizeof zero ? (size_t)(to - s->pos) : sizeof zero))
            return false;
    return true;
}

static bool image_emit(const mote_graph *g, const image *im, sink *s)
{
    if (!sink_put(s, im->hdr, sizeof im->hdr))
        return false;
    for (int k = 0; k < 3; k++)
        if (!sink_put(s, im->sec[k].p, im->sec[k].n))
            return false;
    for (int i = 0; i < g->n_values; i++) {
        const mote_value *v = &g->values[i];
        if (v->kind != MOTE_VAL_WEIGHT)
            continue;
        if (!sink_pad(s, mote_align_up(s->pos, MOTE_FORMAT_ALIGN)) ||
            !sink_put(s, v->data, v->nbytes))
            return false;
    }
    return sink_pad(s, im->file_size);
}

mote_status mote_format_write_file(const mote_graph *g, FILE *f, const char *what)
{
    if (!f || !what)
        return mote_error(MOTE_ERR_ARG, "mote_format_write_file: NULL argument");
    image im;
    mote_status st = image_plan(g, what, &im);
    if (st == MOTE_OK) {
        sink s = {.f = f};
        if (!image_emit(g, &im, &s) || fflush(f) != 0)
            st = mote_error(MOTE_ERR_IO, "%s: write failed: %s", what, strerror(errno));
    }
    image_free(&im);
    return st;
}

mote_status mote_format_write_memory(const mote_graph *g, void **buf, size_t *len)
{
    if (!buf || !len)
        return mote_error(MOTE_ERR_ARG, "mote_format_write_memory: NULL argument");
    *buf = NULL;
    *len = 0;
    image im;
    mote_status st = image_plan(g, "(memory)", &im);
    if (st == MOTE_OK && im.file_size > SIZE_MAX)
        st = mote_error(MOTE_ERR_NOMEM, "the model does not fit in memory");
    uint8_t *mem = NULL;
    if (st == MOTE_OK && !(mem = mote_alloc_aligned((size_t)im.file_size)))
        st = mote_error(MOTE_ERR_NOMEM, "out of memory for a %llu-byte model",
                        (unsigned long long)im.file_size);
    if (st == MOTE_OK) {
        sink s = {.mem = mem};
        image_emit(g, &im, &s);
        *buf = mem;
        *len = (size_t)im.file_size;
    }
    image_free(&im);
    return st;
}

/* ------------------------------------------------------------ atomic save */

/* fsync the directory holding path, so the rename itself is durable.
 * Best effort: some file systems refuse fsync on a directory. */
static void sync_dir(const char *path)
{
    char *copy = mote_strdup(path);
    if (!copy)
        return;
    int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY);
    if (fd >= 0) {
        (void)fsync(fd);
        close(fd);
    }
    free(copy);
}

mote_status mote_graph_save(const mote_graph *g, const char *path)
{
    if (!g || !path)
        return mote_error(MOTE_ERR_ARG, "mote_graph_save: NULL argument");
    /* Everything that can be checked is checked before a file exists. */
    image im;
    mote_status st = image_plan(g, path, &im);
    if (st != MOTE_OK) {
        image_free(&im);
        return st;
    }
    char *tmp;
    int slot;
    int fd = mote_temp_create(path, &tmp, &slot);
    if (fd < 0) {
        st = mote_error(MOTE_ERR_IO, "%s: cannot create a temporary file beside it: %s",
                        path, strerror(errno));
        image_free(&im);
        return st;
    }
    (void)fchmod(fd, 0644);  /* a model is not a secret: 0644 whatever the umask */
    FILE *f = fdopen(fd, "wb");
    const char *step = NULL;   /* the step that failed, if any */
    int err = 0;
    if (f) {
        sink s = {.f = f};
        if (!image_emit(g, &im, &s) || fflush(f) != 0)
            step = "write";
        else if (fsync(fileno(f)) != 0)
            step = "fsync";
        err = errno;
        if (fclose(f) != 0 && !step) {
            step = "close";
            err = errno;
        }
    } else {
        step = "open";
        err = errno;
        close(fd);
    }
    if (!step && rename(tmp, path) != 0) {
        step = "rename";
        err = errno;
    }
    if (step) {
        st = mote_error(MOTE_ERR_IO, "%s: %s of the temporary file %s failed: %s", path,
                        step, tmp, strerror(err));
        unlink(tmp);
    } else {
        sync_dir(path);
    }
    mote_temp_forget(slot);
    free(tmp);
    image_free(&im);
    return st;
}
