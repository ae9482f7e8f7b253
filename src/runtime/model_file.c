/*
 * model_file.c — opening .mote files: map, hand the bytes to the reader
 * (format.c), keep the mapping for the model's lifetime (weights are used
 * in place). Also mote_model_verify: the checks of opening, then every
 * checksum.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include "format/format.h"
#include "graph/internal.h"
#include "session.h"
#include "prepared.h"

/* Maps path read-only; on success *len > 0. */
static mote_status map_file(const char *path, const void **map, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return mote_error(MOTE_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    struct stat sb;
    if (fstat(fd, &sb) != 0) {
        int e = errno;
        close(fd);
        return mote_error(MOTE_ERR_IO, "%s: cannot stat: %s", path, strerror(e));
    }
    if (!S_ISREG(sb.st_mode)) {
        close(fd);
        return mote_error(MOTE_ERR_IO, "%s: not a regular file", path);
    }
    if (sb.st_size == 0) {
        close(fd);
        return mote_error(MOTE_ERR_FORMAT, "%s: the file is empty, not a .mote model", path);
    }
    void *p = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    int e = errno;
    close(fd);
    if (p == MAP_FAILED) return mote_error(MOTE_ERR_IO, "%s: cannot map: %s", path, strerror(e));
    *map = p;
    *len = (size_t)sb.st_size;
    return MOTE_OK;
}

static mote_status open_bytes(const void *buf, size_t len, const char *what, bool is_mmap,
                              mote_model **out)
{
    mote_graph *g = NULL;
    mote_status st = mote_format_read(buf, len, what, &g);
    if (st == MOTE_OK) {
        st = mote_graph_check_annotate(g);
        if (st != MOTE_OK) mote_error_wrap(st, what);
    }
    mote_model *m = st == MOTE_OK ? calloc(1, sizeof *m) : NULL;
    if (st == MOTE_OK && (!m || !(m->path = mote_strdup(what)) ||
                          !(m->prep = mote_prepared_new()))) {
        if (m) free(m->path);
        free(m);
        m = NULL;
        st = mote_error(MOTE_ERR_NOMEM, "%s: out of memory", what);
    }
    if (st != MOTE_OK) {
        mote_graph_free(g);
        if (is_mmap) munmap((void *)buf, len);
        return st;
    }
    m->g = g;
    m->map = buf;
    m->map_len = len;
    m->map_is_mmap = is_mmap;
    *out = m;
    return MOTE_OK;
}

mote_status mote_model_open(const char *path, mote_model **out)
{
    if (!out) return mote_error(MOTE_ERR_ARG, "mote_model_open: NULL output pointer");
    *out = NULL;
    if (!path) return mote_error(MOTE_ERR_ARG, "mote_model_open: NULL path");
    const void *map;
    size_t len;
    mote_status st = map_file(path, &map, &len);
    if (st != MOTE_OK) return st;
    return open_bytes(map, len, path, true, out);
}

mote_status mote_model_open_memory(const void *buf, size_t len, mote_model **out)
{
    if (!out) return mote_error(MOTE_ERR_ARG, "mote_model_open_memory: NULL output pointer");
    *out = NULL;
    if (!buf || !len) return mote_error(MOTE_ERR_FORMAT, "<memory>: empty buffer, not a .mote model");
    return open_bytes(buf, len, "<memory>", false, out);
}

mote_status mote_model_verify(const char *path)
{
    if (!path) return mote_error(MOTE_ERR_ARG, "mote_model_verify: NULL path");
    const void *map;
    size_t len;
    mote_status st = map_file(path, &map, &len);
    if (st != MOTE_OK) return st;
    /* The checks of mote_model_open first (structure, graph, shape
     * inference at the file's shapes: what info and run would refuse),
     * then every checksum, the weight data's included. */
    mote_graph *g = NULL;
    st = mote_format_read(map, len, path, &g);
    if (st == MOTE_OK && (st = mote_graph_check(g)) != MOTE_OK)
        mote_error_wrap(st, path);
    mote_graph_free(g);
    if (st == MOTE_OK)
        st = mote_format_verify(map, len, path);
    munmap((void *)map, len);
    return st;
}
