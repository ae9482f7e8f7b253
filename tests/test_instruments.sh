#!/bin/sh
# test_instruments.sh — the instruments on the bundled model
# (models/fashion/fashion.mote): trace (statistics, --dump, --compare
# against itself and against a copy with one weight changed, which must
# name conv2 as the first divergence), run --isa ref against the default
# table, check-kernels, profile (per-node medians add up to the whole run
# within 10%; --json is valid JSON with one event per node), dot, and the
# memory-plan timeline of info. Usage errors exit 2, bad files 1.
#
# Exit 77 (skip) when the tool or the fixture program was not built.

B=${MOTE_BUILDDIR:-.}
S=${MOTE_SRCDIR:-.}
MOTE="$B/mote"
FIXTURE="$B/tests/instr_fixture"
MODEL="$S/models/fashion/fashion.mote"
for f in "$MOTE" "$FIXTURE"; do
    if [ ! -x "$f" ]; then
        echo "SKIP: $f was not built"
        exit 77
    fi
done
if [ ! -f "$MODEL" ]; then
    echo "SKIP: no bundled model at $MODEL"
    exit 77
fi

T=$(mktemp -d) || exit 1
trap 'rm -rf "$T"' EXIT
if ! "$FIXTURE" "$S/models/fashion" "$T"; then
    echo "FAIL: the fixture program could not write its files"
    exit 1
fi

fails=0
fail() {
    echo "FAIL: $*"
    fails=$((fails + 1))
}
# check WANT_EXIT PATTERN COMMAND...: runs COMMAND, expects that exit status
# and (unless PATTERN is empty) PATTERN in its stdout or stderr.
check() {
    want=$1 pat=$2
    shift 2
    "$@" >"$T/stdout" 2>"$T/stderr"
    rc=$?
    if [ "$rc" -ne "$want" ]; then
        fail "'$*' exited $rc, expected $want"
        sed 's/^/    /' "$T/stdout" "$T/stderr" | head -40
    elif [ -n "$pat" ] && ! grep -q -e "$pat" "$T/stdout" "$T/stderr"; then
        fail "'$*': the output lacks '$pat'"
        sed 's/^/    /' "$T/stdout" "$T/stderr" | head -40
    else
        echo "ok: $*"
    fi
}
out_has() {
    if ! grep -q -e "$1" "$T/stdout"; then
        fail "the output lacks '$1'"
        sed 's/^/    /' "$T/stdout" | head -40
    fi
}

X="image=$T/x.npy"

# ---- help and usage errors
for cmd in trace profile check-kernels dot; do
    check 0 "Usage: mote $cmd" "$MOTE" $cmd --help
    check 2 "" "$MOTE" $cmd
done
check 2 "NAME=FILE" "$MOTE" trace "$MODEL" -i nonsense
check 2 "no input named 'nope'" "$MOTE" trace "$MODEL" -i "nope=$T/x.npy"
check 2 "rtol" "$MOTE" trace "$MODEL" -i "$X" --compare "$T" --rtol -1
check 2 "runs" "$MOTE" profile "$MODEL" -i "$X" -n 0
check 1 "missing.npy" "$MOTE" trace "$MODEL" -i "image=$T/missing.npy"
check 1 "not a directory" "$MOTE" trace "$MODEL" -i "$X" --compare "$T/x.npy"
check 1 "nothing.mote" "$MOTE" dot "$T/nothing.mote"

# ---- trace: one block per node in execution order, the stats of each output
check 0 "fnv " "$MOTE" trace "$MODEL" -i "$X"
for node in conv1 bn1 relu1 pool1 conv2 relu2 pool2 flatten fc1 relu3 fc2; do
    out_has " $node"
done
out_has "out f32\[1,8,28,28\]"
out_has "out f32\[1,10\]"
# after a Relu nothing is negative: relu1's min is 0
relu_min=$(awk '/ relu1/ { getline; getline; print $4; exit }' "$T/stdout")
[ "$relu_min" = "0" ] || fail "relu1's minimum is '$relu_min', expected 0"
cp "$T/stdout" "$T/trace1"
# the same run twice hashes the same
"$MOTE" trace "$MODEL" -i "$X" >"$T/trace2" 2>&1
grep fnv "$T/trace1" >"$T/h1"; grep fnv "$T/trace2" >"$T/h2"
cmp -s "$T/h1" "$T/h2" || fail "two traces of the same run differ"

# ---- --dump: one .npy per node, the last one equal to `mote run`'s output
check 0 "dumped 11" "$MOTE" trace "$MODEL" -i "$X" --dump "$T/ref" -q
n=$(ls "$T/ref" | grep -c '\.npy$')
[ "$n" -eq 11 ] || fail "--dump wrote $n files, expected 11"
check 0 "" "$MOTE" run "$MODEL" -i "$X" -o "$T/run"
cmp -s "$T/run/logits.npy" "$T/ref/fc2.npy" || fail "the dump of fc2 differs from run's logits"

# node names become safe file names: "stage 1/pool" -> stage_1_pool.npy
check 0 "dumped 4" "$MOTE" trace "$T/big.mote" -i "x=$T/big_x.npy" --dump "$T/big_dump" -q
[ -f "$T/big_dump/stage_1_pool.npy" ] || fail "no stage_1_pool.npy in the dump: $(ls "$T/big_dump")"

