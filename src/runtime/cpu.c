/*
 * cpu.c — which kernel table to use (see cpu.h).
 *
 * Detection is per architecture: on x86 arch/x86/cpuid_x86.c reads cpuid
 * (what the CPU has) and XCR0 (which registers the OS saves), so a table is
 * offered only when both allow it; on aarch64 Linux, getauxval(AT_HWCAP)
 * (what the kernel enabled). MOTE_ISA=ref|avx2|avx512|neon forces a
 * table (an error if this CPU cannot run it). Resolution copies a target
 * table and fills its NULL entries from the reference, so the executor
 * never tests for NULL.
 */
#include "config.h"
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include "cpu.h"
#include "graph/internal.h"
#ifdef MOTE_HAVE_X86
#include "../../arch/x86/cpuid_x86.h"
#endif
#if defined(__aarch64__) && defined(__linux__) && defined(HAVE_GETAUXVAL)
#include <sys/auxv.h>
#endif

/* Detected once per process, on whichever thread gets here first; the
 * others wait in pthread_once (an unsynchronised flag was a data race when
 * threads made their first sessions at once). */
static mote_cpu_features feats;
static pthread_once_t detect_once = PTHREAD_ONCE_INIT;

static void detect(void)
{
    mote_cpu_features f;
    memset(&f, 0, sizeof f);
#ifdef MOTE_HAVE_X86
    mote_x86_cpu_detect(&f);
#endif
#if defined(__aarch64__)
    f.neon = true;   /* ASIMD is mandatory on AArch64 */
#if defined(__linux__) && defined(HAVE_GETAUXVAL)
    /* Linux reports the optional extensions in AT_HWCAP; the bit numbers
     * are the kernel's ABI (arch/arm64 uapi hwcap.h), spelled out here so
     * that an old libc header does not matter. */
    unsigned long hw = getauxval(AT_HWCAP);
    f.neon = (hw & (1UL << 1)) != 0;                          /* HWCAP_ASIMD   */
    f.fp16 = (hw & (1UL << 9)) && (hw & (1UL << 10));         /* FPHP, ASIMDHP */
    f.asimddp = (hw & (1UL << 20)) != 0;                      /* HWCAP_ASIMDDP */
#endif
#endif
    feats = f;
}

const mote_cpu_features *mote_cpu_detect(void)
{
    pthread_once(&detect_once, detect);
    return &feats;
}

typedef struct isa_entry {
    const char *name;
    const mote_kernels *table;
    bool (*runs_here)(const mote_cpu_features *f);
} isa_entry;

static bool runs_ref(const mote_cpu_features *f) { (void)f; return true; }
#ifdef MOTE_HAVE_X86
static bool runs_avx2(const mote_cpu_features *f) { return f->avx2 && f->fma && f->f16c; }
static bool runs_avx512(const mote_cpu_features *f)
{
    /* the AVX-512 files are compiled with -mavx512f/bw/dq/vl/vnni -mfma -mavx2 -mf16c */
    return f->avx512f && f->avx512bw && f->avx512dq && f->avx512vl && f->avx512vnni &&
           f->fma && f->avx2 && f->f16c;
}
#endif
#ifdef MOTE_HAVE_ARM
static bool runs_neon(const mote_cpu_features *f) { return f->neon; }
#endif

/* Best first. */
static const isa_entry isas[] = {
#ifdef MOTE_HAVE_X86
    {"avx512", &mote_kernels_avx512, runs_avx512},
    {"avx2", &mote_kernels_avx2, runs_avx2},
#endif
#ifdef MOTE_HAVE_ARM
    {"neon", &mote_kernels_neon, runs_neon},
#endif
    {"ref", &mote_kernels_ref, runs_ref},
};
#define N_ISAS (sizeof isas / sizeof isas[0])

static const isa_entry *find_isa(const char *name)
{
    for (size_t i = 0; i < N_ISAS; i++)
        if (strcmp(isas[i].name, name) == 0) return &isas[i];
    return NULL;
}

bool mote_cpu_isa_available(const char *isa)
{
    const isa_entry *e = isa ? find_isa(isa) : NULL;
    return e && e->runs_here(mote_cpu_detect());
}

const char *mote_cpu_best_isa(void)
{
    const mote_cpu_features *f = mote_cpu_detect();
    for (size_t i = 0; i < N_ISAS; i++)
        if (isas[i].runs_here(f)) return isas[i].name;
    return "ref";
}

/* Every entry of mote_kernels is a pointer; walk them as an array. */
static void fill_from_ref(mote_kernels *k)
{
    const char *name = k->name;
    void **dst = (void **)((char *)k + sizeof(const char *));
    void *const *src = (void *const *)((const char *)&mote_kernels_ref + sizeof(const char *));
    size_t n = (sizeof(mote_kernels) - sizeof(const char *)) / sizeof(void *);
    /* The packed-GEMM entries go together: a table either has all or none. */
    for (size_t i = 0; i < n; i++)
        if (!dst[i]) dst[i] = src[i];
    k->name = name;
}

mote_status mote_cpu_kernels(const char *isa, mote_kernels *out)
{
    if (!isa || !*isa) {
        isa = getenv("MOTE_ISA");
        if (!isa || !*isa) isa = mote_cpu_best_isa();
    }
    const isa_entry *e = find_isa(isa);
    if (!e)
        return mote_error(MOTE_ERR_UNSUPPORTED, "ISA '%s' is unknown or not built into this "
                          "mote (try ref%s)", isa,
#ifdef MOTE_HAVE_X86
                          ", avx2, avx512"
#elif defined(MOTE_HAVE_ARM)
                          ", neon"
#else
                          ""
#endif
                          );
    if (!e->runs_here(mote_cpu_detect()))
        return mote_error(MOTE_ERR_UNSUPPORTED, "ISA '%s' is not supported by this CPU "
                          "(best available: %s)", isa, mote_cpu_best_isa());
    *out = *e->table;
    fill_from_ref(out);
    return MOTE_OK;
}
