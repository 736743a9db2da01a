"""Markdown notes: bare links taken whole, lists of links under a heading, titles and notes from the text near a link.

The notes are small real files under tests/data/notes, imported through the CLI."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.conftest import Run

NOTES = Path(__file__).parent / "data" / "notes"


def _import(run: Run, name: str) -> list[dict[str, Any]]:
    result = run("import", str(NOTES / name))
    assert result.code == 0, result
    listed = run("list", "--format", "jsonl")
    assert listed.code == 0 and not listed.err, listed
    return [json.loads(line) for line in listed.out.splitlines()]


def test_bare_urls_with_underscores_are_taken_whole(run: Run) -> None:
    items = _import(run, "underscore-urls.md")
    assert sorted(i["url"] for i in items) == [
        "https://arxiv.org/abs/2410.02367",
        "https://en.wikipedia.org/wiki/Attention_(machine_learning)",
        "https://example.org/_auto_-link",
        "https://example.org/_draft_-notes/post",
        "https://example.org/target_url_",
        "https://example.org/wrapped_post",
        "https://example.org/x/__init__-py",
        "https://github.com/IST-DASLab/marlin",
        "https://github.com/vllm-project/vllm",
        "https://mp.weixin.qq.com/s/_5P7SYkZEZ8_-m5AUS9U-w",
        "https://mp.weixin.qq.com/s/_abc_-def",
    ]


def test_links_under_a_heading_are_a_list_unless_the_heading_names_one_paper(run: Run) -> None:
    items = {i["url"]: i for i in _import(run, "links-under-headings.md")}
    assert sorted(items) == [
        "https://arxiv.org/abs/2401.10774",
        "https://arxiv.org/abs/2404.00456",
        "https://arxiv.org/abs/2405.04434",
        "https://arxiv.org/abs/2405.16406",
        "https://arxiv.org/abs/2408.11743",
        "https://arxiv.org/abs/2410.02367",
        "https://blog.vllm.ai/2024/09/05/perf-update.html",
        "https://example.org/a/b,c",
        "https://github.com/sgl-project/sglang",
        "https://github.com/vllm-project/vllm",
        "https://mp.weixin.qq.com/s/_abcDEF_-ghi",
        "https://zhuanlan.zhihu.com/p/12345",
    ]
    vllm, sglang = items["https://github.com/vllm-project/vllm"], items["https://github.com/sgl-project/sglang"]
    assert (vllm["title"], vllm["short_name"], vllm["affiliation"]) == ("vllm-project/vllm", None, None)
    assert vllm["tags"] == ["x"] and not vllm["links"] and sglang["tags"] == ["Weekly reading"]
    assert items["https://arxiv.org/abs/2404.00456"]["title"].startswith("QuaRot:")
    assert items["https://arxiv.org/abs/2405.16406"]["title"].startswith("SpinQuant:")
    # `## Marlin 5` names one paper: its repo and the article about it are its links, not items.
    marlin = items["https://arxiv.org/abs/2408.11743"]
    assert (marlin["short_name"], marlin["rating"], marlin["affiliation"]) == ("Marlin", "5", "IST Austria")
    assert marlin["title"].startswith("MARLIN: Mixed-Precision") and marlin["tags"] == []
    assert [(x["url"], x["role"]) for x in marlin["links"]] == [
        ("https://github.com/IST-DASLab/marlin", "code"),
        ("https://zhuanlan.zhihu.com/p/707470647", "related"),
    ]
    assert "4 倍加速" in marlin["notes"][0]["body"]
