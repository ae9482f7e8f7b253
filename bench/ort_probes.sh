#!/bin/bash
# bench/ort_probes.sh — one-node probes of the ops that real models spent
# their time in (issue: PP-OCRv4's ConvTranspose, M-LSD's Resize), mote
# against ONNX Runtime in the same run, 1 thread, interleaved rounds.
#
#   convt:  ConvTranspose 24 -> 24, kernel 2, stride 2, on [1, 24, 40, 40]
#   resize: Resize nearest x2 on [1, 96, 80, 80]
#
# Needs /usr/bin/python3 with onnx and numpy (to write the models), node and
# npm (onnxruntime-node, fetched into the build directory's npm cache as
# bench/ort.sh does). mote times with `mote bench` (generated inputs),
# ONNX Runtime with bench/ort_peer.js on an input of the same shape.
#
# Usage: bench/ort_probes.sh [--build DIR] [--rounds R] [--runs N]
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$SRC ROUNDS=3 RUNS=30 ORT_VERSION=1.30.0
while [ $# -gt 0 ]; do
    case $1 in
        --build) BUILD=$(cd "$2" && pwd); shift 2 ;;
        --rounds) ROUNDS=$2; shift 2 ;;
        --runs) RUNS=$2; shift 2 ;;
        *) echo "usage: bench/ort_probes.sh [--build DIR] [--rounds R] [--runs N]" >&2; exit 2 ;;
    esac
done
MOTE=$BUILD/mote
PY=/usr/bin/python3
die() { echo "bench/ort_probes.sh: $*" >&2; exit 1; }
[ -x "$MOTE" ] || die "no mote program in $BUILD (build it first, or give --build DIR)"
command -v node >/dev/null 2>&1 || die "node is not installed"
ORTDIR=$BUILD/tests/onnx/npm-cache/ort
if [ ! -d "$ORTDIR/node_modules/onnxruntime-node" ]; then
    mkdir -p "$ORTDIR"
    ( cd "$ORTDIR" && ONNXRUNTIME_NODE_INSTALL=skip timeout 300 npm install --ignore-scripts \
        --no-audit --no-fund "onnxruntime-node@$ORT_VERSION" >install.log 2>&1 ) ||
        die "npm could not install onnxruntime-node@$ORT_VERSION"
fi
export NODE_PATH=$ORTDIR/node_modules
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
"$PY" - "$T" <<'PYEOF'
import sys, numpy as np, onnx
from onnx import helper, TensorProto, numpy_helper
d = sys.argv[1]
rs = np.random.RandomState(0)
def save(name, node, x_shape, y_shape, inits):
    g = helper.make_graph([node], name,
                          [helper.make_tensor_value_info('x', TensorProto.FLOAT, x_shape)],
                          [helper.make_tensor_value_info('y', TensorProto.FLOAT, y_shape)], inits)
    onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid('', 13)]), f'{d}/{name}.onnx')
    np.save(f'{d}/{name}.npy', rs.randn(*x_shape).astype(np.float32))
save('convt', helper.make_node('ConvTranspose', ['x', 'w', 'b'], ['y'], strides=[2, 2]),
     [1, 24, 40, 40], [1, 24, 80, 80],
     [numpy_helper.from_array(rs.randn(24, 24, 2, 2).astype(np.float32), 'w'),
      numpy_helper.from_array(np.zeros(24, np.float32), 'b')])
save('resize', helper.make_node('Resize', ['x', '', 's'], ['y'], mode='nearest'),
     [1, 96, 80, 80], [1, 96, 160, 160],
     [numpy_helper.from_array(np.array([1, 1, 2, 2], np.float32), 's')])
PYEOF
for k in convt resize; do "$MOTE" convert -q "$T/$k.onnx" "$T/$k.mote" >/dev/null; done
echo "CPU: $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1); 1 thread; $RUNS runs per round"
echo "| round | probe | mote median ms (p10-p90) | ONNX Runtime median ms (p10-p90) | mote / ORT |"
echo "|---|---|---|---|---|"
for r in $(seq 1 "$ROUNDS"); do
    for k in convt resize; do
        m=$("$MOTE" bench "$T/$k.mote" -n "$RUNS" -j 1 --warmup 3 --json |
            "$PY" -c "import json,sys; t=json.load(sys.stdin)['time_ms']; print(t['median'], t['p10'], t['p90'])")
        o=$(node "$SRC/bench/ort_peer.js" time "$T/$k.onnx" "$T/$k.npy" 1 "$RUNS" 3)
        set -- $m
        om=$(echo "$o" | sed -n 's/.*median=\([0-9.]*\).*/\1/p')
        op=$(echo "$o" | sed -n 's/.*p10=\([0-9.]*\).*p90=\([0-9.]*\).*/\1-\2/p')
        printf '| %s | %s | %.3f (%.3f-%.3f) | %s (%s) | %.2f |\n' "$r" "$k" "$1" "$2" "$3" "$om" "$op" \
            "$("$PY" -c "print($1 / $om)")"
    done
done
