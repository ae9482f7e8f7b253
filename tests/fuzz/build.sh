#!/bin/sh
# tests/fuzz/build.sh — builds and runs the libFuzzer targets (called by
# `make fuzz` in tests/fuzz/local.mk, which passes the source lists).
#   build: compiles the library sources with $CC and
#          -fsanitize=fuzzer-no-link,address,undefined into
#          $BUILDDIR/fuzz-build/ (a separate build: the gcc/libtool objects
#          are not instrumented), then links fuzz-build/fuzz_TARGET.
#   run:   runs each target for $FUZZ_SECONDS on a copy of its seed corpus
#          (fuzz-build/corpus/TARGET; new inputs stay there), and copies any
#          crashing input to fuzz-build/crashes/ (move it into
#          tests/fuzz/regressions/TARGET/ once fixed). Fails on a finding.
# Not part of `make check`.
set -eu
mode=$1
out="$BUILDDIR/fuzz-build"
FLAGS="-std=c11 -D_GNU_SOURCE -DHAVE_CONFIG_H -g -O1 -fno-omit-frame-pointer \
 -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined \
 -I$SRCDIR/src -I$SRCDIR/kernels -I$SRCDIR/tests/fuzz -I$BUILDDIR -Wall -Wextra -Wno-unused-parameter"

JOBS=${FUZZ_JOBS:-2}
running=0
# Compiles src with the given flags in the background (JOBS at a time);
# the object list is written here, in order; a failed compile leaves no
# object, which the check after the last wait catches.
compile() { # src flags...
    src=$1; shift
    case $src in *.c) ;; *) return 0 ;; esac
    obj="$out/obj/$(echo "$src" | tr / _).o"
    echo "$obj" >> "$out/objs.list"
    if [ ! -f "$obj" ] || [ "$SRCDIR/$src" -nt "$obj" ]; then
        echo "  FUZZCC   $src"
        rm -f "$obj"
        $CC "$@" -c "$SRCDIR/$src" -o "$obj" &
        running=$((running + 1))
        if [ "$running" -ge "$JOBS" ]; then wait; running=0; fi
    fi
}

case $mode in
build)
    mkdir -p "$out/obj"
    : > "$out/objs.list"
    # Headers may have changed: rebuild everything if any header is newer
    # than the archive.
    if [ -f "$out/libmote_fuzz.a" ] && \
       [ -n "$(find "$SRCDIR/src" "$SRCDIR/kernels" "$SRCDIR/arch" -name '*.h' -newer "$out/libmote_fuzz.a" | head -1)" ]; then
        rm -f "$out"/obj/*.o
    fi
    for s in $CORE_SRCS; do compile "$s" $FLAGS ${HWLOC_CFLAGS:-}; done
    # The SIMD kernel tables are not what is fuzzed (they read no input
    # format) and take minutes to compile instrumented: plain -O2 for them.
    KFLAGS="-std=c11 -D_GNU_SOURCE -DHAVE_CONFIG_H -O2 -I$SRCDIR/src -I$SRCDIR/kernels -I$BUILDDIR -I$SRCDIR/arch/x86"
    for s in ${AVX2_SRCS:-}; do compile "$s" $KFLAGS -mavx2 -mfma -mf16c; done
    for s in ${AVX512_SRCS:-}; do
        compile "$s" $KFLAGS -mavx512f -mavx512bw -mavx512dq -mavx512vl -mavx512vnni -mfma -mavx2 -mf16c
    done
    wait
    for o in $(cat "$out/objs.list"); do
        [ -f "$o" ] || { echo "fuzz build: $o failed to compile" >&2; exit 1; }
    done
    rm -f "$out/libmote_fuzz.a"
    ar rcs "$out/libmote_fuzz.a" $(cat "$out/objs.list")
    for t in $TARGETS; do
        echo "  FUZZLD   fuzz-build/fuzz_$t"
        $CC $FLAGS -DMOTE_FUZZ_MUTATOR -fsanitize=fuzzer "$SRCDIR/tests/fuzz/fuzz_$t.c" "$out/libmote_fuzz.a" \
            $LIBS -o "$out/fuzz_$t"
    done
    ;;
run)
    mkdir -p "$out/crashes" "$out/logs"
    status=0
    for t in $TARGETS; do
        mkdir -p "$out/corpus/$t"
        [ -d "$SRCDIR/tests/fuzz/corpus/$t" ] && cp -n "$SRCDIR/tests/fuzz/corpus/$t"/* "$out/corpus/$t"/ 2>/dev/null || true
        reg=""
        [ -d "$SRCDIR/tests/fuzz/regressions/$t" ] && reg="$SRCDIR/tests/fuzz/regressions/$t"
        dict=""
        [ -f "$SRCDIR/tests/fuzz/$t.dict" ] && dict="-dict=$SRCDIR/tests/fuzz/$t.dict"
        # FUZZ_SEED + FUZZ_RUNS make a run reproducible (CI): the same
        # mutations in the same order on any machine; FUZZ_SECONDS then only
        # caps the time, so a slower machine explores a prefix of that run.
        repro=""
        [ -n "${FUZZ_SEED:-}" ] && repro="-seed=$FUZZ_SEED"
        [ -n "${FUZZ_RUNS:-}" ] && repro="$repro -runs=$FUZZ_RUNS"
        echo "fuzz $t: ${FUZZ_SECONDS}s${repro:+ ($repro)}"
        if (cd "$out/crashes" && "$out/fuzz_$t" -max_total_time="$FUZZ_SECONDS" $repro -max_len=65536 \
                -rss_limit_mb=2048 -timeout=20 -print_final_stats=1 $dict \
                "$out/corpus/$t" $reg ) > "$out/logs/$t.log" 2>&1; then
            :
        else
            echo "fuzz $t: FINDING (see fuzz-build/logs/$t.log, inputs in fuzz-build/crashes/)"
            status=1
        fi
        # The last status line: coverage and speed.
        grep -E '^#[0-9]+.*(DONE|pulse|NEW|REDUCE)' "$out/logs/$t.log" | tail -1 || true
        grep -E 'stat::(number_of_executed_units|average_exec_per_sec)' "$out/logs/$t.log" || true
    done
    exit $status
    ;;
*)
    echo "usage: build.sh build|run" >&2; exit 2 ;;
esac
