#!/bin/sh
# test_cli.sh — the `mote` command-line tool as a user meets it: help and
# usage errors, errors that name the file at fault, exit codes (0 success,
# 1 runtime error, 2 usage error), `run` on .npy files with results checked
# against values computed independently, no partial output files, `info`,
# `verify` on an intact and a damaged file, and `demo` on test images.
#
# It runs the tool built in $MOTE_BUILDDIR on models that tests/cli_fixture
# writes with the graph builder. Exit 77 (skip) when the tool or the fixture
# program was not built (e.g. --disable-cli).

B=${MOTE_BUILDDIR:-.}
MOTE="$B/mote"
FIXTURE="$B/tests/cli_fixture"
if [ ! -x "$MOTE" ]; then
    echo "SKIP: $MOTE was not built"
    exit 77
fi
if [ ! -x "$FIXTURE" ]; then
    echo "SKIP: $FIXTURE was not built"
    exit 77
fi

T=$(mktemp -d) || exit 1
trap 'chmod -R u+w "$T" 2>/dev/null; rm -rf "$T"' EXIT
if ! "$FIXTURE" "$T"; then
    echo "FAIL: the fixture program could not write its files"
    exit 1
fi

fails=0
# check WANT_EXIT PATTERN COMMAND...: runs COMMAND, expects that exit status
# and (unless PATTERN is empty) PATTERN in its stdout or stderr.
check() {
    want=$1 pat=$2
    shift 2
    "$@" >"$T/stdout" 2>"$T/stderr"
    rc=$?
    if [ "$rc" -ne "$want" ]; then
        echo "FAIL: '$*' exited $rc, expected $want"
        sed 's/^/    /' "$T/stdout" "$T/stderr"
        fails=$((fails + 1))
    elif [ -n "$pat" ] && ! grep -q -e "$pat" "$T/stdout" "$T/stderr"; then
        echo "FAIL: '$*': the output lacks '$pat'"
        sed 's/^/    /' "$T/stdout" "$T/stderr"
        fails=$((fails + 1))
    else
        echo "ok: $*"
    fi
}
# out_has PATTERN: the last command's stdout contains PATTERN.
out_has() {
    if ! grep -q -e "$1" "$T/stdout"; then
        echo "FAIL: the output lacks '$1'"
        sed 's/^/    /' "$T/stdout"
        fails=$((fails + 1))
    fi
}

# ---- help, version, usage errors: exit 0 for help, 2 for misuse
check 0 "Commands:" "$MOTE" --help
check 0 "^mote [0-9]" "$MOTE" --version
check 2 "Usage: mote" "$MOTE"
check 2 "unknown command 'frobnicate'" "$MOTE" frobnicate
check 2 "unknown option '--frobnicate'" "$MOTE" --frobnicate
for cmd in info run verify demo; do
    check 0 "Usage: mote $cmd" "$MOTE" $cmd --help
    check 0 "Usage: mote $cmd" "$MOTE" $cmd -h
done
check 0 "Usage: mote run" "$MOTE" help run
check 2 "unknown option '--bogus'" "$MOTE" run --bogus "$T/tiny.mote"
check 2 "unknown option '-Z'" "$MOTE" info -Z "$T/tiny.mote"
check 2 "missing MODEL" "$MOTE" info
check 2 "missing MODEL" "$MOTE" run
check 2 "missing MODEL" "$MOTE" verify
check 2 "needs an argument" "$MOTE" run "$T/tiny.mote" -i
check 2 "wants a number" "$MOTE" run --threads 0 "$T/tiny.mote" "$T/x.npy"
check 2 "wants a number" "$MOTE" run --threads many "$T/tiny.mote" "$T/x.npy"

# ---- files that are missing or not models: exit 1, the file named
for cmd in info verify; do
    check 1 "$T/absent.mote" "$MOTE" $cmd "$T/absent.mote"
    check 1 "$T/not_a_model.mote" "$MOTE" $cmd "$T/not_a_model.mote"
