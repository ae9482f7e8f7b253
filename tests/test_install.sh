#!/bin/sh
# test_install.sh LIBDIR STATIC — an installed mote, used the way its
# documentation says: tests/install_app.c is compiled against the mote.pc
# in LIBDIR/pkgconfig,
#   1. dynamically:  cc app.c $(pkg-config --cflags --libs mote)
#   2. statically:   cc -static app.c $(pkg-config --static --cflags --libs mote)
# and each program must run and print "install_app: ok". The static program
# must have no dynamic section (no interpreter, no shared libraries).
# STATIC is configure's answer to "can a fully static program link mote's
# dependencies here" (yes/no): with no, step 2 is reported and skipped,
# since the platform lacks a static library mote's dependencies need
# (Debian 12 ships no libudev.a, which a static libhwloc needs) — configure
# --without-hwloc for static programs there. Run by `make installcheck`
# (so by `make distcheck`) and .ci/static.sh.
# Environment: MOTE_CC (the compiler), PKG_CONFIG, MOTE_SRCDIR, MOTE_DESTDIR
# (the DESTDIR of a staged install, if any).
set -u
libdir=${1:?usage: test_install.sh LIBDIR yes|no}
static=${2:-yes}
src=${MOTE_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
cc=${MOTE_CC:-cc}
pkgconfig=${PKG_CONFIG:-pkg-config}
app=$src/tests/install_app.c
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mote-install.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
fail() { echo "FAIL: $*"; exit 1; }

[ -f "$libdir/pkgconfig/mote.pc" ] || fail "no mote.pc in $libdir/pkgconfig (run make install first)"
# mote.pc first, then wherever its Requires.private (hwloc) lives.
PKG_CONFIG_PATH="$libdir/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
export PKG_CONFIG_PATH
# A staged install (make install DESTDIR=...): mote.pc names the final
# prefix, and pkg-config puts the staging directory in front of its paths.
if [ -n "${MOTE_DESTDIR:-}" ]; then
    PKG_CONFIG_SYSROOT_DIR=$MOTE_DESTDIR
    export PKG_CONFIG_SYSROOT_DIR
fi

flags=$($pkgconfig --cflags --libs mote) || fail "$pkgconfig --cflags --libs mote"
echo "dynamic: $cc install_app.c $flags"
# shellcheck disable=SC2086
$cc -o "$tmp/app" "$app" $flags -Wl,-rpath,"$libdir" || fail "the dynamic link"
"$tmp/app" || fail "the dynamically linked program"

sflags=$($pkgconfig --static --cflags --libs mote) || fail "$pkgconfig --static --cflags --libs mote"
echo "static: $cc -static install_app.c $sflags"
if [ "$static" != yes ]; then
    echo "SKIP static: configure found that a fully static program cannot link mote's"
    echo "dependencies on this system (see 'fully static link' in configure's summary)."
    exit 0
fi
# shellcheck disable=SC2086
$cc -static -o "$tmp/app-static" "$app" $sflags > "$tmp/link.log" 2>&1 || {
    cat "$tmp/link.log"; fail "the fully static link with pkg-config --static"; }
# glibc warns about functions that load shared objects at run time in a
# static program; any other message is shown.
grep -v "statically linked applications requires at runtime" "$tmp/link.log" | grep . && true
if command -v readelf >/dev/null 2>&1; then
    if readelf -l "$tmp/app-static" | grep -q "INTERP" || readelf -d "$tmp/app-static" | grep -q "NEEDED"; then
        fail "the static program still has a dynamic loader or shared libraries"
    fi
fi
"$tmp/app-static" || fail "the fully static program"
echo "PASS: dynamic and fully static programs link with pkg-config and run"
