"""Every network fault is bounded (issue 26): a server that drips a byte a second or never answers costs a
command at most about twice the source's timeout — PDFs, Crossref, GitHub, OpenReview, pages, Semantic Scholar
and arXiv — an answer over the size cap is fetched once, one feed's 429 holds back that feed only, and slow
feeds are pulled side by side. Small timeouts through the environment keep each test to a second or two."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from readlist.net import arxiv
from tests.arxiv_server import ArxivServer
from tests.conftest import Run
from tests.feed_server import FeedServer, blog_rss
from tests.pdf_fixtures import PdfServer, make_pdf
from tests.sources_server import SourcesServer

FAST = {"READLIST_SOURCE_TIMEOUT": "0.5"}  # budget: 2 × 0.5 s per source per command


def timed(run: Run, *args: str, env: dict[str, str] | None = None) -> tuple[float, str]:
    start = time.monotonic()
    result = run(*args, env=env)
    assert "internal error" not in result.err and "Traceback" not in result.err, result
    return time.monotonic() - start, result.out + result.err


def test_pdf_from_a_dripping_server_ends_at_its_deadline_and_resumes(run: Run, tmp_path: Path) -> None:
    body = make_pdf(tmp_path / "src.pdf", "Marlin", pad=20_000).read_bytes()
    run("add", "arxiv.org/abs/2408.11743v2", "--no-fetch")
    with PdfServer(body, drip=0.05) as server:
        took, said = timed(run, "pdf", "1", env={"READLIST_ARXIV_PDF_URL": server.url, "READLIST_PDF_TIMEOUT": "1"})
    assert took < 4, took  # was unbounded: a byte a second kept it past 90 s
    assert "interrupted" in said and "run the same command again to resume" in said, said
    assert list(Path(run("db", "path").out.strip()).parent.rglob("*.pdf.part"))  # what came is kept


@pytest.mark.parametrize("source", ["crossref", "github", "openreview", "page"])
def test_a_dripping_source_costs_fetch_about_twice_its_timeout(
    run: Run, sources_server: SourcesServer, source: str
) -> None:
    refs = {
        "crossref": ["10.1145/1111.1", "10.1145/1111.2", "10.1145/1111.3"],
        "github": ["https://github.com/a/one", "https://github.com/a/two", "https://github.com/a/three"],
        "openreview": [f"https://openreview.net/forum?id=Note{n}abcd" for n in range(3)],
        "page": [f"{sources_server.url}/post/{n}" for n in range(3)],
    }[source]
    assert run("add", "--no-fetch", *refs).code == 0
    sources_server.drip = 0.1
    took, said = timed(run, "fetch", env=FAST)  # fetch tries 3 times: was 3 × 15 s, whatever was set
    assert took < 3, (took, said)  # ≈ 1 s: the budget, 2 × 0.5 s
    assert "pending" in said, said
    assert len(sources_server.requests) <= 2 * len(refs)


def test_a_stalled_source_is_bounded_too(run: Run, sources_server: SourcesServer) -> None:
    assert run("add", "--no-fetch", "10.1145/2222.1").code == 0
    sources_server.stall = 4  # says nothing at all for 4 s
    took, said = timed(run, "fetch", env=FAST)
    assert took < 3 and "pending" in said, (took, said)


def test_a_dripping_semantic_scholar_costs_published_about_twice_its_timeout(
    run: Run, sources_server: SourcesServer
) -> None:
    assert run("add", "2309.06180", "2309.17453", "--no-fetch").code == 0
    sources_server.drip = 0.1
    took, said = timed(run, "fetch", "--published", env=FAST)
    assert took < 3 and "not answer" in said, (took, said)


def test_a_dripping_arxiv_costs_fetch_about_twice_its_timeout(run: Run, sources_server: SourcesServer) -> None:
    assert run("add", "2408.11743", "2309.06180", "--no-fetch").code == 0
    sources_server.drip = 0.1
    env = {"READLIST_ARXIV_URL": f"{sources_server.url}/arxiv/query", "READLIST_ARXIV_TIMEOUT": "1"}
    took, said = timed(run, "fetch", env=env)  # 4 tries: was 4 × the timeout and the backoffs
    assert took < 3.6, (took, said)  # ≈ 2 s
    assert "pending" in said and len(sources_server.requests) <= 2, said


def test_an_arxiv_answer_over_the_size_cap_is_fetched_once(
    run: Run, arxiv_server: ArxivServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run("add", "2408.11743", "--no-fetch").code == 0
    monkeypatch.setattr(arxiv, "MAX_BYTES", 10_000)
    arxiv_server.script = [(200, {}, b"<feed>" + b" " * 20_000 + b"</feed>")] * 4
    took, said = timed(run, "fetch")
    assert len(arxiv_server.requests) == 1, said  # was 4 × 20 MB
    assert "too large" in said and took < 4, said


def test_one_feeds_429_does_not_hold_back_another_feed_on_its_host(run: Run, feeds: FeedServer) -> None:
    feeds.routes["/limited"] = feeds.routes["/open"] = blog_rss([("Post", "https://g.example/1", "text")])
    feeds.faults["/limited"] = "429"  # Retry-After: 3600
    for name in ("limited", "open"):
        assert run("feed", "add", f"{feeds.base}/{name}", "--name", name, "--no-check").code == 0
    first = run("feed", "pull")
    assert "open: ok" in first.out and "limited" in first.err, first
    second = run("feed", "pull")
    assert "open: not modified" in second.out, second  # was: "asked for a pause of 60 min", for an hour
    assert "limited" in second.err and "pause" in second.err, second
    assert [path for path, _ in feeds.hits].count("/limited") == 1  # the limited feed itself is not asked again


def test_slow_feeds_are_pulled_side_by_side(run: Run, feeds: FeedServer) -> None:
    feeds.routes["/good"] = blog_rss([("Post", "https://g.example/2", "text")])
    for name in ("slow1", "slow2", "slow3"):
        feeds.faults[f"/{name}"] = "stall"
    for name in ("slow1", "slow2", "slow3", "good"):
        assert run("feed", "add", f"{feeds.base}/{name}", "--name", name, "--no-check").code == 0
    took, said = timed(run, "feed", "pull", env={"READLIST_FEED_TIMEOUT": "1"})
    assert took < 2.7, took  # ≈ 1 s; one after another: 3 × 1 s and more
    assert "good: ok" in said and said.count("did not") + said.count("cannot fetch") >= 3, said
