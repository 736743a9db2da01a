"""arXiv metadata through a real local HTTP server that speaks the arXiv Atom format."""

from __future__ import annotations

import time

from tests.arxiv_server import ArxivServer
from tests.conftest import Run
from tests.items import listed


def test_add_any_arxiv_link_fetches_title_authors_and_abstract(run: Run, arxiv_server: ArxivServer) -> None:
    arxiv_server.add(
        "2408.11743",
        version=2,
        title="MARLIN: Mixed-Precision   Auto-Regressive\n Parallel Inference",
        authors="Elias Frantar|Roberto L. Castro|Dan Alistarh",
        affiliation="IST Austria",
        summary="We achieve $\\sim$4x speedups with \\textit{mixed} precision -- really.",
        comment="12 pages",
    )
    result = run("add", "https://arxiv.org/pdf/2408.11743v1", "--tag", "quantization")
    assert result.code == 0, result
    item = run("show", "2408.11743", "--json").json()
    assert item["title"] == "MARLIN: Mixed-Precision Auto-Regressive Parallel Inference"
    assert item["authors"] == ["Elias Frantar", "Roberto L. Castro", "Dan Alistarh"]
    assert item["author_affiliations"][0] == "IST Austria"
    assert item["abstract"] == "We achieve ∼4x speedups with mixed precision – really."
    assert item["arxiv_version"] == 2 and item["metadata_status"] == "fetched"
    assert item["published"].startswith("2024-08-21") and item["categories"] == ["cs.LG", "cs.AI"]
    shown = run("show", "1").out
    assert "Elias Frantar" in shown and "https://arxiv.org/pdf/2408.11743" in shown and "12 pages" in shown


def test_add_several_forms_at_once_is_one_request(run: Run, arxiv_server: ArxivServer) -> None:
    for aid in ("2410.02367", "2409.16997", "2410.00161"):
        arxiv_server.add(aid)
    result = run("add", "arXiv:2410.02367", "2409.16997", "https://www.alphaxiv.org/abs/2410.00161")
    assert result.code == 0, result
    assert len(arxiv_server.requests) == 1
    assert sorted(arxiv_server.requests[0]["id_list"][0].split(",")) == ["2409.16997", "2410.00161", "2410.02367"]
    assert arxiv_server.requests[0]["max_results"] == ["3"]
    titles = sorted(i["title"] for i in run("list", "--json").json())
    assert titles == ["Paper 2409.16997", "Paper 2410.00161", "Paper 2410.02367"]


def test_offline_add_saves_the_paper_as_pending_and_fetch_completes_it_later(run: Run) -> None:
    offline = run("add", "2408.11743", "--tag", "quantization")
    assert offline.code == 0 and "readlist fetch" in offline.err
    assert run("show", "1", "--json").json()["metadata_status"] == "pending"
    server = ArxivServer()
    server.add("2408.11743", title="MARLIN")
    server.start()
    try:
        fetched = run("fetch", env={"READLIST_ARXIV_URL": server.url})
    finally:
        server.stop()
    assert fetched.code == 0 and "fetched 1 of 1" in fetched.out
    assert run("show", "1", "--json").json()["title"] == "MARLIN"


def test_fetch_batches_250_pending_papers_into_three_requests_matched_by_id(
    run: Run, arxiv_server: ArxivServer
) -> None:
    ids = [f"2401.{i:05d}" for i in range(1, 251)]
    for aid in ids:
        arxiv_server.add(aid, title=f"Title of {aid}")
    assert run("add", "--no-fetch", *ids).code == 0
    result = run("fetch")
    assert result.code == 0, result
    assert len(arxiv_server.requests) == 3
    assert [r["max_results"][0] for r in arxiv_server.requests] == ["100", "100", "50"]
    for item in run("list", "--json").json():
        assert item["title"] == f"Title of {item['arxiv_id']}"


def test_requests_are_spaced_across_processes(run_process: Run, arxiv_server: ArxivServer) -> None:
    arxiv_server.add("2401.00001")
    arxiv_server.add("2401.00002")
    env = {"READLIST_ARXIV_INTERVAL": "1.5"}
    run_process("add", "2401.00001", env=env)
    run_process("add", "2401.00002", env=env)
    gap = arxiv_server.request_times[1] - arxiv_server.request_times[0]
    assert gap >= 1.4


def test_unknown_id_is_marked_not_found_and_named(run: Run, arxiv_server: ArxivServer) -> None:
    arxiv_server.add("2401.00001")
    run("add", "--no-fetch", "2401.00001", "2401.99999")
    result = run("fetch")
    assert result.code == 0 and "2401.99999" in result.err
    statuses = {i["arxiv_id"]: i["metadata_status"] for i in run("list", "--json").json()}
    assert statuses == {"2401.00001": "fetched", "2401.99999": "not_found"}


def test_429_with_retry_after_is_retried_and_honoured(run: Run, arxiv_server: ArxivServer) -> None:
    arxiv_server.add("2401.00001")
    arxiv_server.script.append((429, {"Retry-After": "1"}, b"slow down"))
    run("add", "--no-fetch", "2401.00001")
    result = run("fetch")
    assert result.code == 0, result
    assert len(arxiv_server.requests) == 2
    assert arxiv_server.request_times[1] - arxiv_server.request_times[0] >= 0.9


