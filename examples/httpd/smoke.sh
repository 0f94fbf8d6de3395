#!/usr/bin/env bash
# smoke.sh VERSION_DIR PORT — builds one httpd version with plain `make` in
# a temporary copy, serves a generated document root on 127.0.0.1:PORT and
# drives it with curl (plus smoke_raw.py for pipelining, malformed requests,
# the connection limit and a keep-alive load).  Exits non-zero on failure.
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
MAXCLIENTS=48
for tool in curl python3 nc make cmp; do
    command -v $tool >/dev/null || { echo "missing $tool" >&2; exit 2; }
done

WORK=$(mktemp -d /tmp/httpd-smoke.XXXXXX)
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
URL="http://127.0.0.1:$PORT"
C() { timeout 20 curl -s --http1.1 "$@"; }
# status NAME WANT CURL-ARGS... — compares the HTTP status code.
status() {
    local name=$1 want=$2
    shift 2
    local got
    got=$(C -o /dev/null -w '%{http_code}' "$@")
    if [ "$got" == "$want" ]; then ok "$name"; else fail "$name: status $got want $want"; fi
}
alive() {
    if kill -0 "$PID" 2>/dev/null && [ "$(C -o /dev/null -w '%{http_code}' "$URL/")" == 200 ]; then
        ok "server alive $*"; else fail "server died $*"; fi
}

# ---- document root -----------------------------------------------------------
ROOT="$WORK/www"
mkdir -p "$ROOT/sub" "$ROOT/dir"
printf '<!doctype html>\n<h1>graft httpd</h1>\n' >"$ROOT/index.html"
printf 'hello from a.txt\n' >"$ROOT/sub/a.txt"
printf 'spaces\n' >"$ROOT/with space.txt"
printf 'dir index\n' >"$ROOT/dir/index.html"
: >"$ROOT/empty.txt"
head -c 3000000 /dev/urandom >"$ROOT/big.bin"
touch -d '2021-03-04 05:06:07 UTC' "$ROOT/sub/a.txt"

# ---- build -------------------------------------------------------------------
cp -r "$SRC"/. "$WORK/src"
if [ -n "${SMOKE_CFLAGS:-}" ]; then MAKEARGS=(CFLAGS="$SMOKE_CFLAGS"); else MAKEARGS=(); fi
if ! make -C "$WORK/src" "${MAKEARGS[@]}" >"$WORK/build.log" 2>&1; then
    cat "$WORK/build.log"
    echo "FAIL build"
    exit 1
fi
if grep -q 'warning' "$WORK/build.log"; then fail "build has warnings"; grep warning "$WORK/build.log"; else ok "build (no warnings)"; fi
"$WORK/src/httpd" --help | grep -q -- '--root' && ok "--help" || fail "--help"

# ---- start -------------------------------------------------------------------
"$WORK/src/httpd" --root "$ROOT" --port "$PORT" --maxclients "$MAXCLIENTS" 2>"$WORK/server.log" &
PID=$!
for i in $(seq 1 50); do
    [ "$(C -o /dev/null -w '%{http_code}' "$URL/" 2>/dev/null)" == 200 ] && break
    sleep 0.1
done
alive "after start (v$VER, port $PORT)"

# ---- v1 ----------------------------------------------------------------------
got=$(C "$URL/"); [ "$got" == "$(cat "$ROOT/index.html")" ] && ok "GET / serves index.html" || fail "GET /: [$got]"
got=$(C "$URL/sub/a.txt"); [ "$got" == "hello from a.txt" ] && ok "GET file" || fail "GET file: [$got]"
got=$(C "$URL/with%20space.txt"); [ "$got" == "spaces" ] && ok "percent-decoded path" || fail "percent path: [$got]"
got=$(C "$URL/dir/"); [ "$got" == "dir index" ] && ok "directory index" || fail "dir index: [$got]"
status "empty file" 200 "$URL/empty.txt"
status "404" 404 "$URL/nosuch.html"
status "directory without slash is 404" 404 "$URL/dir"
status "405 for POST" 405 -X POST -d x "$URL/"
status "405 for DELETE" 405 -X DELETE "$URL/"
status "query string ignored" 200 "$URL/sub/a.txt?x=1"
status "path escape refused" 404 --path-as-is "$URL/../../etc/passwd"
C -o "$WORK/big.out" "$URL/big.bin" && cmp -s "$WORK/big.out" "$ROOT/big.bin" && ok "3 MB binary file intact" || fail "big file differs"

hdrs=$(C -I "$URL/sub/a.txt" | tr -d '\r')
echo "$hdrs" | grep -q '^HTTP/1.1 200 OK' && echo "$hdrs" | grep -q '^Content-Length: 17$' \
    && echo "$hdrs" | grep -q '^Content-Type: text/plain' && echo "$hdrs" | grep -q '^Date: ' \
    && ok "HEAD headers" || fail "HEAD headers: [$hdrs]"
got=$(C -I "$URL/big.bin" -o "$WORK/head.out" -w '%{size_download}'); [ "$got" == 0 ] && ok "HEAD has no body" || fail "HEAD body: $got bytes"
hdrs=$(C -D - -o /dev/null -X POST -d x "$URL/" | tr -d '\r')
echo "$hdrs" | grep -q '^Allow: GET, HEAD$' && ok "405 Allow header" || fail "405 Allow: [$hdrs]"

