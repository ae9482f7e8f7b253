#!/bin/sh
# test_generate.sh — `mote generate` and the conversions in front of it,
# on the shared stories260K checkpoint: the prompt from -p, -p - (stdin)
# and -f FILE gives the same text; interactive mode on scripted stdin
# (one answer per line, the position carried across turns, end of input
# ends it); --repeat-penalty and --min-p change what they should;
# --ctx-size and -n are clamped with a warning; a cut prompt is announced;
# the default seed differs between runs and --seed repeats one; output
# ends with a newline; a model that is not a language model is refused;
# convert without --tokenizer warns; a GGUF seed converts; convert and
# quantize --help describe their inputs and options.
#
# Exit 77 (skip) when the tool was not built or stories260K is absent.

B=${MOTE_BUILDDIR:-.}
S=${MOTE_SRCDIR:-.}
MOTE="$B/mote"
SM=${MOTE_SHARED_MODELS:-$S/../shared/models}
if [ ! -x "$MOTE" ]; then
    echo "SKIP: $MOTE was not built"
    exit 77
fi
if [ ! -f "$SM/stories260K.bin" ] || [ ! -f "$SM/tok512.bin" ]; then
    echo "SKIP: no stories260K.bin and tok512.bin in $SM"
    exit 77
fi

T=$(mktemp -d) || exit 1
trap 'rm -rf "$T"' EXIT
fails=0
fail() {
    echo "FAIL: $*"
    fails=$((fails + 1))
}
check() {
    want=$1 pat=$2
    shift 2
    "$@" >"$T/stdout" 2>"$T/stderr"
    rc=$?
    if [ "$rc" -ne "$want" ]; then
        fail "'$*' exited $rc, expected $want"
        sed 's/^/    /' "$T/stdout" "$T/stderr" | head -20
    elif [ -n "$pat" ] && ! grep -q -e "$pat" "$T/stdout" "$T/stderr"; then
        fail "'$*': the output lacks '$pat'"
        sed 's/^/    /' "$T/stdout" "$T/stderr" | head -20
    else
        echo "ok: $*"
    fi
}
# same FILE1 FILE2 WHAT: the two files are identical.
same() {
    cmp -s "$1" "$2" || { fail "$3: outputs differ"; diff "$1" "$2" | head -6; }
}

M="$T/s.mote"
ZOO="Zoo was a little girl named Lily. She loved to play outside in the park. One day, she saw a big, red ball. She wanted to play with it, but she didn't want to play with"

# ---- convert: warnings, help
check 0 "no --tokenizer given" "$MOTE" convert "$SM/stories260K.bin" "$T/notok.mote"
check 1 "has no tokenizer" "$MOTE" generate "$T/notok.mote" -p Zoo -n 5
check 0 "with tokenizer" "$MOTE" convert "$SM/stories260K.bin" --tokenizer "$SM/tok512.bin" "$M"
[ -s "$T/stderr" ] && fail "convert printed on stderr (no terminal: no progress): $(cat "$T/stderr")"
check 0 "GGUF" "$MOTE" convert --help
for w in ONNX "llama2.c" "--tokenizer" "Q8_0" "--no-optimize"; do
    grep -q -e "$w" "$T/stdout" || fail "convert --help does not name $w"
done
check 0 "--type q4_0" "$MOTE" quantize --help
for w in "--report" "q8_0" "18 bytes"; do
    grep -q -e "$w" "$T/stdout" || fail "quantize --help does not describe $w"
done
check 0 "GGUF v3 llama" "$MOTE" convert "$S/tests/fuzz/corpus/gguf/q8_0_tiny.gguf" "$T/tiny.mote"
check 0 "weights q8_0" "$MOTE" convert "$S/tests/fuzz/corpus/gguf/q8_0_tiny.gguf" "$T/tiny.mote"

# ---- the known text; a trailing newline
check 0 "" "$MOTE" generate "$M" -p Zoo -n 60 -t 0 -j 1
head -n 1 "$T/stdout" > "$T/zoo"
[ "$(cat "$T/zoo")" = "$ZOO" ] || fail "greedy Zoo text: '$(cat "$T/zoo")'"
[ "$(tail -c 1 "$T/stdout" | od -An -c | tr -d ' ')" = '\n' ] || fail "no trailing newline"
[ "$(wc -l <"$T/stdout")" -eq 1 ] || fail "more than one line"
cp "$T/stdout" "$T/greedy"

# ---- the prompt from stdin and from a file
check 0 "" sh -c "printf 'Zoo\n' | '$MOTE' generate '$M' -p - -n 60 -t 0 -j 1"
same "$T/greedy" "$T/stdout" "-p - against -p"
printf 'Zoo\n' > "$T/prompt.txt"
check 0 "" "$MOTE" generate "$M" -f "$T/prompt.txt" -n 60 -t 0 -j 1
same "$T/greedy" "$T/stdout" "-f against -p"
check 1 "missing.txt" "$MOTE" generate "$M" -f "$T/missing.txt"
check 2 "not both" "$MOTE" generate "$M" -f "$T/prompt.txt" -p Zoo

