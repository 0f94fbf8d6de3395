#!/usr/bin/env bash
# kvstore v1 built plainly (cc -O2) and by graft (graft cc, -O2, updatable),
# measured in one run: redis-benchmark throughput (GET and SET, 50 clients),
# build time, executable size, RSS with 1,000,000 keys loaded, and the pause of each of the four release patches
# v1→v2→v3→v4→v5 with 10,000 and with 1,000,000 keys loaded, plus what lazy
# conversion costs afterwards (the first full read pass after v4→v5, which
# converts every entry, against the next one). Medians of ROUNDS
# alternating runs; ratios graft/plain. The server runs on CPU 0 and
# redis-benchmark on CPU 1 (taskset), so the two do not fight over a core.
#
# usage: bench/kvstore.sh [ROUNDS]      (default 5)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
GRAFT=${GRAFT:-$ROOT/.build/release/graft}
ROUNDS=${1:-5}
REQS=${REQS:-200000}
[ -x "$GRAFT" ] || { echo "kvstore.sh: build graft first (swift build -c release)" >&2; exit 2; }
command -v redis-benchmark >/dev/null || { echo "kvstore.sh: apt-get install redis-tools" >&2; exit 2; }

WORK=$(mktemp -d)
PIDS=()
cleanup() { for p in "${PIDS[@]:-}"; do kill -9 "$p" 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT
source "$ROOT/bench/lib.sh"
bench_signing "$WORK"

now() { date +%s.%N; }
median() { sort -g | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }

build() { # dir cc
    local t0 t1
    cp -R "$ROOT/examples/kvstore/v1" "$WORK/$1"
    t0=$(now)
    make -s -C "$WORK/$1" CC="$2" CFLAGS="-O2 -g -Wall" >/dev/null 2>&1
    t1=$(now)
    awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.2f", b-a}'
}
BT_PLAIN=$(build plain cc)
BT_GRAFT=$(build graft "$GRAFT cc")
for v in 2 3 4 5; do
    cp -R "$ROOT/examples/kvstore/v$v" "$WORK/v$v"
    make -s -C "$WORK/v$v" CC="$GRAFT cc" CFLAGS="-O2 -g -Wall" >/dev/null 2>&1
done
cp "$WORK/graft/kvstore" "$WORK/v1.kvstore"
prev="$WORK/v1.kvstore"
for v in 2 3 4 5; do
    "$GRAFT" patch --from "$prev" --to "$WORK/v$v/kvstore" -o "$WORK/p$v.patch" >/dev/null
    prev="$WORK/v$v/kvstore"
done
PORT=$((21000 + RANDOM % 2000))
start() { # exe -> sets PID and PORT (a fresh port each time)
    PORT=$((PORT + 1))
    taskset -c 0 "$1" --port "$PORT" </dev/null >/dev/null 2>&1 &
    PID=$!
    PIDS+=("$PID")
    for _ in $(seq 100); do redis-cli -p "$PORT" PING >/dev/null 2>&1 && return 0; sleep 0.05; done
    echo "kvstore.sh: $1 did not start on port $PORT" >&2
    exit 1
}
rps() { # port test
    timeout 300 taskset -c 1 redis-benchmark -p "$1" -t "$2" -n "$REQS" -c 50 -q 2>/dev/null | tr '\r' '\n' | grep -E "^$(echo "$2" | tr a-z A-Z):" | tail -1 | awk '{print $2}'
}
load() { # port n
    awk -v n="$2" 'BEGIN { for (i = 0; i < n; i++) printf "*3\r\n$3\r\nSET\r\n$%d\r\nkey%d\r\n$%d\r\nval%d\r\n", length("key" i), i, length("val" i), i }' \
        | redis-cli -p "$1" --pipe >/dev/null
}
rss() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }

for kind in plain graft; do
    : >"$WORK/$kind.get"; : >"$WORK/$kind.set"
