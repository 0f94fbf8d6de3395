#!/usr/bin/env bash
# Zero-diff runs on csmith programs: each seed built by graft without the
# updatable pass (GRAFT_UPDATABLE=0 graft cc) and by graft's updatable build
# (graft cc: function slots, update points, type wrapping, the runtime
# linked in) must print the same checksum and exit with the same status.
#
# usage: bench/updatable-csmith.sh N [--start S] [--jobs J] [--no-cc] [--keep]
#
#   N            number of programs: seeds S .. S+N-1 (default S=1).
#   --start S    first seed.
#   --jobs J     parallel jobs (default 2).
#   --no-cc      skip the sanity check against the system compiler.
#   --keep       keep the scratch directory (printed on stderr), with each
#                differing seed's r.c, builds, outputs and build logs.
#
# For each seed: `csmith --seed SEED -o r.c`; build it with
# `GRAFT_UPDATABLE=0 graft cc -O1 -w -I/usr/include/csmith` ("plain") and
# with `graft cc` and the same flags ("updatable"); run both. A seed is
# skipped for both when csmith or the plain build fails, or the plain run
# takes more than 10 s. The updatable run gets 60 s (its slots and update
# points make it slower; a slower program is not a different one).
# A seed differs when the updatable build fails, or its run's stdout or exit
# status is not the plain run's (when only stdout differs, the plain build
# runs once more; a seed whose own output changes from run to run is skipped).
# Sanity check (unless --no-cc, not counted): `cc -O1 -w` builds the seed
# too; when its stdout or status is not the plain graft build's, a
# `NOTE seed N:` line says so (a graft round-trip bug, see bench/csmith.sh).
# The graft binary is $GRAFT, else .build/release/graft.
# Prints `DIFFER seed N: ...` lines, then the last line
#   updatable csmith: X same, Y differ, Z skipped of N
# Exit status 1 iff any seed differs (2 on a usage error): the updatable
# build must not change behaviour, so every difference is a bug.
set -euo pipefail

SELF=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")
# shellcheck source=bench/lib.sh
. "$(dirname "$SELF")/lib.sh"

PLAIN_TIMEOUT=10
UPD_TIMEOUT=60
CSMITH_INC=/usr/include/csmith
CFLAGS=(-O1 -w -I"$CSMITH_INC")

checksum_of() { grep -m 1 '^checksum' "$1" 2>/dev/null | sed 's/^checksum *= *//' || true; }

# "exit status 0, checksum X" for a run's status and stdout file.
describe_run() {
    local rc=$1 secs=$2 out=$3 sum
    sum=$(checksum_of "$out")
    printf '%s, checksum %s' "$(bench_describe_status "$rc" "$secs")" "${sum:-(none)}"
}

# --- one seed (internal: invoked in parallel through xargs) --------------
run_one() {
    local seed=$1 graft=$ZD_GRAFT
    local dir=$ZD_WORK/s/$seed res=$ZD_WORK/res/$seed
    local rc want got
    mkdir -p "$dir"
    cd "$dir"
    ulimit -c 0
    # status<TAB>seed<TAB>detail<TAB>note
    result() { printf '%s\t%s\t%s\t%s\n' "$1" "$seed" "$2" "${3:-}" >"$res"; }

    rc=0
    timeout -k 5 120 csmith --seed "$seed" -o r.c </dev/null >csmith.log 2>&1 || rc=$?
    if [ $rc -ne 0 ] || [ ! -s r.c ]; then
        result skip "csmith $(bench_describe_status $rc 120)"
        return 0
    fi

    # (a) graft without the updatable pass
    rc=0
    GRAFT_UPDATABLE=0 timeout -k 5 300 "$graft" cc "${CFLAGS[@]}" r.c -o plain \
        </dev/null >plain.build.log 2>&1 || rc=$?
    if [ $rc -ne 0 ]; then
        result skip "plain graft build fails: $(bench_first_line plain.build.log "$dir" 'error|undefined reference')"
        return 0
    fi
    want=0
    (ulimit -v 4000000; timeout -k 2 "$PLAIN_TIMEOUT" ./plain </dev/null >plain.out 2>plain.err) 2>/dev/null || want=$?
    if [ $want -eq 124 ] || [ $want -eq 137 ]; then
        result skip "plain run takes more than ${PLAIN_TIMEOUT}s"
        return 0
    fi

    # (sanity) the system compiler, not counted
    local note=
    if [ "$ZD_CC" -eq 1 ]; then
        rc=0
        timeout -k 5 300 cc "${CFLAGS[@]}" r.c -o cc.bin </dev/null >cc.build.log 2>&1 || rc=$?
        if [ $rc -ne 0 ]; then
            note="cc -O1 does not build it: $(bench_first_line cc.build.log "$dir" 'error|undefined reference')"
        else
            rc=0
            (ulimit -v 4000000; timeout -k 2 "$UPD_TIMEOUT" ./cc.bin </dev/null >cc.out 2>cc.err) 2>/dev/null || rc=$?
            if [ $rc -ne $want ] || ! cmp -s cc.out plain.out; then
                note="cc -O1 gives $(describe_run $rc $UPD_TIMEOUT cc.out), plain graft $(describe_run $want $PLAIN_TIMEOUT plain.out)"
            fi
        fi
    fi

    # (b) the updatable build
    rc=0
    timeout -k 5 300 "$graft" cc "${CFLAGS[@]}" r.c -o upd \
        </dev/null >upd.build.log 2>&1 || rc=$?
    if [ $rc -ne 0 ]; then
        result differ "updatable build fails ($(bench_describe_status $rc 300)): $(bench_first_line upd.build.log "$dir" 'error|undefined reference|Fatal')" "$note"
        return 0
    fi
    got=0
    (ulimit -v 4000000; timeout -k 2 "$UPD_TIMEOUT" ./upd </dev/null >upd.out 2>upd.err) 2>/dev/null || got=$?
    if [ $got -eq $want ] && ! cmp -s plain.out upd.out; then
        rc=0
        (ulimit -v 4000000; timeout -k 2 "$PLAIN_TIMEOUT" ./plain </dev/null >plain.out2 2>/dev/null) 2>/dev/null || rc=$?
        if [ $rc -ne $want ] || ! cmp -s plain.out plain.out2; then
            result skip "the plain build's output is not the same from run to run" "$note"
            return 0
        fi
    fi
    if [ $got -ne $want ] || ! cmp -s plain.out upd.out; then
        local what="stdout"
        [ $got -ne $want ] && what="exit status"
        [ $got -ne $want ] && ! cmp -s plain.out upd.out && what="exit status and stdout"
        result differ "$what: plain $(describe_run $want $PLAIN_TIMEOUT plain.out), updatable $(describe_run $got $UPD_TIMEOUT upd.out)" "$note"
        return 0
    fi
    result same - "$note"
    rm -f plain upd cc.bin
}

