/*
 * opencl_device.c — OpenCL platforms and devices: listing them with what
 * `mote info --devices` shows, opening one (context, in-order queue, the
 * program from opencl_program.c), device buffers, and the short peak-FLOP
 * probe. Not here: building the program (opencl_program.c), the kernels'
 * arguments (opencl_kernels.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "opencl_internal.h"

/* ------------------------------------------------------------- errors */

const char *mote_cl_error_name(cl_int e)
{
    switch (e) {
#define E(x) case x: return #x;
    E(CL_DEVICE_NOT_FOUND) E(CL_DEVICE_NOT_AVAILABLE) E(CL_COMPILER_NOT_AVAILABLE)
    E(CL_MEM_OBJECT_ALLOCATION_FAILURE) E(CL_OUT_OF_RESOURCES) E(CL_OUT_OF_HOST_MEMORY)
    E(CL_BUILD_PROGRAM_FAILURE) E(CL_INVALID_VALUE) E(CL_INVALID_PLATFORM)
    E(CL_INVALID_DEVICE) E(CL_INVALID_CONTEXT) E(CL_INVALID_COMMAND_QUEUE)
    E(CL_INVALID_MEM_OBJECT) E(CL_INVALID_BINARY) E(CL_INVALID_BUILD_OPTIONS)
    E(CL_INVALID_PROGRAM) E(CL_INVALID_PROGRAM_EXECUTABLE) E(CL_INVALID_KERNEL_NAME)
    E(CL_INVALID_KERNEL) E(CL_INVALID_ARG_INDEX) E(CL_INVALID_ARG_VALUE)
    E(CL_INVALID_ARG_SIZE) E(CL_INVALID_KERNEL_ARGS) E(CL_INVALID_WORK_DIMENSION)
    E(CL_INVALID_WORK_GROUP_SIZE) E(CL_INVALID_WORK_ITEM_SIZE) E(CL_INVALID_GLOBAL_OFFSET)
    E(CL_INVALID_BUFFER_SIZE) E(CL_INVALID_GLOBAL_WORK_SIZE) E(CL_MISALIGNED_SUB_BUFFER_OFFSET)
    E(CL_PLATFORM_NOT_FOUND_KHR)
#undef E
    default: return "an OpenCL error";
    }
}

mote_status mote_cl_fail(const char *call, cl_int e)
{
    mote_status st = (e == CL_MEM_OBJECT_ALLOCATION_FAILURE || e == CL_OUT_OF_RESOURCES ||
                      e == CL_OUT_OF_HOST_MEMORY || e == CL_INVALID_BUFFER_SIZE)
                     ? MOTE_ERR_NOMEM : MOTE_ERR_UNSUPPORTED;
    return mote_error(st, "OpenCL: %s failed: %s (%d)", call, mote_cl_error_name(e), (int)e);
}

/* ------------------------------------------------------------ listing */

static void dev_string(cl_device_id d, cl_device_info what, char *buf, size_t len)
{
    buf[0] = 0;
    if (clGetDeviceInfo(d, what, len, buf, NULL) != CL_SUCCESS) buf[0] = 0;
    buf[len - 1] = 0;
}

