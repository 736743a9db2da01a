"""A real HTTP server on 127.0.0.1 serving feeds in the formats arXiv and blogs use, with ETags and faults."""

from __future__ import annotations

import contextlib
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def arxiv_rss(entries: list[tuple[str, str, str, str]]) -> str:
    """RSS 2.0 as rss.arxiv.org serves it: (arxiv id with version, announce type, title, abstract)."""
    items = "".join(
        f"""<item><title>{title}</title><link>https://arxiv.org/abs/{aid}</link>
<description>arXiv:{aid} Announce Type: {kind} Abstract: {abstract}</description>
<guid isPermaLink="false">oai:arXiv.org:{aid}</guid><category>cs.CL</category>
<pubDate>Fri, 20 Nov 2026 00:00:00 -0500</pubDate><arxiv:announce_type>{kind}</arxiv:announce_type>
<dc:creator>Alice Author, Bob Builder and Carol Coder</dc:creator></item>"""
        for aid, kind, title, abstract in entries
    )
    return f"""<?xml version='1.0' encoding='UTF-8'?>
<rss xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns:dc="http://purl.org/dc/elements/1.1/" version="2.0">
<channel><title>cs.CL updates on arXiv.org</title><link>http://rss.arxiv.org/rss/cs.CL</link>
<description>cs.CL updates</description>{items}</channel></rss>"""


def blog_rss(posts: list[tuple[str, str, str]]) -> str:
    items = "".join(
        f"<item><title>{t}</title><link>{u}</link><description>&lt;p&gt;{d}&lt;/p&gt;</description>"
        f"<pubDate>Thu, 19 Nov 2026 10:00:00 GMT</pubDate></item>"
        for t, u, d in posts
    )
    return f"""<?xml version="1.0"?><rss version="2.0"><channel><title>Blog</title><link>https://blog.example</link>
<description>posts</description>{items}</channel></rss>"""


def rdf_feed(posts: list[tuple[str, str, str]]) -> str:
    items = "".join(
        f'<item rdf:about="{u}"><title>{t}</title><link>{u}</link><description>{d}</description></item>'
        for t, u, d in posts
    )
    return f"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/">
<channel rdf:about="https://rdf.example/"><title>RDF</title><link>https://rdf.example/</link>
<description>d</description></channel>{items}</rdf:RDF>"""


def atom_feed(posts: list[tuple[str, str, str]]) -> str:
    entries = "".join(
        f'<entry><title>{t}</title><link href="{u}"/><id>{u}</id><updated>2026-11-18T00:00:00Z'
        f"</updated><summary>{d}</summary></entry>"
        for t, u, d in posts
    )
    return f"""<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">
<title>Atom blog</title><id>https://atom.example/</id><updated>2026-11-18T00:00:00Z</updated>{entries}</feed>"""


class FeedServer:
    """`routes` maps a path to (content type, body); ETags are honoured; `faults` maps a path to 500/stall/429/drip."""

    def __init__(self) -> None:
        self.routes: dict[str, str] = {}
        self.faults: dict[str, str] = {}
        self.hits: list[tuple[str, str | None]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                server.hits.append((self.path, self.headers.get("If-None-Match")))
                fault = server.faults.get(self.path)
                if fault == "stall":
                    time.sleep(3)
                    return
                if fault == "429":  # this feed's own rate limit: a pause of an hour
                    self.send_response(429)
                    self.send_header("Retry-After", "3600")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if fault == "drip":  # headers, then a byte a second: only a total deadline ends it
                    self.send_response(200)
                    self.send_header("Content-Type", "application/xml")
                    self.send_header("Content-Length", "100000")
                    self.end_headers()
                    with contextlib.suppress(OSError):
                        for _ in range(30):
                            self.wfile.write(b" ")
                            self.wfile.flush()
                            time.sleep(1)
                    return
                if fault == "500" or self.path not in server.routes:
                    self.send_response(500 if fault else 404)
                    self.end_headers()
                    return
                body = server.routes[self.path].encode("utf-8")
                etag = f'"{hash(body) & 0xFFFFFF:x}"'
                if self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/xml; charset=utf-8")
                self.send_header("ETag", etag)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def start(self) -> None:
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
