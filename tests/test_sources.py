"""Metadata beyond arXiv: Crossref, GitHub, OpenReview, web pages, Semantic Scholar — parsed from real-format
responses, served by a real local HTTP server, written onto items in a real SQLite library."""

from __future__ import annotations

import json

import pytest

from readlist.net import crossref, github, openreview, s2, webpage
from tests.sources_server import DATA

EXPECTED = json.loads((DATA / "expected.json").read_text())


def parse_fixture(name: str):  # type: ignore[no-untyped-def]
    body = (DATA / name).read_bytes()
    if name.startswith("crossref"):
        return crossref.parse_work(body)
    if name.startswith("github"):
        return github.parse_repo(body)
    if name.startswith("openreview"):
        return openreview.parse_notes(body, json.loads(body)["notes"][0]["id"])
    return webpage.parse_page(body, EXPECTED[name]["url"], "text/html")


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_fixture_gives_exact_title_authors_venue_and_year(name: str) -> None:
    meta = parse_fixture(name)
    want = EXPECTED[name]
    got = {"title": meta.title, "authors": [a["name"] for a in meta.authors], "venue": meta.venue, "year": meta.year}
    assert got == {k: want[k] for k in ("title", "authors", "venue", "year")}
    if "site" in want:
        assert meta.site == want["site"]


def test_crossref_markup_in_titles_and_jats_abstracts_becomes_plain_text() -> None:
    marlin = crossref.parse_work((DATA / "crossref_marlin.json").read_bytes())
    assert marlin.title and marlin.title.startswith("MARLIN: Mixed")
    assert marlin.arxiv_id == "2408.11743" and marlin.work_type == "proceedings-article"
    nature = crossref.parse_work((DATA / "crossref_alphafold.json").read_bytes())
    assert nature.abstract and nature.abstract.startswith("Proteins are essential") and "<" not in nature.abstract
    assert nature.work_type == "journal-article" and nature.details["volume"] == "596"


def test_crossref_answer_that_is_not_a_work_is_refused() -> None:
    with pytest.raises(ValueError):
        crossref.parse_work(b'{"status":"ok","message-type":"work-list","message":{"items":[]}}')


def test_github_repo_keeps_description_language_stars_topics_and_licence() -> None:
    meta = github.parse_repo((DATA / "github_liger.json").read_bytes())
    assert meta.abstract == "Efficient Triton Kernels for LLM Training"
    assert meta.details["language"] == "Python" and meta.details["stars"] == 5712
    assert "triton" in meta.details["topics"] and meta.details["license"] == "BSD-2-Clause"
    bare = github.parse_repo((DATA / "github_nolicense.json").read_bytes())
    assert "license" not in bare.details and bare.abstract is None and bare.details["archived"] is True


def test_openreview_submission_under_review_is_not_published() -> None:
    accepted = parse_fixture("openreview_sinks.json")
    pending = parse_fixture("openreview_submitted.json")
    assert accepted.work_type == "proceedings-article" and accepted.details["venueid"] == "ICLR.cc/2024/Conference"
    assert pending.work_type == "posted-content"


def test_openreview_links_of_every_form_give_the_note_id() -> None:
    assert openreview.note_id("https://openreview.net/forum?id=NG7sS51zVF") == "NG7sS51zVF"
    assert openreview.note_id("https://openreview.net/pdf?id=NG7sS51zVF&noteId=x") == "NG7sS51zVF"
    assert openreview.note_id("https://example.org/forum?id=NG7sS51zVF") is None


def test_s2_batch_matches_papers_and_ignores_arxiv_own_doi() -> None:
    ids = ["2309.06180", "2309.17453", "2401.99999", "2501.00003"]
    found = s2.parse_batch((DATA / "s2_batch.json").read_bytes(), ids)
    assert found["2309.06180"].doi == "10.1145/3600006.3613165"
    assert found["2309.17453"].venue == "International Conference on Learning Representations"
    assert "2401.99999" not in found
    assert found["2501.00003"].doi is None and found["2501.00003"].venue is None


def test_gbk_page_is_read_in_its_declared_charset() -> None:
    meta = webpage.parse_page((DATA / "gbk_blog.html").read_bytes(), "http://blog.example.cn/1.html", "text/html")
    assert meta.title == "CUDA 编程入门：共享内存与 bank 冲突" and not meta.warnings
    assert meta.text and "bank 冲突" in meta.text


