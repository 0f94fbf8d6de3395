#!/usr/bin/env bash
# The steady-state cost of a wrapped-type representation, in one run:
# bench/representation/work.c (a hash table of small structs, every access a
# field access) and kvstore v1 with 200,000 keys, each built plainly (cc -O2),
# by this graft (payload at offset 0, pending flag: Specs/representation.md)
# and, when GRAFT_PREV names one, by an earlier graft binary (e.g. the tag in
# front, one tag compare per access). Figures:
#   - instructions (valgrind --tool=callgrind, deterministic) of work.c;
#   - CPU time (user+sys) of work.c, median of ROUNDS alternating runs, pinned to CPU 0;
#   - maximum RSS of work.c and of kvstore after loading the keys.
# Ratios are against the plain build of the same run.
#
# usage: [GRAFT_PREV=path/to/old/graft] bench/representation.sh [ROUNDS]   (default 5)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
source "$ROOT/bench/lib.sh"
GRAFT=$(bench_graft)
PREV=${GRAFT_PREV:-}
ROUNDS=${1:-5}
N=${N:-200000}; R=${R:-60}; KEYS=${KEYS:-200000}
bench_need_packages valgrind redis-tools
W=$(mktemp -d); PIDS=()
cleanup() { for p in "${PIDS[@]:-}"; do kill -9 "$p" 2>/dev/null || true; done; rm -rf "$W"; }
trap cleanup EXIT
median() { sort -g | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }
say() { [ -t 2 ] && printf '\r%s\033[K' "$*" >&2 || true; }

# slots: this graft's updatable build with no type wrapped (GRAFT_BENCH_NO_WRAP=1):
# function slots and update points only, so new/slots and prev/slots are what
# each representation adds.
builds=(plain slots new); [ -n "$PREV" ] && builds+=(prev)
cc_of() { case $1 in plain) echo cc ;; slots|new) echo "$GRAFT cc" ;; prev) echo "$PREV cc" ;; esac; }
env_of() { [ "$1" = slots ] && echo GRAFT_BENCH_NO_WRAP=1 || echo GRAFT_BENCH_NO_WRAP=0; }
for b in "${builds[@]}"; do
    say "building work.c ($b)"
    env "$(env_of "$b")" $(cc_of "$b") -O2 -o "$W/work-$b" "$ROOT/bench/representation/work.c"
    cp -R "$ROOT/examples/kvstore/v1" "$W/kv-$b"
    say "building kvstore ($b)"
    env "$(env_of "$b")" make -s -C "$W/kv-$b" CC="$(cc_of "$b")" CFLAGS="-O2 -g -Wall" >/dev/null 2>&1
done
want=$("$W/work-plain" "$N" "$R")
for b in "${builds[@]}"; do
    got=$("$W/work-$b" "$N" "$R")
    [ "$got" = "$want" ] || { echo "representation.sh: $b prints '$got', plain '$want'" >&2; exit 1; }
done

declare -A IR CPU RSS KVRSS
for b in "${builds[@]}"; do
    say "callgrind ($b)"
    valgrind --tool=callgrind --callgrind-out-file="$W/cg-$b" "$W/work-$b" $((N / 4)) 4 >/dev/null 2>"$W/cg-$b.log"
    IR[$b]=$(grep -m1 '^summary:' "$W/cg-$b" | awk '{print $2}')
done
for r in $(seq "$ROUNDS"); do
    for b in "${builds[@]}"; do
        say "cpu round $r/$ROUNDS ($b)"
        /usr/bin/time -f '%U %S %M' -o "$W/t" taskset -c 0 "$W/work-$b" "$N" "$R" >/dev/null
        read -r u s m <"$W/t"
        echo "$u $s" | awk '{print $1 + $2}' >>"$W/cpu-$b"
        echo "$m" >>"$W/rss-$b"
    done
done
port=$((21000 + RANDOM % 4000))
for b in "${builds[@]}"; do
    say "kvstore RSS with $KEYS keys ($b)"
    taskset -c 0 "$W/kv-$b/kvstore" --port "$port" >/dev/null 2>&1 & pid=$!; PIDS+=("$pid")
    for _ in $(seq 100); do redis-cli -p "$port" PING 2>/dev/null | grep -q PONG && break; sleep 0.05; done
    seq "$KEYS" | awk '{printf "*3\r\n$3\r\nSET\r\n$%d\r\nkey:%d\r\n$%d\r\nval:%d\r\n", length("key:"$1), $1, length("val:"$1), $1}' \
        | redis-cli -p "$port" --pipe >/dev/null
    KVRSS[$b]=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
    kill -9 "$pid"; wait "$pid" 2>/dev/null || true
    port=$((port + 1))
done
say ""
[ -t 2 ] && printf '\r\033[K' >&2
for b in "${builds[@]}"; do CPU[$b]=$(median <"$W/cpu-$b"); RSS[$b]=$(median <"$W/rss-$b"); done
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", (b > 0 ? a / b : 0) }'; }
# Ratios against plain; the wrapping columns against slots (what the representation alone adds).
echo "representation bench: work.c N=$N rounds=$R (callgrind at N/4, 4 rounds), kvstore v1 with $KEYS keys; $ROUNDS alternating runs, medians"
printf '%-6s %12s %7s %9s %7s %7s %10s %7s %11s %7s\n' build instructions /plain /slots cpu_s /plain rss_kb /plain kv_rss_kb /plain
for b in "${builds[@]}"; do
    printf '%-6s %12s %7s %9s %7s %7s %10s %7s %11s %7s\n' "$b" "${IR[$b]}" "$(ratio "${IR[$b]}" "${IR[plain]}")" \
        "$(ratio "${IR[$b]}" "${IR[slots]}")" "${CPU[$b]}" "$(ratio "${CPU[$b]}" "${CPU[plain]}")" \
        "${RSS[$b]}" "$(ratio "${RSS[$b]}" "${RSS[plain]}")" "${KVRSS[$b]}" "$(ratio "${KVRSS[$b]}" "${KVRSS[plain]}")"
done
