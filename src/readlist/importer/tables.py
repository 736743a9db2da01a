"""Table rows → fields: each cell is read by what its text is (a date, a team, a category, a long
description), with the column header as a hint, never by position alone."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from readlist.importer.markdown import BARE_URL, Block, Line

# Header words that name a column's meaning (Chinese and English).
COLUMN_ROLES = {
    "link": (
        "论文",
        "链接",
        "paper",
        "link",
        "title",
        "名称",
        "标题",
        "项目",
        "框架",
        "repo",
        "name",
        "survey",
        "文章",
    ),
    "date": ("日期", "时间", "date", "year", "time", "发布"),
    "team": ("团队", "机构", "team", "org", "affiliation", "单位", "公司", "institution"),
    "author": ("作者", "author"),
    "category": ("分类", "类别", "类型", "category", "type", "topic", "领域", "方向"),
    "note": (
        "概要",
        "描述",
        "介绍",
        "简介",
        "说明",
        "summary",
        "description",
        "note",
        "备注",
        "要点",
        "详情",
        "detail",
    ),
    "index": ("编号", "序号", "#", "no.", "id", "index"),
}
_DATE = re.compile(r"^\s*(\d{4})\s*[./\-年]\s*(\d{1,2})(?:\s*[./\-月]\s*(\d{1,2})\s*日?)?\s*$")
_YEAR = re.compile(r"^\s*((?:19|20)\d{2})\s*年?\s*$")
_SENTENCE = re.compile(r"[。，；！？.,;!?]\s")
SHORT = 60  # longer cell text is a description, whatever its column says
# A leading date or arXiv subject that tables glue onto link texts: "2019/04/11, Human-Computer Interaction
# (cs.HC), Visualizing …".
_TITLE_DATE = re.compile(r"^\s*\d{4}\s*[./\-年]\s*\d{1,2}(?:\s*[./\-月]\s*\d{1,2}\s*日?)?\s*[,，;；:：|]?\s*")
_TITLE_SUBJECT = re.compile(r"^\s*[A-Z][A-Za-z\s\-&,]{2,60}\((?:[a-z\-]+)\.[A-Za-z\-]{2,}\)\s*[,，;；:：|]?\s*")


@dataclass
class RowFields:
    published: str | None = None
    affiliation: str | None = None
    authors: list[dict[str, str]] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    note_parts: list[str] = field(default_factory=list)

    @property
    def note(self) -> str | None:
        return " — ".join(p for p in self.note_parts if p) or None


def column(header: list[str], role: str) -> int | None:
    for i, name in enumerate(header):
        low = name.lower().strip()
        if role == "index":
            if low in COLUMN_ROLES["index"]:
                return i
        elif any(word in low for word in COLUMN_ROLES[role]):
            return i
    return None


def as_date(text: str) -> str | None:
    """`2024/07`, `2024-07-15`, `2024年7月` → `2024-07`(-15); None when the text is not just a date."""
    m = _DATE.match(text)
    if m and 1 <= int(m.group(2)) <= 12:
        day = m.group(3)
        return f"{m.group(1)}-{int(m.group(2)):02d}" + (f"-{int(day):02d}" if day and 1 <= int(day) <= 31 else "")
    y = _YEAR.match(text)
    return y.group(1) if y else None


def clean_title(text: str) -> tuple[str, str | None]:
    """A link text without the date and arXiv subject a table glued in front; also returns that date."""
    date = None
    m = _TITLE_DATE.match(text)
    if m and len(text) > m.end() + 8:
        date = as_date(re.sub(r"[,，;；:：|\s]+$", "", m.group(0)))
        text = text[m.end() :]
    s = _TITLE_SUBJECT.match(text)
    if s and len(text) > s.end() + 8:
        text = text[s.end() :]
    return text.strip(), date


def _plain(cell: Line) -> str:
    """The cell's own words: link texts and URLs removed (they are items, not descriptions)."""
    text = cell.text
    for link in sorted(cell.links, key=lambda lk: lk.start, reverse=True):
        if 0 <= link.start <= link.end <= len(text):
            text = text[: link.start] + " " + text[link.end :]
    return re.sub(r"\s+", " ", BARE_URL.sub(" ", text)).strip(" ,，。:：;；-—|")


def row_fields(block: Block, link_col: int) -> RowFields:
    """What the row's other cells say about its items."""
    header, cells = block.header, block.cells
    roles = {role: column(header, role) for role in COLUMN_ROLES}
    fields = RowFields()
    for i, cell in enumerate(cells):
        if i == link_col:
            continue
        text = cell.text.strip()
        plain = _plain(cell) if cell.links else text
        if not plain or plain.upper() in ("NA", "N/A", "-", "无", "TBD"):
            continue
        date = as_date(plain)
        if date:
            fields.published = fields.published or date
        elif i == roles["index"] and plain.isdigit():
            continue
        elif len(plain) > SHORT or _SENTENCE.search(plain):
            fields.note_parts.append(plain[:4000])  # a description, whichever column it is in
        elif i == roles["team"]:
            fields.affiliation = fields.affiliation or plain
        elif i == roles["author"]:
            fields.authors = fields.authors or [
                {"name": n.strip()} for n in re.split(r"[,，、;；]", plain) if n.strip()
            ]
        elif i == roles["category"] and not cell.links:
            fields.tags.append(plain)
        elif i == roles["note"] or len(plain) > 20:
            fields.note_parts.append(plain)
    return fields
