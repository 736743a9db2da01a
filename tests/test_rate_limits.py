"""Servers' own limits are obeyed: GitHub's X-RateLimit-*, Crossref's X-Rate-Limit-*, Semantic Scholar's 429.
Held-back items stay pending with one message, and nothing more is sent until the server's pause is over."""

from __future__ import annotations

import time

from readlist.services.fetch import SOURCE_WORKERS
from tests.arxiv_server import ArxivServer
from tests.conftest import Run
from tests.items import listed
from tests.sources_server import SourcesServer


def _warnings(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.startswith(("warning", "error"))]


def test_github_rate_limit_used_up_leaves_repos_pending_with_one_message_and_no_hammering(
    run: Run, sources_server: SourcesServer
) -> None:
    repos = [f"https://github.com/owner/repo{n}" for n in range(30)]
    assert run("add", "--no-fetch", *repos).code == 0
    reset = str(int(time.time()) + 1800)
    sources_server.status["/github"] = (403, {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset})
    first = run("fetch")
    assert first.code == 1, first
    asked = sources_server.count("/github")
    assert 1 <= asked <= SOURCE_WORKERS, "only the requests already in flight when GitHub said stop"
    said = _warnings(first.err)
    assert len([line for line in said if "rate limit" in line]) == 1, first.err
    assert "GitHub's rate limit is used up until" in first.err and "GITHUB_TOKEN" in first.err
    again = run("fetch")  # another process, minutes later: GitHub is not asked before the reset
    assert again.code == 1 and sources_server.count("/github") == asked, again
    assert "in 0 request(s)" in again.out, again
    assert {item["metadata_status"] for item in listed(run)} == {"pending"}


def test_github_answer_with_no_requests_left_stops_the_next_ones_in_the_same_add(
    run: Run, sources_server: SourcesServer
) -> None:
    sources_server.add_github("github_liger.json")
    reset = str(int(time.time()) + 600)
    sources_server.headers["/github"] = {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset}
    result = run("add", "https://github.com/linkedin/Liger-Kernel", "https://github.com/a/b", "github.com/c/d")
    assert result.code == 0, result
    assert sources_server.count("/github") == 1
    assert [i["metadata_status"] for i in listed(run)] == ["fetched", "pending", "pending"]
    assert len(_warnings(result.err)) == 1 and "GITHUB_TOKEN" in result.err, result.err


def test_crossref_announced_rate_is_kept_between_requests(run: Run, sources_server: SourcesServer) -> None:
    sources_server.headers["/crossref"] = {"X-Rate-Limit-Limit": "4", "X-Rate-Limit-Interval": "1s"}
    first = sources_server.add_crossref("crossref_vllm.json")
    assert run("add", first).code == 0  # learns "4 per second" from the answer
    dois = [sources_server.add_crossref(f) for f in ("crossref_marlin.json", "crossref_alphafold.json")]
    assert run("add", "--no-fetch", *dois, "10.1000/none.1", "10.1000/none.2").code == 0
    assert run("fetch").code == 0
    times = sorted(sources_server.times[1:])  # the fetch's 4 requests, sent by 4 workers at once if allowed
    gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
    assert len(gaps) == 3 and min(gaps) >= 0.2, gaps


def test_semantic_scholar_429_with_a_long_retry_after_is_asked_once(
    run: Run, sources_server: SourcesServer, arxiv_server: ArxivServer
) -> None:
    arxiv_server.add("2309.06180")
    assert run("add", "2309.06180").code == 0
    sources_server.status["/s2"] = (429, {"Retry-After": "3600"})
    started = time.monotonic()
    result = run("fetch", "--published")
    assert time.monotonic() - started < 10 and sources_server.count("/s2") == 1
    # Nothing could be checked: a failure that says why (exit 1), not "0 of 1 published".
    assert result.code == 1 and "could not check any of 1 preprint(s)" in result.err, result
    assert "Semantic Scholar's rate limit is used up until" in result.err, result
    assert run("fetch", "--published").code == 1 and sources_server.count("/s2") == 1
