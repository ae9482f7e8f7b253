/*
 * onnx_tensor.c — a TensorProto's elements in mote's form: dtype mapping,
 * raw_data or typed repeated fields, and external data files (which must
 * lie inside the model's directory). Not the protobuf parsing (onnx_read.c).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "graph/internal.h"
#include "onnx_proto.h"

mote_dtype mote_onnx_to_mote_dtype(int32_t t)
{
    switch (t) {
    case MOTE_ONNX_FLOAT: return MOTE_F32;
    case MOTE_ONNX_FLOAT16: return MOTE_F16;
    case MOTE_ONNX_BFLOAT16: return MOTE_BF16;
    case MOTE_ONNX_INT8: return MOTE_I8;
    case MOTE_ONNX_UINT8: return MOTE_U8;
    case MOTE_ONNX_INT32: return MOTE_I32;
    case MOTE_ONNX_INT64: return MOTE_I64;
    case MOTE_ONNX_BOOL: return MOTE_BOOL;
    default: return (mote_dtype)0;
    }
}

const char *mote_onnx_dtype_name(int32_t t)
{
    static const char *const names[] = {
        "UNDEFINED", "FLOAT", "UINT8", "INT8", "UINT16", "INT16", "INT32", "INT64",
        "STRING", "BOOL", "FLOAT16", "DOUBLE", "UINT32", "UINT64", "COMPLEX64",
        "COMPLEX128", "BFLOAT16"};
    if (t >= 0 && t < (int32_t)(sizeof names / sizeof *names))
        return names[t];
    return "UNKNOWN";
}

/* Reads `want` bytes at `offset` of t's external file under dir into dst. */
static mote_status read_external(const mote_onnx_tensor *t, const char *dir,
                                 void *dst, size_t want)
{
    const char *tn = t->name ? t->name : "";
    const char *loc = t->ext_location;
    if (!loc || !*loc)
        return mote_error(MOTE_ERR_FORMAT, "tensor '%s': external data without a location", tn);
    if (!dir)
        return mote_error(MOTE_ERR_UNSUPPORTED,
                          "tensor '%s': external data needs the model's directory", tn);
    /* Refuse absolute paths and ".." components outright, then check the
     * resolved path (symlinks included) still lies inside dir. */
    if (loc[0] == '/')
        return mote_error(MOTE_ERR_FORMAT, "tensor '%s': external data path '%s' is absolute", tn, loc);
    for (const char *p = loc; *p;) {
        const char *e = strchr(p, '/');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        if (n == 2 && p[0] == '.' && p[1] == '.')
            return mote_error(MOTE_ERR_FORMAT,
                              "tensor '%s': external data path '%s' leaves the model's directory", tn, loc);
        p += n + (e != NULL);
    }
    size_t plen = strlen(dir) + strlen(loc) + 2;
    char *path = malloc(plen);
    char *rdir = NULL, *rpath = NULL;
    FILE *fp = NULL;
    mote_status st = MOTE_OK;
    if (!path)
        return mote_error(MOTE_ERR_NOMEM, "out of memory");
    snprintf(path, plen, "%s/%s", dir, loc);
    rdir = realpath(dir, NULL);
    rpath = realpath(path, NULL);
    if (!rdir || !rpath) {
        st = mote_error(MOTE_ERR_IO, "tensor '%s': external data file %s: %s", tn, path, strerror(errno));
        goto done;
    }
    size_t dl = strlen(rdir);
    if (strncmp(rpath, rdir, dl) != 0 || (rpath[dl] != '/' && !(dl == 1 && rdir[0] == '/'))) {
        st = mote_error(MOTE_ERR_FORMAT,
                        "tensor '%s': external data file %s resolves outside the model's directory", tn, path);
        goto done;
    }
    fp = fopen(rpath, "rb");
    if (!fp) {
        st = mote_error(MOTE_ERR_IO, "tensor '%s': cannot open %s: %s", tn, path, strerror(errno));
        goto done;
    }
    if (fseeko(fp, 0, SEEK_END) != 0) {
        st = mote_error(MOTE_ERR_IO, "tensor '%s': cannot seek in %s", tn, path);
        goto done;
    }
    off_t size = ftello(fp);
    int64_t len = t->ext_length >= 0 ? t->ext_length : (int64_t)size - t->ext_offset;
    if (size < 0 || t->ext_offset > (int64_t)size || len > (int64_t)size - t->ext_offset) {
        st = mote_error(MOTE_ERR_FORMAT, "tensor '%s': offset %lld + length %lld is past the end of %s (%lld bytes)",
                        tn, (long long)t->ext_offset, (long long)len, path, (long long)size);
        goto done;
    }
    if ((uint64_t)len != (uint64_t)want) {
        st = mote_error(MOTE_ERR_FORMAT, "tensor '%s': external data holds %lld bytes, its shape needs %zu",
                        tn, (long long)len, want);
        goto done;
    }
    if (fseeko(fp, (off_t)t->ext_offset, SEEK_SET) != 0 ||
        (want && fread(dst, 1, want, fp) != want))
        st = mote_error(MOTE_ERR_IO, "tensor '%s': short read from %s", tn, path);
done:
    if (fp)
        fclose(fp);
    free(path);
    free(rdir);
    free(rpath);
    return st;
}

