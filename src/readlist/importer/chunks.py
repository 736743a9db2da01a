"""Cut a stream of lines into markdown chunks that parse the same alone as inside the whole file.

Preferred cuts are before a heading or after a blank line; a cut inside a fenced block or a table carries
the fence opener or the table header into the next chunk, so a code block stays code and rows keep columns.
Only a few hundred kilobytes are ever held, whatever the size of the file; a line longer than a chunk (one
paragraph of thousands of links) is cut at spaces between its links."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from readlist.importer.headings import is_date_only

TARGET = 100_000  # characters per chunk: big enough that parsing overhead vanishes, small enough for memory
_HEADING = re.compile(r"#{1,6}(?:[ \t]|$)")
_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})")
_DELIMITER = re.compile(r"\s*\|?\s*:?-+:?\s*(?:\|\s*:?-+:?\s*)*\|?\s*$")


@dataclass
class Chunk:
    text: str
    first_line: int  # number of the chunk's first line in the file (carried lines come before it)
    end_offset: int  # position in the stream (characters or bytes, as the caller counts) after the chunk


class _State:
    """Fences and tables open at the current line."""

    def __init__(self) -> None:
        self.fence: str | None = None  # the opening line of an open fenced block
        self.table: list[str] = []  # header and delimiter lines of the table being read
        self.previous = ""

    def step(self, line: str) -> None:
        fence = _FENCE.match(line)
        if self.fence is not None:
            marker = self.fence.strip()[:3]
            if fence and line.strip().startswith(marker) and not line.strip().strip(marker[0]):
                self.fence = None
        elif fence:
            self.fence = line if line.endswith("\n") else line + "\n"
        if self.fence is None and "|" in line and _DELIMITER.match(line) and "|" in self.previous:
            self.table = [self.previous, line if line.endswith("\n") else line + "\n"]
        elif not line.strip():
            self.table = []
        self.previous = line

    def carried(self) -> list[str]:
        if self.fence is not None:
            return [self.fence]
        return list(self.table)


def chunks(lines: Iterable[tuple[str, int]], target: int = TARGET) -> Iterator[Chunk]:
    """`lines` gives (line with its newline, stream offset after it)."""
    state = _State()
    buf: list[str] = []
    carried: list[str] = []
    size = 0
    first = number = 1
    offset = 0
    for line, end in lines:
        if len(line) > target and state.fence is None and not state.table:  # one paragraph of megabytes
            if buf:
                yield Chunk("".join(carried + buf), first - len(carried), offset)
            yield from _pieces(line, number, offset, end, target)
            carried, buf, size = [], [], 0
            state.step("\n")  # what follows starts afresh, as after a paragraph
            number += 1
            first, offset = number, end
            continue
        if buf and size >= target and _can_cut(line, state, size, target):
            yield Chunk("".join(carried + buf), first - len(carried), offset)
            carried = state.carried()
            if not carried and line[:1] in " \t":  # a forced cut mid-item: indentation would make it code
                line = line.lstrip(" \t")
            buf, size, first = [], 0, number
        buf.append(line)
        size += len(line)
        state.step(line)
        number += 1
        offset = end
    if buf:
        yield Chunk("".join(carried + buf), first - len(carried), offset)


def _pieces(line: str, number: int, start: int, end: int, target: int) -> Iterator[Chunk]:
    """A line longer than a chunk, as chunks of their own, all numbered as that line: each parses as a paragraph
    of its own, so memory stays bounded and the helper can take some. Cuts fall after a link (`…](url) `, never
    inside one) or, in a line without links, at a space. Offsets are shares of the line's."""
    at = 0
    while len(line) - at > target:
        cut = _cut_after(line, at + target)
        if cut < 0:
            break
        yield Chunk(line[at:cut], number, min(end, start + (end - start) * cut // len(line)))
        at = cut
    yield Chunk(line[at:], number, end)


def _cut_after(line: str, at: int) -> int:
    """Where to cut at or after `at`: after the first `) ` that closes a link, else after the first space."""
    close = line.find(") ", at)
    while close >= 0:
        opened, named = line.rfind("[", 0, close), line.rfind("](", 0, close)
        if named > opened and line.find(")", named, close) < 0:  # this ) closes `[text](url`
            return close + 2
        close = line.find(") ", close + 2)
    space = line.find(" ", at)
    return space + 1 if space >= 0 else -1


def _can_cut(line: str, state: _State, size: int, target: int) -> bool:
    """Cut before `line`? Clean places first; anywhere once the chunk is four times too big."""
    clean = state.fence is None and not state.table
    if clean and (_HEADING.match(line) or (not state.previous.strip() and line[:1] not in " \t\n")):
        return True
    if size >= 2 * target and line[:1] not in " \t\n":
        return True
    return size >= 4 * target


class HeadingWatch:
    """Finds the document title while the file is first swept: the first heading, when every later one
    sits below it (a lone heading is a topic, not a title)."""

    def __init__(self) -> None:
        self.first: tuple[int, int] | None = None  # (line, level)
        self.later_min = 7
        self.count = 0
        self.number = 0
        self.fence: str | None = None

    def see(self, line: str) -> None:
        self.number += 1
        fence = _FENCE.match(line)
        if fence:
            marker = fence.group(1)[0] * 3
            if self.fence is None:
                self.fence = marker
            elif line.strip().startswith(self.fence):
                self.fence = None
            return
        if self.fence is not None or not _HEADING.match(line):
            return
        level = len(line) - len(line.lstrip("#"))
        self.count += 1
        if self.first is None:
            self.first = (self.number, 7 if is_date_only(line.lstrip("#")) else level)  # 7: never a title
        else:
            self.later_min = min(self.later_min, level)

    def title_line(self) -> int | None:
        if self.first is None or self.count < 2:
            return None
        line, level = self.first
        return line if level <= 2 and self.later_min >= level else None
