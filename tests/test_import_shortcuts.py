"""The reading shortcuts a big import takes give exactly what the long way gives: markdown-it's tokens, its
normalised link URLs, whitespace squeezed as the regular expression does, remembered cell readings."""

from __future__ import annotations

import re
import string
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from markdown_it.common.normalize_url import normalizeLink

from readlist.importer.markdown import _MD, _bare_url_rule, normalize_link
from readlist.importer.nearby import squeeze
from readlist.importer.tables import describe, is_description

HOST = st.text(string.ascii_letters + string.digits + ".-", min_size=1, max_size=70)
TAIL = st.text(string.ascii_letters + string.digits + "._~/?#=&:@!$*+,;-%'()[]<>^`{}|\\\" 中é", max_size=40)


@settings(max_examples=3000)
@given(st.sampled_from(["http://", "https://", "HTTPS://", "ftp://"]), HOST, st.sampled_from(["", "/", "?", "#"]), TAIL)
def test_link_urls_are_normalised_exactly_as_markdown_it_does(scheme: str, host: str, lead: str, tail: str) -> None:
    url = scheme + host + lead + tail
    assert normalize_link(url) == normalizeLink(url)


def test_plain_links_are_normalised_to_themselves() -> None:
    for url in ("https://arxiv.org/abs/2401.00001", "https://github.com/a/b?tab=readme#top", "http://1.2.3.4:80/x"):
        assert normalize_link(url) == normalizeLink(url) == url


def _stock() -> MarkdownIt:
    """The parser as markdown-it builds it, with our bare-URL rule but its own core `inline` rule."""
    md = MarkdownIt("commonmark", {"html": True, "maxNesting": 1_000_000}).enable("table")
    md.inline.ruler.after("text", "bare_url", _bare_url_rule)
    return md


def _shape(tokens: list[Any]) -> list[Any]:
    return [
        (t.type, t.tag, t.nesting, t.level, t.content, t.markup, t.map, t.attrs, _shape(t.children or []))
        for t in tokens
    ]


CELLS = st.text(string.ascii_letters + " 0123456789|-*_`[]()<>&:/\\!#~量化说明\n", max_size=80)


@settings(max_examples=500)
@given(st.lists(CELLS, min_size=1, max_size=6))
def test_text_with_nothing_inline_is_one_text_token_as_markdown_it_makes_it(parts: list[str]) -> None:
    text = "| a | b |\n|---|---|\n" + "\n".join(f"| {p} | x |" if i % 2 else p for i, p in enumerate(parts)) + "\n"
    assert _shape(_MD.parse(text)) == _shape(_stock().parse(text))


def test_a_table_of_plain_cells_parses_as_markdown_it_parses_it() -> None:
    text = (
        "# Papers\n\n| # | Paper | Venue |\n|---|---|---|\n| 1 | [A](https://arxiv.org/abs/2401.00001) | MLSys 2024 |\n"
    )
    assert _shape(_MD.parse(text)) == _shape(_stock().parse(text))


@settings(max_examples=2000)
@given(st.text(" \t\n\r\x0b\x0c\x1c\x85\xa0\u2003\u3000ab说,.", max_size=30))
def test_whitespace_is_squeezed_as_the_regular_expression_squeezes_it(text: str) -> None:
    assert squeeze(text) == re.sub(r"\s+", " ", text)


def test_a_remembered_cell_reading_is_a_copy_the_caller_may_change() -> None:
    first = describe("MIT Han Lab, MLSys 2024 (未开源)", team=True)
    first.remarks.append("changed")
    first.venue = "changed"
    again = describe("MIT Han Lab, MLSys 2024 (未开源)", team=True)
    assert again.venue != "changed" and "changed" not in again.remarks
    for text in (
        "ICLR 2025, Oral",
        "清华大学, MIT",
        "A survey of serving systems that reuse the kv cache across requests",
    ):
        assert is_description(text) == is_description(text) == (len(text) > 60)


LINKISH = st.sampled_from(
    [
        "[A paper](https://arxiv.org/abs/2401.00001)",
        "[量化](https://github.com/a/b)",
        "[x](http://a.org/p?q=1#f)",
        "[t](https://a.org/a&amp;b)",
        "[t](https://a.org/(x))",
        "![i](https://a.org/i.png)",
        "[t](HTTPS://A.org)",
        "[t]( https://a.org )",
        '[t](https://a.org "title")',
        "[](https://a.org)",
        "[a [b] c](https://a.org)",
        "https://a.org/x",
        "<https://a.org>",
        "[t](https://a.org/%E4)",
        "[t](https://例子.org)",
        "[t]",
    ]
)
TEXTISH = st.text(" -:#~+=@$%^{}>ab量化*_`\\!&<[]()|", max_size=12)
ENTITY = st.sampled_from(["&amp;", "&#20013;", "&lt;", "&copy", "\\*", "*a*", "`c`", "<b>", "http://x.org"])
BUILT = st.builds(
    lambda label, url: f"[{label}]({url})",
    st.one_of(TEXTISH, ENTITY),
    st.one_of(st.sampled_from(["https://a.org/x", "http://a.b/c?d=e"]), st.builds("https://a.org/{}".format, TEXTISH)),
)
PIECES = st.lists(st.one_of(LINKISH, TEXTISH, ENTITY, BUILT), max_size=6)


@settings(max_examples=800)
@given(PIECES)
def test_plain_links_between_plain_text_are_the_tokens_markdown_it_makes(pieces: list[str]) -> None:
    text = "".join(pieces)
    for source in (f"- {text}\n", f"| a | b |\n|---|---|\n| {text} | x |\n", f"{text}\n\n[t]: https://ref.org\n"):
        assert _shape(_MD.parse(source)) == _shape(_stock().parse(source)), source


def test_with_links_off_a_plain_link_stays_text() -> None:
    from readlist.importer.markdown import _MD_NO_LINKS

    text = "see [A](https://a.org/x) - fast\n"
    stock = _stock().disable(["link", "image"])
    assert _shape(_MD_NO_LINKS.parse(text)) == _shape(stock.parse(text))
    opened = [c for c in _MD_NO_LINKS.parse(text)[1].children or [] if c.type == "link_open"]
    assert [c.markup for c in opened] == ["linkify"]  # the URL, read as a bare one: no `[text](url)` link
