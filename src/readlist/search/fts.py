"""SQLite FTS5 full-text queries: renders a structured query to MATCH syntax and runs the tiered ranking.

The search engine gets this module from a SQLite library's backend (engine.fulltext); fts_pg.py is PostgreSQL's."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from readlist.domain import Status, tag_slug
from readlist.location import Conn
from readlist.search.query import AllOf, AnyOf, Expr, Filters, InColumn, Phrase, Query, Segmenter

# BM25 weights per column: title, authors, tags, abstract, notes, text, venue, extra (other spellings).
WEIGHTS = (30.0, 3.0, 5.0, 1.5, 1.0, 0.3, 0.5, 0.3)
MAX_WORD = 8  # longest Chinese word looked up when splitting a query run into the index's words
MAX_RUN = 32  # a longer run (pasted text) is split into chunks of this size


def render(expr: Expr) -> str:
    """One expression in FTS5 syntax. Every token is quoted: user text never reaches MATCH as syntax."""
    if isinstance(expr, Phrase):
        return '"' + " ".join(expr.tokens).replace('"', '""') + '"' + ("*" if expr.prefix else "")
    if isinstance(expr, InColumn):
        return f"{expr.column} : ({render(expr.expr)})"
    joiner = " OR " if isinstance(expr, AnyOf) else " AND "
    assert isinstance(expr, AnyOf | AllOf)
    return "(" + joiner.join(render(p) for p in expr.parts) + ")"


def known(conn: Conn, token: str) -> bool:
    """Whether the index holds this token anywhere (one index probe, fast at any size)."""
    row = conn.execute("SELECT 1 FROM search_index WHERE search_index MATCH ? LIMIT 1", ('"' + token + '"',))
    return row.fetchone() is not None


def frequency(conn: Conn, token: str, cap: int = 1000) -> int:
    sql = "SELECT count(*) FROM (SELECT 1 FROM search_index WHERE search_index MATCH ? LIMIT ?)"
    return int(conn.execute(sql, ('"' + token + '"', cap)).fetchone()[0])


def known_many(conn: Conn, tokens: list[str]) -> set[str]:
    """Which of these tokens the index holds (typo correction probes hundreds of candidates): one statement, so
    the probes run in SQLite's C without a Python round trip each (1,300 candidates at 100k items: 25 → 17 ms)."""
    sql = (
        "SELECT value FROM json_each(?) WHERE EXISTS (SELECT 1 FROM search_index "
        "WHERE search_index MATCH '\"' || replace(value, '\"', '\"\"') || '\"')"
    )
    return {str(r[0]) for r in conn.execute(sql, (json.dumps(tokens),))}


def segmenter(conn: Conn, is_in_index: Callable[[Conn, str], bool] = known) -> Segmenter:
    """Splits a Chinese query run into words the index knows, longest first (the index was split by
    jieba at write time; looking its words up avoids loading jieba's dictionary for every search)."""
    cache: dict[str, bool] = {}

    def is_known(word: str) -> bool:
        if word not in cache:
            cache[word] = is_in_index(conn, word)
        return cache[word]

    def split(run: str) -> list[str]:
        words: list[str] = []
        for start in range(0, len(run), MAX_RUN):
            chunk, i = run[start : start + MAX_RUN], 0
            while i < len(chunk):
                longest = range(min(len(chunk), i + MAX_WORD), i, -1)
                j = next((j for j in longest if is_known(chunk[i:j])), i + 1)
                words.append(chunk[i:j])
                i = j
        # Nothing known: keep the run whole, so it can still match as the start of a longer word.
        return words if any(cache.get(w) for w in words) else [run]

    return split


YEAR_SQL = "coalesce(i.year, CAST(substr(i.published, 1, 4) AS INTEGER))"


