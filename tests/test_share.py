"""Digest, exports, team merge and stats through the real console script."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from markdown_it import MarkdownIt

from tests.arxiv_server import ArxivServer
from tests.conftest import Run

NASTY = "A | table [breaker] *bold* <b>html</b> `code`\nsecond line"


def _links(markdown: str) -> list[str]:
    tokens = MarkdownIt("commonmark").parse(markdown)
    return [
        str(child.attrs["href"])
        for t in tokens
        if t.type == "inline"
        for child in t.children or []
        if child.type == "link_open"
    ]


def test_digest_is_safe_markdown_whose_links_are_the_items(run: Run) -> None:
    run("add", "https://example.com/a(b) c", "--title", NASTY, "--tag", "量化", "--note", NASTY)
    run("add", "2408.11743", "--no-fetch", "--tag", "量化")
    run("done", "1")
    result = run("digest", "--since", "7d")
    assert result.code == 0 and result.err == ""
    links = _links(result.out)
    assert sorted(links) == ["https://arxiv.org/abs/2408.11743", "https://example.com/a(b)%20c"]
    assert "<b>" not in result.out.replace("\\<b\\>", "")
    html = MarkdownIt("commonmark").render(result.out)
    assert "<table" not in html and "<b>" not in html and "<strong>" not in html


def test_digest_groups_labels_and_empty_period(run: Run, tmp_path: Path) -> None:
    empty = run("digest", "--since", "7d")
    assert empty.code == 0 and ("没有" in empty.out or "Nothing" in empty.out)
    run("add", "https://example.com/x", "--title", "Ring attention", "--tag", "kv-cache")
    run("start", "1")
    out = tmp_path / "digest.md"
    result = run("digest", "--since", "2026-01-01", "--group-by", "status", "--lang", "en", "-o", str(out))
    assert result.code == 0 and out.exists()
    text = out.read_text(encoding="utf-8")
    assert "# Reading digest" in text and "## reading" in text and "started 1" in text
    assert run("digest", "--group-by", "color").code == 1


def test_jsonl_export_import_export_is_byte_identical(run: Run, tmp_path: Path, arxiv_server: ArxivServer) -> None:
    arxiv_server.add(
        "2408.11743",
        version=2,
        title="MARLIN",
        authors="Elias Frantar|Dan Alistarh",
        affiliation="IST Austria",
        journal_ref="PPoPP 2025",
    )
    run("add", "2408.11743", "--tag", "量化", "--note", "第一条笔记")
    run("add", "https://github.com/linkedin/Liger-Kernel", "--tag", "kernels")
    run("import", str(Path(__file__).resolve().parents[1] / "data" / "notes" / "chat-notes-kernels-and-reasoning.md"))
    run("done", "1")
    first = tmp_path / "a.jsonl"
    assert run("export", "--format", "jsonl", "-o", str(first)).code == 0
    other_db = tmp_path / "other.db"
    assert run("--db", str(other_db), "import", str(first)).code == 0
    second = tmp_path / "b.jsonl"
    run("--db", str(other_db), "export", "-o", str(second))
    assert first.read_bytes() == second.read_bytes()
    lines = first.read_text(encoding="utf-8").splitlines()
    assert [json.loads(ln)["key"] for ln in lines] == sorted(json.loads(ln)["key"] for ln in lines)


def test_merging_a_teammates_export_unions_and_advances_status(run: Run, tmp_path: Path) -> None:
    bob_db = tmp_path / "bob.db"
    run("--db", str(bob_db), "add", "2408.11743", "--no-fetch", "--tag", "bob-tag", "--note", "bob's note")
    run("--db", str(bob_db), "done", "1")
    run("--db", str(bob_db), "add", "https://example.com/only-bob", "--title", "Bob only")
    bob = tmp_path / "bob.jsonl"
    run("--db", str(bob_db), "export", "-o", str(bob))
    run("add", "2408.11743", "--no-fetch", "--tag", "my-tag", "--note", "my note")
    assert run("import", str(bob), "--keep-mine").code == 0
    mine = run("show", "2408.11743", "--json").json()
    assert mine["status"] == "unread"
    assert run("import", str(bob)).code == 0
    merged = run("show", "2408.11743", "--json").json()
    assert merged["status"] == "read" and merged["tags"] == ["bob-tag", "my-tag"]
    assert sorted(n["body"] for n in merged["notes"]) == ["bob's note", "my note"]
    assert len(run("list", "--json").json()) == 2
    assert "added 0" in run("import", str(bob)).out  # merging again adds nothing


def test_bibtex_has_stable_unique_keys_and_escapes(run: Run, arxiv_server: ArxivServer) -> None:
    arxiv_server.add(
        "2408.11743",
        title="MARLIN: Mixed-Precision 100% & fast kernels_x #1",
        authors="Elias Frantar|Dan Alistarh",
        published="2024-08-21T00:00:00Z",
    )
    arxiv_server.add("2408.11744", title="MARLIN again", authors="Elias Frantar", published="2024-08-22T00:00:00Z")
    run("add", "2408.11743", "2408.11744", "--tag", "kv-cache")
    bib = run("export", "--format", "bibtex", "--tag", "kv-cache").out
    assert "@misc{frantar2024marlin," in bib and "@misc{frantar2024marlina," in bib
    assert r"100\% \& fast kernels\_x \#1" in bib
    assert "eprint = {2408.11743}" in bib and "archivePrefix = {arXiv}" in bib and "primaryClass = {cs.LG}" in bib
    assert bib == run("export", "--format", "bibtex", "--tag", "kv-cache").out


def test_csv_has_header_one_row_per_item_and_optional_bom(run: Run) -> None:
    run("add", "https://example.com/x", "--title", '量化, "quoted" title', "--tag", "a")
    out = run("export", "--format", "csv").out
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0][:3] == ["key", "kind", "title"] and rows[1][2] == '量化, "quoted" title' and len(rows) == 2
    assert run("export", "--format", "csv", "--bom").out.startswith("\ufeff")
    assert run("export", "--format", "yaml").code == 1


def test_stats_counts_and_json(run: Run) -> None:
    run("add", "https://example.com/1", "--tag", "cuda")
    run("add", "https://example.com/2", "--tag", "cuda")
    run("done", "1")
    data = run("stats", "--json").json()
    assert data["total"] == 2 and data["by_status"] == {"read": 1, "unread": 1}
    assert data["top_tags"][0] == {"tag": "cuda", "count": 2}
    assert "cuda" in run("stats").out


def test_digest_writes_the_title_without_a_link_for_an_item_without_a_url(run: Run, tmp_path: Path) -> None:
    bib = tmp_path / "book.bib"
    bib.write_text("@book{b1, title={CSL CJK}, author={Knuth, Donald}, year={1968}}\n", encoding="utf-8")
    assert run("import", str(bib)).code == 0
    result = run("digest", "--since", "100y")
    assert result.code == 0 and "CSL CJK" in result.out, result
    assert "](<>)" not in result.out and "[CSL CJK]" not in result.out and _links(result.out) == []
