"""The Python API: the README's example runs as written, and `Library` is the same library as the CLI."""

from __future__ import annotations

import contextlib
import io
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from readlist import Library
from readlist.errors import NotFoundError, ReadlistError
from tests.conftest import Run

README = Path(__file__).resolve().parents[1] / "README.md"


def test_the_readme_python_example_runs_against_a_fresh_library(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    section = README.read_text(encoding="utf-8").split("## Use from Python", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.S)
    assert code is not None, "README has no python example under Use from Python"
    monkeypatch.chdir(tmp_path)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(code.group(1), "README.md", "exec"), {})
    lines = printed.getvalue().splitlines()
    assert lines[0].startswith("1 reading ") and "'cuda'" in lines[0] and "'quantization'" in lines[0]
    assert lines[1].startswith("2 unread CUDA MODE 课程笔记")
    assert "CUDA MODE 课程笔记" in lines[2]
    assert lines[3].startswith("# ")
    assert (tmp_path / "papers.db").exists()


def test_library_and_cli_see_the_same_items(run: Run, isolated_library: Path) -> None:
    run("add", "2408.11743", "--tag", "cuda", "--no-fetch")
    with Library() as lib:  # READLIST_DB, as the CLI uses
        assert lib.path == isolated_library
        item = lib.show("2408.11743")
        assert item["id"] == 1 and item["tags"] == ["cuda"] and item["kind"] == "paper"
        lib.note(1, "read section 3")
        lib.status("1", "read")
        assert [t["tag"] for t in lib.tags()] == ["cuda"]
        assert lib.list(status=["read"])[0]["notes"][0]["body"] == "read section 3"
        with pytest.raises(NotFoundError):
            lib.show(99)
    assert run("show", "1", "--json").json()["status"] == "read"


def test_importing_readlist_does_not_load_the_library_or_the_write_stack() -> None:
    code = "import sys, readlist; print(sorted(m for m in sys.modules if m.startswith(('readlist.', 'sqlalchemy'))))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60).stdout
    assert out.strip() == "['readlist.version']"


def test_import_leaves_the_callers_garbage_collector_settings_as_they_were(
    isolated_library: Path, notes_dir: Path
) -> None:
    import gc

    before = gc.get_threshold()
    report = Library(isolated_library).import_(notes_dir)
    assert sum(sum(r.new.values()) for r in report.files) == report.totals.new > 1000
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0


# ---- the door: every public method, in-process, as a second front end would use it ---------------------------


def public_methods() -> list[str]:
    return sorted(name for name in dir(Library) if not name.startswith("_") and callable(getattr(Library, name)))


def test_every_public_library_method_is_used_by_the_command_line() -> None:
    """A method no front end calls is either dead or a rule the CLI re-implements around the door."""
    src = Path(__file__).resolve().parents[1] / "src" / "readlist"
    cli_text = "\n".join(
        p.read_text(encoding="utf-8") for p in [*sorted((src / "commands").glob("*.py")), src / "cli.py"]
    )
    # `export`/`digest` give the whole text; the CLI writes the same use case in pieces (`export_stream`).
    unused = [
        name for name in public_methods() if name != "close" and not re.search(rf"\.{name}(_stream)?\b", cli_text)
    ]
    assert unused == []


def test_every_public_library_method_has_an_in_process_test() -> None:
    this_file = Path(__file__).read_text(encoding="utf-8")
    untested = [name for name in public_methods() if name != "close" and not re.search(rf"\.{name}\(", this_file)]
    assert untested == []


def test_status_moves_follow_the_rules_behind_the_door(isolated_library: Path) -> None:
    from readlist.errors import InvalidInputError

    with Library(isolated_library) as lib:
        lib.add("2408.11743", "https://example.org/post", fetch=False)
        assert [c.after for c in lib.start(1)] == ["reading"]
        assert [(c.before, c.after) for c in lib.done(1)] == [("reading", "read")]
        with pytest.raises(ReadlistError):  # a finished item is never skipped by accident
            lib.skip(1)
        assert [c.after for c in lib.status(1, "unread")] == ["unread"]  # any move, said explicitly
        assert [c.after for c in lib.skip(2)] == ["skipped"]
        with pytest.raises(InvalidInputError):
            lib.status(1, "finished-ish")
        assert lib.todo_count() == 1 and [i["id"] for i in lib.todo()] == [1]


