#!/bin/sh
# bench/ort.sh — mote against ONNX Runtime on the same ONNX files, in the
# same run: ResNet-18 and MobileNetV2 (224x224) and one BERT-base layer
# (sequence 128), written by bench/export_onnx.py with random weights, plus
# PaddleOCR's text-direction classifier when tests/onnx/paddle_ocr.sh has
# already put it in the build directory's npm cache.
#
# For each model: `mote convert`, one inference on both with the same random
# input (max |difference| checked against a tolerance: a mismatch stops the
# benchmark), then, per thread count (1, 2), ROUNDS rounds that alternate
# `mote profile -n RUNS` (its "plain mote_session_run" median: no timing
# hooks) and bench/ort_peer.js (onnxruntime-node@1.30.0, RUNS timed runs
# after warm-up, intraOpNumThreads = threads, interOpNumThreads 1, default
# graph optimizations). Prints a markdown table and writes it, with the
# per-round figures and both runtimes' per-op-type profiles (1 thread), to
# FILE.
#
# It is a benchmark, not a test: it asserts nothing about speed and is not
# part of `make check`. It needs node and npm (onnxruntime-node is fetched
# into BUILD/tests/onnx/npm-cache/ort, as tests/onnx/paddle_ocr.sh does) and
# a python with torch and onnx (/usr/bin/python3 unless PYTHON is set).
#
# Usage: bench/ort.sh [--build DIR] [--out FILE] [--runs N] [--rounds R]
#                     [--only NAME]
#   DIR   the build directory holding ./mote (default .)
#   FILE  the markdown output (default bench/results/ort.md of the source tree)
#   N     timed runs per round, at least 30 (default 30)
#   R     rounds per model and thread count (default 3)
#   NAME  only the models whose name contains NAME

set -u

SRC=$(cd "$(dirname "$0")/.." && pwd) || exit 1
BUILD=.
OUTFILE=$SRC/bench/results/ort.md
RUNS=30
ROUNDS=3
ONLY=
WARMUP=5
OPSET=13
RELTOL=1e-4          # max |mote - ORT| <= RELTOL * max(1, max |ORT output|)
PYTHON=${PYTHON:-/usr/bin/python3}
ORT_VERSION=1.30.0

ME=bench/ort.sh
. "$SRC/bench/ort_common.sh"
usage() { sed -n 's/^# \{0,1\}//; /^Usage:/,/^ *NAME /p' "$0"; exit "${1:-2}"; }

while [ $# -gt 0 ]; do
    case $1 in
        --build) [ $# -ge 2 ] || usage; BUILD=$2; shift 2 ;;
        --out) [ $# -ge 2 ] || usage; OUTFILE=$2; shift 2 ;;
        --runs) [ $# -ge 2 ] || usage; RUNS=$2; shift 2 ;;
        --rounds) [ $# -ge 2 ] || usage; ROUNDS=$2; shift 2 ;;
        --only) [ $# -ge 2 ] || usage; ONLY=$2; shift 2 ;;
        -h|--help) usage 0 ;;
        *) echo "bench/ort.sh: unknown argument '$1'" >&2; usage ;;
    esac
done
ort_need_number runs "$RUNS" 30
ort_need_number rounds "$ROUNDS" 1

# ---------------------------------------------------------------- tools

ort_tools "export the models"
ort_fetch
OCR=$CACHE/ocr/package/assets/ch_ppocr_mobile_v2.0_cls_infer.onnx
ort_scratch

# ------------------------------------------------------------- the models

note "exporting the models to ONNX (opset $OPSET)"
"$PYTHON" "$SRC/bench/export_onnx.py" "$T" --opset "$OPSET" >"$T/export.list" 2>"$T/export.log" ||
    { cat "$T/export.log" >&2; die "exporting the models failed (see above)"; }
: >"$T/models"
while read -r name _; do
    echo "$name $T/$name.onnx $T/$name.x.npy" >>"$T/models"
done <"$T/export.list"
if [ -f "$OCR" ]; then
    node "$PEER" randn "$T/ppocr_cls.x.npy" 7 1 3 48 192 || die "could not make the classifier's input"
    echo "ppocr_cls $OCR $T/ppocr_cls.x.npy" >>"$T/models"
    OCR_NOTE="present"
else
    OCR_NOTE="absent from the npm cache (tests/onnx/paddle_ocr.sh fetches it), not measured"
fi
if [ -n "$ONLY" ]; then
    awk -v want="$ONLY" 'index($1, want)' "$T/models" >"$T/models.only" &&
        mv "$T/models.only" "$T/models" || die "cannot filter the model list"
    [ -s "$T/models" ] || die "no model matches '$ONLY'"
