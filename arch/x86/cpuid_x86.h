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

/* The data caches one core sees, as cpuid describes them: sizes in bytes
 * (0: not reported) and how many logical CPUs share each level. */
typedef struct mote_x86_caches {
    long l1d, l2, l3;
    int l2_sharing, l3_sharing;
    const char *leaf;   /* where they came from: "cpuid 4", "cpuid 0x8000001D",
                           "cpuid 0x80000005/6" or "none" */
    int amd;            /* the vendor is AMD (or Hygon)                   */
} mote_x86_caches;

/* Fills *c from cpuid leaf 4 (Intel), 0x8000001D (AMD with topology
 * extensions) or the older AMD leaves 0x80000005/6. */
void mote_x86_cache_detect(mote_x86_caches *c);

#endif
