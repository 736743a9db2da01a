"""PostgreSQL search keeps its work to the matches (issue 24): the title index and the session settings."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from readlist.search.engine import search
from readlist.store import db


def test_title_matches_have_an_index_of_their_own(postgres_library: Any) -> None:
    conn = db.connect(postgres_library)
    try:
        names = {r[0] for r in conn.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'search_index'")}
    finally:
        conn.close()
    assert {"ix_search_index_doc", "ix_search_index_title"} <= names


def test_a_search_connection_never_compiles_its_queries(postgres_library: Any) -> None:
    conn = db.connect(postgres_library)
    try:
        assert conn.execute("SHOW jit").fetchone()[0] == "off"
    finally:
        conn.close()


def test_a_copied_library_is_searched_with_statistics_of_its_search_index(
    postgres_library: Any, tmp_path: Path
) -> None:
    from benchmarks.synth import build
    from readlist.services.transfer import copy

    conn = db.connect(postgres_library)
    try:
        conn.execute("ANALYZE search_index")  # emptied by the fixture: the planner's count is 0
        copy(build(tmp_path / "lib.db", 40), postgres_library)
        counted = conn.execute("SELECT reltuples FROM pg_class WHERE relname = 'search_index'").fetchone()[0]
    finally:
        conn.close()
    assert counted == 40


# ---- phrases from the terms index (migration 0018) and pages ranked within bounds ------------------------------

# Phrases of two and three words, spellings and synonyms, Chinese words and their prefixes, columns and filters:
# what the benchmark's mix and the quality set ask.
QUERIES = [
    "kv cache",
    "speculative decoding",
    "量化",
    "稀疏",
    "长上下文",
    "RL",
    "moe",
    "gpu",
    "attention kernel",
    "low-rank adapter",
    "推理 加速",
    "kv cache 量化",
    "title:scheduler",
    "status:reading gpu",
    "attention tag:量化",
    "kind:paper 稀疏",
    '"key value cache"',
    "throughput latency",
]


@pytest.fixture(scope="module")
def synthetic(postgres_database: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A 600-item synthetic library (benchmarks/synth.py) in the worker's PostgreSQL database."""
    from benchmarks.synth import build
    from readlist.services.transfer import copy
    from tests.conftest import empty_postgres

    empty_postgres(postgres_database)
    copy(build(tmp_path_factory.mktemp("synth") / "lib.db", 600), postgres_database)
    conn = db.connect(postgres_database)
    yield conn
    conn.close()
    empty_postgres(postgres_database)


def test_a_phrase_is_in_the_terms_index_exactly_when_the_vector_has_its_words_side_by_side(synthetic: Any) -> None:
    from readlist.search.fts_pg import _terms
    from readlist.search.query import Phrase

    phrases = [("kv", "cache"), ("speculative", "decoding"), ("key", "value", "cache"), ("稀", "疏"), ("gpu",)]
    for words in phrases:
        sure, needed = _terms(Phrase(words), {w: fts_lexeme(synthetic, w) for w in words})
        chain = " <-> ".join(f"'{w}'" for w in words)
        exact = {
            r[0]
            for r in synthetic.execute(
                "SELECT item_id FROM search_index WHERE doc @@ to_tsquery('readlist', ?)", [chain]
            )
        }
        indexed = "SELECT item_id FROM search_index WHERE readlist_terms(doc) @@ CAST(? AS tsquery)"
        found = {r[0] for r in synthetic.execute(indexed, [needed])}
        assert exact <= found
        if sure is not None:
            assert found == exact, words
    assert exact, "the synthetic library has these phrases"


def fts_lexeme(conn: Any, word: str) -> str:
    return str(conn.execute("SELECT (unnest(to_tsvector('readlist', ?))).lexeme", [word]).fetchone()[0])


@pytest.mark.parametrize("limit", [1, 5, 20, 100, None])
def test_a_page_from_the_bounded_candidates_is_the_page_of_ranking_every_match(synthetic: Any, limit: Any) -> None:
    from readlist.search import fts_pg
    from readlist.search.query import parse

    for text in QUERIES:
        query = parse(text, fts_pg.segmenter(synthetic))
        assert fts_pg.ranked(synthetic, query, limit) == fts_pg._ranked_by_doc(synthetic, query, limit), text


def test_a_broad_query_ranks_only_the_matches_that_can_reach_its_page(synthetic: Any) -> None:
    """ "speculative decoding" matches a seventh of the library; a page of 5 reads the vectors of the few whose
    title, authors and tags leave them a chance (and of the 5 it starts from), not of every match."""
    from readlist.search import fts_pg
    from readlist.search.query import parse

    query = parse("speculative decoding", fts_pg.segmenter(synthetic))
    read: list[int] = []
    original = fts_pg._rows

    def counting(conn: Any, sql: str, args: list[Any]) -> list[Any]:
        if "hit AS MATERIALIZED" in sql:
            plan = json.loads(original(conn, "EXPLAIN (ANALYZE, FORMAT JSON) " + sql, args)[0][0])
            read.append(_loops(plan[0]["Plan"], "search_index"))
        return original(conn, sql, args)

    fts_pg._rows = counting
    try:
        rows, total = fts_pg.ranked(synthetic, query, 5)
    finally:
        fts_pg._rows = original
    assert len(rows) == 5 and total > 50, total
    assert read and 5 <= read[0] < total / 2, (read, total)


