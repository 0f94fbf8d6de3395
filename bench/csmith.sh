#!/usr/bin/env bash
# Random csmith programs through graft's C round trip.
#
# usage: bench/csmith.sh N [--start S] [--jobs J] [--strict] [--keep]
#
#   N            number of programs: seeds S+1 .. S+N (default S=0).
#   --start S    seed offset.
#   --jobs J     parallel jobs (default: nproc).
#   --strict     exit 1 when any program fails (also STRICT=1).
#   --keep       keep the scratch directory (printed on stderr).
#
# For each seed: `csmith --seed SEED -o r.c`; plain `gcc -O1 -w
# -I/usr/include/csmith r.c`, run (10 s timeout; a timeout skips the seed);
# `graft emit-c` the same, gcc it, run: pass when stdout (the checksum) is
# identical. The graft binary is $GRAFT, else .build/release/graft.
# Writes bench/csmith-failures.md; the last stdout line is
#   csmith: N passed, N failed[, N skipped]
set -euo pipefail

SELF=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")
# shellcheck source=bench/lib.sh
. "$(dirname "$SELF")/lib.sh"

RUN_TIMEOUT=10
CSMITH_INC=/usr/include/csmith
CFLAGS=(-O1 -w -I"$CSMITH_INC")

checksum_of() { grep -m 1 '^checksum' "$1" 2>/dev/null | sed 's/^checksum *= *//' || true; }

# --- one seed (internal: invoked in parallel through xargs) --------------
run_one() {
    local seed=$1 graft=$CSMITH_GRAFT
    local dir=$CSMITH_WORK/s/$seed res=$CSMITH_WORK/res/$seed
    local rc
    mkdir -p "$dir"
    cd "$dir"
    ulimit -c 0
    result() { printf '%s\t%s\t%s\t%s\n' "$1" "$seed" "$2" "$3" >"$res"; }

    rc=0
    timeout -k 5 120 csmith --seed "$seed" -o r.c </dev/null >csmith.log 2>&1 || rc=$?
    if [ $rc -ne 0 ] || [ ! -s r.c ]; then
        result skip csmith-fails "csmith $(bench_describe_status $rc 120)"
        return 0
    fi
    rc=0
    timeout -k 5 300 gcc "${CFLAGS[@]}" r.c -o plain </dev/null >plain.cc.err 2>&1 || rc=$?
    if [ $rc -ne 0 ]; then
        result skip plain-compile-fails "$(bench_first_line plain.cc.err "$dir" 'error|undefined reference')"
        return 0
    fi
    rc=0
    (ulimit -v 4000000; timeout -k 2 "$RUN_TIMEOUT" ./plain </dev/null >plain.out 2>plain.run.err) 2>/dev/null || rc=$?
    if [ $rc -ne 0 ]; then
        result skip plain-run-fails "$(bench_describe_status $rc $RUN_TIMEOUT)"
        return 0
    fi

    bench_emit "$graft" "$dir/r.graft.c" "$dir/emit.err" "$dir" "${CFLAGS[@]}" "$dir/r.c"
    if [ -n "$EMIT_CATEGORY" ]; then
        result fail "$EMIT_CATEGORY" "$EMIT_DETAIL"
        return 0
    fi
    rc=0
    timeout -k 5 300 gcc "${CFLAGS[@]}" r.graft.c -o graft </dev/null >graft.cc.err 2>&1 || rc=$?
    if [ $rc -ne 0 ]; then
        result fail emitted-c-does-not-compile "$(bench_first_line graft.cc.err "$dir" 'error|undefined reference')"
        return 0
    fi
    rc=0
    (ulimit -v 4000000; timeout -k 2 "$RUN_TIMEOUT" ./graft </dev/null >graft.out 2>graft.run.err) 2>/dev/null || rc=$?
    if [ $rc -ne 0 ]; then
        result fail wrong-result "$(bench_describe_status $rc $RUN_TIMEOUT) (expected checksum $(checksum_of plain.out))"
        return 0
    fi
    if ! cmp -s plain.out graft.out; then
        local want got
        want=$(checksum_of plain.out) got=$(checksum_of graft.out)
        if [ "$want" != "$got" ]; then
            result fail wrong-result "checksum ${got:-(none)}, expected $want"
        else
            result fail wrong-result "output differs (same checksum $want)"
        fi
        return 0
    fi
    result pass - -
    rm -f plain graft
}

if [ "${1:-}" = "--run-one" ]; then
    shift
    for s in "$@"; do
        ( run_one "$s" ) || printf 'fail\t%s\tcrash\tharness error (status %s)\n' "$s" "$?" \
            >"$CSMITH_WORK/res/$s"
        echo "$s"
    done
    exit 0
fi

