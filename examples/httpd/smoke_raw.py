#!/usr/bin/env python3
"""Raw-socket checks for httpd: pipelined requests, malformed requests,
split heads, abrupt disconnects, the connection limit, and a small
keep-alive load.  Usage: smoke_raw.py PORT VERSION MAXCLIENTS ROOT.
Only talks to 127.0.0.1; every socket has a timeout; every loop is bounded."""
import os
import socket
import sys
import threading
import time

PORT = int(sys.argv[1])
VERSION = int(sys.argv[2])
MAXCLIENTS = int(sys.argv[3])
ROOT = sys.argv[4]
failures = 0


def conn():
    s = socket.create_connection(("127.0.0.1", PORT), timeout=10)
    s.settimeout(10)
    return s


def check(name, cond, detail=""):
    global failures
    if cond:
        print("ok   " + name)
    else:
        failures += 1
        print("FAIL %s %s" % (name, detail))


def read_response(s, buf=b"", head_only=False):
    """Reads one response; returns (status, headers dict, body, leftover)."""
    for _ in range(10000):
        if b"\r\n\r\n" in buf:
            break
        d = s.recv(65536)
        if not d:
            return None, {}, b"", b""
        buf += d
    head, _, rest = buf.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        k, _, v = line.partition(":")
        headers[k.strip().lower()] = v.strip()
    n = 0 if head_only else int(headers.get("content-length", "0"))
    for _ in range(100000):
        if len(rest) >= n:
            break
        d = s.recv(65536)
        if not d:
            break
        rest += d
    return status, headers, rest[:n], rest[n:]


def recv_all(s):
    out = b""
    for _ in range(10000):
        try:
            d = s.recv(65536)
        except socket.timeout:
            break
        if not d:
            break
        out += d
    return out


def alive(name):
    s = conn()
    s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    st, _, _, _ = read_response(s)
    check(name + " (server still up)", st == 200, st)
    s.close()


index = open(os.path.join(ROOT, "index.html"), "rb").read()
atxt = open(os.path.join(ROOT, "sub", "a.txt"), "rb").read()

# --- three pipelined requests in one write, answered in order ------------
s = conn()
s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"
          b"HEAD /sub/a.txt HTTP/1.1\r\nHost: x\r\n\r\n"
          b"GET /sub/a.txt HTTP/1.1\r\nHost: x\r\n\r\n")
st1, h1, b1, rest = read_response(s)
st2, h2, b2, rest = read_response(s, rest, head_only=True)
st3, h3, b3, rest = read_response(s, rest)
check("pipelined GET, HEAD, GET", (st1, b1, st2, b2, st3, b3) == (200, index, 200, b"", 200, atxt),
      (st1, st2, st3))
if VERSION >= 2:
    check("X-Request-Count over a pipelined connection",
          [h1.get("x-request-count"), h2.get("x-request-count"), h3.get("x-request-count")] == ["1", "2", "3"],
          (h1, h2, h3))
s.close()

# --- a request head split into single bytes ---------------------------------
s = conn()
s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
req = b"GET /sub/a.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
for i in range(len(req)):
    s.sendall(req[i:i + 1])
    if i % 5 == 0:
        time.sleep(0.001)
st, h, body, _ = read_response(s)
check("head split byte by byte", st == 200 and body == atxt and h.get("connection") == "close", (st, h))
check("Connection: close closes", recv_all(s) == b"")
s.close()

# --- HTTP/1.0: closes by default, keeps alive on request ----------------------
s = conn()
s.sendall(b"GET / HTTP/1.0\r\n\r\n")
st, h, body, _ = read_response(s)
check("HTTP/1.0 closes by default", st == 200 and h.get("connection") == "close" and recv_all(s) == b"")
s.close()
s = conn()
s.sendall(b"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /sub/a.txt HTTP/1.0\r\n\r\n")
st, h, body, rest = read_response(s)
st2, h2, body2, _ = read_response(s, rest)
check("HTTP/1.0 keep-alive", st == 200 and h.get("connection") == "keep-alive" and body2 == atxt)
s.close()

