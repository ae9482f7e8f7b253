#!/bin/sh
# test_classify.sh — `mote classify` and `mote convert` of TFLite models as
# a user meets them: the real quantized MobileNets (from the shared models
# folder) on three photographs, labels stored at convert time, JSON output,
# and clear errors for bad images, bad options and unsupported operators.
#
# The photographs' expected classes: cat.bmp a cat (tabby, tiger cat or
# Egyptian cat), grace_hopper.bmp military uniform, bird.bmp a bird. The
# small MobileNet v1 0.25 (128 x 128) puts grace_hopper.bmp in "academic
# gown" with military uniform lower in its top 5; TFLite itself gives it
# "academic gown" too, so that is what it is held to.
# The MobileNet cases skip (with a message) when MOTE_SHARED_MODELS is not
# a folder; exit 77 when the tool was not built.

B=${MOTE_BUILDDIR:-.}
S=${MOTE_SRCDIR:-.}
MOTE="$B/mote"
if [ ! -x "$MOTE" ]; then
    echo "SKIP: $MOTE was not built"
    exit 77
fi
T=$(mktemp -d) || exit 1
trap 'rm -rf "$T"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

# expect WANT_EXIT PATTERN COMMAND...
expect() {
    want=$1 pat=$2
    shift 2
    "$@" >"$T/out" 2>"$T/err"
    rc=$?
    if [ "$rc" -ne "$want" ]; then
        fail "'$*' exited $rc, expected $want: $(head -c 400 "$T/err")"
    elif [ -n "$pat" ] && ! grep -q -- "$pat" "$T/out" "$T/err"; then
        fail "'$*' did not print '$pat': $(head -c 400 "$T/out" "$T/err")"
    fi
}

# top1 FILE IMAGE: the label line of IMAGE's first class in classify output
top1() { awk -v img="$2" '$0 == img":" { getline; sub(/^ *[0-9.]+ +[0-9]+  /, ""); print; exit }' "$1"; }

# --- without the shared models: the small models of tests/tflite
expect 1 "TOPK_V2 x2" "$MOTE" convert "$S/tests/tflite/unsupported.tflite" "$T/u.mote"
expect 1 "CUSTOM 'MyOwnOp'" "$MOTE" convert "$S/tests/tflite/unsupported.tflite" "$T/u.mote"
[ -e "$T/u.mote" ] && fail "a refused conversion left $T/u.mote"
expect 0 "" "$MOTE" convert "$S/tests/tflite/qconv_u8.tflite" "$T/q.mote"
expect 0 "QConv" "$MOTE" info "$T/q.mote"
head -c 300 "$S/tests/tflite/qconv_u8.tflite" >"$T/cut.tflite"
expect 1 "cut.tflite" "$MOTE" convert "$T/cut.tflite" "$T/cut.mote"
expect 2 "--mean" "$MOTE" convert --mean 1,x "$S/tests/tflite/qconv_u8.tflite" "$T/q.mote"
expect 2 "--std" "$MOTE" convert --std 0.5,0 "$S/tests/tflite/qconv_u8.tflite" "$T/q.mote"
expect 2 "IMAGE" "$MOTE" classify "$T/q.mote"
# images: a 2 x 2 PPM runs through the small model; bad images are named
printf 'P6\n# a comment\n2 2\n255\n\377\0\0\0\377\0\0\0\377\377\377\377' >"$T/rgb.ppm"
printf 'first\nsecond\nthird\nfourth\nfifth\n' >"$T/labels.txt"
expect 0 "second\|first\|third\|fourth\|fifth" "$MOTE" classify --labels "$T/labels.txt" --top 2 \
    "$S/tests/tflite/qconv_u8.tflite" "$T/rgb.ppm"
