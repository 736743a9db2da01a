"""Mojibake repair: what a reader of an imported garbled note sees (held-out accuracy is in
benchmarks/mojibake_accuracy.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from readlist.importer import wordmodel
from readlist.importer.decode import decode
from tests.garble import garble


def _repaired(text: str, code_page: str) -> str:
    return decode((garble(text, code_page) + "\n").encode("utf-8")).text.rstrip("\n")


@pytest.mark.parametrize("code_page", ["cp1252", "cp1254"])
@pytest.mark.parametrize(
    "text",
    [
        "这次分享只是抛砖引玉，欢迎大家指正",  # 玉 lost a byte; 引等 and 引玉 are both rare pairs, 抛砖引玉 is a word
        "社区版可随意修改商用",  # 意 vs 构: 随意 is a word
        "模型效果大幅升级，显存占用骤减",  # 升 vs 减: 升级 is a word
    ],
)
def test_a_damaged_character_is_read_as_the_word_it_completes(text: str, code_page: str) -> None:
    assert _repaired(text, code_page) == text


def test_a_bracket_is_read_as_the_partner_of_the_one_that_survived() -> None:
    # 」 lost its last byte (0x8D); 、 shares the other two. The opener 「 is intact, so the closer is wanted.
    text = "斯坦福的「小羊驼」来了"
    assert _repaired(text, "cp1254") == text


@pytest.mark.parametrize("text", ["线性代数: 矩阵、向量、数值求解器", "事实知识、推理、数学"])
def test_two_damaged_enumeration_commas_are_not_read_as_a_pair_of_brackets(text: str) -> None:
    # 、, 『 and 』 lose the same byte: only a bracket that survived intact vouches for its partner.
    assert _repaired(text, "cp1254") == text


def test_the_shipped_garbled_note_was_damaged_as_tests_garble_damages(notes_dir: Path) -> None:
    # Every repaired line, garbled again as cp1254 with the undefined bytes and soft hyphens dropped, is the
    # note's line byte for byte: the benchmark's damage is the real note's, and the repair only ever chooses
    # between readings of the bytes that survived.
    raw = (notes_dir / "cuda-optimization-readme-garbled.md").read_bytes().decode("utf-8")
    repaired = decode(raw.encode("utf-8")).text
    assert repaired != raw
    for garbled, fixed in zip(raw.split("\n"), repaired.split("\n"), strict=True):
        assert garble(fixed, "cp1254") == garbled


def test_text_without_mojibake_never_loads_the_word_list() -> None:
    wordmodel.load.cache_clear()
    text = "量化 kernel 的 roofline 分析\nnaïve café — résumé “quotes”\n普通中文，没有乱码。\n"
    assert decode(text.encode("utf-8")).text == text
    assert wordmodel.load.cache_info().currsize == 0


@pytest.mark.parametrize(
    ("plain", "marked"),
    [
        ("采用了混合策略来同时优化权重", "采用了**混合策略**来同时优化权重"),
        ("通过模拟路由来评估更新", "通过`模拟路由`来评估更新"),
        ("系统的设计与实现", "系统的**设计**与**实现**"),
    ],
)
def test_markdown_emphasis_beside_a_damaged_character_does_not_change_its_reading(plain: str, marked: str) -> None:
    # 来 and 与 lost a byte; the words either side, not the asterisks or backticks, are their context.
    assert _repaired(plain, "cp1254") == plain
    assert _repaired(marked, "cp1254") == marked


@pytest.mark.parametrize("text", ["数据库的索引与查询优化", "系统架构与调度策略", "编译器的设计与实现"])
def test_a_damaged_与_between_two_names_is_read_as_与(text: str) -> None:
    # 与, 中 and 不 lose the same byte; 与 joins two words, where 中 would close a clause.
    assert _repaired(text, "cp1254") == text


@pytest.mark.parametrize("text", ["基于子词的分词器", "写好提示词"])
def test_other_characters_that_read_the_same_once_damaged_are_told_apart_by_context(text: str) -> None:
    # 子 lost both its continuation bytes (like 后 and 名), 提 lost one (like 揭): a context model per group.
    assert _repaired(text, "cp1254") == text


def test_a_long_garbled_file_repairs_with_bounded_memory_and_the_same_readings(
    notes_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from readlist.importer import charmodel

    garbled = (notes_dir / "cuda-optimization-readme-garbled.md").read_bytes().decode("utf-8")
    unbounded = decode(garbled.encode("utf-8")).text
    charmodel.load()._cache.clear()
    monkeypatch.setattr(charmodel, "CACHE_ENTRIES", 500)  # the note asks for ~50,000 contexts
    bounded = decode(garbled.encode("utf-8")).text
    model = charmodel.load()
    assert bounded == unbounded
    assert len(model._cache) <= 500 and len(model._older) <= 500
