"""``manage.py serve_live``: the live streams' ASGI workers (#15) — uvicorn on ``config.asgi``, on a
listening socket tuned so that a page that goes silent (a laptop closed, a phone out of coverage:
no FIN, no RST) is noticed within ``LIVE_SILENT_SECONDS``: the stream's keep-alive stays
unacknowledged, the kernel drops the connection (TCP_USER_TIMEOUT, inherited by every accepted
connection), the stream ends and the student's dot turns grey. A page that closes is noticed at
once (the connection's FIN)."""

import socket

import uvicorn
from django.conf import settings
from django.core.management.base import BaseCommand
from uvicorn.supervisors import Multiprocess


def tune(sock: socket.socket, silent_seconds: int) -> socket.socket:
    """Unacknowledged data (a keep-alive) older than ``silent_seconds`` ends the connection."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
    if hasattr(socket, "TCP_USER_TIMEOUT"):  # Linux
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_USER_TIMEOUT, silent_seconds * 1000)
    return sock


class Command(BaseCommand):
    help = "Serve the pages' live event streams (config.asgi) with uvicorn workers."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8001)
        parser.add_argument("--workers", type=int, default=2)

    def handle(self, *args, host, port, workers, **options):
        config = uvicorn.Config(
            "config.asgi:application",
            host=host,
            port=port,
            workers=workers,
            lifespan="off",
            access_log=False,
            proxy_headers=True,
            timeout_graceful_shutdown=5,  # open streams do not end by themselves
        )
        sock = tune(config.bind_socket(), settings.LIVE_SILENT_SECONDS)
        if workers > 1:
            Multiprocess(config, sockets=[sock]).run()
        else:
            uvicorn.Server(config).run(sockets=[sock])
