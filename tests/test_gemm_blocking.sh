#!/bin/sh
# test_gemm_blocking.sh — the x86 GEMM kernels under a cache blocking far
# from the one cpuid gives (MOTE_GEMM_BLOCKING: 2-tile row blocks, 64-deep
# K blocks, 2-panel column blocks, prefetch of A, B and C and of the
# small-M streams, on AMD too, where the default has none), so that every
# loop boundary of gemm_tmpl.h is crossed by the sizes test_kernels uses
# and the results are held to the reference and to each other as there.
# Exit 77 (skip) where test_kernels cannot run natively (a cross build).

B=${MOTE_BUILDDIR:-.}
T="$B/tests/test_kernels"
if [ ! -x "$T" ]; then
    echo "SKIP: $T was not built"
    exit 77
fi
case "$(uname -m)" in
    x86_64|amd64|i?86) ;;
    *) echo "SKIP: not an x86 machine"; exit 77 ;;
esac
# MR = 14 (AVX-512) or 6 (AVX2): 28 rounds down to 2 tiles or to 24 = 4 tiles
MOTE_GEMM_BLOCKING=28,64,64,3,1,6 "$T"
rc=$?
if [ $rc -eq 126 ] || [ $rc -eq 127 ]; then
    echo "SKIP: $T does not run here"
    exit 77
fi
exit $rc
