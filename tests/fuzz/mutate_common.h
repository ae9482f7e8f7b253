/*
 * mutate_common.h — helpers shared by the structure-aware libFuzzer
 * mutators (LLVMFuzzerCustomMutator in fuzz_mote.c, fuzz_onnx.c and
 * fuzz_llama2c.c): a small seeded random generator and the boundary
 * values that hostile files use (sizes near INT64_MAX, 2^31, 2^62, 0, -1).
 * Compiled only into the libFuzzer binaries (MOTE_FUZZ_MUTATOR, set by
 * build.sh); the replay programs of `make check` leave the mutators out.
 */
#ifndef MOTE_MUTATE_COMMON_H
#define MOTE_MUTATE_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* libFuzzer's own byte-level mutation. */
size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size);

typedef struct mut_rng { uint64_t s; } mut_rng;

static inline uint64_t mut_next(mut_rng *r)
{
    /* splitmix64 */
    uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* Uniform in [0, n) (n > 0). */
static inline uint32_t mut_below(mut_rng *r, uint32_t n) { return (uint32_t)(mut_next(r) % n); }

/* A value a hostile file would use for a size, count or attribute. */
static inline int64_t mut_boundary(mut_rng *r, int64_t old)
{
    static const int64_t v[] = {
        0, 1, 2, 3, -1, -2, 7, 8, 16, 64, 255, 256, 65535, 65536,
        (int64_t)1 << 24, ((int64_t)1 << 24) + 1, INT32_MAX, (int64_t)INT32_MAX + 1, INT32_MIN,
        (int64_t)1 << 32, (int64_t)1 << 40, (int64_t)1 << 61, (int64_t)1 << 62,
        INT64_MAX, INT64_MAX - 1, INT64_MIN, INT64_MIN + 1, INT64_MAX / 2, INT64_MAX / 3,
    };
    switch (mut_below(r, 4)) {
    /* wrapping on purpose, in unsigned arithmetic (no UB in the mutator) */
    case 0: return (int64_t)((uint64_t)old + mut_below(r, 3) - 1);   /* off by one */
    case 1: return (int64_t)((uint64_t)old * 2);
    default: return v[mut_below(r, (uint32_t)(sizeof v / sizeof v[0]))];
    }
}

#endif
