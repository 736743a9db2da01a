"""Real little PDFs (text on the first page, document info) and a local server that serves them like arXiv."""

from __future__ import annotations

import contextlib
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


def make_pdf(path: Path, text: str = "", info: dict[str, str] | None = None, pad: int = 0) -> Path:
    """A one-page PDF with `text` set in Helvetica and an /Info dictionary; `pad` adds bulk for resume tests."""
    escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    stream = f"BT /F1 12 Tf 72 720 Td ({escaped}) Tj ET".encode() + b"\n%" + b"x" * pad
    info_entries = "".join(f"/{k} ({v})" for k, v in (info or {}).items())
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        f"<< {info_entries} >>".encode(),
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info 6 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    path.write_bytes(bytes(out))
    return path


class PdfServer:
    """Serves `body` at /pdf/<anything>, honouring Range; records each request's path and Range header."""

    def __init__(self, body: bytes, *, cut_after: int | None = None, drip: float = 0.0) -> None:
        self.body = body
        self.cut_after = cut_after  # send only this many bytes on the first request (a dropped connection)
        self.drip = drip  # > 0: one byte per `drip` seconds (a server that never stops, never finishes)
        self.requests: list[tuple[str, str | None]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                rng = self.headers.get("Range")
                server.requests.append((self.path, rng))
                start = int(rng.split("=")[1].split("-")[0]) if rng else 0
                payload = server.body[start:]
                self.send_response(206 if rng else 200)
                self.send_header("Content-Type", "application/pdf")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                if server.drip:
                    with contextlib.suppress(OSError):
                        for byte in payload[: int(30 / server.drip)]:  # gives up after 30 s
                            self.wfile.write(bytes([byte]))
                            self.wfile.flush()
                            time.sleep(server.drip)
                    return
                if server.cut_after is not None and len(server.requests) == 1:
                    self.wfile.write(payload[: server.cut_after])
                    self.wfile.flush()
                    self.connection.close()
                    return
                self.wfile.write(payload)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/pdf"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> PdfServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
