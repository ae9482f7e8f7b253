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

/* One deterministic cache-parameter leaf (4 on Intel, 0x8000001D on AMD:
 * the same layout): walks the subleaves until the null type. */
static int cache_leaf(unsigned leaf, mote_x86_caches *c)
{
    int found = 0;
    for (unsigned i = 0; i < 16; i++) {
        unsigned a, b, cc, d;
        __cpuid_count(leaf, i, a, b, cc, d);
        unsigned type = a & 31u, level = (a >> 5) & 7u;
        if (type == 0) break;
        if (type != 1 && type != 3) continue;   /* data or unified, not instruction */
        long line = (long)(b & 0xFFFu) + 1, parts = (long)((b >> 12) & 0x3FFu) + 1;
        long ways = (long)((b >> 22) & 0x3FFu) + 1, sets = (long)cc + 1;
        long size = line * parts * ways * sets;
        int sharing = (int)((a >> 14) & 0xFFFu) + 1;
        if (level == 1) c->l1d = size;
        else if (level == 2) { c->l2 = size; c->l2_sharing = sharing; }
        else if (level == 3) { c->l3 = size; c->l3_sharing = sharing; }
        found = 1;
    }
    return found && c->l1d > 0;
}

void mote_x86_cache_detect(mote_x86_caches *c)
{
    memset(c, 0, sizeof *c);
    c->leaf = "none";
    unsigned a, b, cc, d;
    if (!__get_cpuid(0, &a, &b, &cc, &d)) return;
    const unsigned max_leaf = a;
    char vendor[13];
    memcpy(vendor, &b, 4);
    memcpy(vendor + 4, &d, 4);
    memcpy(vendor + 8, &cc, 4);
    vendor[12] = 0;
    const int amd = !strcmp(vendor, "AuthenticAMD") || !strcmp(vendor, "HygonGenuine");
    if (!amd && max_leaf >= 4 && cache_leaf(4, c)) {
        c->leaf = "cpuid 4";
        return;
    }
    memset(c, 0, sizeof *c);
    c->leaf = "none";
    c->amd = amd;
    __cpuid(0x80000000u, a, b, cc, d);
    const unsigned max_ext = a;
    if (max_ext >= 0x80000001u) {
        __cpuid(0x80000001u, a, b, cc, d);
        /* ECX bit 22: topology extensions, which include leaf 0x8000001D */
        if (bit(cc, 22) && max_ext >= 0x8000001Du && cache_leaf(0x8000001Du, c)) {
            c->leaf = "cpuid 0x8000001D";
            return;
        }
    }
    memset(c, 0, sizeof *c);
    c->leaf = "none";
    c->amd = amd;
    if (amd && max_ext >= 0x80000006u) {
        __cpuid(0x80000005u, a, b, cc, d);
        c->l1d = (long)(cc >> 24) * 1024;           /* ECX[31:24]: L1d KiB */
        __cpuid(0x80000006u, a, b, cc, d);
        c->l2 = (long)(cc >> 16) * 1024;            /* ECX[31:16]: L2 KiB */
        c->l3 = (long)(d >> 18) * 512 * 1024;       /* EDX[31:18]: L3 in 512 KiB */
        c->l2_sharing = c->l3_sharing = 1;
        if (c->l1d > 0) c->leaf = "cpuid 0x80000005/6";
    }
}
