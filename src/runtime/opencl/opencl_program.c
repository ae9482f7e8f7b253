/*
 * opencl_program.c — building the arch/opencl program once per opened
 * device, and its on-disk cache.
 *
 * Options: gemm.cl's tile (TSM, TSN, TSK, WPTM, WPTN; DM > 0: GEMMs take
 * the direct kernel with DM rows per work-item) and the row kernels'
 * work-group (NORM_WG) are compile-time constants, chosen per device:
 * MOTE_CL_GEMM=TSM,TSN,TSK,WPTM,WPTN[,DM] if set, else a small table by
 * device type, each entry checked against the device's work-group and
 * local-memory limits (the next smaller entry is tried when it does not fit).
 *
 * Cache: the program binary is stored as <dir>/<key>.bin, key = a 64-bit
 * FNV-1a hash of the platform, device name, driver version, OpenCL
 * version, build options and the whole source, so a new driver or a
 * changed kernel never loads a stale binary. The file is written under a
 * temporary name and renamed. A cache that cannot be read or written is
 * not an error: the program is built from source and the reason is kept
 * for `mote info --devices`. A build failure is an error whose message
 * carries the start of the compiler's log.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "opencl_internal.h"

/* ------------------------------------------------------------- tiles */

/* Largest first; a device takes the first entry that fits it. */
static const mote_cl_gemm_tile gpu_tiles[] = {
    {128, 128, 16, 8, 8, 0}, {64, 64, 16, 4, 4, 0}, {32, 32, 16, 4, 4, 0}, {16, 16, 8, 2, 2, 0},
};
/* CPU devices (PoCL): a work-group runs as loops over its work-items, and
 * values live across a barrier are saved per work-item, so GEMMs take the
 * direct kernel (no barrier; 16 rows x 8 columns per work-item: measured
 * best of DM = 4, 8, 16 with bench/opencl on an AVX-512 host) and the
 * tiled one (convolutions) wide n tiles with few barriers. */
static const mote_cl_gemm_tile cpu_tiles[] = {
    {64, 64, 64, 8, 4, 16}, {32, 32, 16, 4, 4, 16}, {16, 16, 8, 2, 2, 16},
};

static bool tile_fits(const mote_cl_desc *d, mote_cl_gemm_tile t)
{
    if (t.tsm <= 0 || t.tsn <= 0 || t.tsk <= 0 || t.wptm <= 0 || t.wptn <= 0) return false;
    if (t.tsm % t.wptm || t.tsn % t.wptn || t.dm < 0 || t.dm > 32) return false;
    size_t threads = (size_t)(t.tsm / t.wptm) * (size_t)(t.tsn / t.wptn);
    size_t local = sizeof(float) * ((size_t)t.tsk * (size_t)(t.tsm + 1) + (size_t)t.tsk * (size_t)t.tsn);
    return threads <= d->max_wg && local <= d->local_mem;
}

static mote_status choose_tile(mote_cl *cl)
{
    const char *env = getenv("MOTE_CL_GEMM");
    if (env && *env) {
        mote_cl_gemm_tile t = {0, 0, 0, 0, 0, 0};
        char end;
        int got = sscanf(env, "%d,%d,%d,%d,%d,%d%c", &t.tsm, &t.tsn, &t.tsk, &t.wptm, &t.wptn, &t.dm, &end);
        if (got != 5 && got != 6)
            return mote_error(MOTE_ERR_ARG, "MOTE_CL_GEMM='%s': expected TSM,TSN,TSK,WPTM,WPTN[,DM]", env);
        if (!tile_fits(&cl->desc, t))
            return mote_error(MOTE_ERR_ARG, "MOTE_CL_GEMM='%s': the tile does not fit %s (work-group "
                              "at most %zu, %llu bytes of local memory, TSM %% WPTM = TSN %% WPTN = 0)",
                              env, cl->desc.name, cl->desc.max_wg,
                              (unsigned long long)cl->desc.local_mem);
        cl->tile = t;
        cl->tile_source = "env";
        return MOTE_OK;
    }
    const mote_cl_gemm_tile *tab = cl->desc.is_cpu ? cpu_tiles : gpu_tiles;
    size_t n = cl->desc.is_cpu ? sizeof cpu_tiles / sizeof *cpu_tiles : sizeof gpu_tiles / sizeof *gpu_tiles;
    for (size_t i = 0; i < n; i++)
        if (tile_fits(&cl->desc, tab[i])) {
            cl->tile = tab[i];
            cl->tile_source = "table";
            return MOTE_OK;
        }
    return mote_error(MOTE_ERR_UNSUPPORTED, "OpenCL: %s is too small for any GEMM tile "
                      "(work-group at most %zu)", cl->desc.name, cl->desc.max_wg);
}

