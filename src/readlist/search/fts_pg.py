"""PostgreSQL full-text queries: render a structured query to tsquery and run the same tiered ranking as
fts.py, with ts_rank over the weighted `doc` vector (migration 0008) in place of BM25.

The functions mirror fts.py's (known, frequency, known_many, segmenter, filter_sql, ranked, filtered): the search
engine gets this module from a PostgreSQL library's backend (engine.fulltext).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, cast

from psycopg import pq

from readlist.domain import Status, tag_slug
from readlist.location import Conn
from readlist.search import fts
from readlist.search.query import AllOf, AnyOf, Expr, Filters, InColumn, Phrase, Query, Segmenter, any_of
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
RANK_DIGITS = 3  # ts_rank is compared rounded to this many places (_RANKED, kth): closer ranks are ties
_RANKED = f"ranked AS (SELECT item_id, tier, score, round(CAST(score AS numeric), {RANK_DIGITS}) AS r FROM hit)"
# The page looks up only the hits whose (tier, rounded rank) can make it for the tie-break, one by one (OFFSET 0:
# the planner, which cannot know how few pass, otherwise hashes the whole item table).
_LAST = "last AS (SELECT tier, r FROM ranked ORDER BY tier, r DESC LIMIT 1 OFFSET ?)"
_PAGE = f"""SELECT h.item_id, h.tier, h.score, (SELECT count(*) FROM {{counted}}) FROM ranked h
CROSS JOIN LATERAL (SELECT status, added_at FROM member_item WHERE id = h.item_id OFFSET 0) i
WHERE {{cut}} ORDER BY h.tier, h.r DESC, {fts._TIE_BREAK.replace("i.id", "h.item_id")} LIMIT ?"""
_CUT = "NOT EXISTS (SELECT 1 FROM last) OR (h.tier, -h.r) <= (SELECT tier, -r FROM last)"
TITLE_TIERS = 2  # tiers 0 and 1 are the title matches (query.TIER_NAMES)
# ts_rank's bound for what lies past an item's title, authors and tags: every later position weighs at most C
# (0.045), and calc_rank_or sums each word's positions as w/n² over 1.645 (the sum of 1/n²), so those positions
# add less than 0.045 to a word's share; ts_rank averages the shares over the query's distinct words, and a word
# no item holds has no share. (Only for a query whose top operator is OR or a single word, and a prefix only
# where it begins no longer word of the item: see _rank_tail; AND and phrases are ranked by word distances.)
_TAIL = 0.045
# -(the least unrounded ceiling that can round to the rank `r`): round(x, 3) >= r needs x >= r - 0.0005 (float8 to
# numeric keeps 15 digits, well inside the margin), so a match whose ceiling is below it cannot reach `r`.
_REACHES = "-(CAST(r AS float8) - 0.000501)"
# doc's first columns, setweight(title, 'A') || setweight(authors, 'B') || setweight(tags, 'B'), kept in the row
# (migration 0021): building it was ~40% of a ceiling, paid per match.
_HEAD = "s.head"

Tiers = list[tuple[int, Expr]]
Ceiling = tuple[float, list[str]]  # the bound past an item's head, and the prefixes' words (_rank_tail)


def ranked(conn: Conn, query: Query, limit: int | None) -> tuple[list[tuple[int, int, float]], int]:
    """(item id, tier, -ts_rank) of the best `limit` matches, best first, and how many match in all.
    The same order as fts.ranked: tier first (the first tier expression a match meets), then the rank of the
    whole query (all columns, spellings, synonyms), then the tie-break.

    Every set here comes from the terms index (migration 0018), phrases included, without reading a vector.
    The page ends in the first tier T that, with the tiers before it, holds `limit` matches (found by probes
    that stop at the limit-th). Each match of tiers up to T gets a ceiling on its rank from its title, authors
    and tags (small vectors kept in the row); the best `limit` by ceiling are ranked exactly, giving a page the
    real one can only beat, and then only the matches whose ceiling reaches that page's last rank have their
    whole vector read and ranked. The total is a count of the index's answer."""
    tiers = query.tiers()
    lexemes = _lexemes(conn, tiers[-1][1])
    if lexemes is None:  # a word the parser splits further: no plain terms query for it
        return _ranked_by_doc(conn, query, limit)
    kept, params = _kept(query.filters)
    # The matches of the tiers up to each one (a tier's expression is narrower than the last, the whole query).
    unions = [any_of([expr for _, expr in tiers[: n + 1]]) for n in range(len(tiers) - 1)] + [tiers[-1][1]]
    everything, every_args = _found(tiers[-1][1], lexemes, kept, params)
    total = None
    if limit == 0 or kept:  # a filter may leave few matches or none: the count first (each probe would pass
        total = _count(conn, f"SELECT count(*) FROM ({everything}) AS m", every_args)  # them all again)
        if total == 0 or limit == 0:
            return [], total
    end = len(tiers) - 1
    if limit is not None and end and (total is None or total > limit):
        probes = [_found(u, lexemes, kept, params) for u in unions[:-1]]
        sql = "SELECT " + ", ".join(f"(SELECT count(*) FROM ({f} LIMIT ?) AS p)" for f, _ in probes)
        held = _rows(conn, sql, [a for _, args in probes for a in [*args, limit]])[0]
        end = next((n for n, count in enumerate(held) if count >= limit), end)
    tail = _rank_tail(conn, tiers[-1][1], lexemes) if limit is not None else None
    ceiling = None if tail is None else (tail, _starts(tiers[-1][1], lexemes))
    matches, args = _found(unions[end], lexemes, kept, params, tiers=tiers, end=end, ceiling=ceiling)
    exact, exact_args = _exact(tiers)
    page = _PAGE.format(cut="TRUE" if limit is None else _CUT, counted="m")
    if limit is None:
        sql = f"WITH m AS MATERIALIZED ({matches}), hit AS MATERIALIZED ({exact} FROM m c {_ROW}), {_RANKED} {page}"
        found = _rows(conn, sql, [*args, *exact_args, None])
    else:
        sql = (
            f"WITH m AS MATERIALIZED ({matches}), top AS MATERIALIZED ({exact} FROM (SELECT item_id, row_id FROM m "
            f"ORDER BY tlo, ub DESC LIMIT ?) c {_ROW}), kth AS (SELECT tier, "
            f"round(CAST(score AS numeric), {RANK_DIGITS}) AS r FROM top ORDER BY tier, score DESC OFFSET ? LIMIT 1), "
            f"hit AS MATERIALIZED ({exact} FROM m c {_ROW} "
            f"WHERE NOT EXISTS (SELECT 1 FROM kth) OR (c.tlo, -c.ub) <= (SELECT tier, {_REACHES} FROM kth)), "
            f"{_RANKED}, {_LAST} {page}"
        )
        found = _rows(conn, sql, [*args, *exact_args, limit, limit - 1, *exact_args, limit - 1, limit])
    rows = [(int(r[0]), int(r[1]), -float(r[2])) for r in found]
    if total is None:  # `m` holds every match when the page ends in the last tier
        total = int(found[0][3]) if found and end == len(tiers) - 1 else None
    if total is None:
        total = _count(conn, f"SELECT count(*) FROM ({everything}) AS m", every_args)
    return rows, total


