/*
 * qint_avx512.c — the 8-bit quantized convolution for the AVX-512 table
 * (arch/x86/qint_tmpl.h with AVX-512 VNNI's vpdpwssd on 256-bit vectors).
 */
#include "x86_kernels.h"

#define QINT_FN mote_qconv2d_avx512
#define QINT_BIN_FN mote_qbinary_avx512
#define QINT_VNNI 1
#define QINT_DW_FAST mote_qconv2d_dw_avx512
#define QINT_DW_SCRATCH mote_qconv2d_dw_scratch_bytes_avx512
#define QINT_SCRATCH_FN mote_qconv2d_scratch_bytes_avx512
#include "qint_tmpl.h"