/* ------------------------------------------------------------- cache */

static uint64_t fnv1a(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) {
        h ^= b[i];
        h *= 0x100000001b3ull;
    }
    return h;
}

static uint64_t fnv1a_str(uint64_t h, const char *s)
{
    return fnv1a(h, s, strlen(s) + 1);   /* the NUL separates fields */
}

void mote_cl_cache_dir(char *buf, size_t len)
{
    buf[0] = 0;
    const char *env = getenv("MOTE_CL_CACHE");
    if (env && *env) {
        if (strcmp(env, "off") != 0) snprintf(buf, len, "%s", env);
        return;
    }
    const char *xdg = getenv("XDG_CACHE_HOME");
    const char *home = getenv("HOME");
    if (xdg && *xdg) snprintf(buf, len, "%s/mote/opencl", xdg);
    else if (home && *home) snprintf(buf, len, "%s/.cache/mote/opencl", home);
}

/* mkdir -p for the cache directory */
static bool make_dirs(const char *dir)
{
    char tmp[512];
    if (snprintf(tmp, sizeof tmp, "%s", dir) >= (int)sizeof tmp) return false;
    for (char *p = tmp + 1; *p; p++) {
        if (*p != '/') continue;
        *p = 0;
        if (mkdir(tmp, 0755) != 0 && errno != EEXIST) return false;
        *p = '/';
    }
    return mkdir(tmp, 0755) == 0 || errno == EEXIST;
}

static unsigned char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    unsigned char *buf = NULL;
    long n = -1;
    if (fseek(f, 0, SEEK_END) == 0) n = ftell(f);
    if (n > 0 && n < (1L << 30) && fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)n)) &&
        fread(buf, 1, (size_t)n, f) == (size_t)n) {
        *len = (size_t)n;
    } else {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    return buf;
}

/* Writes the program's binary to cl->cache_file; failures only leave a note. */
static void store_binary(mote_cl *cl, const char *dir)
{
    size_t len = 0;
    if (clGetProgramInfo(cl->prog, CL_PROGRAM_BINARY_SIZES, sizeof len, &len, NULL) != CL_SUCCESS || !len) {
        snprintf(cl->cache_note, sizeof cl->cache_note, "the driver gives no program binary");
        cl->cache_file[0] = 0;
        return;
    }
    unsigned char *bin = malloc(len);
    unsigned char *bins[1] = {bin};
    if (!bin || clGetProgramInfo(cl->prog, CL_PROGRAM_BINARIES, sizeof bins, bins, NULL) != CL_SUCCESS) {
        free(bin);
        snprintf(cl->cache_note, sizeof cl->cache_note, "the driver gives no program binary");
        cl->cache_file[0] = 0;
        return;
    }
    char tmp[600];
    snprintf(tmp, sizeof tmp, "%s.%ld.tmp", cl->cache_file, (long)getpid());
    FILE *f = make_dirs(dir) ? fopen(tmp, "wb") : NULL;
    bool ok = f && fwrite(bin, 1, len, f) == len;
    if (f && fclose(f) != 0) ok = false;
    if (ok && rename(tmp, cl->cache_file) != 0) ok = false;
    if (!ok) {
        if (f) unlink(tmp);
        snprintf(cl->cache_note, sizeof cl->cache_note, "cannot write the cache in %s: %s", dir,
                 strerror(errno ? errno : EIO));
        cl->cache_file[0] = 0;
    }
    free(bin);
}

/* ------------------------------------------------------------- build */

