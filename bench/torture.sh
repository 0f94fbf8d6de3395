#!/usr/bin/env bash
# gcc's C torture execute tests through graft's C round trip.
#
# usage: bench/torture.sh [--slice K] [--jobs J] [--filter GLOB] [--strict] [--keep]
#
#   --slice K     run every K-th program of the sorted list (the 1st, the
#                 K+1-th, ...); deterministic. Default 1 (all).
#   --jobs J      parallel jobs (default: nproc).
#   --filter GLOB only programs whose name (with or without .c) matches GLOB,
#                 applied after --slice.
#   --strict      exit 1 when failed > 2% of passed+failed (also STRICT=1).
#   --keep        keep the scratch directory (printed on stderr).
#
# For each program: plain `gcc -O1 -w t.c -lm`, run (10 s timeout); when that
# does not build or does not exit 0 the program is "skipped". Otherwise
# `graft emit-c -O1 -w t.c -o t.graft.c`, `gcc -O1 -w t.graft.c -lm`, run: pass
# when it exits 0. The graft binary is $GRAFT, else .build/release/graft.
# Writes bench/torture-failures.md; the last stdout line is
#   torture: N passed, N failed, N skipped
set -euo pipefail

SELF=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")
# shellcheck source=bench/lib.sh
. "$(dirname "$SELF")/lib.sh"

RUN_TIMEOUT=10
CFLAGS=(-O1 -w)

# --- one program (internal: invoked in parallel through xargs) -----------
run_one() {
    local name=$1 corpus=$TORTURE_CORPUS graft=$TORTURE_GRAFT
    local dir=$TORTURE_WORK/t/$name res=$TORTURE_WORK/res/$name
    local rc
    mkdir -p "$dir"
    cd "$dir"
    ulimit -c 0
    result() { printf '%s\t%s\t%s\t%s\n' "$1" "$name" "$2" "$3" >"$res"; }

    # (a) the plain compiler
    rc=0
    timeout -k 5 120 gcc "${CFLAGS[@]}" -I"$corpus" "$corpus/$name.c" -lm -o plain \
        </dev/null >plain.cc.err 2>&1 || rc=$?
    if [ $rc -ne 0 ]; then
        result skip plain-compile-fails "$(bench_first_line plain.cc.err "$corpus" 'error|undefined reference')"
        return 0
    fi
    rc=0
    (ulimit -v 4000000; timeout -k 2 "$RUN_TIMEOUT" ./plain </dev/null >plain.out 2>&1) 2>/dev/null || rc=$?
    if [ $rc -ne 0 ]; then
        result skip plain-run-fails "$(bench_describe_status $rc $RUN_TIMEOUT)"
        return 0
    fi

    # (b) the graft round trip
    bench_emit "$graft" "$dir/t.graft.c" "$dir/emit.err" "$corpus" \
        "${CFLAGS[@]}" -I"$corpus" "$corpus/$name.c"
    if [ -n "$EMIT_CATEGORY" ]; then
        result fail "$EMIT_CATEGORY" "$EMIT_DETAIL"
        return 0
    fi
    rc=0
    timeout -k 5 120 gcc "${CFLAGS[@]}" -I"$corpus" t.graft.c -lm -o graft \
        </dev/null >graft.cc.err 2>&1 || rc=$?
    if [ $rc -ne 0 ]; then
        result fail emitted-c-does-not-compile "$(bench_first_line graft.cc.err "$dir" 'error|undefined reference')"
        return 0
    fi
    rc=0
    (ulimit -v 4000000; timeout -k 2 "$RUN_TIMEOUT" ./graft </dev/null >graft.out 2>&1) 2>/dev/null || rc=$?
    if [ $rc -ne 0 ]; then
        result fail wrong-result "$(bench_describe_status $rc $RUN_TIMEOUT)"
        return 0
    fi
    result pass - -
    rm -f plain graft
}

if [ "${1:-}" = "--run-one" ]; then
    shift
    for n in "$@"; do
        ( run_one "$n" ) || printf 'fail\t%s\tcrash\tharness error (status %s)\n' "$n" "$?" \
            >"$TORTURE_WORK/res/$n"
        echo "$n"
    done
    exit 0
fi

# --- arguments -----------------------------------------------------------
SLICE=1 JOBS=$(nproc) FILTER= STRICT=${STRICT:-0} KEEP=0
usage() { sed -n '2,20p' "$SELF" | sed 's/^# \{0,1\}//' >&2; exit 2; }
while [ $# -gt 0 ]; do
    case $1 in
        --slice) SLICE=${2:?}; shift 2 ;;
        --slice=*) SLICE=${1#*=}; shift ;;
        --jobs|-j) JOBS=${2:?}; shift 2 ;;
        --jobs=*) JOBS=${1#*=}; shift ;;
        --filter) FILTER=${2:?}; shift 2 ;;
        --filter=*) FILTER=${1#*=}; shift ;;
        --strict) STRICT=1; shift ;;
        --keep) KEEP=1; shift ;;
        -h|--help) usage ;;
        *) echo "torture.sh: unknown argument: $1" >&2; usage ;;
    esac
