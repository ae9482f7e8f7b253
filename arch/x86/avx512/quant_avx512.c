/*
 * quant_avx512.c — AVX-512 (+VNNI) versions of the LLM kernels (kernels/llm.h).
 */
#include <immintrin.h>
#include "llm.h"

const mote_llm_kernels mote_llm_kernels_avx512 = {
    .name = "avx512",
};
