"""PostgreSQL full-text queries: render a structured query to tsquery and run the same tiered ranking as
fts.py, with ts_rank over the weighted `doc` vector (migration 0008) in place of BM25.

The functions mirror fts.py's (known, frequency, known_many, segmenter, filter_sql, ranked, filtered): the search
engine gets this module from a PostgreSQL library's backend (engine.fulltext).
"""

from __future__ import annotations

from typing import Any, cast

from readlist.location import Conn
from readlist.search import fts
from readlist.search.query import AllOf, AnyOf, Expr, Filters, InColumn, Phrase, Query, Segmenter
from readlist.store.backends.postgres import PgConn, parser_words

# ts_rank weights {D, C, B, A}: the FTS5 weights of fts.WEIGHTS per class, relative to the title's 30.
RANK_WEIGHTS = "{0.012, 0.045, 0.13, 1.0}"
_YEAR = "coalesce(i.year, CASE WHEN i.published ~ '^[0-9]{4}' THEN CAST(substr(i.published, 1, 4) AS integer) END)"
_TSQ = "to_tsquery('readlist', ?)"


def _operand(token: str, prefix: bool = False, joiner: str = " <-> ") -> str:
    words = parser_words(token).split()
    quoted = joiner.join(f"'{w}'" for w in words) or "''"
    return f"{quoted}:*" if prefix else quoted


def tsquery(expr: Expr, joiner: str = " <-> ") -> str:
    """The expression as tsquery text, column qualifiers ignored (a necessary condition on `doc`). `joiner`
    " & " relaxes each phrase to its words: a query the GIN index answers alone, without reading any vector."""
    if isinstance(expr, Phrase):
        last = len(expr.tokens) - 1
        parts = [_operand(t, expr.prefix and n == last, joiner) for n, t in enumerate(expr.tokens)]
        return "(" + joiner.join(p for p in parts if p != "''") + ")"
    if isinstance(expr, InColumn):
        return tsquery(expr.expr, joiner)
    either = " | " if isinstance(expr, AnyOf) else " & "
    assert isinstance(expr, AnyOf | AllOf)
    return "(" + either.join(tsquery(p, joiner) for p in expr.parts) + ")"


def _has_column(expr: Expr) -> bool:
    if isinstance(expr, InColumn):
        return True
    return isinstance(expr, AnyOf | AllOf) and any(_has_column(p) for p in expr.parts)


def condition(expr: Expr, column: str = "doc", doc: str = 's."doc"') -> tuple[str, list[Any]]:
    """SQL matching exactly `expr`: one tsquery on `doc` when no column qualifier is inside, else the
    qualified parts on their own column's vector. `doc`: the SQL of the whole vector."""
    if isinstance(expr, InColumn):
        return condition(expr.expr, expr.column, doc)
    if not _has_column(expr):
        vector = doc if column == "doc" else f's."{column}"'
        return f"{vector} @@ {_TSQ}", [tsquery(expr)]
    assert isinstance(expr, AnyOf | AllOf)
    joiner = " OR " if isinstance(expr, AnyOf) else " AND "
    parts = [condition(p, column, doc) for p in expr.parts]
    return "(" + joiner.join(sql for sql, _ in parts) + ")", [arg for _, args in parts for arg in args]


# A materialized CTE makes the planner use the GIN index: with `LIMIT` directly on the scan it may pick a
# sequential scan expecting an early hit, which for a word the library lacks reads every row (seconds at 100k).
_PROBE = f"WITH hits AS MATERIALIZED (SELECT item_id FROM search_index WHERE doc @@ {_TSQ}) SELECT 1 FROM hits LIMIT 1"


def known(conn: Conn, token: str) -> bool:
    return conn.execute(_PROBE, (_operand(token),)).fetchone() is not None


def frequency(conn: Conn, token: str, cap: int = 1000) -> int:
    sql = (
        f"WITH hits AS MATERIALIZED (SELECT item_id FROM search_index WHERE doc @@ {_TSQ}) "
        "SELECT count(*) FROM (SELECT 1 FROM hits LIMIT ?) AS capped"
    )
    return int(conn.execute(sql, (_operand(token), cap)).fetchone()[0])


