# bench/local.mk — benchmark programs (owner: x86).
# bench/gemm: mote's packed SGEMM against OpenBLAS and the measured FMA
# peak; run `bench/gemm [--quick]` from the build directory.
if HAVE_X86
noinst_PROGRAMS += bench/gemm
bench_gemm_SOURCES = bench/gemm.c
bench_gemm_CPPFLAGS = $(AM_CPPFLAGS) $(OPENBLAS_CFLAGS)
bench_gemm_LDADD = libmote_core.la $(OPENBLAS_LIBS) -lm
endif
