/*
 * qint_avx2.c — the 8-bit quantized convolution for AVX2
 * (arch/x86/qint_tmpl.h: vpmaddwd pairs of i16 products into i32).
 */
#include "x86_kernels.h"

#define QINT_FN mote_qconv2d_avx2
#define QINT_BIN_FN mote_qbinary_avx2
#include "qint_tmpl.h"
