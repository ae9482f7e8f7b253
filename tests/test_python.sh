#!/bin/sh
# test_python.sh — runs the Python module's pytest suite (tests/python/)
# against the library and the tool of this build: MOTE_LIBRARY points at
# the freshly built libmote, MOTE_CLI at ./mote, python/ is on PYTHONPATH.
# Exit 77 (skip) when configure found no Python 3 with numpy (or was given
# --disable-python), pytest is missing, or the shared library or the tool
# was not built.

B=${MOTE_BUILDDIR:-.}
S=${MOTE_SRCDIR:-.}
PY=${MOTE_PYTHON:-}
if [ -z "$PY" ] || [ "$PY" = ":" ]; then
    echo "SKIP: the Python module is not configured (no Python 3 with numpy, or --disable-python)"
    exit 77
fi
if ! "$PY" -c 'import numpy, pytest' >/dev/null 2>&1; then
    echo "SKIP: $PY lacks pytest (Debian: apt-get install python3-pytest)"
    exit 77
fi
LIB=
for f in "$B/.libs/libmote.so.0" "$B/.libs/libmote.so" "$B/.libs/libmote.dylib"; do
    if [ -f "$f" ]; then LIB=$f; break; fi
done
if [ -z "$LIB" ] || [ ! -x "$B/mote" ]; then
    echo "SKIP: the shared libmote or the mote tool was not built"
    exit 77
fi
# A library built with sanitizers (configure --enable-sanitizers) needs
# their runtime loaded first, which an ordinary Python interpreter does
# not do: ctypes would abort the interpreter.
if grep -q "__asan_init\|__ubsan_handle\|__tsan_init" "$LIB" 2>/dev/null; then
    echo "SKIP: $LIB is built with sanitizers; Python cannot load it without their runtime"
    exit 77
fi
MOTE_LIBRARY=$LIB MOTE_CLI="$B/mote" MOTE_SRCDIR=$S PYTHONPATH="$S/python${PYTHONPATH:+:$PYTHONPATH}" \
    PYTHONDONTWRITEBYTECODE=1 exec "$PY" -m pytest -q -p no:cacheprovider \
    -W error::pytest.PytestUnraisableExceptionWarning "$S/tests/python"
