"""Headings in notes: their numbering (`3.2.1`, `一、`, `1️⃣`), emphasis and a trailing rating (`Marlin 5`)."""

from __future__ import annotations

import re

# How headings are numbered: `3.2.1`, `1.`, `1)`, `(1)`, `（一）`, `一、`, `①`, and the keycap emoji of awesome-lists
# (`1️⃣` is the digit, U+FE0F and U+20E3; `🔟`). The whole numbering goes, never just its digit.
_CJK_NUMERAL = "[一二三四五六七八九十百]+"
_NUMBERING = re.compile(
    r"^\s*(?:"
    r"(?:[0-9#*]\ufe0f?\u20e3)+|\U0001f51f"
    r"|[(（]\s*(?:\d+|" + _CJK_NUMERAL + r"|[a-zA-Z])\s*[)）][、.．]?"
    r"|(?!(?:19|20)\d\d(?:\s|$))"  # a year before words is a topic: `2024 Q1`, `2023 Papers`
    r"\d+(?:\.\d+)*(?:[.．](?!\d)|[)）、]|(?=\s)(?!\s*[年月日号])|$)"  # not `1.5B`, `2024 年回顾`
    r"|" + _CJK_NUMERAL + r"[、.．]"
    r"|[\u2460-\u2473\u2776-\u2793]"
    r")\s*"
)
_EMPHASIS = re.compile(r"[*_`~]+")
_RATING = re.compile(r"\s+((?:[1-5](?:\.\d)?[+\-]?|推荐|必读|强推)[?？!！]*)\s*$")


def clean_heading(text: str) -> str:
    """`### 3.2.1 KV Cache 压缩` → `KV Cache 压缩`; emphasis and numbering go."""
    text = _EMPHASIS.sub("", text)
    text = _NUMBERING.sub("", text).strip()
    return re.sub(r"\s+", " ", text).strip(" -—:：#")


# A heading that is only a date (`## 2024`, `## 2023.05`): notes sorted by when they were read. Its numbers are
# the topic, not numbering.
_DATE_ONLY = re.compile(r"((?:19|20)\d\d(?:[./-]\d{1,2}){0,2}\s*[年月]?)[.．]?")


def is_date_only(heading: str) -> bool:
    """`## 2024`: a section of notes sorted by date, never the document's title."""
    return _DATE_ONLY.fullmatch(_EMPHASIS.sub("", heading).strip()) is not None


def topic_of(heading: str) -> str:
    """The tag a heading gives what is under it: its words (clean_heading), or the date a heading of only a date
    names; "" for a heading of only numbering (`## 1.`) or nothing."""
    name = clean_heading(heading)
    if not name:
        date = _DATE_ONLY.fullmatch(_EMPHASIS.sub("", heading).strip())
        if date:
            return date.group(1)
    return name


def split_rating(heading: str) -> tuple[str, str | None]:
    """`CAT KV压缩 5？` → (`CAT KV压缩`, `5？`); `Quartet2` and `LLM-42` have no rating."""
    m = _RATING.search(heading)
    if not m:
        return heading.strip(), None
    return heading[: m.start()].strip(), m.group(1)


def is_numbered(heading: str) -> bool:
    """A numbered heading is a topic in a sequence (`1️⃣ Pruning`), never the name of one paper."""
    m = _NUMBERING.match(heading)
    return m is not None and bool(m.group(0).strip())
