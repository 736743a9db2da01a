"""Markdown structure with markdown-it-py: headings, paragraph/list lines and table rows, each with its links."""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass, field
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.common.normalize_url import normalizeLink
from markdown_it.token import Token

# Bare URLs end at whitespace, CJK text or full-width punctuation (notes write `https://…这个仓库`).
# Kept for callers that only strip URLs out of plain text; links themselves come from `url_end`.
BARE_URL = re.compile(r"https?://[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+")
# What a bare URL may hold: GFM's "anything but whitespace and <" (so `_…_` and `__init__` stay inside), minus
# the characters notes glue right after a URL without a space: CJK text, full-width and typographic punctuation.
_URL = re.compile(
    r"https?://[^\s<>`\"{}|\\^\x00-\x1f\x7f\u2000-\u206f\u2e80-\u9fff\ua000-\ua4cf\uac00-\ud7af"
    r"\uf900-\ufaff\ufe10-\ufe6f\uff00-\uffef\U00020000-\U0003ffff]+",
    re.IGNORECASE,
)
_SCHEME_BEFORE = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.+-")
_TRAILING = ".,;:!?'\"*~"
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


def clean_url(url: str, before: str = "") -> str:
    """Trim what a sentence glued to a bare URL (GFM autolink-literal rules): trailing punctuation, a `)` or `]`
    without its opening partner, and the closing mark of emphasis wrapped around the URL (`_https://…_`)."""
    while True:
        trimmed = url.rstrip(_TRAILING)
        if before == "_":
            trimmed = trimmed.rstrip("_")
        for close, open_ in ((")", "("), ("]", "[")):
            if trimmed.endswith(close) and trimmed.count(open_) < trimmed.count(close):
                trimmed = trimmed[:-1]
        if trimmed == url:
            return url
        url = trimmed


def url_end(text: str, start: int, stop: int | None = None) -> int | None:
    """Where the bare URL starting at `text[start]` ends, or None when there is no URL there.

    A `]` without its `[` ends the URL: `[see https://a.org](https://b.org)` is a link, whose label holds a URL."""
    m = _URL.match(text, start, len(text) if stop is None else stop)
    if m is None:
        return None
    url = m.group(0)
    depth = 0
    for i, ch in enumerate(url):
        if ch == "[":
            depth += 1
        elif ch == "]":
            if depth == 0:
                url = url[:i]
                break
            depth -= 1
    url = clean_url(url, text[start - 1] if start else "")
    scheme = url.index("://") + 3
    return start + len(url) if len(url) > scheme and url[scheme] not in "/?#" else None


def find_urls(text: str) -> list[tuple[int, int]]:
    """(start, end) of every bare URL in plain text, by the same rules as in markdown."""
    found: list[tuple[int, int]] = []
    if "://" not in text:  # the search below is case-blind, so it cannot skip ahead to a literal `http`
        return found
    pos = 0
    while (m := _URL.search(text, pos)) is not None:
        start = m.start()
        end = url_end(text, start) if not start or text[start - 1] not in _SCHEME_BEFORE else None
        if end is None:
            pos = start + 4
        else:
            found.append((start, end))
            pos = end
    return found


def strip_urls(text: str) -> str:
    """The text with its bare URLs removed."""
    spans = find_urls(text)
    if not spans:
        return text
    parts, pos = [], 0
    for start, end in spans:
        parts.append(text[pos:start])
        pos = end
    parts.append(text[pos:])
    return " ".join(parts)


def _bare_links(text: str, line: int, offset: int) -> list[Link]:
    return [Link(text[s:e], "", line, offset + s, offset + e) for s, e in find_urls(text)]