def _ranked_by_doc(conn: Conn, query: Query, limit: int | None) -> tuple[list[tuple[int, int, float]], int]:
    """`ranked` without the terms index: every match's vector read (a query with a word the parser splits)."""
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


def _phrases(expr: Expr) -> Iterator[Phrase]:
    if isinstance(expr, Phrase):
        yield expr
    elif isinstance(expr, InColumn):
        yield from _phrases(expr.expr)
    else:
        for part in expr.parts:
            yield from _phrases(part)


def _words(phrase: Phrase) -> list[str]:
    return [w for token in phrase.tokens for w in parser_words(token).split()]


def _lexemes(conn: Conn, expr: Expr) -> dict[str, str] | None:
    """Each word of the query as the index holds it (its stem), in one round trip; None when a token has no
    word or a word is not exactly one lexeme (the parser splits it further: its tsquery is no plain chain)."""
    phrases = list(_phrases(expr))
    if any(not parser_words(t) for p in phrases for t in p.tokens):
        return None
    words = sorted({w for p in phrases for w in _words(p)})
    sql = "SELECT w, ARRAY(SELECT lexeme FROM unnest(to_tsvector('readlist', w))) FROM unnest(CAST(? AS text[])) AS w"
    found = {str(r[0]): list(r[1]) for r in conn.execute(sql, [words])}
    if any(len(found.get(w, [])) != 1 for w in words):
        return None
    return {w: found[w][0] for w in words}


def _term(lexeme: str, prefix: bool) -> str:
    quoted = "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"
    return f"{quoted}:*" if prefix else quoted


