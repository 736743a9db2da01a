"""Snippets: a window of the original abstract, notes or article text, centred on the best match.

Made from the stored text (only Chinese word boundaries added, which are stripped exactly), never from the
index's other spellings, and never from the title or tags, which the result already shows.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate

from readlist.search.query import AllOf, AnyOf, Expr, InColumn, Phrase, Query
from readlist.store.index import SNIPPET_COLUMNS
from readlist.text import TOKEN, unsegment
from readlist.text.hits import HIT_END, HIT_START

WIDTH = 160  # display columns (a Chinese character takes two)
_SUFFIXES = ("ations", "ation", "ings", "ing", "ers", "er", "es", "ed", "s", "ly")
_SPACE = re.compile(r"\s+")
_LEADING_ELLIPSIS, _TRAILING_ELLIPSIS = re.compile(r"^(?:\s|…|\.{2,})+"), re.compile(r"(?:\s|…|\.{2,})+$")


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


_BOUNDARY_BEFORE, _BOUNDARY_AFTER, _GAP = r"(?<![^\W_])", r"(?![^\W_])", r"[\W_]+"  # tokens as text.TOKEN cuts them
_ENDINGS = "|".join(_SUFFIXES)


def _token_pattern(query_token: str, prefix: bool) -> str:
    """The tokens `_same` may accept for `query_token`: a superset, each hit is checked with `_same`."""
    forms = [re.escape(query_token) + (r"[^\W_]*" if prefix else "")]
    if query_token.isascii():
        forms.append(f"{re.escape(_stem(query_token))}(?:{_ENDINGS})?")
    return "(?:" + "|".join(forms) + ")"


@lru_cache(maxsize=256)
def _finder(phrase: Phrase) -> re.Pattern[str]:
    """Where the phrase may start, overlapping starts included (a lookahead). Scanning in C and checking only
    the candidates keeps a snippet's cost in the text's length: comparing every token with every phrase in
    Python made 1,000 snippets cost 7 s."""
    last = len(phrase.tokens) - 1
    parts = [_token_pattern(q, phrase.prefix and k == last) for k, q in enumerate(phrase.tokens)]
    return re.compile(f"{_BOUNDARY_BEFORE}(?=({_GAP.join(parts)}){_BOUNDARY_AFTER})", re.IGNORECASE)


def _hits(text: str, phrases: list[tuple[Phrase, float]]) -> list[_Hit]:
    folded = text.casefold()
    hits = []
    for n, (phrase, weight) in enumerate(phrases):
        first = phrase.tokens[0]
        if (_stem(first) if first.isascii() else first) not in folded:
            continue  # a substring test in C spares most texts the scan
        last, prefix = len(phrase.tokens) - 1, phrase.prefix
        for m in _finder(phrase).finditer(text):
            found = [t.casefold() for t in TOKEN.findall(m.group(1))]
            pairs = enumerate(zip(phrase.tokens, found, strict=False))
            if len(found) == len(phrase.tokens) and all(_same(q, t, prefix and k == last) for k, (q, t) in pairs):
                hits.append(_Hit(m.start(1), m.end(1), n, weight))
    return sorted(hits, key=lambda h: h.start)


def _cell(ch: str) -> int:
    return 1 if ch < "\u1100" else 2 if unicodedata.east_asian_width(ch) in "WF" else 1


def _glued(ch: str) -> bool:
    """Characters that belong to the one before them (accents, emoji joiners and variation selectors)."""
    return unicodedata.category(ch) in ("Mn", "Me") or ch in "\u200d\ufe0e\ufe0f" or "\U0001f3fb" <= ch <= "\U0001f3ff"


def _window(text: str, anchor: int) -> tuple[int, int]:
    """About WIDTH display columns around `anchor`, a third before it, cut between words and graphemes."""
    # Running widths from the anchor backwards and forwards (each character takes at least one column, so
    # WIDTH characters either side are enough); bisect finds where each side reaches its share.
    back = list(accumulate(map(_cell, reversed(text[max(0, anchor - WIDTH // 3) : anchor]))))
    steps = bisect_left(back, WIDTH // 3)
    start, used = anchor - steps, back[steps - 1] if steps else 0
    ahead = list(accumulate(map(_cell, text[anchor : anchor + WIDTH])))
    end = anchor + min(bisect_left(ahead, WIDTH - used) + 1, len(ahead))
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
    body = _EMPHASIS.sub(_unless_inside_a_word, _SPACE.sub(" ", unsegment("".join(pieces)))).strip()
    # The text's own ellipsis where ours goes would show as "……".
    before = "…" + _LEADING_ELLIPSIS.sub("", body) if start > 0 else body
    return _TRAILING_ELLIPSIS.sub("", before) + "…" if end < len(text) else before


# Markdown's strong emphasis in notes (`**idea**`): a snippet is plain text, so the markers go. Runs between two
# Latin letters or digits (`2**10`, a power) are not emphasis and stay; between Chinese characters they are
# (`的能力**并未`: the window cut off the opening pair).
_EMPHASIS = re.compile(r"\*{2,3}")


def _unless_inside_a_word(found: re.Match[str]) -> str:
    text, at, end = found.string, found.start(), found.end()
    inside = at > 0 and end < len(text) and _latin_alnum(text[at - 1]) and _latin_alnum(text[end])
    return found.group(0) if inside else ""


def _latin_alnum(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def make(
    columns: dict[str, str], query: Query | None, title: str, phrases: list[tuple[Phrase, float]] | None = None
) -> str:
    """The snippet for one item: the window with the most (and most literal) distinct query phrases.
    `phrases`: the query's weighted_phrases, when the caller makes many snippets for one query."""
    if phrases is None:
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


_NOT_ALNUM = re.compile(r"[\W_]+")  # \w less "_" is str.isalnum


def _same_as_title(text: str, title: str) -> bool:
    def norm(s: str) -> str:
        return _NOT_ALNUM.sub("", unsegment(s).casefold())

    if not title:
        return False
    wanted = norm(title)
    if len(norm(text[: 2 * len(wanted) + 2])) > len(wanted):
        return False  # its start alone is longer than the title (spares normalising a long text)
    return norm(text) in wanted