fi

label() {
    case $1 in
        resnet18) echo "ResNet-18 224x224" ;;
        mobilenetv2) echo "MobileNetV2 224x224" ;;
        bert) echo "BERT layer s128 h768" ;;
        ppocr_cls) echo "PaddleOCR cls 3x48x192" ;;
        *) echo "$1" ;;
    esac
}

# ------------------------------------------------ conversion and checking

read -r _ onnx x <"$T/models"
node "$PEER" run "$onnx" "$x" "$T/probe.npy" 2>"$T/probe.log" ||
    die "onnxruntime-node does not run here: $(tail -n 3 "$T/probe.log")"

FAILED=
while read -r name onnx x; do
    note "checking $name"
    "$MOTE" convert -q "$onnx" "$T/$name.mote" >"$T/$name.convert.log" 2>&1 ||
        { cat "$T/$name.convert.log" >&2; die "mote convert rejected $name (see above)"; }
    node "$PEER" run "$onnx" "$x" "$T/$name.ort.npy" || die "ONNX Runtime failed on $name"
    rm -rf "$T/$name.out"
    "$MOTE" run -j 1 "$T/$name.mote" "$x" -o "$T/$name.out" >/dev/null ||
        die "mote run failed on $name"
    set -- "$T/$name.out"/*.npy
    [ $# -eq 1 ] && [ -f "$1" ] || die "$name: expected one output from mote, found: $*"
    if node "$PEER" compare "$T/$name.ort.npy" "$1" "$RELTOL" >"$T/$name.diff"; then
        note "  $(cat "$T/$name.diff")"
    else
        note "  $(cat "$T/$name.diff")"
        echo "FAIL: $name: mote's output differs from ONNX Runtime's beyond the tolerance" >&2
        FAILED="$FAILED $name"
    fi
done <"$T/models"
[ -z "$FAILED" ] || die "outputs differ for:$FAILED (no timing done)"

# ----------------------------------------------------------------- timing

LOAD0=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo "?")
: >"$T/rows"
: >"$T/rounds"
while read -r name onnx x; do
    for threads in 1 2; do
        note "timing $name, $threads thread(s), $ROUNDS rounds of $RUNS runs"
        : >"$T/m" ; : >"$T/o"
        r=1
        while [ "$r" -le "$ROUNDS" ]; do
            "$MOTE" profile -n "$RUNS" -j "$threads" "$T/$name.mote" "$x" >"$T/prof" 2>&1 ||
                { cat "$T/prof" >&2; die "mote profile failed on $name"; }
            if [ "$threads" = 1 ] && [ "$r" = 1 ]; then
                sed -n '/^per op type:/,/^$/p' "$T/prof" >"$T/$name.byop"
            fi
            us=$(sed -n 's/^plain mote_session_run, median of [0-9]*: \([0-9.]*\) us$/\1/p' "$T/prof")
            [ -n "$us" ] || die "no plain-run median in mote profile's output for $name"
            awk -v u="$us" 'BEGIN { printf "%.3f\n", u / 1000 }' >>"$T/m"
            line=$(node "$PEER" time "$onnx" "$x" "$threads" "$RUNS" "$WARMUP") ||
                die "ONNX Runtime timing failed on $name"
            echo "$line" >>"$T/o"
            echo "| $(label "$name") | $threads | $r | $(tail -n 1 "$T/m") | $(echo "$line" |
                sed 's/[a-z0-9]*=//g; s/ / | /g') |" >>"$T/rounds"
            r=$((r + 1))
        done
        if [ "$threads" = 1 ]; then
            # where the time goes in ONNX Runtime, beside mote's profile
            rm -rf "$T/prof.ort" && mkdir "$T/prof.ort" &&
                node "$PEER" profile "$onnx" "$x" 1 "$RUNS" "$WARMUP" "$T/prof.ort" >"$T/$name.ortbyop" ||
                die "ONNX Runtime profiling failed on $name"
        fi
        # per model and threads: the median of the rounds' medians, and
        # their lowest and highest
        sed 's/^median=\([^ ]*\) .*/\1/' "$T/o" >"$T/oms"
        diff=$(sed 's/^maxdiff=\([^ ]*\) .*/\1/' "$T/$name.diff")
        sort -n "$T/m" >"$T/ms"; sort -n "$T/oms" >"$T/os"
        paste -d' ' "$T/ms" "$T/os" | awk -v lab="$(label "$name")" -v t="$threads" -v d="$diff" '
            { m[NR] = $1; o[NR] = $2 }
            END {
                n = NR
                mm = n % 2 ? m[(n + 1) / 2] : (m[n / 2] + m[n / 2 + 1]) / 2
                om = n % 2 ? o[(n + 1) / 2] : (o[n / 2] + o[n / 2 + 1]) / 2
                printf "| %s | %d | %.2f | %.2f-%.2f | %.2f | %.2f-%.2f | %.2f | %s |\n",
                    lab, t, mm, m[1], m[n], om, o[1], o[n], om / mm, d
            }' >>"$T/rows"
    done