def _bare_url_rule(state: Any, silent: bool) -> bool:
    """markdown-it inline rule: a bare `http(s)://` URL becomes a link before emphasis can split it.

    It fires at the `:` after the scheme, like markdown-it's own linkify rule (whose linkify-it grammar takes CJK
    text after a URL into the URL)."""
    pos, src = state.pos, state.src
    if state.linkLevel > 0 or not src.startswith("://", pos):
        return False
    if src[max(0, pos - 5) : pos].lower() == "https":
        start = pos - 5
    elif src[max(0, pos - 4) : pos].lower() == "http":
        start = pos - 4
    else:
        return False
    if start and src[start - 1] in _SCHEME_BEFORE:
        return False
    scheme = src[start:pos]
    pending: str = state.pending
    if not pending.endswith(scheme):
        return False
    end = url_end(src, start, state.posMax)
    if end is None:
        return False
    if not silent:
        state.pending = pending[: -len(scheme)]
        token = state.push("link_open", "a", 1)
        token.attrs = {"href": src[start:end]}
        token.markup = "linkify"
        token = state.push("text", "", 0)
        token.content = src[start:end]
        token = state.push("link_close", "a", -1)
        token.markup = "linkify"
    state.pos = end
    return True


def _inline_lines(token: Any, first_line: int) -> list[Line]:
    """Split an inline token into source lines, collecting links (markdown and bare) per line.

    Text is gathered in pieces and joined once per line: a 1 MB paragraph line costs linear time."""
    lines = [Line(first_line, "")]
    pieces: list[str] = []
    size = 0
    href: str | None = None
    bare = False  # a bare URL or an <autolink>: its text is the URL, not a name
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
            bare = child.markup in ("linkify", "autolink")
        elif child.type == "link_close":
            if href:
                text = "" if bare else "".join(link_text).strip()
                text = "" if text.startswith(("http://", "https://")) and not strip_urls(text).strip() else text
                current.links.append(Link(href, text, current.number, link_start, size))
            href = None
        elif child.type in ("text", "code_inline"):
            if href is not None:
                link_text.append(child.content)
            elif child.type == "code_inline" or "://" in child.content:
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
    cell = Line(line, " ".join(text), links)
    for lk in links:
        if not lk.text:
            _reopen(cell, lk)
    return cell


def _reopen(cell: Line, link: Link) -> None:
    """A bare URL right after `[text](` is a link whose `)` is missing: give it back its text."""
    window = max(0, link.start - 2 * MAX_LINK_TEXT)
    m = _OPEN_LINK_TEXT.search(cell.text, window, link.start)
    if m and m.group(1).strip():
        link.text, link.start = m.group(1).strip(), m.start()
        before = _OPEN_BRACKET.search(cell.text, window, link.start) if m.group(0)[0] == "]" else None
        link.start = before.start() if before else link.start  # `[text](text](url`: all of it is the link
        if cell.text.startswith(")", link.end):
            link.end += 1


# A table cell ends at a `|` that is neither escaped nor inside a link's `[text](url)`: notes write
# `[Block Diffusion | ICLR 2025](…)` without escaping, and GFM (markdown-it) would cut the link in two.
# A link text may hold one level of brackets (`[[cs.LG] Marlin](…)`), a URL one level of parentheses.
_ROW_PIECE = re.compile(
    r"\\\||!?\[(?:[^\[\]\n]|\[[^\[\]\n]*\])*\]\((?:[^()\s]|\([^()\s]*\))*(?:\s+\"[^\"\n]*\")?\s*\)|\|"
)
_ROW_LEAD = re.compile(r"^[ \t]*(?:>[ \t]?)*[ \t]*")  # blockquote markers and indentation before a row
# `[text](https://…` never closed (or `[text](other text](https://…`): the URL is read as a bare link,
# and the bracketed text just before it is still its link text.
_OPEN_LINK_TEXT = re.compile(r"(?:\[|\]\()([^\[\]\n]{0,300})\]\(\s*$")
_OPEN_BRACKET = re.compile(r"\[[^\[\]\n]{0,300}$")
MAX_LINK_TEXT = 300


