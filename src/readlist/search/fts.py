"""SQLite FTS5 full-text queries: renders a structured query to MATCH syntax and runs the tiered ranking.

The search engine gets this module from a SQLite library's backend (engine.fulltext); fts_pg.py is PostgreSQL's."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from readlist.domain import Status, tag_slug
from readlist.location import Conn
from readlist.search.query import AllOf, AnyOf, Expr, Filters, InColumn, Phrase, Query, Segmenter
from readlist.store.backends.base import member_items

# BM25 weights per column: title, authors, tags, abstract, notes, text, venue, extra (other spellings).
WEIGHTS = (30.0, 3.0, 5.0, 1.5, 1.0, 0.3, 0.5, 0.3)
_BM25 = f"bm25(search_index, {', '.join(str(w) for w in WEIGHTS)})"
RANK_DIGITS = 2  # BM25 is compared rounded to this many places: closer scores are ties, broken unread-first
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

    An item's tier is the first of the query's tiers it matches; BM25 always scores the whole query (all
    columns, spellings, synonyms). A page is one scored pass over the matches of the first tiers that can fill
    it, each row tagged with its tier (a tier used to cost a pass of its own, each pass re-reading every match)."""
    tiers = query.tiers()
    counted, params = _matches(conn, query.filters)
    everything = render(tiers[-1][1])
    total = int(conn.execute(f"SELECT count(*) {counted}", [everything, *params]).fetchone()[0])
    if total == 0 or limit == 0:
        return [], total
    if limit is None:
        return _every_match(conn, tiers, counted, params), total
    # The first tiers that hold `limit` matches (rowid probes that stop at the limit-th) hold the page: a broad
    # query ("gpu") fills it from the titles, and BM25 scores only their rows.
    # An empty tier (the probe found none of its rows among the filtered ones) is left out of the pass.
    empty: set[int] = set()
    last = len(tiers) - 1
    for n, (_, expr) in enumerate(tiers[:-1]):
        found = _count_to(conn, counted, [render(expr), *params], limit)
        if found >= limit:
            last = n
            break
        if not found:
            empty.add(n)
    # A tier holding every match ("kv cache" as typed, whose spellings and synonyms add none) needs no set of its
    # rows to test each match against (~6 ms for 13,000 matches). The probe stops at the first match outside it.
    outside = f"({everything}) NOT ({render(tiers[last][1])})"
    whole = last == len(tiers) - 1 or _count_to(conn, counted, [outside, *params], 1) == 0
    page = _page(conn, *_scored(tiers, last, whole, empty, counted, params), limit)
    if len(page) < limit and not whole:  # a tier held rows the whole query does not match
        page = _page(conn, *_scored(tiers, len(tiers) - 1, True, empty, counted, params), limit)
    return [(item_id, tiers[n][0], score) for item_id, score, n in page], total


def _scored(
    tiers: list[tuple[int, Expr]], last: int, whole: bool, empty: set[int], counted: str, params: list[Any]
) -> tuple[str, list[Any]]:
    """SELECT id, score, tier (an index into `tiers`) of the matches in the tiers up to `last`, and its arguments;
    `whole`: tier `last` holds every match; `empty`: tiers known to hold none of the rows."""
    tested = [n for n in range(last) if n not in empty]
    cases = "".join(f" WHEN +search_index.rowid IN ({_TIER_ROWS}) THEN {n}" for n in tested)
    tier = f"CASE{cases} ELSE {last} END" if cases else str(last)
    within = "" if whole else _IN_TIER
    sql = f"SELECT search_index.rowid AS id, {_BM25} AS score, {tier} AS tier {counted}{within}"
    args = [*(render(tiers[n][1]) for n in tested), render(tiers[-1][1]), *params]
    return sql, args + ([render(tiers[last][1])] if within else [])


_TIER_ROWS = "SELECT rowid FROM search_index WHERE search_index MATCH ?"


def _matches(conn: Conn, filters: Filters) -> tuple[str, list[Any]]:
    """`FROM … WHERE search_index MATCH ?…`: the rows of a MATCH that pass the filters, and the filters' values."""
    tagged = ""
    if filters.tags:
        # The tags' items are put in a temporary table once: each statement of the search (count, probes, the
        # scored pass) made its own set of them (13,000 items at 100k: ~3 ms each). `+`, as _IN_TIER says.
        _fill_tagged(conn, filters.tags)
        tagged = " AND +search_index.rowid IN (SELECT id FROM temp.search_tagged)"
    where, params = filter_sql(replace(filters, tags=[]))
    if not where:
        return f"FROM search_index WHERE search_index MATCH ?{tagged}", params  # no join to the items
    # CROSS JOIN: the full-text match drives the join. Led by an index on a filter (kind), SQLite re-ran the whole
    # MATCH once per item of that kind (minutes at 100k items). Each match's item and reading are read from the
    # indexes of what filters read (migration 0019), not their rows (17,000 matches: 23 → 8 ms); unnamed, SQLite
    # takes the rows.
    joined = f"FROM search_index CROSS JOIN ({_FILTERED_ITEMS}) i ON i.id = search_index.rowid"
    return f"{joined} WHERE search_index MATCH ?{where}{tagged}", params


_FILTERED_ITEMS = member_items("temp", "item INDEXED BY ix_item_filters", "reading r INDEXED BY ix_reading_filters")


def _tagged(tags: list[str]) -> tuple[str, list[Any]]:
    """SELECT of the items that have every one of `tags`, read from the tags' links alone (no item row)."""
    first = "SELECT it.item_id FROM itemtag it JOIN tag t ON t.id = it.tag_id WHERE t.slug = ?"
    rest, params = filter_sql(Filters(tags=tags[1:]), item_id="it.item_id")
    return first + rest, [tag_slug(tags[0]), *params]