# --- malformed requests: 400 and close, server keeps serving ---------------
malformed = [
    b"GARBAGE\r\n\r\n",
    b"GET /\r\n\r\n",
    b"GET / HTTP/2.0\r\nHost: x\r\n\r\n",
    b"GET / HTTP/1.1\r\n\r\n",                     # no Host
    b"GET / HTTP/1.1\r\nHost: x\r\nBad Header: y\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: x\r\nnocolon\r\n\r\n",
    b"GET /%zz HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /a%00b HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET relative HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
    b"get / HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: x\r\nX: " + b"a" * 9000 + b"\r\n\r\n",  # head too large
    b"\x00\x01\x02\xff\r\n\r\n",
]
for i, payload in enumerate(malformed):
    s = conn()
    s.sendall(payload)
    data = recv_all(s)
    check("malformed #%d %r -> 400 and close" % (i, payload[:30]), data.startswith(b"HTTP/1.1 400 "), data[:60])
    s.close()
alive("after malformed requests")

# --- path escapes ------------------------------------------------------------
for target in [b"/../etc/passwd", b"/%2e%2e/%2e%2e/etc/passwd", b"/sub/../../etc/passwd"]:
    s = conn()
    s.sendall(b"GET " + target + b" HTTP/1.1\r\nHost: x\r\n\r\n")
    st, _, body, _ = read_response(s)
    check("escape %r refused" % target, st == 404, st)
    s.close()
s = conn()
s.sendall(b"GET /sub/../sub/./a.txt HTTP/1.1\r\nHost: x\r\n\r\n")
st, _, body, _ = read_response(s)
check("dot segments inside the root", st == 200 and body == atxt, st)
s.close()

# --- a POST with a body: 405, then the connection closes ----------------------
s = conn()
s.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello")
st, h, body, _ = read_response(s)
check("POST -> 405 with Allow, then close", st == 405 and h.get("allow") == "GET, HEAD" and recv_all(s) == b"",
      (st, h))
s.close()

# --- clients that vanish --------------------------------------------------------
for payload in [b"GET / HTTP/1.1\r\nHo", b"GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n"]:
    s = conn()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
    s.sendall(payload)
    time.sleep(0.05)
    s.close()
alive("after abrupt disconnects")

# --- keep-alive load: 40 connections x 50 requests ------------------------------
errors = []
count = [0]
lock = threading.Lock()


def worker():
    try:
        s = conn()
        rest = b""
        for _ in range(50):
            s.sendall(b"GET /sub/a.txt HTTP/1.1\r\nHost: x\r\n\r\n")
            st, _, body, rest = read_response(s, rest)
            if st != 200 or body != atxt:
                raise RuntimeError("bad response %r" % st)
            with lock:
                count[0] += 1
        s.close()
    except Exception as e:  # noqa: BLE001
        errors.append(e)


t0 = time.time()
threads = [threading.Thread(target=worker) for _ in range(40)]
for t in threads:
    t.start()
for t in threads:
    t.join(60)
dt = time.time() - t0
check("keep-alive load: %d requests, %.0f req/s" % (count[0], count[0] / dt), not errors and count[0] == 2000,
      errors[:3])

# --- connection limit -------------------------------------------------------------
time.sleep(0.3)
held = []
try:
    for i in range(MAXCLIENTS):
        c = conn()
        c.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        st, _, _, _ = read_response(c)
        if st != 200:
            raise RuntimeError("client %d not served" % i)
        held.append(c)
    extra = conn()
    data = recv_all(extra)
    check("connection over maxclients gets 503", data.startswith(b"HTTP/1.1 503 "), data[:40])
    extra.close()
except Exception as e:  # noqa: BLE001
    failures += 1
    print("FAIL maxclients:", e)
for c in held:
    c.close()
time.sleep(0.3)
alive("after maxclients")

print("raw checks: %d failure(s)" % failures)
sys.exit(1 if failures else 0)
