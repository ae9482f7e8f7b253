/*
 * opencl.h — mote's OpenCL backend, for the runtime's own files, the tests
 * and the benchmarks (not installed): finding platforms and devices,
 * opening one (context, queue, the kernels of arch/opencl built once and
 * cached on disk), device buffers, and one host function per kernel with
 * the contract of its CPU reference (in kernels/), on device buffers.
 *
 * Device buffers are passed as a mote_cl_mem: a cl_mem and an offset in
 * floats, so that one buffer (an arena, a weight store) holds many
 * tensors. Every function returns a mote_status and leaves a message
 * (naming the OpenCL call and its error) in mote_last_error(); nothing
 * prints. Kernel calls only enqueue: mote_cl_read / mote_cl_finish wait.
 *
 * Only built with ./configure --enable-opencl (MOTE_HAVE_OPENCL); the
 * device choice (device.h) exists in every build.
 */
#ifndef MOTE_OPENCL_H
#define MOTE_OPENCL_H

#define CL_TARGET_OPENCL_VERSION 120
#define CL_USE_DEPRECATED_OPENCL_1_2_APIS
#include <CL/cl.h>
#include <stdbool.h>
#include "mote.h"
#include "kernels.h"

/* What `mote info --devices` shows of one device. */
typedef struct mote_cl_desc {
    int platform, device;              /* indices, as MOTE_DEVICE=opencl:P:D */
    char platform_name[128];
    char platform_version[128];
    char name[128];
    char vendor[128];
    char driver[64];                   /* driver version                    */
    char version[128];                 /* OpenCL version of the device      */
    bool is_gpu, is_cpu;
    unsigned compute_units;
    unsigned clock_mhz;
    uint64_t global_mem, local_mem, max_alloc;
    size_t max_wg;                     /* largest work-group                */
    bool fp16, fp64;                   /* cl_khr_fp16 / cl_khr_fp64          */
} mote_cl_desc;

/* Every device of every platform, up to cap (n: how many exist). An
 * installation without any platform gives n = 0 and MOTE_OK. */
mote_status mote_cl_list(mote_cl_desc *out, int cap, int *n);

/* GEMM tile parameters (the -D options of gemm.cl): the local-memory
 * tiled kernel's, and dm > 0 when GEMMs take the direct kernel instead
 * (dm rows per work-item, no local memory: CPU devices). */
typedef struct mote_cl_gemm_tile {
    int tsm, tsn, tsk, wptm, wptn;
    int dm;
} mote_cl_gemm_tile;

/* An opened device. */
typedef struct mote_cl mote_cl;

/*
 * Opens device (platform, device) — (-1, -1): the first GPU, else the
 * first device — creates its context and queue and builds the program
 * (from the on-disk cache when it holds this device, driver and source).
 */
mote_status mote_cl_open(int platform, int device, mote_cl **out);
void mote_cl_close(mote_cl *cl);
const mote_cl_desc *mote_cl_describe(const mote_cl *cl);
/* The tile the GEMM kernels were built with, and where it came from
 * ("table", "env" or "search"). */
mote_cl_gemm_tile mote_cl_tile(const mote_cl *cl, const char **source);
/* How the program was obtained: "built", "cache" (a binary from disk), and
 * the cache file ("" if caching is off or failed, with why in *note). */
const char *mote_cl_program_origin(const mote_cl *cl, const char **cache_file, const char **note);

/*
 * The program cache: MOTE_CL_CACHE if set ("off" disables it), else
 * $XDG_CACHE_HOME/mote/opencl, else $HOME/.cache/mote/opencl. Writes dir
 * into buf (empty when off or unknown).
 */
void mote_cl_cache_dir(char *buf, size_t len);

/* The peak FP32 rate measured by a short FMA loop (GFLOP/s). */
mote_status mote_cl_probe_peak(mote_cl *cl, double *gflops);

/* ------------------------------------------------------------- buffers */

typedef struct mote_cl_mem {
    cl_mem mem;          /* NULL: absent (an optional operand)       */
    int64_t off;         /* in floats from the start of mem          */
} mote_cl_mem;

mote_status mote_cl_alloc(mote_cl *cl, size_t bytes, cl_mem *out);
void mote_cl_release(cl_mem m);
/* bytes at element offset m.off; blocking */
mote_status mote_cl_write(mote_cl *cl, mote_cl_mem m, const void *src, size_t bytes);
mote_status mote_cl_read(mote_cl *cl, mote_cl_mem m, void *dst, size_t bytes);
/* not blocking: dst is written when the queue gets there (a later
 * blocking read or mote_cl_finish waits for it) */
mote_status mote_cl_read_async(mote_cl *cl, mote_cl_mem m, void *dst, size_t bytes);
mote_status mote_cl_finish(mote_cl *cl);
/* The device's command queue and context (benchmarks, CLBlast). */
cl_command_queue mote_cl_queue(mote_cl *cl);
cl_context mote_cl_context(mote_cl *cl);

/* ------------------------------------------------------------- kernels */

/* One kernel launch made ready before the runs: a kernel object of its
 * own with every argument set, and its range (dims 0: an empty output,
 * nothing to enqueue). */
typedef struct mote_cl_launch {
    cl_kernel k;
    cl_uint dims;
    size_t global[3], local[3];
    const char *name;
} mote_cl_launch;

/* While into is set (until mote_cl_record(cl, NULL)), a kernel function
 * below enqueues nothing: it creates a kernel object, sets its arguments
 * and writes the launch to *into (each call overwrites it). A session's
 * placement does this once per device step, so that a run only enqueues.
 * Not thread safe (the caller serializes the device's users). */
