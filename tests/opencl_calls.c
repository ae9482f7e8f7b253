/*
 * opencl_calls.c — counts the OpenCL calls mote makes (see opencl_calls.h):
 * each wrapper counts and calls the ICD loader's function, found with
 * dlsym(RTLD_NEXT).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include "runtime/opencl/opencl.h"
#include "opencl_calls.h"

cl_calls mote_test_cl;

void mote_test_cl_reset(void)
{
    atomic_store(&mote_test_cl.buffers, 0);
    atomic_store(&mote_test_cl.writes, 0);
    atomic_store(&mote_test_cl.reads, 0);
    atomic_store(&mote_test_cl.finishes, 0);
    atomic_store(&mote_test_cl.kernels, 0);
    atomic_store(&mote_test_cl.programs, 0);
    atomic_store(&mote_test_cl.set_args, 0);
    atomic_store(&mote_test_cl.enqueues, 0);
}

/* the next definition of name (the loader's), looked up once */
#define NEXT(name) \
    (__extension__({ static __typeof__(name) *fn_; if (!fn_) fn_ = (__typeof__(name) *)dlsym(RTLD_NEXT, #name); fn_; }))

cl_mem clCreateBuffer(cl_context c, cl_mem_flags f, size_t n, void *h, cl_int *e)
{
    atomic_fetch_add(&mote_test_cl.buffers, 1);
    return NEXT(clCreateBuffer)(c, f, n, h, e);
}

cl_mem clCreateSubBuffer(cl_mem b, cl_mem_flags f, cl_buffer_create_type t, const void *i, cl_int *e)
{
    atomic_fetch_add(&mote_test_cl.buffers, 1);
    return NEXT(clCreateSubBuffer)(b, f, t, i, e);
}

cl_int clEnqueueWriteBuffer(cl_command_queue q, cl_mem b, cl_bool blk, size_t off, size_t n, const void *p,
                            cl_uint ne, const cl_event *w, cl_event *ev)
{
    atomic_fetch_add(&mote_test_cl.writes, 1);
    return NEXT(clEnqueueWriteBuffer)(q, b, blk, off, n, p, ne, w, ev);
}

cl_int clEnqueueReadBuffer(cl_command_queue q, cl_mem b, cl_bool blk, size_t off, size_t n, void *p,
                           cl_uint ne, const cl_event *w, cl_event *ev)
{
    atomic_fetch_add(&mote_test_cl.reads, 1);
    return NEXT(clEnqueueReadBuffer)(q, b, blk, off, n, p, ne, w, ev);
}

cl_int clFinish(cl_command_queue q)
{
    atomic_fetch_add(&mote_test_cl.finishes, 1);
    return NEXT(clFinish)(q);
}

cl_kernel clCreateKernel(cl_program p, const char *name, cl_int *e)
{
    atomic_fetch_add(&mote_test_cl.kernels, 1);
    return NEXT(clCreateKernel)(p, name, e);
}

cl_program clCreateProgramWithSource(cl_context c, cl_uint n, const char **s, const size_t *l, cl_int *e)
{
    atomic_fetch_add(&mote_test_cl.programs, 1);
    return NEXT(clCreateProgramWithSource)(c, n, s, l, e);
}

cl_program clCreateProgramWithBinary(cl_context c, cl_uint n, const cl_device_id *d, const size_t *l,
                                     const unsigned char **b, cl_int *st, cl_int *e)
{
    atomic_fetch_add(&mote_test_cl.programs, 1);
    return NEXT(clCreateProgramWithBinary)(c, n, d, l, b, st, e);
}

cl_int clBuildProgram(cl_program p, cl_uint n, const cl_device_id *d, const char *o,
                      void (CL_CALLBACK *cb)(cl_program, void *), void *u)
{
    atomic_fetch_add(&mote_test_cl.programs, 1);
    return NEXT(clBuildProgram)(p, n, d, o, cb, u);
}

cl_int clSetKernelArg(cl_kernel k, cl_uint i, size_t n, const void *v)
{
    atomic_fetch_add(&mote_test_cl.set_args, 1);
    return NEXT(clSetKernelArg)(k, i, n, v);
}

cl_int clEnqueueNDRangeKernel(cl_command_queue q, cl_kernel k, cl_uint d, const size_t *o, const size_t *g,
                              const size_t *l, cl_uint ne, const cl_event *w, cl_event *ev)
{
    atomic_fetch_add(&mote_test_cl.enqueues, 1);
    return NEXT(clEnqueueNDRangeKernel)(q, k, d, o, g, l, ne, w, ev);
}
