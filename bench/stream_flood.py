# ruff: noqa: S603 — the bench starts its own tools with fixed arguments
"""Stream flood benchmark (X-10, SLT-6): how many live streams one login can hold on ``serve_live``.

    .venv/bin/python bench/stream_flood.py [--streams 1000]

A fresh PostgreSQL database with a small bench college (``make_college.py``), production settings
and Redis; the live streams served as production serves them (``manage.py serve_live --workers 2``,
uvicorn). One student's login opens ``--streams`` event streams of their exam page, one after
another on raw sockets, each read up to its hello; then every socket is checked: still open, or
ended by the server (``bye``: replaced). Prints the time to open them all, how many the login
still holds, and how long another student's stream takes to open meanwhile.
"""

from __future__ import annotations

import argparse
import select
import socket
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import report, small_college
from bench.run import free_port, start_streams, stop


def open_stream(port: int, path: str, cookie: str) -> tuple[socket.socket, float]:
    """A stream opened up to its hello; (the socket, seconds it took)."""
    started = time.perf_counter()
    sock = socket.create_connection(("127.0.0.1", port), timeout=30)
    request = (
        f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Forwarded-Proto: https\r\n"
        f"Accept: text/event-stream\r\nCookie: {cookie}\r\n\r\n"
    )
    sock.sendall(request.encode())
    received = b""
    while b"event: hello" not in received:
        chunk = sock.recv(65536)
        if not chunk:
            raise SystemExit(f"the stream closed before its hello: {received[:200]!r}")
        received += chunk
    return sock, time.perf_counter() - started


def still_open(sock: socket.socket) -> bool:
    """Drain what the server said; False once it ended the response (EOF) or said goodbye."""
    said = b""
    sock.setblocking(False)
    try:
        while select.select([sock], [], [], 0)[0]:
            chunk = sock.recv(65536)
            if not chunk:
                return False
            said += chunk
    except OSError:
        return False
    return b"event: bye" not in said


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--streams", type=int, default=1000)
    parser.add_argument("--results", action="store_true", help="append the figures to bench/RESULTS.md")
    args = parser.parse_args(argv)
    args.asgi_workers = 2
    database, env, plan, out = small_college("stream-flood", 30)
    server, sockets, lines = None, [], []
    try:
        port = free_port()
        server = start_streams(env, port, args, out)
        name = plan["session_cookie"]
        me, other = plan["students"][0], plan["students"][1]
        path = f"/attestation/sessions/{me['session']}/events/"
        started = time.perf_counter()
        opening = []
        for _ in range(args.streams):
            sock, took = open_stream(port, path, f"{name}={me['cookie']}")
            sockets.append(sock)
            opening.append(took)
        elapsed = time.perf_counter() - started
        time.sleep(1)
        held = sum(still_open(sock) for sock in sockets)
        other_path = f"/attestation/sessions/{other['session']}/events/"
        other_sock, other_took = open_stream(port, other_path, f"{name}={other['cookie']}")
        sockets.append(other_sock)
        opening.sort()
        lines = [
            f"one login opened {args.streams} streams of its exam page in {elapsed:.1f} s "
            f"(each to its hello: p50 {opening[len(opening) // 2] * 1000:.0f} ms, "
            f"p95 {opening[int(len(opening) * 0.95)] * 1000:.0f} ms); "
            f"still held by the login afterwards: {held} (the others said bye and closed)",
            f"another student's stream opened meanwhile in {other_took * 1000:.0f} ms",
        ]
    finally:
        for sock in sockets:
            sock.close()
        if server is not None:
            stop(server)
        database.drop()
    report("Stream flood (`bench/stream_flood.py`)", lines, results=args.results)


if __name__ == "__main__":
    main()
