/*
 * cpuid_x86.h — x86 CPU feature detection for src/runtime/cpu.c. Declaration only.
 */
#ifndef MOTE_CPUID_X86_H
#define MOTE_CPUID_X86_H

#include "runtime/cpu.h"

/* Fills the x86 fields of *f: a feature is true only if the CPU has it
 * (cpuid) and the OS saves its registers (XGETBV). */
void mote_x86_cpu_detect(mote_cpu_features *f);

#endif