def _fill_tagged(conn: Conn, tags: list[str]) -> None:
    """The connection's `temp.search_tagged`: the items that have every one of `tags`."""
    sql, params = _tagged(tags)
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS search_tagged (id INTEGER PRIMARY KEY)")
    conn.execute("DELETE FROM temp.search_tagged")
    conn.execute(f"INSERT OR IGNORE INTO temp.search_tagged (id) {sql}", params)


def _count_to(conn: Conn, counted: str, args: list[Any], n: int) -> int:
    """How many rows a MATCH has, counting no further than `n` (rowids only, no scoring)."""
    sql = f"SELECT count(*) FROM (SELECT 1 {counted} LIMIT ?)"
    return int(conn.execute(sql, [*args, n]).fetchone()[0])


def _every_match(
    conn: Conn, tiers: list[tuple[int, Expr]], counted: str, params: list[Any]
) -> list[tuple[int, int, float]]:
    """Every match in rank order, tier by tier (`search -n 0`, exports of a search)."""
    rows: list[tuple[int, int, float]] = []
    everything = render(tiers[-1][1])
    for n, (tier, expr) in enumerate(tiers):
        within = "" if n == len(tiers) - 1 else _IN_TIER
        seen = " AND +search_index.rowid NOT IN (SELECT value FROM json_each(?))" if rows else ""
        args: list[Any] = [everything, *params] + ([render(expr)] if within else [])
        args += [json.dumps([r[0] for r in rows])] if rows else []
        scored = f"SELECT search_index.rowid AS id, {_BM25} AS score {counted}{within}{seen}"
        sql = f"SELECT s.id, s.score FROM ({scored}) s JOIN member_item i ON i.id = s.id ORDER BY {_ORDER}"
        rows += [(int(r[0]), tier, float(r[1])) for r in conn.execute(sql, args)]
    return rows


def _page(conn: Conn, scored: str, args: list[Any], size: int) -> list[tuple[int, float, int]]:
    """The best `size` rows of `scored` (id, score, tier): by tier, then rounded score, ties broken unread-first
    and newest-first.

    Only the rows whose (tier, rounded score) can reach the page are tie-broken, and SQLite finds them with a
    bounded sort (ORDER BY … LIMIT n keeps n rows) instead of sorting every match: rounding keeps the order of
    raw scores, so they are a prefix of that order. When ties run past the prefix, every row is sorted."""
    found = conn.execute(f"{scored} ORDER BY tier, score LIMIT ?", [*args, size + _TIES]).fetchall()
    if not found:
        return []
    best = [(*row, r) for row, r in zip(found, _rounded(conn, [r[1] for r in found]), strict=True)]
    keyed = f"SELECT id, score, tier, round(score, {RANK_DIGITS}) AS r FROM ({scored})"
    if len(best) == size + _TIES and (best[-1][2], best[-1][3]) <= (best[size - 1][2], best[size - 1][3]):
        sql = _TIED_PAGE.format(keyed=keyed, tie_break=_TIE_BREAK)
        return [(int(r[0]), float(r[1]), int(r[2])) for r in conn.execute(sql, [*args, size, size])]
    if len(best) > size:
        last = (best[size - 1][2], best[size - 1][3])
        best = [r for r in best if (r[2], r[3]) <= last]
    if len(best) <= 1:
        return [(int(r[0]), float(r[1]), int(r[2])) for r in best]
    by_id = {int(r[0]): (int(r[0]), float(r[1]), int(r[2])) for r in best}
    return [by_id[int(r[0])] for r in conn.execute(_TIE_PAGE, (json.dumps([list(r) for r in best]), size))]


def _rounded(conn: Conn, scores: list[float]) -> list[float]:
    """Scores rounded by SQLite, as the queries that sort every row round them (Python's round() can differ at a
    half); in the query that finds them it would run BM25 twice a row. A row of at most 1,000 columns each."""
    out: list[float] = []
    for start in range(0, len(scores), 1000):
        part = scores[start : start + 1000]
        out += conn.execute("SELECT " + ", ".join([f"round(?, {RANK_DIGITS})"] * len(part)), part).fetchone()
    return out


_ORDER = f"round(s.score, {RANK_DIGITS}), {_TIE_BREAK}"
_TIES = 40  # rows past the page fetched to find where its last rounded score ends

# A page whose last (tier, rounded score) is shared past the prefix: every row is scored, but only those that
# reach the page's last key are joined to their items for the tie-break.
_TIED_PAGE = """WITH s AS MATERIALIZED ({keyed}),
last AS (SELECT tier, r FROM s ORDER BY tier, r LIMIT 1 OFFSET ? - 1)
SELECT s.id, s.score, s.tier FROM s JOIN member_item i ON i.id = s.id
WHERE (s.tier, s.r) <= (SELECT tier, r FROM last) ORDER BY s.tier, s.r, {tie_break} LIMIT ?"""

# The tie-break of a page's best rows, given as [[id, score, tier, rounded score], …].
_TIE_PAGE = f"""SELECT s.value ->> 0 FROM json_each(?) s
JOIN member_item i ON i.id = s.value ->> 0 ORDER BY s.value ->> 2, s.value ->> 3, {_TIE_BREAK} LIMIT ?"""


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
        sql, args = _tagged(filters.tags)
        return int(conn.execute(f"SELECT count(*) FROM ({sql})", args).fetchone()[0])
    return int(conn.execute(f"SELECT count(*) FROM member_item i WHERE 1 = 1{where}", params).fetchone()[0])
