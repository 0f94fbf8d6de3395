#!/usr/bin/env bash
# Whether two graft binaries generate the same machine code for the
# example servers: each of examples/kvstore/v1..v5 and examples/httpd/v1..v3
# is built updatable by both (`make CC="graft cc"`, GRAFT_SAVE_TEMPS=1), the
# generated C of the link step is compiled by gcc -O2 -c, and the two
# objects' disassemblies (addresses and file names left out) are compared.
# For a change that should not change what graft generates — a refactoring,
# a pass moved from the emitter into the IR — this is the check.
#
# usage: bench/same-code.sh OLD_GRAFT [NEW_GRAFT]
#   OLD_GRAFT, NEW_GRAFT: graft executables (NEW defaults to .build/release/graft).
#   Each is run with GRAFT_RUNTIME_DIR set to the Runtime folder beside it,
#   if there is one, else this tree's Sources/Runtime.
# Prints one line per example, then `same code: X of N`; exit status 1 iff
# any differs (2 on a usage error).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
OLD=${1:?usage: bench/same-code.sh OLD_GRAFT [NEW_GRAFT]}
NEW=${2:-$ROOT/.build/release/graft}
for g in "$OLD" "$NEW"; do
    [ -x "$g" ] || { echo "not an executable: $g" >&2; exit 2; }
done
# The builds run in scratch folders: absolute paths.
OLD=$(cd "$(dirname "$OLD")" && pwd)/$(basename "$OLD")
NEW=$(cd "$(dirname "$NEW")" && pwd)/$(basename "$NEW")

runtime_for() {
    local d
    d=$(dirname "$1")/Runtime
    if [ -d "$d" ]; then echo "$d"; else echo "$ROOT/Sources/Runtime"; fi
}

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

# The disassembly of the link step's generated C, built by graft $1 from example folder $2.
disassembly() {
    local graft=$1 src=$2 tag=$3 work log kept
    work=$scratch/$tag
    rm -rf "$work"; cp -r "$src" "$work"
    log=$work/build.log
    (cd "$work" && make clean >/dev/null 2>&1 || true
     GRAFT_RUNTIME_DIR=$(runtime_for "$graft") GRAFT_SAVE_TEMPS=1 make CC="$graft cc" >"$log" 2>&1) || { echo "build failed: $log" >&2; return 1; }
    kept=$(grep -o 'temporary files kept in [^ ]*' "$log" | tail -1 | sed 's/.* //')
    local c
    c=$(ls "$kept"/*.graft.c | head -1)
    gcc -O2 -w -c "$c" -I"$ROOT/Sources/Runtime/include" -o "$work/gen.o"
    objdump -d --no-show-raw-insn "$work/gen.o" | sed -e 's/^ *[0-9a-f]*://' -e '/file format/d' >"$work/gen.dis"
    rm -rf "$kept"
    echo "$work/gen.dis"
}

same=0 total=0 failed=0
for ex in "$ROOT"/examples/kvstore/v[1-5] "$ROOT"/examples/httpd/v[1-3]; do
    name=${ex#"$ROOT"/examples/}
    total=$((total + 1))
    a=$(disassembly "$OLD" "$ex" "old-${name//\//-}") || { echo "$name: OLD build failed"; failed=1; continue; }
    b=$(disassembly "$NEW" "$ex" "new-${name//\//-}") || { echo "$name: NEW build failed"; failed=1; continue; }
    if cmp -s "$a" "$b"; then
        same=$((same + 1))
        echo "$name: same ($(grep -c . "$a") lines of disassembly)"
    else
        echo "$name: DIFFERS ($(diff "$a" "$b" | grep -c '^[<>]') lines)"
        failed=1
    fi
done
echo "same code: $same of $total"
exit $failed