done
check 1 "$T/absent.mote" "$MOTE" run "$T/absent.mote" "$T/x.npy"
check 1 "$T/not_a_model.mote" "$MOTE" run "$T/not_a_model.mote" -i "x=$T/x.npy"

# ---- everything below runs models; it needs the ops they use
"$MOTE" info "$T/tiny.mote" >"$T/stdout" 2>"$T/stderr"
if grep -q -i "unknown op\|not supported\|unsupported" "$T/stderr"; then
    echo "SKIP (the rest): this build cannot run the test model:"
    sed 's/^/    /' "$T/stderr"
    [ "$fails" -eq 0 ] && exit 77
    exit 1
fi

# ---- info
check 0 "MatMul" "$MOTE" info "$T/tiny.mote"
out_has "parameters: 15 "
out_has "x  *f32\[1,4\]"
out_has "y  *f32\[1,3\]"
out_has "labels  *cat,dog,bird"
out_has "arena"
out_has "FLOPs per run: 27 "  # MatMul 2*M*N*K = 2*1*3*4, Add 3
check 0 "Flatten" "$MOTE" info "$T/img.mote"
out_has "parameters: 2355 "   # 784*3 + 3
# Conv: 2 * numel(Y) * C/g * KH * KW + bias = 2*100*18 + 100 = 3700; Relu 100;
# MaxPool numel(Y) * window = 16 * 4 = 64
check 0 "Conv .*f32\[1,4,5,5\] *3.7 k" "$MOTE" info "$T/conv.mote"
out_has "Relu .*f32\[1,4,5,5\] *100$"
out_has "MaxPool .*f32\[1,4,2,2\] *64$"
out_has "FLOPs per run: 3.86 k"
out_has "parameters: 76 "
check 0 "image  *f32\[1,1,28,28\]" "$MOTE" info "$T/data/fashion.mote"
out_has "dimensions the model leaves open are shown as 1"
# --shape gives the open batch dimension; shapes and FLOPs follow it
check 0 "image  *f32\[4,1,28,28\]" "$MOTE" info --shape image=4x1x28x28 "$T/data/fashion.mote"
out_has "logits  *f32\[4,3\]"
out_has "MatMul .*f32\[4,3\] *18.8 k"   # 2 * 4 * 784 * 3
if grep -q "shown as 1" "$T/stdout"; then
    echo "FAIL: info --shape still says open dimensions are shown as 1"
    fails=$((fails + 1))
fi
check 0 "f32\[3,784\]" "$MOTE" dot -s image=3x1x28x28 "$T/data/fashion.mote"
# inspecting a model needs no arena: a batch of 65535 plans ~200 MB of
# intermediates, which info reports from inside 100 MB of address space
# (not under a sanitizer or valgrind, whose own memory needs far more;
# valgrind runs come through a wrapper script); the arena holds GEMM
# scratch sized by the CPU's caches, so its last digits vary by machine
if [ -z "$ASAN_OPTIONS" ] && [ "$(head -c 2 "$MOTE")" != "#!" ]; then
    check 0 "session memory: .*arena 19[6-9]\.[0-9] MiB" sh -c 'ulimit -v 102400 && exec "$0" "$@"' \
        "$MOTE" info -n --shape image=65535x1x28x28 "$T/data/fashion.mote"
fi
check 1 "over the memory budget" env MOTE_MAX_BYTES=64M "$MOTE" info -n \
    --shape image=65535x1x28x28 "$T/data/fashion.mote"
check 2 "has 4 dimensions, not 3" "$MOTE" info --shape image=4x1x28 "$T/data/fashion.mote"
check 2 "no input called 'nope'" "$MOTE" info --shape nope=1 "$T/data/fashion.mote"
check 2 "dimension 1 of 'image' is fixed at 1" "$MOTE" info -s image=4x2x28x28 "$T/data/fashion.mote"
check 2 "expected NAME=D0xD1x" "$MOTE" dot --shape image "$T/data/fashion.mote"
check 2 "positive integers" "$MOTE" info --shape image=4x0x28x28 "$T/data/fashion.mote"
check 0 "" "$MOTE" info --no-nodes "$T/img.mote"
if grep -q "Flatten" "$T/stdout"; then
    echo "FAIL: info --no-nodes printed nodes"
    fails=$((fails + 1))