static void describe(cl_platform_id p, cl_device_id d, int pi, int di, mote_cl_desc *o)
{
    memset(o, 0, sizeof *o);
    o->platform = pi;
    o->device = di;
    clGetPlatformInfo(p, CL_PLATFORM_NAME, sizeof o->platform_name, o->platform_name, NULL);
    clGetPlatformInfo(p, CL_PLATFORM_VERSION, sizeof o->platform_version, o->platform_version, NULL);
    o->platform_name[sizeof o->platform_name - 1] = 0;
    o->platform_version[sizeof o->platform_version - 1] = 0;
    dev_string(d, CL_DEVICE_NAME, o->name, sizeof o->name);
    dev_string(d, CL_DEVICE_VENDOR, o->vendor, sizeof o->vendor);
    dev_string(d, CL_DRIVER_VERSION, o->driver, sizeof o->driver);
    dev_string(d, CL_DEVICE_VERSION, o->version, sizeof o->version);
    cl_device_type t = 0;
    cl_uint cu = 0, mhz = 0;
    cl_ulong gm = 0, lm = 0, ma = 0;
    size_t wg = 0;
    clGetDeviceInfo(d, CL_DEVICE_TYPE, sizeof t, &t, NULL);
    clGetDeviceInfo(d, CL_DEVICE_MAX_COMPUTE_UNITS, sizeof cu, &cu, NULL);
    clGetDeviceInfo(d, CL_DEVICE_MAX_CLOCK_FREQUENCY, sizeof mhz, &mhz, NULL);
    clGetDeviceInfo(d, CL_DEVICE_GLOBAL_MEM_SIZE, sizeof gm, &gm, NULL);
    clGetDeviceInfo(d, CL_DEVICE_LOCAL_MEM_SIZE, sizeof lm, &lm, NULL);
    clGetDeviceInfo(d, CL_DEVICE_MAX_MEM_ALLOC_SIZE, sizeof ma, &ma, NULL);
    clGetDeviceInfo(d, CL_DEVICE_MAX_WORK_GROUP_SIZE, sizeof wg, &wg, NULL);
    o->is_gpu = (t & CL_DEVICE_TYPE_GPU) != 0;
    o->is_cpu = (t & CL_DEVICE_TYPE_CPU) != 0;
    o->compute_units = cu;
    o->clock_mhz = mhz;
    o->global_mem = gm;
    o->local_mem = lm;
    o->max_alloc = ma;
    o->max_wg = wg;
    size_t elen = 0;
    if (clGetDeviceInfo(d, CL_DEVICE_EXTENSIONS, 0, NULL, &elen) == CL_SUCCESS && elen) {
        char *ext = malloc(elen + 1);
        if (ext && clGetDeviceInfo(d, CL_DEVICE_EXTENSIONS, elen, ext, NULL) == CL_SUCCESS) {
            ext[elen] = 0;
            o->fp16 = strstr(ext, "cl_khr_fp16") != NULL;
            o->fp64 = strstr(ext, "cl_khr_fp64") != NULL;
        }
        free(ext);
    }
}

/* The platforms (at most 16); n = 0 when the ICD loader finds none. */
static mote_status platforms(cl_platform_id *ids, cl_uint *n)
{
    *n = 0;
    cl_int e = clGetPlatformIDs(16, ids, n);
    if (e == CL_PLATFORM_NOT_FOUND_KHR || (e == CL_SUCCESS && *n == 0)) {
        *n = 0;
        return MOTE_OK;
    }
    if (e != CL_SUCCESS) return mote_cl_fail("clGetPlatformIDs", e);
    if (*n > 16) *n = 16;
    return MOTE_OK;
}

static cl_uint devices(cl_platform_id p, cl_device_id *ids)
{
    cl_uint n = 0;
    if (clGetDeviceIDs(p, CL_DEVICE_TYPE_ALL, 16, ids, &n) != CL_SUCCESS) return 0;
    return n > 16 ? 16 : n;
}

mote_status mote_cl_list(mote_cl_desc *out, int cap, int *n)
{
    cl_platform_id ps[16];
    cl_uint np;
    *n = 0;
    mote_status st = platforms(ps, &np);
    if (st != MOTE_OK) return st;
    for (cl_uint p = 0; p < np; p++) {
        cl_device_id ds[16];
        cl_uint nd = devices(ps[p], ds);
        for (cl_uint d = 0; d < nd; d++) {
            if (*n < cap) describe(ps[p], ds[d], (int)p, (int)d, &out[*n]);
            (*n)++;
        }
    }
    return MOTE_OK;
}

/* ------------------------------------------------------------ opening */

