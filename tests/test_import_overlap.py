"""A big import merges what its readers have read while they read on: the first batches are committed before the
last ones are parsed, and the library, the reports and the counts are those a serial read gives."""

from __future__ import annotations

import os
import signal
import sqlite3
from pathlib import Path

from readlist.importer import parallel
from readlist.importer.reading import FileReport, Spool, read_all
from readlist.importer.run import ImportTotals, write_all
from readlist.store.write import Store
from tests.conftest import Run


def _notes(path: Path, megabytes: float) -> Path:
    """Prose notes with a link per paragraph under a few headings: big enough to be read by a forked reader."""
    with path.open("w", encoding="utf-8") as out:
        i = 0
        while out.tell() < megabytes * 1e6:
            if i % 500 == 0:
                out.write(f"\n## 第 {i // 500} 部分 kv cache\n\n")
            out.write(f"- [Paper {i}](https://arxiv.org/abs/23{1 + i // 90_000 % 12:02d}.{10000 + i % 90_000:05d}) ")
            out.write(f"读过 {i}，{'quantization and serving notes that run on for a while, 量化 和 推理 ' * 4}\n")
            i += 1
    assert path.stat().st_size >= parallel.MIN_BYTES
    return path


def _items(db: Path) -> int:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30) as conn:
        return int(conn.execute("SELECT count(*) FROM item").fetchone()[0])


def _rows(db: Path) -> list[tuple[object, ...]]:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30) as conn:
        return conn.execute(
            "SELECT key, title, (SELECT count(*) FROM source s WHERE s.item_id = i.id) FROM item i ORDER BY key"
        ).fetchall()


def _serial(path: Path, db: Path) -> tuple[list[FileReport], ImportTotals, list[int]]:
    """Read everything, then write: the reports, the counts and the input done at each slice merged."""
    spool, done = Spool(), []
    try:
        reports = read_all([path], [], spool, None)
        return reports, write_all(Store(db), reports, spool, progress=lambda at, _: done.append(at)), done
    finally:
        spool.close()


def test_the_first_batches_are_in_the_library_while_a_reader_is_still_reading(tmp_path: Path) -> None:
    notes = _notes(tmp_path / "big.md", 2.5)
    db = tmp_path / "library.db"
    reading = parallel.Reading([notes], [])
    committed_while_reading: list[int] = []
    merged: list[int] = []
    try:
        assert len(reading.readers) == 1
        feed = reading.stream(None)

        def written(done: int, _total: int) -> None:
            merged.append(done)
            if feed.live:  # the reader has not finished
                committed_while_reading.append(_items(db))

        totals = write_all(Store(db), feed.reports, feed, progress=written)
    finally:
        reading.close()
    assert max(committed_while_reading, default=0) > 0, committed_while_reading
    # The same library, reports and counts as reading everything first, then writing.
    serial_reports, serial_totals, serial_merged = _serial(notes, tmp_path / "serial.db")
    assert _rows(db) == _rows(tmp_path / "serial.db")
    assert feed.reports == serial_reports and totals == serial_totals and merged == serial_merged


def test_a_reader_killed_midway_is_read_again_here_and_nothing_merges_twice(tmp_path: Path) -> None:
    notes = _notes(tmp_path / "big.md", 2)
    db = tmp_path / "library.db"
    reading = parallel.Reading([notes], [])
    merged: list[int] = []
    try:
        feed = reading.stream(None)
        ((pid, _, _),) = reading.readers

        def written(done: int, _total: int) -> None:
            merged.append(done)
            if feed.live:  # the first batch is merged, the reader still reading: it dies
                os.kill(pid, signal.SIGKILL)

        totals = write_all(Store(db), feed.reports, feed, progress=written)
    finally:
        reading.close()
    serial_reports, serial_totals, serial_merged = _serial(notes, tmp_path / "serial.db")
    assert feed.here and feed.given >= 1  # killed after a batch was merged: the rest was read here
    assert _rows(db) == _rows(tmp_path / "serial.db")
    assert feed.reports == serial_reports and totals == serial_totals
    assert merged == serial_merged  # each slice merged once, in file order


def test_an_error_in_a_later_file_of_a_big_import_comes_once_every_file_before_it_is_saved(
    run: Run, tmp_path: Path, isolated_library: Path
) -> None:
    folder = tmp_path / "notes"
    folder.mkdir()
    wrote = 0
    for part in ("a", "b"):  # two files read by two readers (together past parallel.MIN_BYTES)
        with (folder / f"{part}.md").open("w", encoding="utf-8") as out:
            while out.tell() < 0.55e6:
                out.write(
                    f"- [Paper {wrote}](https://arxiv.org/abs/2401.{10000 + wrote:05d}) 读过, {'kv cache ' * 50}\n"
                )
                wrote += 1
    (folder / "z.jsonl").write_text('{"key": "x", "url": "https://a.org"}\n{"kind": "paper"\n', encoding="utf-8")
    result = run("import", str(folder))
    assert result.code == 1 and "z.jsonl is not valid JSON (line 2:" in result.err, result
    assert f"{wrote} item(s) from about the first 99% of the input were saved" in result.err, result
    assert _items(isolated_library) == wrote


def test_after_a_reader_fails_a_file_is_read_again_between_transactions_not_inside_one(tmp_path: Path) -> None:
    reading = parallel.Reading([_notes(tmp_path / "big.md", 1.1)], [])
    try:
        ((pid, _, _),) = reading.readers
        os.kill(pid, signal.SIGKILL)
        feed = reading.stream(None)
        feed.read_here()
        ready = []
        while True:
            ready.append(feed.ready())  # write_all commits, and waits, when the next batch is not ready
            if next(feed, None) is None:
                break
    finally:
        reading.close()
    # The file is parsed at the first batch (after a commit), then its batches are ready one after another.
    assert ready[0] is False and all(ready[1:-1]) and len(ready) > 3, ready
