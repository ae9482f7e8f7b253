#!/bin/sh
# bench/int8.sh — mote's int8 against mote's fp32 and against ONNX Runtime's
# QDQ execution of the same quantized ONNX model, in one run: ResNet-18 and
# MobileNetV2 (224x224), 1 and 2 threads.
#
# For each model: bench/export_onnx.py writes the float ONNX file and a
# random input; bench/quantize_qdq.py quantizes it (u8 activations with
# ranges from that input, per-channel i8 weights, i32 biases) into the QDQ
# form ONNX Runtime's static quantization writes; `mote convert` turns both
# into .mote files (mote fuses the QDQ convolutions into QLinearConv). One
# inference checks mote's int8 output against ONNX Runtime's on the same
# QDQ file (max |difference| printed; a gross mismatch stops the run).
# Then, per thread count, ROUNDS interleaved rounds of: `mote profile` of
# the fp32 model, `mote profile` of the int8 model (their "plain
# mote_session_run" medians), and bench/ort_peer.js timing the QDQ file
# (onnxruntime-node, intraOpNumThreads T, default graph optimizations,
# which fuse QDQ into its integer kernels). Prints a markdown table (the
# median of the round medians and their range) and writes it, with every
# round, to FILE.
#
# A benchmark, not a test. Needs node and npm (onnxruntime-node is fetched
# into BUILD/tests/onnx/npm-cache/ort as bench/ort.sh does) and a python
# with torch and onnx (/usr/bin/python3 unless PYTHON is set).
#
# Usage: bench/int8.sh [--build DIR] [--out FILE] [--runs N] [--rounds R]
#                      [--only NAME]
#   DIR   the build directory holding ./mote (default .)
#   FILE  the markdown output (default bench/results/int8.md of the source tree)
#   N     timed runs per round (default 30)
#   R     rounds per model and thread count (default 5)
#   NAME  only the models whose name contains NAME (resnet18, mobilenetv2)

set -u

SRC=$(cd "$(dirname "$0")/.." && pwd) || exit 1
BUILD=.
OUTFILE=$SRC/bench/results/int8.md
RUNS=30
ROUNDS=5
ONLY=
WARMUP=5
OPSET=13
PYTHON=${PYTHON:-/usr/bin/python3}
ORT_VERSION=1.30.0

ME=bench/int8.sh
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
        *) echo "bench/int8.sh: unknown argument '$1'" >&2; usage ;;
    esac
done
ort_need_number runs "$RUNS" 5
ort_need_number rounds "$ROUNDS" 1

ort_tools "make the models"
ort_fetch
ort_scratch

MODELS="resnet18 mobilenetv2"
if [ -n "$ONLY" ]; then
    MODELS=$(for m in $MODELS; do case $m in *"$ONLY"*) echo "$m" ;; esac; done)
    [ -n "$MODELS" ] || die "no model matches '$ONLY'"
fi

label() {
    case $1 in
        resnet18) echo "ResNet-18 224x224" ;;
        mobilenetv2) echo "MobileNetV2 224x224" ;;
        *) echo "$1" ;;
    esac
}

# ------------------------------------------------------------- the models

for m in $MODELS; do
    note "making $m: float ONNX, QDQ ONNX, both .mote"
    "$PYTHON" "$SRC/bench/export_onnx.py" "$T" --opset "$OPSET" --only "$m" >"$T/$m.export" 2>&1 ||
        { cat "$T/$m.export" >&2; die "exporting $m failed"; }
    "$PYTHON" "$SRC/bench/quantize_qdq.py" "$T/$m.onnx" "$T/$m.x.npy" "$T/$m.qdq.onnx" ||
        die "quantizing $m failed"
    "$MOTE" convert -q "$T/$m.onnx" "$T/$m.mote" >/dev/null ||
        die "mote convert rejected $m"
    "$MOTE" convert -q "$T/$m.qdq.onnx" "$T/$m.int8.mote" >"$T/$m.int8.convert" ||
        die "mote convert rejected $m's QDQ model"
    grep -q 'pass.qdq' "$T/$m.int8.convert" ||
        die "mote did not fuse $m's QDQ convolutions (see mote convert's report)"
    node "$PEER" run "$T/$m.qdq.onnx" "$T/$m.x.npy" "$T/$m.ort.npy" || die "ONNX Runtime failed on $m"
    rm -rf "$T/$m.out"
    "$MOTE" run -j 1 "$T/$m.int8.mote" "$T/$m.x.npy" -o "$T/$m.out" >/dev/null || die "mote run failed on $m"
    set -- "$T/$m.out"/*.npy
    # a few output quantization steps apart is expected (the two runtimes
    # round the residual additions differently); more than a tenth of the
    # output's range is a wrong result
    node "$PEER" compare "$T/$m.ort.npy" "$1" 0.1 >"$T/$m.diff" ||
        die "$m: mote's int8 output differs grossly from ONNX Runtime's: $(cat "$T/$m.diff")"
    note "  int8 vs ONNX Runtime: $(cat "$T/$m.diff")"
done

# ----------------------------------------------------------------- timing

prof_ms() {   # mote profile's plain-run median of MODEL, THREADS, in ms
    "$MOTE" profile -n "$RUNS" -j "$2" "$1" "$3" >"$T/prof" 2>&1 ||
        { cat "$T/prof" >&2; die "mote profile failed on $1"; }
    us=$(sed -n 's/^plain mote_session_run, median of [0-9]*: \([0-9.]*\) us$/\1/p' "$T/prof")
    [ -n "$us" ] || die "no plain-run median in mote profile's output for $1"
    awk -v u="$us" 'BEGIN { printf "%.3f\n", u / 1000 }'
}

med_range() {   # the median and range of the numbers in FILE: "med lo hi"
    sort -n "$1" | awk '{ v[NR] = $1 } END {
        n = NR; m = n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
        printf "%.2f %.2f %.2f\n", m, v[1], v[n] }'
}

LOAD0=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo "?")
: >"$T/rows"
: >"$T/rounds"
for m in $MODELS; do
    for threads in 1 2; do
        note "timing $m, $threads thread(s), $ROUNDS rounds of $RUNS runs"
        : >"$T/f"; : >"$T/i"; : >"$T/o"
        r=1
        while [ "$r" -le "$ROUNDS" ]; do
            f=$(prof_ms "$T/$m.mote" "$threads" "$T/$m.x.npy") || exit 1
            i=$(prof_ms "$T/$m.int8.mote" "$threads" "$T/$m.x.npy") || exit 1
            line=$(node "$PEER" time "$T/$m.qdq.onnx" "$T/$m.x.npy" "$threads" "$RUNS" "$WARMUP") ||
                die "ONNX Runtime timing failed on $m"
            o=$(echo "$line" | sed 's/^median=\([^ ]*\) .*/\1/')
            echo "$f" >>"$T/f"; echo "$i" >>"$T/i"; echo "$o" >>"$T/o"
            echo "| $(label "$m") | $threads | $r | $f | $i | $o | $(cut -d' ' -f1-3 /proc/loadavg) |" >>"$T/rounds"
            r=$((r + 1))
        done
        set -- $(med_range "$T/f") $(med_range "$T/i") $(med_range "$T/o")
        echo "| $(label "$m") | $threads | $1 ($2-$3) | $4 ($5-$6) | $7 ($8-$9) | $(awk -v a="$1" -v b="$4" 'BEGIN { printf "%.2f", a / b }') | $(awk -v a="$7" -v b="$4" 'BEGIN { printf "%.2f", a / b }') |" >>"$T/rows"
    done
