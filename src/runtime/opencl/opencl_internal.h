/*
 * opencl_internal.h — the opened device, for the backend's own files
 * (opencl_device.c, opencl_program.c, opencl_kernels.c).
 */
#ifndef MOTE_OPENCL_INTERNAL_H
#define MOTE_OPENCL_INTERNAL_H

#include "opencl.h"
#include "graph/internal.h"

/* the ICD loader's "no platform" (cl_khr_icd), not in every cl.h */
#ifndef CL_PLATFORM_NOT_FOUND_KHR
#define CL_PLATFORM_NOT_FOUND_KHR -1001
#endif

/* The program's kernels: enum MOTE_CL_K_<name> for kernel mote_<name>. */
#define MOTE_CL_KERNEL_LIST(X) \
    X(gemm_f32) X(gemm_direct_f32) X(conv2d_igemm_f32) X(conv2d_dw_f32) X(pool2d_f32) X(global_pool_f32) \
    X(unary_f32) X(binary_f32) X(channel_affine_f32) X(softmax_f32) X(layernorm_f32) \
    X(rmsnorm_f32) X(rope_f32) X(attend_f32) X(kv_store_f32) X(attention_f32) X(swiglu_f32) X(probe_fma)

enum {
#define X(name) MOTE_CL_K_##name,
    MOTE_CL_KERNEL_LIST(X)
#undef X
    MOTE_CL_K_COUNT
};

struct mote_cl {
    cl_platform_id platform;
    cl_device_id device;
    cl_context ctx;
    cl_command_queue q;             /* in order: each kernel sees the previous one's results */
    cl_program prog;
    cl_kernel k[MOTE_CL_K_COUNT];
    mote_cl_desc desc;
    mote_cl_gemm_tile tile;         /* gemm.cl's -D options            */
    const char *tile_source;        /* "table", "env" or "search"      */
    int norm_wg;                    /* work-group of the row kernels    */
    bool from_cache;                /* the program came from disk       */
    char cache_file[512];           /* "" if not cached                 */
    char cache_note[640];           /* why caching failed, or ""        */
    mote_cl_launch *rec;            /* recording launches (mote_cl_record) */
};

/* "mote_<name>" of kernel which (MOTE_CL_K_<name>) */
extern const char *const mote_cl_kernel_names[MOTE_CL_K_COUNT];

/* Builds (or loads from the cache) the program and creates its kernels. */
mote_status mote_cl_build(mote_cl *cl);
/* Records "OpenCL: CALL failed: NAME (code)" and returns its status. */
mote_status mote_cl_fail(const char *call, cl_int e);
const char *mote_cl_error_name(cl_int e);

/* the embedded arch/opencl sources (arch/opencl/cl_source.c, generated) */
extern const char mote_cl_source[];
extern const size_t mote_cl_source_len;

#endif
