"""Behaviour shared by the SQLite and PostgreSQL backends: every test here runs on both (docs/architecture.md)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import Run

pytestmark = pytest.mark.usefixtures("backend")


def test_add_tag_note_and_show_the_same_item(run: Run) -> None:
    assert run("add", "2408.11743", "--tag", "quantization", "--note", "Marlin kernels", "--no-fetch").code == 0
    again = run("add", "https://arxiv.org/pdf/2408.11743v2", "--tag", "kernels", "--no-fetch")
    assert again.code == 0 and "already in your list as #1" in again.out
    assert run("tag", "1", "+KV Cache", "-kernels").code == 0
    assert run("note", "1", "量化 kernel 的 roofline 分析").code == 0
    item = run("show", "1", "--json").json()
    assert item["tags"] == ["KV Cache", "quantization"]
    assert [n["body"] for n in item["notes"]] == ["Marlin kernels", "量化 kernel 的 roofline 分析"]
    assert run("tags", "--json").json() == [{"tag": "KV Cache", "count": 1}, {"tag": "quantization", "count": 1}]


def test_todo_orders_reading_first_then_priority_then_oldest(run: Run) -> None:
    for ref in ("2401.00001", "2401.00002", "2401.00003", "2401.00004"):
        run("add", ref, "--no-fetch")
    run("edit", "3", "--priority", "5")
    run("start", "4")
    run("done", "1")
    assert [item["id"] for item in run("todo", "--json").json()] == [4, 3, 2]
    done = run("show", "1", "--json").json()
    assert done["status"] == "read" and done["started_at"] and done["finished_at"]


def test_list_filters_by_status_tag_and_kind(run: Run) -> None:
    run("add", "2408.11743", "--tag", "cuda", "--no-fetch")
    run("add", "https://github.com/linkedin/Liger-Kernel", "--tag", "cuda", "--no-fetch")
    run("done", "2")
    assert [i["kind"] for i in run("list", "--status", "read", "--tag", "CUDA", "--json").json()] == ["repo"]
    assert [i["id"] for i in run("list", "--kind", "paper", "--json").json()] == [1]
    stats = run("stats", "--json").json()
    assert stats["total"] == 2 and stats["by_status"] == {"read": 1, "unread": 1}


def test_search_finds_words_spellings_and_chinese_words(run: Run) -> None:
    titles = {
        "https://example.org/a": "聊聊大模型推理中的 KVCache 压缩",
        "https://example.org/b": "CNN量化 vs. LLM量化",
        "https://example.org/c": "向量化计算入门",
        "https://example.org/d": "FlashAttention2 explained",
    }
    for url, title in titles.items():
        assert run("add", url, "--title", title, "--no-fetch").code == 0
    assert [i["id"] for i in run("search", "kv cache", "--json").json()] == [1]
    assert [i["id"] for i in run("search", "量化", "--json").json()] == [2]  # never 向量化
    assert [i["id"] for i in run("search", "quantization", "--json").json()] == [2]  # glossary synonym
    assert [i["id"] for i in run("search", "title:flashattention2", "--json").json()] == [4]
    corrected = run("search", "flashatention2")
    assert corrected.code == 0 and "FlashAttention2" in corrected.out


def test_export_then_import_into_an_empty_library_gives_the_same_export(run: Run, tmp_path: Path) -> None:
    run("add", "2408.11743", "--tag", "quantization", "--note", "Marlin kernels", "--no-fetch")
    run("add", "https://example.org/post", "--title", "量化 notes", "--tag", "中文", "--no-fetch")
    run("start", "2")
    exported = run("export", "--format", "jsonl").out
    dump = tmp_path / "lib.jsonl"
    dump.write_text(exported, encoding="utf-8")
    other = tmp_path / "other.db"
    assert run("--db", str(other), "import", str(dump)).code == 0
    assert run("--db", str(other), "export", "--format", "jsonl").out == exported
    assert [json.loads(line)["key"] for line in exported.splitlines()] == [
        "arxiv:2408.11743",
        "url:https://example.org/post",
    ]


def test_rm_then_restore_brings_the_item_back(run: Run) -> None:
    run("add", "2408.11743", "--tag", "cuda", "--note", "keep me", "--no-fetch")
    assert run("rm", "1", "--yes").code == 0
    assert run("list", "--json").json() == []
    assert [t["key"] for t in run("trash", "--json").json()] == ["arxiv:2408.11743"]
    assert run("restore", "1").code == 0
    item = run("show", "1", "--json").json()
    assert item["tags"] == ["cuda"] and item["notes"][0]["body"] == "keep me"


def test_index_built_in_two_processes_finds_what_one_process_finds(
    run: Run, notes_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from readlist.store import index

    def found() -> dict[str, list[tuple[int, str]]]:
        queries = ("kv cache", "量化", "投机解码", "flashattention", "triton kernel", "vllm", "显存", "cuda graph")
        return {q: [(i["id"], i.get("snippet") or "") for i in run("search", q, "--json").json()] for q in queries}

    # The shipped notes but their biggest file: 1,190 items, enough that a helper builds half (the big file adds
    # 244 papers and about half the import's time).
    smaller = [p for p in sorted(notes_dir.glob("*.md")) if p.name != "awesome-paper-for-ai.md"]
    imported = run("import", *map(str, smaller))
    assert imported.code == 0 and run("stats", "--json").json()["total"] >= index.HELPED  # a helper built half
    two = found()
    assert all(two.values()), two
    monkeypatch.setattr(index, "HELPED", 10**9)  # one process only
    assert run("db", "reindex").code == 0
    assert found() == two


def test_a_member_name_with_quotes_and_sql_sees_only_its_own_readings(run: Run) -> None:
    """The member's name reaches the database as a parameter, never as SQL text (it is user input)."""
    run("add", "2408.11743", "--no-fetch")
    run("add", "https://example.org/a", "--title", "A post", "--no-fetch")
    run("done", "1", env={"READLIST_USER": "alice"})
    lax = "-c standard_conforming_strings=off"  # where a backslash escapes a quote: doubling quotes is not enough
    for name in ("x' OR 1=1 --", "o'brien", "x\\' OR 1=1 --"):
        seen = run("list", "--json", env={"READLIST_USER": name, "PGOPTIONS": lax}).json()
        assert [i["status"] for i in seen] == ["unread", "unread"], name
    assert run("list", "--status", "read", "--json", env={"READLIST_USER": "alice"}).json()[0]["id"] == 1