# ---- interactive: two lines, two answers, the cache (position) kept
check 0 "turn 2" sh -c "printf 'Once upon a time\nThe dog\n' | '$MOTE' generate '$M' -i -n 10 -t 0 -j 1"
[ "$(wc -l <"$T/stdout")" -eq 2 ] || fail "interactive: not two answer lines"
grep -q "turn 1: 5 prompt tokens, 10 generated, position 14 of 512" "$T/stderr" ||
    fail "interactive: turn 1 counts"
grep -q "turn 2: 3 prompt tokens, 10 generated, position 27 of 512" "$T/stderr" ||
    fail "interactive: turn 2 does not continue at position 14"
# turn 1 is what a one-shot run of the same prompt continues with
check 0 "" "$MOTE" generate "$M" -p "Once upon a time" -n 14 -t 0 -j 1
t1=$(printf 'Once upon a time\n' | "$MOTE" generate "$M" -i -n 10 -t 0 -j 1 2>/dev/null)
[ "Once upon a time$t1" = "$(cat "$T/stdout")" ] || fail "interactive turn 1: '$t1'"
# -p with -i: the prompt is the first turn, printed with its answer
check 0 "turn 1: " sh -c "'$MOTE' generate '$M' -i -p Zoo -n 57 -t 0 -j 1 </dev/null"
same "$T/greedy" "$T/stdout" "-i -p Zoo against the one-shot run"
# end of input at once: no turn, exit 0
check 0 "" sh -c "'$MOTE' generate '$M' -i -n 10 -t 0 </dev/null"
# a context that fills up ends the conversation
check 0 "context is full" sh -c "printf 'a b c d e f g h\nx y z w v u\nq r s t\n' | '$MOTE' generate '$M' -i -c 24 -n 8 -t 0"
check 2 "not go together" "$MOTE" generate "$M" -i --json

# ---- sampling options
check 0 "" "$MOTE" generate "$M" -p Zoo -n 60 -t 0 -j 1 --repeat-penalty 1.0
same "$T/greedy" "$T/stdout" "--repeat-penalty 1.0"
check 0 "" "$MOTE" generate "$M" -p Zoo -n 60 -t 0 -j 1 --repeat-penalty 1.5
cmp -s "$T/greedy" "$T/stdout" && fail "--repeat-penalty 1.5 changed nothing"
# min-p 1 keeps only the most likely token: greedy whatever the temperature
check 0 "" "$MOTE" generate "$M" -p Zoo -n 60 -t 1 --min-p 1 -j 1
same "$T/greedy" "$T/stdout" "--min-p 1 at temperature 1"
check 2 "repeat-penalty" "$MOTE" generate "$M" --repeat-penalty 0.5
check 2 "repeat-penalty" "$MOTE" generate "$M" --repeat-penalty x
check 2 "min-p" "$MOTE" generate "$M" --min-p 2
check 2 "temp" "$MOTE" generate "$M" -t abc

# ---- seeds: random by default, repeatable when given
check 0 "seed [0-9]" "$MOTE" generate "$M" -p Zoo -n 40 -t 1 -j 1
cp "$T/stdout" "$T/r1"
check 0 "" "$MOTE" generate "$M" -p Zoo -n 40 -t 1 -j 1
cmp -s "$T/r1" "$T/stdout" && fail "two runs without --seed printed the same text"
check 0 "seed 42" "$MOTE" generate "$M" -p Zoo -n 40 -t 1 --seed 42 -j 1
cp "$T/stdout" "$T/s1"
check 0 "" "$MOTE" generate "$M" -p Zoo -n 40 -t 1 --seed 42 -j 1
same "$T/s1" "$T/stdout" "--seed 42 twice"
check 2 "seed" "$MOTE" generate "$M" --seed -3

# ---- limits: what was changed is said
check 0 "clamped to 20" "$MOTE" generate "$M" -p Zoo -n 1000 -c 20 -t 0
[ "$(cat "$T/stdout")" = "$(printf '%s' "$ZOO" | head -c 56)" ] || fail "-c 20: '$(cat "$T/stdout")'"
check 0 "over the model's maximum; using 512" "$MOTE" generate "$M" -p Zoo -n 10 -c 100000 -t 0
check 0 "cut to its first 5 tokens" "$MOTE" generate "$M" -p "Once upon a time there was a big dog" -n 5 -t 0
case "$(cat "$T/stdout")" in
    "Once upon a time"*) ;;
    *) fail "the cut prompt is not what was printed: '$(cat "$T/stdout")'" ;;
esac
check 0 "" "$MOTE" generate "$M" -p Zoo -t 0
if grep -q "clamped" "$T/stderr"; then fail "the default -n warned"; fi

# ---- not a language model
check 1 "not a language model" "$MOTE" generate "$S/models/fashion/fashion.mote" -p hi

if [ "$fails" -ne 0 ]; then
    echo "$fails check(s) failed"
    exit 1
fi
echo "all checks passed"
exit 0
