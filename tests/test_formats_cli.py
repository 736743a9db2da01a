"""Importing reference-manager exports through the real console script: errors, dry runs, round trips."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Run
from tests.test_formats_parse import BOOKMARKS, ZOTERO_STYLE


@pytest.fixture
def library_bib(tmp_path: Path) -> Path:
    (tmp_path / "marlin.pdf").write_bytes(b"%PDF-1.4\n")
    path = tmp_path / "library.bib"
    path.write_text(ZOTERO_STYLE.replace("PDFDIR", str(tmp_path)), encoding="utf-8")
    return path


def _items(run: Run, *args: str) -> list[dict[str, Any]]:
    result = run("export", "--format", "json", *args)
    assert result.code == 0, result
    items: list[dict[str, Any]] = result.json()
    return items


def test_bibtex_import_dry_run_writes_nothing_then_import_reports_the_bad_entry(run: Run, library_bib: Path) -> None:
    dry = run("import", str(library_bib), "--dry-run")
    assert dry.code == 0 and "would add 4 item(s)" in dry.out, dry
    assert run("list", "--json").json() == []
    real = run("import", str(library_bib))
    assert real.code == 0 and "added 4 item(s)" in real.out, real
    assert "line 25: malformed entry '@article{broken" in real.err
    again = run("import", str(library_bib))
    assert "added 0 item(s)" in again.out  # re-importing changes nothing


def test_show_by_citation_key_lists_the_attached_pdf(run: Run, library_bib: Path) -> None:
    run("import", str(library_bib))
    shown = run("show", "frantar2024marlin", "--json")
    assert shown.code == 0, shown
    item = shown.json()
    assert item["citation_key"] == "frantar2024marlin"
    assert item["attachments"][0]["path"] == str(library_bib.parent / "marlin.pdf")
    table = run("show", "10.1145/3600006.3613165")
    assert table.code == 0 and "mueller2020" in table.out
    assert str(library_bib.parent / "marlin.pdf") in run("show", "arxiv.org/abs/2408.11743").out


def test_importing_a_pdf_is_an_error_naming_the_supported_formats(run: Run, tmp_path: Path) -> None:
    pdf = tmp_path / "paper.pdf"
    pdf.write_bytes(b"%PDF-1.5\n%\xe2\xe3\n")
    notes = tmp_path / "notes.md"
    notes.write_text("# x\n\nhttps://arxiv.org/abs/2408.11743\n")
    result = run("import", str(notes), str(pdf))
    assert result.code == 1, result
    assert result.err.startswith("error: paper.pdf is a PDF") and "hint:" in result.err and "BibTeX" in result.err
    assert run("list", "--json").json() == []  # nothing imported, not even the good file


def test_mixed_folder_imports_each_file_by_its_content(run: Run, tmp_path: Path, library_bib: Path) -> None:
    folder = tmp_path / "mixed"
    folder.mkdir()
    shutil.copy(library_bib, folder / "refs.txt")  # BibTeX under a misleading name
    (folder / "bookmarks.html").write_text(BOOKMARKS, encoding="utf-8")
    (folder / "page.html").write_text("<!doctype html><html><body>not bookmarks</body></html>")
    (folder / ".git").mkdir()  # a notes repository's own folder is not a note
    (folder / ".git" / "old.md").write_text("- [Hidden](https://arxiv.org/abs/2301.00001)\n", encoding="utf-8")
    result = run("import", str(folder))
    assert result.code == 0, result
    keys = {i["key"] for i in _items(run)}
    assert {"arxiv:2408.11743", "doi:10.1145/3600006.3613165", "github:ist-daslab/marlin"} <= keys
    assert "arxiv:2301.00001" not in keys
    marlin = run("show", "2408.11743", "--json").json()
    assert "大模型Infra相关博客（DeepSeek，VERL…）" in marlin["tags"] and "quantization" in marlin["tags"]


def test_bibtex_export_round_trips_items_keys_tags_and_files(run: Run, tmp_path: Path, library_bib: Path) -> None:
    run("import", str(library_bib))
    run("tag", "hu2021lora", "+lora")
    before = _items(run)
    exported = tmp_path / "out.bib"
    assert run("export", "--format", "bibtex", "-o", str(exported)).code == 0
    from bibtexparser.entrypoint import parse_string

    parsed = parse_string(exported.read_text(encoding="utf-8"))
    assert not parsed.failed_blocks and len(parsed.entries) == len(before)
    fresh = tmp_path / "fresh.db"
    result = run("--db", str(fresh), "import", str(exported))
    assert result.code == 0 and result.err == "", result
    after = _items(run, "--db", str(fresh))

    def shape(items: list[dict[str, Any]]) -> set[tuple[object, ...]]:
        return {
            (
                i["key"],
                i["citation_key"],
                i["title"],
                tuple(sorted(i["tags"])),
                tuple(a["path"] for a in i["attachments"]),
            )
            for i in items
        }

    assert shape(after) == shape(before)


@pytest.mark.skipif(shutil.which("biber") is None, reason="biber is not installed")
def test_bibtex_export_passes_biber_tool(run: Run, tmp_path: Path, library_bib: Path) -> None:
    run("import", str(library_bib))
    exported = tmp_path / "out.bib"
    run("export", "--format", "bibtex", "-o", str(exported))
    proc = subprocess.run(
        ["biber", "--tool", "--validate-datamodel", "--output-file", str(tmp_path / "checked.bib"), str(exported)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "ERROR" not in proc.stdout


def test_jsonl_export_keeps_citation_keys_and_attachments(run: Run, tmp_path: Path, library_bib: Path) -> None:
    run("import", str(library_bib))
    exported = tmp_path / "team.jsonl"
    run("export", "-o", str(exported))
    fresh = tmp_path / "fresh.db"
    assert run("--db", str(fresh), "import", str(exported)).code == 0
    item = run("--db", str(fresh), "show", "frantar2024marlin", "--json").json()
    assert item["attachments"][0]["path"].endswith("marlin.pdf")


def test_chinese_names_keep_family_name_first_in_show_digest_and_a_bibtex_round_trip(run: Run, tmp_path: Path) -> None:
    bib = tmp_path / "cjk.bib"
    bib.write_text(
        "@article{zhang2024,\n  title = {稀疏注意力},\n  author = {张, 三 and Müller, Hans},\n  year = {2024},\n}\n",
        encoding="utf-8",
    )
    csl = tmp_path / "cjk.json"
    csl.write_text(
        '[{"type": "article-journal", "title": "量化推理", "author": [{"family": "李", "given": "明"},'
        ' {"family": "Frantar", "given": "Elias"}], "issued": {"date-parts": [[2024]]}}]',
        encoding="utf-8",
    )
    assert run("import", str(bib), str(csl)).code == 0
    authors = {i["title"]: [a["name"] for a in i["authors"]] for i in _items(run)}
    assert authors == {"稀疏注意力": ["张三", "Hans Müller"], "量化推理": ["李明", "Elias Frantar"]}
    shown = run("show", "zhang2024")
    assert shown.code == 0 and "张三" in shown.out and "三 张" not in shown.out, shown
    digest = run("digest")
    assert "李明" in digest.out and "明 李" not in digest.out, digest
    exported = tmp_path / "out.bib"
    assert run("export", "--format", "bibtex", "-o", str(exported)).code == 0
    fresh = tmp_path / "fresh.db"
    assert run("--db", str(fresh), "import", str(exported)).code == 0
    again = {i["title"]: [a["name"] for a in i["authors"]] for i in _items(run, "--db", str(fresh))}
    assert again == authors


def test_a_jabref_export_with_keyless_and_repeated_keys_imports_every_entry(run: Run, tmp_path: Path) -> None:
    entries = [f"@InBook{{,\n  title = {{Chapter {n} of the handbook}},\n  year = {{2015}},\n}}" for n in range(16)]
    entries += [f"@Article{{Lecun2015,\n  title = {{Deep learning, part {n}}},\n  year = {{2015}},\n}}" for n in (1, 2)]
    bib = tmp_path / "jabref.bib"
    bib.write_text("% Encoding: UTF-8\n\n" + "\n\n".join(entries) + "\n", encoding="utf-8")
    result = run("import", str(bib))
    assert result.code == 0 and "added 18 item(s)" in result.out, result
    assert "'Lecun2015' is used twice" in result.err and "skipped" not in result.err
    assert "see the warnings" not in result.out  # every entry arrived: none was skipped
    keys = [i["citation_key"] for i in _items(run)]
    assert keys.count("Lecun2015") == 1 and all(k != "" for k in keys)


def test_a_dblp_key_stays_as_it_was_in_exports_and_names_the_item(run: Run, tmp_path: Path) -> None:
    bib = tmp_path / "dblp.bib"
    key = "DBLP:conf/osdi/ZhengLZZCHWXZXG22"
    bib.write_text(
        f"@inproceedings{{{key},\n  author = {{Lianmin Zheng}},\n  title = {{Alpa}},\n  year = {{2022}},\n}}\n"
    )
    assert run("import", str(bib)).code == 0
    assert f"@inproceedings{{{key}," in run("export", "--format", "bibtex").out  # \cite{{…}} in a paper still works
    assert run("show", key, "--json").json()["title"] == "Alpa"


def test_books_theses_and_chapters_keep_their_entry_types_in_a_bibtex_export(run: Run, tmp_path: Path) -> None:
    bib = tmp_path / "kinds.bib"
    bib.write_text(
        "@book{knuth1968, author = {Knuth, Donald}, title = {The Art of Computer Programming}, year = {1968}}\n"
        "@phdthesis{lee2020, author = {Lee, Ann}, title = {Fast Kernels}, school = {MIT}, year = {2020}}\n"
        "@incollection{ng2019, author = {Ng, Bo}, title = {A Chapter}, booktitle = {A Handbook}, year = {2019}}\n",
        encoding="utf-8",
    )
    assert run("import", str(bib)).code == 0
    out = run("export", "--format", "bibtex").out
    assert "@book{knuth1968," in out and "@phdthesis{lee2020," in out and "@incollection{ng2019," in out
    assert "school = {MIT}" in out and "booktitle = {A Handbook}" in out
