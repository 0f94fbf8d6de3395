#!/usr/bin/env python3
"""Raw-socket checks for kvstore that redis-cli cannot express: split and
pipelined requests, malformed RESP, abrupt disconnects, binary values, the
max-clients limit.  Usage: smoke_raw.py PORT VERSION MAXCLIENTS.
Only talks to 127.0.0.1; every socket has a timeout; every loop is bounded."""
import socket
import sys
import time

PORT = int(sys.argv[1])
VERSION = int(sys.argv[2])
MAXCLIENTS = int(sys.argv[3])
failures = 0


def conn():
    s = socket.create_connection(("127.0.0.1", PORT), timeout=10)
    s.settimeout(10)
    return s


def recv_until_closed(s, limit=1 << 20):
    out = b""
    while len(out) < limit:
        try:
            d = s.recv(65536)
        except socket.timeout:
            break
        if not d:
            break
        out += d
    return out


def recv_exactly(s, n):
    out = b""
    while len(out) < n:
        d = s.recv(n - len(out))
        if not d:
            break
        out += d
    return out


def check(name, got, want):
    global failures
    if got != want:
        failures += 1
        print(f"FAIL {name}: got {got[:200]!r} want {want[:200]!r}")
    else:
        print(f"ok   {name}")


def resp(*args):
    out = b"*%d\r\n" % len(args)
    for a in args:
        if isinstance(a, str):
            a = a.encode()
        out += b"$%d\r\n%s\r\n" % (len(a), a)
    return out


def bulk(v):
    return b"$%d\r\n%s\r\n" % (len(v), v)


def ping_ok(name):
    s = conn()
    s.sendall(b"PING\r\n")
    check(name + " (server still up)", recv_exactly(s, 7), b"+PONG\r\n")
    s.close()


# --- a request split into single bytes, across many writes ---------------
s = conn()
s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
req = resp("SET", "split:key", "split-value") + resp("GET", "split:key")
for i in range(len(req)):
    s.sendall(req[i:i + 1])
    if i % 7 == 0:
        time.sleep(0.001)
want = b"+OK\r\n" + bulk(b"split-value")
check("request split byte by byte", recv_exactly(s, len(want)), want)
s.close()

# --- many requests in one write (pipelining), RESP and inline mixed ------
s = conn()
batch = b"".join(resp("SET", "pipe:%d" % i, "v%d" % i) for i in range(500))
batch += b"".join(resp("GET", "pipe:%d" % i) for i in range(500))
batch += b"PING\r\nECHO inline-works\r\n\r\n"
s.sendall(batch)
want = b"+OK\r\n" * 500 + b"".join(bulk(b"v%d" % i) for i in range(500))
want += b"+PONG\r\n" + bulk(b"inline-works")
check("1000 pipelined requests in one write", recv_exactly(s, len(want)), want)
s.close()

# --- all 10,000 keys set by redis-cli --pipe, read back pipelined --------
s = conn()
s.sendall(b"".join(resp("GET", "key:%d" % i) for i in range(10000)))
want = b"".join(bulk(b"value:%d" % i) for i in range(10000))
check("10000 pipelined GETs of the --pipe keys", recv_exactly(s, len(want)), want)
s.close()

# --- a large value (4 MB), read over many reads ---------------------------------
s = conn()
big = bytes((i * 7) % 251 for i in range(256)) * (4 * 4096)
if VERSION < 5:
    big = big.replace(b"\x00", b"z")  # v1-v4 values are C strings
s.sendall(resp("SET", "big", big) + resp("GET", "big"))
want = b"+OK\r\n" + bulk(big)
check("4 MB value", recv_exactly(s, len(want)), want)
s.close()

