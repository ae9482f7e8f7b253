#!/usr/bin/env bash
# .ci/opencl.sh — the OpenCL backend under PoCL (OpenCL on the CPU), on a
# fresh Debian 12 machine: installs PoCL, the OpenCL headers, the ICD
# loader and CLBlast, configures --enable-opencl in a copy of the sources
# under build-opencl/ (or $MOTE_OPENCL_BUILDDIR; a configured source tree
# cannot also host a separate build directory), and runs with MOTE_DEVICE=opencl: every OpenCL kernel against its
# CPU reference on awkward sizes, the device choice and the program cache
# (tests/test_opencl), then `mote info --devices`. A missing device fails
# the stage (test_opencl would skip with 77; here that is an error).
# Sessions do not place nodes on the device yet, so there is no model run
# on the device here.
set -euo pipefail
cd "$(dirname "$0")/.."
src=$(pwd)

export DEBIAN_FRONTEND=noninteractive
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
if ! dpkg -s pocl-opencl-icd ocl-icd-opencl-dev opencl-headers libclblast-dev clinfo \
        check autoconf automake libtool pkg-config >/dev/null 2>&1; then
    as_root apt-get update -qq
    as_root apt-get install -y -qq --no-install-recommends \
        build-essential autoconf automake libtool pkg-config check \
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
cd "$build/tree"
mkdir -p m4
autoreconf -fi >/dev/null 2>&1
./configure -q --enable-opencl
grep -q '#define MOTE_HAVE_OPENCL 1' config.h
# only what this stage runs: the library, the CLI, the OpenCL test and bench
make -j"$jobs" mote tests/test_opencl bench/opencl
export MOTE_DEVICE=opencl MOTE_BUILDDIR=$(pwd) MOTE_SRCDIR=$(pwd)
rc=0
tests/test_opencl || rc=$?
if [ "$rc" -ne 0 ]; then
    echo "tests/test_opencl failed (exit $rc; 77 means no OpenCL device was found)" >&2
    exit 1
fi
./mote info --devices
