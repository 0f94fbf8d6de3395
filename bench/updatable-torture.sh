#!/usr/bin/env bash
# Zero-diff runs on gcc's torture programs: each program built *updatable*
# (graft cc: function slots, update points, type wrapping, the runtime
# linked in) must behave exactly like the same program built by graft
# without the updatable pass (GRAFT_UPDATABLE=0 graft cc): same stdout, same
# exit status.
#
# usage: bench/updatable-torture.sh [--slice K] [--jobs J] [--filter GLOB] [--dg-options] [--keep]
#
#   --slice K     every K-th program of the sorted list (the K-th, 2K-th, ...);
#                 deterministic. Default 1 (all).
#   --jobs J      parallel jobs (default 2).
#   --filter GLOB only programs whose name (with or without .c) matches GLOB,
#                 applied after --slice.
#   --dg-options  also pass each program's unconditional dg-options and
#                 dg-additional-options (e.g. -fwrapv, -fgnu89-inline) to
#                 both builds: without them some programs have undefined
#                 behaviour, which the two builds may optimize differently.
#   --keep        keep the scratch directory (printed on stderr), with each
#                 differing program's builds, outputs and build logs.
#
# For each program: `GRAFT_UPDATABLE=0 graft cc -O1 -w t.c -lm` ("plain")
# and `graft cc` with the same flags ("updatable"), each in a scratch folder
# with -I of the corpus folder; run both with stdin from /dev/null.
# A program is skipped when the plain build fails or the plain run takes
# more than 10 s (the updatable run gets 60 s). It differs when the
# updatable build fails, or its run's stdout or exit status is not the
# plain run's; when only stdout differs, the plain build runs once more, and
# a program whose own output changes from run to run (it prints addresses)
# is skipped. The corpus is .cache/torture/execute ($TORTURE_DIR), which
# bench/torture.sh extracts from gcc-12-source.
# The graft binary is $GRAFT, else .build/release/graft.
# Prints `DIFFER name: ...` lines, then the last line
#   updatable torture: X same, Y differ, Z skipped of N
# Exit status 1 iff any program differs (2 on a usage error).
set -euo pipefail

SELF=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")
# shellcheck source=bench/lib.sh
. "$(dirname "$SELF")/lib.sh"

PLAIN_TIMEOUT=10
UPD_TIMEOUT=60
CFLAGS=(-O1 -w)

# "exit status 0, 12 bytes of stdout" for a run's status and stdout file.
describe_run() {
    local rc=$1 secs=$2 out=$3
    printf '%s, %s bytes of stdout' "$(bench_describe_status "$rc" "$secs")" "$(wc -c <"$out")"
}

# The unconditional dg-options / dg-additional-options of a torture program
# (those without a { target ... } selector), one flag a line.
dg_options() {
    sed -nE 's/.*\{ *dg-(additional-)?options +(\{ *)?"([^"]*)"( *\})? *\}.*/\3/p' "$1" | tr ' ' '\n' | grep -v '^$' || true
}

# --- one program (internal: invoked in parallel through xargs) -----------
run_one() {
    local name=$1 corpus=$ZD_CORPUS graft=$ZD_GRAFT
    local dir=$ZD_WORK/t/$name res=$ZD_WORK/res/$name
    local rc want got
    mkdir -p "$dir"
    cd "$dir"
    ulimit -c 0
    result() { printf '%s\t%s\t%s\n' "$1" "$name" "$2" >"$res"; }
    local flags=("${CFLAGS[@]}")
    # shellcheck disable=SC2206
    [ "$ZD_DG_OPTIONS" -eq 1 ] && flags+=($(dg_options "$corpus/$name.c"))

    # (a) graft without the updatable pass
    rc=0
    GRAFT_UPDATABLE=0 timeout -k 5 120 "$graft" cc "${flags[@]}" -I"$corpus" "$corpus/$name.c" -lm -o plain \
        </dev/null >plain.build.log 2>&1 || rc=$?
    if [ $rc -ne 0 ]; then
        result skip "plain graft build fails: $(bench_first_line plain.build.log "$corpus" 'error|undefined reference')"
        return 0
    fi
    want=0
    (ulimit -v 4000000; timeout -k 2 "$PLAIN_TIMEOUT" ./plain </dev/null >plain.out 2>plain.err) 2>/dev/null || want=$?
    if [ $want -eq 124 ] || [ $want -eq 137 ]; then
        result skip "plain run takes more than ${PLAIN_TIMEOUT}s"
        return 0
    fi

    # (b) the updatable build
    rc=0
    timeout -k 5 120 "$graft" cc "${flags[@]}" -I"$corpus" "$corpus/$name.c" -lm -o upd \
        </dev/null >upd.build.log 2>&1 || rc=$?
    if [ $rc -ne 0 ]; then
        result differ "updatable build fails ($(bench_describe_status $rc 120)): $(bench_first_line upd.build.log "$corpus" 'error|undefined reference|Fatal')"
        return 0
    fi
    got=0
    (ulimit -v 4000000; timeout -k 2 "$UPD_TIMEOUT" ./upd </dev/null >upd.out 2>upd.err) 2>/dev/null || got=$?
    if [ $got -eq $want ] && ! cmp -s plain.out upd.out; then
        rc=0
        (ulimit -v 4000000; timeout -k 2 "$PLAIN_TIMEOUT" ./plain </dev/null >plain.out2 2>/dev/null) 2>/dev/null || rc=$?
        if [ $rc -ne $want ] || ! cmp -s plain.out plain.out2; then
            result skip "the plain build's output is not the same from run to run"
            return 0
        fi
    fi
    if [ $got -ne $want ] || ! cmp -s plain.out upd.out; then
        local what="stdout"
        [ $got -ne $want ] && what="exit status"
        [ $got -ne $want ] && ! cmp -s plain.out upd.out && what="exit status and stdout"
        result differ "$what: plain $(describe_run $want $PLAIN_TIMEOUT plain.out), updatable $(describe_run $got $UPD_TIMEOUT upd.out)"
        return 0
    fi
    result same -
    cd "$ZD_WORK" && rm -rf "$dir"
}

