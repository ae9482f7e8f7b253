#!/bin/sh
# test_json.sh — every --json output of the `mote` tool is one valid JSON
# value (checked by tests/json_check, a strict validator) holding the
# facts the text output shows: info, run (summaries and files), verify
# (intact and damaged files), trace (and --compare), check-kernels,
# generate (when the shared stories260K checkpoint is there) and bench.
# Also `mote bench` and `mote profile` on inputs they generate themselves
# (no files), and bench's usage errors.
#
# Exit 77 (skip) when the tool or the helper programs were not built.

B=${MOTE_BUILDDIR:-.}
S=${MOTE_SRCDIR:-.}
MOTE="$B/mote"
JC="$B/tests/json_check"
FIXTURE="$B/tests/instr_fixture"
MODEL="$S/models/fashion/fashion.mote"
for f in "$MOTE" "$JC" "$FIXTURE"; do
    if [ ! -x "$f" ]; then
        echo "SKIP: $f was not built"
        exit 77
    fi
done

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
# json WANT_EXIT COMMAND...: runs COMMAND, expects that exit status and
# valid JSON on stdout (kept in $T/stdout).
json() {
    want=$1
    shift
    "$@" >"$T/stdout" 2>"$T/stderr"
    rc=$?
    if [ "$rc" -ne "$want" ]; then
        fail "'$*' exited $rc, expected $want"
        sed 's/^/    /' "$T/stdout" "$T/stderr" | head -30
    elif ! "$JC" <"$T/stdout" 2>"$T/jc"; then
        fail "'$*': stdout is not valid JSON: $(cat "$T/jc")"
        sed 's/^/    /' "$T/stdout" | head -30
    else
        echo "ok: $*"
    fi
}
# has PATTERN: the last stdout matches PATTERN (grep -E).
has() {
    if ! grep -q -E -e "$1" "$T/stdout"; then
        fail "the output lacks '$1'"
        sed 's/^/    /' "$T/stdout" | head -30
    fi
}
check() {
    want=$1 pat=$2
    shift 2
    "$@" >"$T/stdout" 2>"$T/stderr"
    rc=$?
    if [ "$rc" -ne "$want" ]; then
        fail "'$*' exited $rc, expected $want"
        sed 's/^/    /' "$T/stdout" "$T/stderr" | head -30
    elif [ -n "$pat" ] && ! grep -q -e "$pat" "$T/stdout" "$T/stderr"; then
        fail "'$*': the output lacks '$pat'"
        sed 's/^/    /' "$T/stdout" "$T/stderr" | head -30
    else
        echo "ok: $*"
    fi
}

# ---- the validator itself refuses what is not JSON
for bad in '{' '{"a": 1,}' '[1 2]' '{"a": nan}' '"tab	in string"' '01' '{} {}' '{"a": tru}' ''; do
    if printf '%s' "$bad" | "$JC" 2>/dev/null; then
        fail "json_check accepted '$bad'"
    fi
done
printf '{"a": [1, -2.5e3, true, false, null, "x\\u00e9\\n"], "b": {}}' | "$JC" ||
    fail "json_check refused valid JSON"

X="image=$T/x.npy"

# ---- info
json 0 "$MOTE" info --json "$MODEL"
has '"name": "image"'
has '"kernels": "(ref|avx2|avx512|neon)"'
has '"arena_bytes": [1-9]'
has '"op": "Conv"'
has '"labels": "T-shirt/top,'
json 0 "$MOTE" info --json --no-nodes "$MODEL"
if grep -q '"nodes"' "$T/stdout"; then fail "info --json --no-nodes lists nodes"; fi
check 1 "x.npy" "$MOTE" info --json "$T/x.npy"

# ---- run
json 0 "$MOTE" run --json "$MODEL" -i "$X"
has '"name": "logits"'
has '"argmax": [0-9]'
has '"first_values"'
json 0 "$MOTE" run --json "$MODEL" -i "$X" -o "$T/out"
has '"file": ".*logits.npy"'
[ -f "$T/out/logits.npy" ] || fail "run --json -o wrote no logits.npy"