def known_many(conn: Conn, tokens: list[str]) -> set[str]:
    """Hundreds of typo candidates in one statement, one index probe each on the server: a statement each, even
    pipelined, cost the server a parse and a plan apiece (1,300 candidates at 100k items: ~0.5 s → ~30 ms)."""
    operands = {t: _operand(t) for t in tokens if parser_words(t)}
    sql = (
        "SELECT w FROM unnest(CAST(? AS text[])) AS w "
        "WHERE EXISTS (SELECT 1 FROM search_index WHERE doc @@ to_tsquery('readlist', w))"
    )
    found = {str(r[0]) for r in conn.execute(sql, [sorted(set(operands.values()))])}
    return {t for t, operand in operands.items() if operand in found}


def segmenter(conn: Conn) -> Segmenter:
    return fts.segmenter(conn, known)


def filter_sql(filters: Filters) -> tuple[str, list[Any]]:
    return fts.filter_sql(filters, _YEAR)


# One pass over the matches gives the total, each match's tier and its rank. The GIN index finds the candidates
# with every phrase relaxed to its words (an index-only answer: an exact phrase needs the positions, which GIN does
# not keep, so PostgreSQL would read each candidate's vector to recheck it); each candidate's `doc` is then read
# once (`x.doc`: detoasted in the lateral subquery) for the exact match, the tier and ts_rank. Reading `doc` is
# most of a search's cost: the tier-by-tier queries this replaces read it four to ten times a match.
_LATERAL = " CROSS JOIN LATERAL (SELECT s.doc || ''::tsvector AS doc OFFSET 0) x"
_RANKED = "ranked AS (SELECT item_id, tier, score, round(CAST(score AS numeric), 3) AS r FROM hit)"
# The page looks up only the hits whose (tier, rounded rank) can make it for the tie-break, one by one (OFFSET 0:
# the planner, which cannot know how few pass, otherwise hashes the whole item table).
_LAST = "last AS (SELECT tier, r FROM ranked ORDER BY tier, r DESC LIMIT 1 OFFSET ?)"
_PAGE = f"""SELECT h.item_id, h.tier, h.score, (SELECT count(*) FROM hit) FROM ranked h
CROSS JOIN LATERAL (SELECT status, added_at FROM member_item WHERE id = h.item_id OFFSET 0) i
WHERE {{cut}} ORDER BY h.tier, h.r DESC, {fts._TIE_BREAK.replace("i.id", "h.item_id")} LIMIT ?"""
_CUT = "NOT EXISTS (SELECT 1 FROM last) OR (h.tier, -h.r) <= (SELECT tier, -r FROM last)"
TITLE_TIERS = 2  # tiers 0 and 1 are the title matches (query.TIER_NAMES)

Tiers = list[tuple[int, Expr]]


def ranked(conn: Conn, query: Query, limit: int | None) -> tuple[list[tuple[int, int, float]], int]:
    """(item id, tier, -ts_rank) of the best `limit` matches, best first, and how many match in all.
    The same order as fts.ranked: tier first (the first tier expression a match meets), then the rank of the
    whole query (all columns, spellings, synonyms), then the tie-break."""
    tiers = query.tiers()
    where, params = filter_sql(query.filters)
    titled = [(t, expr) for t, expr in tiers[:-1] if t < TITLE_TIERS]
    if limit and titled:
        # The title tiers first, found by the title and doc indexes together: when they fill the page (a broad
        # query), no other match is read or ranked, and the total is a count of the doc index's answer (each
        # match read once only when a phrase needs its positions checked).
        hits, args = _hits(titled, tiers[-1], where, params, doc="s.doc", only=titled)
        rows, _ = _page(conn, hits, args, limit)
        if len(rows) == limit:
            hits, args = _hits([], tiers[-1], where, params, doc="s.doc", rank=False)
            return rows, _count(conn, f"{hits} SELECT count(*) FROM hit", args)
    hits, args = _hits(tiers[:-1], tiers[-1], where, params, doc="x.doc")
    return _page(conn, hits, args, limit)