# --- arguments -----------------------------------------------------------
COUNT= START=0 JOBS=$(nproc) STRICT=${STRICT:-0} KEEP=0
usage() { sed -n '2,17p' "$SELF" | sed 's/^# \{0,1\}//' >&2; exit 2; }
while [ $# -gt 0 ]; do
    case $1 in
        --start) START=${2:?}; shift 2 ;;
        --start=*) START=${1#*=}; shift ;;
        --jobs|-j) JOBS=${2:?}; shift 2 ;;
        --jobs=*) JOBS=${1#*=}; shift ;;
        --strict) STRICT=1; shift ;;
        --keep) KEEP=1; shift ;;
        -h|--help) usage ;;
        -*) echo "csmith.sh: unknown argument: $1" >&2; usage ;;
        *) [ -z "$COUNT" ] || usage; COUNT=$1; shift ;;
    esac
done
[[ ${COUNT:-} =~ ^[1-9][0-9]*$ ]] || { echo "csmith.sh: N wants a positive integer" >&2; usage; }
[[ $START =~ ^[0-9]+$ ]] || { echo "csmith.sh: --start wants a non-negative integer" >&2; exit 2; }
[[ $JOBS =~ ^[1-9][0-9]*$ ]] || { echo "csmith.sh: --jobs wants a positive integer" >&2; exit 2; }
case $STRICT in ""|0|no|false) STRICT=0 ;; *) STRICT=1 ;; esac

GRAFT_BIN=$(bench_graft)
bench_need_packages csmith libcsmith-dev

WORK=$(mktemp -d "${TMPDIR:-/tmp}/graft-csmith.XXXXXX")
if [ $KEEP -eq 1 ]; then
    echo "csmith: scratch directory $WORK" >&2
else
    trap 'rm -rf "$WORK"' EXIT
fi
mkdir -p "$WORK/s" "$WORK/res"
export CSMITH_GRAFT=$GRAFT_BIN CSMITH_WORK=$WORK

FIRST=$((START + 1)) LAST=$((START + COUNT))
START_T=$EPOCHREALTIME
seq "$FIRST" "$LAST" \
    | xargs -P "$JOBS" -n 2 "$SELF" --run-one \
    | bench_progress csmith "$COUNT"
END_T=$EPOCHREALTIME

# --- results -------------------------------------------------------------
RESULTS=$WORK/results.tsv
: >"$RESULTS"
for s in $(seq "$FIRST" "$LAST"); do
    if [ -s "$WORK/res/$s" ]; then
        cat "$WORK/res/$s" >>"$RESULTS"
    else
        printf 'fail\t%s\tcrash\tharness error (no result)\n' "$s" >>"$RESULTS"
    fi
done
PASSED=$(awk -F'\t' '$1=="pass"' "$RESULTS" | wc -l)
FAILED=$(awk -F'\t' '$1=="fail"' "$RESULTS" | wc -l)
SKIPPED=$(awk -F'\t' '$1=="skip"' "$RESULTS" | wc -l)
ELAPSED=$(awk -v a="$START_T" -v b="$END_T" 'BEGIN{printf "%.1f", b-a}')

REPORT=$BENCH_DIR/csmith-failures.md
{
    echo "# csmith programs through \`graft emit-c\`"
    echo
    START_ARG=; [ "$START" -eq 0 ] || START_ARG=" --start $START"
    echo "Generated by \`bench/csmith.sh $COUNT$START_ARG\` (seeds $FIRST..$LAST)."
    echo "$(csmith --version 2>/dev/null | head -n 1); $(gcc --version | head -n 1); graft: \`${GRAFT:-.build/release/graft}\`."
    echo "Reproduce one seed: \`csmith --seed SEED -o r.c && graft emit-c ${CFLAGS[*]} r.c -o r.graft.c\`."
    echo
    echo "| passed | failed | skipped | wall time |"
    echo "|---:|---:|---:|---:|"
    echo "| $PASSED | $FAILED | $SKIPPED | ${ELAPSED}s |"
    echo
    bench_report_failures "$RESULTS" unsupported frontend-error crash \
        emitted-c-does-not-compile wrong-result | sed 's/^- \([0-9]*\) — /- seed \1 — /'
    echo "## Skipped seeds"
    echo
    awk -F'\t' '$1=="skip" {printf "- seed %s — %s: `%s`\n", $2, $3, $4}' "$RESULTS" | sort -t' ' -k3,3n
} >"$REPORT"

echo "csmith: wall time ${ELAPSED}s, jobs $JOBS, report bench/csmith-failures.md" >&2
STATUS=0
if [ "$STRICT" -eq 1 ] && [ "$FAILED" -gt 0 ]; then
    echo "csmith: FAIL (--strict): $FAILED failed" >&2
    STATUS=1
fi
LINE="csmith: $PASSED passed, $FAILED failed"
[ "$SKIPPED" -gt 0 ] && LINE+=", $SKIPPED skipped"
echo "$LINE"
exit $STATUS