def test_page_that_lies_about_its_charset_is_read_right_with_one_warning() -> None:
    meta = webpage.parse_page((DATA / "mislabeled_charset.html").read_bytes(), "http://x.example/a", "text/html")
    assert meta.title and "错标编码的页面" in meta.title
    assert len(meta.warnings) == 1 and "UTF-8" in meta.warnings[0]


def test_header_charset_beats_a_missing_meta_charset() -> None:
    body = "<html><head><title>量化</title></head><body><p>正文</p></body></html>".encode("gb18030")
    meta = webpage.parse_page(body, "http://x.example/a", "text/html; charset=GBK")
    assert meta.title == "量化" and not meta.warnings


def test_broken_markup_keeps_what_can_be_read() -> None:
    meta = webpage.parse_page((DATA / "broken.html").read_bytes(), "http://x.example/b", "text/html")
    assert meta.title == "Broken & Unclosed"


def test_pdf_behind_a_url_is_kept_as_a_link_with_one_warning() -> None:
    meta = webpage.parse_page((DATA / "paper.pdf").read_bytes(), "http://x.example/p.pdf", "application/pdf")
    assert meta.title is None and meta.text is None and len(meta.warnings) == 1


def test_webpage_main_text_leaves_out_navigation_and_footer() -> None:
    meta = parse_fixture("english_blog.html")
    assert meta.text and "740 TFLOPS" in meta.text and "Linux Foundation" not in meta.text
    assert meta.published == "2024-07-11" and meta.work_type == "blog-post"


def _crossref(**message: object) -> bytes:
    return json.dumps({"message-type": "work", "message": {"title": ["Kept"], **message}}).encode()


@pytest.mark.parametrize(
    "fields",
    [
        {"author": 5},
        {"author": "Ada Lovelace"},
        {"author": [{"given": "Ada", "family": "Lovelace", "affiliation": 3}]},
        {"event": "NeurIPS"},
        {"relation": ["has-preprint"]},
        {"relation": {"has-preprint": ["10.48550/arxiv.2106.09685"], "is-preprint-of": ["10.1/x"]}},
        {"issued": "2020"},
        {"issued": {"date-parts": [2020]}},
        {"issued": {"date-parts": [{"year": 2020}]}},
        {"container-title": 7, "subtitle": {"x": 1}},
    ],
)
def test_crossref_fields_of_the_wrong_shape_read_as_missing(fields: dict[str, object]) -> None:
    meta = crossref.parse_work(_crossref(**fields))
    assert meta.title == "Kept" and meta.venue is None and meta.year is None and meta.arxiv_id is None
    assert all(a["name"] == "Ada Lovelace" for a in meta.authors) and "published_doi" not in meta.details


def test_github_s2_and_openreview_fields_of_the_wrong_shape_read_as_missing() -> None:
    repo = {"full_name": "a/b", "topics": "ml", "license": {"spdx_id": 7, "name": "MIT"}, "owner": "x"}
    meta = github.parse_repo(json.dumps(repo))
    assert meta.details == {"license": "MIT"} and meta.authors == []
    papers = [{"paperId": 5, "venue": "ICML", "publicationTypes": 5, "externalIds": ["DOI"]}]
    found = s2.parse_batch(json.dumps(papers), ["2106.09685"])["2106.09685"]
    assert found.venue == "ICML" and found.work_type is None and found.details == {}
    notes = {"notes": ["x", None, {"id": "N", "content": {"title": {"value": "T"}, "authors": "Ada", "keywords": 3}}]}
    note = openreview.parse_notes(json.dumps(notes), "N")
    assert note is not None and note.title == "T" and note.authors == [] and note.details == {"openreview_id": "N"}


def test_json_nested_too_deeply_is_a_bad_answer_not_a_crash() -> None:
    deep = "[" * 100_000 + "]" * 100_000
    for parse in (crossref.parse_work, github.parse_repo, lambda b: openreview.parse_notes(b, "N")):
        with pytest.raises(ValueError):  # what works.lookup reports as a source that answered badly
            parse(deep)
    with pytest.raises(ValueError):
        s2.parse_batch(deep, ["2106.09685"])


def test_page_with_json_ld_author_nested_deep_keeps_its_title() -> None:
    author = "[" * 600 + '"A"' + "]" * 600
    ld = f'{{"@type": "Article", "headline": "Deep", "author": {author}}}'
    page = f'<html><head><script type="application/ld+json">{ld}</script></head><body><p>x</p></body></html>'
    meta = webpage.parse_page(page.encode(), "http://x.example/deep", "text/html")
    assert meta.title == "Deep" and meta.authors == []
