"""Tables fitted to any width ≥ 40: the title takes the room, other columns shrink or drop by priority."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

from readlist.term import style
from readlist.term.width import cells, pad, truncate, wrap

GAP = 2


class Column:
    """One column. `drop` orders which go first when the terminal is narrow (1 first; 0 never).

    A plain class, not a dataclass: building a dataclass's methods costs ~0.6 ms at import, on every run."""

    def __init__(
        self,
        name: str,
        *,
        right: bool = False,
        flex: bool = False,  # the column that takes the remaining room (the title)
        drop: int = 0,
        shrink_to: int = 0,  # narrowest useful width before dropping (0: cannot shrink)
        shorten: Callable[[str], str] | None = None,  # a shorter form when shrunk (dates: 2026-11-22 → 11-22)
        style: str = "",
        styler: Callable[[str], str] | None = None,  # style chosen by value (status colours)
        max_width: int = 0,
    ) -> None:
        self.name = name
        self.right = right
        self.flex = flex
        self.drop = drop
        self.shrink_to = shrink_to
        self.shorten = shorten
        self.style = style
        self.styler = styler
        self.max_width = max_width
        self.width = 0  # set by fit()
        self.shortened = False


def fit(columns: list[Column], rows: Sequence[Sequence[str]], total: int | None) -> list[Column]:
    """Choose the visible columns and their widths for `total` cells (None: no limit)."""
    for i, col in enumerate(columns):
        natural = max([cells(col.name), *(cells(r[i]) for r in rows)], default=cells(col.name))
        col.width = min(natural, col.max_width) if col.max_width else natural
        col.shortened = False
    visible = list(columns)
    if total is None:
        return visible
    flex = next((c for c in visible if c.flex), None)
    wanted = flex.width if flex else 0
    # the title keeps at least half the line (or all it needs), before any other column keeps anything
    floor = min(wanted, max(10, total // 2))
    for col in sorted((c for c in columns if c.drop), key=lambda c: c.drop):
        if _room(visible, total) >= floor:
            break
        if col.shrink_to and col.width > col.shrink_to:
            col.width, col.shortened = col.shrink_to, col.shorten is not None
            if _room(visible, total) >= floor:
                break
        visible.remove(col)
    if flex is not None:
        flex.width = max(1, min(wanted, _room(visible, total)))
    else:
        _squeeze(visible, total)
    return visible


def _room(visible: list[Column], total: int) -> int:
    """Cells left for the flex column once the others and the gaps are placed."""
    fixed = sum(c.width for c in visible if not c.flex)
    return total - fixed - GAP * (len(visible) - 1)


def _squeeze(visible: list[Column], total: int) -> None:
    """No flex column: shrink the widest until the row fits."""
    while visible and sum(c.width for c in visible) + GAP * (len(visible) - 1) > total:
        widest = max(visible, key=lambda c: c.width)
        if widest.width <= 4:
            break
        widest.width -= 1


def render(
    columns: list[Column],
    rows: Sequence[Sequence[str]],
    *,
    width: int | None,
    wrap_cells: bool = False,
    color: bool = False,
    header: bool = True,
) -> Iterator[str]:
    """Lines of the table, one per row unless `wrap_cells` (then long cells wrap, CJK by character)."""
    visible = fit(columns, rows, width)
    index = [columns.index(c) for c in visible]
    if header:
        names = [pad(truncate(c.name, c.width), c.width, c.right) for c in visible]
        yield style.paint("  ".join(names).rstrip(), "bold underline" if color else "", color)
    last = len(visible) - 1
    for row in rows:
        if wrap_cells:
            yield from _wrapped_row(visible, [row[i] for i in index], color)
            continue
        parts = []
        for n, (col, i) in enumerate(zip(visible, index, strict=True)):
            value = col.shorten(row[i]) if col.shortened and col.shorten else row[i]
            used = cells(value)
            if used > col.width:
                value = truncate(value, col.width)
                used = cells(value)
            if n != last or col.right:
                gap = " " * (col.width - used)
                value = gap + value if col.right else value + gap
            parts.append(_paint(col, value, row[i], color) if color else value)
        yield "  ".join(parts)


def _paint(col: Column, shown: str, raw: str, color: bool) -> str:
    if not color:
        return shown
    return style.paint(shown, col.styler(raw) if col.styler else col.style, True)


def _wrapped_row(visible: list[Column], values: list[str], color: bool) -> Iterator[str]:
    cells_lines = []
    for col, value in zip(visible, values, strict=True):
        value = col.shorten(value) if col.shortened and col.shorten else value
        cells_lines.append(wrap(value, col.width) if col.flex or col.drop else [truncate(value, col.width)])
    for k in range(max(len(c) for c in cells_lines)):
        parts = []
        for col, lines, raw in zip(visible, cells_lines, values, strict=True):
            piece = lines[k] if k < len(lines) else ""
            parts.append(_paint(col, pad(piece, col.width, col.right), raw, color))
        yield "  ".join(parts).rstrip()
