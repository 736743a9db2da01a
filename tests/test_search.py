"""Search through the real console script and in-process: ranking tiers, Chinese words, filters on every path,
typo correction, snippets, JSON schema, article text and hostile input."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from readlist.errors import ReadlistError
from readlist.search import engine
from readlist.search.engine import search
from readlist.store import db, index
from tests.arxiv_server import ArxivServer
from tests.conftest import Run, cli_in_process, copy_database, index_pieces


def _row(n: int, title: str, **extra: Any) -> dict[str, Any]:
    return {"key": f"url:https://example.com/{n}", "url": f"https://example.com/{n}", "title": title, **extra}


ROWS = [
    _row(1, "KVCache offloading for long context serving", status="read"),
    _row(2, "Paged KV Cache management in vLLM", kind="repo"),
    _row(3, "A study of kv-cache eviction", abstract="We evict entries from the key-value store of a server."),
    _row(4, "Compressing KV caches with low-rank projection"),
    _row(5, "长上下文推理中的 KV缓存 压缩方法"),
    _row(6, "FlashAttention: fast and memory-efficient exact attention", tags=["attention"]),
    _row(7, "大模型量化方法综述", abstract="本文总结了权重量化与激活量化的常见方法。"),
    _row(8, "GPTQ: accurate post-training quantization for generative transformers"),
    _row(9, "投机解码加速大模型推理"),
    _row(10, "Medusa: simple framework for speculative decoding with multiple heads"),
    _row(11, "A cooking blog about dumplings", notes=[{"body": "Great dumplings recipe with pork."}]),
    _row(12, "向量化执行引擎的设计", abstract="向量化执行可以显著提升数据库查询性能。"),
    _row(13, "CNN量化 vs. LLM量化"),
    _row(14, "Mooncake: A KVCache-centric Disaggregated Architecture for LLM Serving"),
    _row(15, "Serving systems survey", abstract="We compare schedulers. Speculative decoding helps latency."),
    _row(16, "Decoding strategies", notes=[{"body": "关于投机解码的一些笔记：草稿模型先生成，再由大模型验证。"}]),
    _row(
        17,
        "Notes on GPU kernels",
        abstract="Matrix multiplication kernels. " * 20 + "We also discuss flash attention tiling. " + "Filler. " * 20,
        sources=[{"file": "notes.md", "line": 3, "section": "GPU"}],
        links=[{"url": "https://github.com/a/b", "role": "code"}],
    ),
]


def _ids(run: Run, *args: str) -> list[int]:
    result = run("search", *args, "--json", "--limit", "50")
    assert result.code == 0 and result.err == "", result
    return [int(item["url"].rsplit("/", 1)[1]) for item in result.json()]


@pytest.fixture(scope="module")
def _library_template(tmp_path_factory: pytest.TempPathFactory, migrated_template: Path) -> Path:
    """The rows above, imported once per module through the CLI; tests get a copy."""
    folder = tmp_path_factory.mktemp("search")
    source = folder / "library.jsonl"
    source.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in ROWS) + "\n", encoding="utf-8")
    path = folder / "library.db"
    copy_database(migrated_template, path)
    assert cli_in_process(["--db", str(path), "import", str(source)], folder / "config", quiet=True) == 0
    return path


@pytest.fixture
def library(_library_template: Path, isolated_library: Path) -> None:
    copy_database(_library_template, isolated_library)


@pytest.mark.parametrize("query", ["kv cache", "KVCache", "kvcache", "kv-cache", "kv_cache", "KV缓存"])
def test_every_spelling_of_kv_cache_finds_all_kv_cache_items(run: Run, library: None, query: str) -> None:
    assert {1, 2, 3, 4, 5, 14} <= set(_ids(run, query))


def test_chinese_word_ranks_whole_words_first_and_never_matches_inside_a_longer_word(run: Run, library: None) -> None:
    found = _ids(run, "量化")
    assert set(found[:2]) == {7, 13}  # 量化 in the title as a word
    assert 8 in found  # the English synonym, below the literal matches
    assert found.index(8) > found.index(13)
    assert 12 not in found  # 向量化 (vectorisation) is a different word


def test_ranking_title_phrase_then_title_words_then_elsewhere_then_synonyms(run: Run, library: None) -> None:
    found = _ids(run, "speculative decoding")
    assert found[0] == 10  # the phrase in the title
    assert found.index(15) < found.index(9)  # literal words in the abstract beat the Chinese synonym in a title
    assert 16 in found  # the synonym in a note


def test_hyphenated_camel_case_title_words_find_the_item(run: Run, library: None) -> None:
    assert _ids(run, "Mooncake KVCache-centric")[0] == 14
    assert _ids(run, "mooncake kvcache centric")[0] == 14


def test_typo_is_corrected_and_said_and_exact_searches_what_was_typed(run: Run, library: None) -> None:
    result = run("search", "flash atention")
    assert result.code == 0
    assert 'showing results for "flash attention" (no match for "flash atention")' in result.err  # piped: stderr
    assert "FlashAttention" in result.out
    table = run("search", "flash atention", "--format", "table")
    assert 'showing results for "flash attention"' in table.out and "FlashAttention" in table.out
    exact = run("search", "flash atention", "--exact", "--format", "table")
    assert exact.code == 0 and "no matches" in exact.out and "FlashAttention" not in exact.out


def test_a_typo_becomes_the_most_used_word_one_edit_away_with_its_first_letter_if_there_is_one(
    run: Run, isolated_library: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    titles = ["Wave", "Wave", "Wave", "Bake", "Bare", "Bare"]
    source = tmp_path / "words.jsonl"
    source.write_text("".join(json.dumps(_row(n, t)) + "\n" for n, t in enumerate(titles, 1)), encoding="utf-8")
    assert run("import", str(source)).code == 0
    conn = db.connect(isolated_library)
    assert search(conn, "bave").corrected == "bare"  # "wave" is used more, but typos rarely hit the first letter
    assert search(conn, "xave").corrected == "wave"  # no known word starts with x
    # Probing one candidate at a time and stopping at the first word as frequent as counting goes: the same fix.
    monkeypatch.setattr(engine, "PROBES", 1)
    monkeypatch.setattr(engine, "FREQUENT", 2)
    assert search(conn, "bave").corrected == "bare"


def test_a_page_filled_by_a_tier_ranks_a_stronger_match_outside_it_below(run: Run, tmp_path: Path) -> None:
    filler = "unrelated words about systems and scheduling " * 60
    rows = [
        _row(1, "Marmot tunnel"),  # the words as a phrase in the title
        _row(2, "Tunnel, and then a marmot", abstract=filler),  # both words in a long item's title
        _row(3, "Notes", abstract="marmot tunnel " * 25),  # outscores 2 by BM25, but not in any title
    ]
    source = tmp_path / "tiers.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    assert run("import", str(source)).code == 0
    for size, expected in ((3, [1, 2, 3]), (2, [1, 2])):  # two: the title words' tier fills the page
        found = run("search", "marmot tunnel", "--json", "-n", str(size)).json()
        assert [int(item["url"].rsplit("/", 1)[1]) for item in found] == expected


def test_filters_apply_to_matches_corrections_and_close_titles(run: Run, library: None) -> None:
    assert _ids(run, "kv cache", "--kind", "repo") == [2]
    assert _ids(run, "kv cache", "--status", "read") == [1]
    assert _ids(run, "kv cache status:read") == [1]
    assert _ids(run, "flash atention", "--status", "read") == []  # the corrected query keeps the filter
    assert _ids(run, "dumplngs recipes", "--kind", "repo") == []  # and so do close titles
    assert _ids(run, "attention", "tag:attention") == [6]


def test_a_filter_option_alone_lists_what_it_keeps_and_nothing_at_all_is_one_error(run: Run, library: None) -> None:
    assert _ids(run, "--kind", "repo") == _ids(run, "kind:repo") != []
    assert set(_ids(run, "--status", "read")) == set(_ids(run, "status:read")) != set()
    empty = run("search")
    assert empty.code == 1 and "nothing to search for" in empty.err and "hint:" in empty.err
    assert _ids(run, '"', "--kind", "repo") == _ids(run, "kind:repo")  # words that are only punctuation
    for words in ([], ['"']):  # punctuation alone is no words: the filters were what was searched
        none = run("search", *words, "--kind", "repo", "--year", "1990", "--format", "table")
        assert none.code == 0 and "no items match these filters" in none.out, none.out


def test_a_repeated_tag_option_keeps_items_with_every_tag(run: Run, library: None) -> None:
    items = [i["id"] for i in run("search", "kv cache", "--json", "--limit", "2").json()]
    attention = run("search", "-t", "attention", "--json").json()[0]["id"]
    assert run("tag", str(attention), *map(str, items), "+kernels").code == 0
    assert len(_ids(run, "-t", "kernels")) == 3
    assert _ids(run, "-t", "attention", "-t", "kernels") == _ids(run, "tag:attention tag:kernels") == [6]


def test_limit_is_respected_and_the_total_is_shown(run: Run, library: None) -> None:
    result = run("search", "kv cache", "--limit", "2", "--format", "table")
    assert result.code == 0
    assert "showing 2 of " in result.out and "--all for more" in result.out
    assert len(run("search", "kv cache", "--limit", "2", "--json").json()) == 2
    assert len(run("search", "kv cache", "--all", "--json").json()) >= 6


def test_json_items_have_the_list_schema_plus_score_and_snippet(run: Run, library: None) -> None:
    listed = {i["id"]: i for i in run("list", "--json").json()}
    items = run("search", "matrix multiplication", "--json").json()
    assert isinstance(items, list) and items
    item = items[0]
    assert set(item) == set(listed[item["id"]]) | {"score", "snippet"}
    assert item["sources"] == [{"file": "notes.md", "line": 3, "section": "GPU"}]
    assert item["links"] == [{"url": "https://github.com/a/b", "role": "code"}]
    scores = [i["score"] for i in run("search", "kv cache", "--json").json()]
    assert scores == sorted(scores, reverse=True)


def test_snippet_is_original_text_centred_on_the_match_never_the_title(run: Run, library: None) -> None:
    item = run("search", "tiling", "--json").json()[0]
    assert "«tiling»" in item["snippet"] and item["snippet"].startswith("…") and len(item["snippet"]) < 250
    note = run("search", "dumplings", "--json").json()[0]
    assert note["snippet"] == "«Great» «dumplings» recipe with pork." or "«dumplings»" in note["snippet"]
    assert "cooking blog" not in note["snippet"]
    zh = run("search", "投机解码", "--json").json()
    snippet = next(i["snippet"] for i in zh if i["title"] == "Decoding strategies")
    assert "«投机解码»" in snippet or "«投机»" in snippet or "«投机 解码»" not in snippet
    assert "\x1f" not in snippet and "\u2063" not in snippet
    title_only = next(i for i in run("search", "GPTQ", "--json").json() if i["title"].startswith("GPTQ"))
    assert title_only["snippet"] == ""


def test_article_text_is_searched_and_snippeted(run: Run, library: None, isolated_library: Path) -> None:
    conn = sqlite3.connect(isolated_library)
    conn.execute(
        "INSERT INTO itemtext (item_id, text, fetched_at) VALUES (15, ?, '2026-11-22T00:00:00Z')",
        ("Long article body. The zebrafish benchmark shows 3x throughput on 8 GPUs.",),
    )
    index.refresh(conn, [15])
    conn.commit()
    conn.close()
    item = run("search", "zebrafish", "--json").json()[0]
    assert item["title"] == "Serving systems survey" and "«zebrafish»" in item["snippet"]


def test_user_glossary_group_works_without_reindex(run: Run, library: None, tmp_path: Path) -> None:
    assert _ids(run, "饺子") == []
    (tmp_path / "config").mkdir(exist_ok=True)
    (tmp_path / "config" / "glossary.txt").write_text("饺子 | dumplings\n", encoding="utf-8")
    assert _ids(run, "饺子") == [11]
    assert "饺子 | dumplings" in run("glossary").out


def test_field_qualifiers_and_filters_on_fetched_papers(run: Run, arxiv_server: ArxivServer) -> None:
    arxiv_server.add(
        "2408.11743",
        title="MARLIN: Mixed-Precision Auto-Regressive Parallel Inference",
        authors="Elias Frantar|Dan Alistarh",
    )
    arxiv_server.add("2210.17323", title="GPTQ: Accurate Post-Training Quantization", authors="Elias Frantar")
    run("add", "2408.11743", "2210.17323", "--tag", "量化")
    run("start", "2408.11743")
    assert {i["arxiv_id"] for i in run("search", "author:Frantar title:marlin", "--json").json()} == {"2408.11743"}
    assert {i["arxiv_id"] for i in run("search", "frantar", "--status", "unread", "--json").json()} == {"2210.17323"}
    assert len(run("search", "quantization", "--tag", "量化", "--kind", "paper", "--json").json()) == 2
    assert run("search", "status:reading kind:paper", "--json").json()[0]["arxiv_id"] == "2408.11743"


def test_index_follows_every_write(run: Run) -> None:
    run("add", "https://example.com/1", "--title", "Ring attention")
    assert _ids(run, "ring") == [1]
    run("note", "1", "蒸馏 notes")
    assert _ids(run, "distillation") == [1]
    run("tag", "1", "+moe")
    assert _ids(run, "混合专家") == [1]
    run("edit", "1", "--title", "Striped attention")
    assert _ids(run, "ring", "--exact") == [] and _ids(run, "striped") == [1]
    run("rm", "1", "--yes")
    assert _ids(run, "striped") == []


def test_importing_the_same_notes_again_leaves_the_index_alone_and_an_edited_note_is_reindexed(
    imported_notes: Path, notes_dir: Path, run: Run, tmp_path: Path
) -> None:
    def index_writes() -> bytes:  # FTS5's structure record: it changes with every write to the index
        conn = sqlite3.connect(imported_notes)
        try:
            return bytes(conn.execute("SELECT block FROM search_index_data WHERE id = 10").fetchone()[0])
        finally:
            conn.close()

    before = index_writes()
    assert run("import", str(notes_dir)).code == 0
    assert index_writes() == before  # 1,434 unchanged items: nothing to index again
    notes = tmp_path / "notes"
    shutil.copytree(notes_dir, notes)
    chat = notes / "chat-notes-kernels-and-reasoning.md"
    lines = chat.read_text(encoding="utf-8").splitlines()
    at = next(n for n, line in enumerate(lines) if "https://" in line)
    lines[at] += " zanzibarite kernels"  # the words beside a link are its item's note
    chat.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert run("import", str(notes)).code == 0
    assert index_writes() != before
    assert len(run("search", "zanzibarite", "--json").json()) == 1


def test_the_score_shown_sorts_as_the_results_do(imported_notes: Path) -> None:
    conn = db.connect(imported_notes)
    for text in ("kv cache", "量化", "attention", "推理 加速"):  # many near-equal BM25s, tie-broken unread-first
        scores = [hit["score"] for hit in search(conn, text, limit=200).items]
        assert len(scores) > 20 and scores == sorted(scores, reverse=True), text
    conn.close()


def test_reindex_rebuilds_the_index(run: Run, library: None, isolated_library: Path) -> None:
    conn = sqlite3.connect(isolated_library)
    conn.execute("INSERT INTO search_index (search_index) VALUES ('delete-all')")
    conn.execute("DELETE FROM search_index_doc")
    conn.commit()
    conn.close()
    assert run("db", "check").code == 1  # the index is out of step, and check says so
    assert f"reindexed {len(ROWS)}" in run("db", "reindex").out
    assert run("db", "check").code == 0
    assert _ids(run, "dumplings") == [11]


def test_a_big_import_or_a_reindex_leaves_the_search_index_in_one_piece(imported_notes: Path, run: Run) -> None:
    assert index_pieces(imported_notes) == 1  # the shipped notes' 1,434 items: written in pieces, merged after
    assert run("add", "https://example.com/x", "--title", "Paged kv cache", "--no-fetch").code == 0
    assert index_pieces(imported_notes) == 2  # a small write adds a piece of its own (merging costs ~1 s at 100k)
    assert run("db", "reindex").code == 0
    assert index_pieces(imported_notes) == 1
    assert "Paged kv cache" in [i["title"] for i in run("search", "paged kv cache", "--json").json()]


@pytest.mark.parametrize(
    "query",
    ['"unbalanced', "AND", "OR NOT", "NEAR(a b)", "*", "-rl", "^x", ":", "c++", "α-β", "x" * 100_000, "title:",
     "year:abc", "status:nope", "👍🏽 量化", "\u05e9\u05dc\u05d5\u05dd kv", '"" ""', "col:(a) {b}"],
)  # fmt: skip
def test_hostile_queries_give_results_or_a_clear_message(run: Run, library: None, query: str) -> None:
    result = run("search", "--", query)  # NUL and the like are covered in-process by the hypothesis test
    assert result.code in (0, 1) and "Traceback" not in result.err
    if result.code == 1:
        assert result.err.startswith("error: ") and "hint: " in result.err


def test_empty_query_is_a_clear_error(run: Run) -> None:
    result = run("search", "  ")
    assert result.code == 1 and "nothing to search for" in result.err


@pytest.fixture(scope="module")
def populated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from readlist.importer.run import collect, merge_reports, read_file
    from readlist.store.write import Store

    folder = tmp_path_factory.mktemp("hypo")
    source = folder / "library.jsonl"
    source.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in ROWS) + "\n", encoding="utf-8")
    path = folder / "hypo.db"
    merge_reports(Store(path), (read_file(p, []) for p in collect([str(source)])))
    return path


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=300), st.sampled_from(["", " 量化", " kv", ' "flash', " status:read", " tag:x"]))
def test_any_text_is_safe_on_a_populated_library(populated: Path, text: str, tail: str) -> None:
    conn = db.connect(populated)
    try:
        result = search(conn, text + tail, limit=5)
        assert all(isinstance(i["snippet"], str) for i in result.items)
    except ReadlistError:
        pass
    finally:
        conn.close()


def test_glossary_groups_only_true_synonyms_and_ambiguous_words_find_each_meaning() -> None:
    from readlist.search.glossary import synonyms

    assert "内存" not in (synonyms("显存") or []) and "显存" not in (synonyms("memory") or [])
    assert not {"kernel", "内核"} & set(synonyms("算子") or [])
    assert {"inference", "reasoning"} <= set(synonyms("推理") or [])
    assert "reasoning" not in (synonyms("inference") or []) and "推理" in (synonyms("reasoning") or [])
    assert "反量化" not in (synonyms("量化") or [])


def test_library_from_before_article_text_is_reindexed_on_upgrade(tmp_path: Path, run: Run) -> None:
    path = tmp_path / "old.db"
    db.upgrade(path, "0004")
    conn = sqlite3.connect(path)
    conn.execute(
        "INSERT INTO item (kind, key, url, title, authors, categories, status, priority, added_at, metadata_status)"
        " VALUES ('article', 'url:https://example.com/x', 'https://example.com/x', 'CNN量化 vs. LLM量化', '[]', '[]',"
        " 'unread', 0, '2026-01-01T00:00:00Z', 'pending')"
    )
    conn.commit()
    conn.close()
    result = run("--db", str(path), "search", "量化", "--json")
    assert result.code == 0 and [i["title"] for i in result.json()] == ["CNN量化 vs. LLM量化"]


def test_a_filtered_search_tests_each_match_on_the_filter_indexes_not_the_item_and_reading_rows(
    run: Run, library: None, isolated_library: Path
) -> None:
    from readlist.search import fts
    from readlist.search.query import Filters

    conn = db.connect(isolated_library)
    try:
        # Every filter that reads the item (status also reads the member's reading): an index entry per match.
        counted, params = fts._matches(conn, Filters(["read"], ["paper"], [2024], [], "2020-01-01"))
        plan = [r[3] for r in conn.execute(f"EXPLAIN QUERY PLAN SELECT count(*) {counted}", ["kv", *params])]
        assert any("COVERING INDEX ix_item_filters" in step for step in plan), plan
        assert any("COVERING INDEX ix_reading_filters" in step for step in plan), plan
    finally:
        conn.close()
    assert _ids(run, "kv cache", "--kind", "repo") == [2] and _ids(run, "kv cache status:read") == [1]
