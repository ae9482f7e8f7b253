/*
 * gemm_blocking_x86.c — the cache blocking of the packed SGEMM
 * (gemm_tmpl.h), derived from the data caches cpuid reports
 * (cpuid_x86.c), so that one binary blocks right on any x86 core rather
 * than on the one its constants were tuned on. docs/kernels.md gives the
 * model; MOTE_GEMM_BLOCKING="MC,KC,NC" overrides it (for experiments and
 * for a machine whose cpuid lies, as some hypervisors' do), with three
 * optional fields after NC: the micro-kernel's prefetch distance in k
 * steps (0: none), 1 to prefetch the next tile's rows of C, and the
 * small-M path's prefetch distance for the B panels it streams. A field
 * left out keeps what this machine would choose (the small-M distance
 * follows the prefetch distance given: twice it, none on AMD).
 *
 * The blocking never changes a result: every C element is the same fma
 * chain over k whatever the blocks (gemm_tmpl.h), so it is free to differ
 * between machines. Compiled with the baseline flags.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cpuid_x86.h"
#include "x86_kernels.h"

static long clampl(long x, long lo, long hi) { return x < lo ? lo : x > hi ? hi : x; }
static long round_down(long x, long m) { return x / m * m; }

/* Reads "MC,KC,NC" (each a positive integer) and up to three more fields
 * (each >= 0); 0 when absent or malformed. */
static int parse_env(const char *s, long v[6])
{
    if (!s || !*s) return 0;
    for (int i = 0; i < 6; i++) {
        char *end;
        long x = strtol(s, &end, 10);
        if (end == s || x < (i < 3 ? 1 : 0)) return 0;
        v[i] = x;
        s = end;
        if (*s == 0) return i >= 2;
        if (*s != ',') return 0;
        s++;
    }
    return 0;
}

void mote_x86_gemm_blocking_for(int64_t mr, int64_t nr, mote_x86_gemm_blocking *b)
{
    memset(b, 0, sizeof *b);
    mote_x86_caches c;
    mote_x86_cache_detect(&c);
    b->l1d = c.l1d;
    b->l2 = c.l2;
    b->l3 = c.l3;
    /* what one core may use: a shared L2 (some Atom clusters) is divided */
    long l2 = c.l2 > 0 ? c.l2 / (c.l2_sharing > 0 ? c.l2_sharing : 1) : 256 * 1024;
    const long f = (long)sizeof(float);
    /* KC: one MR x KC micro-panel of A and one KC x NR of B stream through
     * the micro-kernel from L2 at the same time as the packed blocks; an
     * eighth of L2 for the two keeps them clear of the blocks. Large,
     * because every K block costs a load and store of each C tile. */
    long kc = round_down(l2 / (8 * f * (long)(mr + nr)), 64);
    kc = clampl(kc, 256, 1024);
    /* MC x KC (the packed A block of the packed-B path) and KC x NC (the
     * packed B block of the packed-A path) each take half of L2 */
    long mc = clampl(round_down(l2 / (2 * f * kc), mr), 4 * mr, 64 * mr);
    long nc = clampl(round_down(l2 / (2 * f * kc), nr), 2 * nr, 256 * nr);
    /* the micro-kernel asks for A and B this many k steps ahead (2 KiB
     * of B): an L2 latency at full FMA rate, not a cache size (8 and 32
     * steps measured within noise of 16 on the Xeon) */
    long pf = 512 / nr;
    long pf_c = 0;
    long v[6] = { 0, 0, 0, -1, -1, -1 };
    const char *env = getenv("MOTE_GEMM_BLOCKING");
    int from_env = 0;
    snprintf(b->source, sizeof b->source, "%s", c.leaf);
    if (env && *env) {
        if (parse_env(env, v)) {
            /* the fields left out keep this machine's choice */
            mc = v[0];
            kc = v[1];
            nc = v[2];
            if (v[3] >= 0) pf = v[3];
            if (v[4] >= 0) pf_c = v[4];
            from_env = 1;
            snprintf(b->source, sizeof b->source, "MOTE_GEMM_BLOCKING");
        } else {
            snprintf(b->source, sizeof b->source, "%s (MOTE_GEMM_BLOCKING malformed, ignored)", c.leaf);
        }
    }
    /* the small-M path (1 to 8 rows) streams its B panels once, from far
     * caches: twice that distance on Intel; on AMD Zen 4 its hardware
     * prefetchers keep up with the streams and the software prefetches
     * only took load slots (1x768x768 34 -> 42 GFLOP/s without them,
     * MobileNetV2's 1280 -> 1000 classifier 258 -> 236 us; 8x768x768
     * within noise) */
    long pf_stream = c.amd ? 0 : 2 * pf;
    if (from_env && v[5] >= 0) pf_stream = v[5];
    /* whole micro-tiles, within the limits the scratch sizes assume */
    b->mc = round_down(clampl(mc, mr, 64 * mr), mr);
    b->kc = clampl(kc, 16, 4096);
    b->nc = round_down(clampl(nc, nr, 256 * nr), nr);
    b->pf = clampl(pf, 0, 64);
    b->pf_c = pf_c != 0;
    b->pf_stream = clampl(pf_stream, 0, 128);
}
