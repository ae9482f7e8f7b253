#!/usr/bin/env bash
# .ci/arm.sh — the aarch64 cross build and its test suite under qemu-aarch64,
# on a fresh Debian 12 (x86-64) machine. Installs what it needs: the cross
# compiler, qemu-user, and the arm64 build of the Check library through
# Debian multiarch. Builds in a copy of the sources under build-aarch64/
# (or $MOTE_ARM_BUILDDIR), so that it can run beside a native build of the
# same checkout. Timings under qemu mean nothing; this checks correctness.
set -euo pipefail
cd "$(dirname "$0")/.."
src=$(pwd)

export DEBIAN_FRONTEND=noninteractive
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
if ! dpkg -s check:arm64 libsubunit-dev:arm64 gcc-aarch64-linux-gnu qemu-user \
        autoconf automake libtool pkg-config >/dev/null 2>&1; then
    as_root dpkg --add-architecture arm64
    as_root apt-get update -qq
    as_root apt-get install -y -qq --no-install-recommends \
        build-essential autoconf automake libtool pkg-config \
        gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user \
        check:arm64 libsubunit-dev:arm64 >/dev/null
fi

build=${MOTE_ARM_BUILDDIR:-build-aarch64}
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
# pkg-config must look at the arm64 .pc files only (Check; hwloc and
# OpenBLAS are then not found for the target, which the build allows).
PKG_CONFIG_LIBDIR=/usr/lib/aarch64-linux-gnu/pkgconfig:/usr/share/pkgconfig \
    ./configure --host=aarch64-linux-gnu --enable-silent-rules
grep -q '^MOTE_EMULATOR = .*qemu' Makefile ||
    echo "arm.sh: note: tests run natively (this machine runs aarch64 binaries)"
jobs=$(nproc 2>/dev/null || echo 2)
make -j"$jobs"
if [ -x ./mote ] && [ -f models/fashion/fashion.mote ]; then
    # The CLI on the bundled model, under the same runner as the tests.
    ./arch/arm/qemu-run ./mote demo || { echo "arm.sh: mote demo failed under emulation" >&2; exit 1; }
fi
# The endurance test reads the process's RSS, which under qemu-user is the
# emulator's too: its code cache steps up by a 2 MiB region when it fills
# (2101248 bytes in the full test_reliability, 8 KB for the case alone).
# MOTE_EMULATED makes the test judge only the second half of its runs (a
# leak grows steadily, a step does not); a shorter loop keeps the stage
# short and a leak of 52 bytes a run still fails. The allocation-counting
# test (test_session) is exact either way.
export MOTE_ENDURANCE_RUNS=20000 MOTE_EMULATED=1
make -j"$jobs" check || { tail -n 100 tests/*.log 2>/dev/null; exit 1; }
# Which table ran, its own entries, and the measured accuracy of the approximations.
grep -h "best table\|entries its own\|max error" tests/test_kernels.log || true
# The NEON int8 convolution's sdot path is compiled only for the
# dot-product extension (qemu-aarch64's default CPU has it): the library
# and the kernel test again, built for it, held to the same reference.
make clean >/dev/null
make -j"$jobs" CFLAGS="-O2 -march=armv8.2-a+dotprod" tests/test_kernels
./arch/arm/qemu-run tests/test_kernels | grep "qconv2d\|Checks"

