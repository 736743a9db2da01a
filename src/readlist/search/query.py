"""User text → a safe FTS5 MATCH expression plus SQL filters. User input never reaches MATCH unquoted.

Every word becomes quoted atoms; spellings (kv cache / kvcache / KVCache / kv-cache) and glossary synonyms
(KV cache ↔ KV缓存, 量化 ↔ quantization …) become OR-alternatives; concepts are AND-ed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from readlist.domain import check_kind, check_status
from readlist.errors import InvalidInputError
from readlist.search import glossary
from readlist.search.text import CJK_CHAR, camel_parts, nfkc

MAX_QUERY_CHARS = 1000
MAX_CONCEPTS = 32
COLUMNS = {
    "title": "title",
    "author": "authors",
    "authors": "authors",
    "tag": "tags",
    "tags": "tags",
    "note": "notes",
    "notes": "notes",
    "abstract": "abstract",
    "venue": "venue",
}
FILTERS = ("status", "kind", "year")
_TOKEN = re.compile(r'(\w+):"([^"]*)"?|(\w+):(\S+)|"([^"]*)"?|(\S+)')
_ATOM = re.compile(r"[^\W_]+")


@dataclass
class Query:
    match: str | None = None  # FTS5 expression; None when only filters were given
    status: list[str] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)
    years: list[str] = field(default_factory=list)
    words: list[str] = field(default_factory=list)  # the free text, for fuzzy matching and messages


def atoms(text: str) -> list[str]:
    """`KVCache` → [kv, cache]; `c++` → [c]; `α-β` → [α, β]; `量化kernel` → [量, 化, kernel]."""
    out: list[str] = []
    for word in _ATOM.findall(nfkc(text)):
        for part in camel_parts(word) if not CJK_CHAR.search(word) else _split_cjk_word(word):
            out.append(part.casefold())
    return out


def _split_cjk_word(word: str) -> list[str]:
    parts: list[str] = []
    for piece in re.split(f"({CJK_CHAR.pattern})", word):
        if piece:
            parts.append(piece)
    return parts


def _quote(atom: str) -> str:
    return '"' + atom.replace('"', '""') + '"'


def _phrase(term: str) -> str | None:
    parts = atoms(term)
    return _quote(" ".join(parts)) if parts else None


def _segments(term: str) -> list[str] | None:
    """A Chinese word made of glossary terms (推理加速 → 推理 + 加速), longest match first; None if not."""
    text = "".join(atoms(term))
    if not text or not all(CJK_CHAR.match(ch) for ch in text):
        return None
    pieces, i, known = [], 0, 0
    while i < len(text):
        for j in range(len(text), i, -1):
            if j - i > 1 and glossary.synonyms(text[i:j]):
                pieces.append(text[i:j])
                known += 1
                i = j
                break
        else:
            pieces.append(text[i])
            i += 1
    if known == 0 or len(pieces) < 2:
        return None
    merged: list[str] = []  # single leftover characters stay together as one phrase
    for piece in pieces:
        if merged and len(piece) == 1 and not glossary.synonyms(merged[-1]):
            merged[-1] += piece
        else:
            merged.append(piece)
    return merged


def _alternatives(term: str) -> list[str]:
    """All spellings of one term: as a phrase, joined (kvcache), every glossary synonym, and for a Chinese
    compound of glossary words, the AND of their expansions."""
    group = glossary.synonyms(term) or [term]
    alts: list[str] = []
    segments = None if glossary.synonyms(term) else _segments(term)
    if segments:
        alts.append("(" + " AND ".join(_or(_alternatives(seg)) for seg in segments) + ")")
    for t in group:
        phrase = _phrase(t)
        if phrase and phrase not in alts:
            alts.append(phrase)
        parts = atoms(t)
        if len(parts) > 1 and all(p.isascii() for p in parts):
            joined = _quote("".join(parts))
            if joined not in alts:
                alts.append(joined)
    return alts


def _concepts(words: list[str]) -> list[str]:
    """Group adjacent words that form one glossary term ("speculative decoding"), longest first."""
    concepts, i = [], 0
    longest = glossary.max_words() + 1
    while i < len(words):
        for j in range(min(len(words), i + longest), i, -1):
            span = " ".join(words[i:j])
            if j - i == 1 or glossary.synonyms(span):
                concepts.append(span)
                i = j
                break
    return concepts


def _or(alts: list[str]) -> str:
    return alts[0] if len(alts) == 1 else "(" + " OR ".join(alts) + ")"


def _expression(concepts: list[str], column: str | None = None) -> list[str]:
    parts = []
    for concept in concepts[:MAX_CONCEPTS]:
        alts = _alternatives(concept)
        if alts:
            parts.append(f"{column} : {_or(alts)}" if column else _or(alts))
    return parts


def parse(text: str) -> Query:
    text = nfkc(text.replace("\x00", " "))[:MAX_QUERY_CHARS]
    query = Query()
    free: list[str] = []
    by_column: dict[str, list[str]] = {}
    for m in _TOKEN.finditer(text):
        key = (m.group(1) or m.group(3) or "").lower()
        value = m.group(2) if m.group(1) else m.group(4)
        if key in FILTERS and value:
            _add_filter(query, key, value)
        elif key in COLUMNS and value:
            by_column.setdefault(COLUMNS[key], []).append(value)
        elif m.group(5) is not None:
            free.append(m.group(5))  # a quoted phrase stays one concept
        else:
            free += (m.group(0) or "").replace(":", " ").split()
    query.words = free
    parts = _expression(_concepts([w for w in free if atoms(w)]))
    for column, values in by_column.items():
        parts += _expression([v for v in values if atoms(v)], column)
    if parts:
        query.match = " AND ".join(parts)
    elif not (query.status or query.kinds or query.years):
        raise InvalidInputError("nothing to search for", 'type some words: readlist search "kv cache"')
    return query


def _add_filter(query: Query, key: str, value: str) -> None:
    if key == "status":
        query.status.append(check_status(value))
    elif key == "kind":
        query.kinds.append(check_kind(value))
    elif not re.fullmatch(r"\d{4}", value):
        raise InvalidInputError(f"year:{value} is not a year", "use a four-digit year: year:2024")
    else:
        query.years.append(value)
