#!/usr/bin/env bash
# Front-end speed: graft's lower+verify+emit against clang's parse+sema.
#
# usage: bench/frontend.sh [--slice K]
#
# Over the gcc torture execute programs that the plain compiler builds
# (every K-th of the sorted list, as bench/torture.sh), runs sequentially,
# one process at a time, interleaved file by file:
#   graft emit-c -O1 -w -I DIR t.c -o TMP.c
#   clang-19 -fsyntax-only -w (with the -Wno-error flags graft also uses) -I DIR t.c
# and sums the wall time of each. The totals are over the files that both
# accept (graft's failures are counted and left out, so that an early
# "unsupported" does not flatter graft); the last stdout line is
#   frontend: graft X.XXs, clang-19 -fsyntax-only Y.YYs, ratio Z.ZZx
# (ratio = graft / clang). The graft binary is $GRAFT, else .build/release/graft.
set -euo pipefail

SELF=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")
# shellcheck source=bench/lib.sh
. "$(dirname "$SELF")/lib.sh"

SLICE=1
usage() { sed -n '2,17p' "$SELF" | sed 's/^# \{0,1\}//' >&2; exit 2; }
while [ $# -gt 0 ]; do
    case $1 in
        --slice) SLICE=${2:?}; shift 2 ;;
        --slice=*) SLICE=${1#*=}; shift ;;
        -h|--help) usage ;;
        *) echo "frontend.sh: unknown argument: $1" >&2; usage ;;
    esac
done
[[ $SLICE =~ ^[1-9][0-9]*$ ]] || { echo "frontend.sh: --slice wants a positive integer" >&2; exit 2; }

GRAFT_BIN=$(bench_graft)
CLANG=${CLANG:-clang-19}
command -v "$CLANG" >/dev/null || { echo "frontend.sh: $CLANG not found (apt-get install clang-19)" >&2; exit 2; }
CORPUS=$(bench_torture_corpus)

WORK=$(mktemp -d "${TMPDIR:-/tmp}/graft-frontend.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

mapfile -t ALL < <(cd "$CORPUS" && find . -maxdepth 1 -type f -name '*.c' -printf '%f\n' | sed 's/\.c$//' | sort)
SELECTED=()
for i in "${!ALL[@]}"; do
    [ $((i % SLICE)) -eq 0 ] && SELECTED+=("${ALL[$i]}")
done

# Untimed: keep the programs that the plain compiler builds (and links).
echo "frontend: checking which of ${#SELECTED[@]} programs gcc builds" >&2
export FRONTEND_CORPUS=$CORPUS FRONTEND_WORK=$WORK
printf '%s\n' "${SELECTED[@]}" | xargs -P "$(nproc)" -n 8 bash -c '
    for n in "$@"; do
        if timeout -k 5 120 gcc -O1 -w -I"$FRONTEND_CORPUS" "$FRONTEND_CORPUS/$n.c" -lm \
               -o "$FRONTEND_WORK/$n.bin" </dev/null >/dev/null 2>&1; then
            echo "$n"
        fi
        rm -f "$FRONTEND_WORK/$n.bin"
    done' _ | sort >"$WORK/builds.txt"
mapfile -t NAMES <"$WORK/builds.txt"
echo "frontend: timing ${#NAMES[@]} programs (sequential)" >&2

us() { local t=$EPOCHREALTIME; printf '%s' "${t/./}"; }
G_US=0 C_US=0 G_ALL=0 C_ALL=0 BOTH=0 G_FAIL=0 C_FAIL=0
TTY=0; [ -t 2 ] && TTY=1
k=0
for n in "${NAMES[@]}"; do
    f=$CORPUS/$n.c
    grc=0 crc=0
    t0=$(us)
    timeout -k 5 120 "$GRAFT_BIN" emit-c -O1 -w -I"$CORPUS" "$f" -o "$WORK/out.c" \
        </dev/null >/dev/null 2>&1 || grc=$?
    t1=$(us)
    timeout -k 5 120 "$CLANG" -fsyntax-only -w "${BENCH_CLANG_ACCEPT[@]}" -I"$CORPUS" "$f" \
        </dev/null >/dev/null 2>&1 || crc=$?
    t2=$(us)
    g=$((t1 - t0)) c=$((t2 - t1))
    G_ALL=$((G_ALL + g)) C_ALL=$((C_ALL + c))
    [ $grc -eq 0 ] || G_FAIL=$((G_FAIL + 1))
    [ $crc -eq 0 ] || C_FAIL=$((C_FAIL + 1))
    if [ $grc -eq 0 ] && [ $crc -eq 0 ]; then
        G_US=$((G_US + g)) C_US=$((C_US + c)) BOTH=$((BOTH + 1))
    fi
    rm -f "$WORK/out.c"
    k=$((k + 1))
    [ $TTY -eq 1 ] && printf '\rfrontend: %d/%d' "$k" "${#NAMES[@]}" >&2
done
[ $TTY -eq 1 ] && printf '\n' >&2

secs() { awk -v u="$1" 'BEGIN{printf "%.2f", u / 1e6}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ if (b > 0) printf "%.2f", a / b; else printf "n/a" }'; }
echo "frontend: ${#NAMES[@]} programs; graft failed on $G_FAIL, clang on $C_FAIL; all files: graft $(secs $G_ALL)s, $CLANG -fsyntax-only $(secs $C_ALL)s, ratio $(ratio $G_ALL $C_ALL)x"
echo "frontend: totals over the $BOTH programs both accept:"
echo "frontend: graft $(secs $G_US)s, $CLANG -fsyntax-only $(secs $C_US)s, ratio $(ratio $G_US $C_US)x"
