/*
 * cpuid_x86.c — x86 feature detection: cpuid for what the CPU implements,
 * XGETBV (XCR0) for which register states the OS saves on a context switch.
 * An instruction set is usable only if both hold: an AVX-512 CPU under an
 * OS (or hypervisor) that does not enable the ZMM state must use AVX2.
 *
 * Compiled with the baseline flags (no -mavx*): it runs on any x86-64.
 * Not here: the choice of table (src/runtime/cpu.c). AMX is reported as enabled
 * when XCR0 has the tile state; Linux additionally requires a per-process
 * arch_prctl request before the first tile instruction, which a future AMX
 * kernel would make.
 */
#include <cpuid.h>
#include <stdint.h>
#include <string.h>
#include "cpuid_x86.h"

/* XCR0 bits: which register states the OS saves */
#define XCR0_SSE (1u << 1)
#define XCR0_AVX (1u << 2)          /* upper halves of YMM          */
#define XCR0_OPMASK (1u << 5)       /* k0-k7                         */
#define XCR0_ZMM_HI256 (1u << 6)    /* upper halves of ZMM0-15       */
#define XCR0_HI16_ZMM (1u << 7)     /* ZMM16-31                      */
#define XCR0_TILECFG (1u << 17)
#define XCR0_TILEDATA (1u << 18)

static uint64_t xgetbv0(void)
{
    uint32_t lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return ((uint64_t)hi << 32) | lo;
}

static int bit(uint32_t r, int b) { return (int)((r >> b) & 1u); }

void mote_x86_cpu_detect(mote_x86_features *f)
{
    memset(f, 0, sizeof *f);
    unsigned a, b, c, d;
    if (!__get_cpuid(0, &a, &b, &c, &d)) return;
    const unsigned max_leaf = a;
    if (max_leaf < 1) return;
    __cpuid(1, a, b, c, d);
    const uint32_t ecx1 = c;
    f->sse41 = bit(ecx1, 19);
    /* leaf 1 ECX: 12 FMA, 27 OSXSAVE, 28 AVX, 29 F16C */
    uint64_t xcr0 = bit(ecx1, 27) ? xgetbv0() : 0;
    const int os_avx = (xcr0 & (XCR0_SSE | XCR0_AVX)) == (XCR0_SSE | XCR0_AVX);
    const int os_avx512 = os_avx && (xcr0 & (XCR0_OPMASK | XCR0_ZMM_HI256 | XCR0_HI16_ZMM)) ==
                                        (XCR0_OPMASK | XCR0_ZMM_HI256 | XCR0_HI16_ZMM);
    const int os_amx = (xcr0 & (XCR0_TILECFG | XCR0_TILEDATA)) == (XCR0_TILECFG | XCR0_TILEDATA);
    const int avx = os_avx && bit(ecx1, 28);
    f->fma = avx && bit(ecx1, 12);
    f->f16c = avx && bit(ecx1, 29);
    if (max_leaf < 7) return;
    __cpuid_count(7, 0, a, b, c, d);
    const unsigned max_sub7 = a;
    /* leaf 7.0 EBX: 5 AVX2, 16 AVX512F, 17 AVX512DQ, 30 AVX512BW, 31 AVX512VL;
     * ECX: 11 AVX512_VNNI; EDX: 22 AMX-BF16, 24 AMX-TILE, 25 AMX-INT8 */
    f->avx2 = avx && bit(b, 5);
    f->avx512f = os_avx512 && bit(b, 16);
    f->avx512dq = f->avx512f && bit(b, 17);
    f->avx512bw = f->avx512f && bit(b, 30);
    f->avx512vl = f->avx512f && bit(b, 31);
    f->avx512vnni = f->avx512f && bit(c, 11);
    f->amx_tile = os_amx && bit(d, 24);
    f->amx_int8 = f->amx_tile && bit(d, 25);
    f->amx_bf16 = f->amx_tile && bit(d, 22);
    if (max_sub7 >= 1) {
        /* leaf 7.1 EAX: 5 AVX512_BF16 */
        __cpuid_count(7, 1, a, b, c, d);
        f->avx512bf16 = f->avx512f && bit(a, 5);
    }
}
