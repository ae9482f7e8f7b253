/*
 * npy.c — the numpy .npy reader and atomic writer declared in npy.h.
 *
 * The format (numpy's NEP 1, "format.py"):
 *
 *     offset 0   6 bytes   magic "\x93NUMPY"
 *     offset 6   1 byte    major version (1, 2 or 3)
 *     offset 7   1 byte    minor version (0)
 *     offset 8   2 bytes   header length HLEN, little-endian (version 1)
 *                4 bytes   header length HLEN, little-endian (versions 2, 3)
 *     then       HLEN      a Python dict literal, ASCII (v1, v2: latin-1,
 *                          v3: UTF-8), padded with spaces and ended by '\n':
 *                          {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }
 *     then                 the raw array data, prod(shape) * itemsize bytes
 *
 * numpy aligns the data to 64 bytes (older versions: 16); the reader does
 * not require it, the writer produces it.
 *
 * This file is not a Python parser: it accepts exactly the dict numpy
 * writes (three keys, string / bool / tuple-of-int values, optional
 * trailing comma, Python 2 "3L" integers) and refuses anything else.
 */
#include "npy.h"
#include "tempfiles.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "graph/internal.h"

static const unsigned char npy_magic[6] = { 0x93, 'N', 'U', 'M', 'P', 'Y' };

/* The header is text a few dozen bytes long; anything this big is hostile. */
#define NPY_MAX_HEADER (1u << 20)

/* ------------------------------------------------------------ dtypes */

typedef struct npy_code {
    mote_dtype dtype;
    char kind;          /* numpy kind character: 'f', 'i', 'u', 'b' */
    int size;           /* item size in bytes                       */
    const char *descr;  /* what the writer emits                    */
} npy_code;

static const npy_code npy_codes[] = {
    { MOTE_F32, 'f', 4, "<f4" },
    { MOTE_F16, 'f', 2, "<f2" },
    { MOTE_I8, 'i', 1, "|i1" },
    { MOTE_U8, 'u', 1, "|u1" },
    { MOTE_I32, 'i', 4, "<i4" },
    { MOTE_I64, 'i', 8, "<i8" },
    { MOTE_BOOL, 'b', 1, "|b1" },
};
#define N_CODES (sizeof npy_codes / sizeof npy_codes[0])

const char *mote_npy_descr(mote_dtype t)
{
    for (size_t i = 0; i < N_CODES; i++)
        if (npy_codes[i].dtype == t)
            return npy_codes[i].descr;
    return NULL;
}

static const npy_code *code_for(mote_dtype t)
{
    for (size_t i = 0; i < N_CODES; i++)
        if (npy_codes[i].dtype == t)
            return &npy_codes[i];
    return NULL;
}

/* True on a little-endian host (mote's targets); checked, not assumed. */
static bool host_is_little_endian(void)
{
    const uint16_t one = 1;
    unsigned char b;
    memcpy(&b, &one, 1);
    return b == 1;
}

/*
 * Maps a descr string such as "<f4" to a mote dtype. Refuses what mote has
 * no type for, saying what it is, so that a user knows what to convert.
 */
static mote_status descr_to_dtype(const char *d, const char *name, mote_dtype *out)
{
    char order = '=';
    const char *p = d;
    if (*p == '<' || *p == '>' || *p == '|' || *p == '=')
        order = *p++;
    char kind = *p ? *p++ : 0;
    int size = 0;
    if (*p < '1' || *p > '9')
        return mote_error(MOTE_ERR_UNSUPPORTED, "%s: unknown numpy dtype '%s'", name, d);
    while (*p >= '0' && *p <= '9' && size < 1000)
        size = size * 10 + (*p++ - '0');
    if (*p != '\0')
        return mote_error(MOTE_ERR_UNSUPPORTED, "%s: unknown numpy dtype '%s'", name, d);

    const npy_code *c = NULL;
    for (size_t i = 0; i < N_CODES; i++)
        if (npy_codes[i].kind == kind && npy_codes[i].size == size)
            c = &npy_codes[i];
    if (!c) {
        if (kind == 'f' && size == 8)
            return mote_error(MOTE_ERR_UNSUPPORTED,
                              "%s: float64 ('%s') is not a mote dtype; save the array "
                              "with .astype(numpy.float32)", name, d);
        return mote_error(MOTE_ERR_UNSUPPORTED,
                          "%s: numpy dtype '%s' has no mote equivalent "
                          "(mote reads f4, f2, i1, u1, i4, i8, b1)", name, d);
    }
    if (size > 1) {
        if (order == '>')
            return mote_error(MOTE_ERR_UNSUPPORTED,
                              "%s: big-endian data ('%s') is not supported; save it "
                              "with .astype('<%c%d')", name, d, kind, size);
        if (order == '|')
            return mote_error(MOTE_ERR_FORMAT, "%s: dtype '%s' needs a byte order", name, d);
        if (!host_is_little_endian())
            return mote_error(MOTE_ERR_UNSUPPORTED,
                              "%s: multi-byte .npy data on a big-endian host is not supported",
                              name);
    }
    *out = c->dtype;
    return MOTE_OK;
}

