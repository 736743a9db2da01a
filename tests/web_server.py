"""A real HTTP server on 127.0.0.1 for any source's tests: canned answers per path, and the faults the network
really has — dripping bodies and headers, cut-off bodies, resets, redirect loops, 429/503, huge bodies, garbage."""

from __future__ import annotations

import socket
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

Behaviour = Callable[[BaseHTTPRequestHandler], None]


@dataclass
class Hit:
    method: str
    path: str  # as sent: absolute when the client spoke to us as a proxy
    headers: dict[str, str]
    at: float = field(default_factory=time.monotonic)


def answer(
    body: bytes | str = b"", status: int = 200, headers: dict[str, str] | None = None, content_type: str = "text/html"
) -> Behaviour:
    data = body.encode() if isinstance(body, str) else body

    def send(h: BaseHTTPRequestHandler) -> None:
        h.send_response(status)
        h.send_header("Content-Type", content_type)
        for k, v in (headers or {}).items():
            h.send_header(k, v)
        h.send_header("Content-Length", str(len(data)))
        h.end_headers()
        h.wfile.write(data)

    return send


def redirect(to: str, status: int = 302) -> Behaviour:
    return answer(b"", status, {"Location": to})


def drip(every: float = 2.0, total: int = 1000, in_headers: bool = False) -> Behaviour:
    """One byte every `every` seconds, in the body (Content-Length announced) or while sending headers."""

    def send(h: BaseHTTPRequestHandler) -> None:
        try:
            if in_headers:
                h.wfile.write(b"HTTP/1.1 200 OK\r\n")
                for _ in range(total):
                    h.wfile.write(b"X")
                    h.wfile.flush()
                    time.sleep(every)
                return
            h.send_response(200)
            h.send_header("Content-Length", str(total))
            h.end_headers()
            for _ in range(total):
                h.wfile.write(b"x")
                h.wfile.flush()
                time.sleep(every)
        except OSError:
            pass

    return send


def truncate(body: bytes, announced: int) -> Behaviour:
    """Announce `announced` bytes, send `body`, close."""

    def send(h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Length", str(announced))
        h.end_headers()
        h.wfile.write(body)
        h.wfile.flush()
        h.close_connection = True

    return send


def reset(after: bytes = b"") -> Behaviour:
    """Send `after` (maybe a partial response), then reset the connection (RST, not FIN)."""

    def send(h: BaseHTTPRequestHandler) -> None:
        h.wfile.write(after)
        h.wfile.flush()
        h.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        h.connection.close()
        h.close_connection = True

    return send


def big(size: int, announce: bool = True, content_type: str = "application/octet-stream") -> Behaviour:
    """`size` bytes, streamed (with or without a Content-Length)."""

    def send(h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", content_type)
        if announce:
            h.send_header("Content-Length", str(size))
        h.end_headers()
        block = b"<x>" + b"y" * 65533
        try:
            for _ in range(size // len(block)):
                h.wfile.write(block)
        except OSError:
            pass
        h.close_connection = True

    return send


def garbage(data: bytes = b"\x00\xffNOT HTTP AT ALL\r\n\r\n") -> Behaviour:
    def send(h: BaseHTTPRequestHandler) -> None:
        h.wfile.write(data)
        h.close_connection = True

    return send


def stall(seconds: float) -> Behaviour:
    def send(h: BaseHTTPRequestHandler) -> None:
        time.sleep(seconds)
        h.close_connection = True

    return send


class WebServer:
    """`routes` maps a path (query ignored) to a behaviour or a list of behaviours used one per request."""

    def __init__(self) -> None:
        self.routes: dict[str, Behaviour | list[Behaviour]] = {}
        self.hits: list[Hit] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                server.hits.append(Hit("GET", self.path, {k.lower(): v for k, v in self.headers.items()}))
                server.behaviour(self.path)(self)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(length)
                server.hits.append(Hit("POST", self.path, {k.lower(): v for k, v in self.headers.items()}))
                server.behaviour(self.path)(self)

            def do_CONNECT(self) -> None:
                server.hits.append(Hit("CONNECT", self.path, {k.lower(): v for k, v in self.headers.items()}))
                answer(b"no tunnels here", 403)(self)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def url(self, path: str) -> str:
        return self.base + path

    def behaviour(self, raw_path: str) -> Behaviour:
        path = urlsplit(raw_path).path
        route = self.routes.get(path)
        if isinstance(route, list):
            return route.pop(0) if len(route) > 1 else route[0]
        return route or answer(b"not here", 404)

    def start(self) -> WebServer:
        threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True).start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
