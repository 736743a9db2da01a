"""A tiny HTTP forwarding proxy on 127.0.0.1 that records what went through it.

Plain-HTTP requests arrive with an absolute URL (`GET http://host/path`); the proxy forwards them to the local
server registered for that host name, so a made-up host like `arxiv.proxy.test` is reachable only through the
proxy. CONNECT (an https tunnel) is recorded and refused: no test has a certificate a real client would trust.
"""

from __future__ import annotations

import contextlib
import http.client
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit


class ForwardProxy:
    def __init__(self, upstreams: dict[str, str]) -> None:
        self.upstreams = upstreams  # host name → "127.0.0.1:port" of the local server answering for it
        self.seen: list[tuple[str, str]] = []  # (method, absolute URL or CONNECT target)
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def do_CONNECT(self) -> None:  # noqa: N802 (http.server's naming)
                proxy.seen.append(("CONNECT", self.path))
                self.send_error(403, "no tunnels here")

            def _forward(self) -> None:
                proxy.seen.append((self.command, self.path))
                parts = urlsplit(self.path)
                upstream = proxy.upstreams.get(parts.hostname or "")
                if upstream is None:
                    self.send_error(502, "unknown host")
                    return
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                conn = http.client.HTTPConnection(upstream, timeout=10)
                target = parts.path + (f"?{parts.query}" if parts.query else "")
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "proxy-connection")}
                conn.request(self.command, target, body=body, headers=headers)
                answer = conn.getresponse()
                payload = answer.read()
                self.send_response(answer.status)
                for name, value in answer.getheaders():
                    if name.lower() not in ("content-length", "transfer-encoding", "connection"):
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(payload)
                conn.close()

            do_GET = do_POST = _forward  # noqa: N815

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}"

    def hosts(self) -> set[str]:
        return {urlsplit(url).hostname or url.partition(":")[0] for _, url in self.seen}

    def __enter__(self) -> ForwardProxy:
        threading.Thread(target=self._httpd.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *_: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
