"""One BibTeX entry's fields → an ItemDraft: the field names each reference manager uses, mapped once."""

from __future__ import annotations

import re
from pathlib import Path

from readlist.importer.entry import (
    existing_file,
    identify,
    iso_date,
    published,
    split_tags,
)
from readlist.importer.idscan import Identifiers, names_arxiv, scan, untex
from readlist.importer.texdecode import decode
from readlist.store.records import ItemDraft, NoteDraft, SourceDraft
from readlist.text.names import full_name

# Entry types → the work types the library uses (Crossref's vocabulary).
WORK_TYPES = {
    "article": "journal-article",
    "inproceedings": "proceedings-article",
    "conference": "proceedings-article",
    "incollection": "book-chapter",
    "inbook": "book-chapter",
    "book": "book",
    "phdthesis": "dissertation",
    "mastersthesis": "dissertation",
    "thesis": "dissertation",
    "techreport": "report",
    "report": "report",
    "online": "webpage",
    "electronic": "webpage",
    "www": "webpage",
    "webpage": "webpage",
    "software": "software",
    "dataset": "dataset",
    "unpublished": "posted-content",
    "misc": None,
}
_WEB_TYPES = frozenset({"online", "electronic", "www", "webpage"})
TAG_FIELDS = ("keywords", "tags", "mendeley-tags", "groups")
NOTE_FIELDS = ("annote", "note", "comment", "review", "annotation")
ADDED_FIELDS = ("dateadded", "date-added", "creationdate", "timestamp", "added-at", "urldate")
VENUE_FIELDS = ("journal", "journaltitle", "booktitle", "eventtitle", "school", "institution")
# Where tools put identifiers, most dedicated first (DBLP: `ee`, CoRR's `volume = {abs/…}`; Scholar: `journal`).
_ARXIV_FIELDS = ("eprint", "arxiv", "arxivid", "arxiv_id", "arxiv-id")
_IDENTIFIER_FIELDS = (*_ARXIV_FIELDS, "doi", "url", "ee", "howpublished", "journal", "journaltitle", "volume")
# Fields that hold no identifier of this entry (an abstract may cite another work's DOI).
_NOT_IDENTIFIERS = frozenset(
    {"title", "author", "editor", "abstract", "file", "pages", "keywords", "timestamp", "date", "year", "month"}
)
_NAME_SPLIT = re.compile(r"\s+and\s+", re.IGNORECASE)
_UNESCAPED = re.compile(r"(?<!\\)[;]")


def split_names(raw: str) -> list[str]:
    """`Müller, Hans and {OpenAI} and 张, 三 and others` → [`Hans Müller`, `OpenAI`, `张三`]: `and` inside braces
    is a name."""
    names, start, depth, seen = [], 0, 0, 0
    for m in _NAME_SPLIT.finditer(raw):
        depth += raw.count("{", seen, m.start()) - raw.count("}", seen, m.start())  # one pass: 400-author papers
        seen = m.start()
        if m.start() > 0 and depth == 0:
            names.append(raw[start : m.start()])
            start = m.end()
    names.append(raw[start:])
    out = []
    for name in names:
        parts = [decode(p) for p in _split_commas(name)]
        if not parts[0] or parts[0].lower() == "others":
            continue
        # `Last, First` and `Last, Jr., First` (BibTeX's forms) → `First Last Jr.`; `张, 三` → `张三`
        if len(parts) == 2:
            full = full_name(parts[1], parts[0])
        elif len(parts) >= 3:
            full = full_name(parts[2], parts[0], suffix=parts[1])
        else:
            full = parts[0]
        out.append(" ".join(full.split()))
    return out


def _split_commas(name: str) -> list[str]:
    if "{" not in name:
        return [p.strip() for p in name.split(",")]
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(name):
        depth += (ch == "{") - (ch == "}")
        if ch == "," and depth == 0:
            parts.append(name[start:i])
            start = i + 1
    parts.append(name[start:])
    return [p.strip() for p in parts]


