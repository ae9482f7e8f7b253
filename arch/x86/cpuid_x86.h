/*
 * cpuid_x86.h — x86 CPU feature detection (arch/x86/cpuid_x86.c): what the
 * CPU implements and the OS enables. Declarations only; the choice of
 * kernel table from these is src/runtime/cpu.c's.
 */
#ifndef MOTE_CPUID_X86_H
#define MOTE_CPUID_X86_H

#include <stdbool.h>

typedef struct mote_x86_features {
    bool sse41, avx2, fma, f16c;
    bool avx512f, avx512bw, avx512dq, avx512vl, avx512vnni, avx512bf16;
    bool amx_tile, amx_int8, amx_bf16;
} mote_x86_features;

/* Fills *f (all false first): a feature is true only if the CPU has it
 * (cpuid) and the OS saves its registers (XGETBV). */
void mote_x86_cpu_detect(mote_x86_features *f);

#endif
