"""Markdown tables in real notes (issue 14): rows split where the author meant, cells read by what they say,
titles without the dates and categories a table glued on, and every item at its own row's line."""

from __future__ import annotations

from pathlib import Path

from readlist.importer.extract import extract
from readlist.importer.markdown import parse, split_row
from readlist.importer.tables import clean_title, describe
from readlist.library.records import ItemDraft
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
