"""Import at scale and exactly: idempotence, table rows, bounded notes, deep nesting, chunking, counts."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from readlist.importer.chunks import chunks
from readlist.importer.extract import Extractor, extract
from readlist.importer.markdown import parse
from tests.conftest import Run
from tests.garble import garble


def _export(run: Run) -> str:
    result = run("export", "--format", "jsonl")
    assert result.code == 0, result
    return result.out


def test_reimporting_notes_leaves_the_export_byte_identical(run: Run, tmp_path: Path, notes_dir: Path) -> None:
    folder = tmp_path / "notes"
    folder.mkdir()
    # The same paper mentioned on several lines and in two files: sources keep the first mention.
    (folder / "a.md").write_text(
        "# T\n\n## 量化\n\n- [Marlin](https://arxiv.org/abs/2408.11743) 第一次\n- 再看 https://arxiv.org/abs/2408.11743\n\n"
        "## 其他\n\n| 论文 | 描述 |\n|---|---|\n| [Marlin](https://arxiv.org/abs/2408.11743) | 又一次 |\n",
        encoding="utf-8",
    )
    (folder / "b.md").write_text((notes_dir / "chat-notes-kernels-and-reasoning.md").read_text("utf-8"), "utf-8")
    assert run("import", str(folder)).code == 0
    first = _export(run)
    assert run("import", str(folder)).code == 0
    assert _export(run) == first
    marlin = run("show", "2408.11743", "--json").json()
    lines = {s["section"]: s["line"] for s in marlin["sources"]}
    assert lines["量化"] == 5


def test_every_article_in_a_table_row_is_an_item_linked_to_the_others() -> None:
    text = (
        "# Blog\n\n## 工具\n\n| 编号 | 工具 | 团队 | 详情 |\n|---|---|---|---|\n"
        "| 1 | [BertViz](https://github.com/jessevig/bertviz) | Jessevig | 可视化注意力的工具, 支持多种视图. 参见 "
        "[2019/04/11, Human-Computer Interaction (cs.HC), Visualizing Attention in Transformers]"
        "(https://arxiv.org/abs/1904.02679) 和 [可视化注意力](https://zhuanlan.zhihu.com/p/123456) |\n"
    )
    drafts = {d.ref.key: d for d in extract("b.md", text, parse(text)).drafts}
    assert set(drafts) == {"github:jessevig/bertviz", "arxiv:1904.02679", "url:https://zhuanlan.zhihu.com/p/123456"}
    paper = drafts["arxiv:1904.02679"]
    assert paper.title == "Visualizing Attention in Transformers" and paper.published == "2019-04-11"
    article = drafts["url:https://zhuanlan.zhihu.com/p/123456"]
    assert {role for _, role in article.links} == {"related"} and len(article.links) == 2
    assert ("https://github.com/jessevig/bertviz", "code") in paper.links
    assert all(d.affiliation == "Jessevig" for d in drafts.values())


def test_long_text_in_a_team_column_goes_to_the_note_not_the_affiliation() -> None:
    summary = "这是一段很长的描述, 讲的是论文做了什么, " * 20
    text = f"## 论文\n\n| 日期 | 论文 | 团队 |\n|---|---|---|\n| 2024/07 | [P](https://arxiv.org/abs/2401.00001) | {summary} |\n"
    (draft,) = extract("t.md", text, parse(text)).drafts
    assert draft.affiliation is None and draft.published == "2024-07"
    assert draft.notes and "很长的描述" in draft.notes[0].body


def test_a_paragraph_of_many_links_gives_each_only_the_text_near_it() -> None:
    line = " ".join(f"[p{i}](https://arxiv.org/abs/2401.{10000 + i}) 第{i}篇的说明" for i in range(3000))
    drafts = extract("p.md", line, parse(line)).drafts
    assert len(drafts) == 3000
    assert all(len(n.body) < 600 for d in drafts for n in d.notes)
    assert "第7篇的说明" in drafts[7].notes[0].body


def test_links_nested_at_any_depth_are_kept() -> None:
    for depth in (15, 60, 1500):
        nested = (
            "".join("  " * i + "- level\n" for i in range(depth))
            + "  " * depth
            + "- https://arxiv.org/abs/2401.00002\n"
        )
        quoted = "> " * depth + "[x](https://arxiv.org/abs/2401.00003)\n"
        for text in (nested, quoted):
            assert [d.ref.key for d in extract("n.md", text, parse(text)).drafts][-1:] in (
                ["arxiv:2401.00002"],
                ["arxiv:2401.00003"],
            ), depth


def test_small_chunks_give_the_same_items_as_the_whole_file(notes_dir: Path) -> None:
    text = (notes_dir / "blog-ai-os-paper-tables.md").read_text(encoding="utf-8")
    whole = extract("f.md", text, parse(text)).drafts
    extractor = Extractor("f.md")
    stream = []
    pairs = [(line, 0) for line in text.splitlines(keepends=True)]
    for chunk in chunks(pairs, target=3000):
        stream += extractor.feed(parse(chunk.text, chunk.first_line), chunk.text, chunk.first_line)
    assert {d.ref.key for d in stream} == {d.ref.key for d in whole}
    first_line = {d.ref.key: d.sources[0].line for d in reversed(whole)}
    assert all(first_line[d.ref.key] <= d.sources[0].line for d in stream)


def test_counts_are_distinct_items_and_match_the_library(run: Run, tmp_path: Path) -> None:
    for name in ("a.md", "b.md", "c.md"):
        (tmp_path / name).write_text("- https://arxiv.org/abs/2408.11743\n- https://github.com/a/b\n", "utf-8")
    result = run("import", str(tmp_path))
    assert result.code == 0 and "added 2 item(s)" in result.out, result
    assert len(run("list", "--json").json()) == 2
    again = run("import", str(tmp_path))
    assert "added 0 item(s), merged 0, 2 unchanged" in again.out, again


def test_other_writers_are_not_blocked_while_an_import_reads(tmp_path: Path, isolated_library: Path) -> None:
    from readlist.importer.run import import_files
    from readlist.store.write import Store

    notes = tmp_path / "n.md"
    notes.write_text("## 量化\n\n" + "".join(f"- https://arxiv.org/abs/2401.{10000 + i}\n" for i in range(3000)))
    lib = Store(isolated_library)
    committed: list[int] = []

    def meanwhile(done: int, total: int) -> None:
        if not committed:  # another process writes in the middle of the read phase
            conn = sqlite3.connect(isolated_library, timeout=0.1)
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("CREATE TABLE IF NOT EXISTS other_writer (x)")
            conn.commit()
            conn.close()
            committed.append(done)

    reports, totals = import_files(lib, [notes], [], progress=meanwhile)
    assert committed and totals.new == 3000 and sum(reports[0].new.values()) == 3000


def test_import_repairs_lists_each_uncertain_repair_with_line_and_alternatives(run: Run, tmp_path: Path) -> None:
    clean = "我们今天学习了量化和矩阵乘法的优化方法，记录一些踩坑的笔记。\n" * 3 + "加速的细节见后文【重点】。\n"
    damaged = tmp_path / "g.md"
    damaged.write_text(garble(clean, "cp1252"), encoding="utf-8")
    result = run("import", "--repairs", str(damaged))
    assert result.code == 0, result
    rows = result.out.splitlines()
    assert rows and f"{len(rows)} low-confidence repair(s)" in result.err  # the count stays out of the data
    for row in rows:
        name, line, column, _ = row.split(":", 3)
        assert name == str(damaged) and int(line) >= 1 and int(column) >= 1 and "(or:" in row
    assert run("list", "--json").json() == []  # --repairs imports nothing
    assert f"({len(rows)} unsure)" in run("import", str(damaged)).out  # the summary counts the same choices


def _garbled_notes(tmp_path: Path) -> Path:
    damaged = tmp_path / "garbled.md"
    damaged.write_text(garble("记录一些踩坑的笔记，优化方法与量化。\n" * 400, "cp1254"), encoding="utf-8")
    return damaged


def test_import_repairs_into_head_exits_0_and_into_a_full_disk_says_so(tmp_path: Path) -> None:
    import subprocess

    from tests.conftest import READLIST

    damaged = _garbled_notes(tmp_path)
    command = [READLIST, "--db", str(tmp_path / "lib.db"), "import", "--repairs", str(damaged)]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stdout.readline().startswith(str(damaged).encode())
    proc.stdout.close()  # what `| head -1` does
    assert proc.wait(timeout=60) == 0 and proc.stderr is not None and b"error" not in proc.stderr.read()
    with open("/dev/full", "w") as full:
        done = subprocess.run(command, stdout=full, stderr=subprocess.PIPE, text=True, timeout=60)
    assert done.returncode == 1 and done.stderr.startswith("error: cannot write: no space left on the device")


def test_jsonl_export_still_merges_as_an_export(run: Run, tmp_path: Path) -> None:
    run("add", "2408.11743", "--no-fetch", "--tag", "q")
    exported = tmp_path / "mine.jsonl"
    exported.write_text(_export(run), encoding="utf-8")
    other = tmp_path / "other.db"
    result = run("import", str(exported), env={"READLIST_DB": str(other)})
    assert result.code == 0 and "readlist export" in result.out, result
    items = json.loads(run("list", "--json", env={"READLIST_DB": str(other)}).out)
    assert [i["tags"] for i in items] == [["q"]]


def test_one_paper_under_two_titles_in_the_notes_is_not_a_conflict_but_an_edit_is(run: Run, tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "a.md").write_text("# 读书\n\n- [Marlin](https://arxiv.org/abs/2408.11743) 第一次\n", encoding="utf-8")
    (notes / "b.md").write_text(
        "# 再读\n\n- [MARLIN: Mixed-Precision Kernels](https://arxiv.org/abs/2408.11743) 又看\n", encoding="utf-8"
    )
    for _ in range(2):  # first import, then a re-import of the unchanged file
        result = run("import", str(notes))
        assert result.code == 0 and "differed" not in result.out + result.err, result
    assert run("edit", "1", "--title", "My title").code == 0
    result = run("import", str(notes))
    assert "1 field(s) differed (title 1)" in result.out + result.err


def test_per_file_rows_add_up_to_the_totals_and_removed_items_count_once(run: Run, tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    notes.mkdir()
    shared = "- [Marlin](https://arxiv.org/abs/2408.11743) 量化\n"
    (notes / "a.md").write_text(f"# A\n\n{shared}- [FA](https://arxiv.org/abs/2205.14135) 注意力\n", encoding="utf-8")
    (notes / "b.md").write_text(f"# B\n\n{shared}{shared}- [QLoRA](https://arxiv.org/abs/2305.14314)\n", "utf-8")
    first = run("import", str(notes)).out
    rows = {line.split()[0]: line.split()[2:5] for line in first.splitlines() if line.startswith(("a.md", "b.md"))}
    assert rows == {"a.md": ["2", "0", "0"], "b.md": ["1", "0", "0"]}, first  # Marlin counted in a.md only
    assert "added 3 item(s)" in first
    again = run("import", str(notes)).out
    assert "added 0 item(s), merged 0, 3 unchanged" in again, again
    assert run("rm", "2408.11743", "--yes").code == 0
    skipped = run("import", str(notes)).out
    assert "2 unchanged" in skipped and "skipped (removed): 1 item(s)" in skipped, skipped
    back = run("import", str(notes), "--restore-removed").out
    assert "2 unchanged" in back and "restored 1 removed" in back, back


def test_readers_in_other_processes_give_exactly_what_a_serial_read_gives(
    tmp_path: Path, notes_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pickle

    from readlist.importer import parallel
    from readlist.importer.run import Spool, read_all

    files = sorted(notes_dir.glob("*.md"))
    spool = Spool()
    serial = read_all(files, ["t"], spool, None)
    expected = [pickle.dumps(batch) for batch in spool]
    monkeypatch.setattr(parallel, "MIN_BYTES", 0)
    seen: list[int] = []
    reading = parallel.Reading(files, ["t"])
    try:
        assert len(reading.readers) == 2
        reports, batches = reading.result(lambda done, _total: seen.append(done))
        assert [pickle.dumps(batch) for batch in batches] == expected  # same drafts, same file order
    finally:
        reading.close()
    assert [(r.path, r.encoding, r.lines_repaired, r.skipped) for r in reports] == [
        (r.path, r.encoding, r.lines_repaired, r.skipped) for r in serial
    ]
    assert seen and max(seen) == sum(p.stat().st_size for p in files)  # progress in bytes, from the readers


def test_one_big_file_read_with_a_parsing_helper_keeps_every_item_after_the_first_heading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pickle

    from readlist.importer import parallel
    from readlist.importer.run import Spool, read_all

    # Home-page links are header noise only before the first heading; chunks deep in the file are parsed on
    # their own (some by the helper process) and must still know that a heading came before them.
    # Five chunks (chunks.TARGET characters each), mostly prose: it is the chunks, not the links, that matter.
    prose = "plain words without a link in them, " * 8
    notes = tmp_path / "big.md"
    notes.write_text("# 1. Blogs\n\n" + "".join(f"see https://example.com/blog{i}\n\n{prose}\n\n" for i in range(1200)))
    spool = Spool()
    read_all([notes], [], spool, None)
    expected = [pickle.dumps(batch) for batch in spool]
    monkeypatch.setattr(parallel, "MIN_BYTES", 0)
    reading = parallel.Reading([notes], [])
    try:
        assert len(reading.readers) == 1
        _reports, batches = reading.result(None)
        got = list(batches)
        assert [pickle.dumps(batch) for batch in got] == expected
        assert len(got) > 2 and sum(len(drafts) for _, _, drafts in got) == 1200
    finally:
        reading.close()


def test_a_reader_that_fails_leaves_the_parent_to_read_everything(
    tmp_path: Path, notes_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from readlist.importer import parallel

    def broken(*_args: object) -> None:
        raise MemoryError("a reader ran out of memory")

    files = sorted(notes_dir.glob("*.md"))
    monkeypatch.setattr(parallel, "MIN_BYTES", 0)
    monkeypatch.setattr(parallel, "parse_file", broken)  # only the forked readers use this name
    reading = parallel.Reading(files, [])
    try:
        reports, batches = reading.result(None)
        assert reading.readers == [] and sum(len(drafts) for _, _, drafts in batches) > 1000
    finally:
        reading.close()
    assert [Path(r.path).name for r in reports] == [p.name for p in files]
    assert parallel.shares([5, 1, 4, 2], 2) == [[0, 1], [2, 3]]  # largest first, each share in file order


def test_each_line_of_a_file_says_how_far_into_the_file_it_ends(tmp_path: Path) -> None:
    """What progress and Ctrl-C's "saved from about the first N%" count: not the block read (1 MB at a time)."""
    from readlist.importer.decode import TextFile

    path = tmp_path / "notes.md"
    path.write_text("".join(f"- [论文 {n}](https://arxiv.org/abs/2401.{n:05d})\n" for n in range(3000)), "utf-8")
    ends = [end for _, end in TextFile(path).lines()]
    assert ends[0] == len("- [论文 0](https://arxiv.org/abs/2401.00000)\n".encode())
    assert ends == sorted(set(ends)) and ends[-1] == path.stat().st_size
