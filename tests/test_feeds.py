"""Feeds through the real console script against a local feed server."""

from __future__ import annotations

from typing import Any

from tests.conftest import Run
from tests.feed_server import FeedServer, arxiv_rss, atom_feed, blog_rss, rdf_feed


def _inbox(run: Run) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = run("inbox", "--json").json()
    return items


def test_arxiv_listing_matches_terms_bilingually_and_lands_in_inbox(run: Run, feeds: FeedServer) -> None:
    feeds.routes["/rss/cs.CL"] = arxiv_rss(
        [
            ("2611.00001v1", "new", "Compressing the KV Cache of long-context LLMs", "We compress caches."),
            ("2611.00002v1", "cross", "Post-training quantization for MoE", "Weights to 4 bits."),
            ("2611.00003v1", "new", "A survey of protein folding", "Biology."),
        ]
    )
    assert run("feed", "add", f"{feeds.base}/rss/cs.CL", "--match", "kv cache, 量化", "--tag", "daily").code == 0
    pulled = run("feed", "pull")
    assert pulled.code == 0 and "2 new in inbox" in pulled.out, pulled
    inbox = _inbox(run)
    assert [i["arxiv_id"] for i in inbox] == ["2611.00001", "2611.00002"]
    assert inbox[0]["authors"] == ["Alice Author", "Bob Builder", "Carol Coder"]
    assert inbox[0]["abstract"] == "We compress caches." and inbox[0]["tags"] == ["daily"]
    assert run("todo", "--json").json() == []
    run("keep", "2611.00001")
    run("skip", "2611.00002")
    assert [i["arxiv_id"] for i in run("todo", "--json").json()] == ["2611.00001"]
    assert _inbox(run) == []


def test_second_pull_uses_etag_and_adds_nothing(run: Run, feeds: FeedServer) -> None:
    feeds.routes["/blog.xml"] = blog_rss(
        [("FlashInfer sampling kernels", "https://flashinfer.ai/post?utm_source=x", "GPU")]
    )
    run("feed", "add", f"{feeds.base}/blog.xml", "--name", "flashinfer")
    run("feed", "pull")
    again = run("feed", "pull")
    assert "not modified" in again.out and feeds.hits[-1][1] is not None
    items = run("list", "--json").json()
    assert len(items) == 1 and items[0]["url"] == "https://flashinfer.ai/post" and items[0]["kind"] == "article"


def test_rdf_and_atom_feeds_and_dedup_against_the_list(run: Run, feeds: FeedServer) -> None:
    feeds.routes["/rdf"] = rdf_feed([("Speculative decoding notes", "https://rdf.example/a", "drafts")])
    feeds.routes["/atom"] = atom_feed(
        [
            ("Speculative decoding notes", "https://rdf.example/a", "same post"),
            ("投机解码综述", "https://atom.example/b", "中文"),
        ]
    )
    run("feed", "add", f"{feeds.base}/rdf", "--match", "投机解码")
    run("feed", "add", f"{feeds.base}/atom", "--match", "speculative decoding")
    assert run("feed", "pull").code == 0
    assert sorted(i["url"] for i in _inbox(run)) == ["https://atom.example/b", "https://rdf.example/a"]


def test_replacement_updates_a_listed_paper_instead_of_adding(run: Run, feeds: FeedServer) -> None:
    run("add", "2611.00001v1", "--no-fetch")
    feeds.routes["/rss"] = arxiv_rss([("2611.00001v2", "replace", "Compressing the KV Cache", "v2")])
    run("feed", "add", f"{feeds.base}/rss")
    out = run("feed", "pull").out
    assert "0 new in inbox, 1 updated" in out
    item = run("show", "1", "--json").json()
    assert item["arxiv_version"] == 2 and item["status"] == "unread"


def test_broken_failing_and_stalled_feeds_warn_and_the_rest_go_on(run: Run, feeds: FeedServer) -> None:
    feeds.routes["/broken"] = blog_rss([("Salvaged post", "https://b.example/1", "ok")])[:-40] + "<item><title>x"
    feeds.routes["/good"] = blog_rss([("Good post", "https://g.example/1", "fine")])
    feeds.faults["/down"] = "500"
    feeds.faults["/slow"] = "stall"
    feeds.routes["/html"] = "<html><body>not a feed</body></html>"
    for path in ("broken", "good", "down", "slow", "html"):
        run("feed", "add", f"{feeds.base}/{path}", "--name", path, "--no-check")
    result = run("feed", "pull", env={"READLIST_FEED_TIMEOUT": "1"})
    assert result.code == 1 and "Traceback" not in result.err, result
    assert "error: down: HTTP 500" in result.err and "error: slow: cannot fetch" in result.err
    assert "error: html: not a feed" in result.err
    assert "salvaged" in result.err
    urls = {i["url"] for i in _inbox(run)}
    assert "https://g.example/1" in urls and "https://b.example/1" in urls
    listed = {f["name"]: f for f in run("feed", "list", "--json").json()}
    assert listed["down"]["last_error"] == "HTTP 500" and listed["good"]["last_error"] is None


def test_feed_rm_and_bad_input(run: Run, feeds: FeedServer) -> None:
    assert run("feed", "add", "not a url").code == 1
    run("feed", "add", f"{feeds.base}/x", "--name", "x", "--no-check")
    assert run("feed", "add", f"{feeds.base}/x", "--no-check").code == 1
    assert run("feed", "rm", "x").code == 0 and run("feed", "rm", "x").code == 1
    assert run("feed", "list", "--json").json() == []
