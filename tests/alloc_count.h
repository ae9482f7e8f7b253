/*
 * alloc_count.h — counting a test program's allocations, for the tests
 * that a session's run allocates nothing (test_session, test_control_flow,
 * onnx/run_node_tests). Include it from one file of a program, after the
 * C library's headers: it defines malloc and its kin, which glibc lets a
 * program do while still reaching its own (__libc_malloc and the rest).
 *
 * Not under AddressSanitizer or ThreadSanitizer, whose allocators these
 * wrappers would bypass (a free of their memory through libc aborts), nor
 * off glibc: HAVE_ALLOC_COUNT is defined only where counting works, and a
 * test without it says it skipped.
 *
 *     alloc_count_start();
 *     ... runs, with no Check assertion in between (Check allocates) ...
 *     long n = alloc_count_stop();
 *
 * With OpenCL (MOTE_HAVE_OPENCL), a session placed on a device has the
 * ICD's runtime allocate for its own bookkeeping, in its library and its
 * own threads: after alloc_count_device(true), only what the program's own
 * code asks for (mote is linked in statically) counts, told apart by the
 * caller's address; alloc_count_runtime() gives the rest. The wrappers are
 * then exported, as the runtime's library calls them too.
 */
#ifndef MOTE_TEST_ALLOC_COUNT_H
#define MOTE_TEST_ALLOC_COUNT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#if defined(__GLIBC__) && !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);
extern void __libc_free(void *);

static atomic_long alloc_n;
static atomic_bool alloc_on;
static atomic_bool alloc_device;
static atomic_long alloc_n_runtime;

#ifdef MOTE_HAVE_OPENCL
extern char __executable_start[], etext[];
#define ALLOC_FROM_PROGRAM() ((char *)__builtin_return_address(0) >= __executable_start && \
                              (char *)__builtin_return_address(0) < etext)
#define ALLOC_WRAPPER __attribute__((visibility("default")))
#else
#define ALLOC_FROM_PROGRAM() 1
#define ALLOC_WRAPPER
#endif

#define ALLOC_COUNT() do {                                                          \
        if (!atomic_load(&alloc_on)) break;                                         \
        if (!atomic_load(&alloc_device) || ALLOC_FROM_PROGRAM()) atomic_fetch_add(&alloc_n, 1); \
        else atomic_fetch_add(&alloc_n_runtime, 1);                                 \
    } while (0)

ALLOC_WRAPPER void *malloc(size_t n) { ALLOC_COUNT(); return __libc_malloc(n); }
ALLOC_WRAPPER void *calloc(size_t a, size_t b) { ALLOC_COUNT(); return __libc_calloc(a, b); }
ALLOC_WRAPPER void *realloc(void *p, size_t n) { ALLOC_COUNT(); return __libc_realloc(p, n); }
ALLOC_WRAPPER void free(void *p) { __libc_free(p); }
ALLOC_WRAPPER int posix_memalign(void **p, size_t al, size_t n)
{
    ALLOC_COUNT();
    *p = __libc_memalign(al, n);
    return *p ? 0 : 12;
}
ALLOC_WRAPPER void *aligned_alloc(size_t al, size_t n) { ALLOC_COUNT(); return __libc_memalign(al, n); }

static inline void alloc_count_start(void)
{
    atomic_store(&alloc_n, 0);
    atomic_store(&alloc_n_runtime, 0);
    atomic_store(&alloc_on, true);
}

/* the program's allocations since alloc_count_start */
static inline long alloc_count_stop(void)
{
    atomic_store(&alloc_on, false);
    return atomic_load(&alloc_n);
}

/* on: count only the program's own allocations (a session on a device) */
static inline void alloc_count_device(bool on) { atomic_store(&alloc_device, on); }

/* the device runtime's allocations over the last count */
static inline long alloc_count_runtime(void) { return atomic_load(&alloc_n_runtime); }

#define HAVE_ALLOC_COUNT 1
#endif

#endif
