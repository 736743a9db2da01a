"""A real HTTP server on 127.0.0.1 answering like Crossref, GitHub, Semantic Scholar, OpenReview and web sites,
from the real-format fixture files in tests/data/sources; it can also answer 404, 410, 429, 500, stall, or drip (one byte at a time, never finishing)."""

from __future__ import annotations

import contextlib
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

DATA = Path(__file__).parent / "data" / "sources"


class SourcesServer:
    def __init__(self) -> None:
        self.crossref: dict[str, bytes] = {}  # doi (lower-case) → work JSON
        self.github: dict[str, bytes] = {}  # "owner/repo" (lower-case) → repo JSON
        self.openreview: dict[str, bytes] = {}  # note id → notes JSON
        self.s2: dict[str, dict[str, object]] = {}  # arXiv ID → paper object
        self.pages: dict[str, tuple[bytes, str]] = {}  # path → (body, content type)
        self.status: dict[str, tuple[int, dict[str, str]]] = {}  # path prefix → forced status and headers
        self.stall: float = 0.0
        self.drip: float = 0.0  # > 0: every answer is a 200 promising 1 MB and sending one byte per `drip` s
        self.requests: list[tuple[str, str]] = []  # (method, path)
        self.times: list[float] = []  # when each request arrived (monotonic)
        self.headers: dict[str, dict[str, str]] = {}  # path prefix → extra headers on every answer
        self.s2_bodies: list[object] = []
        self.lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}"
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    # --- fixtures ---------------------------------------------------------------------------------------------

    def add_crossref(self, fixture: str) -> str:
        body = (DATA / fixture).read_bytes()
        doi = json.loads(body)["message"]["DOI"]
        self.crossref[doi.lower()] = body
        return str(doi)

    def add_github(self, fixture: str) -> str:
        body = (DATA / fixture).read_bytes()
        name = json.loads(body)["full_name"]
        self.github[name.lower()] = body
        return str(name)

    def add_openreview(self, fixture: str) -> str:
        body = (DATA / fixture).read_bytes()
        note_id = json.loads(body)["notes"][0]["id"]
        self.openreview[note_id] = body
        return str(note_id)

    def add_s2(self, fixture: str = "s2_batch.json") -> None:
        for paper in json.loads((DATA / fixture).read_text()):
            if paper and paper.get("externalIds", {}).get("ArXiv"):
                self.s2[paper["externalIds"]["ArXiv"]] = paper

    def add_page(self, path: str, fixture: str | bytes, content_type: str = "text/html") -> str:
        body = fixture if isinstance(fixture, bytes) else (DATA / fixture).read_bytes()
        self.pages[path] = (body, content_type)
        return f"{self.url}{path}"

    def count(self, prefix: str) -> int:
        return sum(1 for _, path in self.requests if path.startswith(prefix))

    # --- HTTP -------------------------------------------------------------------------------------------------

    def _answer(
        self, method: str, path: str, query: dict[str, list[str]], body: bytes
    ) -> tuple[int, dict[str, str], bytes]:
        for prefix, (status, headers) in self.status.items():
            if path.startswith(prefix):
                return status, headers, json.dumps({"status": "error", "message": f"HTTP {status}"}).encode()
        if path.startswith("/crossref/works/"):
            work = self.crossref.get(unquote(path.removeprefix("/crossref/works/")).lower())
            if work is None:
                return 404, {"Content-Type": "text/plain"}, b"Resource not found."
            return 200, {"Content-Type": "application/json"}, work
        if path.startswith("/github/repos/"):
            repo = self.github.get(path.removeprefix("/github/repos/").lower())
            if repo is None:
                missing = b'{"message":"Not Found","documentation_url":"https://docs.github.com/rest/repos/repos#get-a-repository","status":"404"}'
                return 404, {"Content-Type": "application/json"}, missing
            return 200, {"Content-Type": "application/json", "X-RateLimit-Remaining": "59"}, repo
        if path == "/openreview/notes":
            note = self.openreview.get((query.get("id") or [""])[0])
            return 200, {"Content-Type": "application/json"}, note or b'{"notes":[],"count":0}'
        if path == "/s2/paper/batch" and method == "POST":
            ids = json.loads(body)["ids"]
            self.s2_bodies.append(ids)
            answer = [self.s2.get(i.removeprefix("ARXIV:")) for i in ids]
            return 200, {"Content-Type": "application/json"}, json.dumps(answer).encode()
        if path in self.pages:
            page, content_type = self.pages[path]
            return 200, {"Content-Type": content_type}, page
        return (
            404,
            {"Content-Type": "text/html"},
            b"<html><head><title>404 Not Found</title></head><body>nope</body></html>",
        )

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self, method: str) -> None:
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                with server.lock:
                    server.requests.append((method, parts.path))
                    server.times.append(time.monotonic())
                if server.stall:
                    time.sleep(server.stall)
                if server.drip:
                    self._drip(server.drip)
                    return
                status, headers, payload = server._answer(method, parts.path, parse_qs(parts.query), body)
                self.send_response(status)
                for prefix, extra in server.headers.items():
                    headers = {**headers, **extra} if parts.path.startswith(prefix) else headers
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(payload)

            def _drip(self, every: float) -> None:
                """A server that never stops and never finishes: a per-read timeout never fires on it."""
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", "1000000")
                self.end_headers()
                with contextlib.suppress(OSError):
                    for _ in range(int(30 / every)):  # gives up after 30 s, so no thread outlives a test run
                        self.wfile.write(b" ")
                        self.wfile.flush()
                        time.sleep(every)

            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                self._serve("GET")

            def do_POST(self) -> None:  # noqa: N802
                self._serve("POST")

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                pass

        return Handler
