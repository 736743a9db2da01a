"""Markdown structure with markdown-it-py: headings, paragraph/list lines and table rows, each with its links."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from markdown_it import MarkdownIt

# Bare URLs end at whitespace, CJK text or full-width punctuation (notes write `https://…这个仓库`).
BARE_URL = re.compile(r"https?://[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+")
_TRAILING = ".,;:!?'\"*"
# Containers nested past Python's recursion limit are flattened: their markers go, their text and links stay.
_CONTAINER_PREFIX = re.compile(r"^(?:\s*(?:>|[-*+](?=\s)|\d{1,9}[.)](?=\s)))+\s*")


@dataclass
class Link:
    url: str
    text: str  # the link text; "" for a bare URL
    line: int
    start: int = 0  # where the link sits in its Line.text (for the text near it)
    end: int = 0


@dataclass
class Line:
    """One source line of a paragraph or list item, with the links on it."""

    number: int
    text: str  # plain text, link texts kept, bare URLs kept
    links: list[Link] = field(default_factory=list)


@dataclass
class Block:
    kind: str  # heading | paragraph | row | html
    line: int
    level: int = 0  # heading level
    text: str = ""
    lines: list[Line] = field(default_factory=list)  # paragraph lines
    cells: list[Line] = field(default_factory=list)  # table row cells
    header: list[str] = field(default_factory=list)  # table header texts (rows only)
    in_list: bool = False
    in_front: bool = False  # before the first heading


def clean_url(url: str) -> str:
    """Trim punctuation a sentence glued to a bare URL, keeping balanced parentheses."""
    url = url.rstrip(_TRAILING)
    while url.endswith(")") and url.count("(") < url.count(")"):
        url = url[:-1].rstrip(_TRAILING)
    while url.endswith("]") and url.count("[") < url.count("]"):
        url = url[:-1].rstrip(_TRAILING)
    return url


def _bare_links(text: str, line: int, offset: int) -> list[Link]:
    found = []
    for m in BARE_URL.finditer(text):
        url = clean_url(m.group(0))
        found.append(Link(url, "", line, offset + m.start(), offset + m.start() + len(url)))
    return found


def _inline_lines(token: Any, first_line: int) -> list[Line]:
    """Split an inline token into source lines, collecting links (markdown and bare) per line.

    Text is gathered in pieces and joined once per line: a 1 MB paragraph line costs linear time."""
    lines = [Line(first_line, "")]
    pieces: list[str] = []
    size = 0
    href: str | None = None
    link_text: list[str] = []
    link_start = 0
    for child in token.children or []:
        current = lines[-1]
        if child.type in ("softbreak", "hardbreak"):
            current.text = "".join(pieces)
            pieces, size = [], 0
            lines.append(Line(current.number + 1, ""))
        elif child.type == "link_open":
            href, link_text, link_start = str(child.attrs.get("href", "")), [], size
        elif child.type == "link_close":
            if href:
                current.links.append(Link(href, "".join(link_text).strip(), current.number, link_start, size))
            href = None
        elif child.type in ("text", "code_inline"):
            if href is not None:
                link_text.append(child.content)
            else:
                current.links += _bare_links(child.content, current.number, size)
            pieces.append(child.content)
            size += len(child.content)
    lines[-1].text = "".join(pieces)
    return lines


def _cell_line(token: Any, line: int) -> Line:
    parts = _inline_lines(token, line)
    text, links, offset = [], [], 0
    for p in parts:
        for lk in p.links:
            lk.start, lk.end = lk.start + offset, lk.end + offset
            links.append(lk)
        text.append(p.text)
        offset += len(p.text) + 1
    return Line(line, " ".join(text), links)


def _markdown() -> MarkdownIt:
    # No nesting cap: markdown-it's default (20) silently drops links below ~10 list/quote levels.
    return MarkdownIt("commonmark", {"html": True, "maxNesting": 1_000_000}).enable("table")


_MD = _markdown()


def tokens_of(text: str) -> list[Any]:
    """markdown-it tokens; containers nested too deep for the recursive parser are flattened, never dropped."""
    try:
        return _MD.parse(text)
    except RecursionError:
        flat = "\n".join(_CONTAINER_PREFIX.sub("", line) for line in text.split("\n"))
        return _MD.parse(flat)


def parse(
    text: str, first_line: int = 1, *, seen_heading: bool = False, header: list[str] | None = None
) -> list[Block]:
    """Blocks of a chunk of a file; `first_line` numbers its first line, `seen_heading` carries file state."""
    tokens = tokens_of(text)
    shift = first_line - 1
    blocks: list[Block] = []
    list_depth = 0
    header = list(header or [])
    row: list[Line] | None = None
    in_head = False
    for i, tok in enumerate(tokens):
        line = (tok.map[0] + 1 + shift) if tok.map else (blocks[-1].line if blocks else first_line)
        if tok.type in ("bullet_list_open", "ordered_list_open", "blockquote_open"):
            list_depth += 1
        elif tok.type in ("bullet_list_close", "ordered_list_close", "blockquote_close"):
            list_depth -= 1
        elif tok.type == "heading_open":
            inline = tokens[i + 1]
            blocks.append(Block("heading", line, level=int(tok.tag[1]), text=inline.content.strip()))
            seen_heading = True
        elif tok.type == "paragraph_open" and tokens[i + 1].type == "inline":
            inline = tokens[i + 1]
            blocks.append(
                Block(
                    "paragraph",
                    line,
                    text=inline.content,
                    lines=_inline_lines(inline, line),
                    in_list=list_depth > 0,
                    in_front=not seen_heading,
                )
            )
        elif tok.type == "thead_open":
            in_head, header = True, []
        elif tok.type == "thead_close":
            in_head = False
        elif tok.type == "tr_open":
            row = []
        elif tok.type in ("th_open", "td_open") and row is not None:
            cell = _cell_line(tokens[i + 1], line)
            row.append(cell)
            if in_head:
                header.append(cell.text)
        elif tok.type == "tr_close" and row is not None:
            if not in_head:
                blocks.append(
                    Block(
                        "row",
                        row[0].number if row else line,
                        cells=row,
                        header=list(header),
                        text=" | ".join(c.text for c in row),
                        in_front=not seen_heading,
                    )
                )
            row = None
        elif tok.type == "html_block":
            blocks.append(Block("html", line, text=tok.content, in_front=not seen_heading))
    return blocks
