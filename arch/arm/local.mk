# arch/arm/local.mk — the NEON kernel tables (general and LLM). AArch64 only: ASIMD is part of
# the base architecture, so the files need no extra flags. A cross build
# runs the test suite under qemu-aarch64 (MOTE_TEST_RUNNER in configure.ac,
# arch/arm/qemu-run.in the runner configure makes for it).
EXTRA_DIST += arch/arm/qemu-run.in
if HAVE_ARM
libmote_core_la_SOURCES += arch/arm/neon/neon.h arch/arm/neon/neon_math.h \
	arch/arm/neon/neon_table.c arch/arm/neon/elementwise_neon.c \
	arch/arm/neon/gemm_neon.c arch/arm/neon/conv_neon.c \
	arch/arm/neon/pool_neon.c arch/arm/neon/norm_neon.c \
	arch/arm/neon/llm_neon.c arch/arm/neon/qint_neon.c arch/arm/neon/move_neon.c \
	arch/arm/neon/winograd_neon.c
endif
