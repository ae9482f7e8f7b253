# arch/x86/local.mk — the AVX2 and AVX-512 tables and CPU detection.
# A convenience library per ISA, so that only these files see -mavx2 or
# -mavx512*: the rest of mote runs on any x86-64.
if HAVE_X86
X86_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/arch/x86
X86_INCLUDES_LIST = arch/x86/x86_kernels.h arch/x86/vmath.h arch/x86/gemm_tmpl.h arch/x86/gemm_micro_tmpl.h \
	arch/x86/elementwise_tmpl.h arch/x86/conv_tmpl.h arch/x86/conv_chan_tmpl.h arch/x86/winograd_tmpl.h \
	arch/x86/pool_tmpl.h \
	arch/x86/qint_tmpl.h
AVX2_FLAGS = -mavx2 -mfma -mf16c
AVX512_FLAGS = -mavx512f -mavx512bw -mavx512dq -mavx512vl -mavx512vnni -mfma -mavx2 -mf16c

noinst_LTLIBRARIES += libmote_avx2.la
libmote_avx2_la_CPPFLAGS = $(X86_CPPFLAGS)
libmote_avx2_la_CFLAGS = $(AM_CFLAGS) $(AVX2_FLAGS)
libmote_avx2_la_SOURCES = $(X86_INCLUDES_LIST) arch/x86/avx2/simd_avx2.h \
	arch/x86/avx2/gemm_avx2.c arch/x86/avx2/elementwise_avx2.c \
	arch/x86/avx2/conv_avx2.c arch/x86/avx2/conv_chan_avx2.c arch/x86/avx2/winograd_avx2.c arch/x86/avx2/pool_avx2.c arch/x86/avx2/peak_avx2.c \
	arch/x86/avx2/table_avx2.c arch/x86/avx2/llm_avx2.c arch/x86/avx2/qint_avx2.c \
	arch/x86/avx2/resize_avx2.c arch/x86/avx2/transpose_avx2.c

noinst_LTLIBRARIES += libmote_avx512.la
libmote_avx512_la_CPPFLAGS = $(X86_CPPFLAGS)
libmote_avx512_la_CFLAGS = $(AM_CFLAGS) $(AVX512_FLAGS)
libmote_avx512_la_SOURCES = $(X86_INCLUDES_LIST) arch/x86/avx512/simd_avx512.h \
	arch/x86/avx512/gemm_avx512.c arch/x86/avx512/elementwise_avx512.c \
	arch/x86/avx512/conv_avx512.c arch/x86/avx512/conv_chan_avx512.c arch/x86/avx512/conv_dw_band_avx512.c \
	arch/x86/avx512/winograd_avx512.c \
	arch/x86/avx512/pool_avx512.c \
	arch/x86/avx512/peak_avx512.c arch/x86/avx512/table_avx512.c \
	arch/x86/avx512/llm_avx512.c arch/x86/avx512/qint_avx512.c \
	arch/x86/avx512/qconv_packed_avx512.c arch/x86/avx512/qconv_dw_avx512.c arch/x86/avx512/quantize_avx512.c \
	arch/x86/avx512/qrequant_avx512.h arch/x86/avx512/resize_avx512.c \
	arch/x86/avx512/transpose_avx512.c

# detection (baseline flags: it must run on any x86-64)
libmote_core_la_SOURCES += arch/x86/cpuid_x86.c arch/x86/cpuid_x86.h arch/x86/gemm_blocking_x86.c
libmote_core_la_LIBADD += libmote_avx2.la libmote_avx512.la
endif
