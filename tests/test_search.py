"""Search through the real console script and in-process: spellings, Chinese, glossary, typos, safety."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from readlist import db
from readlist.errors import ReadlistError
from readlist.search.engine import search
from tests.arxiv_server import ArxivServer
from tests.conftest import Run, cli_in_process, copy_database

TITLES = {
    "https://example.com/1": "KVCache offloading for long context serving",
    "https://example.com/2": "Paged KV Cache management in vLLM",
    "https://example.com/3": "A study of kv-cache eviction",
    "https://example.com/4": "Compressing KV caches with low-rank projection",
    "https://example.com/5": "长上下文推理中的 KV缓存 压缩方法",
    "https://example.com/6": "FlashAttention: fast and memory-efficient exact attention",
    "https://example.com/7": "大模型量化方法综述",
    "https://example.com/8": "GPTQ: accurate post-training quantization for generative transformers",
    "https://example.com/9": "投机解码加速大模型推理",
    "https://example.com/10": "Medusa: simple framework for speculative decoding with multiple heads",
    "https://example.com/11": "A cooking blog about dumplings",
}


def _ids(run: Run, *args: str) -> set[str]:
    result = run("search", *args, "--json", "--limit", "50")
    assert result.code == 0 and result.err == "", result
    return {item["url"] for item in result.json()}


@pytest.fixture(scope="module")
def _titles_template(tmp_path_factory: pytest.TempPathFactory, migrated_template: Path) -> Path:
    """The eleven titled items, added once per module through the CLI; tests get a copy."""
    path = tmp_path_factory.mktemp("titles") / "titles.db"
    copy_database(migrated_template, path)
    for url, title in TITLES.items():
        assert cli_in_process(["--db", str(path), "add", url, "--title", title], path.parent / "config") == 0
    return path


@pytest.fixture
def library(_titles_template: Path, isolated_library: Path) -> None:
    copy_database(_titles_template, isolated_library)


@pytest.mark.parametrize("query", ["kv cache", "KVCache", "kvcache", "kv-cache", "kv_cache", "KV缓存"])
def test_every_spelling_of_kv_cache_finds_all_kv_cache_items(run: Run, library: None, query: str) -> None:
    want = {f"https://example.com/{n}" for n in (1, 2, 3, 4, 5)}
    assert _ids(run, query) == want


def test_two_character_chinese_word_finds_chinese_and_english(run: Run, library: None) -> None:
    assert _ids(run, "量化") == {"https://example.com/7", "https://example.com/8"}


def test_speculative_decoding_in_either_language(run: Run, library: None) -> None:
    want = {"https://example.com/9", "https://example.com/10"}
    assert _ids(run, "投机解码") == want
    assert _ids(run, "speculative decoding") == want
    assert _ids(run, "推测解码") == want


def test_stemming_and_full_width_input(run: Run, library: None) -> None:
    assert "https://example.com/4" in _ids(run, "caches")
    assert _ids(run, "ＦｌａｓｈＡｔｔｅｎｔｉｏｎ") == {"https://example.com/6"}


def test_typo_shows_labelled_close_matches(run: Run, library: None) -> None:
    result = run("search", "flash atention")
    assert result.code == 0 and "close matches" in result.err and "FlashAttention" in result.out


def test_json_has_score_and_highlighted_snippet(run: Run, library: None) -> None:
    items = run("search", "dumplings", "--json").json()
    assert len(items) == 1 and items[0]["score"] > 0 and "«dumplings»" in items[0]["snippet"]


def test_filters_tag_status_kind_and_field_qualifiers(run: Run, arxiv_server: ArxivServer) -> None:
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
    run("add", "https://example.com/a", "--title", "Ring attention")
    assert _ids(run, "ring") == {"https://example.com/a"}
    run("note", "1", "蒸馏 notes")
    assert _ids(run, "distillation") == {"https://example.com/a"}
    run("tag", "1", "+moe")
    assert _ids(run, "混合专家") == {"https://example.com/a"}
    run("edit", "1", "--title", "Striped attention")
    assert _ids(run, "ring") == set() and _ids(run, "striped") == {"https://example.com/a"}
    run("rm", "1", "--yes")
    assert _ids(run, "striped") == set()


def test_user_glossary_group_works_without_reindex(run: Run, library: None, tmp_path: Path) -> None:
    assert _ids(run, "饺子") == set()
    (tmp_path / "config").mkdir(exist_ok=True)
    (tmp_path / "config" / "glossary.txt").write_text("饺子 | dumplings\n", encoding="utf-8")
    assert _ids(run, "饺子") == {"https://example.com/11"}
    assert "饺子 | dumplings" in run("glossary").out


def test_reindex_rebuilds_the_index(run: Run, library: None, isolated_library: Path) -> None:
    conn = sqlite3.connect(isolated_library)
    conn.execute("DELETE FROM search_index")
    conn.commit()
    conn.close()
    assert run("db", "check").code == 1  # the index is out of step, and check says so
    assert all(i.get("fuzzy") for i in run("search", "dumplings", "--json").json())
    assert "reindexed 11" in run("db", "reindex").out
    assert run("db", "check").code == 0
    hits = run("search", "dumplings", "--json").json()
    assert [i["url"] for i in hits] == ["https://example.com/11"] and not hits[0].get("fuzzy")


@pytest.mark.parametrize(
    "query",
    [
        '"unbalanced',
        "AND",
        "OR NOT",
        "NEAR(a b)",
        "*",
        "-rl",
        "^x",
        ":",
        "c++",
        "α-β",
        "x" * 10_000,
        "title:",
        "year:abc",
        "status:nope",
    ],
)
def test_hostile_queries_give_results_or_a_clear_message(run: Run, library: None, query: str) -> None:
    result = run("search", "--", query)  # NUL and the like are covered in-process by the hypothesis test
    assert result.code in (0, 1) and "Traceback" not in result.err
    if result.code == 1:
        assert result.err.startswith("error: ") and "hint: " in result.err


def test_empty_query_is_a_clear_error(run: Run) -> None:
    result = run("search", "  ")
    assert result.code == 1 and "nothing to search for" in result.err


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=300))
def test_any_text_is_safe_in_process(tmp_path_factory: pytest.TempPathFactory, text: str) -> None:
    text = text + "\x00 AND" if len(text) % 3 == 0 else text
    path = tmp_path_factory.getbasetemp() / "hypo.db"
    conn = db.connect(path)
    try:
        search(conn, text, limit=5)
    except ReadlistError:
        pass
    finally:
        conn.close()
