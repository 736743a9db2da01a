"""The arXiv client itself, against the local arXiv-format server (the retry bug survived without these)."""

from __future__ import annotations

import json

from readlist.net.arxiv import ArxivClient
from tests.arxiv_server import FEED_HEAD, ArxivServer
from tests.conftest import Run
from tests.sources_server import DATA


def test_client_with_two_tries_sends_exactly_two_requests(arxiv_server: ArxivServer) -> None:
    arxiv_server.script.extend([(503, {}, b"busy")] * 5)
    client = ArxivClient(lambda: None, sleep=lambda _: None, max_tries=2)
    result = client.fetch_chunk(["2401.00001"])
    assert len(arxiv_server.requests) == 2 and client.requests_sent == 2
    assert result.failed == ["2401.00001"] and not result.not_found and "2 tries" in (result.error or "")


def test_feed_that_looks_like_atom_but_is_not_an_api_answer_is_an_error(arxiv_server: ArxivServer) -> None:
    arxiv_server.script.append((200, {}, b'<feed xmlns="http://www.w3.org/2005/Atom"><title>Error</title></feed>'))
    result = ArxivClient(lambda: None, max_tries=1).fetch_chunk(["2401.00001"])
    assert result.failed == ["2401.00001"] and not result.not_found


def test_well_formed_feed_without_the_id_means_not_found(arxiv_server: ArxivServer) -> None:
    arxiv_server.script.append((200, {}, (FEED_HEAD.format(total=0) + "</feed>").encode()))
    result = ArxivClient(lambda: None, max_tries=1).fetch_chunk(["2401.00001"])
    assert result.not_found == ["2401.00001"] and not result.failed


def test_real_arxiv_api_answer_gives_exact_title_authors_venue_and_year(run: Run, arxiv_server: ArxivServer) -> None:
    """The API's own layout: namespaces declared per element, titles wrapped over lines, LaTeX, old-style IDs."""
    body = (DATA / "arxiv_api.xml").read_bytes()
    expected = json.loads((DATA / "arxiv_expected.json").read_text())
    arxiv_server.script.append((200, {}, body))
    assert run("add", *expected).code == 0
    got = {item["arxiv_id"]: item for item in run("list", "--json").json()}
    for arxiv_id, want in expected.items():
        item = got[arxiv_id]
        assert (item["title"], item["authors"]) == (want["title"], want["authors"])
        assert (item["venue"], item["year"]) == (want["venue"], want["year"]), arxiv_id
