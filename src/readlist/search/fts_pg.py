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


def _operand(token: str, prefix: bool = False) -> str:
    words = parser_words(token).split()
    quoted = " <-> ".join(f"'{w}'" for w in words) or "''"
    return f"{quoted}:*" if prefix else quoted


def tsquery(expr: Expr) -> str:
    """The expression as tsquery text, column qualifiers ignored (a necessary condition on `doc`)."""
    if isinstance(expr, Phrase):
        last = len(expr.tokens) - 1
        parts = [_operand(t, expr.prefix and n == last) for n, t in enumerate(expr.tokens)]
        return "(" + " <-> ".join(p for p in parts if p != "''") + ")"
    if isinstance(expr, InColumn):
        return tsquery(expr.expr)
    joiner = " | " if isinstance(expr, AnyOf) else " & "
    assert isinstance(expr, AnyOf | AllOf)
    return "(" + joiner.join(tsquery(p) for p in expr.parts) + ")"


def _has_column(expr: Expr) -> bool:
    if isinstance(expr, InColumn):
        return True
    return isinstance(expr, AnyOf | AllOf) and any(_has_column(p) for p in expr.parts)


def condition(expr: Expr, column: str = "doc") -> tuple[str, list[Any]]:
    """SQL matching exactly `expr`: one tsquery on `doc` when no column qualifier is inside, else the
    qualified parts on their own column's vector."""
    if isinstance(expr, InColumn):
        return condition(expr.expr, expr.column)
    if not _has_column(expr):
        return f's."{column}" @@ {_TSQ}', [tsquery(expr)]
    assert isinstance(expr, AnyOf | AllOf)
    joiner = " OR " if isinstance(expr, AnyOf) else " AND "
    parts = [condition(p, column) for p in expr.parts]
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
    """Hundreds of typo candidates, sent together in one pipeline (one network round trip), one index probe
    each on the server."""
    pg = cast(PgConn, conn)  # this module serves PostgreSQL libraries only
    wanted = [t for t in tokens if parser_words(t)]
    with pg.pipeline():
        cursors = [(t, pg.execute(_PROBE, (_operand(t),))) for t in wanted]
    return {t for t, cur in cursors if cur.fetchone() is not None}


def segmenter(conn: Conn) -> Segmenter:
    return fts.segmenter(conn, known)


def filter_sql(filters: Filters) -> tuple[str, list[Any]]:
    return fts.filter_sql(filters, _YEAR)


def ranked(conn: Conn, query: Query, limit: int | None) -> tuple[list[tuple[int, int, float]], int]:
    """(item id, tier, -ts_rank) of the best `limit` matches, best first, and how many match in all.
    Tier by tier as fts.ranked: the rank always scores the whole query; the tier only restricts."""
    tiers = query.tiers()
    where, params = filter_sql(query.filters)
    everything = tiers[-1][1]
    exact, exact_args = condition(everything)
    loose = tsquery(everything)
    base = f"FROM search_index s JOIN member_item i ON i.id = s.item_id WHERE s.doc @@ {_TSQ} AND {exact}{where}"
    base_args = [loose, *exact_args, *params]
    total = int(conn.execute(f"SELECT count(*) {base}", base_args).fetchone()[0])
    rows: list[tuple[int, int, float]] = []
    for n, (tier, expr) in enumerate(tiers):
        if total == 0 or (limit is not None and len(rows) >= limit):
            break
        within, within_args = condition(expr) if n < len(tiers) - 1 else ("TRUE", [])
        sql = (
            f"SELECT s.item_id, ts_rank('{RANK_WEIGHTS}', s.doc, {_TSQ}) AS score {base} AND {within} "
            f"AND s.item_id <> ALL(CAST(? AS integer[])) "
            f"ORDER BY round(CAST(ts_rank('{RANK_WEIGHTS}', s.doc, {_TSQ}) AS numeric), 3) DESC, {fts._TIE_BREAK} "
            "LIMIT ?"
        )
        args = [loose, *base_args, *within_args, [r[0] for r in rows], loose]
        args.append(None if limit is None else limit - len(rows))
        rows += [(int(r[0]), tier, -float(r[1])) for r in conn.execute(sql, args)]
    return rows, total


def filtered(conn: Conn, filters: Filters, limit: int | None) -> tuple[list[int], int]:
    where, params = filter_sql(filters)
    total = int(conn.execute(f"SELECT count(*) FROM member_item i WHERE 1 = 1{where}", params).fetchone()[0])
    rows = conn.execute(
        f"SELECT i.id FROM member_item i WHERE 1 = 1{where} ORDER BY {fts._TIE_BREAK} LIMIT ?", [*params, limit]
    ).fetchall()
    return [int(r[0]) for r in rows], total