void mote_cl_record(mote_cl *cl, mote_cl_launch *into);
mote_status mote_cl_enqueue(mote_cl *cl, const mote_cl_launch *l);
void mote_cl_launch_release(mote_cl_launch *l);

/* mote_gemm_args on device buffers (bias.mem NULL: no bias). */
typedef struct mote_cl_gemm_args {
    int64_t M, N, K;
    mote_cl_mem A; int64_t lda; int trans_a;
    mote_cl_mem B; int64_t ldb; int trans_b;
    mote_cl_mem C; int64_t ldc;
    float alpha, beta;
    mote_cl_mem bias; int bias_per_row;
    mote_act act;
} mote_cl_gemm_args;
mote_status mote_cl_gemm(mote_cl *cl, const mote_cl_gemm_args *a);

/* mote_conv2d_args for the whole image (oc0..oc1 and its pointers are
 * ignored): depthwise, 1x1 as a GEMM, else the implicit GEMM. */
mote_status mote_cl_conv2d(mote_cl *cl, const mote_conv2d_args *shape, mote_cl_mem x,
                           mote_cl_mem w, mote_cl_mem bias, mote_cl_mem y);

/* mote_pool2d_args for all channels (c0..c1 and pointers ignored). */
mote_status mote_cl_pool2d(mote_cl *cl, bool is_max, const mote_pool2d_args *shape,
                           mote_cl_mem x, mote_cl_mem y);
mote_status mote_cl_global_pool(mote_cl *cl, bool is_max, int64_t C, int64_t HW,
                                mote_cl_mem x, mote_cl_mem y);

mote_status mote_cl_unary(mote_cl *cl, mote_unary_op op, int64_t n, mote_cl_mem x,
                          mote_cl_mem y, float alpha, float beta);
/* y = a OP b over dims[ndim] (ndim <= 8), a and b read with element
 * strides astr / bstr (0 along a broadcast dimension). */
mote_status mote_cl_binary(mote_cl *cl, mote_binary_op op, int ndim, const int64_t *dims,
                           mote_cl_mem a, const int64_t *astr, mote_cl_mem b,
                           const int64_t *bstr, mote_cl_mem y);
mote_status mote_cl_channel_affine(mote_cl *cl, int64_t C, int64_t HW, mote_cl_mem x,
                                   mote_cl_mem scale, mote_cl_mem shift, mote_cl_mem y,
                                   mote_act act);

mote_status mote_cl_softmax(mote_cl *cl, int64_t rows, int64_t n, mote_cl_mem x,
                            mote_cl_mem y, int log);
mote_status mote_cl_layernorm(mote_cl *cl, int64_t rows, int64_t n, mote_cl_mem x,
                              mote_cl_mem gamma, mote_cl_mem beta, float eps, mote_cl_mem y);
mote_status mote_cl_rmsnorm(mote_cl *cl, int64_t rows, int64_t n, mote_cl_mem x,
                            mote_cl_mem gamma, float eps, mote_cl_mem y);

/* A position on the device: the op's pos input in buffer at (4-byte
 * offset), an int32 (kind 1) or int64 (kind 2); at.mem NULL: none. */
typedef struct mote_cl_pos {
    mote_cl_mem at;
    int kind;
} mote_cl_pos;

/* rope_f32 of kernels/llm.h on one row, in place */
mote_status mote_cl_rope(mote_cl *cl, int64_t n_heads, int64_t hs, int64_t pos, float theta,
                         mote_cl_mem x);
/* LlmRope: y = x (T rows of n_heads * hs) rotated, row t at position
 * (*pos, or 0 when absent) + pos_add + t; y may be x */
mote_status mote_cl_rope_rows(mote_cl *cl, int64_t T, int64_t n_heads, int64_t hs, const mote_cl_pos *pos,
                              int64_t pos_add, float theta, mote_cl_mem x, mote_cl_mem y);
/* LlmAttention's cache update: rows k, v (T of kvd) into the caches kc,
 * vc (max_seq of kvd) at *pos; nothing when pos + T does not fit */
mote_status mote_cl_kv_store(mote_cl *cl, int64_t T, int64_t kvd, int64_t max_seq, const mote_cl_pos *pos,
                             mote_cl_mem k, mote_cl_mem v, mote_cl_mem kc, mote_cl_mem vc);
/* LlmAttention after the store: y (T, n_heads * hs), row t attending to
 * cache rows 0 .. *pos + t (attend_f32 per head), zeros when the positions
 * do not fit; s: T * n_heads * max_seq floats of scratch */
mote_status mote_cl_attention(mote_cl *cl, int64_t T, int64_t n_heads, int64_t kv_mul, int64_t hs,
                              int64_t max_seq, float scale, const mote_cl_pos *pos, mote_cl_mem q,
                              mote_cl_mem kc, mote_cl_mem vc, mote_cl_mem s, mote_cl_mem y);
/* swiglu_f32 of kernels/llm.h */
mote_status mote_cl_swiglu(mote_cl *cl, int64_t n, mote_cl_mem a, mote_cl_mem b, mote_cl_mem y);
/* attend_f32 of kernels/llm.h for n_heads query heads at once: head h
 * reads q[h*hs..], the cache's kv head h / kv_mul (columns (h/kv_mul)*hs
 * of rows j < n, row stride ld, from k.off / v.off), uses s[h*s_ld..] as
 * scratch and writes y[h*hs..]. */
mote_status mote_cl_attend(mote_cl *cl, int64_t n_heads, int64_t kv_mul, int64_t n, int64_t hs,
                           float scale, mote_cl_mem q, mote_cl_mem k, mote_cl_mem v, int64_t ld,
                           mote_cl_mem s, int64_t s_ld, mote_cl_mem y);

#endif
