#!/usr/bin/env bash
# .ci/opencl.sh — the OpenCL backend under PoCL (OpenCL on the CPU), on a
# fresh Debian 12 machine. Installs PoCL, the OpenCL headers, the ICD
# loader and CLBlast, configures --enable-opencl in a copy of the sources
# under build-opencl/ (or $MOTE_OPENCL_BUILDDIR: a configured source tree
# cannot also host a separate build directory), builds only what it runs,
# and runs with MOTE_DEVICE=opencl:
#   - tests/test_opencl: every OpenCL kernel against its CPU reference on
#     awkward sizes, the device choice, the program cache, the bundled
#     model on the device (same predictions, logits within 1e-4), a
#     graph with a CPU fallback node in the middle (the transfers), the
#     placed ops against the CPU, weights uploaded once per model across
#     two sessions and a reshape, and stories260K's decoder on the device
#     with its exact greedy text;
#   - tests/test_session: a run on the device allocates nothing in mote
#     (host memory, buffers, kernels, programs, kernel arguments);
#   - tests/test_fashion, tests/test_ops, tests/test_llama (stories260K's
#     exact greedy text, its norms and linear layers on the device) with
#     every session placed on the device;
#   - the ONNX conformance runner on ONNX's node tests and the PyTorch
#     exported models (libonnx-testdata), sessions on the device, the ops
#     without an OpenCL kernel falling back to the CPU in the middle;
#   - `mote info --devices`.
# The Check tests run without fork (CK_FORK=no): an OpenCL runtime's threads
# do not survive fork(). A missing device fails the stage (test_opencl
# would skip with 77; here that is an error).
set -euo pipefail
cd "$(dirname "$0")/.."
src=$(pwd)

export DEBIAN_FRONTEND=noninteractive
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
if ! dpkg -s pocl-opencl-icd ocl-icd-opencl-dev opencl-headers libclblast-dev clinfo \
        check autoconf automake libtool pkg-config libonnx-testdata >/dev/null 2>&1; then
    as_root apt-get update -qq
    as_root apt-get install -y -qq --no-install-recommends \
        build-essential autoconf automake libtool pkg-config check libonnx-testdata \
        pocl-opencl-icd ocl-icd-opencl-dev opencl-headers libclblast-dev clinfo >/dev/null
fi
clinfo -l

jobs=$(nproc 2>/dev/null || echo 2)
build=${MOTE_OPENCL_BUILDDIR:-build-opencl}
mkdir -p "$build"
build=$(cd "$build" && pwd)
rm -rf "$build/tree"
mkdir -p "$build/tree"
git ls-files -z --cached --others --exclude-standard |
    tar -cf - --null -T - | tar -xf - -C "$build/tree"
# Tests look for the shared models at ../shared/models beside the sources.
if [ -d "$src/../shared" ]; then ln -sfn "$src/../shared" "$build/shared"; fi
cd "$build/tree"
mkdir -p m4
autoreconf -fi >/dev/null 2>&1
./configure -q --enable-opencl
grep -q '#define MOTE_HAVE_OPENCL 1' config.h
make -j"$jobs" mote bench/opencl models/fashion/build_fashion tests/test_opencl tests/test_session tests/test_fashion tests/test_ops \
    tests/test_llama tests/onnx/run_node_tests

export MOTE_DEVICE=opencl CK_FORK=no MOTE_BUILDDIR=$(pwd) MOTE_SRCDIR=$(pwd)
export MOTE_SHARED_MODELS=${MOTE_SHARED_MODELS:-$build/shared/models}
rc=0
tests/test_opencl || rc=$?
if [ "$rc" -ne 0 ]; then
    echo "tests/test_opencl failed (exit $rc; 77 means no OpenCL device was found)" >&2
    exit 1
fi
for t in test_session test_fashion test_ops test_llama; do
    tests/$t || { echo "tests/$t failed with MOTE_DEVICE=opencl" >&2; exit 1; }
done
onnx=/usr/share/libonnx-testdata/data
for d in node pytorch-operator pytorch-converted simple; do
    echo "ONNX conformance on the OpenCL device: $d"
    tests/onnx/run_node_tests --data "$onnx/$d" | tail -n 1
done
./mote info --devices
