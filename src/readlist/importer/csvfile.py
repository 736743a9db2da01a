"""CSV reading lists → drafts: Zotero's CSV export, Pocket, Instapaper and Raindrop exports, a spreadsheet.

A header row names the columns; each field is found by the names those tools give it (any case), so a CSV
is a reading list only if one column holds links, DOIs or arXiv IDs. Parsing is the standard `csv` module's.
"""

from __future__ import annotations

import csv
import io
import re

from readlist.domain import Status
from readlist.ids import is_url
from readlist.importer.bookmarks import epoch
from readlist.importer.entry import Parsed, identify, iso_date, published
from readlist.importer.idscan import scan
from readlist.store.records import ItemDraft, NoteDraft, SourceDraft
from readlist.text.names import full_name

# Field → the header names that mean it, most specific first (Zotero, Pocket, Instapaper, Raindrop, by hand).
_NAMES: dict[str, tuple[str, ...]] = {
    "url": ("url", "link", "href", "uri", "address", "web address", "链接", "网址", "地址", "链接地址"),
    "doi": ("doi",),
    "arxiv": ("arxiv", "arxiv id", "arxiv_id", "eprint"),
    "title": ("title", "name", "paper", "paper title", "标题", "题目", "论文", "名称", "文章"),
    "authors": ("author", "authors", "creator", "creators", "作者"),
    "year": ("publication year", "year", "年份"),
    "date": ("date", "published", "publication date", "日期", "发表日期", "时间"),
    "venue": ("publication title", "venue", "journal", "conference", "会议", "期刊", "出处"),
    "abstract": ("abstract note", "abstract", "excerpt", "description", "summary", "摘要", "简介", "描述"),
    "note": ("notes", "note", "selection", "highlights", "comment", "comments", "备注", "笔记", "评论", "点评"),
    "tags": ("manual tags", "tags", "keywords", "tag", "labels", "标签", "关键词"),
    "folder": ("folder", "collection", "category", "分类", "文件夹", "收藏夹"),
    "added": ("date added", "time_added", "created", "timestamp", "added", "date_added", "添加时间", "收藏时间"),
    "status": ("status", "state", "read", "状态", "阅读状态"),
    # When it was read (Goodreads' `Date Read`, Pocket's `time_read`): never guessed from when it was added.
    "read_at": ("date read", "time_read", "read at", "read_at", "date finished", "finished_at", "读完时间", "阅读时间"),
    "type": ("item type", "type", "类型"),
    "key": ("citation key", "citekey"),
    "extra": ("extra",),  # Zotero keeps `arXiv: 2408.11743` there
}
_LINKS = ("url", "doi", "arxiv")
_WEB_TYPES = frozenset({"webpage", "blogpost", "forumpost", "podcast", "videorecording", "article", "bookmark"})
_READ = frozenset({"read", "archive", "archived", "done", "finished", "yes", "true", "1", "x", "已读", "读完"})
_READING = frozenset({"reading", "in progress", "started", "在读"})
_STATE_FOLDERS = frozenset({"unread", "archive", "starred"})  # Instapaper's own folders: states, not topics
_TAG_SPLIT = re.compile(r"\s*[;,|，；、]\s*")


def _delimiter(first_line: str) -> str | None:
    """The header's separator: the most frequent of comma, semicolon and tab (a header seldom quotes one).
    Quoting is always the spreadsheet kind (a quote doubled inside quotes), which guessing from data gets wrong."""
    counts = {sep: first_line.count(sep) for sep in (",", ";", "\t")}
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] else None


def _columns(header: list[str]) -> dict[str, int]:
    """Field → column index, by the header's names."""
    names = [h.strip().strip("\ufeff").casefold() for h in header]
    found: dict[str, int] = {}
    for field_name, aliases in _NAMES.items():
        index = next((names.index(a) for a in aliases if a in names), None)
        if index is not None and index not in found.values():
            found[field_name] = index
    return found


def matches(text: str) -> bool:
    """A header row of short names, one of which is a link, DOI or arXiv column (alone, or among others)."""
    first = text.lstrip("\ufeff").split("\n", 1)[0].rstrip("\r")
    if len(first) > 2000 or first.lstrip().startswith(("#", "[", "{", "<", "-", "|")):
        return False
    header = next(csv.reader([first], delimiter=_delimiter(first) or ","), [])
    if any(len(h) > 40 for h in header) or not any(f in _columns(header) for f in _LINKS):
        return False
    return len(header) >= 2 or "\n" in text.strip()  # one column: `url` over a list of links


