"""`open`, `pdf`, adding local PDFs and shell completion, through the real console script."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from tests.arxiv_server import ArxivServer
from tests.conftest import Run
from tests.pdf_fixtures import PdfServer, make_pdf


def _browser(tmp_path: Path) -> tuple[dict[str, str], Path]:
    """A $BROWSER that records what it was asked to open."""
    log = tmp_path / "opened.txt"
    script = tmp_path / "browser.sh"
    script.write_text(f'#!/bin/sh\necho "$1" >> {log}\n')
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return {"BROWSER": str(script)}, log


def test_open_uses_browser_for_page_pdf_and_code(run: Run, tmp_path: Path) -> None:
    run("add", "2408.11743", "--no-fetch")
    env, log = _browser(tmp_path)
    assert run("open", "1", env=env).code == 0
    assert run("open", "2408.11743", "--pdf", env=env).code == 0
    missing = run("open", "1", "--code", env=env)
    assert missing.code == 1 and missing.err.startswith("error: #1 has no code link") and "hint:" in missing.err
    assert log.read_text().split() == ["https://arxiv.org/abs/2408.11743", "https://arxiv.org/pdf/2408.11743"]


def test_open_without_browser_or_display_prints_the_address(run: Run) -> None:
    run("add", "https://github.com/IST-DASLab/marlin", "--no-fetch")
    env = {k: v for k, v in os.environ.items() if k not in ("BROWSER", "DISPLAY", "WAYLAND_DISPLAY")}
    env["BROWSER"] = ""
    result = run("open", "ist-daslab/marlin", "--code", env=env)
    assert result.code == 0 and result.out == "https://github.com/IST-DASLab/marlin\n", result


def test_add_local_pdf_finds_the_arxiv_id_and_attaches_the_file(run: Run, tmp_path: Path) -> None:
    by_name = make_pdf(tmp_path / "2408.11743v2.pdf", "Marlin")
    by_stamp = make_pdf(tmp_path / "download.pdf", "arXiv:2106.09685v2 [cs.CL] 16 Oct 2021")
    by_info = make_pdf(tmp_path / "paper.pdf", "Some paper", {"Title": "A paper", "doi": "10.1145/3600006.3613165"})
    result = run("add", str(by_name), str(by_stamp), str(by_info), "--no-fetch")
    assert result.code == 0, result
    marlin = run("show", "2408.11743", "--json").json()
    assert marlin["arxiv_version"] == 2
    assert marlin["attachments"][0]["path"] == str(by_name)
    assert run("show", "2106.09685", "--json").json()["attachments"][0]["path"] == str(by_stamp)
    shown = run("show", "10.1145/3600006.3613165")
    assert str(by_info) in shown.out and "A paper" in shown.out
    opened = run("open", "2408.11743", "--pdf", env={"BROWSER": "", "DISPLAY": ""})
    assert opened.out.strip() == str(by_name)  # the local file wins over the PDF link


def test_add_a_folder_adds_every_pdf_and_adding_again_merges(run: Run, tmp_path: Path) -> None:
    folder = tmp_path / "papers"
    (folder / "sub").mkdir(parents=True)
    make_pdf(folder / "2408.11743.pdf")
    make_pdf(folder / "sub" / "hep-th_9901001v1.pdf")
    make_pdf(folder / "notes.pdf", "An untitled draft about kernels")
    (folder / "readme.txt").write_text("not a pdf")
    (folder / ".cache").mkdir()  # hidden folders (caches, a venv, .git) are not searched, as fd and rg do
    make_pdf(folder / ".cache" / "2301.00001.pdf")
    assert run("add", str(folder), "--no-fetch").code == 0
    items = run("list", "--json").json()
    assert len(items) == 3
    again = run("add", str(folder), "--no-fetch")
    assert again.out.count("already in your list") == 3
    assert len(run("list", "--json").json()) == 3
    assert run("add", str(folder / "readme.txt")).err.startswith("error: readme.txt is not a PDF")
    broken = folder / "sub" / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4\n1 0 obj")  # cut off: one bad file does not stop the folder
    make_pdf(folder / "2409.00001.pdf")
    partly = run("add", str(folder), "--no-fetch")
    assert partly.code == 0 and f"skipped {broken}" in partly.err, partly
    assert len(run("list", "--json").json()) == 4
    alone = run("add", str(broken), "--no-fetch")  # named on its own it is an error
    assert alone.code == 1 and "cannot read broken.pdf" in alone.err
    assert run("add", str(tmp_path / "gone.pdf")).err.startswith("error: no such file")


def test_pdf_downloads_once_resumes_and_attaches(run: Run, tmp_path: Path) -> None:
    body = make_pdf(tmp_path / "src.pdf", "Marlin", pad=200_000).read_bytes()
    run("add", "arxiv.org/pdf/2408.11743v2", "--no-fetch")
    with PdfServer(body, cut_after=50_000) as server:
        env = {"READLIST_ARXIV_PDF_URL": server.url}
        first = run("pdf", "1", env=env)
        assert first.code == 1 and "run the same command again to resume" in first.err, first
        second = run("pdf", "1", env=env)
        assert second.code == 0, second
        third = run("pdf", "2408.11743", env=env)
        assert "already have" in third.out
        assert [p for p, _ in server.requests] == ["/pdf/2408.11743v2", "/pdf/2408.11743v2"]
        assert server.requests[1][1] == "bytes=50000-"  # continued, not restarted
    item = run("show", "1", "--json").json()
    saved = Path(item["attachments"][0]["path"])
    assert saved.read_bytes() == body and saved.name == "2408.11743v2.pdf"


def test_pdf_of_a_web_article_is_a_clear_error(run: Run) -> None:
    run("add", "www.example.org/post")
    result = run("pdf", "example.org/post")
    assert result.code == 1 and result.err.startswith("error: #1 is not an arXiv paper")


def test_completion_offers_ids_citation_keys_and_tags_from_the_library(run: Run, tmp_path: Path) -> None:
    bib = tmp_path / "refs.bib"
    bib.write_text("@misc{frantar2024marlin, title={Marlin}, eprint={2408.11743}, keywords={大模型Infra, kernels}}\n")
    run("import", str(bib))

    def complete(words: str) -> list[str]:
        env = {"_READLIST_COMPLETE": "complete_bash", "COMP_WORDS": words, "COMP_CWORD": str(len(words.split()) - 1)}
        result = run(env=env)
        assert result.code == 0, result
        return result.out.split("\n")[:-1]

    assert complete("readlist show fra") == ["frantar2024marlin"]
    assert complete("readlist open 240") == ["2408.11743"]
    assert complete("readlist list --tag 大") == ["大模型Infra"]
    assert complete("readlist tag 1 +ker") == ["+kernels"]
    assert complete("readlist status 1 rea") == ["reading", "read"]
    assert "show" in complete("readlist sh")


def test_add_keeps_the_version_asked_for_while_knowing_the_latest(run: Run, arxiv_server: ArxivServer) -> None:
    arxiv_server.add("2408.11743", version=3, title="MARLIN", authors="Elias Frantar", summary="Fast.")
    assert run("add", "arxiv.org/pdf/2408.11743v2").code == 0
    item = run("show", "2408.11743", "--json").json()
    assert item["arxiv_version"] == 3 and item["details"]["asked_version"] == 2
    assert "v3 (you added v2)" in run("show", "1").out
    opened = run("open", "1", "--pdf", env={"BROWSER": "", "DISPLAY": ""})
    assert opened.out == "https://arxiv.org/pdf/2408.11743v2\n"


def test_pdf_file_name_never_comes_from_imported_text(run: Run, tmp_path: Path, isolated_library: Path) -> None:
    """An imported record's `asked_version` is text from a file: it may not steer where the PDF is written."""
    import json

    record: dict[str, object] = {"key": "arxiv:2408.11743", "url": "https://arxiv.org/abs/2408.11743"}
    record |= {"kind": "paper", "arxiv_id": "2408.11743", "title": "Marlin"}
    record["details"] = {"asked_version": "1/../../../outside/x"}
    (tmp_path / "in.jsonl").write_text(json.dumps(record) + "\n", encoding="utf-8")
    assert run("import", str(tmp_path / "in.jsonl")).code == 0
    body = make_pdf(tmp_path / "src.pdf", "Marlin").read_bytes()
    with PdfServer(body) as server:
        result = run("pdf", "1", env={"READLIST_ARXIV_PDF_URL": server.url})
    assert result.code == 0, result
    saved = Path(run("show", "1", "--json").json()["attachments"][0]["path"])
    assert saved.parent == isolated_library.parent / "pdfs" and saved.name == "2408.11743.pdf"
    assert not (isolated_library.parent.parent / "outside").exists()


def test_imported_attachments_are_only_real_pdfs(run: Run, tmp_path: Path) -> None:
    import json

    real = make_pdf(tmp_path / "marlin.pdf", "Marlin")
    fake = tmp_path / "notes.pdf"
    fake.write_text("not a pdf")
    record: dict[str, object] = {"key": "arxiv:2408.11743", "url": "https://arxiv.org/abs/2408.11743"}
    record |= {"kind": "paper", "arxiv_id": "2408.11743", "title": "Marlin"}
    record["attachments"] = [{"path": p, "kind": "pdf"} for p in ("/etc/passwd", str(fake), str(real), "rel.pdf")]
    (tmp_path / "in.jsonl").write_text(json.dumps(record) + "\n", encoding="utf-8")
    assert run("import", str(tmp_path / "in.jsonl")).code == 0
    assert [a["path"] for a in run("show", "1", "--json").json()["attachments"]] == [str(real)]
    env = {k: v for k, v in os.environ.items() if k not in ("BROWSER", "DISPLAY", "WAYLAND_DISPLAY")}
    env["BROWSER"] = ""  # no browser: `open` prints the address it would open
    assert run("open", "1", "--pdf", env=env).out.strip() == str(real)
