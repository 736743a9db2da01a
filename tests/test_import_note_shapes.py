"""Notes whose shape misled the importer: a paper's section whose link is its code, who-and-where words after a
link, generic link texts and user names as titles, awesome-list headings numbered with keycap emoji."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from readlist.importer.links import is_generic_text
from tests.conftest import Run

NOTES = Path(__file__).parent / "data" / "notes"


@pytest.fixture
def items(run: Run) -> dict[str, dict[str, Any]]:
    result = run("import", str(NOTES / "paper-sections-and-awesome-lists.md"))
    assert result.code == 0, result
    listed = run("list", "--format", "jsonl")
    assert listed.code == 0 and not listed.err, listed
    rows = [json.loads(line) for line in listed.out.splitlines()]
    return {row["url"]: row for row in rows}


def test_a_paper_section_whose_link_is_its_code_is_the_paper_with_a_linked_repo(
    run: Run, items: dict[str, dict[str, Any]]
) -> None:
    assert "https://github.com/dhjoo98/coruscant" not in items  # not a repo named Coruscant
    (paper,) = [i for i in items.values() if i["short_name"] == "Coruscant"]
    assert paper["kind"] == "paper" and paper["title"].startswith("Coruscant: Co-Designing GPU Kernel")
    assert (paper["venue"], paper["affiliation"]) == ("Micro25", None)
    shown = run("show", str(paper["id"]), "--json").json()
    assert [(x["url"], x["role"]) for x in shown["links"]] == [("https://github.com/dhjoo98/coruscant", "code")]
    assert any("基于Flash-LLM" in n["body"] for n in shown["notes"])  # the words after the link: a note


def test_who_and_where_after_a_link_are_affiliation_and_venue_not_the_title(items: dict[str, dict[str, Any]]) -> None:
    gated = items["https://openreview.net/forum?id=1b7whO4SfY"]
    assert (gated["title"], gated["affiliation"], gated["venue"]) == ("Gated Attn for LLM", "ali Qwen", "NIPS25")


def test_a_report_kept_in_a_repo_is_the_paper_and_the_repo_its_code(items: dict[str, dict[str, Any]]) -> None:
    report = items["https://github.com/stepfun-ai/PaCoRe/blob/main/pacore_report.pdf"]
    assert (report["kind"], report["short_name"], report["rating"]) == ("paper", "阶跃 PaCoRe-8B", "推荐！")
    assert "https://github.com/stepfun-ai/PaCoRe" not in items


@pytest.mark.parametrize(
    "text", ["项目地址", "体验链接", "技术报告", "论文", "代码", "paper", "code", "link", "github仓库"]
)
def test_generic_link_texts_are_recognised(text: str) -> None:
    assert is_generic_text(text) and is_generic_text(f"[{text}]")
    assert not is_generic_text(f"Qwen3 {text}")


@pytest.mark.parametrize("text", ["示", "@zhangsan", "[@HansChanX]"])
def test_one_character_and_an_account_handle_are_not_titles(text: str) -> None:
    assert is_generic_text(text)
    assert not is_generic_text("@ the edge: serving LLMs on phones") and not is_generic_text("R1")


def test_no_generic_text_or_user_name_becomes_a_title(items: dict[str, dict[str, Any]]) -> None:
    titles = {url: item["title"] for url, item in items.items()}
    for url in (
        "https://lf3-static.bytednsdoc.com/obj/eden-cn/hyvsmeh7uhobf/sdiff_updated.pdf",
        "https://studio.seed.ai/exp/seed_diffusion",
        "https://github.com/michaelchen-lab/caft-llm",
        "https://github.com/tding1/Efficient-LLM-Survey",
    ):
        assert not is_generic_text(titles[url]) and titles[url] != "tding1", (url, titles[url])
    assert titles["https://github.com/cupy/cupy"] == "CuPy"  # the owner's name that is also the project's


def test_headings_numbered_with_keycap_emoji_lose_the_whole_numbering(items: dict[str, dict[str, Any]]) -> None:
    tags = {url: set(item["tags"]) for url, item in items.items()}
    assert tags["https://arxiv.org/abs/2306.14048"] == {"KV Cache 压缩", "Pruning / Evicting / Sparse"}
    assert tags["https://arxiv.org/abs/2402.02750"] == {"KV Cache 压缩", "Quantization"}
    assert tags["https://zhuanlan.zhihu.com/p/639629050"] == {"KV Cache 压缩", "Linear Attention"}


def test_a_generic_link_atop_a_list_of_named_posts_is_one_entry_of_the_list(items: dict[str, dict[str, Any]]) -> None:
    repo = items["https://github.com/BlinkDL/RWKV-LM"]
    assert repo["short_name"] is None and "Linear Attention" in repo["tags"]
    assert "https://zhuanlan.zhihu.com/p/638326262" in items  # the posts stay items of their own


@pytest.mark.parametrize(
    ("heading", "tag"),
    [
        ("1️⃣ Pruning / Evicting / Sparse", "Pruning / Evicting / Sparse"),
        ("1️⃣0️⃣ Ten", "Ten"),
        ("🔟 Misc", "Misc"),
        ("#️⃣ Tools", "Tools"),
        ("3.2.1 KV Cache 压缩", "KV Cache 压缩"),
        ("(1) 量化", "量化"),
        ("（二）推理", "推理"),
        ("一、背景", "背景"),
        ("① 剪枝", "剪枝"),
        ("1.5B 模型", "1.5B 模型"),  # a size, not a number
        ("2024 年回顾", "2024 年回顾"),  # a year
        ("2-GRPO", "2-GRPO"),  # a name
    ],
)
def test_heading_numbering_goes_whole_and_names_stay_whole(heading: str, tag: str) -> None:
    from readlist.importer.headings import clean_heading

    assert clean_heading(heading) == tag


def test_sections_headed_by_a_year_or_only_a_number_are_read(run: Run, tmp_path: Path) -> None:
    notes = tmp_path / "by-year.md"
    notes.write_text(
        "# Reading\n\n## 2024\n\n- [FlashAttention-3](https://arxiv.org/abs/2407.08608) fast attention\n"
        "- [vLLM](https://github.com/vllm-project/vllm)\n\n## **2023.05**\n\n- [QLoRA](https://arxiv.org/abs/2305.14314)\n"
        "\n## 3.\n\n- [Marlin](https://arxiv.org/abs/2408.11743)\n\n## 2024 Q1\n\n- [SGLang](https://arxiv.org/abs/2312.07104)\n"
        "\n## 2022.\n\n- [LoRA](https://arxiv.org/abs/2106.09685)\n",
        encoding="utf-8",
    )
    assert run("import", str(notes)).code == 0
    rows = [json.loads(line) for line in run("list", "--format", "jsonl").out.splitlines()]
    tags = {row["title"]: row["tags"] for row in rows}
    assert tags == {
        "FlashAttention-3": ["2024"],
        "vLLM": ["2024"],
        "QLoRA": ["2023.05"],
        "Marlin": [],
        "SGLang": ["2024 Q1"],  # a year before words is part of the topic, not its numbering
        "LoRA": ["2022"],
    }


def test_links_under_an_empty_heading_are_read_unless_it_sits_inside_a_papers_section(run: Run, tmp_path: Path) -> None:
    notes = tmp_path / "empty.md"
    notes.write_text(
        "# Reading\n\n## Serving\n\n- [vLLM](https://github.com/vllm-project/vllm)\n\n##\n\n"
        "- [QLoRA](https://arxiv.org/abs/2305.14314)\n\n## Marlin 5\n\npaper: https://arxiv.org/abs/2408.11743\n\n"
        "### \n\n- [its slides](https://example.org/marlin-slides)\n",
        encoding="utf-8",
    )
    assert run("import", str(notes)).code == 0
    urls = {json.loads(line)["url"] for line in run("list", "--format", "jsonl").out.splitlines()}
    assert "https://arxiv.org/abs/2305.14314" in urls  # under `##`, after a topic: read (it was dropped)
    assert "https://example.org/marlin-slides" not in urls  # under an empty sub-heading of a paper: the paper's


def test_a_file_of_sections_by_year_tags_its_first_year_too(run: Run, tmp_path: Path) -> None:
    notes = tmp_path / "years.md"
    notes.write_text(
        "## 2024\n\n- [A](https://arxiv.org/abs/2401.00101)\n\n## 2023\n\n- [B](https://arxiv.org/abs/2401.00102)\n",
        encoding="utf-8",
    )
    assert run("import", str(notes)).code == 0
    rows = [json.loads(line) for line in run("list", "--format", "jsonl").out.splitlines()]
    assert {row["title"]: row["tags"] for row in rows} == {"A": ["2024"], "B": ["2023"]}  # not the file's title