def _authors(value: str) -> list[dict[str, str]]:
    """`Frantar, Elias; Castro, Roberto L.` (Zotero) or `Elias Frantar, Roberto Castro`."""
    people = value.split(";") if ";" in value else value.split(",") if value.count(",") != 1 else [value]
    names = []
    for person in people:
        last, _, first = (part.strip() for part in person.partition(","))
        name = full_name(first, last)  # 张, 三 is 张三: a Chinese name keeps its order
        if name:
            names.append({"name": " ".join(name.split())})
    return names


def _plain(value: str) -> str:
    """Zotero writes its notes as HTML: their text."""
    if not value.startswith("<"):
        return value
    import lxml.html

    try:
        return " ".join(lxml.html.fromstring(value).text_content().split())
    except (ValueError, lxml.etree.ParserError):
        return value


def _status(value: str) -> str | None:
    word = value.strip().casefold()
    return Status.READ if word in _READ else Status.READING if word in _READING else None


def _row_draft(row: list[str], columns: dict[str, int], path: str, line: int) -> ItemDraft | str:
    def get(name: str) -> str:
        index = columns.get(name)
        return " ".join(row[index].split()) if index is not None and index < len(row) else ""

    title, kind, link = get("title"), get("type").casefold().replace(" ", ""), get("url")
    # an arXiv column, `arXiv:2408.11743v2` or `doi:10.1145/…` as the link, Zotero's Extra, a venue or note
    named = [(name, get(name)) for name in ("arxiv", "doi", "url", "extra", "venue", "note")]
    others = [(f"#{i}", " ".join(cell.split())) for i, cell in enumerate(row) if i not in columns.values()]
    found = scan([*named, *others], arxiv_fields=("arxiv",), doi_fields=("doi",))  # Zotero's `Report Number`…
    if link and not (found.arxiv or found.doi or is_url(link)):
        return f"{link[:60]!r} is not a web link"
    ref = identify(
        arxiv=found.arxiv_text,  # the version as written
        doi=found.doi,
        url=link,
        title=title,  # a row with a title and nothing else is kept, as BibTeX entries without links are
        paper=bool(kind) and kind not in _WEB_TYPES,
    )
    if ref is None:
        return "no title, link, DOI or arXiv ID"
    date = re.split(r"[-/]", get("date"))[:3]
    pub = published(*date) if date[0].isdigit() and (not get("year") or date[0] == get("year")) else None
    pub = pub or published(get("year"))
    folder = get("folder")
    state_folder = folder.casefold() in _STATE_FOLDERS
    status = _status(get("status")) or (_status(folder) if state_folder else None)
    tags = [t for t in _TAG_SPLIT.split(get("tags")) if t] + ([folder] if folder and not state_folder else [])
    added = get("added")
    source = f"{path}#{line}"
    draft = ItemDraft(
        ref=ref,
        title=title if title and title != get("url") else None,
        abstract=get("abstract") or None,
        authors=_authors(get("authors")),
        published=pub,
        venue=get("venue") or None,
        status=status,
        tags=tags,
        notes=[NoteDraft(note, f"{source}:note")] if (note := _plain(get("note"))) else [],
        sources=[SourceDraft(path, line, f"#{line}")],
        citation_key=get("key") or None,
    )
    stamp = epoch(added) if added.isdigit() else iso_date(added)
    if stamp:
        draft.extra["added_at"] = stamp
    if status == Status.READ and (finished := _when(get("read_at"))):
        draft.extra["finished_at"] = finished
    return draft


def _when(value: str) -> str | None:
    """A date or epoch seconds; Pocket writes 0 for "never"."""
    if value.strip("0") == "":
        return None
    return epoch(value) if value.isdigit() else iso_date(value)


def to_drafts(text: str, path: str) -> Parsed:
    parsed = Parsed()
    text = text.lstrip("\ufeff")
    delimiter = _delimiter(text.split("\n", 1)[0]) or ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter, strict=True)
    line = 1
    try:
        columns = _columns(next(reader, []))
        line = reader.line_num + 1
        for row in reader:
            if any(cell.strip() for cell in row):
                draft = _row_draft(row, columns, path, line)
                if isinstance(draft, str):
                    parsed.skip(line, f"{draft}, skipped")
                else:
                    parsed.drafts.append(draft)
            line = reader.line_num + 1
    except csv.Error as exc:  # an unclosed quote swallows the rest: say so rather than import one giant cell
        parsed.skip(line, f"{exc} (an unclosed quote?); this row and the rest of the file were not read")
    return parsed
