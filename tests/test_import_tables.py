"""Markdown tables in real notes (issue 14): rows split where the author meant, cells read by what they say,
titles without the dates and categories a table glued on, and every item at its own row's line."""

from __future__ import annotations

from pathlib import Path

from readlist.importer.extract import extract
from readlist.importer.markdown import parse, split_row
from readlist.importer.tables import clean_title, describe
from readlist.store.records import ItemDraft
from tests.conftest import Run

TABLES = Path(__file__).parent / "data" / "tables"


def _drafts(name: str) -> dict[str, ItemDraft]:
    """The drafts of one of the small real files, by key (the first draft of each key)."""
    text = (TABLES / name).read_text(encoding="utf-8")
    drafts: dict[str, ItemDraft] = {}
    for draft in extract(name, text, parse(text)).drafts:
        drafts.setdefault(draft.ref.key, draft)
    return drafts


def _note(draft: ItemDraft) -> str:
    return " ".join(n.body for n in draft.notes)


def test_a_pipe_inside_link_text_does_not_split_the_cell() -> None:
    assert split_row("| a | [Block Diffusion | ICLR 2025](https://x.org/p) | b \\| c |") == [
        "a",
        "[Block Diffusion | ICLR 2025](https://x.org/p)",
        "b | c",
    ]
    drafts = _drafts("blog-rows.md")
    zhihu = drafts["url:https://zhuanlan.zhihu.com/p/32576344984"]
    assert zhihu.title == "爆火 Block Diffusion 引发 LLM 架构变革？自回归 + 扩散模型完美结合 | ICLR 2025"
    paper = drafts["arxiv:2503.09573"]
    assert ("https://zhuanlan.zhihu.com/p/32576344984", "related") in paper.links
    assert "[" not in _note(paper) and "爆火" not in _note(paper)
    kangaroo, tencent = drafts["arxiv:2404.18911"], drafts["url:https://cloud.tencent.com/developer/article/2415194"]
    assert kangaroo.affiliation is None and not kangaroo.notes
    assert tencent.title is not None and tencent.title.startswith("华为诺亚 | 提出自推测解码框架：Kangaroo")
    assert ("https://cloud.tencent.com/developer/article/2415194", "related") in kangaroo.links
    # the WeChat write-up whose link text holds `|`, in a row with a malformed link before it
    wechat = drafts["url:https://mp.weixin.qq.com/s/W8lLo6BI1xKkj_1HfiH5pg"]
    assert wechat.title == "论文 | 2025 | 论文综述：大型语言扩散模型(LLDM)"


def test_a_row_with_an_empty_cell_keeps_its_description_team_and_repo() -> None:
    drafts = _drafts("blog-rows.md")
    paper = drafts["arxiv:2509.01245"]
    assert paper.affiliation == "加州大学圣塔克鲁兹分校、上海科技大学等"
    assert "SchedCP 框架" in _note(paper) and "AI 辅助调度器" in _note(paper)
    assert ("https://github.com/eunomia-bpf/schedCP", "code") in paper.links
    assert "github:eunomia-bpf/schedcp" in drafts


def test_a_link_missing_its_closing_paren_keeps_its_text_and_the_byline_posts_are_items() -> None:
    drafts = _drafts("blog-rows.md")
    lwn = drafts["url:https://lwn.net/Articles/1027096"]
    assert lwn.title == "Improved load balancing with machine learning"
    assert lwn.affiliation == "Free5GC" and "Ching-Chun" in _note(lwn)
    llada = drafts["arxiv:2502.09992"]  # `[Large Language Diffusion Models](Large Language Diffusion Models](url`
    assert llada.title == "Large Language Diffusion Models" and "](" not in _note(llada)
    # the header table before the first heading: the post on CSDN and on the blog; not the author's profile
    assert drafts["url:https://blog.csdn.net/gatieme/article/details/113828826"].title == (
        "使用模糊搜索神器 FZF 来提升办公体验"
    )
    assert "url:https://oskernellab.com/2021/02/15/2021/0215-0001-Using_FZF_to_Improve_Productivity" in drafts
    assert not any("kernel.blog.csdn.net" in key for key in drafts)


def test_table_cells_are_read_by_what_they_say_not_by_their_column() -> None:
    drafts = _drafts("reading-notes.md")
    sglang = drafts["url:https://sglang.ai"]  # team under 日期, date under 团队
    assert (sglang.affiliation, sglang.published) == ("字节跳动", "2024-01-15")
    assert "RadixAttention" in _note(sglang)
    qwen = drafts["arxiv:2407.10671"]  # the team in a first, link-less cell
    assert (qwen.affiliation, qwen.published) == ("阿里巴巴", "2024-07")
    medusa = drafts["url:https://zhuanlan.zhihu.com/p/111111"]
    assert medusa.affiliation == "字节跳动" and "多头解码" in _note(medusa)