static mote_status build_error(mote_cl *cl, cl_int e)
{
    size_t len = 0;
    clGetProgramBuildInfo(cl->prog, cl->device, CL_PROGRAM_BUILD_LOG, 0, NULL, &len);
    char *log = len ? malloc(len + 1) : NULL;
    if (log && clGetProgramBuildInfo(cl->prog, cl->device, CL_PROGRAM_BUILD_LOG, len, log, NULL) == CL_SUCCESS)
        log[len] = 0;
    else if (log)
        log[0] = 0;
    mote_status st = mote_error(MOTE_ERR_UNSUPPORTED, "OpenCL: building mote's kernels for %s failed "
                                "(%s); build log: %.700s", cl->desc.name, mote_cl_error_name(e),
                                log && *log ? log : "(empty)");
    free(log);
    return st;
}

const char *const mote_cl_kernel_names[MOTE_CL_K_COUNT] = {
#define X(name) "mote_" #name,
    MOTE_CL_KERNEL_LIST(X)
#undef X
};

mote_status mote_cl_build(mote_cl *cl)
{
    mote_status st = choose_tile(cl);
    if (st != MOTE_OK) return st;
    cl->norm_wg = 1;
    while (cl->norm_wg * 2 <= 128 && (size_t)cl->norm_wg * 2 <= cl->desc.max_wg) cl->norm_wg *= 2;
    char opts[256];
    snprintf(opts, sizeof opts, "-cl-std=CL1.2 -DTSM=%d -DTSN=%d -DTSK=%d -DWPTM=%d -DWPTN=%d -DDM=%d -DNORM_WG=%d",
             cl->tile.tsm, cl->tile.tsn, cl->tile.tsk, cl->tile.wptm, cl->tile.wptn,
             cl->tile.dm > 0 ? cl->tile.dm : 8, cl->norm_wg);

    uint64_t h = 0xcbf29ce484222325ull;
    h = fnv1a_str(h, cl->desc.platform_name);
    h = fnv1a_str(h, cl->desc.platform_version);
    h = fnv1a_str(h, cl->desc.name);
    h = fnv1a_str(h, cl->desc.driver);
    h = fnv1a_str(h, cl->desc.version);
    h = fnv1a_str(h, opts);
    h = fnv1a(h, mote_cl_source, mote_cl_source_len);
    char dir[400];
    mote_cl_cache_dir(dir, sizeof dir);
    cl->cache_file[0] = 0;
    cl->cache_note[0] = 0;
    if (dir[0])
        snprintf(cl->cache_file, sizeof cl->cache_file, "%s/%016llx.bin", dir, (unsigned long long)h);
    else
        snprintf(cl->cache_note, sizeof cl->cache_note, "caching is off (MOTE_CL_CACHE=off or no HOME)");

    cl_int e = CL_SUCCESS;
    cl->from_cache = false;
    if (cl->cache_file[0]) {
        size_t len = 0;
        unsigned char *bin = read_file(cl->cache_file, &len);
        if (bin) {
            const unsigned char *bins[1] = {bin};
            cl_int bs;
            cl->prog = clCreateProgramWithBinary(cl->ctx, 1, &cl->device, &len, bins, &bs, &e);
            if (cl->prog && (e = clBuildProgram(cl->prog, 1, &cl->device, opts, NULL, NULL)) == CL_SUCCESS) {
                cl->from_cache = true;
            } else {
                /* a damaged or foreign file: build from source, then overwrite it */
                if (cl->prog) clReleaseProgram(cl->prog);
                cl->prog = NULL;
            }
            free(bin);
        }
    }
    if (!cl->prog) {
        const char *src = mote_cl_source;
        size_t len = mote_cl_source_len;
        cl->prog = clCreateProgramWithSource(cl->ctx, 1, &src, &len, &e);
        if (!cl->prog) return mote_cl_fail("clCreateProgramWithSource", e);
        e = clBuildProgram(cl->prog, 1, &cl->device, opts, NULL, NULL);
        if (e != CL_SUCCESS) return build_error(cl, e);
        if (cl->cache_file[0]) store_binary(cl, dir);
    }
    const char *const *names = mote_cl_kernel_names;
    for (int i = 0; i < MOTE_CL_K_COUNT; i++) {
        cl->k[i] = clCreateKernel(cl->prog, names[i], &e);
        if (!cl->k[i]) {
            return mote_error(MOTE_ERR_UNSUPPORTED, "OpenCL: clCreateKernel(%s) failed: %s (%d)",
                              names[i], mote_cl_error_name(e), (int)e);
        }
    }
    return MOTE_OK;
}