/* ------------------------------------------------------ header parser */

typedef struct hparse {
    const char *p, *end;
    const char *name;      /* file name for messages */
} hparse;

static void skip_ws(hparse *h)
{
    while (h->p < h->end && (*h->p == ' ' || *h->p == '\t' || *h->p == '\n' || *h->p == '\r'))
        h->p++;
}

static bool eat(hparse *h, char c)
{
    skip_ws(h);
    if (h->p < h->end && *h->p == c) {
        h->p++;
        return true;
    }
    return false;
}

static mote_status bad(const hparse *h, const char *what)
{
    return mote_error(MOTE_ERR_FORMAT, "%s: malformed .npy header: %s", h->name, what);
}

/* A quoted string without escapes into buf (cap bytes with the NUL). */
static mote_status parse_string(hparse *h, char *buf, size_t cap)
{
    skip_ws(h);
    if (h->p >= h->end || (*h->p != '\'' && *h->p != '"'))
        return bad(h, "expected a quoted string");
    char q = *h->p++;
    size_t n = 0;
    while (h->p < h->end && *h->p != q) {
        if (*h->p == '\\' || (unsigned char)*h->p < 0x20 || (unsigned char)*h->p >= 0x7f)
            return bad(h, "unexpected character in a string");
        if (n + 1 >= cap)
            return bad(h, "string too long");
        buf[n++] = *h->p++;
    }
    if (h->p >= h->end)
        return bad(h, "unterminated string");
    h->p++;
    buf[n] = '\0';
    return MOTE_OK;
}

static bool eat_word(hparse *h, const char *w)
{
    size_t n = strlen(w);
    skip_ws(h);
    if ((size_t)(h->end - h->p) >= n && memcmp(h->p, w, n) == 0) {
        const char *after = h->p + n;
        /* a word must end here: "Truex" is not True */
        if (after < h->end && ((*after >= 'a' && *after <= 'z') || (*after >= 'A' && *after <= 'Z')
                               || (*after >= '0' && *after <= '9') || *after == '_'))
            return false;
        h->p = after;
        return true;
    }
    return false;
}

/* A non-negative decimal integer (Python 2 numpy wrote "3L"). */
static mote_status parse_dim(hparse *h, int64_t *v)
{
    skip_ws(h);
    if (h->p < h->end && *h->p == '-')
        return mote_error(MOTE_ERR_FORMAT, "%s: negative dimension in .npy shape", h->name);
    if (h->p >= h->end || *h->p < '0' || *h->p > '9')
        return bad(h, "expected a dimension in the shape");
    int64_t x = 0;
    while (h->p < h->end && *h->p >= '0' && *h->p <= '9') {
        int d = *h->p++ - '0';
        if (x > (INT64_MAX - d) / 10)
            return mote_error(MOTE_ERR_FORMAT, "%s: dimension in .npy shape overflows 64 bits",
                              h->name);
        x = x * 10 + d;
    }
    if (h->p < h->end && (*h->p == 'L' || *h->p == 'l'))
        h->p++;
    *v = x;
    return MOTE_OK;
}

/* "()", "(3,)", "(2, 3)", "(2, 3,)"; "(3)" is an int in Python, not a tuple. */
static mote_status parse_shape(hparse *h, int *ndim, int64_t *dims)
{
    if (!eat(h, '('))
        return bad(h, "'shape' is not a tuple");
    int n = 0;
    if (eat(h, ')')) {
        *ndim = 0;
        return MOTE_OK;
    }
    for (;;) {
        int64_t v = 0;
        mote_status st = parse_dim(h, &v);
        if (st)
            return st;
        if (n == MOTE_MAX_DIMS)
            return mote_error(MOTE_ERR_UNSUPPORTED, "%s: .npy array has more than %d dimensions",
                              h->name, MOTE_MAX_DIMS);
        dims[n++] = v;
        bool comma = eat(h, ',');
        if (eat(h, ')')) {
            if (n == 1 && !comma)
                return bad(h, "'shape' is not a tuple (a 1-element tuple needs a comma)");
            break;
        }
        if (!comma)
            return bad(h, "expected ',' or ')' in the shape");
    }
    *ndim = n;
    return MOTE_OK;
}

