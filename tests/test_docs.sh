#!/bin/sh
# test_docs.sh — docs/format.md's "Ops and attributes" section names every
# op the registry has (src/ops/ops_list.h) and every attribute an op reads
# (the names passed to mote_attr_get_* and friends in src/ops/), so that
# the list of what a .mote file may contain cannot fall behind the code.
set -u
src=${MOTE_SRCDIR:-.}
doc=$src/docs/format.md
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mote-docs.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM

sed -n '/^## Ops and attributes/,/^## Data section/p' "$doc" > "$tmp/section"
[ -s "$tmp/section" ] || { echo "FAIL: no '## Ops and attributes' section in $doc"; exit 1; }

sed -n 's/^MOTE_OP(\([A-Za-z0-9_]*\)).*/\1/p' "$src/src/ops/ops_list.h" | sort -u > "$tmp/ops"
cat "$src"/src/ops/*.c "$src"/src/ops/llm/*.c |
    grep -oE '(mote_attr_get_[a-z]+|mote_node_attr|get_ints|ints_attr)\([^,()]*, *"[A-Za-z0-9_]+"' |
    sed 's/.*"\([A-Za-z0-9_]*\)"$/\1/' | sort -u > "$tmp/attrs"
nops=$(wc -l < "$tmp/ops")
nattrs=$(wc -l < "$tmp/attrs")
if [ "$nops" -lt 50 ] || [ "$nattrs" -lt 30 ]; then
    echo "FAIL: found only $nops ops and $nattrs attributes in the sources; the scan is broken"
    exit 1
fi
missing=0
for name in $(cat "$tmp/ops" "$tmp/attrs"); do
    if ! grep -qF "\`$name\`" "$tmp/section"; then
        echo "not in docs/format.md (Ops and attributes): \`$name\`"
        missing=$((missing + 1))
    fi
done
if [ "$missing" -ne 0 ]; then
    echo "FAIL: $missing ops or attributes are undocumented"
    exit 1
fi
echo "PASS: docs/format.md documents all $nops ops and $nattrs attribute names"
