"""Cell widths, wrapping and table fitting on any text: CJK, full-width, emoji, combining marks, long URLs."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from wcwidth import wcswidth

from readlist.term import table, views
from readlist.term.width import cells, truncate, wrap

TEXT = st.lists(
    st.sampled_from([*"ab cd-./:量化推理，。（）ＡＢ😀é", "\u0301", "https://x.org/aaaaaaaaaaaa ", "word "]),
    max_size=60,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(TEXT, st.integers(min_value=4, max_value=80))
def test_wrapped_lines_never_exceed_the_width_and_lose_no_characters(text: str, width: int) -> None:
    lines = wrap(text, width)
    assert all(cells(line) <= width for line in lines), lines
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")


@settings(max_examples=300, deadline=None)
@given(TEXT, st.integers(min_value=1, max_value=60))
def test_truncation_fits_and_cell_widths_match_wcwidth(text: str, width: int) -> None:
    assert cells(truncate(text, width)) <= width
    assert cells(text) == wcswidth(text)


def test_chinese_wraps_between_characters_and_keeps_list_numbers_with_their_text() -> None:
    lines = wrap("1. 提出了量化感知蒸馏，这是一种有效恢复量化模型推理准确性的方法。2. 第二点", 20)
    assert lines[0].startswith("1. 提出") and all(line.strip() not in ("1.", "2.") for line in lines)
    assert not any(line.startswith(("，", "。")) for line in lines)  # closing punctuation never starts a line


def test_narrow_tables_drop_tags_then_kind_then_shorten_the_date() -> None:
    item = {"id": 1, "status": "unread", "kind": "paper", "title": "量化" * 30, "tags": ["a" * 12], "added_at": ""}
    item["added_at"] = "2026-11-22T03:55:52Z"
    rows = [views.item_row(item)]
    for width, gone in ((160, set()), (80, {"tags"}), (60, {"tags", "kind"}), (40, {"tags", "kind"})):
        lines = list(table.render(views.item_columns(), rows, width=width))
        assert all(cells(line) <= width for line in lines), (width, lines)
        header = set(lines[0].split())
        assert not (gone & header) and "title" in header, (width, header)
    narrow = list(table.render(views.item_columns(), rows, width=40))
    assert "11-22" in narrow[1] and "2026-11-22" not in narrow[1]
