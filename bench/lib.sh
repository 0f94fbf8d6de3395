# Shared helpers for the bench/ scripts. Sourced, not executed.
# shellcheck shell=bash

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$BENCH_DIR/.." && pwd)
export LC_ALL=C

# The graft binary: $GRAFT, else the release build of this checkout.
bench_graft() {
    local g=${GRAFT:-$REPO_ROOT/.build/release/graft}
    case $g in /*) ;; *) g=$PWD/$g ;; esac
    if [ ! -x "$g" ]; then
        echo "error: graft binary not found or not executable: $g" >&2
        echo "  (build it with 'swift build -c release', or set GRAFT=...)" >&2
        exit 2
    fi
    printf '%s\n' "$g"
}

# Install Debian packages when missing (needs root or sudo).
bench_need_packages() {
    local missing=() p
    for p in "$@"; do
        dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    echo "bench: installing ${missing[*]}" >&2
    local sudo=
    [ "$(id -u)" -eq 0 ] || sudo=sudo
    $sudo apt-get update >&2
    $sudo apt-get install -y "${missing[@]}" >&2
}

# The gcc torture execute folder, extracted once from gcc-12-source into
# .cache/torture/execute (outside git); prints its path.
bench_torture_corpus() {
    local cache=$REPO_ROOT/.cache/torture
    local corpus=$cache/execute
    local tarball=/usr/src/gcc-12/gcc-12.2.0-dfsg.tar.xz
    mkdir -p "$cache"
    (
        flock 9
        if [ ! -f "$cache/.extracted" ]; then
            bench_need_packages gcc-12-source
            echo "bench: extracting the torture execute tests from $tarball (once)" >&2
            local tmp
            tmp=$(mktemp -d "$cache/extract.XXXXXX")
            tar -xJf "$tarball" -C "$tmp" --strip-components=4 \
                --wildcards '*/gcc/testsuite/gcc.c-torture/execute/*'
            rm -rf "$corpus"
            mv "$tmp/execute" "$corpus"
            rmdir "$tmp"
            touch "$cache/.extracted"
        fi
    ) 9>"$cache/.lock"
    printf '%s\n' "$corpus"
}

# One line, no tabs/backticks/CR, at most 240 characters.
bench_oneline() {
    tr '\t\r`' "  '" | head -n 1 | cut -c 1-240
}

# First line of a diagnostic file matching a pattern (else its first
# non-empty line), with the directory prefix $2 removed from paths.
# usage: bench_first_line FILE PREFIX-TO-STRIP [EXTENDED-REGEX]
bench_first_line() {
    local file=$1 strip=$2 re=${3:-error}
    local line
    line=$(grep -E -m 1 -- "$re" "$file" 2>/dev/null || true)
    [ -n "$line" ] || line=$(grep -v -m 1 '^[[:space:]]*$' "$file" 2>/dev/null || true)
    [ -n "$line" ] || line="(no diagnostic output)"
    [ -n "$strip" ] && line=${line//"$strip/"/}
    printf '%s\n' "$line" | bench_oneline
}

# Describe a run's exit status (as returned by `timeout`).
bench_describe_status() {
    local rc=$1 secs=$2
    case $rc in
        124|137) echo "timed out after ${secs}s" ;;
        134) echo "aborted (SIGABRT)" ;;
        139) echo "segmentation fault (SIGSEGV)" ;;
        136) echo "floating point exception (SIGFPE)" ;;
        *) if [ "$rc" -gt 128 ]; then echo "killed by signal $((rc - 128))"; else echo "exit status $rc"; fi ;;
    esac
}

# Run the graft round trip on a C file and classify a failure.
# usage: bench_emit GRAFT OUT.c ERRFILE STRIP CFLAGS... FILE.c
# Sets EMIT_CATEGORY (empty on success) and EMIT_DETAIL.
# GRAFT_EMIT_TIMEOUT (default 120 s) bounds the compiler.
# What graft's front end also accepts from old C (it matches gcc-12's warnings).
BENCH_CLANG_ACCEPT=(-Wno-error=implicit-function-declaration -Wno-error=implicit-int -Wno-error=int-conversion
    -Wno-error=incompatible-pointer-types -Wno-error=return-type -Wno-error=incompatible-function-pointer-types)

bench_emit() {
    local graft=$1 out=$2 err=$3 strip=$4
    shift 4
    local secs=${GRAFT_EMIT_TIMEOUT:-120} rc=0
    EMIT_CATEGORY= EMIT_DETAIL=
    # (the outer 2>/dev/null silences the shell's "Segmentation fault" notice)
    { timeout -k 5 "$secs" "$graft" emit-c "$@" -o "$out" </dev/null >"$err.out" 2>"$err"; } 2>/dev/null || rc=$?
    cat "$err.out" >>"$err"
    if [ "$rc" -eq 124 ] || [ "$rc" -ge 128 ]; then
        EMIT_CATEGORY=crash
        EMIT_DETAIL="emit-c $(bench_describe_status "$rc" "$secs")"
        if [ -s "$err" ]; then
            EMIT_DETAIL+=": $(bench_first_line "$err" "$strip" 'Fatal error|error:|Assertion|Precondition|crashed')"
        fi
    elif [ "$rc" -ne 0 ]; then
        if grep -q 'unsupported' "$err"; then
            EMIT_CATEGORY=unsupported
            EMIT_DETAIL=$(bench_first_line "$err" "$strip" 'unsupported')
        else
            EMIT_CATEGORY=frontend-error
            EMIT_DETAIL=$(bench_first_line "$err" "$strip" 'error')
            # C that clang 19 itself refuses (GNU nested functions, VLAs in
            # structs, decimal floats): no libclang front end can lower it.
            if ! grep -q '\[IR-' "$err" && ! clang-19 -fsyntax-only -w "${BENCH_CLANG_ACCEPT[@]}" "$@" >/dev/null 2>&1; then
                EMIT_CATEGORY=clang-rejects
            fi
        fi
    elif [ ! -s "$out" ]; then
        EMIT_CATEGORY=frontend-error
        EMIT_DETAIL="emit-c exited 0 but wrote no output"
    fi
    return 0
}

# Normalise a failure detail into a "reason" for the per-category
# histogram: drop the leading file:line:col: location, other locations,
# quoted names and numbers.
bench_reason_key() {
    sed -E "s/^[^ :]+:[0-9]+(:[0-9]+)?: //; s/^(error|fatal error): //;
            s/[^ ]+\.(c|h|swift):[0-9]+(:[0-9]+)?/LOC/g; s/'[^']*'/'_'/g;
            s/(^|[^-A-Za-z0-9_])[0-9A-Fa-f]*[0-9][0-9A-Fa-f]*\b/\1N/g"
}

# Print "k/N" progress on stderr when it is a terminal; consumes one line
# per finished job on stdin.
bench_progress() {
    local label=$1 total=$2 k=0 tty=0
    [ -t 2 ] && tty=1
    while IFS= read -r _; do
        k=$((k + 1))
        [ $tty -eq 1 ] && printf '\r%s: %d/%d' "$label" "$k" "$total" >&2
    done
    [ $tty -eq 1 ] && printf '\n' >&2
    return 0
}

# Markdown report sections from a results file of lines
# "status<TAB>name<TAB>category<TAB>detail" (status pass|fail|skip).
# usage: bench_report_failures RESULTS CATEGORY...
bench_report_failures() {
    local results=$1
    shift
    local cat n
    echo "## Failures by category"
    echo
    echo "| category | count |"
    echo "|---|---:|"
    for cat in "$@"; do
        n=$(awk -F'\t' -v c="$cat" '$1=="fail" && $3==c' "$results" | wc -l)
        echo "| $cat | $n |"
    done
    n=$(awk -F'\t' '$1=="fail"' "$results" | wc -l)
    echo "| **total** | **$n** |"
    echo
    for cat in "$@"; do
        n=$(awk -F'\t' -v c="$cat" '$1=="fail" && $3==c' "$results" | wc -l)
        [ "$n" -eq 0 ] && continue
        echo "### $cat ($n)"
        echo
        echo "Most frequent reasons:"
        echo
        awk -F'\t' -v c="$cat" '$1=="fail" && $3==c {print $4}' "$results" \
            | bench_reason_key | sort | uniq -c | sort -k1,1nr -k2 | head -n 15 \
            | sed -E 's/^ *([0-9]+) (.*)$/- \1 × `\2`/'
        echo
        echo "All:"
        echo
        awk -F'\t' -v c="$cat" '$1=="fail" && $3==c {printf "- %s — `%s`\n", $2, $4}' "$results" | sort -V
        echo
    done
}

# A signing key for this run (Specs/deploy.md): the builds made after this trust it and the patches
# are signed with it. bench_signing DIR
bench_signing() {
    "$GRAFT" keygen -o "$1/release" --comment bench >/dev/null
    export GRAFT_TRUST_KEYS="$1/release.pub" GRAFT_SIGNING_KEY="$1/release"
}