def test_tags_notes_and_edits_through_the_library(isolated_library: Path) -> None:
    with Library(isolated_library) as lib:
        lib.add("2408.11743", fetch=False)
        lib.add("https://example.org/kv", title="KV cache notes", fetch=False)
        changes = lib.tag(1, 2, add=["KV-Cache", "量化"])
        assert [c.added for c in changes] == [["KV-Cache", "量化"], ["KV-Cache", "量化"]]
        assert lib.rename_tag("量化", "quantization") == 2
        assert {t["tag"] for t in lib.tags()} == {"KV-Cache", "quantization"}
        assert lib.missing_tag("kv-cach") is not None and lib.missing_tag("quantization") is None
        assert lib.search("kv cache tag:nope", fuzzy=False).total == 0
        assert lib.matches_without_filters("kv cache tag:nope") == 2 and lib.matches_without_filters("tag:x") is None
        added = lib.note(1, "读第三节 — the kernel layout")
        assert added.item_id == 1
        draft = lib.note_to_edit(1)
        lib.save_note(draft, "读第三节, then the benchmarks")
        assert [n["body"] for n in lib.show(1)["notes"]] == ["读第三节, then the benchmarks"]
        assert lib.remove_note(1, 1).startswith("读第三节")
        edited = lib.edit(2, title="KV cache, explained", priority=3)
        assert edited.title == "KV cache, explained" and lib.todo()[0]["id"] == 2
        with pytest.raises(ReadlistError):
            lib.edit(2)  # nothing to change
        assert lib.has("2408.11743") and not lib.has("9999.99999")
        assert lib.address(1, pdf=True).startswith("https://arxiv.org/pdf/2408.11743")
        assert [c[0] for c in lib.complete_items("24")] == ["2408.11743"]
        assert [c[0] for c in lib.complete_tags("qua")] == ["quantization"]
        with pytest.raises(NotFoundError):
            lib.text(1)  # only web articles keep their text


def test_trash_round_trip_through_the_library(isolated_library: Path) -> None:
    with Library(isolated_library) as lib:
        lib.add("2408.11743", tags=["cuda"], note="keep this", fetch=False)
        assert [r.item_id for r in lib.remove(1)] == [1]
        assert [t["key"] for t in lib.trash()] == ["arxiv:2408.11743"]
        assert lib.list() == []
        restored = lib.restore(1)
        assert restored[0].item_id == 1 and lib.show(1)["tags"] == ["cuda"]
        lib.remove(1)
        assert lib.empty_trash() == 1 and lib.trash() == []


