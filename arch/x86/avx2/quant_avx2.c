/*
 * quant_avx2.c — AVX2 + FMA versions of the LLM kernels (kernels/llm.h).
 */
#include <immintrin.h>
#include "llm.h"

const mote_llm_kernels mote_llm_kernels_avx2 = {
    .name = "avx2",
};