def test_words_after_a_paper_link_split_into_team_venue_and_remarks() -> None:
    drafts = _drafts("paper-lines.md")
    twill = drafts["arxiv:2512.18134"]
    assert (twill.affiliation, twill.venue) == ("斯坦福，NVIDIA", None) and _note(twill) == "未开源"
    snip = drafts["arxiv:2602.01410"]
    assert (snip.affiliation, snip.venue) == (None, "ASPLOS26")
    assert drafts["arxiv:2512.19995"].affiliation == "马里兰大学等"
    spinfer = drafts["doi:10.1145/3689031.3717481"]
    assert (spinfer.affiliation, spinfer.venue) == ("范瑞波 港科大（广）", "EuroSys25 best paper")
    found = describe("26.1.5 (last update, as HPCA26) 微软亚研院", team=True)
    assert (found.affiliation, found.venue, found.remarks) == ("微软亚研院", "HPCA26", ["(last update, as HPCA26)"])
    assert describe("(NeurIPS 2025, Oral)", team=True).affiliation is None


def test_titles_lose_the_dates_categories_and_arxiv_ids_glued_in_front() -> None:
    drafts = _drafts("reading-notes.md")
    assert drafts["arxiv:2405.04434"].title == "DeepSeek-V2: A Strong, Economical MoE Model"
    mamba = drafts["arxiv:2405.21060"]
    assert (mamba.title, mamba.published) == ("Mamba-2: Transformers are SSMs", "2024-05-31")
    medusa = drafts["url:https://zhuanlan.zhihu.com/p/111111"]
    assert (medusa.title, medusa.published) == ("Medusa 解读", "2025-01-02")
    marlin = drafts["arxiv:2408.11743"]  # in a list, not a table
    assert (marlin.title, marlin.published) == ("Marlin: Mixed-Precision Kernels", "2024-08-21")
    # a post's own bracketed series name is its title, not a category
    assert clean_title("【BBuf的CUDA笔记】十二，LayerNorm/RMSNorm的重计算实现")[0].startswith("【BBuf的CUDA笔记】")
    assert clean_title("LWN 2025/07/01, Improved load balancing") == ("Improved load balancing", "2025-07-01")


def test_items_of_a_table_row_record_the_rows_own_line(run: Run, tmp_path: Path) -> None:
    lines = (TABLES / "blog-rows.md").read_text(encoding="utf-8").split("\n")
    expected = {
        key: next(n for n, line in enumerate(lines, 1) if marker in line)
        for key, marker in (
            ("arxiv:2509.01245", "2509.01245"),
            ("url:https://lwn.net/Articles/1027096", "1027096"),
            ("arxiv:2404.18911", "2404.18911"),
            ("url:https://cloud.tencent.com/developer/article/2415194", "2415194"),
        )
    }
    drafts = _drafts("blog-rows.md")
    assert {key: drafts[key].sources[0].line for key in expected} == expected
    assert run("import", str(TABLES / "blog-rows.md")).code == 0
    shown = run("show", "2404.18911", "--json").json()
    assert [s["line"] for s in shown["sources"]] == [expected["arxiv:2404.18911"]]


def test_a_row_of_thousands_of_links_stays_linear() -> None:
    links = " ".join(f"[post {n} | part {n}](https://example.org/posts/{n})" for n in range(3000))
    text = f"# 链接\n\n| 日期 | 文章 |\n|---|---|\n| 2024/05 | {links} |\n"
    drafts = extract("dump.md", text, parse(text)).drafts
    assert len(drafts) == 3000 and drafts[1].title == "post 1 | part 1"
    assert sum(len(d.links) for d in drafts) == 2 * (3000 - 1)  # through the first item, not 3000 × 2999


def _snippet(text: str) -> dict[str, ItemDraft]:
    drafts: dict[str, ItemDraft] = {}
    for draft in extract("notes.md", text, parse(text)).drafts:
        drafts.setdefault(draft.ref.key, draft)
    return drafts


