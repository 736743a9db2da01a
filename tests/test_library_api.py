"""The Python API: the README's example runs as written, and `Library` is the same library as the CLI."""

from __future__ import annotations

import contextlib
import io
import re
import subprocess
import sys
from pathlib import Path

import pytest

from readlist import Library
from readlist.errors import NotFoundError
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
