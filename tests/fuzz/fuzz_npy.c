/*
 * fuzz_npy.c — libFuzzer target for the .npy parser (mote_npy_parse): on
 * success the tensor's bytes are touched end to end, so a size the parser
 * got wrong shows up under ASan. Not a test of results.
 */
#include <stdint.h>
#include <stdlib.h>
#include "mote.h"
#include "format/npy.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mote_fuzz_setup();
    mote_tensor t;
    if (mote_npy_parse(data, size, "fuzz.npy", &t) != MOTE_OK)
        return 0;
    size_t nb = mote_tensor_nbytes(&t);
    volatile uint8_t sink = 0;
    for (size_t k = 0; k < nb; k++) sink ^= ((const uint8_t *)t.data)[k];
    (void)sink;
    free(t.data);
    return 0;
}