fi

# ---- verify
check 0 "OK" "$MOTE" verify "$T/tiny.mote"
cp "$T/img.mote" "$T/damaged.mote"
size=$(wc -c <"$T/damaged.mote")
# flip one byte in the middle of the weights (most of the file)
printf '\125' | dd of="$T/damaged.mote" bs=1 seek=$((size / 2)) conv=notrunc 2>/dev/null
if cmp -s "$T/img.mote" "$T/damaged.mote"; then
    printf '\252' | dd of="$T/damaged.mote" bs=1 seek=$((size / 2)) conv=notrunc 2>/dev/null
fi
check 1 "$T/damaged.mote" "$MOTE" verify "$T/damaged.mote"

# ---- run: input errors
check 2 "has no input named 'nope'" "$MOTE" run "$T/tiny.mote" -i "nope=$T/x.npy"
check 2 "no file for input 'x'" "$MOTE" run "$T/tiny.mote"
check 2 "wants NAME=FILE" "$MOTE" run "$T/tiny.mote" -i x
check 2 "given twice" "$MOTE" run "$T/tiny.mote" -i "x=$T/x.npy" -i "x=$T/x.npy"
check 2 "2 input files" "$MOTE" run "$T/tiny.mote" "$T/x.npy" "$T/x.npy"
check 1 "needs f32\[1,4\]" "$MOTE" run "$T/tiny.mote" -i "x=$T/x_wrong_shape.npy"
check 1 "x_wrong_shape.npy" "$MOTE" run "$T/tiny.mote" -i "x=$T/x_wrong_shape.npy"
check 1 "holds i32\[1,4\]" "$MOTE" run "$T/tiny.mote" -i "x=$T/x_i32.npy"
# an open batch dimension takes the file's: two black images, logits (8, 0, -12) each
check 0 "logits: f32\[2,3\]" "$MOTE" run "$T/data/fashion.mote" "$T/img2.npy"
out_has "values: 8 0 -12 8 0 -12"
check 1 "needs f32\[1,1,28,28\]" "$MOTE" run "$T/img.mote" "$T/img2.npy"
check 1 "$T/none.npy" "$MOTE" run "$T/tiny.mote" -i "x=$T/none.npy"
check 1 "$T/not_a_model.mote" "$MOTE" run "$T/tiny.mote" -i "x=$T/not_a_model.mote"

# ---- run: results. y = x @ W + b = (2, 9, 10.5), also computed by the fixture
check 0 "y: f32\[1,3\]" "$MOTE" run "$T/tiny.mote" -i "x=$T/x.npy"
out_has "values: 2 9 10.5"
out_has "argmax: 2 (10.5)"
check 0 "values: 2 9 10.5" "$MOTE" run --threads 2 --isa ref "$T/tiny.mote" "$T/x.npy"
check 0 "" "$MOTE" run "$T/tiny.mote" -i "x=$T/x.npy" -o "$T/out"
if ! cmp "$T/out/y.npy" "$T/expect_y.npy"; then
    echo "FAIL: run -o wrote a y.npy that differs from the expected one"
    fails=$((fails + 1))
fi
check 1 "" "$MOTE" run --isa no-such-isa "$T/tiny.mote" "$T/x.npy"

# ---- run -o where it cannot write: an error, and no file left behind
check 1 "not_a_model.mote" "$MOTE" run "$T/tiny.mote" "$T/x.npy" -o "$T/not_a_model.mote"
check 1 "" "$MOTE" run "$T/tiny.mote" "$T/x.npy" -o "$T/not_a_model.mote/sub"
mkdir "$T/ro"
chmod 555 "$T/ro"
if [ -w "$T/ro" ]; then
    # root: permissions do not apply; a directory that holds a directory
    # named like the output makes the final rename fail instead
    chmod 755 "$T/ro"
    mkdir "$T/ro/y.npy"
    check 1 "y.npy" "$MOTE" run "$T/tiny.mote" "$T/x.npy" -o "$T/ro"
    left=$(ls -A "$T/ro")
    if [ "$left" != "y.npy" ]; then
        echo "FAIL: a failed run -o left files behind: $left"
        fails=$((fails + 1))
    fi