def _terms(expr: Expr, lexemes: dict[str, str]) -> tuple[str | None, str]:
    """The expression as queries on the terms index: (sure, needed). `sure` finds only matches (None: it cannot
    say, e.g. a phrase of three words or a column qualifier); `needed` finds every match (and maybe more)."""
    if isinstance(expr, Phrase):
        words = [lexemes[w] for w in _words(expr)]
        last = len(words) - 1
        if len(words) == 1:
            return _term(words[0], expr.prefix), _term(words[0], expr.prefix)
        pairs = [
            _term(f"~{a} {b}", expr.prefix and n + 1 == last)
            for n, (a, b) in enumerate(zip(words, words[1:], strict=False))
        ]
        needed = "(" + " & ".join(pairs) + ")"
        return (needed if len(pairs) == 1 else None), needed
    if isinstance(expr, InColumn):
        return None, _terms(expr.expr, lexemes)[1]
    assert isinstance(expr, AnyOf | AllOf)
    parts = [_terms(p, lexemes) for p in expr.parts]
    either = " | " if isinstance(expr, AnyOf) else " & "
    needed = "(" + either.join(n for _, n in parts) + ")"
    sure = [s for s, _ in parts if s is not None]
    if not sure or (isinstance(expr, AllOf) and len(sure) < len(parts)):
        return None, needed
    return "(" + either.join(sure) + ")", needed


def _top_or(expr: Expr) -> bool:
    """Whether ts_rank ranks the query as an OR (calc_rank_or): a top OR, or one word."""
    if isinstance(expr, InColumn):
        return _top_or(expr.expr)
    if isinstance(expr, Phrase):
        return len(_words(expr)) == 1
    return isinstance(expr, AnyOf)


def _starts(expr: Expr, lexemes: dict[str, str]) -> list[str]:
    """The words of the query's prefixes ('解码':* ranks every word it begins: 解码, 解码器, 解码率)."""
    return sorted({lexemes[_words(p)[-1]] for p in _phrases(expr) if p.prefix})


def _rank_tail(conn: Conn, expr: Expr, lexemes: dict[str, str]) -> float | None:
    """How much an item's rank can gain past its title, authors and tags (None: no bound). A prefix's share has
    a bound only in the items where it begins no longer word, as the word itself; the word-starts index (migration
    0020) names the others, which _rank_ceiling leaves unbounded: a prefix it cannot vouch for (a Latin word, or
    longer than it keeps) leaves the query without a bound."""
    if any(len(w) > WORD_START_CHARS or ord(w[0]) < 128 for w in _starts(expr, lexemes)) or not _top_or(expr):
        return None
    words = sorted({lexemes[w] for p in _phrases(expr) for w in _words(p)})
    held_by_one = f"EXISTS (SELECT 1 FROM search_index s WHERE {_TERMS.replace('?', 'w')})"
    sql = f"SELECT count(*) FROM unnest(CAST(? AS text[])) AS w WHERE {held_by_one}"
    held = int(_rows(conn, sql, [[_term(w, False) for w in words]])[0][0])
    return _TAIL * held / len(words) + 1e-5  # with room for float4 rounding


def _rank_ceiling(expr: Expr, ceiling: Ceiling | None) -> tuple[str, list[Any]]:
    """SQL of a rank no match can beat, from its title, authors and tags (2: no bound), unrounded: rounding it
    as the page does (numeric) cost a tenth of a broad query (13,555 ceilings for "kv cache"); _REACHES compares
    it with a rounded rank instead."""
    if ceiling is None:
        return "2", []
    bound, starts = ceiling
    head = f"CAST(ts_rank('{RANK_WEIGHTS}', {_HEAD}, {_TSQ}) AS float8)"
    unrounded = f"({head} + {bound!r})"
    if not starts:
        return unrounded, [tsquery(expr)]
    # The few items holding a longer word that a prefix begins, from their index (hashed once per statement).
    longer = f"SELECT w.item_id FROM search_index w WHERE {_STARTS}"
    either = " | ".join(_term(w, False) for w in starts)
    return f"CASE WHEN s.item_id IN ({longer}) THEN 2 ELSE {unrounded} END", [either, tsquery(expr)]


