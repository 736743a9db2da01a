"""Importing real and crafted notes through the real console script."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from readlist.importer.extract import extract
from readlist.importer.headings import split_rating
from readlist.importer.markdown import parse
from tests.conftest import Run
from tests.garble import garble

MOJIBAKE_MARKS = re.compile("[æçåèäéï][\u0080-\u024f\u2000-\u20ff]")


def _items(run: Run, *args: str) -> list[dict[str, Any]]:
    result = run("list", "--json", *args)
    assert result.code == 0, result
    items: list[dict[str, Any]] = result.json()
    return items


def test_real_notes_give_every_arxiv_paper_exactly_once(run: Run, imported_notes: Path) -> None:
    items = _items(run)
    arxiv = [i["arxiv_id"] for i in items if i["arxiv_id"]]
    assert len(arxiv) == len(set(arxiv))
    assert 290 <= len(arxiv) <= 300  # the notes cite about 296 distinct papers
    keys = [i["key"] for i in items]
    assert len(keys) == len(set(keys))


def test_real_notes_carry_tags_notes_ratings_and_sources(run: Run, imported_notes: Path) -> None:
    kv = _items(run, "--tag", "KV Cache 压缩")
    assert kv and all("KV Cache 压缩" in i["tags"] for i in kv)
    tree = run("show", "2511.00413", "--json").json()
    assert tree["short_name"] == "TreeTraining"
    assert tree["title"].startswith("Tree Training: Accelerating Agentic LLMs")
    assert any("Gradient Restoration" in n["body"] for n in tree["notes"])
    assert tree["sources"] and tree["sources"][0]["line"] > 0
    assert tree["sources"][0]["file"].endswith(".md")
    rated = [i for i in _items(run) if i["rating"]]
    assert any(i["rating"] == "5？" for i in rated) and any(i["rating"].startswith("推荐") for i in rated)
    marlin = run("show", "2408.11743", "--json").json()
    assert any("marlin" in n["body"].lower() for n in marlin["notes"])
    assert "marlin" in run("show", "2408.11743").out.lower()


def test_garbled_note_comes_back_readable(run: Run, notes_dir: Path) -> None:
    result = run("import", str(notes_dir / "cuda-optimization-readme-garbled.md"))
    assert result.code == 0 and "repaired" in result.out
    items = _items(run)
    text = " ".join(i["title"] + " ".join(n["body"] for n in i["notes"]) + " ".join(i["tags"]) for i in items)
    assert not MOJIBAKE_MARKS.search(text)
    assert "学习" in text and "笔记" in text
    tags = {t for i in items for t in i["tags"]}
    assert "公众号学习笔记" in tags


def test_mojibake_repair_restores_99_percent_of_chinese_characters(run: Run, tmp_path: Path, notes_dir: Path) -> None:
    # Clean text the model has not seen verbatim: sentences rearranged from a shipped note.
    source = (notes_dir / "chat-notes-kernels-and-reasoning.md").read_text(encoding="utf-8")
    clean = "\n".join(reversed([ln for ln in source.splitlines() if re.search("[\u4e00-\u9fff]", ln)]))
    damaged = tmp_path / "garbled.md"
    damaged.write_text(garble(clean), encoding="utf-8")
    from readlist.importer.decode import decode

    repaired = decode(damaged.read_bytes()).text
    original = [c for c in clean if "\u4e00" <= c <= "\u9fff"]
    pairs = [
        (a, b)
        for la, lb in zip(clean.splitlines(), repaired.splitlines(), strict=True)
        if len(la) == len(lb)
        for a, b in zip(la, lb, strict=True)
        if "\u4e00" <= a <= "\u9fff"
    ]
    restored = sum(a == b for a, b in pairs) / len(original)
    assert restored >= 0.97, restored
    ascii_ok = all(
        a == b
        for la, lb in zip(clean.splitlines(), repaired.splitlines(), strict=True)
        for a, b in zip(la, lb, strict=False)
        if a.isascii() and len(la) == len(lb)
    )
    assert ascii_ok


def test_a_pair_of_characters_that_each_lost_two_bytes_is_read_in_context(tmp_path: Path) -> None:
    # 吞 and 吐 are E5 90 9E / E5 90 90: both continuation bytes are dropped, so each has 64 candidates.
    from readlist.importer.decode import decode

    text = "新版服务的吞吐提升了三倍，端到端吞吐量也翻倍\n"
    for code_page in ("cp1252", "cp1254"):
        decoded = decode(garble(text, code_page).encode("utf-8"))
        assert decoded.text == text, decoded.text
        assert decoded.repair.chars_restored >= 4


def test_intact_text_and_latin_words_are_never_changed(tmp_path: Path) -> None:
    from readlist.importer.decode import decode

    text = "量化 kernel 的 roofline 分析\nnaïve café — résumé “quotes”\n普通中文，没有乱码。\n"
    assert decode(text.encode("utf-8")).text == text


def test_encodings_utf16_gb18030_and_bom_import_the_same_item(run: Run, tmp_path: Path) -> None:
    body = "## 量化\n\n[Marlin 混合精度 kernel 论文](https://arxiv.org/abs/2408.11743) 很值得一读，推荐给组里的同学。\n"
    chinese = body + "读后感：讲了显存和带宽的权衡，实验做得很扎实。\n" * 12
    for name, data in (
        ("a.md", body.encode("utf-16")),
        ("b.md", body.encode("gb18030")),
        ("c.md", body.encode("utf-8-sig")),
        ("e.md", chinese.encode("utf-16-le")),  # no BOM, and mostly Chinese: few NULs to go by
        ("f.md", chinese.encode("utf-16-be")),
    ):
        (tmp_path / name).write_bytes(data)
    (tmp_path / "d.txt").write_bytes(bytes(range(256)) * 20)
    result = run("import", str(tmp_path))
    assert result.code == 0, result
    assert "skipped" in result.out  # the binary file, with the rest imported
    items = _items(run)
    assert len(items) == 1 and items[0]["tags"] == ["量化"]
    assert "utf-16-le" in result.out and "utf-16-be" in result.out


def test_a_western_code_page_file_reads_as_cp1252_not_a_look_alike(tmp_path: Path) -> None:
    from readlist.importer.decode import bytes_to_text

    for text in ("naïve très\n", "Ça marche très bien à Montréal.\n"):  # cp1250 fits too, as naďve and trčs
        assert bytes_to_text(text.encode("cp1252")) == (text, "cp1252")


def test_reimport_changes_nothing_and_edits_update_without_duplicates(run: Run, tmp_path: Path) -> None:
    note = tmp_path / "notes.md"
    note.write_text(
        "# 1 推理\n\n## 1.1 投机解码\n\nEAGLE 很快 https://arxiv.org/abs/2401.15077 值得一看\n", encoding="utf-8"
    )
    run("import", str(note))
    before = run("list", "--json").out
    again = run("import", str(note))
    assert "added 0 item(s), merged 0" in again.out
    assert run("list", "--json").out == before
    note.write_text(
        "# 1 推理\n\n## 1.1 投机解码\n\nEAGLE 很快 https://arxiv.org/abs/2401.15077 第二遍读完了\n", encoding="utf-8"
    )
    run("import", str(note))
    notes = _items(run)[0]["notes"]
    assert [n["body"] for n in notes] == ["EAGLE 很快 第二遍读完了"]


def test_dry_run_writes_nothing_and_extra_tag_applies(run: Run, notes_dir: Path) -> None:
    dry = run("import", str(notes_dir / "chat-notes-kernels-and-reasoning.md"), "--dry-run")
    assert dry.code == 0 and "would add" in dry.out
    assert _items(run) == []
    run("import", str(notes_dir / "chat-notes-kernels-and-reasoning.md"), "--tag", "team-wiki")
    assert all("team-wiki" in i["tags"] for i in _items(run))


def test_missing_path_is_an_error_with_a_hint(run: Run, tmp_path: Path) -> None:
    result = run("import", str(tmp_path / "nope.md"))
    assert result.code == 1 and result.err.startswith("error: no such file") and "hint:" in result.err


def test_item_section_reads_rating_title_affiliation_code_and_summary(tmp_path: Path) -> None:
    text = (
        "# My papers\n\n## Marlin 4+\nMARLIN: Mixed-Precision Auto-Regressive Parallel Inference on LLMs\n\n"
        "https://arxiv.org/pdf/2408.11743 IST Austria 2024.8.21\n\nhttps://github.com/IST-DASLab/marlin\n\n"
        '1. **FP16xINT4** 矩阵乘，接近理想的 4x 加速。\n<img src="https://github.com/user-attachments/assets/x.png" />\n'
        "\n## Quartet2\nQuartet II: native FP4 training of large language models at scale\n\nhttps://arxiv.org/abs/2601.00001\n"
    )
    drafts = extract("f.md", text, parse(text)).drafts
    marlin = drafts[0]
    assert (marlin.short_name, marlin.rating, marlin.affiliation) == ("Marlin", "4+", "IST Austria")
    assert marlin.title == "MARLIN: Mixed-Precision Auto-Regressive Parallel Inference on LLMs"
    assert marlin.links == [("https://github.com/IST-DASLab/marlin", "code")]
    assert "**FP16xINT4**" in marlin.notes[0].body and "<img" not in marlin.notes[0].body
    assert [d.ref.kind for d in drafts] == ["paper", "paper"] and drafts[1].rating is None
    assert split_rating("CAT KV压缩 5？") == ("CAT KV压缩", "5？") and split_rating("LLM-42") == ("LLM-42", None)


def test_table_columns_become_fields_and_badges_are_skipped(tmp_path: Path) -> None:
    text = (
        "| 日期 | 概要 | 论文 / 链接 | 团队 | 描述 |\n|:---:|:---:|:---:|:---:|:---:|\n"
        "| 2024/07 | 自动化调试 | [A Unified Debugging Approach](https://arxiv.org/abs/2404.17153) | NTU | 多智能体协同 |\n\n"
        "# 2 推理\n\n![badge](https://img.shields.io/badge/x.svg) [KV 压缩综述](https://zhuanlan.zhihu.com/p/701580870?utm_source=x)\n"
    )
    result = extract("f.md", text, parse(text))
    paper, article = result.drafts
    assert paper.title == "A Unified Debugging Approach" and paper.affiliation == "NTU"
    assert paper.published == "2024-07" and "自动化调试" in paper.notes[0].body
    assert article.ref.url == "https://zhuanlan.zhihu.com/p/701580870" and article.tags == ["推理"]


def test_chat_notes_take_the_title_from_the_line_before_a_bare_url() -> None:
    text = "kv cache 相关的\nKeyformer: KV Cache Reduction through Key Tokens Selection\n https://arxiv.org/abs/2403.09054v2 \n"
    (draft,) = extract("c.md", text, parse(text)).drafts
    assert draft.title == "Keyformer: KV Cache Reduction through Key Tokens Selection"
    assert draft.ref.key == "arxiv:2403.09054" and "kv cache 相关的" in draft.notes[0].body


def test_truncated_character_at_line_end_does_not_crash(run: Run, tmp_path: Path) -> None:
    (tmp_path / "t.md").write_text("## 量化\n\nhttps://arxiv.org/abs/2408.11743 这个论文很好\ufffd\n", encoding="utf-8")
    assert run("import", str(tmp_path / "t.md")).code == 0
    assert "\ufffd" in json.dumps(_items(run), ensure_ascii=False)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.sampled_from(
            [
                "# ",
                "## 1.2 ",
                "### ",
                "| a | b |\n|---|---|\n",
                "| x | [t](https://arxiv.org/abs/2401.00001) |\n",
                "- ",
                "[",
                "](",
                ")",
                "https://arxiv.org/abs/2408.11743",
                "https://github.com/a/b",
                "\n",
                "\n\n",
                "量化",
                "5？",
                "<img src=x>",
                "```\n",
                "> ",
                "**",
                "http://",
                "\ufffd",
                "Title: With Colon And Words",
            ]
        ),
        max_size=40,
    ).map("".join)
)
def test_any_markdown_never_crashes_the_importer(text: str) -> None:
    result = extract("h.md", text, parse(text))
    assert all(d.ref.key for d in result.drafts)


def test_an_error_in_any_file_leaves_the_library_as_it_was(run: Run, tmp_path: Path, notes_dir: Path) -> None:
    run("add", "2408.11743", "--no-fetch")
    before = run("list", "--json").out
    folder = tmp_path / "mixed"
    folder.mkdir()
    (folder / "a-notes.md").write_text((notes_dir / "chat-notes-kernels-and-reasoning.md").read_text("utf-8"), "utf-8")
    (folder / "b-export.jsonl").write_text(
        '{"key": "arxiv:2401.00001", "url": "https://arxiv.org/abs/2401.00001"}\n{broken\n'
    )
    result = run("import", str(folder))
    assert result.code == 1 and result.err.startswith("error: ") and "not valid JSON" in result.err
    assert run("list", "--json").out == before  # the notes file merged first was rolled back too


def test_what_import_cannot_read_is_named_in_one_line(run: Run, tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    cases = {
        "/dev/null": "/dev/null is not a file (a device or pipe)",
        "-": "import reads files, not standard input",
        str(tmp_path / "empty"): f"nothing to import in {tmp_path / 'empty'}",
    }
    for arg, message in cases.items():
        result = run("import", arg)
        assert result.code == 1 and result.err.startswith(f"error: {message}") and "hint:" in result.err, result


def test_unreadable_entries_are_not_counted_as_links_that_are_not_items(run: Run, tmp_path: Path) -> None:
    bib = tmp_path / "refs.bib"
    bib.write_text(
        "@article{good, title={Marlin}, eprint={2408.11743}, archivePrefix={arXiv}}\n\n@article{broken,\n title={x\n",
        encoding="utf-8",
    )
    result = run("import", str(bib))
    assert result.code == 0, result
    assert "1 entry skipped (see the warnings)" in result.out and "not reading items" not in result.out
    assert "line 3: malformed entry" in result.err
