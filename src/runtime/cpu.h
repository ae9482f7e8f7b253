/*
 * cpu.h — CPU feature detection and the kernel dispatch struct.
 *
 * The one place where an ISA is chosen: detection runs once (cpuid +
 * XGETBV on x86, getauxval on Linux/ARM), and so does the resolution of
 * each ISA's dispatch struct (kernels.h), under pthread_once. A table is
 * only offered when both the CPU and the OS support its registers, so a
 * binary built here never dies with "illegal instruction" on an older
 * CPU: it falls back to AVX2 or the reference.
 */
#ifndef MOTE_CPU_H
#define MOTE_CPU_H

#include <stdbool.h>
#include "mote.h"
#include "kernels.h"

typedef struct mote_cpu_features {
    bool sse41, avx2, fma, f16c;
    bool avx512f, avx512bw, avx512dq, avx512vl, avx512vnni, avx512bf16;
    bool amx_tile, amx_int8, amx_bf16;
    bool neon, asimddp, fp16;
} mote_cpu_features;

const mote_cpu_features *mote_cpu_detect(void);
/* The best table this build and CPU support: "avx512", "avx2", "neon" or "ref". */
const char *mote_cpu_best_isa(void);
/* True if this build has the table and the CPU can run it. */
bool mote_cpu_isa_available(const char *isa);
/*
 * The dispatch struct for `isa` (NULL or "": the MOTE_ISA environment
 * variable if set, else the best), every entry the target lacks holding
 * the reference's. Process-lifetime and shared: the same pointer for the
 * same ISA every time. MOTE_ERR_UNSUPPORTED if the ISA is unknown, not
 * built, or not supported by this CPU.
 */
mote_status mote_cpu_kernels(const char *isa, const mote_kernels **out);

#endif
