"""Bytes of a notes file → text: BOMs, UTF-8, UTF-16, GB18030/GBK and other encodings, then mojibake repair."""

from __future__ import annotations

import codecs
import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from readlist.importer.mojibake import RepairStats

if TYPE_CHECKING:
    from readlist.importer.mojibake import Repairer


@dataclass
class Decoded:
    text: str
    encoding: str
    repair: RepairStats = field(default_factory=RepairStats)


class UndecodableError(Exception):
    """A binary file, or bytes no text encoding explains."""


_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 without a BOM: every other byte is NUL for the ASCII parts; Chinese text, which has few NULs,
    decodes to printable characters in its own byte order only. None for anything else (binary files too)."""
    sample = data[:4000]
    sample = sample[: len(sample) // 2 * 2]
    if len(sample) < 4 or b"\x00" not in sample:
        return None
    even_nuls = sample[0::2].count(0)
    odd_nuls = sample[1::2].count(0)
    if odd_nuls > even_nuls:
        guess = "utf-16-le"
    elif even_nuls > odd_nuls:
        guess = "utf-16-be"
    else:
        guess = max(("utf-16-le", "utf-16-be"), key=lambda e: _printable_share(sample, e))
    return guess if _printable_share(sample, guess) > 0.98 else None


def _printable_share(sample: bytes, encoding: str) -> float:
    try:
        text = sample.decode(encoding, errors="strict" if len(sample) < 4000 else "ignore")
    except UnicodeDecodeError:
        return 0.0
    return sum(ch.isprintable() or ch in "\n\r\t" for ch in text) / max(1, len(text))


def bytes_to_text(data: bytes) -> tuple[str, str]:
    """Decode with the declared (BOM) or detected encoding; raises UndecodableError for binary data."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data.decode(encoding), encoding.replace("-sig", " (BOM)")
    utf16 = utf16_without_bom(data)
    if utf16:
        try:
            return data.decode(utf16), utf16
        except UnicodeDecodeError:
            pass
    if b"\x00" in data[:8000]:
        raise UndecodableError("binary file (NUL bytes)")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        if exc.start >= len(data) - 3:  # only the very end is cut (a truncated character): keep the rest
            return data.decode("utf-8", errors="replace"), "utf-8"
    from charset_normalizer import from_bytes

    matches = list(from_bytes(data))
    if not matches:
        raise UndecodableError("no text encoding fits these bytes")
    best = min(matches, key=lambda m: m.chaos)
    # Several code pages often fit equally well (naïve is naďve in cp1250): among those as good as the best,
    # our users' notes are mostly GBK/GB18030 (GB18030 is the superset), else Western European cp1252.
    tied = {m.encoding for m in matches if m.chaos <= best.chaos + 0.05}
    preferred = next((e for e in _PREFERRED if tied & _PREFERRED[e]), best.encoding)
    return data.decode(preferred, errors="replace"), preferred


_PREFERRED = {"gb18030": {"gb18030", "gbk", "gb2312"}, "cp1252": {"cp1252"}}


def decode(data: bytes) -> Decoded:
    """Text from bytes, with UTF-8-read-as-Windows-code-page lines repaired (see mojibake.py)."""
    text, encoding = bytes_to_text(data)
    lines = text.split("\n")
    from readlist.importer import charmodel, contextmodel, mojibake, wordmodel

    if not any(mojibake.is_mojibake(line) for line in lines):
        return Decoded(text, encoding)
    repairer = mojibake.Repairer(charmodel.load, wordmodel.load, contextmodel.load)
    fixed = [repairer.repair(line, n) for n, line in enumerate(lines, 1)]
    return Decoded("\n".join(fixed), encoding + " (mojibake repaired)", repairer.stats)


BLOCK = 1 << 20  # bytes read at a time


