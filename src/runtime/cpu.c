/*
 * cpu.c — the kernel dispatch: which ISAs this CPU runs, and one resolved
 * dispatch struct per ISA (see cpu.h).
 *
 * Detection is per architecture: on x86 arch/x86/cpuid_x86.c reads cpuid
 * (what the CPU has) and XCR0 (which registers the OS saves); on aarch64
 * Linux, getauxval(AT_HWCAP) (what the kernel enabled). Resolution starts
 * each ISA's struct as a copy of the reference and overlays the entries
 * the target's sub-tables fill, walking the entry list of kernel_list.h, so
 * an op never tests for NULL (except the optional entries, NULL in the
 * reference too). Both run once per process under pthread_once;
 * afterwards everything here only reads.
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

/* One ISA: its sub-tables (NULL: none, all from the reference) and the
 * features it needs. */
typedef struct isa_entry {
    const char *name;
    const mote_general_kernels *general;
    const mote_llm_kernels *llm;
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
    {"avx512", &mote_general_kernels_avx512, &mote_llm_kernels_avx512, runs_avx512},
    {"avx2", &mote_general_kernels_avx2, &mote_llm_kernels_avx2, runs_avx2},
#endif
#ifdef MOTE_HAVE_ARM
    {"neon", &mote_general_kernels_neon, &mote_llm_kernels_neon, runs_neon},
#endif
    {"ref", NULL, NULL, runs_ref},
};
#define N_ISAS (sizeof isas / sizeof isas[0])

static mote_cpu_features feats;
static mote_kernels resolved[N_ISAS];    /* isas[i], resolved */
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void detect(mote_cpu_features *f)
{
    memset(f, 0, sizeof *f);
#ifdef MOTE_HAVE_X86
    mote_x86_features x;
    mote_x86_cpu_detect(&x);
    f->sse41 = x.sse41;
    f->avx2 = x.avx2;
    f->fma = x.fma;
    f->f16c = x.f16c;
    f->avx512f = x.avx512f;
    f->avx512bw = x.avx512bw;
    f->avx512dq = x.avx512dq;
    f->avx512vl = x.avx512vl;
    f->avx512vnni = x.avx512vnni;
    f->avx512bf16 = x.avx512bf16;
    f->amx_tile = x.amx_tile;
    f->amx_int8 = x.amx_int8;
    f->amx_bf16 = x.amx_bf16;
#endif
#if defined(__aarch64__)
    f->neon = true;   /* ASIMD is mandatory on AArch64 */
#if defined(__linux__) && defined(HAVE_GETAUXVAL)
    /* Linux reports the optional extensions in AT_HWCAP; the bit numbers
     * are the kernel's ABI (arch/arm64 uapi hwcap.h), spelled out here so
     * that an old libc header does not matter. */
    unsigned long hw = getauxval(AT_HWCAP);
    f->neon = (hw & (1UL << 1)) != 0;                          /* HWCAP_ASIMD   */
    f->fp16 = (hw & (1UL << 9)) && (hw & (1UL << 10));         /* FPHP, ASIMDHP */
    f->asimddp = (hw & (1UL << 20)) != 0;                      /* HWCAP_ASIMDDP */
#endif
#endif
}

/* The reference, with the target's non-NULL entries laid over it. */
static void resolve(const isa_entry *e, mote_kernels *d)
{
    *d = mote_kernels_ref;
    d->name = e->name;
#define TAKE(table, name, ret, params) \
    if (e->table && e->table->name) d->table.name = e->table->name;
#define TAKE_ARRAY(table, name, count, ret, params)        \
    for (int i = 0; i < (count); i++)                      \
        if (e->table && e->table->name[i]) d->table.name[i] = e->table->name[i];
    MOTE_KERNEL_LIST(TAKE, TAKE_ARRAY)
#undef TAKE
#undef TAKE_ARRAY
}

static void init_once(void)
{
    detect(&feats);
    for (size_t i = 0; i < N_ISAS; i++)
        resolve(&isas[i], &resolved[i]);
}

const mote_cpu_features *mote_cpu_detect(void)
{
    pthread_once(&once, init_once);
    return &feats;
}

static int find_isa(const char *name)
{
    for (size_t i = 0; i < N_ISAS; i++)
        if (strcmp(isas[i].name, name) == 0) return (int)i;
    return -1;
}

bool mote_cpu_isa_available(const char *isa)
{
    int i = isa ? find_isa(isa) : -1;
    return i >= 0 && isas[i].runs_here(mote_cpu_detect());
}

const char *mote_cpu_best_isa(void)
{
    const mote_cpu_features *f = mote_cpu_detect();
    for (size_t i = 0; i < N_ISAS; i++)
        if (isas[i].runs_here(f)) return isas[i].name;
    return "ref";
}

mote_status mote_cpu_kernels(const char *isa, const mote_kernels **out)
{
    const mote_cpu_features *f = mote_cpu_detect();
    if (!isa || !*isa) {
        isa = getenv("MOTE_ISA");
        if (!isa || !*isa) isa = mote_cpu_best_isa();
    }
    int i = find_isa(isa);
    if (i < 0)
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
    if (!isas[i].runs_here(f))
        return mote_error(MOTE_ERR_UNSUPPORTED, "ISA '%s' is not supported by this CPU "
                          "(best available: %s)", isa, mote_cpu_best_isa());
    *out = &resolved[i];
    return MOTE_OK;
}
