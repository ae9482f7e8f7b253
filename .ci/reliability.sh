#!/usr/bin/env bash
# .ci/reliability.sh — the reliability part of CI (issue 7), called by
# .ci/run: installs clang (libFuzzer) and valgrind, builds and runs every
# fuzz target for FUZZ_SECONDS (default 60) each, then the whole test suite
# in a separate ASan+UBSan build directory (build-sanitize/). Fails on any
# fuzzer finding or test failure. Budget: about 15 minutes on 2 cores
# (5 fuzzers x 60 s, the fuzz build ~2 min, the sanitizer build + check
# ~6 min; see docs/reliability.md for what dominates).
set -euo pipefail
cd "$(dirname "$0")/.."
src=$(pwd)

export DEBIAN_FRONTEND=noninteractive
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
if ! command -v clang >/dev/null || ! command -v valgrind >/dev/null; then
    as_root apt-get update -qq
    # clang-14 ships libFuzzer in libclang-rt-14-dev on Debian 12.
    as_root apt-get install -y -qq --no-install-recommends \
        build-essential autoconf automake libtool pkg-config check \
        clang libclang-rt-14-dev valgrind >/dev/null
fi
jobs=$(nproc 2>/dev/null || echo 2)
# CI fuzzes reproducibly: a fixed seed and a fixed number of executions per
# target, so CI's result does not depend on the machine's speed; `make
# fuzz` without these explores with random seeds. The mote, onnx and
# llama2c targets mutate structure (tests/fuzz/mutate_*.c) at about a
# quarter of the byte mutators' speed: 200,000 runs take 15-40 s each on
# one core here, and FUZZ_SECONDS caps every target.
FUZZ_SECONDS=${FUZZ_SECONDS:-120}
export FUZZ_SEED=${FUZZ_SEED:-1} FUZZ_RUNS=${FUZZ_RUNS:-200000}

[ -f configure ] || ./autogen.sh

# 1. Fuzzers: `make fuzz` in the normal build (it compiles its own
#    instrumented copy of the library with clang into fuzz-build/).
[ -f Makefile ] || ./configure -q
make fuzz FUZZ_SECONDS="$FUZZ_SECONDS"

# 2. The whole test suite under ASan + UBSan, in its own directory. automake
#    refuses a second (VPATH) build of a configured source tree, so when this
#    tree is configured in place the sanitizer build gets a copy of the
#    tracked sources.
san="$src/build-sanitize"
if [ -f config.status ] && command -v git >/dev/null && git rev-parse --git-dir >/dev/null 2>&1; then
    rm -rf "$san" && mkdir -p "$san/src"
    git ls-files -z | tar --null -cf - -T - | tar -xf - -C "$san/src"
    # Tests find the shared models beside the source tree.
    [ -d "$src/../shared" ] && [ ! -e "$san/shared" ] && ln -s "$src/../shared" "$san/shared"
    (cd "$san/src" && ./autogen.sh >/dev/null 2>&1 && ./configure -q --enable-sanitizers)
    bdir="$san/src"
else
    mkdir -p "$san" && (cd "$san" && "$src/configure" -q --enable-sanitizers)
    bdir="$san"
fi
( cd "$bdir" && make -j"$jobs" >/dev/null &&
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
  make -j"$jobs" check ) || { tail -n 100 "$bdir"/tests/*.log 2>/dev/null; exit 1; }
echo "reliability: fuzzers and sanitizer test suite passed"
