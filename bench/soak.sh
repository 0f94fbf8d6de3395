#!/usr/bin/env bash
# Soak: N live updates of one running kvstore server under continuous load.
#
# Two real builds by graft cc (-O2): kvstore v1 and v1b, a copy of v1 whose
# cmd_ping replies "PONG v1b" instead of "PONG"; two real patches by graft
# patch: A = v1 → v1b and B = v1b → v1. The server starts at v1 and gets
# A, B, A, B, … (N applies): after B it runs v1's version id again, which is
# A's base, so the runtime's base check (control.c, check_patch) accepts A
# again. Neither patch defines a global, so the check that a global's alias
# is defined once per process does not refuse the second load of A either.
#
# Before the soak, KEYS fixed keys are written; redis-benchmark (SET/GET,
# -c 4, looping) runs throughout on another core; every CHECK_EVERY updates
# a redis-cli client reads a rotating sample of the fixed keys back and
# sends PING, whose reply says which version now answers. After the soak
# every fixed key is read back and compared.
#
# Reports: errors seen by the load (redis-benchmark's "Error" lines, whether
# it kept completing requests), by the checker and by graft apply (non-zero
# exits); keys lost or changed; VmRSS, lines of /proc/PID/maps and open fds
# before and after, with growth per update; the patches still loaded and
# those unloaded (DEPLOY-8, from graft status); each apply's pause (as graft apply
# prints it, measured in the process from the stop at the update point to
# the commit) and wall time, p50/p99/max.
#
# usage: bench/soak.sh N        (GRAFT=path/to/graft; default the release build)
# env:   KEYS (10000)  CHECK_EVERY (10)  SAMPLE (200 keys per check)
#        SERVER_CPU (0)  CLIENT_CPU (1)  SOAK_CSV=FILE keeps the per-update rows
# Exit status 0 when nothing went wrong, 1 otherwise.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
N=${1:?usage: bench/soak.sh N}
GRAFT=$(bench_graft)
KEYS=${KEYS:-10000}
CHECK_EVERY=${CHECK_EVERY:-10}
SAMPLE=${SAMPLE:-200}
SERVER_CPU=${SERVER_CPU:-0}
CLIENT_CPU=${CLIENT_CPU:-1}
command -v redis-benchmark >/dev/null && command -v redis-cli >/dev/null \
    || { echo "soak.sh: apt-get install redis-tools" >&2; exit 2; }
TTY=0
[ -t 2 ] && TTY=1
say() { [ $TTY -eq 1 ] && printf '%s\n' "$*" >&2; return 0; }

WORK=$(mktemp -d)
PIDS=()
cleanup() {
    for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill -9 "$p" 2>/dev/null || true; done
    for p in "${PIDS[@]:-}"; do [ -n "$p" ] && wait "$p" 2>/dev/null || true; done
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- the two builds and the two patches -----------------------------------
bench_signing "$WORK"      # the builds trust this run's key; the patches are signed with it
say "soak: building kvstore v1 and v1b with $GRAFT cc"
cp -R "$REPO_ROOT/examples/kvstore/v1" "$WORK/v1"
cp -R "$REPO_ROOT/examples/kvstore/v1" "$WORK/v1b"
sed -i 's/reply_status(c, "PONG");/reply_status(c, "PONG v1b");/' "$WORK/v1b/commands.c"
grep -q '"PONG v1b"' "$WORK/v1b/commands.c" || { echo "soak.sh: could not make v1b (cmd_ping changed?)" >&2; exit 2; }
for v in v1 v1b; do
    make -s -C "$WORK/$v" CC="$GRAFT cc" CFLAGS="-O2 -g -Wall" >"$WORK/$v.build" 2>&1 \
        || { echo "soak.sh: building $v failed:" >&2; cat "$WORK/$v.build" >&2; exit 1; }
done
"$GRAFT" patch --from "$WORK/v1/kvstore" --to "$WORK/v1b/kvstore" -o "$WORK/A.patch" >"$WORK/A.plan"
"$GRAFT" patch --from "$WORK/v1b/kvstore" --to "$WORK/v1/kvstore" -o "$WORK/B.patch" >"$WORK/B.plan"

# ---- the server, the fixed keys, the load ----------------------------------
PORT=$((22000 + RANDOM % 2000))
taskset -c "$SERVER_CPU" "$WORK/v1/kvstore" --port "$PORT" </dev/null >"$WORK/server.log" 2>&1 &
PID=$!
PIDS+=("$PID")
for _ in $(seq 100); do redis-cli -p "$PORT" PING >/dev/null 2>&1 && break; sleep 0.05; done
redis-cli -p "$PORT" PING >/dev/null 2>&1 || { echo "soak.sh: the server did not start on port $PORT" >&2; exit 1; }

# Fixed keys soak:key:I = soak:val:I:<I*7919 mod 1000003>.
awk -v n="$KEYS" 'BEGIN { for (i = 0; i < n; i++) { k = "soak:key:" i; v = "soak:val:" i ":" (i * 7919) % 1000003
    printf "*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n", length(k), k, length(v), v } }' \
    | redis-cli -p "$PORT" --pipe >"$WORK/preload" 2>&1