/* (-1, -1): the first GPU of any platform, else the first device. */
static mote_status find_device(int pi, int di, cl_platform_id *pp, cl_device_id *dp,
                               int *pio, int *dio)
{
    cl_platform_id ps[16];
    cl_uint np;
    mote_status st = platforms(ps, &np);
    if (st != MOTE_OK) return st;
    if (np == 0)
        return mote_error(MOTE_ERR_UNSUPPORTED, "OpenCL: no platform found (is an ICD such as "
                          "pocl-opencl-icd or a GPU driver installed?)");
    if (pi >= 0) {
        if ((cl_uint)pi >= np)
            return mote_error(MOTE_ERR_ARG, "OpenCL: platform %d does not exist (there are %u)", pi, np);
        cl_device_id ds[16];
        cl_uint nd = devices(ps[pi], ds);
        if (di < 0 || (cl_uint)di >= nd)
            return mote_error(MOTE_ERR_ARG, "OpenCL: platform %d has no device %d (it has %u)", pi, di, nd);
        *pp = ps[pi];
        *dp = ds[di];
        *pio = pi;
        *dio = di;
        return MOTE_OK;
    }
    int first_p = -1, first_d = -1;
    for (cl_uint p = 0; p < np; p++) {
        cl_device_id ds[16];
        cl_uint nd = devices(ps[p], ds);
        for (cl_uint d = 0; d < nd; d++) {
            cl_device_type t = 0;
            clGetDeviceInfo(ds[d], CL_DEVICE_TYPE, sizeof t, &t, NULL);
            if (first_p < 0) { first_p = (int)p; first_d = (int)d; }
            if (t & CL_DEVICE_TYPE_GPU) {
                *pp = ps[p]; *dp = ds[d]; *pio = (int)p; *dio = (int)d;
                return MOTE_OK;
            }
        }
    }
    if (first_p < 0) return mote_error(MOTE_ERR_UNSUPPORTED, "OpenCL: no device found");
    cl_device_id ds[16];
    devices(ps[first_p], ds);
    *pp = ps[first_p];
    *dp = ds[first_d];
    *pio = first_p;
    *dio = first_d;
    return MOTE_OK;
}

mote_status mote_cl_open(int platform, int device, mote_cl **out)
{
    if (!out) return mote_error(MOTE_ERR_ARG, "mote_cl_open: NULL output pointer");
    *out = NULL;
    mote_cl *cl = calloc(1, sizeof *cl);
    if (!cl) return mote_error(MOTE_ERR_NOMEM, "out of memory");
    int pi = -1, di = -1;
    mote_status st = find_device(platform, device, &cl->platform, &cl->device, &pi, &di);
    if (st != MOTE_OK) goto fail;
    describe(cl->platform, cl->device, pi, di, &cl->desc);
    cl_int e;
    cl_context_properties props[] = {CL_CONTEXT_PLATFORM, (cl_context_properties)cl->platform, 0};
    cl->ctx = clCreateContext(props, 1, &cl->device, NULL, NULL, &e);
    if (!cl->ctx) { st = mote_cl_fail("clCreateContext", e); goto fail; }
    cl->q = clCreateCommandQueue(cl->ctx, cl->device, 0, &e);
    if (!cl->q) { st = mote_cl_fail("clCreateCommandQueue", e); goto fail; }
    if ((st = mote_cl_build(cl)) != MOTE_OK) goto fail;
    *out = cl;
    return MOTE_OK;
fail:
    mote_cl_close(cl);
    return st;
}

void mote_cl_close(mote_cl *cl)
{
    if (!cl) return;
    for (int i = 0; i < MOTE_CL_K_COUNT; i++)
        if (cl->k[i]) clReleaseKernel(cl->k[i]);
    if (cl->prog) clReleaseProgram(cl->prog);
    if (cl->q) clReleaseCommandQueue(cl->q);
    if (cl->ctx) clReleaseContext(cl->ctx);
    free(cl);
}

const mote_cl_desc *mote_cl_describe(const mote_cl *cl) { return cl ? &cl->desc : NULL; }
cl_command_queue mote_cl_queue(mote_cl *cl) { return cl->q; }
cl_context mote_cl_context(mote_cl *cl) { return cl->ctx; }

mote_cl_gemm_tile mote_cl_tile(const mote_cl *cl, const char **source)
{
    if (source) *source = cl->tile_source;
    return cl->tile;
}

const char *mote_cl_program_origin(const mote_cl *cl, const char **cache_file, const char **note)
{
    if (cache_file) *cache_file = cl->cache_file;
    if (note) *note = cl->cache_note;
    return cl->from_cache ? "cache" : "built";
}

/* ------------------------------------------------------------ buffers */

