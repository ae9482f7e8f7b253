/*
 * image.c — the image readers and the resize of image.h. BMP: the 14-byte
 * file header (pixel data offset at 10), then a DIB header of 40, 108 or
 * 124 bytes (width, height: negative for top-down rows, planes 1,
 * bits 8/24/32, compression 0 or 3 with 32 bits), rows padded to 4 bytes,
 * pixels in BGR(A) order, bottom row first. PPM/PGM: "P6"/"P5", width,
 * height and maxval (<= 255) as text with # comments, one whitespace, then
 * the samples.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "image.h"
#include "graph/internal.h"
#ifdef MOTE_HAVE_PNG
#include <png.h>
#endif
#ifdef MOTE_HAVE_JPEG
#include <setjmp.h>
#include <jpeglib.h>
#endif

#define MAX_SIDE 32768

static mote_status read_all(const char *path, uint8_t **data, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return mote_error(MOTE_ERR_IO, "%s: cannot open", path);
    if (fseek(f, 0, SEEK_END) != 0) {
        fclose(f);
        return mote_error(MOTE_ERR_IO, "%s: cannot seek", path);
    }
    long n = ftell(f);
    if (n < 0 || n > (1L << 30)) {
        fclose(f);
        return mote_error(MOTE_ERR_IO, "%s: unreadable size, or over 1 GiB", path);
    }
    rewind(f);
    *data = malloc((size_t)n + 1);
    if (!*data) {
        fclose(f);
        return mote_error(MOTE_ERR_NOMEM, "%s: out of memory", path);
    }
    size_t r = fread(*data, 1, (size_t)n, f);
    fclose(f);
    if (r != (size_t)n) {
        free(*data);
        *data = NULL;
        return mote_error(MOTE_ERR_IO, "%s: read failed", path);
    }
    *len = (size_t)n;
    return MOTE_OK;
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static uint16_t le16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }

static mote_status alloc_rgb(const char *path, int w, int h, cli_rgb *img)
{
    if (w < 1 || h < 1 || w > MAX_SIDE || h > MAX_SIDE)
        return mote_error(MOTE_ERR_FORMAT, "%s: image size %d x %d (1..%d supported)",
                          path, w, h, MAX_SIDE);
    img->pixels = malloc((size_t)w * (size_t)h * 3);
    if (!img->pixels)
        return mote_error(MOTE_ERR_NOMEM, "%s: out of memory for %d x %d pixels", path, w, h);
    img->width = w;
    img->height = h;
    return MOTE_OK;
}

static mote_status read_bmp(const char *path, const uint8_t *d, size_t n, cli_rgb *img)
{
    if (n < 54)
        return mote_error(MOTE_ERR_FORMAT, "%s: BMP too short for its headers", path);
    uint32_t off = le32(d + 10), hsz = le32(d + 14);
    if (hsz != 40 && hsz != 108 && hsz != 124)
        return mote_error(MOTE_ERR_UNSUPPORTED, "%s: BMP header of %u bytes (40, 108, 124 supported)",
                          path, hsz);
    if (14 + (size_t)hsz > n)
        return mote_error(MOTE_ERR_FORMAT, "%s: BMP header passes the end of the file", path);
    int32_t w = (int32_t)le32(d + 18), h = (int32_t)le32(d + 22);
    uint16_t planes = le16(d + 26), bpp = le16(d + 28);
    uint32_t comp = le32(d + 30), ncol = le32(d + 46);
    if (planes != 1 || (bpp != 8 && bpp != 24 && bpp != 32) ||
        !(comp == 0 || (comp == 3 && bpp == 32)))
        return mote_error(MOTE_ERR_UNSUPPORTED, "%s: BMP with %u bits per pixel, compression %u "
                          "(uncompressed 8, 24 or 32 supported)", path, bpp, comp);
    bool top_down = h < 0;
    if (h == INT32_MIN || w <= 0)
        return mote_error(MOTE_ERR_FORMAT, "%s: BMP size %d x %d", path, w, h);
    if (top_down)
        h = -h;
    if (w > MAX_SIDE || h > MAX_SIDE || h == 0)
        return mote_error(MOTE_ERR_FORMAT, "%s: BMP size %d x %d (1..%d supported)", path, w, h, MAX_SIDE);
    size_t stride = ((size_t)w * bpp / 8 + 3) & ~(size_t)3;
    if (off > n || stride * (size_t)h > n - off)
        return mote_error(MOTE_ERR_FORMAT, "%s: BMP pixel data passes the end of the file", path);
    const uint8_t *pal = NULL;
    if (bpp == 8) {
        if (ncol == 0 || ncol > 256)
            ncol = 256;
        pal = d + 14 + hsz;
        if (14 + (size_t)hsz + 4 * (size_t)ncol > off)
            return mote_error(MOTE_ERR_FORMAT, "%s: BMP palette overlaps the pixels", path);
    }
    mote_status st = alloc_rgb(path, w, h, img);
    if (st)
        return st;
    for (int y = 0; y < h; y++) {
        const uint8_t *row = d + off + stride * (size_t)(top_down ? y : h - 1 - y);
        uint8_t *o = img->pixels + (size_t)y * (size_t)w * 3;
        for (int x = 0; x < w; x++, o += 3) {
            const uint8_t *p;
            if (bpp == 8) {
                if (row[x] >= ncol) {
                    free(img->pixels);
                    img->pixels = NULL;
                    return mote_error(MOTE_ERR_FORMAT, "%s: BMP colour index %u past the palette",
                                      path, row[x]);
                }
                p = pal + 4 * row[x];
            } else {
                p = row + (size_t)x * (bpp / 8);
            }
            o[0] = p[2];
            o[1] = p[1];
            o[2] = p[0];
        }
    }
    return MOTE_OK;
}

/* The next PNM header number after whitespace and # comments. */
static bool pnm_int(const uint8_t *d, size_t n, size_t *pos, long *v)
{
    size_t i = *pos;
    for (;;) {
        while (i < n && (d[i] == ' ' || d[i] == '\t' || d[i] == '\r' || d[i] == '\n'))
            i++;
        if (i < n && d[i] == '#') {
            while (i < n && d[i] != '\n')
                i++;
            continue;
        }
        break;
    }
    long x = 0;
    size_t start = i;
    while (i < n && d[i] >= '0' && d[i] <= '9' && i - start < 9)
        x = x * 10 + (d[i++] - '0');
    if (i == start || (i < n && d[i] >= '0' && d[i] <= '9'))
        return false;
    *v = x;
    *pos = i;
    return true;
}

