"""A real HTTP server on 127.0.0.1 that answers like the arXiv API (Atom), and can misbehave on request."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse
from xml.sax.saxutils import escape

FEED_HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/"
      xmlns:arxiv="http://arxiv.org/schemas/atom">
  <link href="http://arxiv.org/api/query" rel="self" type="application/atom+xml"/>
  <title type="html">ArXiv Query</title>
  <id>http://arxiv.org/api/test</id>
  <updated>2026-11-21T00:00:00-05:00</updated>
  <opensearch:totalResults>{total}</opensearch:totalResults>
  <opensearch:startIndex>0</opensearch:startIndex>
  <opensearch:itemsPerPage>{total}</opensearch:itemsPerPage>
"""


def paper(arxiv_id: str, version: int = 1, title: str | None = None, **extra: str) -> dict[str, object]:
    return {
        "id": arxiv_id,
        "version": version,
        "title": title or f"Paper {arxiv_id}",
        "summary": extra.get("summary", f"Abstract of {arxiv_id}."),
        "authors": extra.get("authors", "Alice Author|Bob Builder").split("|"),
        "affiliation": extra.get("affiliation"),
        "doi": extra.get("doi"),
        "journal_ref": extra.get("journal_ref"),
        "comment": extra.get("comment"),
        "published": extra.get("published", "2024-08-21T17:59:00Z"),
        "updated": extra.get("updated", "2024-08-22T10:00:00Z"),
    }


def entry_xml(p: dict[str, object]) -> str:
    aid, v = p["id"], p["version"]
    authors = []
    names: list[str] = p["authors"]  # type: ignore[assignment]
    for i, name in enumerate(names):
        aff = (
            f"<arxiv:affiliation>{escape(str(p['affiliation']))}</arxiv:affiliation>"
            if p["affiliation"] and i == 0
            else ""
        )
        authors.append(f"<author><name>{escape(name)}</name>{aff}</author>")
    optional = "".join(
        f"<arxiv:{tag}>{escape(str(p[tag]))}</arxiv:{tag}>" for tag in ("doi", "journal_ref", "comment") if p[tag]
    )
    return f"""  <entry>
    <id>http://arxiv.org/abs/{aid}v{v}</id>
    <updated>{p["updated"]}</updated>
    <published>{p["published"]}</published>
    <title>{escape(str(p["title"]))}</title>
    <summary>{escape(str(p["summary"]))}</summary>
    {"".join(authors)}
    {optional}
    <link href="http://arxiv.org/abs/{aid}v{v}" rel="alternate" type="text/html"/>
    <link title="pdf" href="http://arxiv.org/pdf/{aid}v{v}" rel="related" type="application/pdf"/>
    <arxiv:primary_category term="cs.LG" scheme="http://arxiv.org/schemas/atom"/>
    <category term="cs.LG" scheme="http://arxiv.org/schemas/atom"/>
    <category term="cs.AI" scheme="http://arxiv.org/schemas/atom"/>
  </entry>
"""


def error_feed(bad_id: str) -> str:
    return (
        FEED_HEAD.format(total=1)
        + f"""  <entry>
    <id>http://arxiv.org/api/errors#incorrect_id_format_for_{bad_id}</id>
    <title>Error</title>
    <summary>incorrect id format for {bad_id}</summary>
    <updated>2026-11-21T00:00:00-05:00</updated>
    <link href="http://arxiv.org/api/errors#incorrect_id_format_for_{bad_id}" rel="alternate" type="text/html"/>
    <author><name>arXiv api core</name></author>
  </entry>
</feed>
"""
    )


class ArxivServer:
    """`papers` maps versionless IDs to entries; `script` is a queue of misbehaviours for the next requests."""

    def __init__(self) -> None:
        self.papers: dict[str, dict[str, object]] = {}
        self.script: list[tuple[int, dict[str, str], bytes] | str] = []
        self.requests: list[dict[str, list[str]]] = []
        self.request_times: list[float] = []
        self.user_agents: list[str] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                query = parse_qs(urlparse(self.path).query)
                server.requests.append(query)
                server.request_times.append(time.monotonic())
                server.user_agents.append(self.headers.get("User-Agent", ""))
                action = server.script.pop(0) if server.script else None
                if action == "stall":
                    time.sleep(5)
                    return
                if isinstance(action, tuple):
                    status, headers, raw = action
                    self._send(status, raw, headers)
                    return
                ids = [i for i in query.get("id_list", [""])[0].split(",") if i]
                bad = [i for i in ids if not i.replace(".", "").replace("/", "").replace("-", "").isalnum()]
                if bad:
                    self._send(400, error_feed(bad[0]).encode())
                    return
                found = [server.papers[i] for i in ids if i in server.papers]
                body = FEED_HEAD.format(total=len(found)) + "".join(entry_xml(p) for p in found) + "</feed>\n"
                self._send(200, body.encode())

            def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/atom+xml; charset=utf-8")
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/api/query"

    def add(self, arxiv_id: str, version: int = 1, title: str | None = None, **extra: str) -> None:
        self.papers[arxiv_id] = paper(arxiv_id, version, title, **extra)

    def start(self) -> None:
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