else
    check 1 "$T/ro" "$MOTE" run "$T/tiny.mote" "$T/x.npy" -o "$T/ro"
    if [ -n "$(ls -A "$T/ro")" ]; then
        echo "FAIL: a failed run -o left files behind: $(ls -A "$T/ro")"
        fails=$((fails + 1))
    fi
fi

# ---- convert tells the whole truth (ONNX models from tests/onnx/cli,
# made by tests/onnx/make_cli_models.py); nothing is written on failure
C=${MOTE_SRCDIR:-.}/tests/onnx/cli
if [ -f "$C/three_unsupported.onnx" ] && "$MOTE" convert --help 2>/dev/null | grep -q "IN.onnx"; then
    conv_nothing_left() {   # NAME: no output file and no temporary beside it
        if [ -n "$(ls -A "$T/conv")" ]; then
            echo "FAIL: convert ($1) left files behind: $(ls -A "$T/conv")"
            fails=$((fails + 1))
        fi
    }
    mkdir -p "$T/conv"
    check 1 "3 things mote does not support" "$MOTE" convert "$C/three_unsupported.onnx" "$T/conv/y.mote"
    for op in "op Cosh" "op Sinh" "op Det" "cosh0" "det0"; do
        grep -q "$op" "$T/stderr" || { echo "FAIL: convert does not list '$op'"; fails=$((fails + 1)); }
    done
    conv_nothing_left "three unsupported ops"
    check 1 "3 things mote does not support" "$MOTE" convert "$C/loop_unsupported.onnx" "$T/conv/y.mote"
    for op in "op Cosh" "op Sinh" "op Det" "cosh0" "sinh_in_body" "det_in_body"; do
        grep -q "$op" "$T/stderr" || { echo "FAIL: convert does not list '$op' (in a Loop body)"; fails=$((fails + 1)); }
    done
    conv_nothing_left "three unsupported ops, two in a Loop body"
    check 1 "converts, but does not run: node 'reshape0'" "$MOTE" convert "$C/fails_at_session.onnx" "$T/conv/y.mote"
    conv_nothing_left "a model that does not run"
    check 1 "converts, but does not run (2 nodes)" "$MOTE" convert "$C/two_problems.onnx" "$T/conv/y.mote"
    for what in "node 'reshape0'" "node 'gelu0' (Gelu): approximate='fast'"; do
        grep -q "$what" "$T/stderr" || { echo "FAIL: convert does not list $what"; fails=$((fails + 1)); }
    done
    conv_nothing_left "two problems at session time"
    if [ -f "$C/three_at_session.onnx" ]; then
        # three kinds of failure found only at the model's shapes, all named
        check 1 "converts, but does not run (3 nodes)" "$MOTE" convert "$C/three_at_session.onnx" "$T/conv/y.mote"
        for what in "node 'gelu0' (Gelu): approximate='fast'" "node 'sin0' (Sin): dtype i32" \
                    "node 'reshape0' (Reshape): input shape must be a constant"; do
            grep -q "$what" "$T/stderr" || { echo "FAIL: convert does not list $what"; fails=$((fails + 1)); }
        done
        conv_nothing_left "three failures at session time"
        # an op mote lacks and two attributes no op has, named at import
        check 1 "3 things mote does not support" "$MOTE" convert "$C/import_problems.onnx" "$T/conv/y.mote"
        for what in "op Det" "'foo' is not an attribute of Conv" "'bar' is not an attribute of Relu"; do
            grep -q "$what" "$T/stderr" || { echo "FAIL: convert does not list $what"; fails=$((fails + 1)); }
        done
        conv_nothing_left "three problems at import"
    fi
    # an If on a run-time condition whose else branch cannot run at the
    # model's shapes: planned for the then branch, refused when C is false
    check 0 "" "$MOTE" convert -q "$C/guarded_if.onnx" "$T/conv/if.mote"
    check 0 "Y: f32\[2,3\]" "$MOTE" run "$T/conv/if.mote" -i "X=$C/X.npy" -i "C=$C/C.npy" -o "$T/conv/out"
    check 1 "the If's condition chose the branch that cannot run" \
        "$MOTE" run "$T/conv/if.mote" -i "X=$C/X.npy" -i "C=$C/notC.npy"
    rm -rf "$T/conv/if.mote" "$T/conv/out"
    # a Loop whose body computes its condition (an early exit) runs as a
    # loop: Y = 4 X (the sum passes 10 after the third trip); info shows it
    check 0 "" "$MOTE" convert -q "$C/loop_early_exit.onnx" "$T/conv/loop.mote"
    check 0 "loop0 (Loop), body: 5 inputs (2 captured from outside), 2 outputs, 3 nodes: Add ReduceSum Less" \
        "$MOTE" info "$T/conv/loop.mote"
    check 0 "values: -4 8 -12 16 -20 24" "$MOTE" run "$T/conv/loop.mote" -i "X=$C/X.npy"
    # the instruments follow the jumps (a step in a loop runs many times)
    check 0 "LoopEnd" timeout 60 "$MOTE" check-kernels "$T/conv/loop.mote" -i "X=$C/X.npy"
    check 0 "LoopEnd" timeout 60 "$MOTE" profile -n 2 "$T/conv/loop.mote" -i "X=$C/X.npy"
    rm -rf "$T/conv/loop.mote" "$T/conv/out"
    check 0 "2 nodes" "$MOTE" convert -q "$C/runs_open_batch.onnx" "$T/conv/open.mote"
    check 0 "2 nodes" "$MOTE" convert --shape X=5x3 "$C/runs_open_batch.onnx" "$T/conv/open5.mote"
    check 2 "no input called 'Q'" "$MOTE" convert --shape Q=5x3 "$C/runs_open_batch.onnx" "$T/conv/q.mote"
    check 2 "dimension 1 of 'X' is fixed at 3" "$MOTE" convert --shape X=5x4 "$C/runs_open_batch.onnx" "$T/conv/q.mote"
    rm -f "$T/conv/open.mote" "$T/conv/open5.mote"
    conv_nothing_left "bad --shape"
    # the output may not be the input: same path, a hard link, a symlink
    cp "$C/runs_open_batch.onnx" "$T/conv/in.onnx"
    sum=$(cksum <"$T/conv/in.onnx")
    ln "$T/conv/in.onnx" "$T/conv/hard.mote"
    ln -s in.onnx "$T/conv/soft.mote"
    check 1 "the output is the input file" "$MOTE" convert "$T/conv/in.onnx" "$T/conv/in.onnx"
    check 1 "the output is the input file" "$MOTE" convert "$T/conv/in.onnx" "$T/conv/hard.mote"
    check 1 "the output is the input file" "$MOTE" convert "$T/conv/in.onnx" "$T/conv/soft.mote"
    check 1 "the output is the input file" "$MOTE" convert "$T/conv/in.onnx" "$T/conv/../conv/in.onnx"
    if [ "$(cksum <"$T/conv/in.onnx")" != "$sum" ]; then
        echo "FAIL: convert X X changed the input"
        fails=$((fails + 1))
    fi
    rm -f "$T/conv/in.onnx" "$T/conv/hard.mote" "$T/conv/soft.mote"
    # likewise for a llama2.c checkpoint and its tokenizer
    SM=${MOTE_SHARED_MODELS:-}
    if [ -n "$SM" ] && [ -f "$SM/stories260K.bin" ] && [ -f "$SM/tok512.bin" ]; then
        cp "$SM/stories260K.bin" "$T/conv/ck.bin"
        cp "$SM/tok512.bin" "$T/conv/tok.bin"
        sums=$(cksum "$T/conv/ck.bin" "$T/conv/tok.bin" | cut -d' ' -f1,2)
        check 1 "the output is the input file" "$MOTE" convert --tokenizer "$T/conv/tok.bin" "$T/conv/ck.bin" "$T/conv/ck.bin"
        check 1 "the output is the input file" "$MOTE" convert --tokenizer "$T/conv/tok.bin" "$T/conv/ck.bin" "$T/conv/tok.bin"
        if [ "$(cksum "$T/conv/ck.bin" "$T/conv/tok.bin" | cut -d' ' -f1,2)" != "$sums" ]; then
            echo "FAIL: convert overwrote a llama2.c checkpoint or tokenizer"
            fails=$((fails + 1))
        fi
        rm -f "$T/conv/ck.bin" "$T/conv/tok.bin"
    else
        echo "note: no shared stories260K.bin / tok512.bin: the llama2.c same-file checks not run"
    fi
    # other formats are named by their first bytes
    printf '\034\000\000\000TFL3\000\000\000\000' >"$T/fmt.tflite"
    printf 'GGUF\003\000\000\000\000\000\000\000' >"$T/fmt.gguf"
    printf 'PK\003\004\024\000\000\000\000\000' >"$T/fmt.pt"
    printf '\012\000\000\000\000\000\000\000{"a":1}' >"$T/fmt.safetensors"
    check 1 "root table at byte 28: table outside the file" "$MOTE" convert "$T/fmt.tflite" "$T/conv/y.mote"   # TFLite converts: its reader says what is wrong
    check 1 "truncated GGUF file" "$MOTE" convert "$T/fmt.gguf" "$T/conv/y.mote"   # GGUF converts: its reader names it
    check 1 "this is a zip archive (a PyTorch" "$MOTE" convert "$T/fmt.pt" "$T/conv/y.mote"
    check 1 "this is a safetensors file" "$MOTE" convert "$T/fmt.safetensors" "$T/conv/y.mote"
    check 1 "this is a numpy .npy array" "$MOTE" convert "$T/x.npy" "$T/conv/y.mote"
    check 1 "this is a .mote file" "$MOTE" convert "$T/tiny.mote" "$T/conv/y.mote"
    conv_nothing_left "other formats"
