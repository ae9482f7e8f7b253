#!/usr/bin/env bash
# .ci/static.sh — mote as an installed library, called by .ci/run after the
# main build: a program that includes <mote.h> only (tests/install_app.c)
# is linked through pkg-config and run (tests/test_install.sh, also
# `make installcheck`):
#   1. the main build (hwloc when found), staged with make install
#      DESTDIR=...: a dynamic link, and a fully static one where configure
#      found it possible;
#   2. a build without hwloc in build-static/, installed into a prefix:
#      `cc -static app.c $(pkg-config --static --cflags --libs mote)` must
#      link and run. (Debian 12 ships libhwloc.a but no libudev.a, which a
#      static libhwloc needs, so with hwloc no fully static program can link
#      there; mote.pc lists hwloc in Requires.private for systems that can.)
# Budget: about 2 minutes on 2 cores (step 2 builds only the library).
set -euo pipefail
cd "$(dirname "$0")/.."
src=$(pwd)
jobs=$(nproc 2>/dev/null || echo 2)
[ -f configure ] || ./autogen.sh
[ -f Makefile ] || ./configure -q
out="$src/build-static"
rm -rf "$out" && mkdir -p "$out"
lib_only="install-libLTLIBRARIES install-includeHEADERS install-pkgconfigDATA"

# 1. The main build, staged.
make -j"$jobs" libmote.la >/dev/null
make $lib_only DESTDIR="$out/stage" >/dev/null
make installcheck-local DESTDIR="$out/stage"

# 2. Without hwloc, into a prefix: the fully static link must work.
if [ -f config.status ] && command -v git >/dev/null && git rev-parse --git-dir >/dev/null 2>&1; then
    mkdir -p "$out/src"
    git ls-files -z | tar --null -cf - -T - | tar -xf - -C "$out/src"
    (cd "$out/src" && ./autogen.sh >/dev/null 2>&1)
    bdir="$out/src"; sdir="$out/src"
else
    mkdir -p "$out/build"; bdir="$out/build"; sdir="$src"
fi
(cd "$bdir" && "$sdir/configure" -q --without-hwloc --disable-cli --prefix="$out/prefix")
grep -q '^MOTE_STATIC_LINK = yes' "$bdir/Makefile" || {
    echo "static: configure --without-hwloc finds no fully static link; see $bdir/config.log"; exit 1; }
(cd "$bdir" && make -j"$jobs" libmote.la >/dev/null && make $lib_only >/dev/null && make installcheck-local)
echo "static: pkg-config --static gives a working fully static link"
