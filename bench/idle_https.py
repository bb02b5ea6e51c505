#!/usr/bin/env python3
"""W5 at scale: N idle kept-alive HTTPS connections, each authenticated by one
PROPFIND Depth 0 and then left idle (no traffic, unlike peerbench's W5, which
re-sends a PROPFIND every 2 s per connection and so cannot hold thousands);
the server's RSS (its process tree, VmRSS summed) before and while they are
held gives KiB per idle connection; then PROPFIND latency from a fresh client
while they are held. One JSON line per run on stdout.

    bench/idle_https.py --port 2443 --user U --password P --path /files/ --pid PID --sessions 5000

The server's keep-alive timeout must outlast the run (dadgate:
https.keep_alive_seconds; nginx: keepalive_timeout 75s)."""

import argparse
import base64
import json
import os
import socket
import ssl
import statistics
import sys
import threading
import time


def tree_rss_kib(root):
    """VmRSS of `root` and every descendant, in KiB."""
    parents = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open("/proc/%s/stat" % entry) as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                parents[int(entry)] = int(fields[1])
            except OSError:
                pass
    pids, todo = {root}, [root]
    while todo:
        parent = todo.pop()
        for pid, ppid in parents.items():
            if ppid == parent and pid not in pids:
                pids.add(pid)
                todo.append(pid)
    total = 0
    for pid in pids:
        try:
            with open("/proc/%d/status" % pid) as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        except OSError:
            pass
    return total


def read_response(sock):
    """Reads one response with a Content-Length or chunked body; its status."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed before a response")
        data += chunk
    head, body = data.split(b"\r\n\r\n", 1)
    status = int(head.split(b" ", 2)[1])
    fields = {l.split(b":", 1)[0].strip().lower(): l.split(b":", 1)[1].strip()
              for l in head.split(b"\r\n")[1:] if b":" in l}
    if b"content-length" in fields:
        want = int(fields[b"content-length"])
        while len(body) < want:
            body += sock.recv(65536)
    elif b"chunked" in fields.get(b"transfer-encoding", b""):
        while not body.endswith(b"0\r\n\r\n"):
            body += sock.recv(65536)
    return status


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--user", required=True)
    p.add_argument("--password", required=True)
    p.add_argument("--path", default="/")
    p.add_argument("--pid", type=int, required=True)
    p.add_argument("--sessions", type=int, default=200)
    p.add_argument("--concurrency", type=int, default=8)
    p.add_argument("--latency-requests", type=int, default=20)
    p.add_argument("--label", default="server")
    a = p.parse_args()
    auth = base64.b64encode(("%s:%s" % (a.user, a.password)).encode()).decode()
    request = ("PROPFIND %s HTTP/1.1\r\nHost: 127.0.0.1\r\nDepth: 0\r\nAuthorization: Basic %s\r\n"
               "Content-Length: 0\r\n\r\n" % (a.path, auth)).encode()
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE

    def propfind(sock):
        sock.sendall(request)
        return read_response(sock)

    def connect():
        raw = socket.create_connection(("127.0.0.1", a.port), timeout=60)
        return context.wrap_socket(raw, server_hostname="127.0.0.1")

    time.sleep(1)
    base = tree_rss_kib(a.pid)
    held, errors, lock = [], [], threading.Lock()
    left = list(range(a.sessions))
    started = time.monotonic()

    def opener():
        while True:
            with lock:
                if not left:
                    return
                left.pop()
            try:
                sock = connect()
                status = propfind(sock)
                if status != 207:
                    raise RuntimeError("PROPFIND answered %d" % status)
                with lock:
                    held.append(sock)
            except Exception as e:  # counted, reported
                with lock:
                    errors.append(repr(e)[:200])

    threads = [threading.Thread(target=opener) for _ in range(a.concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    setup = time.monotonic() - started
    time.sleep(2)  # settle
    rss = max(tree_rss_kib(a.pid) for _ in range(3))
    latencies = []
    for _ in range(a.latency_requests):
        t0 = time.monotonic()
        sock = connect()
        status = propfind(sock)
        latencies.append((time.monotonic() - t0) * 1000)
        sock.close()
        if status != 207:
            errors.append("latency PROPFIND answered %d" % status)
    # Still held? A PROPFIND on the first few proves the idle ones were kept.
    still = 0
    for sock in held[:20]:
        try:
            still += propfind(sock) == 207
        except Exception:
            pass
    for sock in held:
        sock.close()
    print(json.dumps({
        "label": a.label, "sessions": a.sessions, "held": len(held), "errors": len(errors),
        "first_error": errors[0] if errors else None, "setup_s": round(setup, 1),
        "base_rss_kib": base, "rss_kib": rss,
        "kib_per_session": round((rss - base) / max(1, len(held)), 1),
        "propfind_ms_median": round(statistics.median(latencies), 1),
        "propfind_ms_max": round(max(latencies), 1),
        "idle_still_answered": "%d/%d" % (still, min(20, len(held))),
    }))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