def split_row(line: str) -> list[str]:
    """A table row's cells, split like GFM except never inside `[text](url)`; `\\|` stays a literal `|`."""
    line = line.strip()
    cells: list[str] = []
    start = 0
    for m in _ROW_PIECE.finditer(line):
        if m.group(0) == "|":
            cells.append(line[start : m.start()])
            start = m.end()
    cells.append(line[start:])
    if cells and cells[0] == "":
        cells.pop(0)
    if cells and cells[-1] == "":
        cells.pop()
    return [c.strip().replace("\\|", "|") for c in cells]


def _resplit(tokens: list[Any], tr: int, raw: str) -> list[str] | None:
    """The row's cells from its source line when GFM split it otherwise (a `|` inside a link's text, more
    cells than the header has — GFM drops those); None when GFM's cells are right, the usual case."""
    cells = split_row(_ROW_LEAD.sub("", raw))
    given: list[str] = []
    i = tr + 1
    while i < len(tokens) and tokens[i].type != "tr_close":
        if tokens[i].type == "inline":
            given.append(tokens[i].content)
        i += 1
    cells += [""] * (len(given) - len(cells))
    return None if cells == given else cells


# Where one of the inline rules this parser runs could fire: newline, escape, code, emphasis, link, image,
# autolink or HTML, entity, and a bare URL's `://`. markdown-it's `text` rule also stops at `-`, `:`, `#`, `~`,
# … (its terminator characters, for rules of other presets), but where none of its rules matches, the
# character joins the text: the tokens are the same.
_FIRES = re.compile(r"[\n\\`*_\[\]!<&]|://")
# `[text](https://…)`: a link whose text fires nothing and whose URL markdown-it keeps as written (no entity,
# escape, space, bracket or parenthesis: see _PLAIN_LINK for the rest).
_SIMPLE_LINK = re.compile(r"\[([^\[\]\n]+)\]\((https?://[^\s()<>\\&\[\]`]+)\)")


def _text(content: str, level: int) -> Token:
    token = Token("text", "", 0)
    token.content, token.level = content, level
    return token


def _known_inline(content: str, links: bool) -> list[Token] | None:
    """The tokens markdown-it's inline parser makes of `content` when nothing in it fires a rule but plain
    `[text](url)` links (text, link_open, text, link_close, … as its `link` rule makes them, if `links`: the
    rule is on); None otherwise."""
    if _FIRES.search(content) is None:  # most table cells, and lines without markup
        return [_text(content, 0)] if content else []
    if not links or "](" not in content:
        return None
    tokens: list[Token] = []
    at = 0
    for m in _SIMPLE_LINK.finditer(content):
        before, label, url = content[at : m.start()], m.group(1), m.group(2)
        if _FIRES.search(before) or _FIRES.search(label) or not _PLAIN_LINK.fullmatch(url):
            return None
        if before:
            tokens.append(_text(before, 0))
        opening = Token("link_open", "a", 1)
        opening.attrs = {"href": url}
        tokens += [opening, _text(label, 1), Token("link_close", "a", -1)]
        at = m.end()
    rest = content[at:]
    if _FIRES.search(rest):
        return None
    if rest:
        tokens.append(_text(rest, 0))
    return tokens


def _inline_rule(state: Any) -> None:
    """markdown-it's core `inline` rule, without running the inline parser where its answer is known: text
    where no inline rule fires is one text token, which is what the parser's `text` rule would make of it, and
    plain `[text](url)` links between such text are the tokens its `link` rule makes. Most table cells
    (`MLSys 2024`, `量化`, `[Title](https://arxiv.org/abs/…)`) and many note lines are such."""
    md = state.md
    links = "link" in md.inline.ruler.get_active_rules()
    for token in state.tokens:
        if token.type == "inline":
            if token.children is None:
                token.children = []
            known = _known_inline(token.content, links)
            if known is None:
                md.inline.parse(token.content, md, state.env, token.children)
            else:
                token.children += known