if [ "${1:-}" = "--run-one" ]; then
    shift
    for s in "$@"; do
        ( run_one "$s" ) || printf 'differ\t%s\tharness error (status %s)\t\n' "$s" "$?" \
            >"$ZD_WORK/res/$s"
        echo "$s"
    done
    exit 0
fi

# --- arguments -----------------------------------------------------------
COUNT= START=1 JOBS=2 WITH_CC=1 KEEP=0
usage() { sed -n '2,32p' "$SELF" | sed 's/^# \{0,1\}//' >&2; exit 2; }
while [ $# -gt 0 ]; do
    case $1 in
        --start) START=${2:?}; shift 2 ;;
        --start=*) START=${1#*=}; shift ;;
        --jobs|-j) JOBS=${2:?}; shift 2 ;;
        --jobs=*) JOBS=${1#*=}; shift ;;
        --no-cc) WITH_CC=0; shift ;;
        --keep) KEEP=1; shift ;;
        -h|--help) usage ;;
        -*) echo "updatable-csmith.sh: unknown argument: $1" >&2; usage ;;
        *) [ -z "$COUNT" ] || usage; COUNT=$1; shift ;;
    esac
done
[[ ${COUNT:-} =~ ^[1-9][0-9]*$ ]] || { echo "updatable-csmith.sh: N wants a positive integer" >&2; usage; }
[[ $START =~ ^[0-9]+$ ]] || { echo "updatable-csmith.sh: --start wants a non-negative integer" >&2; exit 2; }
[[ $JOBS =~ ^[1-9][0-9]*$ ]] || { echo "updatable-csmith.sh: --jobs wants a positive integer" >&2; exit 2; }

GRAFT_BIN=$(bench_graft)
bench_need_packages csmith libcsmith-dev

WORK=$(mktemp -d "${TMPDIR:-/tmp}/graft-zd-csmith.XXXXXX")
if [ $KEEP -eq 1 ]; then
    echo "updatable csmith: scratch directory $WORK" >&2
else
    trap 'rm -rf "$WORK"' EXIT
fi
mkdir -p "$WORK/s" "$WORK/res"
export ZD_GRAFT=$GRAFT_BIN ZD_WORK=$WORK ZD_CC=$WITH_CC ZD_KEEP=$KEEP

FIRST=$START LAST=$((START + COUNT - 1))
START_T=$EPOCHREALTIME
seq "$FIRST" "$LAST" \
    | xargs -P "$JOBS" -n 1 "$SELF" --run-one \
    | bench_progress "updatable csmith" "$COUNT"
END_T=$EPOCHREALTIME

# --- results -------------------------------------------------------------
RESULTS=$WORK/results.tsv
: >"$RESULTS"
for s in $(seq "$FIRST" "$LAST"); do
    if [ -s "$WORK/res/$s" ]; then
        cat "$WORK/res/$s" >>"$RESULTS"
    else
        printf 'differ\t%s\tharness error (no result)\t\n' "$s" >>"$RESULTS"
    fi
done
SAME=$(awk -F'\t' '$1=="same"' "$RESULTS" | wc -l)
DIFFER=$(awk -F'\t' '$1=="differ"' "$RESULTS" | wc -l)
SKIPPED=$(awk -F'\t' '$1=="skip"' "$RESULTS" | wc -l)
ELAPSED=$(awk -v a="$START_T" -v b="$END_T" 'BEGIN{printf "%.1f", b-a}')

awk -F'\t' '$1=="differ" {printf "DIFFER seed %s: %s\n", $2, $3}' "$RESULTS"
awk -F'\t' '$4!="" {printf "NOTE seed %s: %s\n", $2, $4}' "$RESULTS"
awk -F'\t' '$1=="skip" {printf "skipped seed %s: %s\n", $2, $3}' "$RESULTS" >&2
echo "updatable csmith: wall time ${ELAPSED}s, jobs $JOBS, seeds $FIRST..$LAST" >&2
echo "updatable csmith: $SAME same, $DIFFER differ, $SKIPPED skipped of $COUNT"
[ "$DIFFER" -eq 0 ]
