/*
 * fuzz_llama2c.c — libFuzzer target for the llama2.c checkpoint reader
 * (mote_llama2c_probe and mote_llama2c_import, versions 0, 1 and 2): the
 * bytes are the checkpoint file, read through an in-memory file. A graph
 * that imports is checked with mote_graph_check. Not a test of results.
 */
#include <stdint.h>
#include <unistd.h>
#include "mote.h"
#include "llm/llama2c.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mote_fuzz_setup();
    char path[64];
    int fd = mote_fuzz_file(data, size, path, sizeof path);
    if (fd < 0) return 0;
    (void)mote_llama2c_probe(path);
    mote_graph *g = NULL;
    mote_llama2c_info info;
    if (mote_llama2c_import(path, NULL, &g, &info) == MOTE_OK) {
        (void)mote_graph_check(g);
        mote_graph_free(g);
    }
    close(fd);
    return 0;
}

#ifdef MOTE_FUZZ_MUTATOR
#include "mutate_llama2c.c"
#endif