# A URL markdown-it's normalizeLink gives back unchanged: an ASCII host, then only characters its encoder keeps
# (no `%`, quotes or brackets) — tests/test_import_shortcuts.py checks that against normalizeLink itself.
_PLAIN_LINK = re.compile(r"https?://[A-Za-z0-9.-]{1,63}(?::[0-9]{1,5})?(?:[/?#][A-Za-z0-9._~/?#=&:@!$*+,;-]*)?")


def normalize_link(url: str) -> str:
    """markdown-it's normalizeLink (percent-encoding, punycode hosts) without parsing a URL it keeps as it is."""
    return url if _PLAIN_LINK.fullmatch(url) else normalizeLink(url)


def _markdown() -> MarkdownIt:
    # No nesting cap: markdown-it's default (20) silently drops links below ~10 list/quote levels.
    md = MarkdownIt("commonmark", {"html": True, "maxNesting": 1_000_000}).enable("table")
    md.inline.ruler.after("text", "bare_url", _bare_url_rule)
    md.core.ruler.at("inline", _inline_rule)
    md.normalizeLink = normalize_link  # type: ignore[method-assign]
    return md


_MD = _markdown()
# For text whose unclosed `[`s nest past the recursion limit (markdown-it reads link labels recursively):
# no `[text](url)` links, so their URLs are read as bare URLs.
_MD_NO_LINKS = _markdown().disable(["link", "image"])


def tokens_of(text: str) -> list[Any]:
    """markdown-it tokens; containers nested too deep for the recursive parser are flattened, never dropped."""
    text, added = _table_breaks(text)
    try:
        tokens = _MD.parse(text)
    except RecursionError:
        flat = "\n".join(_CONTAINER_PREFIX.sub("", line) for line in text.split("\n"))
        try:
            tokens = _MD.parse(flat)
        except RecursionError:
            tokens = _MD_NO_LINKS.parse(flat)
    if added:  # maps back to the lines of the text as written
        for tok in tokens:
            if tok.map:
                tok.map = [line - bisect_left(added, line) for line in tok.map]  # no token starts on an added line
    return tokens


# A table row at the start of a line, right under a list item's (or quote's) text with no blank line between:
# CommonMark reads it as that paragraph's lazy continuation, so the whole table became the item's note. A
# table needs its delimiter row (`|---|:--|`) next, so a row followed by one ends the paragraph above it.
_TABLE_DELIMITER = re.compile(r"^\|?\s*:?-+:?\s*(?:\|\s*:?-+:?\s*)*\|?\s*$")


def _table_breaks(text: str) -> tuple[str, list[int]]:
    """The text with a blank line before every table glued to the text above it, and where those lines went
    (0-based, in the new text)."""
    if "\n|" not in text:
        return text, []
    lines = text.split("\n")
    out: list[str] = []
    added: list[int] = []
    for n, line in enumerate(lines):
        if (
            n
            and line.startswith("|")
            and lines[n - 1].strip()
            and not lines[n - 1].lstrip().startswith("|")
            and n + 1 < len(lines)
            and "-" in lines[n + 1]
            and _TABLE_DELIMITER.match(lines[n + 1])
        ):
            added.append(len(out))
            out.append("")
        out.append(line)
    return ("\n".join(out), added) if added else (text, [])


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
    source: list[str] | None = None  # the text's lines, split once a table row needs them
    resplit: list[str] | None = None
    row_line = first_line
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
            row, row_line, resplit = [], line, None
            if not in_head and tok.map:
                source = text.split("\n") if source is None else source
                resplit = _resplit(tokens, i, source[tok.map[0]] if tok.map[0] < len(source) else "")
            if resplit is not None:
                row = [_cell_line(_MD.parseInline(c)[0], line) for c in resplit]
        elif tok.type in ("th_open", "td_open") and row is not None and resplit is None:
            cell = _cell_line(tokens[i + 1], row_line)
            row.append(cell)
            if in_head:
                header.append(cell.text)
        elif tok.type == "tr_close" and row is not None:
            if not in_head:
                blocks.append(
                    Block(
                        "row",
                        row_line,
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
