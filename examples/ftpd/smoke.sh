#!/usr/bin/env bash
# smoke.sh VERSION_DIR PORT — builds one ftpd version with plain `make` in a
# temporary copy, serves a temporary directory on 127.0.0.1:PORT and drives
# it with the real curl: downloads, uploads, listings, the version's own
# commands, SITE STATS counters, and (as root) the drop to nobody.
# Exits non-zero on any failure.
set -u

if [ $# -ne 2 ]; then
    echo "usage: $0 VERSION_DIR PORT" >&2
    exit 2
fi
SRC=$(cd "$1" && pwd) || exit 2
PORT=$2
VER=$(basename "$SRC" | tr -dc '0-9')
[ -n "$VER" ] || { echo "cannot tell the version from $SRC" >&2; exit 2; }
for tool in curl make cmp; do
    command -v $tool >/dev/null || { echo "missing $tool (apt-get install -y curl)" >&2; exit 2; }
done

WORK=$(mktemp -d /tmp/ftpd-smoke.XXXXXX)
chmod 755 "$WORK"
PID=
cleanup() {
    if [ -n "$PID" ] && kill -0 "$PID" 2>/dev/null; then kill "$PID" 2>/dev/null; wait "$PID" 2>/dev/null; fi
    rm -rf "$WORK"
}
trap cleanup EXIT

FAILS=0
ok()   { echo "ok   $*"; }
fail() { echo "FAIL $*"; FAILS=$((FAILS + 1)); }
C() { timeout 30 curl -s --max-time 20 "$@"; }
U=ftp://127.0.0.1:$PORT
# quote CMD... — the control dialogue of a login plus the quoted commands.
quote() { local a=(); for q in "$@"; do a+=(-Q "$q"); done; C -D - -I "${a[@]}" "$U/" | tr -d '\r'; }
expect_in() { # NAME WANT TEXT
    if printf '%s' "$3" | grep -qF -- "$2"; then ok "$1"; else fail "$1: [$2] not in [$3]"; fi
}

# ---- build and start ----------------------------------------------------------
cp -r "$SRC"/. "$WORK/src"
if [ -n "${SMOKE_CFLAGS:-}" ]; then MAKEARGS=(CFLAGS="$SMOKE_CFLAGS"); else MAKEARGS=(); fi
if ! make -C "$WORK/src" "${MAKEARGS[@]}" >"$WORK/build.log" 2>&1; then cat "$WORK/build.log"; echo "FAIL build"; exit 1; fi
if grep -q 'warning' "$WORK/build.log"; then fail "build has warnings"; grep warning "$WORK/build.log"; else ok "build (no warnings)"; fi
"$WORK/src/ftpd" --help | grep -q -- '--root' && ok "--help" || fail "--help"

mkdir -p "$WORK/www/sub" "$WORK/www/up"
chmod 777 "$WORK/www/up"
echo hello >"$WORK/www/hello.txt"
echo deeper >"$WORK/www/sub/deep.txt"
head -c 3000000 /dev/urandom >"$WORK/www/big.bin"
head -c 1234567 /dev/urandom >"$WORK/payload"
ARGS=(--root "$WORK/www" --port "$PORT" -w)
if [ "$VER" -ge 4 ]; then
    printf '# smoke settings\nftpd_banner=smoke ftpd\nmax_clients=32\n' >"$WORK/ftpd.conf"
    [ "$VER" -ge 6 ] && echo "max_upload_bytes=2000000" >>"$WORK/ftpd.conf"
    ARGS+=(-c "$WORK/ftpd.conf")
fi
[ "$(id -u)" -eq 0 ] && ARGS+=(-u nobody)
"$WORK/src/ftpd" "${ARGS[@]}" 2>"$WORK/server.log" &
PID=$!
for i in $(seq 1 50); do C -o /dev/null "$U/hello.txt" && break; sleep 0.1; done
if kill -0 "$PID" 2>/dev/null; then ok "started (v$VER, port $PORT)"; else fail "did not start"; cat "$WORK/server.log"; exit 1; fi
if [ "$(id -u)" -eq 0 ]; then
    uid=$(awk '/^Uid:/ {print $2 $3 $4 $5}' /proc/$PID/status)
    [ "$uid" == "65534655346553465534" ] && ok "dropped to nobody" || fail "uids after -u nobody: $uid"
fi

# ---- every version ----------------------------------------------------------
[ "$(C "$U/hello.txt")" == hello ] && ok "RETR" || fail "RETR"
[ "$(C "$U/sub/deep.txt")" == deeper ] && ok "CWD + RETR" || fail "CWD + RETR"
C "$U/big.bin" | cmp -s - "$WORK/www/big.bin" && ok "RETR 3 MB, every byte" || fail "RETR 3 MB"
C --ftp-pasv --disable-epsv "$U/hello.txt" | grep -q hello && ok "PASV" || fail "PASV"
C -T "$WORK/payload" "$U/up/p.bin" && cmp -s "$WORK/payload" "$WORK/www/up/p.bin" && ok "STOR 1.2 MB, every byte" || fail "STOR"
C "$U/" | grep -q ' hello.txt$' && ok "LIST" || fail "LIST"
[ "$(C --list-only "$U/sub/" | tr -d '\r')" == deep.txt ] && ok "NLST" || fail "NLST: [$(C --list-only "$U/sub/")]"
C -o /dev/null "$U/nosuch.txt"; [ $? -eq 78 ] && ok "missing file: 550" || fail "missing file"
C -o /dev/null "$U/../../etc/passwd"; [ $? -ne 0 ] && ok ".. stays in the root" || fail ".. left the root"
d=$(quote "SIZE big.bin" "PWD" "SYST" "NOOP")
expect_in "SIZE" "213 3000000" "$d"
expect_in "PWD" '257 "/" is the current directory' "$d"
expect_in "SYST" "215 UNIX Type: L8" "$d"
got=$(printf 'USER bob\r\nQUIT\r\n' | timeout 5 curl -s telnet://127.0.0.1:$PORT 2>/dev/null | tr -d '\r')
expect_in "USER non-anonymous" "530 This FTP server is anonymous only." "$got"
got=$(printf 'RETR hello.txt\r\nQUIT\r\n' | timeout 5 curl -s telnet://127.0.0.1:$PORT 2>/dev/null | tr -d '\r')
expect_in "not logged in" "530 Please login with USER and PASS." "$got"
s=$(C --interface 127.0.0.9 -o /dev/null "$U/hello.txt"; quote "SITE STATS")
expect_in "SITE STATS row" "client 127.0.0.9 connections 1 logins 1 downloads 1 uploads 0 bytes_down 6 bytes_up 0" "$s"
expect_in "SITE STATS totals" " transfers " "$s"

# ---- v2: FEAT, MDTM, REST ---------------------------------------------------------
if [ "$VER" -ge 2 ]; then
    d=$(quote "FEAT" "MDTM hello.txt")
    expect_in "FEAT" " REST STREAM" "$d"
    printf '%s' "$d" | grep -qE '^213 20[0-9]{12}$' && ok "MDTM" || fail "MDTM: $d"
    [ "$(C -C 2 "$U/hello.txt")" == llo ] && ok "REST + RETR" || fail "REST"
    C -R -o "$WORK/h.txt" "$U/hello.txt" && [ "$(stat -c %Y "$WORK/h.txt")" == "$(stat -c %Y "$WORK/www/hello.txt")" ] && ok "curl -R (MDTM)" || fail "curl -R"
fi
# ---- v4: settings file, SITE CONFIG, banner ---------------------------------------------
if [ "$VER" -ge 4 ]; then
    d=$(quote "SITE CONFIG")
    expect_in "SITE CONFIG" " max_clients=32" "$d"
    expect_in "ftpd_banner" "220 smoke ftpd" "$d"
fi
# ---- v5: log levels ---------------------------------------------------------------------
if [ "$VER" -ge 5 ]; then
    grep -q '] info: session ' "$WORK/server.log" && ok "log lines carry a level" || fail "log levels"
fi
# ---- v6: max_upload_bytes ------------------------------------------------------------------
if [ "$VER" -ge 6 ]; then
    C --interface 127.0.0.8 -T "$WORK/www/big.bin" "$U/up/toobig.bin"; rc=$?
    [ $rc -ne 0 ] && [ ! -e "$WORK/www/up/toobig.bin" ] && ok "STOR over max_upload_bytes refused and removed" || fail "upload limit (curl $rc)"
    expect_in "denied counted" "client 127.0.0.8 connections 1 logins 1 downloads 0 uploads 0 bytes_down 0 bytes_up 0 denied 1" "$(quote "SITE STATS")"
fi

# ---- parallel clients -----------------------------------------------------------------
pids=()
for i in $(seq 1 8); do (C "$U/big.bin" | cmp -s - "$WORK/www/big.bin" || echo bad) >>"$WORK/par.log" & pids+=($!); done
wait "${pids[@]}"
[ ! -s "$WORK/par.log" ] && ok "8 parallel downloads" || fail "parallel downloads"
kill -0 "$PID" 2>/dev/null && ok "server alive" || fail "server died"
if grep -qiE 'AddressSanitizer|runtime error' "$WORK/server.log"; then fail "sanitizer report"; cat "$WORK/server.log"; fi

echo "== ftpd v$VER: $FAILS failure(s)"
[ "$FAILS" -eq 0 ]