def test_reads_of_a_library_for_a_team_view(isolated_library: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("READLIST_USER", "alice")
    with Library(isolated_library) as lib:
        lib.add("2408.11743", tags=["quantization"], fetch=False)
        lib.add("https://zhuanlan.zhihu.com/p/706469164", title="CUDA MODE 课程笔记", fetch=False)
        lib.done(1)
        assert [m["member"] for m in lib.team_stats()] == ["alice"]
        assert lib.stats()["total"] == 2
        overview = lib.overview()
        assert overview is not None and [i["id"] for i in overview["next"]] == [2]
        assert [i["id"] for i in lib.list(read_by="alice", since="7d")] == [1]
        assert list(lib.list_stream(read_by="alice", since="7d")) == lib.list(read_by="alice", since="7d")
        assert [i["id"] for i in lib.search("课程").items] == [2]
        assert "CUDA MODE 课程笔记" in lib.digest(lang="zh", since="7d", status=["unread", "read"])
        assert lib.export("bibtex").startswith("@")
        assert "".join(lib.export_stream("bibtex")) == lib.export("bibtex")
        assert next(lib.digest_stream(lang="en")).startswith("# Reading digest")
        groups, user_file = Library.glossary()
        assert any("quantization" in g for g in groups) and user_file.name.endswith(".txt")
    with Library(isolated_library, member="bob") as bob, pytest.raises(NotFoundError):
        bob.require_member()
    assert Library(isolated_library.parent / "nothing.db", create=False).overview() is None


def test_library_maintenance_in_process(isolated_library: Path, tmp_path: Path) -> None:
    with Library(tmp_path / "fresh.db") as lib:
        assert lib.init() == lib.check().schema
        lib.add("2408.11743", fetch=False)
        assert lib.reindex() == 1 and lib.check().ok
        backup = lib.backup()
        assert backup.exists()
    report = Library.copy(str(tmp_path / "fresh.db"), str(tmp_path / "copy.db"))
    assert report.rows["item"] == 1


def test_import_fetch_and_feeds_through_the_library(
    isolated_library: Path, tmp_path: Path, arxiv_server: Any, sources_server: Any
) -> None:
    from tests.feed_server import FeedServer, arxiv_rss

    notes = tmp_path / "notes.md"
    notes.write_text(
        "## 量化\n\n- https://arxiv.org/abs/2408.11743 Marlin\n- https://arxiv.org/abs/2405.04434 DeepSeek-V2\n",
        encoding="utf-8",
    )
    arxiv_server.add("2408.11743", title="MARLIN: Mixed-Precision Auto-Regressive Parallel Inference")
    feeds = FeedServer()
    feeds.routes["/rss/cs.CL"] = arxiv_rss([("2611.00001v1", "new", "KV cache compression", "Caches.")])
    feeds.start()
    try:
        with Library(isolated_library) as lib:
            assert Library.repairs(notes) == []
            report = lib.import_(notes)
            assert report.totals.new == 2 and lib.show(1)["tags"] == ["量化"]
            summary = lib.fetch()
            assert summary.fetched >= 1 and summary.problem is None
            assert lib.show(1)["title"].startswith("MARLIN")
            published, checked = lib.find_published(1)
            assert checked == 1 and published.requests >= 1
            feed = lib.follow(f"{feeds.base}/rss/cs.CL", match="kv cache", check=False)
            assert [f["name"] for f in lib.feeds()] == [feed.name]
            assert [r.added for r in lib.pull_feeds()] == [[3]]
            assert [i["id"] for i in lib.inbox()] == [3]
            assert [c.after for c in lib.keep(3)] == ["unread"]
            assert lib.unfollow(feed.name).name == feed.name and lib.feeds() == []
    finally:
        feeds.stop()


def test_pdf_is_downloaded_and_attached_through_the_library(
    isolated_library: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from tests.pdf_fixtures import PdfServer, make_pdf

    body = make_pdf(tmp_path / "src.pdf", "Marlin").read_bytes()
    with PdfServer(body) as server, Library(isolated_library) as lib:
        monkeypatch.setenv("READLIST_ARXIV_PDF_URL", server.url)
        lib.add("2408.11743v2", fetch=False)
        first, again = lib.pdf(1), lib.pdf("2408.11743")
        assert first.downloaded and not again.downloaded and first.path == again.path
        assert lib.address(1, pdf=True) == str(first.path)


# ---- what a second front end relies on: the door enforces the rules, whoever calls it ------------------------


def test_a_library_for_a_member_writes_as_that_member(isolated_library: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("READLIST_USER", "alice")
    with Library(isolated_library) as alice:
        alice.add("2408.11743", fetch=False)
    with Library(isolated_library, member="bob") as bob:
        bob.start(1)
        bob.note(1, "bob's reading notes")
        assert [(i["id"], i["status"]) for i in bob.todo()] == [(1, "reading")]
    with Library(isolated_library) as alice:
        assert alice.show(1)["status"] == "unread"
        assert [(n["author"], n["body"]) for n in alice.show(1)["notes"]] == [("bob", "bob's reading notes")]


def test_the_library_refuses_what_the_command_line_refuses(isolated_library: Path) -> None:
    from readlist.errors import InvalidInputError

    with Library(isolated_library) as lib:
        lib.add("2408.11743", fetch=False)
        for bad in ("high", 10**12, 2**63, True):
            with pytest.raises(InvalidInputError):
                lib.edit(1, priority=bad)  # type: ignore[arg-type]
        with pytest.raises(InvalidInputError):
            lib.add("https://example.org/b", title="   ", fetch=False)
        with pytest.raises(InvalidInputError):
            lib.note(1, "  ")
        with pytest.raises(InvalidInputError):
            lib.tag(1)  # no change named
        with pytest.raises(InvalidInputError):
            lib.done()  # no item named
        assert lib.show(1)["priority"] == 0
        assert [c.added for c in lib.tag(1, add="abc")] == [["abc"]]  # one tag, not three letters
        lib.done(1)
        assert [i["id"] for i in lib.list(status="read")] == [1]  # one status given as text
        assert [i["id"] for i in lib.list(read_by=None, status="done")] == [1]  # an alias


def test_todo_records_carry_notes_and_readings_like_every_item_record(isolated_library: Path, run: Run) -> None:
    with Library(isolated_library) as lib:
        lib.add("2408.11743", note="kernels first", fetch=False)
        assert [n["body"] for n in lib.todo()[0]["notes"]] == ["kernels first"]
    item = run("todo", "--json").json()[0]
    assert [n["body"] for n in item["notes"]] == ["kernels first"] and "readings" in item


def test_an_edited_note_never_overwrites_a_change_made_meanwhile(isolated_library: Path) -> None:
    with Library(isolated_library) as lib:
        lib.add("2408.11743", note="first draft", fetch=False)
        mine, theirs = lib.note_to_edit(1, 1), lib.note_to_edit(1, 1)
        lib.save_note(theirs, "their version")
        with pytest.raises(ReadlistError, match="changed by someone else"):
            lib.save_note(mine, "my version")
        assert [n["body"] for n in lib.show(1)["notes"]] == ["their version"]


def test_recommendations_through_the_library(isolated_library: Path) -> None:
    from readlist.api import RankMethod

    with Library(isolated_library) as lib:
        assert lib.ranked_inbox().items == [] and lib.ranked_inbox().method == RankMethod.DATE
        lib.add("2401.00001", title="KV cache quantization", tags=["kv-cache"], fetch=False)
        lib.add("2401.00002", title="Quantized KV cache eviction", fetch=False)
        lib.add("2401.00003", title="Protein folding", fetch=False)
        like = lib.similar(1)
        assert [i["id"] for i in like.items] == [2] and like.items[0]["why"]
        assert [i["id"] for i in lib.suggest_tag("kv-cache").items] == [2]
        assert [fit.tag for fit in lib.suggest_tags(2)] == ["kv-cache"]
        with pytest.raises(NotFoundError):
            lib.suggest_tag("nope")


def test_an_imported_tag_holding_a_comma_can_still_be_removed(isolated_library: Path, tmp_path: Path) -> None:
    notes = tmp_path / "n.md"
    notes.write_text("## CUDA, Triton\n\n- https://arxiv.org/abs/2408.11743\n- https://arxiv.org/abs/2405.04434\n")
    with Library(isolated_library) as lib:
        lib.import_(notes)
        assert lib.show(1)["tags"] == ["CUDA, Triton"]
        assert [c.removed for c in lib.tag(1, remove=["CUDA, Triton"])] == [["CUDA, Triton"]]
        with pytest.raises(ReadlistError, match="comma"):
            lib.tag(1, add=["CUDA, Triton"])  # a person typing it means two tags
        with pytest.raises(ReadlistError, match="start with"):
            lib.tag(1, add=["-webtag"])  # meant as "remove webtag"


def test_repair_indexes_leaves_a_sound_library_alone(isolated_library: Path) -> None:
    with Library(isolated_library) as lib:
        lib.add("2408.11743", fetch=False)
        assert lib.repair_indexes() == 0  # index-only damage is repaired: tests/test_damaged_library.py
        assert lib.check().ok and [i["id"] for i in lib.list()] == [1]