printf 'P6\n2 2\n255\n\377\0' >"$T/short.ppm"
expect 1 "short.ppm" "$MOTE" classify "$S/tests/tflite/qconv_u8.tflite" "$T/short.ppm"
printf 'BM\0\0' >"$T/tiny.bmp"
expect 1 "tiny.bmp" "$MOTE" classify "$S/tests/tflite/qconv_u8.tflite" "$T/tiny.bmp"
printf 'hello' >"$T/text.img"
expect 1 "not a BMP" "$MOTE" classify "$S/tests/tflite/qconv_u8.tflite" "$T/text.img"
expect 2 "--top" "$MOTE" classify --top 0 "$S/tests/tflite/qconv_u8.tflite" "$T/rgb.ppm"
# every reader on one picture (a green 4 x 4 block at rows 8-11, columns
# 4-7 of 16 x 16): pixels.tflite outputs the 4 x 4 x 3 resized image, so
# the top class is the block's green channel, (2 * 4 + 1) * 3 + 1 = 28
# (27 for the grey version: three equal channels, the lowest index wins)
for f in green_block.bmp green_block.png green_block.jpg grey_block.pgm grey_block.png; do
    want=28
    case $f in grey*) want=27 ;; esac
    if "$MOTE" classify --top 1 "$S/tests/tflite/pixels.tflite" "$S/tests/images/$f" >"$T/out" 2>"$T/err"; then
        got=$(awk 'NR == 2 { print $2 }' "$T/out")
        [ "$got" = "$want" ] || fail "$f: top class $got, expected $want"
    elif grep -q "support was not built" "$T/err"; then
        echo "SKIP: $f: $(cat "$T/err")"
    else
        fail "$f: $(cat "$T/err")"
    fi
done
head -c 60 "$S/tests/images/green_block.png" >"$T/cut.png"
head -c 300 "$S/tests/images/green_block.jpg" >"$T/cut.jpg"
head -c 700 "$S/tests/images/green_block.jpg" >"$T/cut2.jpg"   # inside the scan data
for f in cut.png cut.jpg cut2.jpg; do
    "$MOTE" classify "$S/tests/tflite/pixels.tflite" "$T/$f" >"$T/out" 2>"$T/err"
    rc=$?
    [ $rc -eq 1 ] && grep -q "$f" "$T/err" || fail "$f: exit $rc, $(cat "$T/err")"
done

M=${MOTE_SHARED_MODELS:-}
if [ -z "$M" ] || [ ! -f "$M/mobilenet_v2_1.0_224_quant.tflite" ]; then
    echo "SKIP: MobileNet cases: no shared models folder (MOTE_SHARED_MODELS=$M)"
else
    L="$M/imagenet_labels.txt"
    for model in mobilenet_v2_1.0_224_quant mobilenet_v1_0.25_128_quant; do
        expect 0 "" "$MOTE" convert --labels "$L" "$M/$model.tflite" "$T/$model.mote"
        # the labels come from the file; the images are read by the built-in BMP reader
        if ! "$MOTE" classify "$T/$model.mote" "$M/cat.bmp" "$M/grace_hopper.bmp" "$M/bird.bmp" \
                >"$T/$model.txt" 2>"$T/err"; then
            fail "classify with $model: $(cat "$T/err")"
            continue
        fi
        cat "$T/$model.txt"
        case $(top1 "$T/$model.txt" "$M/cat.bmp") in
            "tabby, tabby cat"|"tiger cat"|"Egyptian cat") ;;
            *) fail "$model: cat.bmp top-1 is '$(top1 "$T/$model.txt" "$M/cat.bmp")'" ;;
        esac
        want_hopper="military uniform"
        [ $model = mobilenet_v1_0.25_128_quant ] && want_hopper="academic gown, academic robe, judge's robe"
        got=$(top1 "$T/$model.txt" "$M/grace_hopper.bmp")
        [ "$got" = "$want_hopper" ] || fail "$model: grace_hopper.bmp top-1 is '$got'"
        grep -A5 "grace_hopper.bmp:" "$T/$model.txt" | grep -q "military uniform" ||
            fail "$model: military uniform is not in grace_hopper.bmp's top 5"
        # ImageNet's birds are classes 7..24 and 80..100 and 127..146
        idx=$(awk -v img="$M/bird.bmp" '$0 == img":" { getline; print $2; exit }' "$T/$model.txt")
        if ! { [ "$idx" -ge 8 ] && [ "$idx" -le 25 ]; } && ! { [ "$idx" -ge 81 ] && [ "$idx" -le 101 ]; } &&
           ! { [ "$idx" -ge 128 ] && [ "$idx" -le 147 ]; }; then
            fail "$model: bird.bmp top-1 is class $idx, not a bird"
        fi
    done
    # the .tflite directly, JSON, an explicit label file
    expect 0 '"label": "military uniform"' "$MOTE" classify --json --top 3 --labels "$L" \
        "$M/mobilenet_v2_1.0_224_quant.tflite" "$M/grace_hopper.bmp"
    expect 0 '"probability": 0.9' "$MOTE" classify --json --top 1 --labels "$L" \
        "$M/mobilenet_v2_1.0_224_quant.tflite" "$M/grace_hopper.bmp"
fi

if [ "$fails" -ne 0 ]; then
    echo "$fails failure(s)"
    exit 1
fi
echo "test_classify: all passed"