awk -v n="$KEYS" 'BEGIN { for (i = 0; i < n; i++) print "soak:val:" i ":" (i * 7919) % 1000003 }' >"$WORK/expected"
# read_keys FROM COUNT -> the values of keys FROM..FROM+COUNT-1 (mod KEYS), one a line
read_keys() {
    awk -v a="$1" -v c="$2" -v n="$KEYS" 'BEGIN { for (j = 0; j < c; j++) print "GET soak:key:" (a + j) % n }' \
        | taskset -c "$CLIENT_CPU" redis-cli -p "$PORT" 2>&1
}
read_keys 0 "$KEYS" >"$WORK/before.values"
if ! cmp -s "$WORK/before.values" "$WORK/expected"; then
    echo "soak.sh: the fixed keys do not read back before the soak" >&2; exit 1
fi

taskset -c "$CLIENT_CPU" redis-benchmark -p "$PORT" -t set,get -n 100000 -c 4 -l -q \
    </dev/null >"$WORK/load.out" 2>&1 &
LOAD=$!
PIDS+=("$LOAD")
completed() { tr '\r' '\n' <"$WORK/load.out" | grep -c 'requests per second' || true; }
sleep 2                                  # the load's connections and buffers are there

rss() { awk '/^VmRSS/ {print $2}' "/proc/$PID/status"; }
maps() { wc -l <"/proc/$PID/maps"; }
fds() { find "/proc/$PID/fd" -mindepth 1 | wc -l; }
sockfds() { find "/proc/$PID/fd" -mindepth 1 -lname 'socket:*' | wc -l; }
now_us() { date +%s%6N; }

RSS0=$(rss); MAPS0=$(maps); FDS0=$(fds); SOCK0=$(sockfds); DONE0=$(completed)
T0=$(now_us)