# ---- verify: intact, damaged (exit 1, still valid JSON with the error)
json 0 "$MOTE" verify --json "$MODEL"
has '"ok": true'
cp "$MODEL" "$T/damaged.mote"
size=$(wc -c <"$T/damaged.mote")
printf '\377\377\377\377' | dd of="$T/damaged.mote" bs=1 seek=$((size - 100)) conv=notrunc 2>/dev/null
json 1 "$MOTE" verify --json "$MODEL" "$T/damaged.mote"
has '"ok": false'
has '"status": "MOTE_ERR_FORMAT"'
has '"error": ".*damaged.mote'

# ---- trace, and trace --compare
json 0 "$MOTE" trace --json "$MODEL" -i "$X"
has '"fnv1a64": "[0-9a-f]{16}"'
has '"step": 10'
check 0 "" "$MOTE" trace "$MODEL" -i "$X" --dump "$T/ref" -q
json 0 "$MOTE" trace --json "$MODEL" -i "$X" --compare "$T/ref"
has '"within_tolerance": true'
has '"compare": "within"'
json 1 "$MOTE" trace --json "$T/perturbed.mote" -i "$X" --compare "$T/ref"
has '"within_tolerance": false'
has '"first_divergence": "step 4'

# ---- check-kernels
json 0 "$MOTE" check-kernels --json "$MODEL" -i "$X"
has '"tables": \['
has '"mode": "isolated"'
has '"max_abs"|"ref"'

# ---- bench: no input files needed
json 0 "$MOTE" bench --json -n 5 --warmup 1 "$MODEL"
has '"source": "generated"'
has '"median": [0-9]'
has '"p10"'
has '"p90"'
has '"runs_per_s"'
has '"peak_rss_bytes": [1-9]'
has '"arena_bytes": [1-9]'
check 0 "median" "$MOTE" bench -n 3 "$MODEL"
check 0 "arena" "$MOTE" bench -n 3 "$MODEL" -i "$X"
check 0 "from file" "$MOTE" bench -n 3 "$MODEL" -i "$X"
check 2 "runs" "$MOTE" bench -n 0 "$MODEL"
check 2 "warmup" "$MOTE" bench --warmup x "$MODEL"
check 2 "no input called 'nope'" "$MOTE" bench --shape nope=1 "$MODEL"
check 2 "--shape is for generated inputs" "$MOTE" bench --shape image=1x1x28x28 "$MODEL" -i "$X"
check 2 "missing MODEL" "$MOTE" bench
check 1 "missing.mote" "$MOTE" bench "$T/missing.mote"
check 0 "generated, uniform" "$MOTE" profile -n 2 "$MODEL"

# ---- a language model: token ids below the vocabulary; generate --json
SM=${MOTE_SHARED_MODELS:-$S/../shared/models}
if [ -f "$SM/stories260K.bin" ] && [ -f "$SM/tok512.bin" ]; then
    check 0 "" "$MOTE" convert "$SM/stories260K.bin" --tokenizer "$SM/tok512.bin" "$T/s.mote"
    json 0 "$MOTE" bench --json -n 2 --warmup 0 --shape tokens=8 "$T/s.mote"
    has '"values": "indices in \[0, 512\)"'
    check 2 "more than the model's context of 512" "$MOTE" bench --shape tokens=513 -n 1 "$T/s.mote"
    json 0 "$MOTE" generate --json "$T/s.mote" -p "Zoo" -n 20 -t 0 -j 1
    has '"text": "'
    has '"tokens": \['
    has '"generation_tokens_per_s"'
    has '"prompt_tokens": \['
else
    echo "note: no stories260K in $SM; generate --json not run"
fi

if [ "$fails" -ne 0 ]; then
    echo "$fails check(s) failed"
    exit 1
fi
echo "all checks passed"
exit 0
