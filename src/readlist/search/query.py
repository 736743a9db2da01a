"""User text → a structured query (terms, their literal/variant/synonym/partial forms, ranking tiers, filters).

Pure: no SQL. `fts.py` renders it for SQLite FTS5; a PostgreSQL tsquery renderer can reuse it unchanged.
Chinese runs are split into the index's words by a `Segmenter` the backend supplies (the SQLite one looks
the candidate words up in the index itself, so a search never loads the segmenter dictionary).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import groupby

from readlist.domain import check_kind, check_status, normalise_tag
from readlist.errors import InvalidInputError
from readlist.search import glossary
from readlist.text import TOKEN, camel_parts, is_cjk, nfkc

MAX_QUERY_CHARS = 1000
MAX_CONCEPTS = 32
COLUMNS = {
    "title": "title",
    "author": "authors",
    "authors": "authors",
    "note": "notes",
    "notes": "notes",
    "abstract": "abstract",
    "text": "text",
    "venue": "venue",
}
FILTERS = ("status", "kind", "year", "tag", "tags")
_TOKEN = re.compile(r'(\w+):"([^"]*)"?|(\w+):(\S+)|"([^"]*)"?|(\S+)')
Segmenter = Callable[[str], list[str]]  # a run of CJK characters → the index's words for it


def whole_run(run: str) -> list[str]:
    return [run]


@dataclass(frozen=True)
class Phrase:
    tokens: tuple[str, ...]
    prefix: bool = False  # the last token may continue (a Chinese word inside a longer word)


@dataclass(frozen=True)
class AnyOf:
    parts: tuple[Expr, ...]


@dataclass(frozen=True)
class AllOf:
    parts: tuple[Expr, ...]


@dataclass(frozen=True)
class InColumn:
    column: str
    expr: Expr


Expr = Phrase | AnyOf | AllOf | InColumn


def any_of(parts: Sequence[Expr]) -> Expr:
    unique = list(dict.fromkeys(parts))
    return unique[0] if len(unique) == 1 else AnyOf(tuple(unique))


def all_of(parts: Sequence[Expr]) -> Expr:
    unique = list(dict.fromkeys(parts))
    return unique[0] if len(unique) == 1 else AllOf(tuple(unique))


@dataclass
class Term:
    """One concept of the query with its forms, from most to least literal."""

    text: str
    literal: list[Expr]
    variants: list[Expr] = field(default_factory=list)
    synonyms: list[Expr] = field(default_factory=list)
    partial: list[Expr] = field(default_factory=list)
    column: str | None = None

    def forms(self, level: int) -> Expr:
        """level 0 literal, 1 + spellings, 2 + glossary synonyms, 3 + Chinese word inside a longer word."""
        groups = (self.literal, self.variants, self.synonyms, self.partial)[: level + 1]
        return any_of([f for g in groups for f in g])


@dataclass
class Filters:
    status: list[str] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)
    years: list[int] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    since: str | None = None

    def merged(self, other: Filters) -> Filters:
        return Filters(
            self.status + other.status,
            self.kinds + other.kinds,
            self.years + other.years,
            self.tags + other.tags,
            self.since or other.since,
        )


TIER_NAMES = ("title phrase", "title words", "literal", "spelling", "synonym", "part of a word")


@dataclass
class Query:
    terms: list[Term]
    filters: Filters
    words: list[str]  # the free text as typed, for typo correction and messages
    exact: bool = False

    def tiers(self) -> list[tuple[int, Expr]]:
        """(tier, expression) best first; an item's tier is the first expression it matches, and the last
        expression is everything the query finds. Identical neighbours are dropped."""
        free = [t for t in self.terms if t.column is None]
        fixed: list[Expr] = [InColumn(t.column, t.forms(3 if not self.exact else 0)) for t in self.terms if t.column]
        out: list[tuple[int, Expr]] = []
        if free:
            literal = [t.literal[0] for t in free]
            if all(isinstance(p, Phrase) and not p.prefix for p in literal):
                joined = tuple(tok for p in literal if isinstance(p, Phrase) for tok in p.tokens)
                out.append((0, all_of([InColumn("title", Phrase(joined)), *fixed])))
            out.append((1, all_of([InColumn("title", t.forms(0)) for t in free] + fixed)))
        levels = range(1) if self.exact else range(4)
        for level in levels:
            out.append((2 + level, all_of([t.forms(level) for t in free] + fixed)))
        deduped: list[tuple[int, Expr]] = []
        for tier, expr in out:
            if not deduped or deduped[-1][1] != expr:  # the same expression keeps its better tier
                deduped.append((tier, expr))
        return deduped


def _all_cjk(text: str) -> bool:
    """What CJK_RUN.fullmatch says, by character: compiling that pattern costs ~7 ms, more than a search."""
    return bool(text) and all(is_cjk(ch) for ch in text)


def _phrases(text: str, segmenter: Segmenter) -> tuple[list[str], list[list[str]]]:
    """Index tokens of `text` as typed (camelCase kept whole) and the ASCII pieces split by camelCase."""
    tokens: list[str] = []
    split: list[list[str]] = []
    for piece in TOKEN.findall(nfkc(text)):
        for chinese, chars in groupby(piece, key=is_cjk):
            part = "".join(chars)
            if chinese:
                words = [w.casefold() for w in segmenter(part)]
                tokens += words
                split += [[w] for w in words]
            else:
                tokens.append(part.casefold())
                split.append([p.casefold() for p in camel_parts(part)])
    return tokens, split


def _term_forms(text: str, segmenter: Segmenter) -> tuple[list[Expr], list[Expr], list[Expr]]:
    """(literal, spelling variants, partial-word forms) of one term."""
    tokens, split = _phrases(text, segmenter)
    if not tokens:
        return [], [], []
    literal: list[Expr] = [Phrase(tuple(tokens))]
    variants: list[Expr] = []
    camel = tuple(p for parts in split for p in parts)
    if camel != tuple(tokens):
        variants.append(Phrase(camel))
    if len(tokens) > 1 and all(t.isascii() for t in tokens):
        variants.append(Phrase(("".join(tokens),)))
    partial: list[Expr] = []
    if _all_cjk(tokens[-1]):
        partial.append(Phrase(tuple(tokens), prefix=True))
    return literal, variants, partial


def _synonyms(text: str, segmenter: Segmenter, depth: int = 0) -> list[Expr]:
    group = glossary.synonyms(text)
    if group:
        out: list[Expr] = []
        for other in group:
            lit, var, _ = _term_forms(other, segmenter)
            out += lit + var
        return out
    tokens, _ = _phrases(text, segmenter)
    if depth or len(tokens) < 2 or not all(_all_cjk(t) for t in tokens):
        return []
    # A Chinese compound of glossary words (推理加速 → 推理 + 加速): the AND of each word's synonyms.
    parts = [_synonyms(tok, segmenter, depth + 1) or [Phrase((tok,))] for tok in tokens]
    if all(len(p) == 1 for p in parts):
        return []
    return [all_of([any_of(p) for p in parts])]


def term(text: str, segmenter: Segmenter, *, column: str | None = None, quoted: bool = False) -> Term | None:
    literal, variants, partial = _term_forms(text, segmenter)
    if not literal:
        return None
    if quoted:
        return Term(text, literal, column=column)
    return Term(text, literal, variants, _synonyms(text, segmenter), partial, column)


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


# What each qualifier takes, for the error when one comes with nothing after its colon.
_EXAMPLES = {
    "tag": "kv tag:moe",
    "tags": "kv tags:moe",
    "status": "kv status:unread",
    "kind": "kv kind:paper",
    "year": "kv year:2024",
    **{key: f'{key}:"kv cache"' for key in COLUMNS},
}


def _qualifier_alone(m: re.Match[str]) -> str | None:
    """The key of a `tag:` (or `tag:""`, `title:`) that has nothing after its colon: searching the word "tag"
    instead, or dropping it, would answer a question nobody asked."""
    bare = re.fullmatch(r"(\w+):", m.group(6) or "")
    key = (bare.group(1) if bare else m.group(1) if m.group(1) and not m.group(2) else "").lower()
    return key if key in _EXAMPLES else None


def parse(text: str, segmenter: Segmenter = whole_run, *, exact: bool = False, empty_ok: bool = False) -> Query:
    """The query `text` asks; a query with no words and no filter is an error, unless `empty_ok` (filters were
    given besides it)."""
    text = nfkc(text.replace("\x00", " "))[:MAX_QUERY_CHARS]
    filters = Filters()
    typed: list[str] = []
    terms: list[Term] = []
    run: list[str] = []  # consecutive unquoted words, grouped into glossary concepts

    def flush() -> None:
        for concept in _concepts(run):
            found = term(concept, segmenter, quoted=exact)
            terms.extend([found] if found else [])
        run.clear()

    for m in _TOKEN.finditer(text):
        alone = _qualifier_alone(m)
        if alone:
            raise InvalidInputError(
                f"{alone}: needs a value right after the colon", f"e.g. readlist search '{_EXAMPLES[alone]}'"
            )
        key = (m.group(1) or m.group(3) or "").lower()
        value = m.group(2) if m.group(1) else m.group(4)
        if key in FILTERS and value:
            _add_filter(filters, key, value)
        elif key in COLUMNS and value:
            found = term(value, segmenter, column=COLUMNS[key], quoted=exact)
            terms += [found] if found else []
        elif m.group(5) is not None:
            flush()
            found = term(m.group(5), segmenter, quoted=True)  # a quoted phrase means exactly that
            terms += [found] if found else []
            typed += [m.group(5)] if found else []
        else:
            words = [w for w in (m.group(0) or "").replace(":", " ").split() if TOKEN.search(w)]
            run += words
            typed += words
        if len(terms) >= MAX_CONCEPTS:
            break
    flush()
    terms = terms[:MAX_CONCEPTS]
    if not terms and filters == Filters() and not empty_ok:
        raise InvalidInputError("nothing to search for", 'type some words: readlist search "kv cache"')
    return Query(terms, filters, typed, exact)


def without_filters(text: str) -> str:
    """`text` with its filters (`tag:moe`, `status:read`, …) left out: the words alone, to count their matches."""
    kept = [m.group(0) for m in _TOKEN.finditer(text) if (m.group(1) or m.group(3) or "").lower() not in FILTERS]
    return " ".join(kept)


def _add_filter(filters: Filters, key: str, value: str) -> None:
    if key == "status":
        filters.status.append(check_status(value))
    elif key == "kind":
        filters.kinds.append(check_kind(value))
    elif key in ("tag", "tags"):
        if not normalise_tag(value):  # `tag:" "`: as `-t " "` is, not a search for a tag named nothing
            raise InvalidInputError(
                f"{key}: needs a tag name, not an empty one", f"e.g. readlist search '{_EXAMPLES[key]}'"
            )
        filters.tags.append(value)
    elif not re.fullmatch(r"\d{4}", value):
        raise InvalidInputError(f"year:{value} is not a year", "use a four-digit year: year:2024")
    else:
        filters.years.append(int(value))
