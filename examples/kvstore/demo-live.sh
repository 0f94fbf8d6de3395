#!/usr/bin/env bash
# A live update of a real server, for a newcomer: kvstore v1 built with
# graft, 10,000 keys loaded with redis-cli, redis-benchmark running, and a
# patch (a changed PING reply) applied while it serves. Says in plain words
# what happened. usage: examples/kvstore/demo-live.sh GRAFT
set -euo pipefail
GRAFT=${1:?usage: demo-live.sh GRAFT}
HERE=$(cd "$(dirname "$0")" && pwd)
WORK=$(mktemp -d)
PID=
cleanup() { if [ -n "$PID" ]; then kill -9 "$PID" 2>/dev/null; wait "$PID" 2>/dev/null || true; fi; rm -rf "$WORK"; }
trap cleanup EXIT
PORT=$((23000 + RANDOM % 2000))

echo "live: building kvstore v1 with make CC=\"graft cc\" (updatable), and v1 with a changed PING reply"
cp -R "$HERE/v1" "$WORK/v1"; cp -R "$HERE/v1" "$WORK/v1-new"
sed -i 's/"PONG"/"PONG (patched live)"/' "$WORK/v1-new/commands.c"
make -s -C "$WORK/v1" CC="$GRAFT cc" >/dev/null
make -s -C "$WORK/v1-new" CC="$GRAFT cc" >/dev/null
"$GRAFT" patch --from "$WORK/v1/kvstore" --to "$WORK/v1-new/kvstore" -o "$WORK/ping.patch" | sed 's/^/live:   /'

"$WORK/v1/kvstore" --port "$PORT" </dev/null >/dev/null 2>&1 &
PID=$!
for _ in $(seq 100); do redis-cli -p "$PORT" PING >/dev/null 2>&1 && break; sleep 0.05; done
awk 'BEGIN { for (i = 0; i < 10000; i++) printf "SET key%d value%d\n", i, i }' | redis-cli -p "$PORT" >/dev/null
echo "live: kvstore (pid $PID) serves 10,000 keys; PING says: $(redis-cli -p "$PORT" PING)"
timeout 60 redis-benchmark -p "$PORT" -t get,set -n 200000 -c 50 -q >"$WORK/bench.txt" 2>&1 &
BENCH=$!
sleep 1
echo "live: applying the patch while redis-benchmark runs"
"$GRAFT" apply --pid "$PID" "$WORK/ping.patch" --timeout 10 | sed 's/^/live:   /'
wait "$BENCH" || true
echo "live: PING now says: $(redis-cli -p "$PORT" PING); key4321 = $(redis-cli -p "$PORT" GET key4321)"
tr '\r' '\n' <"$WORK/bench.txt" | grep 'per second' | sed 's/^/live:   served during the update: /'
"$GRAFT" status --pid "$PID" | sed 's/^/live:   /'
