#!/usr/bin/env bash
# Mutation testing of the checker (issue 7 item 9): for each rule of
# Specs/*.md, switch the rule off and run the tests that name it. A mutant
# is *killed* when some of those tests fail, and *survives* when they all
# pass: then no test shows what the rule is for, and one is missing.
#
#     bench/mutate-checker.sh [--rules PATCH-7,UPD-5/commit] [--sites] [--no-build] [--timeout SECONDS]
#
# One line per rule (`PATCH-7 killed (3 tests failed)`, `UPD-2 SURVIVED`),
# progress on a terminal only, and `mutants: N killed, N survived` last.
# --sites also switches off, one at a time, each decision site of a rule
# that has several (`UPD-5/commit`, `PATCH-4/no-slot`: the sites named in
# the code as `Rules.enforced("ID", site: "…")` or `GRAFT_RULE_AT`), each
# against its rule's tests; a rule's mutant switches off all its sites.
# Exit status: 0 when every mutant is killed, 1 when one survives, 2 when
# the build or the unmutated run of the selected tests fails.
#
# How a rule is switched off: Sources/IR/Rules.swift. graft and its tests
# are built once with `-Xswiftc -DGRAFT_MUTATION` in .build-mutate (never
# the checkout's .build); in that build, and only there, the environment
# variable GRAFT_MUTATE_RULE=ID makes `Rules.enforced("ID")` false, and each
# decision site of rule ID — where it refuses, blocks an update point,
# excludes a type from wrapping or reports — admits instead, as if the
# check were not written. The runtime that graft links into programs has
# the same switch (GRAFT_RULE in Sources/Runtime/runtime_internal.h):
# UPD-5's thread count, UPD-2's "old code may read an extended value",
# REP-3's graft_note, REP-4's conversion in place, REP-5's move to the heap,
# REP-6's graft_realloc.
# The tests find that graft through GRAFT_BIN.
#
# The mutants, and what "switched off" means for each family:
#   IR-1 … IR-35     Verifier.report drops the rule's diagnostics.
#   ALIAS-1 … 8      AliasAnalysis.analyze ignores the rule's exclusions: the type is wrapped
#                    (ALIAS-7 excludes nothing: off, a patch leaves NEW's initializer elements
#                    that address a running object's wrapped fields to the loader).
#   TRANS-1 … 5      the transformer check drops the rule's refusals.
#   TRANS-6          transformers.c's extern declarations are not bound to the statics they name
#                    (TRANS-6/type: bound without a look at their types).
#   VAL-1 … 4        the patch validation (Sources/Checker/PatchValidation.swift) drops the
#                    rule's findings: a corrupted plan or patch program is confirmed.
#   PATCH-1 … 10     `graft patch` drops the rule's refusals (PATCH-1: a moved static
#                    that cannot be matched restarts instead of being refused; PATCH-10
#                    is a blocker at each point).
#   UPD-1, 2, 4      the rule's blockers are not added: the point is admissible
#                    (UPD-1 also sees no signature change in a struct passed by value;
#                    UPD-2 also lets old code read a converted value in the runtime).
#   UPD-3            a loop body whose variables differ is no signature change.
#   UPD-5            the runtime commits a patch with other threads alive.
#   UPD-6            a deleted function reachable through data may use what changes.
#   UPD-7            an update point a signal handler reaches is admissible.
#   REP-3            the runtime records no object (graft_note does nothing).
#   REP-4            no conversion is in place: every converted value moves to the heap.
#   REP-5            no value moves to the heap: a grown one is written over its object.
#   REP-6            graft_realloc is realloc: the side table's entries stay behind.
# Not mutated, because they are not decisions (switching them off would
# change nothing a test could observe):
#   REP-1            a layout promise: a wrapped struct is emitted as the plain one,
#                    with clang's layout (checked by _Static_assert in the emitted C,
#                    which a correct emitter never trips; there is no check to remove).
#   REP-2            a cost promise: the con function's pending-word test is a fast
#                    path of graft_con, which returns the object itself for a type no
#                    patch changed; without it only the speed changes
#                    (bench/representation.sh measures that).
#
# Which tests a rule's mutant runs: the tests whose @Test line names the
# rule (`@Test("PATCH-7: …")`, `[PATCH-7]`, or a function named like
# `patch7…`, `ir7()`), found in Tests/GraftTests/*.swift. Before the
# mutants, the union of those selections runs unmutated and must pass.
# Each mutant's run is limited to --timeout seconds (default 1800); a run
# that does not finish counts as killed, and says so.
#
# It takes a while: every selection of live tests builds and patches real
# programs. It is a bench script, not part of CI; the CI test that the
# switch is inert in a normal build is Tests/GraftTests/MutationSwitchTests.swift.
# Results: bench/RESULTS.md.

