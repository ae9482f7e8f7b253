/*
 * fuzz_onnx.c — libFuzzer target for the ONNX reader: protobuf decoding,
 * the model/graph/node/tensor readers and the import into a mote graph
 * (mote_onnx_import_memory, no external-data directory, with and without
 * the optimization passes, chosen by the first byte). A graph that imports
 * is turned into a model and a session, as `mote convert` + `mote run`
 * would. Not a test of results.
 */
#include <stdint.h>
#include <stdlib.h>
#include "mote.h"
#include "onnx/onnx.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mote_fuzz_setup();
    mote_onnx_options o;
    mote_onnx_options_init(&o);
    o.optimize = size > 0 && (data[0] & 1);
    mote_graph *g = NULL;
    if (mote_onnx_import_memory(data, size, NULL, &o, &g) != MOTE_OK)
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

#ifdef MOTE_FUZZ_MUTATOR
#include "mutate_onnx.c"
#endif
