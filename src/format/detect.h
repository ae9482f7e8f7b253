/*
 * detect.h — which kind of model file a path holds, from its first bytes
 * (magic numbers), so that a command can dispatch on it and name what it
 * got instead of failing in the wrong parser. Only looks; reads nothing
 * past the first 16 bytes. Not a parser of any of these formats.
 */
#ifndef MOTE_FORMAT_DETECT_H
#define MOTE_FORMAT_DETECT_H

#include <stddef.h>
#include <stdint.h>
#include "mote.h"

typedef enum mote_file_format {
    MOTE_FILE_UNKNOWN = 0,   /* no magic we know: possibly ONNX (protobuf has none) */
    MOTE_FILE_ONNX,          /* starts like a ModelProto (ir_version, field 1)     */
    MOTE_FILE_MOTE,          /* "MOTE" at offset 0                                 */
    MOTE_FILE_TFLITE,        /* "TFL3" at offset 4 (flatbuffer file identifier)    */
    MOTE_FILE_GGUF,          /* "GGUF" at offset 0                                 */
    MOTE_FILE_PYTORCH_ZIP,   /* "PK\3\4": a zip archive, as torch.save writes      */
    MOTE_FILE_NPY,           /* "\x93NUMPY"                                        */
    MOTE_FILE_SAFETENSORS,   /* u64 header length, then '{' at offset 8            */
    MOTE_FILE_EMPTY          /* no bytes at all                                    */
} mote_file_format;

/* The format of a file starting with head[0..n). */
mote_file_format mote_detect_format(const uint8_t *head, size_t n);
/* The same for a file on disk (MOTE_ERR_IO if it cannot be read). */
mote_status mote_detect_format_file(const char *path, mote_file_format *fmt);
/* "a TFLite flatbuffer", "an ONNX model", ... for messages. */
const char *mote_file_format_name(mote_file_format f);

#endif
