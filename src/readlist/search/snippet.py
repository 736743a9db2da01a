"""Snippets: a window of the original abstract, notes or article text, centred on the best match.

Made from the stored text (only Chinese word boundaries added, which are stripped exactly), never from the
index's other spellings, and never from the title or tags, which the result already shows.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from readlist.search.query import AllOf, AnyOf, Expr, InColumn, Phrase, Query
from readlist.store.index import SNIPPET_COLUMNS
from readlist.text import tokens, unsegment
from readlist.text.hits import HIT_END, HIT_START

WIDTH = 160  # display columns (a Chinese character takes two)
_SUFFIXES = ("ations", "ation", "ings", "ing", "ers", "er", "es", "ed", "s", "ly")
_SPACE = re.compile(r"\s+")


@dataclass
class _Hit:
    start: int
    end: int
    phrase: int
    weight: float


def _stem(word: str) -> str:
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def _same(query_token: str, token: str, prefix: bool) -> bool:
    if query_token == token or (prefix and token.startswith(query_token)):
        return True
    return query_token.isascii() and token.isascii() and _stem(query_token) == _stem(token)


def _phrases(expr: Expr, out: list[Phrase]) -> None:
    if isinstance(expr, Phrase):
        out.append(expr)
    elif isinstance(expr, InColumn):
        _phrases(expr.expr, out)
    elif isinstance(expr, AnyOf | AllOf):
        for part in expr.parts:
            _phrases(part, out)


def weighted_phrases(query: Query) -> list[tuple[Phrase, float]]:
    """Every phrase the query looks for, weighted: literal 3, spellings 2, synonyms 1, part of a word 0.5."""
    out: dict[Phrase, float] = {}
    for term in query.terms:
        for forms, weight in ((term.literal, 3.0), (term.variants, 2.0), (term.synonyms, 1.0), (term.partial, 0.5)):
            found: list[Phrase] = []
            for form in forms:
                _phrases(form, found)
            for phrase in found:
                out[phrase] = max(out.get(phrase, 0.0), weight)
    return list(out.items())


def _hits(text: str, phrases: list[tuple[Phrase, float]]) -> list[_Hit]:
    toks = tokens(text)
    hits = []
    for n, (phrase, weight) in enumerate(phrases):
        size = len(phrase.tokens)
        for i in range(len(toks) - size + 1):
            last = size - 1
            if all(_same(q, toks[i + k][2], phrase.prefix and k == last) for k, q in enumerate(phrase.tokens)):
                hits.append(_Hit(toks[i][0], toks[i + last][1], n, weight))
    return sorted(hits, key=lambda h: h.start)


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _glued(ch: str) -> bool:
    """Characters that belong to the one before them (accents, emoji joiners and variation selectors)."""
    return unicodedata.category(ch) in ("Mn", "Me") or ch in "\u200d\ufe0e\ufe0f" or "\U0001f3fb" <= ch <= "\U0001f3ff"


def _window(text: str, anchor: int) -> tuple[int, int]:
    """About WIDTH display columns around `anchor`, a third before it, cut between words and graphemes."""
    start = anchor
    while start > 0 and _width(text[start - 1 : anchor]) < WIDTH // 3:
        start -= 1
    end = anchor
    while end < len(text) and _width(text[start:end]) < WIDTH:
        end += 1
    while 0 < start < len(text) and (_glued(text[start]) or (text[start - 1].isascii() and text[start - 1].isalnum())):
        start += 1  # never begin inside a word or a grapheme
    while 0 < end < len(text) and (_glued(text[end]) or text[end - 1] == "\u200d"):
        end += 1
    cut = end
    while 0 < cut < len(text) and text[cut].isascii() and text[cut].isalnum() and text[cut - 1].isalnum():
        cut -= 1  # end before a word that does not fit
    return min(start, anchor), cut if cut > start else end


def _render(text: str, start: int, end: int, hits: list[_Hit]) -> str:
    pieces, at = [], start
    for hit in hits:
        if hit.start >= at and hit.end <= end:
            pieces += [text[at : hit.start], HIT_START, text[hit.start : hit.end], HIT_END]
            at = hit.end
    pieces.append(text[at:end])
    body = _SPACE.sub(" ", unsegment("".join(pieces))).strip()
    return ("…" if start > 0 else "") + body + ("…" if end < len(text) else "")


def make(columns: dict[str, str], query: Query | None, title: str) -> str:
    """The snippet for one item: the window with the most (and most literal) distinct query phrases."""
    phrases = weighted_phrases(query) if query else []
    best: tuple[float, int, str, int, list[_Hit]] | None = None
    lead: str | None = None  # no match in these fields: the start of the first of them
    for rank, name in enumerate(SNIPPET_COLUMNS):
        text = columns.get(name, "").replace(HIT_START, " ").replace(HIT_END, " ")
        if not text.strip() or _same_as_title(text, title):
            continue
        hits = _hits(text, phrases)
        for hit in hits:
            window = [h for h in hits if hit.start <= h.start < hit.start + WIDTH * 2 // 3]
            score = sum({h.phrase: h.weight for h in window}.values())
            if best is None or (score, -rank) > (best[0], -best[1]):
                best = (score, rank, text, hit.start, hits)
        lead = text if lead is None else lead
    if best is None:
        return _render(lead, 0, _window(lead, 0)[1], []) if lead else ""
    _, _, text, anchor, hits = best
    start, end = _window(text, anchor)
    return _render(text, start, end, hits)


def _same_as_title(text: str, title: str) -> bool:
    def norm(s: str) -> str:
        return "".join(ch for ch in unsegment(s).casefold() if ch.isalnum())

    return bool(title) and norm(text) in norm(title)