def _loops(plan: dict[str, Any], table: str) -> int:
    """How many rows of `table` the plan looked up one by one (its index and TID scans' loops), the CTEs' plans
    included."""
    looked_up = plan.get("Node Type") in ("Index Scan", "Tid Scan") and plan.get("Relation Name") == table
    own = plan["Actual Loops"] if looked_up else 0
    return own + sum(_loops(p, table) for p in plan.get("Plans", []))


@pytest.mark.parametrize("limit", [0, 1, 20, None])
def test_a_search_of_filters_alone_pages_and_counts_as_sorting_every_item(synthetic: Any, limit: Any) -> None:
    from readlist.search import fts, fts_pg
    from readlist.search.query import Filters

    tag = synthetic.execute("SELECT slug FROM tag ORDER BY id LIMIT 1").fetchone()[0]
    cases = [Filters(tags=[tag]), Filters(status=["reading"]), Filters(kinds=["paper"], tags=[tag]), Filters()]
    for filters in cases:
        where, params = fts_pg.filter_sql(filters)
        counted = "SELECT count(*) FROM member_item i WHERE 1 = 1" + where
        everything = f"SELECT i.id FROM member_item i WHERE 1 = 1{where} ORDER BY {fts._TIE_BREAK} LIMIT ?"
        page = [] if limit == 0 else [r[0] for r in synthetic.execute(everything, [*params, limit])]
        expected = page, synthetic.execute(counted, params).fetchone()[0]
        assert fts_pg.filtered(synthetic, filters, limit) == expected, filters


def test_words_no_item_holds_add_nothing_to_a_rank_ceiling(synthetic: Any) -> None:
    """ts_rank averages over the query's words; a synonym no item holds can add nothing past the title."""
    from readlist.search import fts_pg
    from readlist.search.query import AnyOf, Phrase

    held = Phrase(("gpu",))
    nowhere = AnyOf((held, Phrase(("zzyzxquux",)), Phrase(("qqxjvwk",)), Phrase(("vvzzqxj",))))
    lexemes = fts_pg._lexemes(synthetic, nowhere)
    assert lexemes is not None
    assert fts_pg._rank_tail(synthetic, held, lexemes) == pytest.approx(0.045, abs=1e-4)
    assert fts_pg._rank_tail(synthetic, nowhere, lexemes) == pytest.approx(0.045 / 4, abs=1e-4)


def test_a_search_inside_a_transaction_leaves_it_open_with_its_settings(synthetic: Any) -> None:
    from readlist.search import fts_pg
    from readlist.search.query import parse

    synthetic.execute("BEGIN")
    try:
        synthetic.execute("CREATE TEMP TABLE still_here (n integer)")
        rows, total = fts_pg.ranked(synthetic, parse("kv cache", fts_pg.segmenter(synthetic)), 5)
        assert len(rows) == 5 and total > 5
        assert synthetic.execute("SHOW enable_seqscan").fetchone()[0] == "on"
        assert synthetic.raw.info.transaction_status.name == "INTRANS"  # not committed under the caller
    finally:
        synthetic.execute("ROLLBACK")
    assert synthetic.execute("SELECT to_regclass('still_here')").fetchone()[0] is None


def test_an_item_holding_longer_words_a_chinese_prefix_begins_is_ranked_by_them(synthetic: Any) -> None:
    """'甲乙':* ranks every word it begins, so an item whose notes hold 甲乙丙, 甲乙丁, … outranks one with 甲乙
    twice in its title though its own title has it once: the page of 1 is that item, as when every match is
    ranked (a bound from the title alone would have left it out)."""
    from readlist.search import fts_pg
    from readlist.search.query import parse

    ids = [r[0] for r in synthetic.execute("SELECT item_id FROM search_index ORDER BY item_id LIMIT 3")]
    longer = " ".join("甲乙" + c for c in "丙丁戊己庚辛")
    vectors = [("甲乙 甲乙", ""), ("甲乙 甲乙", ""), ("甲乙", longer)]
    synthetic.execute("BEGIN")
    try:
        for item_id, (title, notes) in zip(ids, vectors, strict=True):
            synthetic.execute(
                "UPDATE search_index SET title = to_tsvector('readlist', ?), notes = to_tsvector('readlist', ?) "
                "WHERE item_id = ?",
                [title, notes, item_id],
            )
        query = parse("甲乙", fts_pg.segmenter(synthetic))
        for limit in (1, 2, None):
            rows, total = fts_pg.ranked(synthetic, query, limit)
            assert (rows, total) == fts_pg._ranked_by_doc(synthetic, query, limit), limit
            assert rows[0][0] == ids[2] and total == 3
    finally:
        synthetic.execute("ROLLBACK")


def test_the_score_shown_sorts_as_the_results_do(synthetic: Any) -> None:
    for text in ("kv cache", "量化", "attention", "推理"):
        scores = [hit["score"] for hit in search(synthetic, text, limit=200).items]
        assert len(scores) > 20 and scores == sorted(scores, reverse=True), text