/*
 * Parses the dict into out (dtype, ndim, dims). Exactly the keys 'descr',
 * 'fortran_order' and 'shape', each once; only whitespace may follow '}'.
 */
static mote_status parse_dict(const char *text, size_t len, const char *name, mote_tensor *out)
{
    hparse hp = { text, text + len, name }, *h = &hp;
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)text[i] >= 0x80 || text[i] == '\0')
            return bad(h, "non-ASCII byte in the header");
    bool have_descr = false, have_order = false, have_shape = false;
    bool fortran = false;
    char descr[64];
    if (!eat(h, '{'))
        return bad(h, "it does not start with '{'");
    while (!eat(h, '}')) {
        char key[32];
        mote_status st = parse_string(h, key, sizeof key);
        if (st)
            return st;
        if (!eat(h, ':'))
            return bad(h, "expected ':' after a key");
        if (strcmp(key, "descr") == 0) {
            if (have_descr)
                return bad(h, "duplicate key 'descr'");
            skip_ws(h);
            if (h->p < h->end && (*h->p == '[' || *h->p == '{'))
                return mote_error(MOTE_ERR_UNSUPPORTED,
                                  "%s: structured numpy dtypes are not supported", name);
            if ((st = parse_string(h, descr, sizeof descr)))
                return st;
            have_descr = true;
        } else if (strcmp(key, "fortran_order") == 0) {
            if (have_order)
                return bad(h, "duplicate key 'fortran_order'");
            if (eat_word(h, "True"))
                fortran = true;
            else if (eat_word(h, "False"))
                fortran = false;
            else
                return bad(h, "'fortran_order' is not True or False");
            have_order = true;
        } else if (strcmp(key, "shape") == 0) {
            if (have_shape)
                return bad(h, "duplicate key 'shape'");
            if ((st = parse_shape(h, &out->ndim, out->dims)))
                return st;
            have_shape = true;
        } else {
            return mote_error(MOTE_ERR_FORMAT, "%s: malformed .npy header: unknown key '%s'",
                              name, key);
        }
        if (!eat(h, ',')) {
            if (eat(h, '}'))
                break;
            return bad(h, "expected ',' or '}'");
        }
    }
    skip_ws(h);
    if (h->p != h->end)
        return bad(h, "text after the closing '}'");
    if (!have_descr || !have_order || !have_shape)
        return mote_error(MOTE_ERR_FORMAT, "%s: malformed .npy header: missing key '%s'", name,
                          !have_descr ? "descr" : !have_order ? "fortran_order" : "shape");
    if (fortran)
        return mote_error(MOTE_ERR_UNSUPPORTED,
                          "%s: Fortran-order (column-major) arrays are not supported; save "
                          "it with numpy.ascontiguousarray", name);
    return descr_to_dtype(descr, name, &out->dtype);
}

/* numel * itemsize with every step overflow-checked; errors get status `bad`. */
static mote_status data_bytes(const mote_tensor *t, const char *name, mote_status bad,
                              size_t *bytes)
{
    size_t n = mote_dtype_size(t->dtype);
    for (int i = 0; i < t->ndim; i++) {
        if (t->dims[i] < 0)
            return mote_error(bad, "%s: negative dimension %d", name, i);
        if ((uint64_t)t->dims[i] > SIZE_MAX || !mote_mul_size(n, (size_t)t->dims[i], &n))
            return mote_error(bad, "%s: shape too large: its byte size overflows", name);
    }
    *bytes = n;
    return MOTE_OK;
}

/*
 * Checks the fixed part (magic, version, header length) of the first
 * `avail` bytes of a file of `total` bytes. Sets the header's start and
 * length; the header is known to lie inside the file.
 */