done
[[ $SLICE =~ ^[1-9][0-9]*$ ]] || { echo "torture.sh: --slice wants a positive integer" >&2; exit 2; }
[[ $JOBS =~ ^[1-9][0-9]*$ ]] || { echo "torture.sh: --jobs wants a positive integer" >&2; exit 2; }
case $STRICT in ""|0|no|false) STRICT=0 ;; *) STRICT=1 ;; esac

GRAFT_BIN=$(bench_graft)

# --- the corpus (extracted once into .cache/torture) ---------------------
CORPUS=$(bench_torture_corpus)

# --- the programs --------------------------------------------------------
mapfile -t ALL < <(cd "$CORPUS" && find . -maxdepth 1 -type f -name '*.c' -printf '%f\n' | sed 's/\.c$//' | sort)
NAMES=()
for i in "${!ALL[@]}"; do
    [ $((i % SLICE)) -eq 0 ] || continue
    n=${ALL[$i]}
    if [ -n "$FILTER" ]; then
        # shellcheck disable=SC2053
        [[ $n == $FILTER || $n.c == $FILTER ]] || continue
    fi
    NAMES+=("$n")
done
TOTAL=${#NAMES[@]}
if [ "$TOTAL" -eq 0 ]; then
    echo "torture: no program selected" >&2
    exit 2
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/graft-torture.XXXXXX")
if [ $KEEP -eq 1 ]; then
    echo "torture: scratch directory $WORK" >&2
else
    trap 'rm -rf "$WORK"' EXIT
fi
mkdir -p "$WORK/t" "$WORK/res"
export TORTURE_CORPUS=$CORPUS TORTURE_GRAFT=$GRAFT_BIN TORTURE_WORK=$WORK

START=$EPOCHREALTIME
printf '%s\n' "${NAMES[@]}" \
    | xargs -P "$JOBS" -n 4 "$SELF" --run-one \
    | bench_progress torture "$TOTAL"
END=$EPOCHREALTIME

# --- results -------------------------------------------------------------
RESULTS=$WORK/results.tsv
: >"$RESULTS"
for n in "${NAMES[@]}"; do
    if [ -s "$WORK/res/$n" ]; then
        cat "$WORK/res/$n" >>"$RESULTS"
    else
        printf 'fail\t%s\tcrash\tharness error (no result)\n' "$n" >>"$RESULTS"
    fi
done
PASSED=$(awk -F'\t' '$1=="pass"' "$RESULTS" | wc -l)
FAILED=$(awk -F'\t' '$1=="fail"' "$RESULTS" | wc -l)
SKIPPED=$(awk -F'\t' '$1=="skip"' "$RESULTS" | wc -l)
ELAPSED=$(awk -v a="$START" -v b="$END" 'BEGIN{printf "%.1f", b-a}')

CMD="bench/torture.sh --slice $SLICE${FILTER:+ --filter '$FILTER'}"
REPORT=$BENCH_DIR/torture-failures.md
{
    echo "# gcc torture (execute) through \`graft emit-c\`"
    echo
    echo "Generated by \`$CMD\` (every ${SLICE}th of ${#ALL[@]} programs; $TOTAL selected)."
    echo "$(gcc --version | head -n 1); graft: \`${GRAFT:-.build/release/graft}\`."
    echo
    echo "| passed | failed | skipped | wall time |"
    echo "|---:|---:|---:|---:|"
    echo "| $PASSED | $FAILED | $SKIPPED | ${ELAPSED}s |"
    echo
    bench_report_failures "$RESULTS" unsupported clang-rejects frontend-error crash \
        emitted-c-does-not-compile wrong-result
    echo "## Skipped (the plain compiler does not build or run them)"
    echo
    awk -F'\t' '$1=="skip" {printf "- %s — %s: `%s`\n", $2, $3, $4}' "$RESULTS" | sort
} >"$REPORT"

echo "torture: wall time ${ELAPSED}s, jobs $JOBS, report bench/torture-failures.md" >&2
# Programs clang 19 itself rejects count as failed; the --strict threshold
# is taken over the rest, and says so.
REJECTED=$(awk -F'\t' '$1=="fail" && $3=="clang-rejects"' "$RESULTS" | wc -l)
WRONG=$(awk -F'\t' '$1=="fail" && $3=="wrong-result"' "$RESULTS" | wc -l)
OWN=$((FAILED - REJECTED))
echo "torture: $REJECTED of the failed are programs clang 19 rejects; $OWN failed otherwise ($WRONG wrong results)" >&2
STATUS=0
if [ "$STRICT" -eq 1 ] && [ $((OWN * 100)) -gt $((2 * (PASSED + OWN))) ]; then
    echo "torture: FAIL (--strict): $OWN failed (clang-rejected programs aside) is more than 2% of $((PASSED + OWN))" >&2
    STATUS=1
fi
echo "torture: $PASSED passed, $FAILED failed, $SKIPPED skipped"
exit $STATUS