else
    echo "note: this build has no ONNX importer (or no tests/onnx/cli); convert checks not run"
fi

# ---- demo on the fixture's images (04_dark.pgm is white: one miss)
check 0 "5 of 6 correct" "$MOTE" demo --model "$T/img.mote" --samples "$T/samples"
out_has "00_dark.pgm  *dark  *99.97%  ok"  # softmax(8, 0, -12)
out_has "02_medium.pgm  *medium .*ok"
out_has "03_2.pgm  *bright .*ok"
out_has "04_dark.pgm  *bright .*WRONG (label: dark)"
out_has "05_brig.pgm  *bright .*ok"
check 0 "5 of 6 correct" env MOTE_DATA="$T/data" "$MOTE" demo
check 0 "5 of 6 correct" "$MOTE" demo --model "$T/data/fashion.mote"
check 1 "no .pgm images" "$MOTE" demo --model "$T/img.mote" --samples "$T/out"
cp "$T/not_a_model.mote" "$T/out/05_dark.pgm"
check 1 "05_dark.pgm" "$MOTE" demo --model "$T/img.mote" --samples "$T/out"
check 1 "$T/tiny.mote" "$MOTE" demo --model "$T/tiny.mote" --samples "$T/samples"
check 2 "unexpected argument" "$MOTE" demo extra

# ---- the bundled model, when the source tree has it
S=${MOTE_SRCDIR:-}
if [ -n "$S" ] && [ -f "$S/models/fashion/fashion.mote" ]; then
    abs=$(cd "$B" && pwd)
    check 0 "correct" sh -c "cd '$S' && '$abs/mote' demo"
else
    echo "note: no bundled models/fashion/fashion.mote in the source tree; demo on it not run"
fi

if [ "$fails" -ne 0 ]; then
    echo "$fails check(s) failed"
    exit 1
fi
echo "all checks passed"
exit 0