def _hits(
    tiers: Tiers,
    last: tuple[int, Expr],
    where: str,
    params: list[Any],
    *,
    doc: str,
    rank: bool = True,
    only: Tiers | None = None,
) -> tuple[str, list[Any]]:
    """The CTEs `hit` (item_id, tier, score) and `ranked` (with the rounded score) over every match of the whole
    query `last` (`only`: those meeting one of these tiers), and their parameters in order."""
    args: list[Any] = []
    whens = []
    for t, expr in tiers:
        sql, cond_args = condition(expr, doc=doc)
        whens.append(f"WHEN {sql} THEN {t}")
        args += cond_args
    tier = f"CASE {' '.join(whens)} ELSE {last[0]} END" if whens else str(last[0])
    score = "0"
    if rank:
        score = f"ts_rank('{RANK_WEIGHTS}', {doc}, {_TSQ})"
        args.append(tsquery(last[1]))
    relaxed = tsquery(last[1], " & ")
    exact, exact_args = condition(last[1], doc=doc)
    if exact_args == [relaxed] and not _has_column(last[1]):  # no phrase: the index's answer is exact
        exact, exact_args = "TRUE", []
    # The filters are tested on each match the index finds (OFFSET 0 keeps the subquery per row): as a join, the
    # planner, which guesses a status filter keeps 0.5% of the items, led with the filter and read the vector
    # of every item with that status.
    where = f" AND EXISTS (SELECT 1 FROM member_item i WHERE i.id = s.item_id{where} OFFSET 0)" if where else ""
    lateral = _LATERAL if doc == "x.doc" else ""
    sql = (
        f"SELECT s.item_id, {tier} AS tier, {score} AS score FROM search_index s{lateral} "
        f"WHERE s.doc @@ {_TSQ} AND {exact}{where}"
    )
    args += [relaxed, *exact_args, *params]
    if only:
        met = [condition(expr, doc=doc) for _, expr in only]
        sql += " AND (" + " OR ".join(m for m, _ in met) + ")"
        args += [a for _, met_args in met for a in met_args]
    return f"WITH hit AS MATERIALIZED ({sql}), {_RANKED}", args


def _count(conn: Conn, sql: str, args: list[Any]) -> int:
    """The count, with the doc index: for a word in a fifth of the library the planner expects a sequential scan
    to be cheaper, but that reads every item's vector (a second at 100k items) where the index reads none of
    them. One round trip for the transaction that holds the setting."""
    pg = cast(PgConn, conn)  # this module serves PostgreSQL libraries only
    with pg.pipeline():
        pg.execute("BEGIN")
        pg.execute("SET LOCAL enable_seqscan = off")
        cur = pg.execute(sql, args)
        pg.execute("COMMIT")
    row = cur.fetchone()
    return int(row[0]) if row else 0


def _page(conn: Conn, hits: str, args: list[Any], limit: int | None) -> tuple[list[tuple[int, int, float]], int]:
    """The page of the hits, best first, and how many there are."""
    if limit == 0:
        return [], int(conn.execute(f"{hits} SELECT count(*) FROM hit", args).fetchone()[0])
    if limit is None:
        sql, args = f"{hits} {_PAGE.format(cut='TRUE')}", [*args, None]
    else:
        sql, args = f"{hits}, {_LAST} {_PAGE.format(cut=_CUT)}", [*args, limit - 1, limit]
    found = conn.execute(sql, args).fetchall()
    return [(int(r[0]), int(r[1]), -float(r[2])) for r in found], int(found[0][3]) if found else 0


def filtered(conn: Conn, filters: Filters, limit: int | None) -> tuple[list[int], int]:
    where, params = filter_sql(filters)
    total = int(conn.execute(f"SELECT count(*) FROM member_item i WHERE 1 = 1{where}", params).fetchone()[0])
    rows = conn.execute(
        f"SELECT i.id FROM member_item i WHERE 1 = 1{where} ORDER BY {fts._TIE_BREAK} LIMIT ?", [*params, limit]
    ).fetchall()
    return [int(r[0]) for r in rows], total