static mote_status read_pnm(const char *path, const uint8_t *d, size_t n, cli_rgb *img)
{
    int ch = d[1] == '6' ? 3 : 1;
    size_t pos = 2;
    long w, h, maxv;
    if (!pnm_int(d, n, &pos, &w) || !pnm_int(d, n, &pos, &h) || !pnm_int(d, n, &pos, &maxv) ||
        pos >= n)
        return mote_error(MOTE_ERR_FORMAT, "%s: bad PPM/PGM header", path);
    pos++;   /* the single whitespace before the samples */
    if (maxv < 1 || maxv > 255)
        return mote_error(MOTE_ERR_UNSUPPORTED, "%s: maxval %ld (8-bit samples supported)", path, maxv);
    if (w < 1 || h < 1 || w > MAX_SIDE || h > MAX_SIDE)
        return mote_error(MOTE_ERR_FORMAT, "%s: image size %ld x %ld", path, w, h);
    size_t need = (size_t)w * (size_t)h * (size_t)ch;
    if (pos > n || need > n - pos)
        return mote_error(MOTE_ERR_FORMAT, "%s: pixel data is truncated", path);
    mote_status st = alloc_rgb(path, (int)w, (int)h, img);
    if (st)
        return st;
    const uint8_t *s = d + pos;
    for (size_t i = 0; i < (size_t)w * (size_t)h; i++)
        for (int c = 0; c < 3; c++) {
            unsigned v = s[i * (size_t)ch + (ch == 3 ? (size_t)c : 0)];
            img->pixels[i * 3 + (size_t)c] = (uint8_t)(v > (unsigned)maxv ? 255 : (v * 255 + (unsigned)maxv / 2) / (unsigned)maxv);
        }
    return MOTE_OK;
}

