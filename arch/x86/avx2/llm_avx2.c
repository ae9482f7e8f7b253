/*
 * llm_avx2.c — AVX2 + FMA versions of the LLM kernels (kernels/llm.h):
 * placeholder table until the AVX2 kernels land; every NULL entry falls
 * back to the reference.
 */
#include <immintrin.h>
#include "llm.h"

const mote_llm_kernels mote_llm_kernels_avx2 = {
    .name = "avx2",
};