set -u
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO_ROOT" || exit 2

SKIPPED=(REP-1 REP-2)
SCRATCH=$REPO_ROOT/.build-mutate
SWIFT=${SWIFT:-swift}
SWIFT_FLAGS=(--scratch-path "$SCRATCH" -Xswiftc -DGRAFT_MUTATION)
only="" build=1 limit=1800 sites=0

while [ $# -gt 0 ]; do
    case $1 in
        --rules) only=$2; shift 2 ;;
        --rules=*) only=${1#--rules=}; shift ;;
        --no-build) build=0; shift ;;
        --sites) sites=1; shift ;;
        --timeout) limit=$2; shift 2 ;;
        -h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "mutate-checker: unknown argument '$1' (see --help)" >&2; exit 2 ;;
    esac
done

tty=0
[ -t 2 ] && tty=1
progress() { [ $tty -eq 1 ] && printf '\r\033[K%s' "$*" >&2; return 0; }
progress_done() { [ $tty -eq 1 ] && printf '\r\033[K' >&2; return 0; }

# ---- build once -------------------------------------------------------------

logdir=$(mktemp -d "${TMPDIR:-/tmp}/graft-mutate.XXXXXX")
trap 'rm -rf "$logdir"' EXIT

if [ $build -eq 1 ]; then
    progress "building graft (release) with GRAFT_MUTATION in .build-mutate"
    if ! $SWIFT build -c release "${SWIFT_FLAGS[@]}" >"$logdir/build.log" 2>&1; then
        progress_done; tail -30 "$logdir/build.log" >&2
        echo "mutate-checker: the release build failed" >&2; exit 2
    fi
    progress "building the tests with GRAFT_MUTATION in .build-mutate"
    if ! $SWIFT build --build-tests "${SWIFT_FLAGS[@]}" >"$logdir/build-tests.log" 2>&1; then
        progress_done; tail -30 "$logdir/build-tests.log" >&2
        echo "mutate-checker: the test build failed" >&2; exit 2
    fi
fi
GRAFT_BIN=$SCRATCH/release/graft
if [ ! -x "$GRAFT_BIN" ]; then echo "mutate-checker: $GRAFT_BIN is not built (run without --no-build)" >&2; exit 2; fi
export GRAFT_BIN
unset GRAFT_MUTATE_RULE

# ---- the rules and their tests ---------------------------------------------

all_rules=$(grep -hoE '^### (PATCH|UPD|TRANS|ALIAS|REP|IR|VAL)-[0-9]+' Specs/*.md | sed 's/^### //')
rules=()
if [ -n "$only" ]; then
    IFS=',' read -r -a rules <<<"$only"
    for r in "${rules[@]}"; do
        grep -qx -- "${r%%/*}" <<<"$all_rules" || { echo "mutate-checker: no rule '${r%%/*}' in Specs/" >&2; exit 2; }
    done
else
    for r in $all_rules; do
        case " ${SKIPPED[*]} " in *" $r "*) ;; *) rules+=("$r") ;; esac
    done
fi

# Every test as "ID<TAB>function<TAB>its @Test text", ID a --filter regex
# (`GraftTests\.Suite/function\(`, or `GraftTests\.function\(` at file scope).
tests_table() {
    awk '
        function flush() {
            if (name == "") return
            id = top ? "GraftTests\\." name "\\(" : "GraftTests\\." type "/" name "\\("
            gsub(/\t/, " ", text)
            if (type != "MutationSwitchTests" || top) printf "%s\t%s\t%s\n", id, name, text
        }
        FNR == 1 { type = ""; collecting = 0 }
        /^(@Suite|struct|extension|enum|final class|class) / {
            line = $0; gsub(/"([^"\\]|\\.)*"/, "", line)
            if (match(line, /(struct|extension|enum|class) [A-Za-z_][A-Za-z_0-9]*/)) {
                split(substr(line, RSTART, RLENGTH), w, " "); type = w[2]
            }
        }
        /^[ \t]*@Test/ { collecting = 1; top = ($0 ~ /^@Test/); text = ""; name = "" }
        collecting {
            text = text " " $0
            if (match($0, /func [A-Za-z_][A-Za-z_0-9]*/)) {
                name = substr($0, RSTART + 5, RLENGTH - 5); flush(); collecting = 0; name = ""
            }
        }
    ' Tests/GraftTests/*.swift
}
table=$(tests_table)

