"""Exports and digests are written as the library is read: memory stays flat as the library grows, the output
is the same as one whole text, and an interrupted export to a file leaves the old file as it was."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from benchmarks.synth import build
from readlist import Library
from readlist.store import stream
from readlist.term.outfile import TMP_MARK, write_output
from readlist.term.width import json_safe
from tests.conftest import Run

PEAK = (
    "import resource, subprocess, sys\n"
    "subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, check=True)\n"
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
)


def _peak_kib(args: list[str], db: Path) -> int:
    """The largest resident size of `readlist ARGS` on the library `db`, in KiB."""
    readlist = Path(sys.executable).parent / "readlist"
    env = {**os.environ, "READLIST_DB": str(db), "NO_COLOR": "1"}
    done = subprocess.run(
        [sys.executable, "-c", PEAK, str(readlist), *args], env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    return int(done.stdout)


@pytest.fixture(scope="module")
def small_and_large(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("sizes")
    return build(folder / "small.db", 300), build(folder / "large.db", 4000)


@pytest.mark.parametrize(
    "args",
    [
        ["export", "--format", "jsonl"],
        ["export", "--format", "json"],
        ["export", "--format", "bibtex"],
        ["export", "--format", "csv"],
        ["digest", "--since", "3000d"],
        ["list"],
        ["list", "--format", "jsonl"],
    ],
)
def test_export_and_digest_memory_does_not_grow_with_the_library(
    small_and_large: tuple[Path, Path], args: list[str], isolated_library: Path
) -> None:
    small, large = small_and_large
    grown = _peak_kib(args, large) - _peak_kib(args, small)
    # Thirteen times the items; whole-output exports grew by 20-60 MB here, a page at a time stays within noise.
    assert grown < 12_000, f"{' '.join(args)}: peak grew by {grown} KiB from 300 to 4,000 items"


def test_streamed_export_is_the_whole_export_in_pieces(run: Run) -> None:
    for n in range(3):
        run("add", f"https://example.com/{n}", "--title", f"Paper {n}\u2028line", "--tag", "t", "--note", "n")
    with Library() as lib:
        for fmt in ("jsonl", "json", "bibtex", "csv"):
            assert "".join(lib.export_stream(fmt)) == lib.export(fmt)
        assert json.loads(lib.export("json")) == [json.loads(line) for line in lib.export("jsonl").splitlines()]
        assert "".join(lib.digest_stream(lang="en")) == lib.digest(lang="en")


def test_json_export_of_nothing_is_an_empty_array(run: Run) -> None:
    run("add", "https://example.com/x", "--tag", "a")
    assert run("export", "--format", "json", "--tag", "nothing-has-it").out == "[]\n"
    assert run("export", "--format", "json").json()[0]["tags"] == ["a"]


def test_export_pages_keep_key_order_across_page_boundaries(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(stream, "PAGE", 2)
    for n in (5, 3, 9, 1, 7):
        run("add", f"https://example.com/{n}", "--no-fetch")
    keys = [json.loads(line)["key"] for line in run("export").out.splitlines()]
    assert keys == sorted(keys) and len(keys) == 5
    digest = run("digest", "--lang", "en").out
    assert digest.count("- [") == 5


def test_list_pages_are_the_whole_list_in_order_with_filters(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(stream, "PAGE", 2)
    for n in (5, 3, 9, 1, 7):
        run("add", f"https://example.com/{n}", "--no-fetch", "--tag", "odd" if n % 3 else "three")
    run("done", "2")
    with Library() as lib:
        for options in ({}, {"tag": "odd"}, {"status": ["read"]}, {"full": False}, {"tag": "none"}):
            assert list(lib.list_stream(**options)) == lib.list(**options), options
    assert [line.split("\t")[0] for line in run("list").out.splitlines()] == ["1", "2", "3", "4", "5"]
    jsonl = run("list", "--tag", "odd", "--format", "jsonl").out.splitlines()
    assert [json.loads(line)["id"] for line in jsonl] == [1, 4, 5]


def _interrupted(after: int) -> Iterator[str]:
    for n in range(after):
        yield f"line {n}\n"
    raise KeyboardInterrupt


def test_an_interrupted_export_leaves_the_old_file_and_no_partial_one(tmp_path: Path) -> None:
    target = tmp_path / "export.jsonl"
    target.write_text("the export from yesterday\n", encoding="utf-8")
    with pytest.raises(KeyboardInterrupt):
        write_output(target, _interrupted(50_000))  # several blocks were written before the interrupt
    assert target.read_text(encoding="utf-8") == "the export from yesterday\n"
    assert [p.name for p in tmp_path.iterdir() if TMP_MARK in p.name] == []
    write_output(tmp_path / "new.jsonl", (f"{n}\n" for n in range(3)))
    assert (tmp_path / "new.jsonl").read_text(encoding="utf-8") == "0\n1\n2\n"


def test_json_export_is_written_as_the_standard_library_indents_it(run: Run, tmp_path: Path) -> None:
    """The fast indenter (export/formats.py) writes exactly what json.dumps(indent=2, sort_keys=True) does,
    records of different shapes and a user's nested details included."""
    rows = [
        {"key": "url:https://example.com/a", "url": "https://example.com/a", "title": "量化 A", "tags": ["b", "a"]},
        {
            "key": "url:https://example.com/b",
            "url": "https://example.com/b",
            "title": 'B \u2028 "quoted"',
            "details": {"zeta": [1, 2.5, None, True], "alpha": {"y": "是", "x": []}, "mid": {}},
            "notes": [{"body": "一条笔记"}],
        },
    ]
    source = tmp_path / "rows.jsonl"
    source.write_text("\r".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\r", encoding="utf-8")
    assert run("import", str(source)).code == 0  # old Mac line ends (\r) too
    out = run("export", "--format", "json").out
    assert out == json_safe(json.dumps(json.loads(out), indent=2, sort_keys=True, ensure_ascii=False)) + "\n"
    assert "\\u2028" in out  # a line separator stays escaped (json_safe), as every JSON readlist writes
    assert json.loads(out)[1]["details"]["alpha"] == {"x": [], "y": "是"}
