"""One paragraph of megabytes (thousands of links on one line) is read in bounded pieces: every link becomes an
item with its own line number, and no piece cuts a link in two."""

from __future__ import annotations

import re
from pathlib import Path

from readlist.importer.chunks import chunks
from readlist.importer.reading import read_file

LINK = re.compile(r"\[p(\d+)\]\(https://arxiv\.org/abs/(2401\.\d{5})\)")


def _paragraph(count: int) -> str:
    return " ".join(f"[p{i}](https://arxiv.org/abs/2401.{10000 + i:05d}) 说明 (见 {i})" for i in range(count)) + "\n"


def test_a_line_longer_than_a_chunk_is_cut_between_links_and_keeps_its_number() -> None:
    line = _paragraph(5000)
    lines = [("# Notes\n", 8), ("\n", 9), (line, 9 + len(line)), ("after\n", 15 + len(line))]
    pieces = list(chunks(lines, target=20_000))
    assert "".join(c.text for c in pieces) == "".join(text for text, _ in lines)  # nothing lost or doubled
    long = [c for c in pieces if c.first_line == 3]
    assert len(long) >= len(line) // 20_000  # bounded pieces, not one chunk of the whole line
    assert all(len(c.text) < 2 * 20_000 for c in long)
    assert sum(len(LINK.findall(c.text)) for c in long) == 5000  # each link whole in exactly one piece
    assert pieces[-1].first_line == 4 and pieces[-1].text == "after\n"
    assert [c.end_offset for c in pieces] == sorted(c.end_offset for c in pieces)


def test_every_link_of_a_huge_paragraph_is_an_item_on_its_line(tmp_path: Path) -> None:
    notes = tmp_path / "paragraph.md"
    notes.write_text("# Reading\n\n" + _paragraph(6_500), encoding="utf-8")  # ~390 KB: five pieces
    drafts = read_file(notes, []).drafts
    assert sorted(d.ref.key for d in drafts) == sorted(f"arxiv:2401.{10000 + i:05d}" for i in range(6_500))
    assert {s.line for d in drafts for s in d.sources} == {3}