def test_persistent_503_leaves_papers_pending_and_exits_1(run: Run, arxiv_server: ArxivServer) -> None:
    arxiv_server.script.extend([(503, {}, b"busy")] * 10)
    run("add", "--no-fetch", "2401.00001")
    result = run("fetch")
    assert result.code == 1 and "pending" in result.err and "Traceback" not in result.err
    assert len(arxiv_server.requests) == 4
    assert run("show", "1", "--json").json()["metadata_status"] == "pending"


def test_stalled_server_times_out(run: Run, arxiv_server: ArxivServer) -> None:
    arxiv_server.script.extend(["stall"] * 4)
    run("add", "--no-fetch", "2401.00001")
    start = time.monotonic()
    result = run("fetch", env={"READLIST_ARXIV_TIMEOUT": "0.5"})
    assert result.code == 1 and "pending" in result.err
    assert time.monotonic() - start < 15


def test_html_error_page_and_truncated_xml_are_errors_not_tracebacks(run: Run, arxiv_server: ArxivServer) -> None:
    run("add", "--no-fetch", "2401.00001")
    arxiv_server.script.append((200, {}, b"<html><body>Service temporarily unavailable</body></html>"))
    html = run("fetch")
    assert html.code == 1 and "not an Atom feed" in html.err and "Traceback" not in html.err
    arxiv_server.add("2401.00001")
    arxiv_server.script.append((200, {}, b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><entry>'))
    truncated = run("fetch")
    assert truncated.code == 1 and "Traceback" not in truncated.err
    assert run("show", "1", "--json").json()["metadata_status"] == "pending"


def test_http_400_is_not_retried(run: Run, arxiv_server: ArxivServer) -> None:
    arxiv_server.script.append((400, {}, b"<feed><entry><summary>incorrect id format for 2401.00001</summary>"))
    run("add", "--no-fetch", "2401.00001")
    result = run("fetch")
    assert result.code == 1 and "incorrect id format" in result.err
    assert len(arxiv_server.requests) == 1


def test_refetch_reports_new_version_and_publication(run: Run, arxiv_server: ArxivServer) -> None:
    arxiv_server.add("2408.11743", version=1)
    run("add", "2408.11743")
    arxiv_server.add("2408.11743", version=3, doi="10.1145/3710848.3710871", journal_ref="PPoPP 2025")
    result = run("fetch", "--all")
    assert "v1 → v3" in result.out and "PPoPP 2025" in result.out
    item = run("show", "1", "--json").json()
    assert item["doi"] == "10.1145/3710848.3710871" and item["venue"] == "PPoPP 2025"


def test_retry_after_of_an_hour_is_reported_and_leaves_the_rest_pending(run: Run, arxiv_server: ArxivServer) -> None:
    ids = [f"2501.{n:05d}" for n in range(1, 151)]  # two requests' worth
    assert run("add", *ids, "--no-fetch").code == 0
    arxiv_server.script.append((429, {"Retry-After": "3600"}, b"come back in an hour"))
    started = time.monotonic()
    result = run("fetch")
    assert time.monotonic() - started < 30  # not an hour, not 120 s of capped sleeping either
    assert result.code == 1, result
    assert result.err.splitlines() == [
        "error: arXiv asks to wait 3600 s; 150 paper(s) left pending — run `readlist fetch` later",
        "hint: the items stay pending; nothing is lost",
    ], result.err
    assert len(arxiv_server.requests) == 1  # the second chunk was not asked for after being told to wait
    assert {item["metadata_status"] for item in listed(run)} == {"pending"}


def test_arxiv_requests_carry_the_shared_user_agent_with_contact(run: Run, arxiv_server: ArxivServer) -> None:
    arxiv_server.add("2401.00001")
    assert run("add", "2401.00001", env={"READLIST_EMAIL": "me@example.org"}).code == 0
    agent = arxiv_server.user_agents[0]
    assert agent.startswith("readlist/") and "mailto:me@example.org" in agent, agent


def test_retry_after_beyond_the_cap_after_a_fetched_chunk_is_one_warning(run: Run, arxiv_server: ArxivServer) -> None:
    ids = [f"2501.{n:05d}" for n in range(1, 151)]
    for arxiv_id in ids:
        arxiv_server.add(arxiv_id)
    assert run("add", *ids, "--no-fetch").code == 0
    arxiv_server.script.extend(["answer", (503, {"Retry-After": "3600"}, b"busy")])
    result = run("fetch")
    assert result.code == 0 and len(arxiv_server.requests) == 2, result
    warning = "warning: arXiv asks to wait 3600 s; 50 paper(s) left pending — run `readlist fetch` later"
    assert result.err.splitlines() == [warning], result.err
    statuses = [item["metadata_status"] for item in listed(run)]
    assert (statuses.count("fetched"), statuses.count("pending")) == (100, 50)
    assert run("fetch").code == 1 and len(arxiv_server.requests) == 2, "arXiv is not asked again within the hour"
