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
    return _items_of(run)


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
    see, parens = items["https://arxiv.org/abs/2401.10774"], items["https://arxiv.org/abs/2405.04434"]
    assert (see["title"], see["notes"]) == ("2401.10774", [])  # `See …, it is good.` is no title
    assert [n["body"] for n in parens["notes"]] == ["Paper in parens."]
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


def test_titles_come_from_words_beside_a_link_and_notes_keep_link_texts(run: Run) -> None:
    items = {i["url"]: i for i in _import(run, "titles-near-links.md")}
    titles = {url: i["title"] for url, i in items.items()}
    notes = {url: [n["body"] for n in i["notes"]] for url, i in items.items()}
    # Glue words around a URL are neither a title nor a note.
    assert titles["https://github.com/vllm-project/vllm"] == "vllm-project/vllm"
    assert titles["https://example.org/x/post"] == "https://example.org/x/post"
    assert titles["https://zhuanlan.zhihu.com/p/700000001"] == "https://zhuanlan.zhihu.com/p/700000001"
    assert not notes["https://github.com/vllm-project/vllm"] and not notes["https://example.org/x/post"]
    # A title right before or after a bare URL on its line is the title, also beside a short lead-in word
    # and for a second paper cited inside a paper's section.
    assert titles["https://arxiv.org/abs/2502.12340"] == "Understanding Silent Data Corruption in LLM Training"
    assert titles["https://arxiv.org/abs/2501.18585"].startswith("Thoughts Are All Over the Place:")
    assert titles["https://flashinfer.ai/2025/03/10/sampling.html"] == "Sorting-Free GPU Kernels for LLM Sampling"
    assert (
        titles["https://arxiv.org/abs/2509.16293"] == "Characterizing Silent Data Corruption in LLM Training Clusters"
    )
    assert titles["https://arxiv.org/abs/2102.11245"] == "Silent Data Corruptions at Scale"
    assert not notes["https://arxiv.org/abs/2502.12340"] and not notes["https://arxiv.org/abs/2509.16293"]
    # Notes keep the words of the links in their sentence.
    said = "Lumina-mGPT 2.0 是统一的自回归模型。参见 机器之心报道 和 量子位"
    assert notes["https://jiqizhixin.com/articles/2025-08-12"] == [said]
    assert notes["https://qbitai.com/2025/08/lumina.html"] == [said]
    # A bare URL is the item itself: it leaves its sentence, and so do the spaces it leaves behind.
    assert notes["https://github.com/BBuf/how-to-optim-algorithm-in-cuda"] == ["完整实验代码见，原理讲解请看"]


def test_unclosed_brackets_nested_past_the_recursion_limit_still_import(run: Run, tmp_path: Path) -> None:
    """markdown-it reads link labels recursively: 3,000 unclosed `[` used to end the import in RecursionError."""
    notes = tmp_path / "log.md"
    line = "[see " * 3000 + "[Marlin](https://arxiv.org/abs/2408.11743) and https://github.com/vllm-project/vllm"
    notes.write_text(f"# 日志\n\n{line}\n", encoding="utf-8")
    result = run("import", str(notes))
    assert result.code == 0 and not result.err, result
    assert sorted(i["key"] for i in _items_of(run)) == ["arxiv:2408.11743", "github:vllm-project/vllm"]


def test_articles_one_segment_deep_are_items_and_profiles_are_not(run: Run) -> None:
    """Before the first heading and outside a table's link column, a link one segment deep is an article when
    the segment names a page (`greatwork.html`, a slug) or the user named the link; a bare host, a user on a
    code host or social site, a site's navigation and a team's page stay out."""
    items = {i["url"]: i for i in _import(run, "one-segment-links.md")}
    assert sorted(items) == [
        "http://paulgraham.com/greatwork.html",
        "https://arxiv.org/abs/2404.00456",
        "https://arxiv.org/abs/2405.04532",
        "https://arxiv.org/abs/2405.16406",
        "https://arxiv.org/abs/2408.11743",
        "https://blog.example.org/why-kv-cache-compression-works",
        "https://example.com/escaped-pipe",
        "https://example.com/z",
        "https://github.com/PaddlePaddle/Paddle-Lite",
        "https://horace.io/brrr_intro.html",
        "https://newsletter.maartengrootendorst.com/p/a-visual-guide-to-quantization",
    ]
    assert items["http://paulgraham.com/greatwork.html"]["title"] == "How to Do Great Work"
    assert items["https://example.com/z"]["title"] == "z"


def test_short_chinese_notes_are_kept_and_punctuation_is_not(run: Run) -> None:
    items = {i["url"]: i for i in _import(run, "one-segment-links.md")}
    notes = {url: [n["body"] for n in i["notes"]] for url, i in items.items()}
    assert notes["https://arxiv.org/abs/2408.11743"] == ["很好的论文"]
    assert notes["https://arxiv.org/abs/2405.04532"] == ["必读"]  # two CJK characters say as much as a word
    assert notes["https://arxiv.org/abs/2405.16406"] == []  # punctuation alone
    assert notes["https://arxiv.org/abs/2404.00456"] == []  # one character is too little


def _items_of(run: Run) -> list[dict[str, Any]]:
    listed = run("list", "--format", "jsonl")
    assert listed.code == 0 and not listed.err, listed
    return [json.loads(line) for line in listed.out.splitlines()]


def test_a_title_beside_a_bare_url_drops_a_glued_category_date_or_id(run: Run, tmp_path: Path) -> None:
    notes = tmp_path / "list.md"
    notes.write_text(
        "# L\n\n1. [cs.LG] 2024-12-30 Some Bare Paper Title https://arxiv.org/abs/2412.20000\n"
        "2. 2405.04434 DeepSeek-V2: A Strong MoE Model https://arxiv.org/abs/2405.04434\n",
        encoding="utf-8",
    )
    assert run("import", str(notes)).code == 0
    titles = {i["key"]: i["title"] for i in json.loads(run("list", "--json").out)}
    assert titles == {
        "arxiv:2412.20000": "Some Bare Paper Title",
        "arxiv:2405.04434": "DeepSeek-V2: A Strong MoE Model",
    }
