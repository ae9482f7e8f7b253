#!/usr/bin/env bash
# .ci/tsan.sh — the concurrency tests under ThreadSanitizer, called by
# .ci/run. Builds the library and the multi-threaded test programs with
# -fsanitize=thread in a separate directory (build-tsan/), then runs
# tests/test_concurrency (sessions of different models made and run from
# several threads at once, models built and opened concurrently, per-thread
# error messages) and the thread cases of test_reliability and
# test_ops_structured. Any race report fails the stage (halt_on_error).
# Budget: about 1-3 minutes on 2 cores (the build, then the tests: ~30 s).
set -euo pipefail
cd "$(dirname "$0")/.."
src=$(pwd)

export DEBIAN_FRONTEND=noninteractive
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
# gcc's ThreadSanitizer runtime (libtsan2 on Debian 12).
if ! printf 'int main(void){return 0;}\n' | cc -fsanitize=thread -x c -o /dev/null - 2>/dev/null; then
    as_root apt-get update -qq
    as_root apt-get install -y -qq --no-install-recommends \
        build-essential autoconf automake libtool pkg-config check libtsan2 >/dev/null
fi
jobs=$(nproc 2>/dev/null || echo 2)
[ -f configure ] || ./autogen.sh

# automake refuses a second (VPATH) build of a source tree configured in
# place: then the TSan build gets a copy of the tracked sources.
tsan="$src/build-tsan"
if [ -f config.status ] && command -v git >/dev/null && git rev-parse --git-dir >/dev/null 2>&1; then
    rm -rf "$tsan" && mkdir -p "$tsan/src"
    git ls-files -z | tar --null -cf - -T - | tar -xf - -C "$tsan/src"
    (cd "$tsan/src" && ./autogen.sh >/dev/null 2>&1)
    bdir="$tsan/src"; sdir="$tsan/src"
else
    mkdir -p "$tsan"; bdir="$tsan"; sdir="$src"
fi
# Static only: the test programs link the convenience library anyway, and
# libtool need not build the shared one.
(cd "$bdir" && "$sdir/configure" -q --disable-shared \
    CFLAGS="-g -O1 -fsanitize=thread -fno-omit-frame-pointer" LDFLAGS="-fsanitize=thread")
programs="tests/test_concurrency tests/test_reliability tests/test_ops_structured"
(cd "$bdir" && make -j"$jobs" $programs >/dev/null)

# In-process (CK_FORK=no), so that the first report stops the program with
# a failing status; MOTE_PIN=none: threads are not pinned on a shared CI
# machine.
export TSAN_OPTIONS="halt_on_error=1 abort_on_error=1 second_deadlock_stack=1"
export CK_FORK=no MOTE_SRCDIR="$sdir" MOTE_PIN=none
run() {
    echo "tsan: $*"
    (cd "$bdir" && env "$@") || { echo "tsan: FAILED: $*"; exit 1; }
}
run tests/test_concurrency
run CK_RUN_CASE=concurrency tests/test_reliability
run tests/test_ops_structured
echo "tsan: the concurrency tests pass under ThreadSanitizer"
