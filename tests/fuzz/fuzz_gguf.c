/*
 * fuzz_gguf.c — libFuzzer target for the GGUF importer
 * (mote_gguf_import_memory: header, key/value pairs, tensor infos, the
 * tokenizer, weights): the bytes are the file. A graph that imports gets
 * the decoder built on it and is checked with mote_graph_check. Not a test
 * of results.
 */
#include <stdint.h>
#include "mote.h"
#include "llm/gguf.h"
#include "llm/llama.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mote_fuzz_setup();
    mote_graph *g = NULL;
    mote_gguf_info info;
    if (mote_gguf_import_memory(data, size, "fuzz.gguf", &g, &info) == MOTE_OK) {
        if (mote_llama_build_graph(g, &info.hp) == MOTE_OK)
            (void)mote_graph_check(g);
        mote_graph_free(g);
    }
    return 0;
}