def _found(
    expr: Expr,
    lexemes: dict[str, str],
    kept: str,
    params: list[Any],
    *,
    tiers: Tiers | None = None,
    end: int = 0,
    ceiling: Ceiling | None = None,
) -> tuple[str, list[Any]]:
    """SELECT item_id of every match of `expr` (with the filters) from the terms index, and its parameters. Only
    a match the index cannot vouch for (a longer phrase, a column) is read. With `tiers`, also `tlo`, the best
    tier the match can have (0 for the few of the tiers before `end`, else `end`'s), and `ub`, its rank
    ceiling."""
    columns, column_args = "s.item_id", []
    if tiers is not None:
        tier = str(tiers[end][0])
        if end:
            before, before_args = _found(any_of([e for _, e in tiers[:end]]), lexemes, kept, params)
            tier = f"CASE WHEN s.item_id IN ({before}) THEN 0 ELSE {tier} END"
            column_args += before_args
        ub, ub_args = _rank_ceiling(tiers[-1][1], ceiling)
        columns = f"s.item_id, {_ROW_ID} AS row_id, {tier} AS tlo, {ub} AS ub"
        column_args += ub_args
    if _in_title(expr):  # the title index answers it, reading only the small title vectors for phrases
        exact, exact_args = condition(expr)
        sql = f"SELECT {columns.replace(_ROW_ID, 's.ctid')} FROM search_index s WHERE {exact}{kept}"
        return sql, [*column_args, *exact_args, *params]
    # The terms index's rows in a subquery of their own (OFFSET 0): nothing but that index may ever compute an
    # item's terms. Beside a title condition, which its own index answers with a recheck, the planner ANDed the
    # two bitmaps and rechecked both (a second for 3,000 rows); led by a filter, it would test each row.
    sure, needed = _terms(expr, lexemes)
    rows = f"SELECT {'s.ctid AS row_id, ' if _ROW_ID in columns else ''}* FROM search_index s WHERE {_TERMS} OFFSET 0"
    found = f"SELECT {columns.replace(_ROW_ID, 's.row_id')} FROM ({rows}) s WHERE TRUE"
    branches: list[str] = []
    args: list[Any] = []
    if sure is not None:
        branches.append(found + kept)
        args += [*column_args, sure, *params]
    if sure != needed:
        exact, exact_args = condition(expr)
        branches.append(f"{found} AND {exact}{kept}")
        rest = needed if sure is None else f"{needed} & !{sure}"
        args += [*column_args, rest, *exact_args, *params]
    return " UNION ALL ".join(branches), args


def _kept(filters: Filters) -> tuple[str, list[Any]]:
    """The filters as conditions on a match `s`: a tag's items once per statement (a hashed set), the rest
    tested on each match with its item (OFFSET 0 keeps that subquery per row, see _hits)."""
    tagged, tag_args = fts.filter_sql(Filters(tags=filters.tags), _YEAR, item_id="s.item_id")
    where, params = filter_sql(Filters(filters.status, filters.kinds, filters.years, [], filters.since))
    item = f" AND EXISTS (SELECT 1 FROM member_item i WHERE i.id = s.item_id{where} OFFSET 0)" if where else ""
    return tagged + item, [*tag_args, *params]


def _in_title(expr: Expr) -> bool:
    """Whether `expr` is a condition on the title vector alone (the title tiers)."""
    if isinstance(expr, InColumn):
        return expr.column == "title"
    return isinstance(expr, AnyOf | AllOf) and all(_in_title(p) for p in expr.parts)


def _exact(tiers: Tiers) -> tuple[str, list[Any]]:
    """SELECT of each row `c` joined to its vector (_ROW): its tier and ts_rank, and their parameters."""
    args: list[Any] = []
    whens = []
    for t, expr in tiers[:-1]:
        sql, cond_args = condition(expr, doc="x.doc")
        whens.append(f"WHEN {sql} THEN {t}")
        args += cond_args
    tier = f"CASE {' '.join(whens)} ELSE {tiers[-1][0]} END" if whens else str(tiers[-1][0])
    score = f"ts_rank('{RANK_WEIGHTS}', x.doc, {_TSQ})"
    return f"SELECT c.item_id, {tier} AS tier, {score} AS score", [*args, tsquery(tiers[-1][1])]


_TERMS = "readlist_terms(s.doc) @@ CAST(? AS tsquery)"  # the expression of the terms index (migration 0018)
_STARTS = "readlist_word_starts(w.doc) @@ CAST(? AS tsquery)"  # the word-starts index's (migration 0020)
WORD_START_CHARS = 8  # the longest beginning it keeps
# The row of a match `c` and its vector, fetched one by one where the scan that found it saw it (`row_id`, its
# ctid: the statement's snapshot keeps it there), without a walk down the key index (~2 µs a row: 4,881 rows
# for "low-rank adapter", which AND ranks by word distances, so every match of its last tier is read). As a join,
# the planner merged `c` with a scan of the whole table's key index.
_ROW = f"CROSS JOIN LATERAL (SELECT * FROM search_index s WHERE s.ctid = c.row_id OFFSET 0) s{_LATERAL}"
_ROW_ID = "@row_id@"  # where _found puts the SQL of a match's ctid


