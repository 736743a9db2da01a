"""Feeds against a local server that cuts off, resets, drips, grows too big, lies and serves web pages: each feed
fails alone with its own line, the others are merged, and `feed add` checks what it is given."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest

from readlist.net import feedsource
from tests.conftest import Run
from tests.feed_server import arxiv_rss, atom_feed, blog_rss
from tests.forward_proxy import ForwardProxy
from tests.web_server import Behaviour, WebServer, answer, big, drip, garbage, reset, truncate

RSS = "application/rss+xml"


def feed(body: str, headers: dict[str, str] | None = None) -> Behaviour:
    return answer(body, headers=headers, content_type=RSS)


def test_cut_off_reset_dripping_and_oversized_feeds_each_fail_alone(run: Run, web: WebServer) -> None:
    good = blog_rss([("Good post", "https://g.example/1", "fine")])
    web.routes["/good"] = feed(good)
    web.routes["/cut"] = truncate(good.encode()[:120], announced=len(good))
    web.routes["/reset"] = reset(b"HTTP/1.1 200 OK\r\nContent-Length: 900\r\n\r\n<rss")
    web.routes["/drip"] = drip(every=0.2, total=200)
    web.routes["/huge"] = big(300_000, announce=False, content_type=RSS)
    for name in ("cut", "reset", "drip", "huge", "good"):
        assert run("feed", "add", web.url(f"/{name}"), "--name", name, "--no-check").code == 0
    start = time.monotonic()
    result = run("feed", "pull", env={"READLIST_FEED_TIMEOUT": "1", "READLIST_FEED_MAX_MB": "0.1"})
    assert time.monotonic() - start < 4  # the dripping feed is cut at its 1 s deadline
    assert result.code == 1 and "internal error" not in result.err and "Traceback" not in result.err, result
    errors = [line for line in result.err.splitlines() if line.startswith("error:")]
    assert [e.split(":")[1].strip() for e in errors] == ["cut", "reset", "drip", "huge"], result.err
    assert "closed the connection" in errors[0] and "did not" in errors[2] and "0.1 MB limit" in errors[3]
    assert "hint: raise the limit (now 0.1 MB): readlist config set feed_max_mb" in result.err
    assert "good: ok, 1 entries, 1 new in inbox" in result.out
    assert [i["url"] for i in run("inbox", "--json").json()] == ["https://g.example/1"]
    listed = {f["name"]: f["last_error"] for f in run("feed", "list", "--json").json()}
    assert listed["good"] is None and all(listed[n] for n in ("cut", "reset", "drip", "huge"))


def test_unchanged_feed_is_asked_with_if_modified_since_and_not_merged_again(run: Run, web: WebServer) -> None:
    stamp = "Fri, 20 Nov 2026 08:00:00 GMT"
    body = atom_feed([("Atom post", "https://a.example/1", "x")])
    web.routes["/atom"] = [feed(body, {"Last-Modified": stamp})] * 2 + [answer(b"", 304)]
    assert run("feed", "add", web.url("/atom")).code == 0  # the check is one GET
    assert "1 new in inbox" in run("feed", "pull").out
    again = run("feed", "pull")
    assert again.code == 0 and "not modified" in again.out
    assert web.hits[-1].headers["if-modified-since"] == stamp
    assert len(run("inbox", "--json").json()) == 1


@pytest.mark.parametrize(
    ("route", "says"),
    [
        (answer("<!doctype html><html><head><title>Blog</title></head><body><p>hi</p></body></html>"), "not a feed"),
        (answer("<html><body><p>unclosed</body>"), "not a feed"),
        (answer(b"\x00\x01\xfe garbage", content_type=RSS), "not a feed"),
        (answer("not here", 404), "HTTP 404"),
        (garbage(), "not HTTP"),
    ],
    ids=["html-page", "broken-html", "binary", "404", "not-http"],
)
def test_feed_add_refuses_what_is_not_a_feed(run: Run, web: WebServer, route: Behaviour, says: str) -> None:
    web.routes["/feed"] = route
    result = run("feed", "add", web.url("/feed"))
    assert result.code == 1 and says in result.err and "internal error" not in result.err, result
    assert "--no-check" in result.err.splitlines()[-1]
    assert run("feed", "list", "--json").json() == []
    assert run("feed", "add", web.url("/feed"), "--no-check").code == 0


def test_feeds_are_checked_and_pulled_through_the_http_proxy(
    run: Run, web: WebServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    web.routes["/rss"] = feed(blog_rss([("Behind the wall", "https://w.example/1", "x")]))
    with ForwardProxy({"feeds.proxy.test": web.base.removeprefix("http://")}) as proxy:
        for name in ("HTTP_PROXY", "http_proxy"):
            monkeypatch.setenv(name, proxy.url)
        assert run("feed", "add", "http://feeds.proxy.test/rss", "--name", "walled").code == 0
        assert "walled: ok, 1 entries, 1 new in inbox" in run("feed", "pull").out
        assert proxy.hosts() == {"feeds.proxy.test"}
    assert [hit.path for hit in web.hits] == ["/rss", "/rss"]


def test_feed_add_offline_says_so_and_suggests_no_check(run: Run) -> None:
    result = run("feed", "add", "http://127.0.0.1:9/rss")
    assert result.code == 1 and "cannot reach the feed" in result.err and "refused" in result.err, result
    assert "hint:" in result.err and "--no-check" in result.err
    assert run("feed", "list", "--json").json() == []


def test_a_feed_of_one_groups_papers_gets_distinct_citation_keys_in_linear_time(
    run: Run, web: WebServer, isolated_library: Path
) -> None:
    """3,000 entries with the same first author, year and title word: keys `alice2026kv`, `…a` … `…dgz`."""
    entries = [(f"2611.{n:05d}v1", "new", f"KV cache paper {n}", "quantization") for n in range(3000)]
    web.routes["/rss"] = feed(arxiv_rss(entries))
    run("feed", "add", web.url("/rss"))
    start = time.monotonic()
    assert "3000 new in inbox" in run("feed", "pull").out
    assert time.monotonic() - start < 20  # was 21 s for 3,000 entries with one-by-one key lookups
    with sqlite3.connect(isolated_library) as conn:
        keys = [k for (k,) in conn.execute("SELECT citation_key FROM item ORDER BY id")]
    assert len(set(keys)) == 3000 and keys[:3] == ["author2026kv", "author2026kva", "author2026kvb"]


def test_parser_reads_atom_rdf_and_rss_fields_and_never_expands_entities() -> None:
    atom = b"""<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>
    <entry><title type="html">&lt;b&gt;Bold&lt;/b&gt; title</title><id>urn:1</id>
    <link rel="related" href="https://x.example/rel"/><link href="https://x.example/post"/>
    <author><name>Ann Lee</name><email>a@x.example</email></author><published>2026-11-18T10:00:00+08:00</published>
    <content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>Body <em>text</em></p></div></content>
    </entry></feed>"""
    (entry,) = feedsource.parse(atom).entries
    assert (entry.link, entry.id, entry.authors) == ("https://x.example/post", "urn:1", ["Ann Lee"])
    assert entry.title == "<b>Bold</b> title" and entry.summary == "Body text"
    assert entry.published == "2026-11-18T02:00:00Z"
    laughs = b"""<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">
    <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
    <!ENTITY x SYSTEM "file:///etc/passwd">]><rss version="2.0"><channel>
    <item><title>&d;&x;</title><link>https://l.example/1</link></item></channel></rss>"""
    parsed = feedsource.parse(laughs)
    assert [e.link for e in parsed.entries] == ["https://l.example/1"]
    assert "root:" not in parsed.entries[0].title and len(parsed.entries[0].title) < 1000