def attached_files(value: str, base: Path, missing: list[str] | None = None) -> list[str]:
    """PDF paths from a `file` field in any manager's form, kept only if a PDF is there on this machine; the
    others, as written, go to `missing` (the import warns of them).

    Zotero/JabRef `Description:path:type;…` (colons in paths escaped as `\\:`), Mendeley `:path:pdf`,
    Better BibTeX/papis/pubs plain paths (relative ones from the .bib file's folder)."""
    from readlist.files import is_pdf

    found = []
    for chunk in _UNESCAPED.split(value):
        chunk = chunk.strip()
        pieces = re.split(r"(?<!\\):", chunk)
        if len(pieces) >= 3:
            raw = ":".join(pieces[1:-1])
            kind = pieces[-1].lower()
        else:
            raw, kind = chunk, ""
        raw = raw.replace("\\:", ":").replace("\\\\", "\\")
        if not (raw.lower().endswith(".pdf") or "pdf" in kind):
            continue
        path = existing_file(raw, base) or (existing_file("/" + raw, base) if not raw.startswith("/") else None)
        if path is None or not is_pdf(path):
            if missing is not None and raw.strip():
                missing.append(raw.strip())
        elif path not in found:
            found.append(path)
    return found


def _identifiers(fields: dict[str, str]) -> Identifiers:
    """Every field may carry the entry's arXiv ID or DOI; the dedicated ones are read first."""
    prefix = (fields.get("archiveprefix") or fields.get("eprinttype") or "").strip().lower()
    skip = _NOT_IDENTIFIERS | ({"eprint"} if prefix not in ("arxiv", "") else set())
    first = [name for name in _IDENTIFIER_FIELDS if name in fields and name not in skip]
    rest = [name for name in fields if name not in first and name not in skip]
    return scan([(name, fields[name]) for name in [*first, *rest]], arxiv_fields=_ARXIV_FIELDS, doi_fields=("doi",))


def _venue(fields: dict[str, str]) -> str | None:
    for name in VENUE_FIELDS:
        value = fields.get(name)
        if value and not names_arxiv(value):
            return decode(value)
    return None


def entry_draft(
    entry_type: str,
    key: str,
    fields: dict[str, str],
    *,
    path: str,
    base: Path,
    missing: list[str] | None = None,
) -> ItemDraft | str:
    """The draft for one entry, or why it cannot become one."""
    title = decode(fields["title"]) if fields.get("title") else None
    url = untex(fields.get("url") or fields.get("howpublished") or "").strip() or None
    found = _identifiers(fields)
    ref = identify(
        arxiv=found.arxiv_text,
        doi=found.doi,
        url=url,
        title=title,
        # @misc is whatever it links to (a zhihu post is an article); without a link it is most often a report
        paper=entry_type not in _WEB_TYPES and not (entry_type == "misc" and url),
    )
    if ref is None:
        return "no title, URL, DOI or arXiv ID"
    date = (fields.get("date") or "").split("/")[0]
    year = fields.get("year") or date[:4]
    month = fields.get("month") or (date[5:7] if len(date) >= 7 else None)
    day = date[8:10] if len(date) >= 10 else None
    source = f"{path}#{key}"
    draft = ItemDraft(
        ref=ref,
        title=title,
        abstract=decode(fields["abstract"]) if fields.get("abstract") else None,
        authors=[{"name": n} for n in split_names(fields.get("author") or fields.get("editor") or "")],
        published=published(year.strip() if year else None, month, day),
        venue=_venue(fields),
        tags=[decode(t) for name in TAG_FIELDS for t in split_tags(fields.get(name))],
        notes=[
            NoteDraft(decode(fields[name]) if name == "note" else fields[name].strip(), f"{source}:{name}")
            for name in NOTE_FIELDS
            if fields.get(name, "").strip() and not _only_identity(fields[name])
        ],
        sources=[SourceDraft(path, 0, key)],
        citation_key=key,
        attachments=attached_files(fields["file"], base, missing) if fields.get("file") else [],
    )
    if year and year.strip().isdigit():
        draft.extra["year"] = int(year.strip())
    work_type = WORK_TYPES.get(entry_type)
    if work_type:
        draft.extra["work_type"] = work_type
    added = next((iso_date(fields[n]) for n in ADDED_FIELDS if iso_date(fields.get(n))), None)
    if added:
        draft.extra["added_at"] = added
    return draft


def _only_identity(text: str) -> bool:
    """Zotero writes `arXiv:2106.09685 [cs]` into `note`: an identifier, not the user's note."""
    return bool(re.fullmatch(r"\s*arxiv:\s*\S+(\s*\[[\w.\-]+\])?\s*", text, re.IGNORECASE))
