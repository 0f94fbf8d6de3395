#!/usr/bin/env bash
# A live update of a real server, for a newcomer. kvstore v1 is built with
# graft, loaded with 10,000 keys by redis-cli, and moved through four
# releases — v2 (expiry: a field added to every entry), v3 (an
# incrementally rehashed hash table, with a hand-written transformer), v4
# (new commands and a statistics global), v5 (binary-safe values: every
# value converted by a hand-written transformer) — while redis-benchmark
# hammers it with 50 clients. Says in plain words what happened.
# usage: examples/kvstore/demo-live.sh GRAFT
set -euo pipefail
GRAFT=${1:?usage: demo-live.sh GRAFT}
HERE=$(cd "$(dirname "$0")" && pwd)
WORK=$(mktemp -d)
PID=
cleanup() { if [ -n "$PID" ]; then kill -9 "$PID" 2>/dev/null; wait "$PID" 2>/dev/null || true; fi; rm -rf "$WORK"; }
trap cleanup EXIT
PORT=$((23000 + RANDOM % 2000))
say() { echo "live: $*"; }

# A release key: every build trusts it, every patch is signed with it (Specs/deploy.md).
"$GRAFT" keygen -o "$WORK/release" --comment demo >/dev/null
export GRAFT_TRUST_KEYS="$WORK/release.pub" GRAFT_SIGNING_KEY="$WORK/release"
say "made a release key ($WORK/release): the builds trust it and the patches are signed with it"
say "building kvstore v1…v5 with make CC=\"graft cc\" (each an updatable executable)"
for v in 1 2 3 4 5; do
    cp -R "$HERE/v$v" "$WORK/v$v"
    make -s -C "$WORK/v$v" CC="$GRAFT cc" >/dev/null
done
for v in 1 2 3 4; do
    n=$((v + 1))
    "$GRAFT" patch --from "$WORK/v$v/kvstore" --to "$WORK/v$n/kvstore" -o "$WORK/v$v-v$n.patch" >"$WORK/plan$v.txt"
    say "patch v$v → v$n: $(head -1 "$WORK/plan$v.txt" | cut -d: -f2- | cut -c2-140)…"
done

"$WORK/v1/kvstore" --port "$PORT" </dev/null >"$WORK/server.log" 2>&1 &
PID=$!
for _ in $(seq 100); do redis-cli -p "$PORT" PING >/dev/null 2>&1 && break; sleep 0.05; done
awk 'BEGIN { for (i = 0; i < 10000; i++) printf "SET key%d value%d\r\n", i, i }' | redis-cli -p "$PORT" --pipe >/dev/null
say "kvstore v1 (pid $PID) serves 10,000 keys on port $PORT"

redis-benchmark -p "$PORT" -t set,get -n 150000 -c 50 -q >"$WORK/bench.txt" 2>&1 &
BENCH=$!
sleep 1
say "redis-benchmark is running (50 clients, SET then GET); applying the four patches one after another"
for v in 1 2 3 4; do
    n=$((v + 1))
    out=$("$GRAFT" apply --pid "$PID" "$WORK/v$v-v$n.patch" --timeout 10)
    pause=$(echo "$out" | sed -n 's/.*(pause \([0-9]* µs\).*/\1/p')
    say "  v$v → v$n applied; the server stood still for $pause"
    sleep 0.7
done
wait "$BENCH" && bench_ok=yes || bench_ok=no

found=0
for lo in 0 1000 2000 3000 4000 5000 6000 7000 8000 9000; do
    found=$((found + $(redis-cli -p "$PORT" MGET $(seq -f 'key%.0f' $lo $((lo + 999))) | grep -c '^value')))
done
say "after the updates: $found of 10,000 keys still hold their values (checked with MGET, a v4 command)"
redis-cli -p "$PORT" EXPIRE key1 300 >/dev/null
say "v2's expiry works: TTL key1 = $(redis-cli -p "$PORT" TTL key1)"
say "v5's binary-safe APPEND works: APPEND key2 '!' → length $(redis-cli -p "$PORT" APPEND key2 '!'), GET key2 = $(redis-cli -p "$PORT" GET key2)"
say "v4's INFO: $(redis-cli -p "$PORT" INFO | tr -d '\r' | grep -E '^(total_commands_processed|connected_clients)' | tr '\n' ' ')"
tr '\r' '\n' <"$WORK/bench.txt" | grep 'requests per second' | sed 's/^/live:   redis-benchmark, during the updates: /'
[ "$bench_ok" = yes ] || say "  (redis-benchmark reported a failure: $(tail -c 300 "$WORK/bench.txt"))"
"$GRAFT" status --pid "$PID" | cut -c1-110 | sed 's/^/live:   /'
say "(the conversions happened after the updates, each object on its first use by the new code: that is why the pauses are microseconds)"
if [ "$found" -eq 10000 ] && [ "$bench_ok" = yes ]; then
    say "OK: one process went from v1 to v5 without a restart; no key and no connection was lost"
else
    say "FAILED (see above)"; exit 1
fi