#ifdef MOTE_HAVE_PNG
static mote_status read_png(const char *path, const uint8_t *d, size_t n, cli_rgb *img)
{
    png_image pi;
    memset(&pi, 0, sizeof pi);
    pi.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_memory(&pi, d, n))
        return mote_error(MOTE_ERR_FORMAT, "%s: PNG: %s", path, pi.message);
    pi.format = PNG_FORMAT_RGB;
    mote_status st = alloc_rgb(path, (int)pi.width, (int)pi.height, img);
    if (st) {
        png_image_free(&pi);
        return st;
    }
    if (!png_image_finish_read(&pi, NULL, img->pixels, 0, NULL)) {
        free(img->pixels);
        img->pixels = NULL;
        st = mote_error(MOTE_ERR_FORMAT, "%s: PNG: %s", path, pi.message);
        png_image_free(&pi);
        return st;
    }
    return MOTE_OK;
}
#endif

#ifdef MOTE_HAVE_JPEG
typedef struct jpeg_err {
    struct jpeg_error_mgr mgr;
    jmp_buf jump;
    char msg[JMSG_LENGTH_MAX];
} jpeg_err;

/* libjpeg would exit(); jump back instead, keeping its message */
static void jpeg_fail(j_common_ptr cinfo)
{
    jpeg_err *e = (jpeg_err *)cinfo->err;
    e->mgr.format_message(cinfo, e->msg);
    longjmp(e->jump, 1);
}

/* libjpeg would print warnings (corrupt or truncated data, which it
 * papers over with grey); keep the first to fail the read with */
static void jpeg_warn(j_common_ptr cinfo, int level)
{
    jpeg_err *e = (jpeg_err *)cinfo->err;
    if (level < 0 && e->mgr.num_warnings++ == 0)
        e->mgr.format_message(cinfo, e->msg);
}

static mote_status read_jpeg(const char *path, const uint8_t *d, size_t n, cli_rgb *img)
{
    struct jpeg_decompress_struct ci;
    jpeg_err err;
    ci.err = jpeg_std_error(&err.mgr);
    err.mgr.error_exit = jpeg_fail;
    err.mgr.emit_message = jpeg_warn;
    img->pixels = NULL;
    if (setjmp(err.jump)) {
        jpeg_destroy_decompress(&ci);
        free(img->pixels);
        img->pixels = NULL;
        return mote_error(MOTE_ERR_FORMAT, "%s: JPEG: %s", path, err.msg);
    }
    jpeg_create_decompress(&ci);
    jpeg_mem_src(&ci, d, (unsigned long)n);
    jpeg_read_header(&ci, TRUE);
    ci.out_color_space = JCS_RGB;
    jpeg_start_decompress(&ci);
    mote_status st = alloc_rgb(path, (int)ci.output_width, (int)ci.output_height, img);
    if (st || ci.output_components != 3) {
        jpeg_destroy_decompress(&ci);
        if (!st) {
            free(img->pixels);
            img->pixels = NULL;
            st = mote_error(MOTE_ERR_UNSUPPORTED, "%s: JPEG with %d components", path,
                            ci.output_components);
        }
        return st;
    }
    while (ci.output_scanline < ci.output_height) {
        JSAMPROW row = img->pixels + (size_t)ci.output_scanline * (size_t)img->width * 3;
        jpeg_read_scanlines(&ci, &row, 1);
    }
    jpeg_finish_decompress(&ci);
    jpeg_destroy_decompress(&ci);
    if (err.mgr.num_warnings) {
        free(img->pixels);
        img->pixels = NULL;
        return mote_error(MOTE_ERR_FORMAT, "%s: JPEG: %s", path, err.msg);
    }
    return MOTE_OK;
}
#endif

