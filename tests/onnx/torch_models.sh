#!/bin/sh
# torch_models.sh — PyTorch exports against ONNX Runtime: nn.MultiheadAttention
# with a causal mask from torch.tril (opset 14 and 17),
# nn.TransformerEncoderLayer, an LSTM tagger and a small U-Net with
# ConvTranspose2d and Upsample (opset 13 and 17), exported with dynamic
# batch and sequence / size dims by tests/onnx/make_torch_models.py
# (Debian's python3-torch and python3-onnx), go through `mote convert` and
# `mote run` at two input shapes each, then through one session replanned
# with mote_session_reshape for each shape (tests/onnx/reshape_compare.py,
# when the shared library and numpy are there); every output must match
# ONNX Runtime's (npm onnxruntime-node@1.30.0) to 1e-4 x max(1, max |ORT|).
# Also Conv3d, ConvTranspose3d, MaxPool3d, AvgPool3d, GRU, GroupNorm,
# PixelShuffle, AdaptiveAvgPool2d, InstanceNorm2d, Embedding, LayerNorm,
# GELU, Conv1d and TransformerDecoderLayer (see make_torch_models.py).
# These exports compute their Reshape shapes, masks and slices from Shape
# nodes: they run because the session evaluates shape-derived values once
# (src/runtime/shape_fold.c).
#
# onnxruntime-node is fetched with npm into $MOTE_BUILDDIR/tests/onnx/npm-cache
# (shared with paddle_ocr.sh). Exit 77 (skip) with the reason when torch,
# node or npm is missing or the registry is unreachable.

B=${MOTE_BUILDDIR:-.}
S=${MOTE_SRCDIR:-.}
MOTE="$B/mote"
JS="$S/tests/onnx/ort_run.js"
CACHE="$B/tests/onnx/npm-cache"
PY=/usr/bin/python3

skip() { echo "SKIP: $*"; exit 77; }

[ -x "$MOTE" ] || skip "$MOTE was not built"
[ -x "$PY" ] && "$PY" -c "import torch, onnx, numpy" 2>/dev/null ||
    skip "$PY cannot import torch, onnx and numpy (apt-get install python3-torch python3-onnx)"
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

LIB=
for f in "$B/.libs/libmote.so.0" "$B/.libs/libmote.so" "$B/.libs/libmote.dylib"; do
    if [ -f "$f" ]; then LIB=$f; break; fi
done
if [ -n "$LIB" ] && grep -q "__asan_init\|__ubsan_handle\|__tsan_init" "$LIB" 2>/dev/null; then
    LIB=   # Python cannot load a sanitizer build without its runtime
fi
[ -n "$LIB" ] || echo "note: no loadable shared libmote; the mote_session_reshape runs are left out"

T=$(mktemp -d) || exit 1
trap 'rm -rf "$T"' EXIT

"$PY" "$S/tests/onnx/make_torch_models.py" "$T" >"$T/export.log" 2>&1 || {
    cat "$T/export.log"; echo "FAIL: the PyTorch export failed"; exit 1; }

fails=0 runs=0
for onnx in "$T"/*_opset*.onnx; do
    model=$(basename "$onnx" .onnx)
    base=${model%_opset*}
    if ! "$MOTE" convert -q "$T/$model.onnx" "$T/$model.mote" >"$T/convert.log" 2>&1; then
        cat "$T/convert.log"
        echo "FAIL: mote convert $model"
        fails=$((fails + 1))
        continue
    fi
    for x in "$T/$base".*.x.npy; do
        shape=${x#"$T/$base."}
        shape=${shape%.x.npy}
        NODE_PATH="$CACHE/ort/node_modules" node "$JS" run "$T/$model.onnx" "$T/ort.$model.$shape" "x=$x" ||
            skip "onnxruntime-node does not run on this machine"
        if ! "$MOTE" run "$T/$model.mote" -i "x=$x" -o "$T/mote.$model.$shape" >"$T/run.log" 2>&1; then
            cat "$T/run.log"
            echo "FAIL: mote run $model at $shape"
            fails=$((fails + 1))
            continue
        fi
        printf '%s at %s: ' "$model" "$shape"
        node "$JS" compare "$T/ort.$model.$shape/y.npy" "$T/mote.$model.$shape/y.npy" 1e-4 ||
            { echo "FAIL: $model at $shape differs from ONNX Runtime"; fails=$((fails + 1)); }
        runs=$((runs + 1))
    done
    [ -n "$LIB" ] || continue
    set --
    for x in "$T/$base".*.x.npy; do
        shape=${x#"$T/$base."}
        shape=${shape%.x.npy}
        [ -f "$T/ort.$model.$shape/y.npy" ] && set -- "$@" "$x" "$T/ort.$model.$shape/y.npy"
    done
    if MOTE_LIBRARY=$LIB PYTHONPATH="$S/python${PYTHONPATH:+:$PYTHONPATH}" PYTHONDONTWRITEBYTECODE=1 \
        "$PY" "$S/tests/onnx/reshape_compare.py" "$T/$model.mote" "$@"; then
        runs=$((runs + $# / 2 + 1))
    else
        echo "FAIL: $model through mote_session_reshape"
        fails=$((fails + 1))
    fi
done
[ "$fails" -eq 0 ] || { echo "$fails failure(s)"; exit 1; }
echo "PASS: $runs PyTorch export runs match ONNX Runtime to 1e-4"
