/*
 * image.h — photographs for `mote classify`: BMP (uncompressed 24/32-bit
 * and 8-bit palette), binary PPM/PGM (P6/P5, 8-bit) built in; PNG and JPEG
 * through libpng and libjpeg when configure found them. Every header
 * field is checked against the file's size before use. Also the resize
 * to a model's input size. Not a general image library.
 */
#ifndef MOTE_CLI_IMAGE_H
#define MOTE_CLI_IMAGE_H

#include <stdint.h>
#include "mote.h"

typedef struct cli_rgb {
    int width, height;
    uint8_t *pixels;     /* (height, width, 3) RGB, row-major, top row first; malloc'd */
} cli_rgb;

/* Reads any supported format (chosen by the file's first bytes). Grey
 * images are expanded to RGB. MOTE_ERR_IO, MOTE_ERR_FORMAT or
 * MOTE_ERR_UNSUPPORTED with a message naming the file; on failure
 * img->pixels is NULL. */
mote_status cli_image_load(const char *path, cli_rgb *img);

/* Resizes src to w x h into dst ((h, w, 3) floats, 0..255): an area
 * average where it shrinks, bilinear (pixel centres) where it grows. */
void cli_image_resize(const cli_rgb *src, int w, int h, float *dst);

#endif