mote_status mote_cl_alloc(mote_cl *cl, size_t bytes, cl_mem *out)
{
    cl_int e;
    *out = clCreateBuffer(cl->ctx, CL_MEM_READ_WRITE, bytes ? bytes : 64, NULL, &e);
    if (!*out) {
        mote_cl_fail("clCreateBuffer", e);
        return mote_error(MOTE_ERR_NOMEM, "OpenCL: cannot allocate %zu bytes on %s (%s)", bytes,
                          cl->desc.name, mote_cl_error_name(e));
    }
    return MOTE_OK;
}

void mote_cl_release(cl_mem m)
{
    if (m) clReleaseMemObject(m);
}

mote_status mote_cl_write(mote_cl *cl, mote_cl_mem m, const void *src, size_t bytes)
{
    if (!bytes) return MOTE_OK;
    cl_int e = clEnqueueWriteBuffer(cl->q, m.mem, CL_TRUE, (size_t)m.off * sizeof(float), bytes,
                                    src, 0, NULL, NULL);
    return e == CL_SUCCESS ? MOTE_OK : mote_cl_fail("clEnqueueWriteBuffer", e);
}

mote_status mote_cl_read_async(mote_cl *cl, mote_cl_mem m, void *dst, size_t bytes)
{
    if (!bytes) return MOTE_OK;
    cl_int e = clEnqueueReadBuffer(cl->q, m.mem, CL_FALSE, (size_t)m.off * sizeof(float), bytes,
                                   dst, 0, NULL, NULL);
    return e == CL_SUCCESS ? MOTE_OK : mote_cl_fail("clEnqueueReadBuffer", e);
}

mote_status mote_cl_read(mote_cl *cl, mote_cl_mem m, void *dst, size_t bytes)
{
    if (!bytes) return MOTE_OK;
    cl_int e = clEnqueueReadBuffer(cl->q, m.mem, CL_TRUE, (size_t)m.off * sizeof(float), bytes,
                                   dst, 0, NULL, NULL);
    return e == CL_SUCCESS ? MOTE_OK : mote_cl_fail("clEnqueueReadBuffer", e);
}

mote_status mote_cl_finish(mote_cl *cl)
{
    cl_int e = clFinish(cl->q);
    return e == CL_SUCCESS ? MOTE_OK : mote_cl_fail("clFinish", e);
}

/* -------------------------------------------------------------- probe */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/*
 * probe.cl's loop on enough work-items to fill every compute unit many
 * times over; the best of three timed runs after a warm-up. 128 FLOPs per
 * round per work-item (16 float4 FMAs), PROBE_ITERS (512) rounds.
 */
mote_status mote_cl_probe_peak(mote_cl *cl, double *gflops)
{
    size_t items = (size_t)(cl->desc.compute_units ? cl->desc.compute_units : 1) * 4096;
    if (cl->desc.is_gpu) items *= 16;
    size_t local = 64 <= cl->desc.max_wg ? 64 : cl->desc.max_wg;
    items = (items + local - 1) / local * local;
    cl_mem out;
    mote_status st = mote_cl_alloc(cl, items * sizeof(float), &out);
    if (st != MOTE_OK) return st;
    cl_kernel k = cl->k[MOTE_CL_K_probe_fma];
    float a = 0.999f, b = 0.001f;
    clSetKernelArg(k, 0, sizeof out, &out);
    clSetKernelArg(k, 1, sizeof a, &a);
    clSetKernelArg(k, 2, sizeof b, &b);
    double best = 1e30;
    for (int rep = 0; rep < 4 && st == MOTE_OK; rep++) {
        double t0 = now_s();
        cl_int e = clEnqueueNDRangeKernel(cl->q, k, 1, NULL, &items, &local, 0, NULL, NULL);
        if (e == CL_SUCCESS) e = clFinish(cl->q);
        if (e != CL_SUCCESS) st = mote_cl_fail("probe kernel", e);
        double t = now_s() - t0;
        if (rep > 0 && t < best) best = t;
    }
    mote_cl_release(out);
    if (st == MOTE_OK) *gflops = (double)items * 128.0 * 512.0 / best * 1e-9;
    return st;
}
