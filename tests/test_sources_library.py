"""Adding and fetching items of every kind against a local server answering like the real sources."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from readlist.services.add import add_items
from readlist.services.fetch import fetch_sources
from readlist.services.published import find_published
from readlist.store import db
from readlist.store.read import get_item, item_text
from readlist.store.write import FetchTargets, Store
from tests.arxiv_server import ArxivServer, paper
from tests.conftest import Run
from tests.sources_server import SourcesServer


@pytest.fixture
def lib(isolated_library: Path) -> Store:
    return Store(isolated_library)


def item(lib: Store, ref: str) -> Any:
    return get_item(db.connect(lib.path), ref)


def test_add_doi_fills_title_authors_venue_year_type_and_citation_key(
    lib: Store, sources_server: SourcesServer
) -> None:
    doi = sources_server.add_crossref("crossref_vllm.json")
    report = add_items(lib, [doi], tags=["serving"])
    got = item(lib, "1")
    assert got["title"] == "Efficient Memory Management for Large Language Model Serving with PagedAttention"
    assert got["authors"][0] == "Woosuk Kwon" and len(got["authors"]) == 9
    assert got["venue"] == "Proceedings of the 29th Symposium on Operating Systems Principles"
    assert (got["year"], got["work_type"], got["metadata_status"]) == (2023, "proceedings-article", "fetched")
    assert got["citation_key"] == "kwon2023efficient" and got["doi"] == "10.1145/3600006.3613165"
    assert not report.warnings


def test_add_github_repo_keeps_description_stars_language_topics_licence(
    lib: Store, sources_server: SourcesServer
) -> None:
    sources_server.add_github("github_liger.json")
    add_items(lib, ["https://github.com/linkedin/Liger-Kernel"], tags=[])
    got = item(lib, "1")
    assert got["abstract"] == "Efficient Triton Kernels for LLM Training"
    assert got["details"]["stars"] == 5712 and got["details"]["language"] == "Python"
    assert got["details"]["license"] == "BSD-2-Clause" and "triton" in got["details"]["topics"]
    assert got["work_type"] == "software" and got["citation_key"] == "linkedin2024liger"


def test_add_web_article_keeps_title_author_site_date_and_text(lib: Store, sources_server: SourcesServer) -> None:
    url = sources_server.add_page("/p/706469164", "zhihu_article.html", "text/html; charset=utf-8")
    add_items(lib, [url], tags=[])
    got, text = item_text(db.connect(lib.path), "1")
    assert got["title"] == "大模型推理加速：从 KV Cache 到 PagedAttention"
    assert got["authors"] == ["猛猿"] and got["site"] == "知乎专栏" and got["year"] == 2024
    assert text and "PagedAttention" in text and "写时复制" in text


def test_add_gbk_page_served_without_charset_reads_chinese_right(lib: Store, sources_server: SourcesServer) -> None:
    url = sources_server.add_page("/archives/123.html", "gbk_blog.html", "text/html")
    report = add_items(lib, [url], tags=[])
    assert item(lib, "1")["title"] == "CUDA 编程入门：共享内存与 bank 冲突" and not report.warnings


def test_add_openreview_forum_link(lib: Store, sources_server: SourcesServer) -> None:
    sources_server.add_openreview("openreview_sinks.json")
    add_items(lib, ["https://openreview.net/forum?id=NG7sS51zVF"], tags=[])
    got = item(lib, "1")
    assert got["title"] == "Efficient Streaming Language Models with Attention Sinks"
    assert got["venue"] == "ICLR 2024 poster" and got["year"] == 2024 and got["citation_key"] == "xiao2024efficient"


def test_unknown_doi_is_kept_as_not_found_with_one_warning(lib: Store, sources_server: SourcesServer) -> None:
    report = add_items(lib, ["10.1145/0000000.0000000"], tags=["x"])
    assert item(lib, "1")["metadata_status"] == "not_found" and len(report.warnings) == 1


def test_rate_limited_source_leaves_item_pending_and_fetch_completes_it_later(
    lib: Store, sources_server: SourcesServer
) -> None:
    sources_server.add_github("github_liger.json")
    sources_server.status["/github"] = (429, {"Retry-After": "0"})
    report = add_items(lib, ["https://github.com/linkedin/Liger-Kernel"], tags=[])
    assert item(lib, "1")["metadata_status"] == "pending" and len(report.warnings) == 1
    del sources_server.status["/github"]
    fetched = fetch_sources(lib, FetchTargets.select_sources(lib, [], False))
    assert fetched.fetched == [1] and item(lib, "1")["details"]["stars"] == 5712


def test_server_error_and_stall_never_lose_the_item(lib: Store, sources_server: SourcesServer) -> None:
    sources_server.status["/crossref"] = (503, {})
    add_items(lib, ["10.1145/3600006.3613165"], tags=[])
    assert item(lib, "1")["metadata_status"] == "pending"


def test_page_that_is_a_pdf_is_kept_with_one_warning(lib: Store, sources_server: SourcesServer) -> None:
    url = sources_server.add_page("/files/paper.pdf", "paper.pdf", "application/pdf")
    report = add_items(lib, [url], tags=[])
    assert item(lib, "1")["url"] == url and len(report.warnings) == 1


def test_missing_page_is_not_found_but_kept(lib: Store, sources_server: SourcesServer) -> None:
    add_items(lib, [f"{sources_server.url}/gone"], tags=["t"])
    assert item(lib, "1")["metadata_status"] == "not_found"


def test_doi_of_a_preprint_already_in_the_list_merges_into_it(
    lib: Store, sources_server: SourcesServer, arxiv_server: ArxivServer
) -> None:
    arxiv_server.papers["2408.11743"] = paper("2408.11743", title="MARLIN", authors="Elias Frantar|Dan Alistarh")
    add_items(lib, ["2408.11743"], tags=["quant"])
    doi = sources_server.add_crossref("crossref_marlin.json")
    report = add_items(lib, [doi], tags=["ppopp"])
    got = item(lib, "1")
    assert "already in your list as #1" in report.lines[0]
    assert got["venue"].startswith("Proceedings of the 30th ACM SIGPLAN") and got["doi"] == doi
    assert got["work_type"] == "proceedings-article" and got["year"] == 2025
    assert sorted(got["tags"]) == ["ppopp", "quant"] and got["citation_key"] == "frantar2024marlin"
    assert len(db.connect(lib.path).execute("SELECT id FROM item").fetchall()) == 1


def test_doi_that_arxiv_already_gave_a_preprint_merges_and_brings_the_venue(
    lib: Store, sources_server: SourcesServer, arxiv_server: ArxivServer
) -> None:
    doi = sources_server.add_crossref("crossref_vllm.json")
    arxiv_server.papers["2309.06180"] = paper("2309.06180", authors="Woosuk Kwon", doi=doi)
    add_items(lib, ["2309.06180"], tags=[])
    report = add_items(lib, [f"https://doi.org/{doi.upper()}"], tags=["sosp"])
    got = item(lib, "1")
    assert "already in your list as #1" in report.lines[0] and got["tags"] == ["sosp"]
    assert got["venue"] == "Proceedings of the 29th Symposium on Operating Systems Principles"
    assert got["metadata_status"] == "fetched" and got["abstract"] == "Abstract of 2309.06180."


def test_arxiv_paper_has_a_year_before_any_fetch(lib: Store) -> None:
    add_items(lib, ["2408.11743", "hep-th/9901001"], tags=[], fetch=False)
    assert (item(lib, "1")["year"], item(lib, "2")["year"]) == (2024, 1999)


def test_published_finds_doi_venue_and_year_of_preprints(
    lib: Store, sources_server: SourcesServer, arxiv_server: ArxivServer
) -> None:
    for arxiv_id in ("2309.06180", "2309.17453", "2501.00003"):
        arxiv_server.papers[arxiv_id] = paper(arxiv_id, authors="Woosuk Kwon|Ion Stoica")
    add_items(lib, ["2309.06180", "2309.17453", "2501.00003"], tags=[])
    key_before = item(lib, "1")["citation_key"]
    sources_server.add_s2()
    sources_server.add_crossref("crossref_vllm.json")
    report, checked = find_published(lib, [])
    assert checked == 3 and sorted(report.fetched) == [1, 2]
    vllm, sinks, plain = item(lib, "1"), item(lib, "2"), item(lib, "3")
    assert vllm["doi"] == "10.1145/3600006.3613165" and vllm["work_type"] == "proceedings-article"
    assert vllm["venue"] == "Proceedings of the 29th Symposium on Operating Systems Principles"
    assert sinks["venue"] == "International Conference on Learning Representations" and sinks["doi"] is None
    assert plain["venue"] is None and plain["work_type"] == "posted-content"
    assert vllm["citation_key"] == key_before  # keys never change once given
    assert sources_server.s2_bodies == [["ARXIV:2309.06180", "ARXIV:2309.17453", "ARXIV:2501.00003"]]


def test_citation_keys_stay_unique(lib: Store, arxiv_server: ArxivServer) -> None:
    arxiv_server.papers["2401.00001"] = paper("2401.00001", title="Marlin kernels", authors="Elias Frantar")
    arxiv_server.papers["2401.00002"] = paper("2401.00002", title="Marlin again", authors="Elias Frantar")
    add_items(lib, ["2401.00001", "2401.00002"], tags=[])
    assert [item(lib, str(i))["citation_key"] for i in (1, 2)] == ["frantar2024marlin", "frantar2024marlina"]


def test_add_with_sources_down_returns_fast_and_keeps_pending(lib: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("READLIST_CROSSREF_URL", "http://127.0.0.1:9")
    start = time.monotonic()
    report = add_items(lib, ["10.1145/3600006.3613165", "https://github.com/a/b", "https://blog.example/x"], tags=[])
    assert time.monotonic() - start < 1.5
    assert [item(lib, str(i))["metadata_status"] for i in (1, 2, 3)] == ["pending"] * 3
    assert report.warnings == [
        "cannot reach Crossref, GitHub and blog.example (127.0.0.1:9 refused the connection); "
        "3 item(s) saved with metadata pending — run `readlist fetch` later"
    ]


def test_offline_add_of_many_items_saves_them_all_pending_with_one_warning(run: Run) -> None:
    # The autouse fixture points arXiv, Crossref and GitHub at a closed port: offline.
    dois = [f"10.1145/offline.{n}" for n in range(5)]
    repos = [f"https://github.com/offline/r{n}" for n in range(5)]
    start = time.monotonic()
    result = run("add", *dois, *repos, "2401.00001", "2401.00002")
    assert result.code == 0 and time.monotonic() - start < 5, result  # no retries, no backoff (loose: shared CI)
    warnings = [line for line in result.err.splitlines() if line.startswith("warning")]
    assert warnings == [
        "warning: cannot reach Crossref, GitHub and arXiv (127.0.0.1:9 refused the connection); "
        "12 item(s) saved with metadata pending — run `readlist fetch` later"
    ], result.err
    assert {i["metadata_status"] for i in run("list", "--json").json()} == {"pending"}


def test_show_text_prints_kept_article_text_and_explains_when_there_is_none(
    run: Run, sources_server: SourcesServer
) -> None:
    url = sources_server.add_page("/blog/fa3", "english_blog.html", "text/html; charset=utf-8")
    assert run("add", url).code == 0
    shown = run("show", "1", "--text")
    assert shown.code == 0 and "740 TFLOPS" in shown.out
    run("add", "2408.11743", "--no-fetch")
    missing = run("show", "2", "--text")
    assert missing.code == 1 and "no text kept" in missing.err and "hint:" in missing.err


def test_fetch_command_completes_every_kind_and_published_reports(
    run: Run, sources_server: SourcesServer, arxiv_server: ArxivServer
) -> None:
    doi = sources_server.add_crossref("crossref_alphafold.json")
    sources_server.add_github("github_liger.json")
    url = sources_server.add_page("/w/1", "wechat_article.html", "text/html; charset=utf-8")
    arxiv_server.papers["2309.06180"] = paper("2309.06180", authors="Woosuk Kwon", published="2023-09-12T17:00:00Z")
    for ref in (doi, "https://github.com/linkedin/Liger-Kernel", url, "2309.06180"):
        assert run("add", ref, "--no-fetch").code == 0
    fetched = run("fetch")
    assert fetched.code == 0 and "fetched 4 of 4" in fetched.out, fetched
    assert run("fetch").out.startswith("nothing to fetch")
    sources_server.add_s2()
    sources_server.add_crossref("crossref_vllm.json")
    published = run("fetch", "--published")
    assert published.code == 0 and "1 of 1 preprint(s) are published" in published.out, published
    bib = run("export", "--format", "bibtex").out
    assert "@article{jumper2021highly," in bib and "journal = {Nature}" in bib
    assert "@software{linkedin2024liger," in bib and "@online{" in bib
    assert "@inproceedings{kwon2023paper," in bib and "booktitle = {Proceedings of the 29th" in bib
    assert "eprint = {2309.06180}" in bib


def test_offline_fetch_names_the_unreachable_sources_once(run: Run) -> None:
    dois = [f"10.1145/offline.{n}" for n in range(8)]
    assert run("add", "--no-fetch", *dois, "https://github.com/offline/r").code == 0
    result = run("fetch")
    assert result.code == 1 and "Traceback" not in result.err, result
    warnings = [line for line in result.err.splitlines() if line.startswith("warning")]
    assert len(warnings) == 1, result.err  # not one line per DOI
    assert warnings[0].startswith("warning: 9 item(s) stay pending or failed: cannot reach "), warnings
    assert "Crossref" in warnings[0] and "GitHub" in warnings[0] and "10.1145" not in warnings[0], warnings


def test_fetch_published_offline_says_it_could_not_check_and_exits_1(run: Run) -> None:
    run("add", "2408.11743", "--no-fetch")
    result = run("fetch", "--published")  # every source points at a closed port (conftest)
    assert result.code == 1 and "could not check any of 1 preprint(s)" in result.err and "hint:" in result.err
    assert "are published" not in result.out
