"""A note's markdown drawn for the terminal: headings, lists, quotes, bold, code; CJK-aware wrapping."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from readlist.term import style
from readlist.term.width import Segment, cells, one_line, safe, truncate, wrap_styled

_INLINE_STYLE = {"strong": "bold", "em": "italic", "s": "dim"}


def render(markdown: str, width: int, *, color: bool) -> list[str]:
    """Lines of at most `width` cells (code blocks are cut, never wrapped)."""
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
    tokens = md.parse(markdown)
    return list(_Renderer(width, color).blocks(tokens))


class _Renderer:
    def __init__(self, width: int, color: bool) -> None:
        self.width = max(20, width)
        self.color = color

    def blocks(self, tokens: list[Any]) -> Iterator[str]:
        prefix: list[str] = []  # quote bars and list indents, outermost first
        pending_bullet: list[str] = []
        counters: list[int | None] = []
        gap = False  # a blank line is owed before the next block
        i = 0
        while i < len(tokens):
            tok = tokens[i]
            kind = tok.type
            if kind in ("bullet_list_open", "ordered_list_open"):
                if gap and not counters:
                    yield self._bar(prefix)
                gap = False
                counters.append(int(tok.attrGet("start") or 1) if kind == "ordered_list_open" else None)
            elif kind in ("bullet_list_close", "ordered_list_close"):
                counters.pop()
            elif kind == "list_item_open":
                number = counters[-1]
                marker = f"{number}. " if number is not None else "• "
                if number is not None:
                    counters[-1] = number + 1
                pending_bullet.append(marker)
                prefix.append(" " * cells(marker))
            elif kind == "list_item_close":
                prefix.pop()
                if pending_bullet:
                    pending_bullet.pop()
            elif kind == "blockquote_open":
                if gap:
                    yield self._bar(prefix)
                gap = False
                prefix.append("│ ")
            elif kind == "blockquote_close":
                prefix.pop()
            elif kind in ("heading_open", "paragraph_open"):
                inline = tokens[i + 1]
                if gap and not tok.hidden:
                    yield self._bar(prefix)
                segs = self._inline(inline.children or [])
                if kind == "heading_open":
                    level = int(tok.tag[1])
                    segs = [(t, "bold underline" if level == 1 else "bold") for t, _ in segs]
                    if level >= 3:
                        segs = [("#" * level + " ", "dim"), *segs]
                yield from self._para(segs, prefix, pending_bullet)
                gap = True
                i += 2
            elif kind in ("fence", "code_block"):
                if gap:
                    yield self._bar(prefix)
                yield from self._code(tok.content, prefix, pending_bullet)
                gap = True
            elif kind == "html_block":
                yield from self._para([(one_line(tok.content), "")], prefix, pending_bullet)
                gap = True
            elif kind == "hr":
                yield self._bar(prefix) + style.paint("─" * (self.width - self._indent(prefix)), "dim", self.color)
                gap = True
            elif kind == "table_open":
                end = next(j for j in range(i, len(tokens)) if tokens[j].type == "table_close")
                if gap:
                    yield self._bar(prefix)
                yield from self._table(tokens[i:end], prefix)
                gap = True
                i = end
            i += 1

    def _indent(self, prefix: list[str]) -> int:
        return sum(cells(p) for p in prefix)

    def _bar(self, prefix: list[str]) -> str:
        return "".join(p if p.startswith("│") else " " * len(p) for p in prefix).rstrip()

    def _para(self, segs: list[Segment], prefix: list[str], bullets: list[str]) -> Iterator[str]:
        room = self.width - self._indent(prefix)
        for n, line in enumerate(wrap_styled(segs, room)):
            lead = list(prefix)
            if n == 0 and bullets and bullets[-1]:
                # the marker sits in the indent of its own item, on the item's first line only
                lead[len(lead) - 1] = bullets[-1]
                bullets[-1] = ""
            painted = "".join(style.paint(t, s, self.color) for t, s in line)
            yield "".join(self._lead(lead)) + painted

    def _lead(self, lead: list[str]) -> list[str]:
        return [style.paint(p, "dim", self.color) if p.startswith("│") else p for p in lead]

    def _code(self, content: str, prefix: list[str], bullets: list[str]) -> Iterator[str]:
        room = self.width - self._indent(prefix) - 2
        for line in content.rstrip("\n").split("\n"):
            yield "".join(self._lead(prefix)) + "  " + style.paint(truncate(safe(line), room), "cyan", self.color)
        if bullets:
            bullets[-1] = ""

    def _table(self, tokens: list[Any], prefix: list[str]) -> Iterator[str]:
        rows: list[list[str]] = []
        for tok in tokens:
            if tok.type == "tr_open":
                rows.append([])
            elif tok.type == "inline" and rows:
                rows[-1].append("".join(t for t, _ in self._inline(tok.children or [])))
        room = self.width - self._indent(prefix)
        for n, row in enumerate(rows):
            line = truncate(" │ ".join(row), room)
            yield "".join(self._lead(prefix)) + style.paint(line, "bold" if n == 0 else "", self.color)

    def _inline(self, children: list[Any]) -> list[Segment]:
        segs: list[Segment] = []
        active: list[str] = []
        link: list[str] = []
        for child in children:
            kind = child.type
            if kind.endswith("_open") and kind[:-5] in _INLINE_STYLE:
                active.append(_INLINE_STYLE[kind[:-5]])
            elif kind.endswith("_close") and kind[:-6] in _INLINE_STYLE and active:
                active.pop()
            elif kind == "link_open":
                link.append(str(child.attrGet("href") or ""))
                active.append("underline")
            elif kind == "link_close":
                active.pop()
                href = link.pop() if link else ""
                shown = "".join(t for t, _ in segs[-8:])
                if href and href not in shown:
                    segs.append((f" ({safe(href)})", "dim"))
            elif kind == "code_inline":
                segs.append((safe(child.content), "cyan"))
            elif kind in ("softbreak", "hardbreak"):
                segs.append((" ", ""))
            elif kind in ("text", "html_inline", "image"):
                segs.append((safe(child.content), " ".join(active)))
        return segs
