/*
 * testutil.h — small helpers for mote's Check tests: building and running
 * one-node models, finding test data, random inputs.
 */
#ifndef MOTE_TESTUTIL_H
#define MOTE_TESTUTIL_H

#include <check.h>
#include <stdint.h>
#include "mote.h"

/* Runs a suite, returns the process exit code (0 if all passed). */
int mote_test_run(Suite *s);
/* A directory from the environment (e.g. "MOTE_SHARED_MODELS") if it is set
 * and exists, else NULL. */
const char *mote_test_dir(const char *env);
/* Path to a file under $MOTE_SRCDIR (static buffer). */
const char *mote_test_src_path(const char *rel);
/* A writable scratch directory for this test process (created once, removed
 * with its contents when the process that made it exits; set MOTE_TEST_KEEP
 * to keep it). */
const char *mote_test_tmpdir(void);
/* Deterministic pseudo-random floats in [lo, hi). */
void mote_test_fill(float *x, int64_t n, uint32_t seed, float lo, float hi);
/* Max |a - b| over n elements. */
float mote_test_maxdiff(const float *a, const float *b, int64_t n);

#define ck_assert_mote_ok(expr) do {                                        \
        mote_status st__ = (expr);                                          \
        ck_assert_msg(st__ == MOTE_OK, "%s -> %s: %s", #expr,               \
                      mote_status_name(st__), mote_last_error());           \
    } while (0)

#endif