static mote_status parse_preamble(const unsigned char *p, size_t avail, size_t total,
                                  const char *name, size_t *hstart, size_t *hlen)
{
    if (total == 0 || avail == 0)
        return mote_error(MOTE_ERR_FORMAT, "%s: empty file, not a .npy file", name);
    size_t m = avail < 6 ? avail : 6;
    if (memcmp(p, npy_magic, m) != 0)
        return mote_error(MOTE_ERR_FORMAT, "%s: not a .npy file (bad magic)", name);
    if (total < 10)
        return mote_error(MOTE_ERR_FORMAT, "%s: truncated .npy file (%zu bytes)", name, total);
    int major = p[6], minor = p[7];
    if (major < 1 || major > 3 || minor != 0)
        return mote_error(MOTE_ERR_UNSUPPORTED, "%s: .npy format version %d.%d is not supported "
                          "(1.0, 2.0, 3.0 are)", name, major, minor);
    if (major == 1) {
        *hstart = 10;
        *hlen = (size_t)p[8] | (size_t)p[9] << 8;
    } else {
        if (total < 12)
            return mote_error(MOTE_ERR_FORMAT, "%s: truncated .npy file (%zu bytes)", name, total);
        *hstart = 12;
        *hlen = (size_t)p[8] | (size_t)p[9] << 8 | (size_t)p[10] << 16 | (size_t)p[11] << 24;
    }
    if (*hlen > NPY_MAX_HEADER)
        return mote_error(MOTE_ERR_FORMAT, "%s: .npy header length %zu is implausible", name,
                          *hlen);
    if (*hlen > total - *hstart)
        return mote_error(MOTE_ERR_FORMAT, "%s: truncated .npy file: the header needs %zu bytes, "
                          "the file has %zu", name, *hlen, total - *hstart);
    return MOTE_OK;
}

/* bool data must be 0 or 1 (mote's bool), not any byte numpy would accept. */
static mote_status check_bools(const mote_tensor *t, size_t n, const char *name)
{
    if (t->dtype != MOTE_BOOL)
        return MOTE_OK;
    const unsigned char *b = t->data;
    for (size_t i = 0; i < n; i++)
        if (b[i] > 1)
            return mote_error(MOTE_ERR_FORMAT, "%s: bool element %zu is %u, not 0 or 1", name, i,
                              b[i]);
    return MOTE_OK;
}

/* Header + size checks shared by the file and memory readers. */
static mote_status parse_head(const unsigned char *p, size_t avail, size_t total,
                              const char *name, mote_tensor *out, size_t *data_off,
                              size_t *nbytes)
{
    size_t hstart, hlen;
    mote_status st = parse_preamble(p, avail, total, name, &hstart, &hlen);
    if (st)
        return st;
    if (hstart + hlen > avail)  /* callers pass the whole header */
        return mote_error(MOTE_ERR_ARG, "%s: internal: header not buffered", name);
    if ((st = parse_dict((const char *)p + hstart, hlen, name, out)))
        return st;
    if ((st = data_bytes(out, name, MOTE_ERR_FORMAT, nbytes)))
        return st;
    *data_off = hstart + hlen;
    size_t have = total - *data_off;
    if (have < *nbytes)
        return mote_error(MOTE_ERR_FORMAT, "%s: truncated .npy file: shape needs %zu data bytes, "
                          "the file has %zu", name, *nbytes, have);
    if (have > *nbytes)
        return mote_error(MOTE_ERR_FORMAT, "%s: .npy file has %zu data bytes, its shape needs %zu",
                          name, have, *nbytes);
    return MOTE_OK;
}

mote_status mote_npy_parse(const void *buf, size_t len, const char *name, mote_tensor *out)
{
    if (!name)
        name = "<memory>";
    if (!out || (!buf && len))
        return mote_error(MOTE_ERR_ARG, "mote_npy_parse: NULL argument");
    memset(out, 0, sizeof *out);
    mote_tensor t = { 0 };
    size_t off, nbytes;
    mote_status st = parse_head(buf, len, len, name, &t, &off, &nbytes);
    if (st)
        return st;
    t.data = malloc(nbytes ? nbytes : 1);
    if (!t.data)
        return mote_error(MOTE_ERR_NOMEM, "%s: out of memory for %zu bytes", name, nbytes);
    if (nbytes)
        memcpy(t.data, (const unsigned char *)buf + off, nbytes);
    if ((st = check_bools(&t, nbytes, name))) {
        free(t.data);
        return st;
    }
    *out = t;
    return MOTE_OK;
}