def filter_sql(filters: Filters, year_sql: str = YEAR_SQL, item_id: str = "i.id") -> tuple[str, list[Any]]:
    """SQL conditions on `item i` for every filter; they apply to every result path. `year_sql`: the item's
    year as the backend computes it (the rest is the same SQL on both); `item_id`: the SQL of the item's id."""
    clauses: list[str] = []
    params: list[Any] = []
    if filters.status:
        clauses.append(f"i.status IN ({','.join('?' * len(filters.status))})")
        params += filters.status
    if filters.kinds:
        clauses.append(f"i.kind IN ({','.join('?' * len(filters.kinds))})")
        params += filters.kinds
    if filters.years:
        clauses.append(f"{year_sql} IN ({','.join('?' * len(filters.years))})")
        params += filters.years
    for tag in filters.tags:
        clauses.append(
            # The tag's items from its index (a correlated EXISTS would probe every item of the library).
            f"{item_id} IN (SELECT it.item_id FROM itemtag it JOIN tag t ON t.id = it.tag_id WHERE t.slug = ?)"
        )
        params.append(tag_slug(tag))
    if filters.since:
        clauses.append("(i.added_at >= ? OR i.finished_at >= ? OR i.started_at >= ?)")
        params += [filters.since] * 3
    return "".join(f" AND {c}" for c in clauses), params


# `+rowid`: a plain `rowid IN (…)` is handed to FTS5 as a rowid constraint, which then re-runs the whole MATCH
# once per listed row (30 s for "kv cache" at 100k items); the unary plus keeps it a filter on the one scan.
_IN_TIER = " AND +search_index.rowid IN (SELECT rowid FROM search_index WHERE search_index MATCH ?)"
_TIE_BREAK = (
    f"CASE i.status WHEN '{Status.UNREAD}' THEN 0 WHEN '{Status.READING}' THEN 0 ELSE 1 END, i.added_at DESC, i.id DESC"
)


def ranked(conn: Conn, query: Query, limit: int | None) -> tuple[list[tuple[int, int, float]], int]:
    """(item id, tier, bm25) of the best `limit` matches, best first, and how many match in all.

    Tier by tier, best first, stopping once the page is full: a broad query ("gpu") fills its page from the
    title tiers, so BM25 is computed for a few hundred rows instead of every match."""
    tiers = query.tiers()
    where, params = filter_sql(query.filters)
    # CROSS JOIN: the full-text match drives the join. Led by an index on a filter (kind), SQLite re-ran the whole
    # MATCH once per item of that kind (minutes at 100k items).
    base = f"FROM search_index CROSS JOIN member_item i ON i.id = search_index.rowid WHERE search_index MATCH ?{where}"
    counted = base if where else "FROM search_index WHERE search_index MATCH ?"  # no filter: no join to count
    if query.filters == Filters(tags=query.filters.tags):
        # Tags only: each match is looked up in the tags' items, with no join to the item and the member's
        # status (attention tag:量化 at 100k items: 80 → 30 ms); `+`, as _IN_TIER says.
        tagged, _ = filter_sql(query.filters, item_id="+search_index.rowid")
        counted = f"FROM search_index WHERE search_index MATCH ?{tagged}"
    total = int(conn.execute(f"SELECT count(*) {counted}", [render(tiers[-1][1]), *params]).fetchone()[0])
    rows: list[tuple[int, int, float]] = []
    weights = ", ".join(str(w) for w in WEIGHTS)
    everything = render(tiers[-1][1])
    for n, (tier, expr) in enumerate(tiers):
        if total == 0 or (limit is not None and len(rows) >= limit):
            break
        # BM25 always scores the whole query (all columns, spellings, synonyms); the tier only restricts.
        within = "" if n == len(tiers) - 1 else _IN_TIER
        seen = " AND +search_index.rowid NOT IN (SELECT value FROM json_each(?))" if rows else ""
        args: list[Any] = [everything, *params] + ([render(expr)] if within else [])
        args += [json.dumps([r[0] for r in rows])] if rows else []
        scored = f"SELECT search_index.rowid AS id, bm25(search_index, {weights}) AS score {counted}{within}{seen}"
        if limit is None:
            sql = f"SELECT s.id, s.score FROM ({scored}) s JOIN member_item i ON i.id = s.id ORDER BY {_ORDER}"
            page = [(int(r[0]), float(r[1])) for r in conn.execute(sql, args)]
        else:
            page = _page(conn, scored, args, limit - len(rows))
        rows += [(item_id, tier, score) for item_id, score in page]
    return rows, total