# ---- --compare: against itself all within tolerance; the perturbed copy
# diverges first at conv2 (the changed weight), not earlier, not later
check 0 "all 11 compared outputs within tolerance" "$MOTE" trace "$MODEL" -i "$X" --compare "$T/ref"
check 1 "first divergence: step 4, node 'conv2' (Conv)" \
    "$MOTE" trace "$T/perturbed.mote" -i "$X" --compare "$T/ref"
out_has "worst at \[0,0,"
out_has "got .*reference"
# a huge tolerance accepts the perturbation
check 0 "within tolerance" "$MOTE" trace "$T/perturbed.mote" -i "$X" --compare "$T/ref" \
    --atol 1e9 -q

# ---- run --isa ref and MOTE_ISA=ref: the reference kernels agree with the
# default table within rounding; check-kernels shows per node differences
check 0 "" "$MOTE" run --isa ref "$MODEL" -i "$X" -o "$T/run_ref"
check 0 "kernels ref" "$MOTE" trace --isa ref "$MODEL" -i "$X" --compare "$T/ref" \
    --rtol 1e-3 --atol 1e-4
check 0 "kernels ref" env MOTE_ISA=ref "$MOTE" trace "$MODEL" -i "$X"
check 1 "" "$MOTE" run --isa no-such-isa "$MODEL" -i "$X"
check 0 "kernel tables on this CPU: ref" "$MOTE" check-kernels "$MODEL" -i "$X"
for node in conv1 conv2 fc1 fc2; do
    out_has " $node "
done
# each node is fed the reference's inputs, so exact ops (Relu, MaxPool,
# Flatten) show no difference at all on any table
for node in relu1 pool1 relu2 pool2 flatten relu3; do
    nz=$(awk -v n="$node" '$3 == n { for (i = 4; i <= NF; i++) if ($i + 0 != 0) print $i }' \
         "$T/stdout")
    [ -z "$nz" ] || fail "check-kernels: exact op $node differs from ref ($nz)"
done
# every table listed after ref gets a "vs ref" summary with a small difference
for isa in $(sed -n 's/.*kernel tables on this CPU: ref\([^(]*\).*/\1/p' "$T/stdout"); do
    line=$(grep "^$isa vs ref" "$T/stdout")
    [ -n "$line" ] || fail "check-kernels has no summary for $isa"
    abs=$(echo "$line" | sed 's/.*difference \(.*\) absolute.*/\1/')
    awk -v a="$abs" 'BEGIN { exit !(a + 0 < 1e-3) }' || fail "$isa differs from ref by $abs"
done

check 0 "chained" "$MOTE" check-kernels --chained "$MODEL" -i "$X"

# ---- profile: per-node times add up to the measured run time within 10%,
# on a model with milliseconds of work per run. Compared within each run
# (sum of its nodes' times / its whole time, median over runs), so a loaded
# machine that preempts a run slows both sides alike.
check 0 "per-node times add up to" "$MOTE" profile "$T/big.mote" -i "x=$T/big_x.npy" -n 40 -j 1
out_has " conv_b "
pct=$(sed -n 's/per-node times add up to \([0-9.]*\)% .*/\1/p' "$T/stdout")
awk -v p="$pct" 'BEGIN { exit !(p >= 90 && p <= 110) }' ||
    fail "per-node times add up to $pct% of the run time, not within 10%"
# the bundled model: every node, per op type, the plain-run comparison, JSON
check 0 "per-node medians sum to" "$MOTE" profile "$MODEL" -i "$X" -n 20 -j 1 \
    --json "$T/prof.json"
for node in conv1 conv2 fc1 fc2; do
    out_has " $node "
done
out_has "per op type"
out_has "plain mote_session_run"
if [ -x /usr/bin/python3 ]; then
    /usr/bin/python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
ev = d["traceEvents"]
assert len(ev) == 11, len(ev)
assert [e["name"] for e in ev][:2] == ["conv1", "bn1"], ev[:2]
assert all(e["ph"] == "X" and e["dur"] >= 0 for e in ev)
' "$T/prof.json" || fail "profile --json is not a Chrome trace with one event per node"
else
    echo "skip: no python3 to parse the JSON"
fi

# ---- dot: every node, fused activations, weights, valid for graphviz
check 0 "digraph" "$MOTE" dot "$MODEL"
out_has "conv2"
out_has "fc2.weight"
out_has "f32\[1,16,14,14\]"
n=$(grep -c 'shape=box' "$T/stdout")
[ "$n" -eq 11 ] || fail "dot has $n node boxes, expected 11"
# a fused activation is shown on its node
check 0 "Conv + Relu" "$MOTE" dot "$T/big.mote"
if command -v dot >/dev/null 2>&1; then
    dot -Tsvg "$T/stdout" >"$T/g.svg" 2>"$T/dot.err" || fail "graphviz rejects the dot output"
fi

# ---- info: the memory plan as a timeline of buffers
check 0 "memory plan" "$MOTE" info "$MODEL"
out_has "timeline"
# in-place ops share their input's buffer, an alias its source's
out_has "conv1, bn1, relu1"
out_has "pool2, flatten"
out_has "scratch of step 4, Conv"

if [ "$fails" -ne 0 ]; then
    echo "$fails failure(s)"
    exit 1
fi
echo "all passed"