done
LOAD1=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo "?")

# ----------------------------------------------------------------- report

CPU=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -n 1)
ort_peak
NCPU=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo "?")
FLAGS=$(grep -o -w 'avx512_vnni\|amx_int8\|avx_vnni' /proc/cpuinfo 2>/dev/null | sort -u | tr '\n' ' ')
COMMIT=$(git -C "$SRC" rev-parse --short HEAD 2>/dev/null || echo "unknown")
ISA=$(sed -n 's/^profile of .*kernels \([a-z0-9]*\),.*/\1/p' "$T/prof")

{
    echo "# int8 against fp32 and against ONNX Runtime's QDQ execution"
    echo
    echo "Written by \`bench/int8.sh --runs $RUNS --rounds $ROUNDS\` on $(date -u '+%Y-%m-%d %H:%M UTC'),"
    echo "mote $COMMIT, kernels $ISA. Machine: ${CPU:-unknown CPU}, $NCPU logical CPUs"
    echo "($FLAGS); load average $LOAD0 before the timing and $LOAD1 after it."
    echo "$PEAK_LINE."
    echo
    echo "- Models: bench/export_onnx.py (random weights, batch 1, opset $OPSET), quantized by"
    echo "  bench/quantize_qdq.py into ONNX QDQ form: u8 activations (ranges from the"
    echo "  benchmark's input), per-channel symmetric i8 weights, i32 biases, ReLU / ReLU6"
    echo "  folded into the convolutions' output ranges. The same QDQ file is run by mote"
    echo "  (\`mote convert\` fuses it into QLinearConv; residual Adds stay f32 between"
    echo "  DequantizeLinear and QuantizeLinear) and by ONNX Runtime $ORT_VERSION (npm"
    echo "  onnxruntime-node, default graph optimizations, which fuse it into its own"
    echo "  integer kernels)."
    echo "- fp32: mote on the float ONNX file of the same network."
    echo "- Each round: \`mote profile -n $RUNS -j T\` of fp32, then of int8 (their plain"
    echo "  mote_session_run medians), then bench/ort_peer.js ($WARMUP warm-ups, median of $RUNS"
    echo "  runs); $ROUNDS rounds interleaved so that load hits all three alike on average."
    echo "- ms: the median of the round medians (lowest-highest round median)."
    echo "  fp32/int8 above 1: int8 is faster; ORT/int8 above 1: mote's int8 is faster."
    echo
    echo "| model | threads | mote fp32 ms | mote int8 ms | ORT QDQ ms | fp32/int8 | ORT/int8 |"
    echo "|---|---|---|---|---|---|---|"
    cat "$T/rows"
    echo
    for m in $MODELS; do
        echo "$(label "$m"): mote int8 vs ONNX Runtime on the QDQ file, 1 thread: $(cat "$T/$m.diff")."
    done
    echo
    echo "## Every round"
    echo
    echo "| model | threads | round | fp32 ms | int8 ms | ORT QDQ ms | load after |"
    echo "|---|---|---|---|---|---|---|"
    cat "$T/rounds"
} >"$T/report.md" || die "could not write the report"

sed -n '/^| model | threads | mote fp32/,/^$/p' "$T/report.md"
mkdir -p "$(dirname "$OUTFILE")" && cp "$T/report.md" "$OUTFILE" || die "could not write $OUTFILE"
note "written: $OUTFILE"