# ---- the soak --------------------------------------------------------------
: >"$WORK/rows"                          # i patch rc pause_us wall_us rss maps fds
APPLY_ERR=0 CHECK_ERR=0 VERSION_ERR=0 DIED=0
state=v1                                 # what the server runs
for i in $(seq "$N"); do
    if [ "$state" = v1 ]; then p=A; else p=B; fi
    t0=$(now_us)
    rc=0
    out=$(taskset -c "$CLIENT_CPU" "$GRAFT" apply --pid "$PID" "$WORK/$p.patch" --timeout 30 2>&1) || rc=$?
    t1=$(now_us)
    if ! kill -0 "$PID" 2>/dev/null; then DIED=$i; echo "soak.sh: the server died at update $i: $out" >&2; break; fi
    pause=$(printf '%s\n' "$out" | sed -n 's/.*(pause \([0-9]*\) µs.*/\1/p' | head -1)
    if [ "$rc" -ne 0 ] || [ -z "$pause" ]; then
        APPLY_ERR=$((APPLY_ERR + 1))
        printf 'update %d (%s): exit %d: %s\n' "$i" "$p" "$rc" "$out" >>"$WORK/apply.errors"
        pause=-
    else
        if [ "$state" = v1 ]; then state=v1b; else state=v1; fi
    fi
    echo "$i $p $rc $pause $((t1 - t0)) $(rss) $(maps) $(fds)" >>"$WORK/rows"
    if [ $((i % CHECK_EVERY)) -eq 0 ] || [ "$i" -eq "$N" ]; then
        from=$(( (i / CHECK_EVERY * SAMPLE) % KEYS ))
        read_keys "$from" "$SAMPLE" >"$WORK/sample"
        sed -n "$((from + 1)),\$p;$((from + SAMPLE))q" "$WORK/expected" >"$WORK/sample.want"
        have=$(wc -l <"$WORK/sample.want")
        [ "$have" -lt "$SAMPLE" ] && head -n $((SAMPLE - have)) "$WORK/expected" >>"$WORK/sample.want"
        bad=$(paste -d '\n' "$WORK/sample" "$WORK/sample.want" | paste - - | awk -F'\t' '$1 != $2' | wc -l)
        if [ "$bad" -ne 0 ]; then CHECK_ERR=$((CHECK_ERR + bad)); echo "update $i: $bad of $SAMPLE sampled keys differ" >>"$WORK/check.errors"; fi
        want=PONG; [ "$state" = v1b ] && want="PONG v1b"
        got=$(taskset -c "$CLIENT_CPU" redis-cli -p "$PORT" PING 2>&1 || true)
        if [ "$got" != "$want" ]; then VERSION_ERR=$((VERSION_ERR + 1)); echo "update $i: PING answered '$got', expected '$want'" >>"$WORK/check.errors"; fi
    fi
    [ $TTY -eq 1 ] && printf '\rsoak: %d/%d updates, RSS %s kB, %s maps' "$i" "$N" "$(rss)" "$(maps)" >&2
done
[ $TTY -eq 1 ] && printf '\n' >&2
T1=$(now_us)
APPLIED=$(awk '$3 == 0 && $4 != "-"' "$WORK/rows" | wc -l)

