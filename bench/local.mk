# bench/local.mk — benchmark programs (speed is measured here, never in
# timed tests).
# bench/gemm: mote's packed SGEMM against OpenBLAS and the measured FMA
# peak; run `bench/gemm [--quick]` from the build directory.
if HAVE_SIMD
noinst_PROGRAMS += bench/gemm
bench_gemm_SOURCES = bench/gemm.c bench/bench_cpu.h
bench_gemm_CPPFLAGS = $(AM_CPPFLAGS) $(OPENBLAS_CFLAGS)
bench_gemm_LDADD = libmote_core.la $(OPENBLAS_LIBS) -lm

# bench/models: whole-model latency (median, spread) and peak RSS, 1 and 2
# threads; `bench/models [--quick] [--torch bench/peer_torch.py]`.
noinst_PROGRAMS += bench/models
bench_models_SOURCES = bench/models.c bench/bench_cpu.h bench/model_graphs.c bench/model_graphs.h
bench_models_LDADD = libmote_core.la -lm
endif

# bench/llm: language-model prompt and generation speed, and the read
# bandwidth it is bounded by.
noinst_PROGRAMS += bench/llm
bench_llm_SOURCES = bench/llm.c bench/bench_cpu.h
bench_llm_LDADD = libmote_core.la -lm

# bench/ort.sh: mote against ONNX Runtime (onnxruntime-node, fetched with
# npm) on the same ONNX files (bench/export_onnx.py writes them with torch;
# bench/ort_peer.js times ONNX Runtime). A script, run by hand; not built,
# not part of `make check`: `bench/ort.sh --build DIR`.
# bench/int8.sh: mote's int8 against its fp32 and ONNX Runtime's QDQ
# execution of the same quantized ONNX models (bench/quantize_qdq.py makes
# them); `bench/int8.sh --build DIR`, not part of `make check`.
EXTRA_DIST += bench/ort.sh bench/ort_common.sh bench/ort_peer.js bench/ort_probes.sh bench/export_onnx.py bench/peer_torch.py bench/results \
	bench/int8.sh bench/quantize_qdq.py

# bench/opencl: SGEMM on an OpenCL device, mote's kernel beside CLBlast (if
# found) and mote's CPU GEMM, then model latency on the device and the CPU;
# `bench/opencl [--quick]` (built with --enable-opencl).
if HAVE_OPENCL
noinst_PROGRAMS += bench/opencl
bench_opencl_SOURCES = bench/opencl.c bench/model_graphs.c bench/model_graphs.h
bench_opencl_LDADD = libmote_core.la $(CLBLAST_LIBS) $(OPENCL_LIBS) -lm
endif

# bench/graph_scale: load, ONNX import, save, open, session creation and a
# run of a chain of N nodes at 50,000 and 200,000 (or the sizes given), with
# the growth factor between them (near-linear: about x4).
if HAVE_ONNX
noinst_PROGRAMS += bench/graph_scale
bench_graph_scale_SOURCES = bench/graph_scale.c tests/chain_fixture.c tests/chain_fixture.h
bench_graph_scale_LDADD = libmote_core.la -lm
endif
