/*
 * mutate_llama2c.c — the structure-aware mutator of the llama2.c fuzz
 * target (included by fuzz_llama2c.c into the libFuzzer build only). The
 * reader refuses any file whose size is not exactly what its header
 * describes, so byte mutations of the header almost never get past it.
 * This mutator edits one header field (v0 at byte 0, v1/v2 after the
 * magic and version) to a boundary or off-by-one value, flips the shared
 * classifier or the v2 group size, or resizes the file: to the size the
 * new header describes (zero-filled), or by a few bytes either way.
 */
#include <string.h>
#include "mutate_common.h"

/* The size a header describes (mirrors the reader, for mutations that
 * keep header and size consistent); 0 if it does not fit the rules. */
static uint64_t described_size(const int32_t *hd, int version, int shared, int32_t group)
{
    for (int i = 0; i < 7; i++)
        if (hd[i] <= 0 || hd[i] > (1 << 24)) return 0;
    uint64_t D = (uint64_t)hd[0], H = (uint64_t)hd[1], L = (uint64_t)hd[2], NH = (uint64_t)hd[3];
    uint64_t V = (uint64_t)hd[5], S = (uint64_t)hd[6];
    if (D % NH || NH % (uint64_t)hd[4]) return 0;
    uint64_t KV = (uint64_t)hd[4] * (D / NH);
    uint64_t mats = L * (2 * D * D + 2 * KV * D + 3 * H * D) + V * D * (shared ? 1 : 2);
    uint64_t norms = L * D * 2 + D;
    if (version == 2) {
        if (group <= 0) return 0;
        return 256 + norms * 4 + mats + mats / (uint64_t)group * 4;
    }
    uint64_t rope = version == 0 ? S * (D / NH / 2) * 2 : 0;
    return (version ? 256 : 28) + (norms + mats + rope) * 4;
}

size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed)
{
    mut_rng r = {seed};
    if (size < 28 || mut_below(&r, 4) == 0)
        return LLVMFuzzerMutate(data, size, max_size);
    uint32_t magic;
    memcpy(&magic, data, 4);
    int version = 0;
    size_t at = 0;
    if (magic == 0x616b3432u && size >= 256) {
        int32_t v;
        memcpy(&v, data + 4, 4);
        version = v;
        at = 8;
    }
    int32_t hd[7];
    memcpy(hd, data + at, sizeof hd);
    int shared = version ? data[36] != 0 : hd[5] > 0;
    int32_t group = 0;
    if (version == 2) memcpy(&group, data + 37, 4);
    switch (mut_below(&r, 4)) {
    case 0: case 1: {   /* one field */
        int k = (int)mut_below(&r, 7);
        int64_t v = mut_boundary(&r, hd[k]);
        hd[k] = (int32_t)v;
        break;
    }
    case 2:
        if (version) data[36] ^= 1;
        else hd[5] = (int32_t)(0u - (uint32_t)hd[5]);
        break;
    default:
        if (version == 2) {
            group = (int32_t)mut_boundary(&r, group);
            memcpy(data + 37, &group, 4);
        } else if (version == 0) {
            hd[2] = (int32_t)((uint32_t)hd[2] + 1);   /* a layer more than the data */
        } else {
            data[4] = (uint8_t)mut_below(&r, 4);   /* version 0..3 */
        }
        break;
    }
    memcpy(data + at, hd, sizeof hd);
    shared = version ? data[36] != 0 : hd[5] > 0;
    if (!version && hd[5] < 0) hd[5] = (int32_t)(0u - (uint32_t)hd[5]);
    size_t n = size;
    switch (mut_below(&r, 3)) {
    case 0: {   /* the size the header now describes, if it fits */
        uint64_t want = described_size(hd, version, shared, group);
        if (want && want <= max_size) {
            if (want > size) memset(data + size, 0, (size_t)(want - size));
            n = (size_t)want;
        }
        break;
    }
    case 1: {   /* a few bytes more or fewer */
        size_t d = 1 + mut_below(&r, 8);
        if (mut_below(&r, 2) && n + d <= max_size) { memset(data + n, 0, d); n += d; }
        else if (n > 28 + d) n -= d;
        break;
    }
    default: break;
    }
    return n;
}