class TextFile:
    """A notes file read as lines, a block at a time: big files are never held whole in memory.

    UTF-8 (the usual case) streams; other encodings are detected on the whole file. Mojibake lines are
    repaired on the way."""

    def __init__(self, path: Path, watch: Callable[[str], None] | None = None) -> None:
        self.path = path
        self.title_line: int | None = None  # set by the caller from what `watch` saw
        self.size = path.stat().st_size
        self.encoding = "utf-8"
        self._whole: str | None = None
        self.repairer: Repairer | None = None
        with path.open("rb") as fh:
            head = fh.read(BLOCK)
        if self._needs_whole(head):
            self._whole, self.encoding = bytes_to_text(path.read_bytes())
        self._learn(watch)

    def _needs_whole(self, head: bytes) -> bool:
        """BOMs, UTF-16 and binary files are decided by the first block; invalid UTF-8 by a sweep."""
        if any(head.startswith(bom) for bom, _ in _BOMS if bom != codecs.BOM_UTF8) or utf16_without_bom(head):
            return True
        if b"\x00" in head[:8000]:
            raise UndecodableError("binary file (NUL bytes)")
        decoder = codecs.getincrementaldecoder("utf-8")()
        with self.path.open("rb") as fh:
            while block := fh.read(BLOCK):
                try:
                    decoder.decode(block)
                except UnicodeDecodeError:
                    return True
        with contextlib.suppress(UnicodeDecodeError):  # only the very end is cut: replaced when read
            decoder.decode(b"", final=True)
        if head.startswith(codecs.BOM_UTF8):
            self.encoding = "utf-8 (BOM)"
        return False

    def _raw_lines(self) -> Iterator[tuple[str, int]]:
        """(line with its newline, bytes of the file up to its end)."""
        if self._whole is not None:
            done = 0
            for line in self._whole.splitlines(keepends=True):
                done += len(line)
                yield line, min(self.size, done * self.size // max(1, len(self._whole)))
            return
        decoder = codecs.getincrementaldecoder("utf-8-sig" if "BOM" in self.encoding else "utf-8")("replace")
        rest = ""
        done = 0
        given = 0  # bytes of the lines given so far (a block holds thousands: progress and Ctrl-C's share move by line)
        with self.path.open("rb") as fh:
            while True:
                block = fh.read(BLOCK)
                done += len(block)
                text = rest + decoder.decode(block, final=not block)
                lines = text.split("\n")
                rest = lines.pop()
                for line in lines:
                    given += (len(line) if line.isascii() else len(line.encode("utf-8"))) + 1
                    yield line + "\n", min(given, done) if block else done
                if not block:
                    break
        if rest:
            yield rest, done

    def _learn(self, watch: Callable[[str], None] | None) -> None:
        """The first sweep: every line is shown to `watch`, and the file is checked for mojibake (up to the
        first line that is: the repair itself happens as `lines` streams)."""
        from readlist.importer import charmodel, contextmodel, mojibake, wordmodel

        found = False
        for line, _ in self._raw_lines():
            found = found or mojibake.is_mojibake(line.rstrip("\n"))
            if watch is not None:
                watch(line)
            elif found:
                break
        if found:
            self.repairer = mojibake.Repairer(charmodel.load, wordmodel.load, contextmodel.load)
            self.encoding += " (mojibake repaired)"

    def head(self, size: int = 4000) -> str:
        """The first `size` characters or so, decoded (whole lines): what format sniffing looks at."""
        lines: list[str] = []
        for line, _ in self._raw_lines():
            lines.append(line[:size])  # a 14 MB line is not copied for the sake of its first 4,000 characters
            size -= len(line)
            if size <= 0:
                break
        return "".join(lines).lstrip("\ufeff")

    @property
    def stats(self) -> RepairStats:
        return self.repairer.stats if self.repairer else RepairStats()

    def lines(self) -> Iterator[tuple[str, int]]:
        """(line with its newline, byte offset after it), mojibake repaired."""
        repairer = self.repairer
        if repairer is None:
            yield from self._raw_lines()
            return
        for number, (line, done) in enumerate(self._raw_lines(), 1):
            body = line.rstrip("\n")
            yield repairer.repair(body, number) + line[len(body) :], done
