/*
 * pgm.h — a reader for binary greyscale PGM images ("P5", 8-bit), the
 * format of the bundled demo samples. Not a general image library: no
 * ASCII PGM, no 16-bit samples, no other formats.
 */
#ifndef MOTE_CLI_PGM_H
#define MOTE_CLI_PGM_H

#include <stdint.h>
#include "mote.h"

typedef struct cli_image {
    int width, height;
    int maxval;          /* the white level, 1..255                     */
    uint8_t *pixels;     /* (height, width), row-major; malloc'd        */
} cli_image;

/* Reads a P5 file; MOTE_ERR_IO / MOTE_ERR_FORMAT with a message naming
 * the file. On failure img->pixels is NULL. */
mote_status cli_pgm_read(const char *path, cli_image *img);

#endif
