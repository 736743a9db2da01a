"""Markdown structure with markdown-it-py: headings, paragraph/list lines and table rows, each with its links."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from markdown_it import MarkdownIt

# Bare URLs end at whitespace, CJK text or full-width punctuation (notes write `https://…这个仓库`).
BARE_URL = re.compile(r"https?://[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+")
_TRAILING = ".,;:!?'\"*"


@dataclass
class Link:
    url: str
    text: str  # the link text; "" for a bare URL
    line: int


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


def _bare_links(text: str, line: int) -> list[Link]:
    return [Link(clean_url(m.group(0)), "", line) for m in BARE_URL.finditer(text)]


def _inline_lines(token: Any, first_line: int) -> list[Line]:
    """Split an inline token into source lines, collecting links (markdown and bare) per line."""
    lines = [Line(first_line, "")]
    href: str | None = None
    link_text = ""
    for child in token.children or []:
        current = lines[-1]
        if child.type in ("softbreak", "hardbreak"):
            lines.append(Line(current.number + 1, ""))
        elif child.type == "link_open":
            href, link_text = str(child.attrs.get("href", "")), ""
        elif child.type == "link_close":
            if href:
                current.links.append(Link(href, link_text.strip(), current.number))
            href = None
        elif child.type in ("text", "code_inline"):
            if href is not None:
                link_text += child.content
            else:
                current.links += _bare_links(child.content, current.number)
            current.text += child.content
        elif child.type == "image":
            continue  # images are never reading items
        elif child.type == "html_inline":
            continue
    return lines


def _cell_line(token: Any, line: int) -> Line:
    parts = _inline_lines(token, line)
    return Line(line, " ".join(p.text for p in parts).strip(), [lk for p in parts for lk in p.links])


def parse(text: str) -> list[Block]:
    md = MarkdownIt("commonmark", {"html": True}).enable("table")
    tokens = md.parse(text)
    blocks: list[Block] = []
    list_depth = 0
    seen_heading = False
    header: list[str] = []
    row: list[Line] | None = None
    in_head = False
    for i, tok in enumerate(tokens):
        line = (tok.map[0] + 1) if tok.map else (blocks[-1].line if blocks else 1)
        if tok.type in ("bullet_list_open", "ordered_list_open"):
            list_depth += 1
        elif tok.type in ("bullet_list_close", "ordered_list_close"):
            list_depth -= 1
        elif tok.type == "heading_open":
            inline = tokens[i + 1]
            blocks.append(Block("heading", line, level=int(tok.tag[1]), text=inline.content.strip()))
            seen_heading = True
        elif tok.type == "paragraph_open" and tokens[i + 1].type == "inline":
            inline = tokens[i + 1]
            lines = _inline_lines(inline, line)
            blocks.append(
                Block(
                    "paragraph",
                    line,
                    text=inline.content,
                    lines=lines,
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
