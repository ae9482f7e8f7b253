# bench/ort_common.sh — sourced (not run) by the benchmarks that time mote
# against ONNX Runtime: bench/ort.sh, bench/int8.sh, bench/real_models.sh.
# It holds what they share: checking the tools, fetching onnxruntime-node
# into the build directory's npm cache, and the scratch directory.
#
# The sourcing script sets, before calling these functions:
#   ME           its name, for messages ("bench/ort.sh")
#   SRC          the source tree;  BUILD  the build directory (may be relative)
#   PYTHON       a python with torch, onnx and numpy
#   ORT_VERSION  the onnxruntime-node version to fetch
# and may call die/note, which are defined here.

die() { echo "$ME: $*" >&2; exit 1; }
note() { echo "$*" >&2; }

# ort_need_number NAME VALUE MIN: VALUE is a whole number >= MIN, else die
ort_need_number() {
    case $2 in ''|*[!0-9]*) die "--$1 wants a number, not '$2'" ;; esac
    [ "$2" -ge "$3" ] || die "--$1 must be at least $3"
}

# ort_tools WHY: BUILD made absolute, MOTE set; node, npm and PYTHON (with
# torch, onnx, numpy) present. WHY says what python is needed for.
ort_tools() {
    ABS=$(cd "$BUILD" 2>/dev/null && pwd) || die "no build directory '$BUILD'"
    BUILD=$ABS
    MOTE=$BUILD/mote
    [ -x "$MOTE" ] || die "no mote program in the build directory (build it first, or give --build DIR)"
    command -v node >/dev/null 2>&1 || die "node is not installed (ONNX Runtime runs from onnxruntime-node)"
    command -v npm >/dev/null 2>&1 || die "npm is not installed (it fetches onnxruntime-node)"
    [ -x "$PYTHON" ] || die "no python at $PYTHON (set PYTHON to one that has torch and onnx)"
    "$PYTHON" -c 'import torch, onnx, numpy' 2>/dev/null ||
        die "$PYTHON cannot import torch, onnx and numpy (needed to $1)"
    CACHE=$BUILD/tests/onnx/npm-cache
    PEER=$SRC/bench/ort_peer.js
}

# ort_fetch: onnxruntime-node@ORT_VERSION in CACHE/ort (npm, once), and
# NODE_PATH exported to it
ort_fetch() {
    ortdir=$CACHE/ort
    if [ ! -d "$ortdir/node_modules/onnxruntime-node" ]; then
        note "fetching onnxruntime-node@$ORT_VERSION with npm"
        mkdir -p "$ortdir" || die "cannot create the npm cache in the build directory"
        if ! ( cd "$ortdir" && ONNXRUNTIME_NODE_INSTALL=skip timeout 300 npm install --ignore-scripts \
                --no-audit --no-fund --no-save "onnxruntime-node@$ORT_VERSION" >install.log 2>&1 ); then
            rm -rf "$ortdir/node_modules"
            die "npm could not install onnxruntime-node@$ORT_VERSION (registry unreachable?): $(tail -n 3 "$ortdir/install.log" 2>/dev/null)"
        fi
    fi
    NODE_PATH=$ortdir/node_modules
    export NODE_PATH
}

# ort_scratch: T, a scratch directory removed on exit
ort_scratch() {
    T=$(mktemp -d) || die "mktemp failed"
    trap 'rm -rf "$T"' EXIT
    trap 'exit 130' INT TERM
}

# ort_peak: PEAK, one core's measured FMA peak in GFLOP/s (bench/gemm
# --peak, built beside mote), and PEAK_LINE, a sentence saying it; PEAK is
# empty where it could not be measured.
ort_peak() {
    PEAK= PEAK_LINE="FMA peak: not measured (bench/gemm is not built in $BUILD)"
    if [ -x "$BUILD/bench/gemm" ]; then
        line=$("$BUILD/bench/gemm" --peak 2>/dev/null) &&
            PEAK=$(echo "$line" | sed -n 's/^FMA peak on .*: \([0-9.]*\) GFLOP\/s .*/\1/p')
        [ -n "$PEAK" ] && PEAK_LINE=$line
    fi
}