# keep-alive: curl reuses one connection for two URLs
log=$(C -v "$URL/" "$URL/sub/a.txt" -o /dev/null -o /dev/null 2>&1)
if echo "$log" | grep -q 'Re-using existing connection' && [ "$(echo "$log" | grep -c '^< HTTP/1.1 200')" -eq 2 ]; then
    ok "keep-alive: second request reuses the connection"; else fail "keep-alive: $(echo "$log" | grep -E 'Connect|Re-us|HTTP/')"; fi
hdrs=$(C -D - -o /dev/null -H 'Connection: close' "$URL/" | tr -d '\r')
echo "$hdrs" | grep -q '^Connection: close$' && ok "Connection: close honoured" || fail "Connection: close: [$hdrs]"

got=$(printf 'GET /sub/a.txt HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n' \
    | timeout 10 nc -N 127.0.0.1 "$PORT" | tr -d '\r' | grep -c '^HTTP/1.1 200 OK')
[ "$got" == 2 ] && ok "two pipelined requests via nc" || fail "pipelined via nc: $got responses"
got=$(printf 'BLAH\r\n\r\n' | timeout 10 nc -N 127.0.0.1 "$PORT" | head -1 | tr -d '\r')
[ "$got" == "HTTP/1.1 400 Bad Request" ] && ok "malformed request -> 400" || fail "malformed: [$got]"
alive "after malformed request"

# ---- v2: request count per connection, Last-Modified ----------------------------
if [ "$VER" -ge 2 ]; then
    counts=$(C -v "$URL/" "$URL/" "$URL/sub/a.txt" -o /dev/null -o /dev/null -o /dev/null 2>&1 \
        | tr -d '\r' | sed -n 's/^< X-Request-Count: //p' | tr '\n' ' ')
    [ "$counts" == "1 2 3 " ] && ok "X-Request-Count 1 2 3 on one connection" || fail "X-Request-Count: [$counts]"
    got=$(C -D - -o /dev/null "$URL/" | tr -d '\r' | sed -n 's/^X-Request-Count: //p')
    [ "$got" == 1 ] && ok "X-Request-Count restarts on a new connection" || fail "X-Request-Count new conn: [$got]"
    got=$(C -I "$URL/sub/a.txt" | tr -d '\r' | sed -n 's/^Last-Modified: //p')
    [ "$got" == "Thu, 04 Mar 2021 05:06:07 GMT" ] && ok "Last-Modified" || fail "Last-Modified: [$got]"
fi

# ---- v3: /stats ------------------------------------------------------------------
if [ "$VER" -ge 3 ]; then
    s1=$(C "$URL/stats")
    echo "$s1" | grep -q '^requests_total: [0-9]' && echo "$s1" | grep -q '^connections_accepted: [0-9]' \
        && echo "$s1" | grep -q '^responses_4xx: [0-9]' && echo "$s1" | grep -q '^bytes_sent: [0-9]' \
        && ok "/stats" || fail "/stats: [$s1]"
    r1=$(echo "$s1" | sed -n 's/^requests_total: //p')
    C -o /dev/null "$URL/nosuch"
    s2=$(C "$URL/stats")
    r2=$(echo "$s2" | sed -n 's/^requests_total: //p')
    [ $((r2 - r1)) -eq 2 ] && ok "/stats counts requests ($r1 -> $r2)" || fail "/stats requests $r1 -> $r2"
    n1=$(echo "$s1" | sed -n 's/^responses_4xx: //p'); n2=$(echo "$s2" | sed -n 's/^responses_4xx: //p')
    [ $((n2 - n1)) -eq 1 ] && ok "/stats counts a 404" || fail "/stats 4xx $n1 -> $n2"
    hdrs=$(C -I "$URL/stats" | tr -d '\r')
    echo "$hdrs" | grep -q '^Content-Type: text/plain' && ok "HEAD /stats" || fail "HEAD /stats: [$hdrs]"
fi

# ---- raw-socket checks and load ------------------------------------------------------
if timeout 180 python3 "$HERE/smoke_raw.py" "$PORT" "$VER" "$MAXCLIENTS" "$ROOT" >"$WORK/raw.log" 2>&1; then
    ok "raw-socket checks ($(grep -c '^ok' "$WORK/raw.log") passed)"
    grep 'keep-alive load' "$WORK/raw.log"
else
    grep -v '^ok' "$WORK/raw.log"
    fail "raw-socket checks"
fi
alive "after raw-socket checks"

# ---- clean shutdown --------------------------------------------------------------
kill -TERM "$PID"
for i in $(seq 1 50); do kill -0 "$PID" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$PID" 2>/dev/null; then fail "no exit on SIGTERM"; else
    wait "$PID"; rc=$?
    if [ $rc -eq 0 ]; then ok "clean exit on SIGTERM"; else fail "exit status $rc on SIGTERM"; fi
fi
PID=
if grep -qiE 'AddressSanitizer|LeakSanitizer|runtime error' "$WORK/server.log"; then fail "sanitizer report"; cat "$WORK/server.log"; fi

echo "== httpd v$VER: $FAILS failure(s)"
[ "$FAILS" -eq 0 ]