mote_status cli_image_load(const char *path, cli_rgb *img)
{
    memset(img, 0, sizeof *img);
    uint8_t *d = NULL;
    size_t n = 0;
    mote_status st = read_all(path, &d, &n);
    if (st)
        return st;
    if (n >= 2 && d[0] == 'B' && d[1] == 'M')
        st = read_bmp(path, d, n, img);
    else if (n >= 2 && d[0] == 'P' && (d[1] == '5' || d[1] == '6'))
        st = read_pnm(path, d, n, img);
    else if (n >= 8 && !memcmp(d, "\x89PNG\r\n\x1a\n", 8))
#ifdef MOTE_HAVE_PNG
        st = read_png(path, d, n, img);
#else
        st = mote_error(MOTE_ERR_UNSUPPORTED, "%s: PNG support was not built (libpng not found "
                        "by configure)", path);
#endif
    else if (n >= 3 && d[0] == 0xFF && d[1] == 0xD8 && d[2] == 0xFF)
#ifdef MOTE_HAVE_JPEG
        st = read_jpeg(path, d, n, img);
#else
        st = mote_error(MOTE_ERR_UNSUPPORTED, "%s: JPEG support was not built (libjpeg not found "
                        "by configure)", path);
#endif
    else
        st = mote_error(MOTE_ERR_UNSUPPORTED, "%s: not a BMP, PPM, PGM, PNG or JPEG image", path);
    free(d);
    return st;
}

void cli_image_resize(const cli_rgb *src, int w, int h, float *dst)
{
    int sw = src->width, sh = src->height;
    for (int oy = 0; oy < h; oy++)
        for (int ox = 0; ox < w; ox++) {
            float *o = dst + ((size_t)oy * (size_t)w + (size_t)ox) * 3;
            /* the source rectangle this output pixel covers */
            double y0 = (double)oy * sh / h, y1 = (double)(oy + 1) * sh / h;
            double x0 = (double)ox * sw / w, x1 = (double)(ox + 1) * sw / w;
            if (sw >= w && sh >= h) {
                /* area average, with partial edge pixels weighted */
                double acc[3] = {0, 0, 0}, tot = 0;
                for (int y = (int)y0; y < sh && y < y1; y++) {
                    double wy = fmin(y + 1.0, y1) - fmax((double)y, y0);
                    for (int x = (int)x0; x < sw && x < x1; x++) {
                        double wgt = wy * (fmin(x + 1.0, x1) - fmax((double)x, x0));
                        const uint8_t *p = src->pixels + ((size_t)y * (size_t)sw + (size_t)x) * 3;
                        for (int c = 0; c < 3; c++)
                            acc[c] += wgt * p[c];
                        tot += wgt;
                    }
                }
                for (int c = 0; c < 3; c++)
                    o[c] = (float)(acc[c] / tot);
            } else {
                double fy = (oy + 0.5) * sh / h - 0.5, fx = (ox + 0.5) * sw / w - 0.5;
                fy = fmin(fmax(fy, 0.0), sh - 1.0);
                fx = fmin(fmax(fx, 0.0), sw - 1.0);
                int iy = (int)fy, ix = (int)fx;
                int iy1 = iy + 1 < sh ? iy + 1 : iy, ix1 = ix + 1 < sw ? ix + 1 : ix;
                double ty = fy - iy, tx = fx - ix;
                for (int c = 0; c < 3; c++) {
                    double a = src->pixels[((size_t)iy * sw + ix) * 3 + c];
                    double b = src->pixels[((size_t)iy * sw + ix1) * 3 + c];
                    double cc = src->pixels[((size_t)iy1 * sw + ix) * 3 + c];
                    double dd = src->pixels[((size_t)iy1 * sw + ix1) * 3 + c];
                    o[c] = (float)((a * (1 - tx) + b * tx) * (1 - ty) + (cc * (1 - tx) + dd * tx) * ty);
                }
            }
        }
}
