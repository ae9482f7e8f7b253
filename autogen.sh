#!/bin/sh
# autogen.sh — prepares a checkout for ./configure.
# As root on a Debian-like system, installs the missing build dependencies
# with apt-get first; otherwise prints the packages to install.
set -e
cd "$(dirname "$0")"

# Build: compiler, autotools, Check. Optional: hwloc (pinning), OpenBLAS (the
# benchmarks' peer). Test data: ONNX's conformance cases, Fashion-MNIST,
# espeak-ng (speech for the voice-activity test).
PKGS="build-essential autoconf automake libtool pkg-config check libhwloc-dev libopenblas-dev libonnx-testdata dataset-fashion-mnist espeak-ng"
missing=""
if command -v dpkg-query >/dev/null 2>&1; then
    for p in $PKGS; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
    done
fi
if [ -n "$missing" ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "autogen.sh: installing:$missing"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        apt-get install -y -qq $missing
    else
        echo "autogen.sh: missing packages:$missing" >&2
        echo "  install them with: sudo apt-get install$missing" >&2
        exit 1
    fi
fi
mkdir -p m4
autoreconf -fi