LOAD_ALIVE=no
kill -0 "$LOAD" 2>/dev/null && LOAD_ALIVE=yes
if [ "$DIED" -eq 0 ]; then
    RSS1=$(rss); MAPS1=$(maps); FDS1=$(fds); SOCK1=$(sockfds)
    # DEPLOY-8: how many patches are still loaded, how many were unloaded.
    PATCHES=$("$GRAFT" status --pid "$PID" --json 2>/dev/null | python3 -c '
import json, sys
p = json.load(sys.stdin).get("patches") or {}
print(p.get("loaded", "?"), p.get("unloaded", "?"), p.get("kept_by_loader", "?"))' 2>/dev/null || echo "? ? ?")
    sleep 1; DONE1=$(completed)          # the load still completes requests after the soak
    read_keys 0 "$KEYS" >"$WORK/after.values"
    LOST=$(paste -d '\n' "$WORK/after.values" "$WORK/expected" | paste - - | awk -F'\t' '$1 == ""' | wc -l)
    CHANGED=$(paste -d '\n' "$WORK/after.values" "$WORK/expected" | paste - - | awk -F'\t' '$1 != "" && $1 != $2' | wc -l)
else
    RSS1=- MAPS1=- FDS1=- SOCK1=- DONE1=$(completed) LOST=? CHANGED=? PATCHES="? ? ?"
fi
kill "$LOAD" 2>/dev/null || true
LOAD_ERR=$(tr '\r' '\n' <"$WORK/load.out" | grep -ci 'error' || true)

# ---- the report -------------------------------------------------------------
pct() { # column p -> the p-th percentile (nearest rank) of the applied rows' column
    awk -v c="$1" '$3 == 0 && $4 != "-" {print $c}' "$WORK/rows" | sort -n \
        | awk -v p="$2" '{a[NR]=$1} END { if (NR == 0) { print "-"; exit } r = int((p * NR + 99) / 100); if (r < 1) r = 1; print a[r] }'
}
per() { awk -v a="$1" -v b="$2" -v n="$3" 'BEGIN { if (n > 0 && b != "-") printf "%.1f", (b - a) / n; else print "-" }'; }
ms() { awk -v u="$1" 'BEGIN { if (u == "-") print "-"; else printf "%.0f", u / 1000 }'; }
[ -n "${SOAK_CSV:-}" ] && { echo "update patch rc pause_us wall_us rss_kb maps fds" | cat - "$WORK/rows" >"$SOAK_CSV"; }
ERRORS=$((APPLY_ERR + CHECK_ERR + VERSION_ERR + LOAD_ERR))
[ "$LOAD_ALIVE" = yes ] || ERRORS=$((ERRORS + 1))
[ "$DIED" -eq 0 ] || ERRORS=$((ERRORS + 1))
[ "$LOST" = 0 ] && [ "$CHANGED" = 0 ] || ERRORS=$((ERRORS + 1))
[ "$DONE1" -gt "$DONE0" ] || ERRORS=$((ERRORS + 1))

echo "soak: $N live updates of kvstore v1 ⇄ v1b (A: $(head -1 "$WORK/A.plan" | sed 's/^patch //'), B back), $(awk -v a="$T0" -v b="$T1" 'BEGIN{printf "%.0f", (b-a)/1e6}') s"
echo "  command: GRAFT=$GRAFT bench/soak.sh $N   (KEYS=$KEYS CHECK_EVERY=$CHECK_EVERY SAMPLE=$SAMPLE, server on CPU $SERVER_CPU, clients on CPU $CLIENT_CPU)"
echo "  applied $APPLIED of $N; graft apply errors (non-zero exit) $APPLY_ERR$([ "$DIED" -ne 0 ] && echo "; the server DIED at update $DIED")"
echo "  load (redis-benchmark -t set,get -n 100000 -c 4 -l): $((DONE1 - DONE0)) runs of 100000 requests completed during the soak (and 1 s after), 'error' lines $LOAD_ERR, still running at the end: $LOAD_ALIVE"
echo "  checks during the run (every $CHECK_EVERY updates, $SAMPLE keys + PING): keys differing $CHECK_ERR, PING from the wrong version $VERSION_ERR"
echo "  fixed keys after: $KEYS written, lost $LOST, changed $CHANGED"
echo "  RSS    before $RSS0 kB, after $RSS1 kB, $(per "$RSS0" "$RSS1" "$APPLIED") kB/update"
# Steady state: from the tenth of the updates on (the first ones map the
# loader's and malloc's one-time structures), per update.
K=$(( N / 10 > 0 ? N / 10 : 1 ))
RSSK=$(awk -v k="$K" '$1 == k {print $6}' "$WORK/rows"); MAPSK=$(awk -v k="$K" '$1 == k {print $7}' "$WORK/rows")
echo "  steady from update $K: RSS $RSSK → $RSS1 kB, $(per "${RSSK:--}" "$RSS1" $((APPLIED - K))) kB/update; maps $MAPSK → $MAPS1, $(per "${MAPSK:--}" "$MAPS1" $((APPLIED - K)))/update"
echo "  maps   before $MAPS0, after $MAPS1, $(per "$MAPS0" "$MAPS1" "$APPLIED")/update"
echo "  fds    before $FDS0 ($SOCK0 sockets), after $FDS1 ($SOCK1 sockets)"
set -- $PATCHES
echo "  patches loaded $1, unloaded $2, kept mapped by the dynamic loader $3   (DEPLOY-8: graft status)"
echo "  pause  p50 $(pct 4 50) µs, p99 $(pct 4 99) µs, max $(pct 4 100) µs   (graft apply's figure: stop at the update point → commit)"
echo "  apply wall time p50 $(ms "$(pct 5 50)") ms, p99 $(ms "$(pct 5 99)") ms, max $(ms "$(pct 5 100)") ms   (graft apply process, start → exit)"
for f in apply.errors check.errors; do
    [ -s "$WORK/$f" ] && { echo "  $f (first 5):"; head -5 "$WORK/$f" | sed 's/^/    /'; }
done
[ "$ERRORS" -eq 0 ]
