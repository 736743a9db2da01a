"""Search use case: parse, rank in tiers, correct typos, fall back to close titles, attach snippets.

Every path (matches, corrected query, close titles) applies the same filters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, cast

from readlist.location import Conn
from readlist.search import snippet
from readlist.search.query import Filters, Query, Segmenter, parse
from readlist.store import index
from readlist.store.backends import backend_of
from readlist.store.read import ItemFilter, Tags, list_items, tag_list
from readlist.text import nfkc

if TYPE_CHECKING:  # records only names a type here; importing it costs a search more than its query
    from readlist.store.records import SearchHit

Row = tuple[int, int, float]  # item id, tier, bm25 (on PostgreSQL: -ts_rank)
FEW = 3  # fewer matches than this → also try the typo-corrected query
FUZZY_CUTOFF = 80
FUZZY_TIER = 6
TITLE_SCAN_MAX = 20_000  # scanning every title costs ~5 ms per 1,000 items: only for libraries up to this size


class FullText(Protocol):
    """A backend's full-text functions: the fts (SQLite FTS5) and fts_pg (PostgreSQL tsvector) modules."""

    RANK_DIGITS: int  # the places a rank is compared to: closer ranks are ties (broken unread-first, newest)

    def known(self, conn: Conn, token: str) -> bool: ...
    def known_many(self, conn: Conn, tokens: list[str]) -> set[str]: ...
    def frequency(self, conn: Conn, token: str, cap: int = 1000) -> int: ...
    def segmenter(self, conn: Conn) -> Segmenter: ...
    def filter_sql(self, filters: Filters) -> tuple[str, list[Any]]: ...
    def ranked(self, conn: Conn, query: Query, limit: int | None) -> tuple[list[Row], int]: ...
    def filtered(self, conn: Conn, filters: Filters, limit: int | None) -> tuple[list[int], int]: ...


def fulltext(conn: Conn) -> FullText:
    """The full-text queries of the connection's backend (psycopg's module is imported only for PostgreSQL)."""
    return backend_of(conn).pick(sqlite=_fts5, postgresql=_tsvector)


def _fts5() -> FullText:
    from readlist.search import fts

    return fts


def _tsvector() -> FullText:
    from readlist.search import fts_pg

    return fts_pg


@dataclass
class SearchResult:
    items: list[SearchHit] = field(default_factory=list)
    total: int = 0  # how many items match in all (the page shows `items`)
    query: Query | None = None
    corrected: str | None = None  # the query that was searched instead of (or besides) the typed one
    literal_total: int = 0  # matches of the query as typed
    fuzzy: bool = False  # the items are close titles, not matches


def search(
    conn: Conn,
    text: str,
    *,
    tag: Tags = None,
    status: list[str] | None = None,
    kind: str | None = None,
    since: str | None = None,
    year: int | None = None,
    limit: int | None = 10,
    exact: bool = False,
    fuzzy: bool = True,
) -> SearchResult:
    """Search `text`; `limit=None` returns every match. `exact` searches only what was typed: no spellings,
    synonyms, typo correction or close titles."""
    tags = tag_list(tag)
    options = Filters(list(status or []), [kind] if kind else [], [year] if year else [], tags, since)
    fts = fulltext(conn)
    # Filters alone (`search -t cuda`, also beside words that are only punctuation) list what they keep; no
    # words and no filter at all is refused by parse, as is a bad `status:` or a `tag:` with no value, filters
    # or not.
    query = parse(text, fts.segmenter(conn), exact=exact, empty_ok=options != Filters())
    query.filters = query.filters.merged(options)
    result = SearchResult(query=query)
    if not query.terms:
        ids, result.total = fts.filtered(conn, query.filters, limit)
        result.items = _hydrate(conn, [(i, 0, 0.0) for i in ids], None)
        result.literal_total = result.total
        return result
    rows, result.total = fts.ranked(conn, query, limit)
    result.literal_total = result.total
    if result.total < FEW and fuzzy and not exact:
        rows = _with_correction(conn, text, query, rows, limit, result)
    if not rows and fuzzy and not exact and query.words:
        rows = _close_titles(conn, " ".join(query.words), query.filters, limit)
        result.fuzzy, result.total = bool(rows), len(rows)
    result.items = _hydrate(conn, rows, result.query)
    return result


def _with_correction(
    conn: Conn,
    text: str,
    query: Query,
    rows: list[Row],
    limit: int | None,
    result: SearchResult,
) -> list[Row]:
    corrected = correct(conn, text, query)
    if corrected is None:
        return rows
    fts = fulltext(conn)
    fixed = parse(corrected, fts.segmenter(conn))
    fixed.filters = query.filters
    more, more_total = fts.ranked(conn, fixed, limit)
    seen = {r[0] for r in rows}
    extra = [r for r in more if r[0] not in seen]
    if not extra:
        return rows
    result.corrected = corrected
    if not rows:
        result.query, result.total = fixed, more_total
        return more
    result.total += len(extra)
    return (rows + extra)[: limit if limit is not None else None]


