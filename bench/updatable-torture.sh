#!/usr/bin/env bash
# gcc's torture programs built *updatable* (graft cc: slots, update points,
# type wrapping, the runtime linked in) against the same programs built by
# graft without the updatable pass (GRAFT_UPDATABLE=0): a program whose exit
# status differs shows a difference the updatable build makes.
#
# usage: bench/updatable-torture.sh [--slice K]   (every K-th program; default all)
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
GRAFT=${GRAFT:-$ROOT/.build/release/graft}
SRC=${TORTURE_DIR:-$ROOT/.cache/torture/execute}
K=1
[ "${1:-}" = "--slice" ] && K=${2:?--slice K}
[ -x "$GRAFT" ] || { echo "updatable-torture.sh: build graft first (swift build -c release)" >&2; exit 2; }
[ -d "$SRC" ] || { echo "updatable-torture.sh: no torture corpus in $SRC (run bench/torture.sh once)" >&2; exit 2; }
W=$(mktemp -d); trap 'rm -rf "$W"' EXIT
pass=0; differ=0; skip=0; n=0
files=$(ls "$SRC"/*.c | awk -v k="$K" 'NR % k == 0')
total=$(echo "$files" | wc -l)
for f in $files; do
    n=$((n + 1)); b=$(basename "$f" .c)
    [ -t 2 ] && printf '\r[%d/%d] %s\033[K' "$n" "$total" "$b" >&2
    ( cd "$W" && GRAFT_UPDATABLE=0 timeout 60 "$GRAFT" cc -O1 -w "$f" -o "$b.plain" -lm >/dev/null 2>&1 ) || { skip=$((skip + 1)); continue; }
    ( cd "$W" && timeout 5 "./$b.plain" >/dev/null 2>&1 ); want=$?
    ( cd "$W" && timeout 60 "$GRAFT" cc -O1 -w "$f" -o "$b.upd" -lm >"$b.log" 2>&1 ) || { echo "BUILD-FAIL $b: $(head -c 300 "$W/$b.log")"; differ=$((differ + 1)); continue; }
    ( cd "$W" && timeout 5 "./$b.upd" >/dev/null 2>&1 ); got=$?
    if [ "$got" -eq "$want" ]; then pass=$((pass + 1)); else differ=$((differ + 1)); echo "DIFFER $b: plain exit $want, updatable exit $got"; fi
    rm -f "$W/$b.plain" "$W/$b.upd"
done
[ -t 2 ] && printf '\r\033[K' >&2
echo "updatable torture: $pass same, $differ differ, $skip skipped (graft without the updatable pass could not build them) of $total"