def _rows(conn: Conn, sql: str, args: list[Any]) -> list[Any]:
    """The rows, planned without sequential scans: an item's terms are computed by the index build only, and a
    scan would compute them for every item (see also _count). One round trip for the transaction that holds
    the settings; inside a caller's transaction, a savepoint rolled back after the read takes them back."""
    pg = cast(PgConn, conn)  # this module serves PostgreSQL libraries only
    idle = pg.raw.info.transaction_status == pq.TransactionStatus.IDLE
    with pg.pipeline():
        pg.execute("BEGIN" if idle else "SAVEPOINT readlist_search")
        pg.execute("SET LOCAL enable_seqscan = off")
        pg.execute("SET LOCAL work_mem = '64MB'")  # a bitmap that outgrows it turns lossy: terms recomputed
        pg.execute("SET LOCAL max_parallel_workers_per_gather = 0")  # workers cost more than these scans
        # psycopg prepares a statement run 5 times, and 5 executions later PostgreSQL plans it for any words: in a
        # long-lived process (`readlist serve`) 'speculative decoding' then took 250 ms instead of 80, every time.
        pg.execute("SET LOCAL plan_cache_mode = force_custom_plan")
        cur = pg.execute(sql, args)
        pg.execute("COMMIT" if idle else "ROLLBACK TO SAVEPOINT readlist_search")
        if not idle:
            pg.execute("RELEASE SAVEPOINT readlist_search")
    return cur.fetchall()


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
    """The count, with an index: for a word in a fifth of the library the planner expects a sequential scan to
    be cheaper, but that reads every item's vector (a second at 100k items) where the index reads none."""
    rows = _rows(conn, sql, args)
    return int(rows[0][0]) if rows else 0


def _page(conn: Conn, hits: str, args: list[Any], limit: int | None) -> tuple[list[tuple[int, int, float]], int]:
    """The page of the hits, best first, and how many there are."""
    if limit == 0:
        return [], int(conn.execute(f"{hits} SELECT count(*) FROM hit", args).fetchone()[0])
    if limit is None:
        sql, args = f"{hits} {_PAGE.format(cut='TRUE', counted='hit')}", [*args, None]
    else:
        sql, args = f"{hits}, {_LAST} {_PAGE.format(cut=_CUT, counted='hit')}", [*args, limit - 1, limit]
    found = conn.execute(sql, args).fetchall()
    return [(int(r[0]), int(r[1]), -float(r[2])) for r in found], int(found[0][3]) if found else 0


# fts._TIE_BREAK in two halves, each read newest first: the unread and reading items, then the rest. Each half
# can walk the items by date and stop at the page (`tag:cuda` at 100k items: 13,000 items sorted → a few hundred
# looked at); ORDER BY the tie-break itself made PostgreSQL sort every match.
_HALF = (
    f"(SELECT i.id, {{group}} AS g, i.added_at FROM member_item i WHERE (i.status IN ('{Status.UNREAD}', "
    f"'{Status.READING}')) {{test}}{{where}} ORDER BY i.added_at DESC, i.id DESC LIMIT ?)"
)


def filtered(conn: Conn, filters: Filters, limit: int | None) -> tuple[list[int], int]:
    """A query of filters only: matching items, unread and recent first (fts._TIE_BREAK), and how many."""
    where, params = filter_sql(filters)
    if filters.tags and filters == Filters(
        tags=filters.tags[:1]
    ):  # one tag: its links count its items (each item links once)
        sql = "SELECT count(*) FROM itemtag it JOIN tag t ON t.id = it.tag_id WHERE t.slug = ?"
        total = int(conn.execute(sql, [tag_slug(filters.tags[0])]).fetchone()[0])
    else:
        total = int(conn.execute(f"SELECT count(*) FROM member_item i WHERE 1 = 1{where}", params).fetchone()[0])
    if limit == 0 or total == 0:
        return [], total
    first = _HALF.format(group=0, test="IS TRUE", where=where)
    rest = _HALF.format(group=1, test="IS NOT TRUE", where=where)
    sql = f"SELECT id FROM ({first} UNION ALL {rest}) AS p ORDER BY g, added_at DESC, id DESC LIMIT ?"
    rows = conn.execute(sql, [*params, limit, *params, limit, limit]).fetchall()
    return [int(r[0]) for r in rows], total
