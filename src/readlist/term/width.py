"""Cell widths of terminal text: CJK counts two cells, and wraps between any two CJK characters."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

# C0/C1 control characters (ESC among them) would let a note or a feed drive the terminal. Invisible format
# characters (Unicode category Cf) would hide or reorder text on the reader's screen: bidirectional overrides,
# embeddings, isolates and marks (U+202E shows "evil.exe" as "exe.live"; U+200F, a right-to-left mark), zero
# width spaces, soft hyphens, tag characters. Every Cf character of Unicode 14 is here except the joiners
# ZWNJ/ZWJ (U+200C/U+200D), which Persian, Indic scripts and emoji sequences need inside a word: a joiner
# only counts at a word's edge, where it joins nothing. The one definition for the terminal, the digest, CSV
# and BibTeX (term/csvcells.py, export/).
FORMAT = (
    "\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890-\u0891\u08e2\u180e\u200b\u200e-\u200f\u202a-\u202e"
    "\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U00013438"
    "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f"
)
LONE_JOINER = "(?<!\\S)[\u200c\u200d]|[\u200c\u200d](?!\\S)"
CONTROL = re.compile(f"[\\x00-\\x08\\x0b-\\x1f\\x7f-\\x9f{FORMAT}]|{LONE_JOINER}")
# Where a line may break: after whitespace, and before or after a wide (CJK) character.
_WIDE = "\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6"
_ZERO = "\u0300-\u036f\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufe00-\ufe0f\u0483-\u0489"


# The patterns over the wide ranges are compiled on first use: `re` walks every code point of a class, ~10 ms
# for these two, which a run that prints only ASCII (or only TSV) should not pay at startup.
@cache
def _tokens() -> re.Pattern[str]:
    return re.compile(rf"\s+|[{_WIDE}]|[^\s{_WIDE}]+")


@cache
def _two_cells() -> re.Pattern[str]:
    # Counting by regex (in C) is ~20× faster than a per-character loop over 10,000 titles.
    return re.compile(rf"[{_WIDE}\U0001f300-\U0001faff\U00020000-\U0003fffd]")


@cache
def _zero_cells() -> re.Pattern[str]:
    return re.compile(f"[{_ZERO}]")


# Closing punctuation that should not start a line (kinsoku): it sticks to the character before it.
_NO_LINE_START = frozenset("，。、；：！？）》」』】〕…,.;:!?)]}%")


def safe(value: object) -> str:
    """Text from notes or the network with control characters made visible (never interpreted)."""
    text = "" if value is None else str(value)
    if text.isascii() and text.isprintable():
        return text
    text = text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return CONTROL.sub(visible, text)


def visible(found: re.Match[str]) -> str:
    """A matched control character as an escape a person can read (\\x1b, \\u202e)."""
    code = ord(found.group(0))
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


_JSON_UNESCAPED = re.compile("[\x7f-\x9f\u2028\u2029]")


def json_dumps(data: object, **options: Any) -> str:
    """JSON with non-ASCII text kept readable, but DEL, the C1 controls (a bare 0x9b starts an escape sequence
    on some terminals) and the two line separators written as \\u escapes, which json.dumps leaves raw."""
    import json

    return json_safe(json.dumps(data, ensure_ascii=False, **options))


def json_safe(text: str) -> str:
    """JSON text written with non-ASCII kept, with DEL, C1 controls and line separators escaped (`json_dumps`'s
    rule, for JSON made in pieces)."""
    # Almost no text holds one: looking for their UTF-8 bytes first takes half the regex's time over Chinese
    # text, which counts in an export of many megabytes.
    data = text.encode("utf-8", "surrogatepass")
    if not any(mark in data for mark in _JSON_UNESCAPED_BYTES):
        return text
    return _JSON_UNESCAPED.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text)


_JSON_UNESCAPED_BYTES = (b"\x7f", b"\xc2", b"\xe2\x80\xa8", b"\xe2\x80\xa9")  # DEL, C1 (U+0080-U+009F), U+2028/9


def one_line(value: object) -> str:
    """Safe text on one line: runs of whitespace (newlines, tabs) become one space."""
    return " ".join(safe(value).split())


def cells(text: str) -> int:
    """Terminal cells the text takes (ASCII fast path: one per character)."""
    if text.isascii():
        return len(text)
    return len(text) + len(_two_cells().findall(text)) - len(_zero_cells().findall(text))


def truncate(text: str, width: int) -> str:
    """The text cut to `width` cells, ending in … when something was cut."""
    if cells(text) <= width:
        return text
    if width <= 0:
        return ""
    return text[: _fitting(text, width - 1)].rstrip() + "…"


def _fitting(text: str, width: int) -> int:
    """How many characters of `text` fit in `width` cells, measured as `cells` measures (a prefix only grows, so
    a binary search finds it; zero-width marks after the last character that fits stay with it)."""
    low, high = 0, len(text)
    while low < high:
        mid = (low + high + 1) // 2
        if cells(text[:mid]) <= width:
            low = mid
        else:
            high = mid - 1
    return low


def pad(text: str, width: int, right: bool = False) -> str:
    gap = " " * max(0, width - cells(text))
    return gap + text if right else text + gap


Segment = tuple[str, str]  # (text, style)


def wrap(text: str, width: int) -> list[str]:
    """Lines of at most `width` cells: Latin words stay whole, CJK breaks between characters."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        lines.extend("".join(t for t, _ in line) for line in wrap_styled([(paragraph, "")], width))
    return lines


def wrap_styled(segments: list[Segment], width: int) -> list[list[Segment]]:
    """Styled text wrapped like `wrap`, each line a list of (text, style) pieces."""
    width = max(1, width)
    tokens = [(tok, st) for text, st in segments for tok in _tokens().findall(text)]
    lines: list[list[Segment]] = []
    line: list[Segment] = []
    used = 0
    for token, st in tokens:
        size = cells(token)
        if token.isspace():
            if line:
                line.append((" ", st))
                used += 1
            continue
        if used + size <= width:
            line.append((token, st))
            used += size
            continue
        carry: list[Segment] = []
        if token[0] in _NO_LINE_START:
            _strip_end(line)
            if len(line) > 1 and cells(line[-1][0]) <= 2:
                # closing punctuation never starts a line: the character before it moves down with it
                carry = [line.pop()]
        _strip_end(line)
        if line:
            lines.append(line)
        line, used = carry, sum(cells(t) for t, _ in carry)
        while used + size > width and size > 1:  # a word longer than the line (a URL): cut it by cells
            head = _take(token, max(1, width - used))
            lines.append([*line, (head, st)])
            line, used = [], 0
            token = token[len(head) :]
            size = cells(token)
        line.append((token, st))
        used += size
    _strip_end(line)
    if line or not lines:
        lines.append(line)
    return lines


def _strip_end(line: list[Segment]) -> None:
    while line and line[-1][0].isspace():
        line.pop()


def _take(token: str, width: int) -> str:
    return token[: max(1, _fitting(token, width))]