done
for r in $(seq "$ROUNDS"); do
    for kind in plain graft; do
        start "$WORK/$kind/kvstore"
        rps "$PORT" set >>"$WORK/$kind.set"
        rps "$PORT" get >>"$WORK/$kind.get"
        kill -9 "$PID"; wait "$PID" 2>/dev/null || true
    done
done

# The four release patches in a row; prints their pauses (µs), one per line.
pauses() { # keys
    start "$WORK/graft/kvstore"
    load "$PORT" "$1"
    for v in 2 3 4 5; do
        "$GRAFT" apply --pid "$PID" "$WORK/p$v.patch" --timeout 30 | sed -n 's/.*pause \([0-9]*\) µs.*/\1/p'
    done
}
readpass() { # port n -> seconds for GET of every key
    local t0 t1
    t0=$(now)
    awk -v n="$2" 'BEGIN { for (i = 0; i < n; i++) printf "*2\r\n$3\r\nGET\r\n$%d\r\nkey%d\r\n", length("key" i), i }' \
        | redis-cli -p "$1" --pipe >/dev/null
    t1=$(now)
    awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.2f", b-a}'
}
: >"$WORK/p10k"; : >"$WORK/p1m"
for r in $(seq "$ROUNDS"); do pauses 10000 >>"$WORK/p10k"; kill -9 "$PID"; wait "$PID" 2>/dev/null || true; done
pauses 1000000 >>"$WORK/p1m"
FIRST=$(readpass "$PORT" 1000000); SECOND=$(readpass "$PORT" 1000000)
kill -9 "$PID"; wait "$PID" 2>/dev/null || true

mem() { # kind keys
    start "$WORK/$1/kvstore"
    load "$PORT" "$2"
    rss "$PID" >"$WORK/rss.$1"
    kill -9 "$PID"; wait "$PID" 2>/dev/null || true
}
mem plain 1000000; RSS_PLAIN=$(cat "$WORK/rss.plain")
mem graft 1000000; RSS_GRAFT=$(cat "$WORK/rss.graft")

SP=$(median <"$WORK/plain.set"); SG=$(median <"$WORK/graft.set")
GP=$(median <"$WORK/plain.get"); GG=$(median <"$WORK/graft.get")
SZP=$(stat -c %s "$WORK/plain/kvstore"); SZG=$(stat -c %s "$WORK/graft/kvstore")
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.3f", a/b}'; }
echo "kvstore v1, $ROUNDS rounds of redis-benchmark -n $REQS -c 50 (medians):"
echo "  SET  plain $SP rps, graft $SG rps, graft/plain $(ratio "$SG" "$SP")"
echo "  GET  plain $GP rps, graft $GG rps, graft/plain $(ratio "$GG" "$GP")"
echo "  build time plain ${BT_PLAIN}s, graft ${BT_GRAFT}s, ratio $(ratio "$BT_GRAFT" "$BT_PLAIN")"
echo "  executable plain $SZP bytes, graft $SZG bytes (incl. embedded IR), ratio $(ratio "$SZG" "$SZP")"
echo "  RSS with 1,000,000 keys: plain ${RSS_PLAIN} kB, graft ${RSS_GRAFT} kB, ratio $(ratio "$RSS_GRAFT" "$RSS_PLAIN")"
echo "  pause of the four release patches v1→v5, 10,000 keys ($ROUNDS rounds): median $(median <"$WORK/p10k") µs, max $(sort -g "$WORK/p10k" | tail -1) µs"
echo "  pause of the four release patches v1→v5, 1,000,000 keys: median $(median <"$WORK/p1m") µs, max $(sort -g "$WORK/p1m" | tail -1) µs ($(tr '\n' ' ' <"$WORK/p1m"))"
echo "  lazy conversion after v4→v5 with 1,000,000 keys: first GET pass ${FIRST}s (converts every entry), next pass ${SECOND}s"
echo "kvstore: throughput graft/plain SET $(ratio "$SG" "$SP"), GET $(ratio "$GG" "$GP")"