def test_a_venue_with_its_award_is_a_venue_under_any_column() -> None:
    drafts = _snippet(
        "## 推理\n\n| 团队 | 会议 | 论文 | 日期 | 评价 | 其他 |\n|---|---|---|---|---|---|\n"
        "| 清华大学 | ICLR 2025, Oral | [SGLang](https://arxiv.org/abs/2312.07104) "
        "[code](https://github.com/sgl-project/sglang) | 2024/12/06 | 很好 | extra cell |\n"
    )
    paper = drafts["arxiv:2312.07104"]
    assert (paper.affiliation, paper.venue, paper.published) == ("清华大学", "ICLR 2025, Oral", "2024-12-06")
    assert _note(paper) == "很好"  # the 评价 column is a remark; the venue is not repeated in the note


def test_a_date_cell_with_a_topic_in_brackets_is_a_date_and_a_tag() -> None:
    drafts = _snippet(
        "## 论文\n\n| 论文 | 日期 |\n|---|---|\n| [Medusa](https://arxiv.org/abs/2401.10774) | 【推理】2025-01-02 |\n"
    )
    medusa = drafts["arxiv:2401.10774"]
    assert medusa.published == "2025-01-02" and "推理" in medusa.tags


def test_a_generic_link_takes_its_title_from_the_words_before_it_in_the_cell() -> None:
    drafts = _snippet(
        "## 论文\n\n| 日期 | 论文 | 团队 | 会议 | 备注 |\n|---|---|---|---|---|\n"
        "| 2025.02.03 | [cs.CL] 2405.04434 DeepSeek-V2: A Strong MoE Model [link](https://arxiv.org/abs/2405.04434) "
        "|| ASPLOS26 | |\n"
    )
    paper = drafts["arxiv:2405.04434"]
    assert (paper.title, paper.venue, paper.published) == ("DeepSeek-V2: A Strong MoE Model", "ASPLOS26", "2025-02-03")


def test_a_list_item_reads_like_a_table_row() -> None:
    drafts = _snippet(
        "## 论文\n\n"
        "- 【量化】[AWQ: Activation-aware Weight Quantization](https://arxiv.org/abs/2306.00978) "
        "MIT Han Lab, MLSys 2024 Best Paper\n"
        "- 2025-01-02 [cs.CL] [Attention Sinks](https://arxiv.org/abs/2309.17453)\n"
        "- 2023.10 [FlashDecoding++](https://arxiv.org/abs/2311.01282) 非常好的文章\n"
        "- 参见 [机器之心报道](https://arxiv.org/abs/2401.10774) 的分析\n"
        "- [Orca](https://arxiv.org/abs/2205.00000) 这篇发表在 OSDI 2022, 很值得一读\n"
    )
    awq = drafts["arxiv:2306.00978"]
    assert (awq.affiliation, awq.venue, awq.tags) == ("MIT Han Lab", "MLSys 2024 Best Paper", ["论文", "量化"])
    assert not awq.notes  # the title is not repeated as a note
    sinks = drafts["arxiv:2309.17453"]
    assert (sinks.title, sinks.published, sinks.notes) == ("Attention Sinks", "2025-01-02", [])
    flash = drafts["arxiv:2311.01282"]
    assert (flash.published, _note(flash)) == ("2023-10", "非常好的文章")
    assert _note(drafts["arxiv:2401.10774"]) == "参见 机器之心报道 的分析"  # a sentence around a link stays
    orca = drafts["arxiv:2205.00000"]  # a sentence after the link is a note, as in a table cell
    assert (orca.venue, _note(orca)) == (None, "这篇发表在 OSDI 2022, 很值得一读")


def test_an_item_sections_date_after_its_link_is_when_it_was_published() -> None:
    drafts = _snippet(
        "# 笔记\n\n## Marlin 4\n\nMARLIN: Mixed-Precision Auto-Regressive Parallel Inference on LLMs\n"
        "https://arxiv.org/abs/2408.11743 IST Austria 2024.08.21 ASPLOS26\n\n很好的 kernel 论文。\n"
    )
    marlin = drafts["arxiv:2408.11743"]
    assert (marlin.affiliation, marlin.venue, marlin.published) == ("IST Austria", "ASPLOS26", "2024-08-21")


def test_a_table_right_under_a_list_item_is_a_table_not_the_items_note() -> None:
    text = (
        "## 论文\n\n- [AWQ](https://arxiv.org/abs/2306.00978) 很好的量化\n"
        "| 团队 | 日期 | 论文 |\n|---|---|---|\n| 清华大学 | 2024/01 | [StreamingLLM](https://arxiv.org/abs/2309.17453) |\n"
    )
    drafts = _snippet(text)
    assert _note(drafts["arxiv:2306.00978"]) == "很好的量化"
    sinks = drafts["arxiv:2309.17453"]
    assert (sinks.affiliation, sinks.published, sinks.sources[0].line) == ("清华大学", "2024-01", 6)
