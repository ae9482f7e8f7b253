/*
 * detect.c — a model file's format from its magic bytes (detect.h).
 * ONNX files are protobuf, which has no magic: a first byte 0x08 (field 1,
 * varint: ModelProto.ir_version, which exporters write first) makes ONNX
 * likely; anything unrecognised is MOTE_FILE_UNKNOWN and left to the
 * ONNX parser to accept or refuse.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "graph/internal.h"
#include "detect.h"
#include "format.h"

mote_file_format mote_detect_format(const uint8_t *h, size_t n)
{
    if (n == 0)
        return MOTE_FILE_EMPTY;
    if (n >= 4 && !memcmp(h, MOTE_FORMAT_MAGIC, 4))
        return MOTE_FILE_MOTE;
    if (n >= 8 && !memcmp(h + 4, "TFL3", 4))
        return MOTE_FILE_TFLITE;
    if (n >= 4 && !memcmp(h, "GGUF", 4))
        return MOTE_FILE_GGUF;
    if (n >= 4 && !memcmp(h, "PK\3\4", 4))
        return MOTE_FILE_PYTORCH_ZIP;
    if (n >= 6 && !memcmp(h, "\x93NUMPY", 6))
        return MOTE_FILE_NPY;
    if (n >= 9 && h[8] == '{' && h[6] == 0 && h[7] == 0)   /* header length < 2^48 */
        return MOTE_FILE_SAFETENSORS;
    if (h[0] == 0x08)
        return MOTE_FILE_ONNX;
    return MOTE_FILE_UNKNOWN;
}

mote_status mote_detect_format_file(const char *path, mote_file_format *fmt)
{
    uint8_t head[16];
    *fmt = MOTE_FILE_UNKNOWN;
    FILE *f = fopen(path, "rb");
    if (!f)
        return mote_error(MOTE_ERR_IO, "%s: %s", path, strerror(errno));
    size_t n = fread(head, 1, sizeof head, f);
    int bad = ferror(f);
    fclose(f);
    if (bad)
        return mote_error(MOTE_ERR_IO, "%s: read error", path);
    *fmt = mote_detect_format(head, n);
    return MOTE_OK;
}

const char *mote_file_format_name(mote_file_format f)
{
    switch (f) {
    case MOTE_FILE_ONNX: return "an ONNX model";
    case MOTE_FILE_MOTE: return "a .mote file (already converted)";
    case MOTE_FILE_TFLITE: return "a TFLite flatbuffer";
    case MOTE_FILE_GGUF: return "a GGUF file";
    case MOTE_FILE_PYTORCH_ZIP: return "a zip archive (a PyTorch checkpoint, as torch.save writes)";
    case MOTE_FILE_NPY: return "a numpy .npy array";
    case MOTE_FILE_SAFETENSORS: return "a safetensors file";
    case MOTE_FILE_EMPTY: return "an empty file";
    default: return "a file of unknown format";
    }
}
