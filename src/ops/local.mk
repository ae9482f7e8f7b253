# src/ops/local.mk — operator definitions (owner: ops).
libmote_core_la_SOURCES +=

# Reference kernels on hand-computed cases (no session needed).
check_PROGRAMS += tests/test_kernels_ref
tests_test_kernels_ref_SOURCES = tests/test_kernels_ref.c
tests_test_kernels_ref_CFLAGS = $(TEST_CFLAGS)
tests_test_kernels_ref_LDADD = $(TEST_LIBS)
TESTS += tests/test_kernels_ref