# The --filter regex of the tests that name rule $1 (empty: none).
selection() {
    local id=$1 fn
    fn=$(tr 'A-Z' 'a-z' <<<"${id%-*}")${id##*-}
    awk -F'\t' -v id="$id" -v fn="$fn" '
        BEGIN { re = "(^|[^A-Za-z0-9-])" id "([^0-9]|$)"; fre = "^" fn "([^0-9]|$)" }
        $3 ~ re || $2 ~ fre { out = out (out == "" ? "" : "|") $1 }
        END { print out }
    ' <<<"$table"
}

# The decision sites of rule $1 named in the code ("RULE/site" each), with --sites.
sites_of() {
    [ $sites -eq 1 ] || return 0
    grep -rhoE "(Rules\.enforced\(\"$1\", site: |GRAFT_RULE_AT\(\"$1\", )\"[a-z-]+\"" Sources |
        sed -E 's/.*"([a-z-]+)"$/\1/' | sort -u | sed "s|^|$1/|"
}

declare -A sel
union=""
for m in "${rules[@]}"; do
    r=${m%%/*}
    [ -n "${sel[$r]+set}" ] && continue
    sel[$r]=$(selection "$r")
    [ -n "${sel[$r]}" ] && union="$union${union:+|}${sel[$r]}"
done

# Runs the tests matching regex $1, GRAFT_MUTATE_RULE=$2 (empty: none), log in $3; returns swift test's status.
run_tests() {
    local filter=$1 rule=$2 log=$3
    GRAFT_MUTATE_RULE=$rule timeout --kill-after=30 "$limit" \
        $SWIFT test "${SWIFT_FLAGS[@]}" --skip-build --no-parallel --filter "$filter" >"$log" 2>&1
}
failed_tests() { grep -E '^(✘|x) Test .* failed( after|$)' "$1" | grep -cv ' Test run with '; }

# ---- the unmutated run -----------------------------------------------------

if [ -n "$union" ]; then
    progress "unmutated run of the selected tests"
    # Each test once, whatever the rules naming it.
    union=$(tr '|' '\n' <<<"$union" | sort -u | paste -sd'|')
    if ! run_tests "$union" "" "$logdir/baseline.log"; then
        progress_done
        grep -E '^(✘|x) ' "$logdir/baseline.log" | head -20 >&2
        echo "mutate-checker: the selected tests fail without any mutation; fix them first" >&2
        cp "$logdir/baseline.log" "${TMPDIR:-/tmp}/graft-mutate-baseline.log"
        echo "  (log: ${TMPDIR:-/tmp}/graft-mutate-baseline.log)" >&2
        exit 2
    fi
fi

# ---- the mutants -----------------------------------------------------------

mutants=()
for r in "${rules[@]}"; do
    mutants+=("$r")
    case $r in */*) continue ;; esac   # a site asked for by name
    while read -r m; do [ -n "$m" ] && mutants+=("$m"); done < <(sites_of "$r")
done

killed=0 survived=0 i=0 n=${#mutants[@]}
for m in "${mutants[@]}"; do
    i=$((i + 1))
    r=${m%%/*}
    if [ -z "${sel[$r]}" ]; then
        progress_done
        echo "$m SURVIVED (no test names $r)"
        survived=$((survived + 1))
        continue
    fi
    count=$(tr '|' '\n' <<<"${sel[$r]}" | wc -l)
    progress "[$i/$n] $m: $count test(s)"
    log=$logdir/${m//\//_}.log
    run_tests "${sel[$r]}" "$m" "$log"
    status=$?
    progress_done
    if [ $status -eq 0 ]; then
        echo "$m SURVIVED ($count test(s) pass without it)"
        survived=$((survived + 1))
    else
        f=$(failed_tests "$log")
        if [ $status -eq 124 ] || [ $status -eq 137 ]; then
            echo "$m killed (the tests did not finish within ${limit}s)"
        elif [ "$f" -gt 0 ]; then
            echo "$m killed ($f test$([ "$f" -eq 1 ] || echo s) failed)"
        else
            echo "$m killed (the test run failed, status $status)"
        fi
        killed=$((killed + 1))
    fi
done

echo "mutants: $killed killed, $survived survived"
[ $survived -eq 0 ]
