/*
 * opencl_calls.h — counting the OpenCL calls mote makes (tests built with
 * --enable-opencl): opencl_calls.c defines the entry points below, which
 * the library's calls reach before the ICD loader's (a program's own
 * definitions come first), counts them and passes them on.
 */
#ifndef MOTE_TEST_OPENCL_CALLS_H
#define MOTE_TEST_OPENCL_CALLS_H

#include <stdatomic.h>

typedef struct cl_calls {
    atomic_long buffers;    /* clCreateBuffer, clCreateSubBuffer         */
    atomic_long writes;     /* clEnqueueWriteBuffer                       */
    atomic_long reads;      /* clEnqueueReadBuffer                        */
    atomic_long finishes;   /* clFinish                                   */
    atomic_long kernels;    /* clCreateKernel                             */
    atomic_long programs;   /* clCreateProgramWith*, clBuildProgram       */
    atomic_long set_args;   /* clSetKernelArg                             */
    atomic_long enqueues;   /* clEnqueueNDRangeKernel                     */
} cl_calls;

extern cl_calls mote_test_cl;
void mote_test_cl_reset(void);

#endif