/* read(2) until n bytes or EOF; returns the count or -1 on error. */
static ssize_t read_full(int fd, void *buf, size_t n)
{
    size_t got = 0;
    while (got < n) {
        ssize_t r = read(fd, (char *)buf + got, n - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return -1;
        if (r == 0)
            break;
        got += (size_t)r;
    }
    return (ssize_t)got;
}

mote_status mote_npy_read(const char *path, mote_tensor *out)
{
    if (!path || !out)
        return mote_error(MOTE_ERR_ARG, "mote_npy_read: NULL argument");
    memset(out, 0, sizeof *out);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return mote_error(MOTE_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    mote_status st = MOTE_OK;
    unsigned char *head = NULL;
    mote_tensor t = { 0 };
    struct stat sb;
    if (fstat(fd, &sb) != 0) {
        st = mote_error(MOTE_ERR_IO, "%s: cannot stat: %s", path, strerror(errno));
        goto done;
    }
    if (S_ISDIR(sb.st_mode)) {
        st = mote_error(MOTE_ERR_IO, "%s: is a directory, not a .npy file", path);
        goto done;
    }
    if (!S_ISREG(sb.st_mode)) {
        st = mote_error(MOTE_ERR_IO, "%s: not a regular file", path);
        goto done;
    }
    size_t total = (size_t)sb.st_size;
    if ((off_t)total != sb.st_size) {
        st = mote_error(MOTE_ERR_IO, "%s: file too large", path);
        goto done;
    }
    /* First the fixed part, then exactly the header it announces. */
    unsigned char pre[12];
    size_t want = total < sizeof pre ? total : sizeof pre;
    ssize_t r = read_full(fd, pre, want);
    if (r < 0) {
        st = mote_error(MOTE_ERR_IO, "%s: read failed: %s", path, strerror(errno));
        goto done;
    }
    size_t hstart, hlen;
    if ((size_t)r != want) {
        st = mote_error(MOTE_ERR_IO, "%s: the file changed while being read", path);
        goto done;
    }
    if ((st = parse_preamble(pre, want, total, path, &hstart, &hlen)))
        goto done;
    head = malloc(hstart + hlen);
    if (!head) {
        st = mote_error(MOTE_ERR_NOMEM, "%s: out of memory", path);
        goto done;
    }
    memcpy(head, pre, hstart);
    /* pre may hold the start of the header (version 1): reread from there */
    if (lseek(fd, (off_t)hstart, SEEK_SET) < 0) {
        st = mote_error(MOTE_ERR_IO, "%s: seek failed: %s", path, strerror(errno));
        goto done;
    }
    r = read_full(fd, head + hstart, hlen);
    if (r < 0 || (size_t)r != hlen) {
        st = r < 0 ? mote_error(MOTE_ERR_IO, "%s: read failed: %s", path, strerror(errno))
                   : mote_error(MOTE_ERR_FORMAT, "%s: truncated .npy file (header)", path);
        goto done;
    }
    size_t off, nbytes;
    if ((st = parse_head(head, hstart + hlen, total, path, &t, &off, &nbytes)))
        goto done;
    t.data = malloc(nbytes ? nbytes : 1);
    if (!t.data) {
        st = mote_error(MOTE_ERR_NOMEM, "%s: out of memory for %zu bytes", path, nbytes);
        goto done;
    }
    r = read_full(fd, t.data, nbytes);
    if (r < 0 || (size_t)r != nbytes) {
        st = r < 0 ? mote_error(MOTE_ERR_IO, "%s: read failed: %s", path, strerror(errno))
                   : mote_error(MOTE_ERR_FORMAT, "%s: truncated .npy file (data)", path);
        goto done;
    }
    st = check_bools(&t, nbytes, path);
done:
    free(head);
    close(fd);
    if (st) {
        free(t.data);
        return st;
    }
    *out = t;
    return MOTE_OK;
}

/* ------------------------------------------------------------- writer */

/* write(2) all of buf; false on error (errno set). */
static bool write_full(int fd, const void *buf, size_t n)
{
    size_t done = 0;
    while (done < n) {
        ssize_t w = write(fd, (const char *)buf + done, n - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return false;
        done += (size_t)w;
    }
    return true;
}

/*
 * Formats the preamble and header into buf (cap bytes); returns its length
 * (a multiple of 64, ending in '\n') or 0 if it does not fit.
 */
static size_t format_header(const mote_tensor *t, const char *descr, char *buf, size_t cap)
{
    char dict[64 + MOTE_MAX_DIMS * 24];
    int n = snprintf(dict, sizeof dict, "{'descr': '%s', 'fortran_order': False, 'shape': (",
                     descr);
    for (int i = 0; i < t->ndim; i++)
        n += snprintf(dict + n, sizeof dict - (size_t)n, "%s%lld", i ? ", " : "",
                      (long long)t->dims[i]);
    n += snprintf(dict + n, sizeof dict - (size_t)n, "%s), }", t->ndim == 1 ? "," : "");
    /* version 1.0: 10 fixed bytes; pad with spaces so that the whole
     * preamble, '\n' included, is a multiple of 64 bytes */
    size_t fixed = 10, total = mote_align_up(fixed + (size_t)n + 1, 64);
    size_t hlen = total - fixed;
    if (total > cap || hlen > 65535)
        return 0;
    memcpy(buf, npy_magic, 6);
    buf[6] = 1;
    buf[7] = 0;
    buf[8] = (char)(hlen & 0xff);
    buf[9] = (char)(hlen >> 8);
    memcpy(buf + fixed, dict, (size_t)n);
    memset(buf + fixed + n, ' ', hlen - (size_t)n - 1);
    buf[total - 1] = '\n';
    return total;
}

mote_status mote_npy_write_temp(const char *path, const mote_tensor *t, mote_npy_temp *tf)
{
    tf->path = NULL;
    tf->slot = -1;
    if (!path || !t)
        return mote_error(MOTE_ERR_ARG, "mote_npy_write: NULL argument");
    const npy_code *c = code_for(t->dtype);
    if (!c) {
        const char *dn = mote_dtype_name(t->dtype);
        return mote_error(MOTE_ERR_UNSUPPORTED,
                          "%s: dtype %s has no numpy .npy code; convert it to f32 first", path,
                          dn ? dn : "(unknown)");
    }
    if (c->size > 1 && !host_is_little_endian())
        return mote_error(MOTE_ERR_UNSUPPORTED, "%s: writing .npy on a big-endian host", path);
    if (t->ndim < 0 || t->ndim > MOTE_MAX_DIMS)
        return mote_error(MOTE_ERR_ARG, "%s: tensor rank %d out of range", path, t->ndim);
    size_t nbytes;
    mote_status st = data_bytes(t, path, MOTE_ERR_ARG, &nbytes);
    if (st)
        return st;
    if (nbytes && !t->data)
        return mote_error(MOTE_ERR_ARG, "%s: tensor has no data", path);

    char head[512];
    size_t hbytes = format_header(t, c->descr, head, sizeof head);
    if (!hbytes)
        return mote_error(MOTE_ERR_ARG, "%s: .npy header too long", path);

    /* A temporary name beside the target, so rename() stays on one
     * filesystem and is atomic. */
    char *tmp;
    int slot;
    int fd = mote_temp_create(path, &tmp, &slot);
    if (fd < 0)
        return mote_error(MOTE_ERR_IO, "%s: cannot create a temporary file beside it: %s", path,
                          strerror(errno));
    if (!write_full(fd, head, hbytes) || !write_full(fd, t->data, nbytes)) {
        st = mote_error(MOTE_ERR_IO, "%s: write failed: %s", path, strerror(errno));
        goto fail;
    }
    /* The data must be on disk before the name points at it. */
    if (fsync(fd) != 0 && errno != EINVAL) {
        st = mote_error(MOTE_ERR_IO, "%s: fsync failed: %s", path, strerror(errno));
        goto fail;
    }
    int cfd = fd;
    fd = -1;
    if (close(cfd) != 0) {
        st = mote_error(MOTE_ERR_IO, "%s: close failed: %s", path, strerror(errno));
        goto fail;
    }
    tf->path = tmp;
    tf->slot = slot;
    return MOTE_OK;
fail:
    if (fd >= 0)
        close(fd);
    unlink(tmp);
    mote_temp_forget(slot);
    free(tmp);
    return st;
}

mote_status mote_npy_commit(mote_npy_temp *tf, const char *path)
{
    mote_status st = MOTE_OK;
    if (rename(tf->path, path) != 0) {
        st = mote_error(MOTE_ERR_IO, "%s: cannot rename the temporary file into place: %s",
                        path, strerror(errno));
        unlink(tf->path);
    }
    mote_npy_discard(tf);
    return st;
}

void mote_npy_discard(mote_npy_temp *tf)
{
    if (!tf->path)
        return;
    unlink(tf->path);   /* after a rename: no such file, nothing done */
    mote_temp_forget(tf->slot);
    free(tf->path);
    tf->path = NULL;
    tf->slot = -1;
}

mote_status mote_npy_write(const char *path, const mote_tensor *t)
{
    mote_npy_temp tf;
    mote_status st = mote_npy_write_temp(path, t, &tf);
    return st ? st : mote_npy_commit(&tf, path);
}
