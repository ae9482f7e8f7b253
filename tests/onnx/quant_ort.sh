#!/bin/sh
# quant_ort.sh — quantized ONNX models (tests/onnx/quant/, written by
# make_quant_models.py in the forms ONNX Runtime's quantization tools
# produce: QDQ, QOperator, dynamic MatMulInteger and ConvInteger) go
# through `mote convert` and `mote run`, and each output must match ONNX
# Runtime's (npm onnxruntime-node@1.30.0) within one quantization step of
# that output (the tolerances below).
#
# onnxruntime-node is fetched with npm into $MOTE_BUILDDIR/tests/onnx/npm-cache
# once (shared with paddle_ocr.sh) and reused. Exit 77 (skip) with the
# reason when node or npm is missing or the registry is unreachable.

B=${MOTE_BUILDDIR:-.}
S=${MOTE_SRCDIR:-.}
MOTE="$B/mote"
JS="$S/tests/onnx/paddle_ort.js"
CACHE="$B/tests/onnx/npm-cache"
Q="$S/tests/onnx/quant"

skip() { echo "SKIP: $*"; exit 77; }

[ -x "$MOTE" ] || skip "$MOTE was not built"

# mote alone first: the QDQ Convs are fused into QLinearConv at convert time
T=$(mktemp -d) || exit 1
trap 'rm -rf "$T"' EXIT
"$MOTE" convert "$Q/qdq_cnn.onnx" "$T/qdq.mote" >"$T/log" 2>&1 || { cat "$T/log"; echo "FAIL: convert"; exit 1; }
grep -q "pass.qdq .*2 rewrites" "$T/log" || { cat "$T/log"; echo "FAIL: the two QDQ convolutions were not fused"; exit 1; }
n=$("$MOTE" info "$T/qdq.mote" | grep -c " QLinearConv ")
[ "$n" -eq 2 ] || { echo "FAIL: $n QLinearConv nodes after fusion, expected 2"; exit 1; }

command -v node >/dev/null 2>&1 || skip "node is not installed"
command -v npm >/dev/null 2>&1 || skip "npm is not installed"
# one script fetches at a time: make check runs them side by side
mkdir -p "$CACHE" || exit 1
exec 9>"$CACHE/.lock"
! command -v flock >/dev/null 2>&1 || flock 9
mkdir -p "$CACHE/ort" || exit 1
if [ ! -d "$CACHE/ort/node_modules/onnxruntime-node" ]; then
    echo "fetching onnxruntime-node@1.30.0 with npm"
    ( cd "$CACHE/ort" && ONNXRUNTIME_NODE_INSTALL=skip timeout 300 npm install --ignore-scripts \
        --no-audit --no-fund --no-save onnxruntime-node@1.30.0 >install.log 2>&1 ) ||
        { rm -rf "$CACHE/ort/node_modules"
          skip "npm could not install onnxruntime-node@1.30.0 (no registry?): $(tail -n 3 "$CACHE/ort/install.log" 2>/dev/null)"; }
fi
exec 9>&-

fails=0
# model, tolerance: the output's quantization step (QDQ / QOperator), or
# a float bound for the dynamically quantized ones (same integer products,
# then f32 scaling)
for spec in qdq_cnn:0.01 qop_cnn:0.04 qlinear_matmul:0.02 dyn_block:1e-3 dyn_conv:1e-4; do
    m=${spec%%:*} tol=${spec#*:}
    NODE_PATH="$CACHE/ort/node_modules" node "$JS" run "$Q/$m.onnx" "$Q/$m.x.npy" "$T/$m.ort.npy" \
        >/dev/null 2>"$T/err" || skip "onnxruntime-node does not run here: $(tail -n 2 "$T/err")"
    if ! "$MOTE" convert -q "$Q/$m.onnx" "$T/$m.mote" >"$T/log" 2>&1 ||
       ! "$MOTE" run "$T/$m.mote" -i "x=$Q/$m.x.npy" -o "$T/$m" >>"$T/log" 2>&1; then
        echo "FAIL: $m: $(cat "$T/log")"
        fails=$((fails + 1))
        continue
    fi
    if node "$JS" compare "$T/$m.ort.npy" "$T/$m/y.npy" "$tol" >"$T/cmp" 2>&1; then
        echo "PASS: $m: $(tail -n 1 "$T/cmp")"
    else
        echo "FAIL: $m: $(tail -n 1 "$T/cmp")"
        fails=$((fails + 1))
    fi
done
[ "$fails" -eq 0 ] || exit 1