def _edits(word: str) -> list[str]:
    """Spellings one edit away, likeliest kinds of typo first (swapped, missing, extra, wrong letter)."""
    letters = "abcdefghijklmnopqrstuvwxyz0123456789"
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    swaps = [a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1]
    inserts = [a + c + b for a, b in splits for c in letters]
    deletes = [a + b[1:] for a, b in splits if b]
    replaces = [a + c + b[1:] for a, b in splits if b for c in letters if c != b[0]]
    return [w for w in dict.fromkeys(swaps + deletes + inserts + replaces) if w != word]


def correct(conn: Conn, text: str, query: Query) -> str | None:
    """The query with each word the library does not know replaced by the most frequent known word one edit
    away; None when nothing changes. Each candidate probed costs one index probe, fast at any library size."""
    fts = fulltext(conn)
    fixes: dict[str, str] = {}
    for word in query.words:
        for part in re.findall(r"[A-Za-z0-9]+", nfkc(word)):
            low = part.casefold()
            if len(low) < 4 or low in fixes or fts.known(conn, low):
                continue
            fix = _fix(conn, fts, low)
            if fix is not None:
                fixes[low] = fix
    if not fixes:
        return None
    pattern = re.compile(r"[A-Za-z0-9]+")
    return pattern.sub(lambda m: fixes.get(m.group(0).casefold(), m.group(0)), nfkc(text))


FREQUENT = 1000  # matches counted per candidate at most: a candidate this frequent cannot be outranked
PROBES = 128  # candidates probed per statement


def _fix(conn: Conn, fts: FullText, low: str) -> str | None:
    """The known word one edit from `low` that the library uses most, among those with its first letter when
    there are any (typos rarely hit it); the likeliest kind of typo (`_edits` order) among equals.

    Only what can change the answer is probed (~13 µs a candidate at 100k items, ~700 candidates a word): the
    candidates with another first letter only when none with the first letter is known, and in `_edits` order, a
    batch at a time, stopping at a word as frequent as counting goes (none after it can outrank it)."""
    edits = _edits(low)
    for group in ([c for c in edits if c[:1] == low[:1]], [c for c in edits if c[:1] != low[:1]]):
        best, most = None, -1
        for start in range(0, len(group), PROBES):
            batch = group[start : start + PROBES]
            known = fts.known_many(conn, batch)
            for candidate in (c for c in batch if c in known):
                count = fts.frequency(conn, candidate, FREQUENT)
                if count > most:
                    best, most = candidate, count
            if most >= FREQUENT:
                break
        if best is not None:
            return best
    return None


def _close_titles(conn: Conn, text: str, filters: Filters, limit: int | None) -> list[Row]:
    """Typos the vocabulary cannot fix: rapidfuzz over the titles, short names and tags of small libraries."""
    # Counted no further than the bound: PostgreSQL counts a whole table row by row (30-50 ms at 100k items).
    if (
        conn.execute("SELECT count(*) FROM (SELECT 1 FROM item LIMIT ?) i", (TITLE_SCAN_MAX + 1,)).fetchone()[0]
        > TITLE_SCAN_MAX
    ):
        return []
    from rapidfuzz import fuzz, process, utils

    where, params = fulltext(conn).filter_sql(filters)
    tag_names = backend_of(conn).sql.group_concat("t.name", "' '")
    # Every item's tags in one grouped pass (a subquery per item cost more than the fuzzy matching), and the
    # member's view only when a filter needs their statuses.
    tags = dict(
        conn.execute(f"SELECT it.item_id, {tag_names} FROM itemtag it JOIN tag t ON t.id = it.tag_id GROUP BY 1")
    )
    items = "member_item" if where else "item"
    choices = {
        item_id: f"{short_name} {title} {tags.get(item_id) or ''}"
        for item_id, title, short_name in conn.execute(
            f"SELECT i.id, i.title, coalesce(i.short_name, '') FROM {items} i WHERE 1 = 1{where}", params
        )
    }
    found = process.extract(
        nfkc(text).casefold(),
        choices,
        scorer=fuzz.partial_ratio,
        processor=utils.default_process,
        limit=limit,
        score_cutoff=FUZZY_CUTOFF,
    )
    return [(item_id, FUZZY_TIER, -score / 100) for _, score, item_id in found]


def score(tier: int, bm25: float) -> float:
    """One number that sorts like the ranking: the tier first, then BM25 squashed into [0, 1)."""
    s = max(-bm25, 0.0)
    return round(FUZZY_TIER - tier + s / (1 + s), 4)


def _hydrate(conn: Conn, rows: list[Row], query: Query | None) -> list[SearchHit]:
    """Full items (the `list --json` schema) with score and snippet, in rank order."""
    if not rows:
        return []
    ids = [r[0] for r in rows]
    by_id = {it["id"]: it for it in list_items(conn, ItemFilter(ids=ids), full=True)}
    docs = index.documents(conn, ids)
    phrases = snippet.weighted_phrases(query) if query else []
    digits = fulltext(conn).RANK_DIGITS  # the score shown sorts as the ranking did: ties show as ties
    items: list[SearchHit] = []
    for item_id, tier, bm25 in rows:
        record = by_id.get(item_id)
        if record is None:  # removed since it was indexed
            continue
        made = snippet.make(docs.get(item_id, {}), query, record["title"] or "", phrases)
        items.append(cast("SearchHit", {**record, "score": score(tier, round(bm25, digits)), "snippet": made}))
    return items
