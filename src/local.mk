# src/local.mk — the core runtime (owner: core).
# libmote_core.la holds every object; libmote.la (installed) wraps it, and
# the CLI, tests and benchmarks link the convenience library directly.
noinst_LTLIBRARIES += libmote_core.la
libmote_core_la_CFLAGS = $(AM_CFLAGS) $(HWLOC_CFLAGS)
libmote_core_la_LIBADD = $(HWLOC_LIBS) $(OPENCL_LIBS) -lm
libmote_la_LIBADD += libmote_core.la
libmote_core_la_SOURCES = \
	src/mote.h src/graph.h src/ops.h src/pool.h src/gemm.h src/internal.h \
	src/error.c src/dtype.c src/graph.c src/ops.c src/ops_list.h src/opsutil.c \
	src/planner.c src/planner.h src/session.c src/session.h src/model.c src/model_file.c \
	src/pool.c src/cpu.c src/cpu.h src/gemm.c \
	src/budget.c src/budget.h
include src/format.mk
