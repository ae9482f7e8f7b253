# arch/arm/local.mk — the NEON kernel table (owner: arm). AArch64 only:
# ASIMD is part of the base architecture, so the files need no extra flags.
# The test compares every entry with the reference and runs under
# qemu-aarch64 in a cross build (see MOTE_TEST_RUNNER in configure.ac and
# arch/arm/qemu-run.in, the runner configure makes for it).
EXTRA_DIST += arch/arm/qemu-run.in
if HAVE_ARM
libmote_core_la_SOURCES += arch/arm/neon/neon.h arch/arm/neon/neon_math.h \
	arch/arm/neon/neon_table.c arch/arm/neon/elementwise_neon.c \
	arch/arm/neon/gemm_neon.c arch/arm/neon/conv_neon.c \
	arch/arm/neon/pool_neon.c arch/arm/neon/norm_neon.c

check_PROGRAMS += tests/test_kernels_neon
tests_test_kernels_neon_SOURCES = tests/test_kernels_neon.c tests/testutil.c tests/testutil.h
tests_test_kernels_neon_CFLAGS = $(TEST_CFLAGS)
tests_test_kernels_neon_LDADD = $(TEST_LIBS)
TESTS += tests/test_kernels_neon
endif
