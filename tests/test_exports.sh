#!/bin/sh
# test_exports.sh — the shared library exports exactly the public API: the
# set of functions mote.h declares equals the set of symbols
# `nm -D --defined-only` lists for .libs/libmote.so (everything else is
# built with hidden visibility; see MOTE_API in mote.h). A function missing
# from either side, or any internal name that leaks, fails the test.
# Skipped (77) when no shared library was built (--disable-shared).
set -u
src=${MOTE_SRCDIR:-.}
build=${MOTE_BUILDDIR:-.}
# libtool keeps the shared library in .libs/ beside libmote.la (found
# through libmote.la, which a cross build's test runner links into a mirror
# of the build tree without the hidden .libs/).
la=$build/libmote.la
[ -L "$la" ] && la=$(readlink -f "$la")
so=$(dirname "$la")/.libs/libmote.so
cc=${MOTE_CC:-cc}
nm=${MOTE_NM:-nm}
if [ ! -f "$so" ]; then
    echo "SKIP: $so was not built (configure --disable-shared?)"
    exit 77
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mote-exports.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM

# Declared: mote.h through the preprocessor (comments, macro definitions and
# the example code in comments are gone), then every mote_ identifier that is
# followed by '(' - in a header of declarations, the declared functions.
if ! $cc -E -P -x c "$src/src/mote.h" > "$tmp/mote.i"; then
    echo "FAIL: could not preprocess $src/src/mote.h with '$cc'"
    exit 1
fi
grep -o 'mote_[a-z0-9_]*[[:space:]]*(' "$tmp/mote.i" | sed 's/[[:space:]]*($//' | sort -u > "$tmp/declared"
# Exported: defined dynamic symbols, less the linker's own (_init, _fini,
# __bss_start, _edata, _end: names that begin with '_').
$nm -D --defined-only "$so" | awk 'NF >= 3 { print $3 }' | grep -v '^_' | sort -u > "$tmp/exported"

nd=$(wc -l < "$tmp/declared")
ne=$(wc -l < "$tmp/exported")
if [ "$nd" -lt 40 ]; then
    echo "FAIL: found only $nd declarations in mote.h; the parse is broken"
    exit 1
fi
if ! cmp -s "$tmp/declared" "$tmp/exported"; then
    echo "FAIL: libmote.so exports $ne symbols, mote.h declares $nd functions"
    echo "exported but not declared (internal names leaking; mark them static or drop MOTE_API):"
    comm -13 "$tmp/declared" "$tmp/exported" | sed -n '1,40p;41s/.*/  .../p' | sed 's/^/  /'
    echo "declared but not exported (missing MOTE_API or not defined):"
    comm -23 "$tmp/declared" "$tmp/exported" | sed 's/^/  /'
    echo "(objects compiled before -fvisibility=hidden was added export everything:"
    echo " after re-running configure, 'make clean && make' rebuilds them)"
    exit 1
fi
echo "PASS: libmote.so exports exactly the $nd functions of mote.h"