mote_status mote_onnx_tensor_data(const mote_onnx_tensor *t, const char *model_dir,
                                  mote_dtype *dtype, void **data, size_t *nbytes)
{
    const char *tn = t->name ? t->name : "";
    *data = NULL;
    *nbytes = 0;
    mote_dtype dt = mote_onnx_to_mote_dtype(t->data_type);
    if (!dt)
        return mote_error(MOTE_ERR_UNSUPPORTED, "tensor '%s': data type %s (%d) is not supported",
                          tn, mote_onnx_dtype_name(t->data_type), (int)t->data_type);
    if (t->has_segment)
        return mote_error(MOTE_ERR_UNSUPPORTED, "tensor '%s': segmented tensors are not supported", tn);
    size_t numel = 1, esize = mote_dtype_size(dt), bytes;
    for (int i = 0; i < t->ndim; i++)
        if (!mote_mul_size(numel, (size_t)t->dims[i], &numel))
            return mote_error(MOTE_ERR_FORMAT, "tensor '%s': element count overflows", tn);
    if (!mote_mul_size(numel, esize, &bytes))
        return mote_error(MOTE_ERR_FORMAT, "tensor '%s': byte size overflows", tn);
    /* Check the data is there before allocating its size. */
    size_t have = t->external ? bytes : t->has_raw ? t->raw_len :
                  dt == MOTE_F32 ? t->n_f32 : dt == MOTE_I64 ? t->n_i64 : t->n_i32;
    size_t need = t->external || t->has_raw ? bytes : numel;
    if (have != need)
        return mote_error(MOTE_ERR_FORMAT, "tensor '%s' (%s): holds %zu %s, its shape needs %zu",
                          tn, mote_onnx_dtype_name(t->data_type), have,
                          t->has_raw ? "bytes" : "elements", need);
    uint8_t *p = malloc(bytes ? bytes : 1);
    if (!p)
        return mote_error(MOTE_ERR_NOMEM, "tensor '%s': out of memory for %zu bytes", tn, bytes);
    mote_status st = MOTE_OK;
    if (t->external) {
        st = read_external(t, model_dir, p, bytes);
    } else if (t->has_raw) {
        if (bytes)
            memcpy(p, t->raw, bytes);
    } else {
        for (size_t i = 0; i < numel; i++) {
            int64_t v = dt == MOTE_F32 ? 0 : dt == MOTE_I64 ? t->i64[i] : t->i32[i];
            switch (dt) {
            case MOTE_F32: ((float *)p)[i] = t->f32[i]; break;
            case MOTE_F16: case MOTE_BF16: {
                uint16_t h = (uint16_t)v;      /* bit pattern in int32_data */
                memcpy(p + 2 * i, &h, 2);
                break;
            }
            case MOTE_I8: ((int8_t *)p)[i] = (int8_t)v; break;
            case MOTE_U8: p[i] = (uint8_t)v; break;
            case MOTE_BOOL: p[i] = v != 0; break;
            case MOTE_I32: ((int32_t *)p)[i] = (int32_t)v; break;
            case MOTE_I64: ((int64_t *)p)[i] = v; break;
            }
        }
    }
    if (!st && dt == MOTE_BOOL)
        for (size_t i = 0; i < numel; i++)
            p[i] = p[i] != 0;
    if (st) {
        free(p);
        return st;
    }
    *dtype = dt;
    *data = p;
    *nbytes = bytes;
    return MOTE_OK;
}
