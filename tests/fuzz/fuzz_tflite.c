/*
 * fuzz_tflite.c — libFuzzer target for the TFLite importer: the
 * flatbuffer reader (every offset, vtable entry and length), the schema
 * tables and the mapping onto mote's graph (mote_tflite_import_memory). A
 * graph that imports is turned into a model and a session, as
 * `mote convert` + `mote run` would. Not a test of results.
 */
#include <stdint.h>
#include <stdlib.h>
#include "mote.h"
#include "tflite/tflite.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mote_fuzz_setup();
    mote_graph *g = NULL;
    if (mote_tflite_import_memory(data, size, "fuzz.tflite", &g) != MOTE_OK)
        return 0;
    mote_model *m = NULL;
    if (mote_model_from_graph(g, &m) == MOTE_OK) {
        mote_session_options so;
        mote_session_options_init(&so);
        so.threads = 1;
        so.pin = 0;
        mote_session *s = NULL;
        if (mote_session_new(m, &so, &s) == MOTE_OK)
            mote_session_free(s);
        mote_model_close(m);
    } /* else: mote_model_from_graph freed g */
    return 0;
}
