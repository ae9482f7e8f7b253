/*
 * npy.h — reading and writing numpy .npy files (format versions 1.0, 2.0
 * and 3.0), so that tensors can be passed between mote and numpy.
 *
 * What it is: a strict reader and an atomic writer for one array per file,
 * little-endian, C (row-major) order, in the dtypes mote has:
 *
 *     mote      numpy descr    mote      numpy descr
 *     f32       '<f4'          i32       '<i4'
 *     f16       '<f2'          i64       '<i8'
 *     i8        '|i1'          bool      '|b1'
 *     u8        '|u1'
 *
 * bf16 has no numpy type code: mote_npy_write refuses it (convert to f32
 * first) and the reader never produces it.
 *
 * What it is not: not a general numpy loader. Big-endian data, Fortran
 * order, structured or object dtypes, float64 and pickles are refused with
 * a message saying so; .npz archives are not read.
 *
 * The reader never trusts the header: the header length, the dictionary
 * syntax, every dimension, the element count times the item size (overflow
 * checked) and the data size against the file size are all checked, and a
 * malformed or truncated file gives MOTE_ERR_FORMAT with a message naming
 * the file and the problem.
 */
#ifndef MOTE_NPY_H
#define MOTE_NPY_H

#include <stddef.h>
#include "mote.h"

/*
 * Reads a .npy file. On success out->dtype, ndim and dims describe the
 * array and out->data is a malloc'd buffer of mote_tensor_nbytes(out) bytes
 * (at least one byte, also for a 0-size array) that the caller frees with
 * free(). On failure *out is zeroed and nothing needs freeing.
 */
mote_status mote_npy_read(const char *path, mote_tensor *out);

/* The same from bytes in memory; `name` is used in messages (may be NULL). */
mote_status mote_npy_parse(const void *buf, size_t len, const char *name,
                           mote_tensor *out);

/*
 * Writes t as a .npy file (version 1.0, or 2.0 when the header is too long
 * for 1.0) atomically: the bytes go to a temporary file beside `path`,
 * which is renamed over `path` only when everything was written, so `path`
 * is either the old file or the complete new one, never a partial one.
 */
mote_status mote_npy_write(const char *path, const mote_tensor *t);

/* The two halves of mote_npy_write, for writing several files all or
 * none: write_temp writes the complete file under a temporary name beside
 * path (recorded for removal on a signal, tempfiles.h); commit renames it
 * over path; discard removes it. Both commit and discard release tf. */
typedef struct mote_npy_temp {
    char *path;     /* the temporary file, NULL when none */
    int slot;       /* its tempfiles.h slot               */
} mote_npy_temp;
mote_status mote_npy_write_temp(const char *path, const mote_tensor *t, mote_npy_temp *tf);
mote_status mote_npy_commit(mote_npy_temp *tf, const char *path);
void mote_npy_discard(mote_npy_temp *tf);

/* The numpy descr for a mote dtype ("<f4", ...), or NULL (bf16, unknown). */
const char *mote_npy_descr(mote_dtype t);

#endif
