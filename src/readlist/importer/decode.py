"""Bytes of a notes file → text: BOMs, UTF-8, UTF-16, GB18030/GBK and other encodings, then mojibake repair."""

from __future__ import annotations

import codecs
from dataclasses import dataclass, field

from readlist.importer.mojibake import RepairStats


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


def _looks_utf16(data: bytes) -> str | None:
    """UTF-16 without a BOM: every other byte is NUL for the ASCII parts."""
    sample = data[:4000]
    if len(sample) < 4:
        return None
    even_nuls = sample[0::2].count(0)
    odd_nuls = sample[1::2].count(0)
    half = len(sample) / 2
    if odd_nuls > 0.3 * half and even_nuls < 0.05 * half:
        return "utf-16-le"
    if even_nuls > 0.3 * half and odd_nuls < 0.05 * half:
        return "utf-16-be"
    return None


def bytes_to_text(data: bytes) -> tuple[str, str]:
    """Decode with the declared (BOM) or detected encoding; raises UndecodableError for binary data."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data.decode(encoding), encoding.replace("-sig", " (BOM)")
    utf16 = _looks_utf16(data)
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
    # Our users' non-UTF-8 notes are mostly GBK/GB18030; on short files several code pages fit equally well.
    chinese = [m for m in matches if m.encoding in ("gb18030", "gbk", "gb2312") and m.chaos <= best.chaos + 0.05]
    encoding = "gb18030" if chinese else best.encoding  # GB18030 is the superset of GBK and GB2312
    return data.decode(encoding, errors="replace"), encoding


def decode(data: bytes) -> Decoded:
    """Text from bytes, with UTF-8-read-as-Windows-code-page lines repaired (see mojibake.py)."""
    text, encoding = bytes_to_text(data)
    lines = text.split("\n")
    from readlist.importer import mojibake

    if not any(mojibake.analyse(line) for line in lines if not line.isascii()):
        return Decoded(text, encoding)
    from readlist.importer import charmodel

    fixed, stats = mojibake.repair_lines(lines, charmodel.load())
    return Decoded("\n".join(fixed), encoding + " (mojibake repaired)", stats)
