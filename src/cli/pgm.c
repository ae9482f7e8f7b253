/*
 * pgm.c — the binary PGM ("P5") reader declared in pgm.h.
 *
 * A P5 file is: "P5", whitespace, width, whitespace, height, whitespace,
 * maxval, exactly one whitespace byte, then width*height bytes, row by
 * row. '#' starts a comment that runs to the end of the line anywhere in
 * the text part. Every number is bounds-checked before use.
 */
#include "pgm.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph/internal.h"

/* Images larger than this are not demo samples: refuse, don't allocate. */
#define PGM_MAX_SIDE 16384

static int skip_space_and_comments(FILE *f)
{
    int ch = fgetc(f);
    for (;;) {
        if (ch == '#') {
            while (ch != '\n' && ch != EOF)
                ch = fgetc(f);
        } else if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r') {
            ch = fgetc(f);
        } else {
            return ch;
        }
    }
}

/* A decimal number in [1, max]; -1 if malformed or out of range. */
static long read_number(FILE *f, long max, int *after)
{
    int ch = skip_space_and_comments(f);
    if (ch < '0' || ch > '9')
        return -1;
    long v = 0;
    while (ch >= '0' && ch <= '9') {
        v = v * 10 + (ch - '0');
        if (v > max)
            return -1;
        ch = fgetc(f);
    }
    *after = ch;
    return v >= 1 ? v : -1;
}

mote_status cli_pgm_read(const char *path, cli_image *img)
{
    memset(img, 0, sizeof *img);
    FILE *f = fopen(path, "rb");
    if (!f)
        return mote_error(MOTE_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    mote_status st = MOTE_OK;
    char magic[2];
    int after = 0;
    long w, h, maxval;
    if (fread(magic, 1, 2, f) != 2 || magic[0] != 'P' || magic[1] != '5') {
        st = mote_error(MOTE_ERR_FORMAT, "%s: not a binary PGM image (no 'P5' magic)", path);
        goto done;
    }
    if ((w = read_number(f, PGM_MAX_SIDE, &after)) < 0 ||
        (h = read_number(f, PGM_MAX_SIDE, &after)) < 0) {
        st = mote_error(MOTE_ERR_FORMAT, "%s: bad PGM width or height (1..%d)", path,
                        PGM_MAX_SIDE);
        goto done;
    }
    if ((maxval = read_number(f, 65535, &after)) < 0) {
        st = mote_error(MOTE_ERR_FORMAT, "%s: bad PGM maxval", path);
        goto done;
    }
    if (maxval > 255) {
        st = mote_error(MOTE_ERR_UNSUPPORTED, "%s: 16-bit PGM (maxval %ld) is not supported",
                        path, maxval);
        goto done;
    }
    /* exactly one whitespace byte separates the header from the pixels */
    if (after != ' ' && after != '\t' && after != '\n' && after != '\r') {
        st = mote_error(MOTE_ERR_FORMAT, "%s: malformed PGM header", path);
        goto done;
    }
    size_t n = (size_t)w * (size_t)h;  /* <= 2^28: no overflow */
    img->pixels = malloc(n);
    if (!img->pixels) {
        st = mote_error(MOTE_ERR_NOMEM, "%s: out of memory", path);
        goto done;
    }
    size_t got = fread(img->pixels, 1, n, f);
    if (got != n) {
        st = mote_error(MOTE_ERR_FORMAT, "%s: truncated PGM: %zu of %zu pixel bytes", path, got,
                        n);
        goto done;
    }
    img->width = (int)w;
    img->height = (int)h;
    img->maxval = (int)maxval;
done:
    fclose(f);
    if (st) {
        free(img->pixels);
        img->pixels = NULL;
    }
    return st;
}
