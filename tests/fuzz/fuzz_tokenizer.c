/*
 * fuzz_tokenizer.c — libFuzzer target for the llama2.c tokenizer reader
 * (mote_tokenizer_load_llama2c) and the encoder/decoder over what it
 * reads. The first two bytes give the vocabulary size (1..4096); the rest
 * is the tokenizer.bin file. A tokenizer that loads encodes a fixed text
 * and the file's last bytes as text, and decodes every id. Not a test of
 * results.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "mote.h"
#include "llm/tokenizer.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mote_fuzz_setup();
    if (size < 2) return 0;
    int n_vocab = 1 + ((data[0] | (data[1] << 8)) & 4095);
    char path[64];
    int fd = mote_fuzz_file(data + 2, size - 2, path, sizeof path);
    if (fd < 0) return 0;
    mote_tokenizer *t = NULL;
    if (mote_tokenizer_load_llama2c(path, n_vocab, &t) == MOTE_OK) {
        /* Text: a fixed sentence, then up to 64 of the input's last bytes. */
        size_t tail = size - 2 < 64 ? size - 2 : 64;
        char text[128];
        memcpy(text, "Once upon a time ", 17);
        memcpy(text + 17, data + size - tail, tail);
        text[17 + tail] = 0;
        int ids[128 + 3];
        int n = 0;
        if (mote_tokenizer_encode(t, text, 1, 1, ids, (int)(sizeof ids / sizeof ids[0]), &n) == MOTE_OK) {
            for (int i = 0; i < n; i++) {
                size_t len = 0;
                (void)mote_tokenizer_decode(t, i ? ids[i - 1] : 1, ids[i], &len);
            }
        }
        for (int id = -1; id <= n_vocab; id++) {
            size_t len = 0;
            const char *p = mote_tokenizer_decode(t, 1, id, &len);
            volatile char sink = 0;
            for (size_t k = 0; p && k < len; k++) sink ^= p[k];
            (void)sink;
        }
        mote_tokenizer_free(t);
    }
    close(fd);
    return 0;
}