done <"$T/models"
LOAD1=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo "?")

# ----------------------------------------------------------------- report

CPU=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -n 1)
ort_peak
NCPU=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo "?")
COMMIT=$(git -C "$SRC" rev-parse --short HEAD 2>/dev/null || echo "unknown")
TORCHV=$("$PYTHON" -c 'import torch; print(torch.__version__)' 2>/dev/null)
ISA=$(sed -n 's/^profile of .*kernels \([a-z0-9]*\),.*/\1/p' "$T/prof")

{
    echo "# mote vs ONNX Runtime on the same ONNX models"
    echo
    echo "Written by \`bench/ort.sh --runs $RUNS --rounds $ROUNDS\` on $(date -u '+%Y-%m-%d %H:%M UTC')."
    echo "Machine: ${CPU:-unknown CPU}, $NCPU logical CPUs; load average $LOAD0 before the"
    echo "timing and $LOAD1 after it. $PEAK_LINE."
    echo "**These are that run's conditions**: both runtimes"
    echo "were measured in the same run, interleaved per model (for each model and"
    echo "thread count, $ROUNDS rounds, each a \`mote profile\` then an ONNX Runtime"
    echo "process), so a busy machine slows both alike, but only on average."
    echo
    echo "- mote $COMMIT, kernels $ISA: \`mote profile -n $RUNS -j T\`, its \"plain"
    echo "  mote_session_run\" median (no timing hooks; after 2 untimed and $RUNS hooked runs)."
    echo "- ONNX Runtime $ORT_VERSION (npm onnxruntime-node), bench/ort_peer.js: intraOpNumThreads T,"
    echo "  interOpNumThreads 1, sequential, graph optimizations at their default (all);"
    echo "  $WARMUP warm-up runs, then the median of $RUNS \`await session.run()\` wall times"
    echo "  (the node binding's per-call cost included)."
    echo "- Models: bench/export_onnx.py (torch $TORCHV, opset $OPSET, eval mode, random weights and"
    echo "  BatchNorm statistics, fixed seeds, batch 1); the PaddleOCR classifier"
    echo "  (ch_ppocr_mobile_v2.0_cls_infer.onnx, opset 9) is $OCR_NOTE;"
    echo "  its input is random normal."
    echo "- ms: the median over the $ROUNDS rounds of each round's median of $RUNS runs;"
    echo "  range: the lowest and highest round median. ORT/mote above 1: mote is faster."
    echo "- max diff: max |mote - ORT| over the output, 1 thread each, same input;"
    echo "  the run stops if it exceeds $RELTOL x max(1, max |ORT output|)."
    echo
    echo "| model | threads | mote ms | mote range | ORT ms | ORT range | ORT/mote | max diff |"
    echo "|---|---|---|---|---|---|---|---|"
    cat "$T/rows"
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
    echo "## Where the time goes, per op type (1 thread)"
    echo
    echo "mote: \`mote profile\`'s per-op-type table from the first round (per-node"
    echo "medians, timing hooks on). ONNX Runtime: its profiler (enableProfiling) over"
    echo "$RUNS runs after $WARMUP warm-ups, the median per run of each op type's summed"
    echo "kernel time, in ONNX Runtime's optimized graph (its Conv runs in the NCHWc"
    echo "layout, hence the Reorder nodes; FusedConv is Conv with a fused activation)."
    echo "The profiler's own cost per node makes models with many small nodes look"
    echo "slower there than in the table above."
    while read -r name _; do
        echo
        echo "$(label "$name"), mote:"
        echo
        echo '```'
        sed '1d; /^$/d' "$T/$name.byop"
        echo '```'
        echo
        echo "$(label "$name"), ONNX Runtime:"
        echo
        echo '```'
        cat "$T/$name.ortbyop"
        echo '```'
    done <"$T/models"
} >"$T/report.md" || die "could not write the report"

sed -n '/^| model | threads | mote ms/,/^$/p' "$T/report.md"
mkdir -p "$(dirname "$OUTFILE")" && cp "$T/report.md" "$OUTFILE" ||
    die "could not write $OUTFILE"
note "written: $OUTFILE"
