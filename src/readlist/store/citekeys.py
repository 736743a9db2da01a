"""Citation keys in the Better-BibTeX style (`frantar2024marlin`) and the year an arXiv ID implies. Pure."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from typing import Any

# Words a key never starts from (Better-BibTeX's skip words, abridged).
SKIP_WORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "on",
        "of",
        "for",
        "in",
        "to",
        "and",
        "with",
        "via",
        "towards",
        "toward",
        "is",
        "are",
        "by",
        "from",
        "at",
        "as",
        "into",
        "about",
        "over",
        "under",
        "what",
        "when",
        "why",
        "how",
        "do",
        "does",
        "can",
        "we",
        "our",
        "your",
        "its",
        "not",
        "all",
        "one",
    ]
)
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")


def _ascii(text: str) -> str:
    """ASCII-folded, lower-case letters and digits only (`Zürich` → `zurich`, `王` → `wang`)."""
    from anyascii import anyascii

    folded = unicodedata.normalize("NFKC", text)
    return re.sub(r"[^a-z0-9]", "", anyascii(folded).lower())


def family_name(name: str) -> str:
    """`Elias Frantar` → frantar; `Frantar, Elias` → frantar; `王小明` → wang (CJK family names come first)."""
    name = name.strip()
    if "," in name:
        return _ascii(name.split(",", 1)[0])
    if _CJK.match(name) and " " not in name:
        return _ascii(name[0])
    parts = [p for p in re.split(r"\s+", name) if p]
    while parts and parts[-1].rstrip(".").lower() in ("jr", "sr", "ii", "iii", "iv"):
        parts.pop()
    return _ascii(parts[-1]) if parts else ""


def title_word(title: str) -> str:
    """The first word of the title that says something (`The Case for …` → case); CJK → two characters."""
    for word in re.split(r"[\s:;,.!?()\[\]{}\"'“”‘’/\\\-–—]+", title):
        if not word:
            continue
        if _CJK.match(word):
            return _ascii(word[:2])
        folded = _ascii(word)
        if folded and folded not in SKIP_WORDS:
            return folded
    return ""


def base_key(authors: Sequence[dict[str, Any]], year: int, title: str) -> str:
    family = family_name(str(authors[0].get("name", ""))) if authors else ""
    return f"{family or 'anon'}{year}{title_word(title)}"


def unique_key(base: str, taken: Callable[[str], bool]) -> str:
    """`base`, then `basea`, `baseb` … `basez`, `baseaa` …: the first one not taken."""
    return next(key for key in candidate_keys(base) if not taken(key))


def candidate_keys(base: str) -> Iterator[str]:
    """`base`, `basea` … `basez`, `baseaa` …, endlessly: a caller giving many keys resumes one iterator."""
    yield base
    n = 0
    while True:
        suffix, i = "", n
        while True:
            suffix = chr(ord("a") + i % 26) + suffix
            i = i // 26 - 1
            if i < 0:
                break
        yield base + suffix
        n += 1


def arxiv_year(arxiv_id: str | None) -> int | None:
    """`2408.11743` → 2024; `hep-th/9901001` → 1999: the year of the first version, known without asking."""
    if not arxiv_id:
        return None
    digits = arxiv_id.rsplit("/", 1)[-1]
    if not digits[:2].isdigit():
        return None
    yy = int(digits[:2])
    return 1900 + yy if yy >= 91 else 2000 + yy