if [ "${1:-}" = "--run-one" ]; then
    shift
    for n in "$@"; do
        ( run_one "$n" ) || printf 'differ\t%s\tharness error (status %s)\n' "$n" "$?" \
            >"$ZD_WORK/res/$n"
        echo "$n"
    done
    exit 0
fi

# --- arguments -----------------------------------------------------------
SLICE=1 JOBS=2 FILTER= DG=0 KEEP=0
usage() { sed -n '2,35p' "$SELF" | sed 's/^# \{0,1\}//' >&2; exit 2; }
while [ $# -gt 0 ]; do
    case $1 in
        --slice) SLICE=${2:?}; shift 2 ;;
        --slice=*) SLICE=${1#*=}; shift ;;
        --jobs|-j) JOBS=${2:?}; shift 2 ;;
        --jobs=*) JOBS=${1#*=}; shift ;;
        --filter) FILTER=${2:?}; shift 2 ;;
        --filter=*) FILTER=${1#*=}; shift ;;
        --dg-options) DG=1; shift ;;
        --keep) KEEP=1; shift ;;
        -h|--help) usage ;;
        *) echo "updatable-torture.sh: unknown argument: $1" >&2; usage ;;
    esac
done
[[ $SLICE =~ ^[1-9][0-9]*$ ]] || { echo "updatable-torture.sh: --slice wants a positive integer" >&2; exit 2; }
[[ $JOBS =~ ^[1-9][0-9]*$ ]] || { echo "updatable-torture.sh: --jobs wants a positive integer" >&2; exit 2; }

GRAFT_BIN=$(bench_graft)
if [ -n "${TORTURE_DIR:-}" ]; then
    CORPUS=$(cd "$TORTURE_DIR" && pwd)
else
    CORPUS=$(bench_torture_corpus)
fi

# --- the programs (every K-th, as before: the K-th, 2K-th, ...) ---------
mapfile -t ALL < <(cd "$CORPUS" && find . -maxdepth 1 -type f -name '*.c' -printf '%f\n' | sed 's/\.c$//' | sort)
NAMES=()
for i in "${!ALL[@]}"; do
    [ $(((i + 1) % SLICE)) -eq 0 ] || continue
    n=${ALL[$i]}
    if [ -n "$FILTER" ]; then
        # shellcheck disable=SC2053
        [[ $n == $FILTER || $n.c == $FILTER ]] || continue
    fi
    NAMES+=("$n")
done
TOTAL=${#NAMES[@]}
if [ "$TOTAL" -eq 0 ]; then
    echo "updatable-torture.sh: no program selected" >&2
    exit 2
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/graft-zd-torture.XXXXXX")
if [ $KEEP -eq 1 ]; then
    echo "updatable torture: scratch directory $WORK" >&2
else
    trap 'rm -rf "$WORK"' EXIT
fi
mkdir -p "$WORK/t" "$WORK/res"
export ZD_CORPUS=$CORPUS ZD_GRAFT=$GRAFT_BIN ZD_WORK=$WORK ZD_DG_OPTIONS=$DG

START_T=$EPOCHREALTIME
printf '%s\n' "${NAMES[@]}" \
    | xargs -P "$JOBS" -n 1 "$SELF" --run-one \
    | bench_progress "updatable torture" "$TOTAL"
END_T=$EPOCHREALTIME

# --- results -------------------------------------------------------------
RESULTS=$WORK/results.tsv
: >"$RESULTS"
for n in "${NAMES[@]}"; do
    if [ -s "$WORK/res/$n" ]; then
        cat "$WORK/res/$n" >>"$RESULTS"
    else
        printf 'differ\t%s\tharness error (no result)\n' "$n" >>"$RESULTS"
    fi
done
SAME=$(awk -F'\t' '$1=="same"' "$RESULTS" | wc -l)
DIFFER=$(awk -F'\t' '$1=="differ"' "$RESULTS" | wc -l)
SKIPPED=$(awk -F'\t' '$1=="skip"' "$RESULTS" | wc -l)
ELAPSED=$(awk -v a="$START_T" -v b="$END_T" 'BEGIN{printf "%.1f", b-a}')

awk -F'\t' '$1=="differ" {printf "DIFFER %s: %s\n", $2, $3}' "$RESULTS"
awk -F'\t' '$1=="skip" {printf "skipped %s: %s\n", $2, $3}' "$RESULTS" >&2
DG_NOTE=; [ $DG -eq 1 ] && DG_NOTE=", with dg-options"
echo "updatable torture: wall time ${ELAPSED}s, jobs $JOBS, slice $SLICE$DG_NOTE" >&2
echo "updatable torture: $SAME same, $DIFFER differ, $SKIPPED skipped of $TOTAL"
[ "$DIFFER" -eq 0 ]
