#!/bin/sh
# test_quantize_int8.sh — `mote quantize --int8`: the bundled Fashion-MNIST
# model quantized after training (calibrated on 500 training images) must
# classify the 10,000 test images within 0.5 points of the float model's
# top-1 (90.81%, models/fashion/accuracy.txt), its convolutions and fully
# connected layers must have become QLinearConv, and bad arguments must
# fail clearly. The Fashion-MNIST files come from Debian's
# dataset-fashion-mnist (MOTE_FASHION_DIR overrides); without them the
# accuracy case is skipped with a message.

B=${MOTE_BUILDDIR:-.}
S=${MOTE_SRCDIR:-.}
MOTE="$B/mote"
D=${MOTE_FASHION_DIR:-/usr/share/datasets/fashion-mnist}
[ -x "$MOTE" ] || { echo "SKIP: $MOTE was not built"; exit 77; }
T=$(mktemp -d) || exit 1
trap 'rm -rf "$T"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

"$MOTE" quantize --int8 "$S/models/fashion/fashion.mote" "$T/q.mote" >"$T/out" 2>&1
[ $? -eq 2 ] && grep -q "calibrate" "$T/out" || fail "no --calibrate: $(cat "$T/out")"
mkdir "$T/empty"
"$MOTE" quantize --int8 "$S/models/fashion/fashion.mote" "$T/q.mote" --calibrate "$T/empty" >"$T/out" 2>&1
[ $? -eq 1 ] && grep -q "no calibration images" "$T/out" || fail "empty folder: $(cat "$T/out")"
[ -e "$T/q.mote" ] && fail "a failed quantization left $T/q.mote"

# the committed sample images calibrate too (no labelled set there: no report)
"$MOTE" quantize --int8 "$S/models/fashion/fashion.mote" "$T/s.mote" \
    --calibrate "$S/models/fashion/samples" >"$T/out" 2>&1 || fail "samples: $(cat "$T/out")"
grep -q "4 of .* nodes quantized" "$T/out" || fail "samples: $(cat "$T/out")"
[ "$("$MOTE" info "$T/s.mote" | grep -c " QLinearConv ")" -eq 4 ] || fail "expected 4 QLinearConv nodes"
"$MOTE" info "$T/s.mote" >/dev/null || fail "the quantized model does not open"

if [ ! -f "$D/t10k-images-idx3-ubyte.gz" ]; then
    echo "SKIP: accuracy: no Fashion-MNIST files in $D (apt-get install dataset-fashion-mnist)"
else
    "$MOTE" quantize --int8 "$S/models/fashion/fashion.mote" "$T/q.mote" --calibrate "$D" \
        --count 500 >"$T/out" 2>&1 || fail "quantize: $(cat "$T/out")"
    cat "$T/out"
    line=$(grep "^top-1 on 10000 labelled images" "$T/out")
    f32=$(echo "$line" | sed -n 's/.*f32 \([0-9.]*\)%.*/\1/p')
    int8=$(echo "$line" | sed -n 's/.*int8 \([0-9.]*\)%.*/\1/p')
    [ "$f32" = "90.81" ] || fail "float accuracy '$f32', models/fashion/accuracy.txt says 90.81"
    awk -v a="$f32" -v b="$int8" 'BEGIN { exit !(b != "" && b >= a - 0.5) }' ||
        fail "int8 accuracy '$int8' is more than 0.5 points below $f32"
fi
[ "$fails" -eq 0 ] || exit 1
echo "test_quantize_int8: all passed"