# --- malformed requests: error reply, that connection closed, server up --
malformed = [
    (b"*2\r\n$3\r\nGET\r\n$x\r\n", b"-ERR Protocol error: invalid bulk length\r\n"),
    (b"*1\r\n+PING\r\n", b"-ERR Protocol error: expected '$', got '+'\r\n"),
    (b"*abc\r\n", b"-ERR Protocol error: invalid multibulk length\r\n"),
    (b"*99999999\r\n", b"-ERR Protocol error: invalid multibulk length\r\n"),
    (b"*1\r\n$-5\r\n", b"-ERR Protocol error: invalid bulk length\r\n"),
    (b"*1\r\n$999999999999\r\n", b"-ERR Protocol error: invalid bulk length\r\n"),
    (b"*1\r\n$4\r\nPINGxx", b"-ERR Protocol error: expected CRLF after bulk data\r\n"),
    (b'SET "unterminated\r\n', b"-ERR Protocol error: unbalanced quotes in request\r\n"),
    (b"PING\r\n*1\r\n$4\r\nPING\r\n*1\r\n$z\r\nPING\r\n",
     b"+PONG\r\n+PONG\r\n-ERR Protocol error: invalid bulk length\r\n"),
]
for i, (payload, want) in enumerate(malformed):
    s = conn()
    s.sendall(payload)
    check("malformed #%d %r" % (i, payload[:24]), recv_until_closed(s), want)
    s.close()
ping_ok("after malformed requests")

# an inline request longer than the 1 MB limit, with no newline
s = conn()
try:
    s.sendall(b"A" * (1024 * 1024 + 100))
except OSError:
    pass
check("too big inline request", recv_until_closed(s), b"-ERR Protocol error: too big inline request\r\n")
s.close()
ping_ok("after oversized inline request")

# --- clients that vanish mid-request or mid-reply -----------------------
for payload in [b"*3\r\n$3\r\nSET\r\n$1\r\nk", b"*2\r\n$3\r\nGET\r\n", b"GET bi"]:
    s = conn()
    s.sendall(payload)
    s.close()
s = conn()
s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
s.sendall(resp("GET", "big") * 50)  # ~200 MB of replies, never read: reset
time.sleep(0.2)
s.close()
ping_ok("after abrupt disconnects")

# --- half-close: replies to everything sent before the shutdown ---------
s = conn()
s.sendall(resp("SET", "half", "closed") + resp("GET", "half"))
s.shutdown(socket.SHUT_WR)
check("half-closed client still gets its replies", recv_until_closed(s), b"+OK\r\n" + bulk(b"closed"))
s.close()

# --- QUIT ---------------------------------------------------------------
s = conn()
s.sendall(b"PING\r\nQUIT\r\nPING\r\n")
check("QUIT replies +OK then closes", recv_until_closed(s), b"+PONG\r\n+OK\r\n")
s.close()

# --- binary-safe values (v5) --------------------------------------------
if VERSION >= 5:
    s = conn()
    val = b"a\x00b\r\n\x00\xff"
    s.sendall(resp("SET", "bin", val) + resp("GET", "bin") + resp("APPEND", "bin", b"\x00z")
              + resp("GET", "bin") + resp("INCR", "bin"))
    want = (b"+OK\r\n" + bulk(val) + b":%d\r\n" % (len(val) + 2) + bulk(val + b"\x00z")
            + b"-ERR value is not an integer or out of range\r\n")
    check("binary-safe SET/GET/APPEND", recv_exactly(s, len(want)), want)
    s.close()

# --- max clients --------------------------------------------------------
time.sleep(0.3)  # let the server notice the clients closed above
held = []
try:
    for i in range(MAXCLIENTS):
        c = conn()
        c.sendall(b"PING\r\n")
        if recv_exactly(c, 7) != b"+PONG\r\n":
            raise RuntimeError("client %d not served" % i)
        held.append(c)
    extra = conn()
    check("client over maxclients refused", recv_until_closed(extra),
          b"-ERR max number of clients reached\r\n")
    extra.close()
except Exception as e:  # noqa: BLE001
    failures += 1
    print("FAIL maxclients:", e)
for c in held:
    c.close()
time.sleep(0.2)
ping_ok("after maxclients")

print("raw checks: %d failure(s)" % failures)
sys.exit(1 if failures else 0)