def _page(conn: Conn, scored: str, args: list[Any], size: int) -> list[tuple[int, float]]:
    """The best `size` rows of one tier: by rounded score, ties broken unread-first and newest-first.

    Only the rows whose rounded score can reach the page are tie-broken, and SQLite finds them with a bounded
    sort (ORDER BY score LIMIT n keeps n rows) instead of sorting every match: rounding keeps the order of raw
    scores, so they are a prefix of that order. When ties run past the prefix, the whole tier is sorted."""
    best = conn.execute(f"{scored} ORDER BY score LIMIT ?", [*args, size + _TIES]).fetchall()
    if len(best) == size + _TIES and round(best[-1][1], 2) <= round(best[size - 1][1], 2):
        return [
            (int(r[0]), float(r[1]))
            for r in conn.execute(_PAGE.format(scored=scored, order=_ORDER), [*args, size, size])
        ]
    if len(best) > size:
        last = round(best[size - 1][1], 2)
        best = [r for r in best if round(r[1], 2) <= last]
    if len(best) <= 1:
        return [(int(r[0]), float(r[1])) for r in best]
    ties = conn.execute(_TIE_PAGE, (json.dumps([[r[0], r[1]] for r in best]), size))
    return [(int(r[0]), float(r[1])) for r in ties]


# A page of one tier: every match is scored (in C), but only the rows whose rounded score reaches the page's
# last score are joined to their items for the tie-break; the join for every match cost most of a search.
_ORDER = f"round(s.score, 2), {_TIE_BREAK}"
_PAGE = """WITH scored AS MATERIALIZED ({scored}),
last AS (SELECT round(score, 2) AS r FROM scored ORDER BY r LIMIT 1 OFFSET ? - 1)
SELECT s.id, s.score FROM scored s JOIN member_item i ON i.id = s.id
WHERE round(s.score, 2) <= coalesce((SELECT r FROM last), round(s.score, 2))
ORDER BY {order} LIMIT ?"""


_TIES = 40  # rows past the page fetched to find where its last rounded score ends

# The tie-break of a tier's best rows, given as [[id, score], …].
_TIE_PAGE = f"""SELECT s.value ->> 0 AS id, s.value ->> 1 AS score FROM json_each(?) s
JOIN member_item i ON i.id = s.value ->> 0 ORDER BY round(s.value ->> 1, 2), {_TIE_BREAK} LIMIT ?"""


def filtered(conn: Conn, filters: Filters, limit: int | None) -> tuple[list[int], int]:
    """A query of filters only: matching items, unread and recent first, and how many match in all.

    A page of a large match set walks the items newest first and stops when the page is full (unread and
    reading first, then the rest), instead of sorting every match: tag:cuda at 100k items read 13,000 item rows
    to show 20. A small set is sorted whole (walking would pass many items that do not match)."""
    where, params = filter_sql(filters)
    total = _count_filtered(conn, filters, where, params)
    if limit is None or total <= _WALK_FROM:
        sql = f"SELECT i.id FROM member_item i WHERE 1 = 1{where} ORDER BY {_TIE_BREAK} LIMIT ?"
        return [int(r[0]) for r in conn.execute(sql, [*params, -1 if limit is None else limit])], total
    # `+i.id`: the tag's items are tested on the walk, not looked up one by one (which would need the sort).
    walk, params = filter_sql(filters, item_id="+i.id")
    ids: list[int] = []
    queued = f"('{Status.UNREAD}', '{Status.READING}')"
    for test in ("IN", "NOT IN"):
        if len(ids) < limit:
            sql = (
                f"SELECT i.id FROM member_item i WHERE 1 = 1{walk} AND i.status {test} {queued} "
                "ORDER BY i.added_at DESC, i.id DESC LIMIT ?"
            )
            ids += [int(r[0]) for r in conn.execute(sql, [*params, limit - len(ids)])]
    return ids, total


_WALK_FROM = 500  # matches from which a page walks the items newest first (see filtered)


def _count_filtered(conn: Conn, filters: Filters, where: str, params: list[Any]) -> int:
    if filters == Filters(tags=filters.tags):  # tags only: counted on the tags' index, no item read
        first = "SELECT count(*) FROM itemtag it WHERE it.tag_id = (SELECT id FROM tag WHERE slug = ?)"
        rest, _ = filter_sql(Filters(tags=filters.tags[1:]), item_id="it.item_id")
        return int(conn.execute(first + rest, params).fetchone()[0])
    return int(conn.execute(f"SELECT count(*) FROM member_item i WHERE 1 = 1{where}", params).fetchone()[0])
