#!/usr/bin/env bash
# smoke.sh VERSION_DIR PORT — builds one kvstore version with plain `make`
# in a temporary copy, serves it on 127.0.0.1:PORT and drives it with the
# real redis-cli and redis-benchmark (plus smoke_raw.py for malformed and
# binary requests).  Exits non-zero on any failure.
set -u

if [ $# -ne 2 ]; then
    echo "usage: $0 VERSION_DIR PORT" >&2
    exit 2
fi
HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$1" && pwd) || exit 2
PORT=$2
VER=$(basename "$SRC" | tr -dc '0-9')
[ -n "$VER" ] || { echo "cannot tell the version from $SRC" >&2; exit 2; }
MAXCLIENTS=64
for tool in redis-cli redis-benchmark python3 nc make; do
    command -v $tool >/dev/null || { echo "missing $tool (apt-get install -y redis-tools netcat-openbsd)" >&2; exit 2; }
done

WORK=$(mktemp -d /tmp/kvstore-smoke.XXXXXX)
PID=
cleanup() {
    if [ -n "$PID" ] && kill -0 "$PID" 2>/dev/null; then
        kill "$PID" 2>/dev/null
        wait "$PID" 2>/dev/null
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT

FAILS=0
ok()   { echo "ok   $*"; }
fail() { echo "FAIL $*"; FAILS=$((FAILS + 1)); }
R() { timeout 20 redis-cli -h 127.0.0.1 -p "$PORT" "$@"; }

# expect NAME WANT CMD... — compares redis-cli's raw output with WANT.
expect() {
    local name=$1 want=$2
    shift 2
    local got
    got=$(R "$@" 2>&1)
    if [ "$got" == "$want" ]; then ok "$name"; else fail "$name: got [$got] want [$want]"; fi
}
# expect_nil NAME CMD... — the reply is a null bulk string.
expect_nil() {
    local name=$1
    shift
    local got
    got=$(R --no-raw "$@" 2>&1)
    if [ "$got" == "(nil)" ]; then ok "$name"; else fail "$name: got [$got] want [(nil)]"; fi
}
alive() {
    if kill -0 "$PID" 2>/dev/null && [ "$(R ping 2>&1)" == "PONG" ]; then ok "server alive $*"; else fail "server died $*"; fi
}

# ---- build ---------------------------------------------------------------
cp -r "$SRC"/. "$WORK/src"
# SMOKE_CFLAGS (optional) overrides CFLAGS, e.g. for a sanitizer build:
#   SMOKE_CFLAGS="-O1 -g -Wall -fsanitize=address,undefined" ./smoke.sh v1 7101
if [ -n "${SMOKE_CFLAGS:-}" ]; then
    MAKEARGS=(CFLAGS="$SMOKE_CFLAGS")
else
    MAKEARGS=()
fi
if ! make -C "$WORK/src" "${MAKEARGS[@]}" >"$WORK/build.log" 2>&1; then
    cat "$WORK/build.log"
    echo "FAIL build"
    exit 1
fi
if grep -q 'warning' "$WORK/build.log"; then fail "build has warnings"; grep warning "$WORK/build.log"; else ok "build (no warnings)"; fi
"$WORK/src/kvstore" --help | grep -q -- '--port' && ok "--help" || fail "--help"

# ---- start ---------------------------------------------------------------
"$WORK/src/kvstore" --port "$PORT" --maxclients "$MAXCLIENTS" 2>"$WORK/server.log" &
PID=$!
for i in $(seq 1 50); do
    [ "$(R ping 2>/dev/null)" == "PONG" ] && break
    sleep 0.1
done
alive "after start (v$VER, port $PORT)"

# ---- v1 commands -----------------------------------------------------------
expect "PING" "PONG" ping
expect "PING msg" "hello world" ping "hello world"
expect "PING too many args" "ERR wrong number of arguments for 'ping' command" ping a b
expect "ECHO" "echo me" echo "echo me"
expect "SET" "OK" set foo bar
expect "GET" "bar" get foo
expect "SET overwrite" "OK" set foo baz
expect "GET overwritten" "baz" get foo
expect_nil "GET missing" get nosuchkey
expect "SET with spaces" "OK" set "a key" "a value with spaces"
expect "GET with spaces" "a value with spaces" get "a key"
expect "EXISTS multi" "3" exists foo "a key" missing foo
expect "DEL multi" "2" del foo "a key" missing
expect "EXISTS after DEL" "0" exists foo
expect "INCR new" "1" incr counter
expect "INCR again" "2" incr counter
expect "GET counter" "2" get counter
R set notnum abc >/dev/null
expect "INCR non-integer" "ERR value is not an integer or out of range" incr notnum
R set big 9223372036854775807 >/dev/null
expect "INCR overflow" "ERR increment or decrement would overflow" incr big
R set neg -5 >/dev/null
expect "INCR negative" "-4" incr neg
R set lead 007 >/dev/null
expect "INCR leading zeros" "ERR value is not an integer or out of range" incr lead
expect "SELECT 0" "OK" select 0
expect "SELECT 1" "ERR DB index is out of range" select 1
expect "SELECT x" "ERR value is not an integer or out of range" select x
expect "CONFIG GET" "" config get save
expect "COMMAND DOCS" "" command docs
expect "COMMAND" "" command
expect "unknown command" "ERR unknown command 'nosuchcmd'" nosuchcmd a b
expect "GET wrong arity" "ERR wrong number of arguments for 'get' command" get
expect "SET wrong arity" "ERR wrong number of arguments for 'set' command" set onlykey
expect "DEL wrong arity" "ERR wrong number of arguments for 'del' command" del
expect "case-insensitive" "OK" sEt MiXeD case
got=$(printf 'SET foo bar\r\nPING\r\nGET foo\r\nQUIT\r\n' | timeout 10 nc -N 127.0.0.1 "$PORT" | tr -d '\r')
if [ "$got" == "$(printf '+OK\n+PONG\n$3\nbar\n+OK')" ]; then ok "inline commands via nc"; else fail "inline via nc: [$got]"; fi
got=$(printf '*2\r\n$3\r\nGET\r\n$-7\r\n' | timeout 10 nc -N 127.0.0.1 "$PORT" | tr -d '\r')
if [ "$got" == "-ERR Protocol error: invalid bulk length" ]; then ok "malformed RESP via nc"; else fail "malformed RESP via nc: [$got]"; fi
alive "after malformed RESP"

# ---- v2: expiry ------------------------------------------------------------
if [ "$VER" -ge 2 ]; then
    R set tmp v >/dev/null
    expect "TTL no expiry" "-1" ttl tmp
    expect "TTL missing" "-2" ttl nosuchkey
    expect "EXPIRE" "1" expire tmp 100
    got=$(R ttl tmp); if [ "$got" == 100 ] || [ "$got" == 99 ]; then ok "TTL after EXPIRE ($got)"; else fail "TTL after EXPIRE: $got"; fi
    expect "PERSIST" "1" persist tmp
    expect "PERSIST again" "0" persist tmp
    expect "TTL after PERSIST" "-1" ttl tmp
    expect "EXPIRE missing" "0" expire nosuchkey 10
    expect "EXPIRE non-integer" "ERR value is not an integer or out of range" expire tmp soon
    R expire tmp 100 >/dev/null
    R set tmp again >/dev/null
    expect "SET clears TTL" "-1" ttl tmp
    R set short v >/dev/null
    expect "EXPIRE 1" "1" expire short 1
    R set ctr 10 >/dev/null; R expire ctr 100 >/dev/null; R incr ctr >/dev/null
    got=$(R ttl ctr); if [ "$got" -gt 0 ] 2>/dev/null; then ok "INCR keeps TTL"; else fail "INCR keeps TTL: $got"; fi
    expect "EXPIRE 0 deletes" "1" expire ctr 0
    expect "EXISTS after EXPIRE 0" "0" exists ctr
    sleep 1.3
    expect_nil "expired key GET" get short
    expect "expired key EXISTS" "0" exists short
    expect "expired key TTL" "-2" ttl short
    expect "EXPIRE wrong arity" "ERR wrong number of arguments for 'expire' command" expire tmp
fi

# ---- v4: MGET / MSET / APPEND / INFO ----------------------------------------
if [ "$VER" -ge 4 ]; then
    expect "MSET" "OK" mset m1 a m2 b m3 c
    got=$(R --no-raw mget m1 nosuch m3 | tr '\n' '|')
    if [ "$got" == '1) "a"|2) (nil)|3) "c"|' ]; then ok "MGET with a missing key"; else fail "MGET: [$got]"; fi
    expect "MSET odd args" "ERR wrong number of arguments for 'mset' command" mset m1 a m2
    expect "APPEND existing" "4" append m1 bcd
    expect "GET appended" "abcd" get m1
    expect "APPEND new" "3" append m9 xyz
    got=$(R info stats | tr -d '\r')
    echo "$got" | grep -q '^# Stats' && echo "$got" | grep -q '^total_commands_processed:[0-9]' \
        && echo "$got" | grep -q '^keyspace_hits:[0-9]' && echo "$got" | grep -q '^keyspace_misses:[0-9]' \
        && echo "$got" | grep -q '^total_connections_received:[0-9]' && ok "INFO stats" || fail "INFO stats: [$got]"
    h1=$(R info stats | tr -d '\r' | sed -n 's/^keyspace_hits://p')
    R get m1 >/dev/null
    h2=$(R info stats | tr -d '\r' | sed -n 's/^keyspace_hits://p')
    if [ $((h2 - h1)) -eq 1 ]; then ok "keyspace_hits counts a GET"; else fail "keyspace_hits $h1 -> $h2"; fi
    R info | tr -d '\r' | grep -q '^db0:keys=[0-9]' && ok "INFO keyspace" || fail "INFO keyspace"
fi

# ---- pipelining: 10,000 SETs through redis-cli --pipe ----------------------
for i in $(seq 0 9999); do printf 'SET key:%d value:%d\r\n' "$i" "$i"; done >"$WORK/pipe.txt"
got=$(timeout 60 redis-cli -h 127.0.0.1 -p "$PORT" --pipe <"$WORK/pipe.txt" 2>&1)
if echo "$got" | grep -q 'errors: 0, replies: 10000'; then ok "redis-cli --pipe 10000 SETs"; else fail "--pipe: $got"; fi
expect "GET key:0" "value:0" get key:0
expect "GET key:4321" "value:4321" get key:4321
expect "GET key:9999" "value:9999" get key:9999
expect_nil "GET key:10000" get key:10000

# ---- raw-socket checks --------------------------------------------------------
if timeout 120 python3 "$HERE/smoke_raw.py" "$PORT" "$VER" "$MAXCLIENTS" >"$WORK/raw.log" 2>&1; then
    ok "raw-socket checks ($(grep -c '^ok' "$WORK/raw.log") passed)"
else
    grep -v '^ok' "$WORK/raw.log"
    fail "raw-socket checks"
fi
alive "after raw-socket checks"

# ---- redis-benchmark ------------------------------------------------------------
bench=$(timeout 120 redis-benchmark -h 127.0.0.1 -p "$PORT" -t get,set -n 20000 -c 50 -q 2>&1 | tr '\r' '\n' | grep 'requests per second')
echo "$bench"
if [ "$(echo "$bench" | grep -c 'requests per second')" -eq 2 ]; then ok "redis-benchmark"; else fail "redis-benchmark"; fi
alive "after redis-benchmark"

# ---- clean shutdown --------------------------------------------------------------
kill -TERM "$PID"
for i in $(seq 1 50); do kill -0 "$PID" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$PID" 2>/dev/null; then fail "no exit on SIGTERM"; else
    wait "$PID"; rc=$?
    if [ $rc -eq 0 ]; then ok "clean exit on SIGTERM"; else fail "exit status $rc on SIGTERM"; fi
fi
PID=
if grep -qiE 'AddressSanitizer|LeakSanitizer|runtime error' "$WORK/server.log"; then fail "sanitizer report"; cat "$WORK/server.log"; fi

echo "== kvstore v$VER: $FAILS failure(s)"
[ "$FAILS" -eq 0 ]
