"""Exports: JSON/JSONL (lossless, stable order, so git merges cleanly), BibTeX and CSV."""

from __future__ import annotations

import csv
import io
import json
import math
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from readlist.domain import Kind

if TYPE_CHECKING:
    from readlist.store.records import ExportRecord

from readlist.term.csvcells import CONTROL, csv_cell, csv_lines
from readlist.term.width import json_safe

encode_basestring = json.encoder.encode_basestring  # the C version when the standard library has it

__all__ = ["FORMATS", "chunks", "csv_cell", "csv_lines", "render"]

FORMATS = ("jsonl", "json", "bibtex", "csv")


_GROUP = 200  # records encoded into one piece of text


def _groups(rows: Iterable[ExportRecord]) -> Iterator[list[ExportRecord]]:
    group: list[ExportRecord] = []
    for r in rows:
        group.append(r)
        if len(group) == _GROUP:
            yield group
            group = []
    if group:
        yield group


def jsonl_chunks(rows: Iterable[ExportRecord]) -> Iterator[str]:
    """One line per record, as `json_dumps(record, sort_keys=True)` writes it."""
    encode = json.JSONEncoder(ensure_ascii=False, sort_keys=True).encode  # made once, not once a record
    for group in _groups(rows):
        yield json_safe("".join([encode(r) + "\n" for r in group]))


def json_chunks(rows: Iterable[ExportRecord]) -> Iterator[str]:
    """The JSON array `json_dumps(records, sort_keys=True, indent=2)` writes, a group of records at a time."""
    first = True
    for group in _groups(rows):
        parts = []
        for r in group:
            parts.append(("[\n  " if first else ",\n  ") + indented(r, 1))
            first = False
        yield json_safe("".join(parts))
    yield "[]\n" if first else "\n]\n"


def indented(value: object, level: int) -> str:
    """`value` as `json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False)` writes it at depth `level`:
    the standard library indents in pure Python, one generator per value; this is several times faster (the
    scalars most values are encode by their type's C function, a key's text and indent are made once)."""
    scalar = _SCALARS.get(type(value))
    if scalar is not None:
        return scalar(value)
    if isinstance(value, dict):
        if not value:
            return "{}"
        shape = (level, *value)  # records of one kind share their keys: sorted and prefixed once per shape
        lines = _SHAPES.get(shape)
        if lines is None:
            if not all(type(k) is str for k in value):
                return _mixed_keys(value, level)
            lines = [(k, _INDENT[level + 1] + encode_basestring(k) + ": ") for k in sorted(value)]
            if len(_SHAPES) < 4096:  # the record's own shapes; a user's details are bounded by this
                _SHAPES[shape] = lines
        parts = []
        for k, prefix in lines:
            v = value[k]
            enc = _SCALARS.get(type(v))
            parts.append(prefix + (enc(v) if enc is not None else indented(v, level + 1)))
        return "{" + ",".join(parts) + _INDENT[level] + "}"
    if isinstance(value, list | tuple):
        if not value:
            return "[]"
        inner = _INDENT[level + 1]
        return "[" + inner + ("," + inner).join([indented(v, level + 1) for v in value]) + _INDENT[level] + "]"
    if isinstance(value, str):  # a StrEnum (kind, status): its value
        return encode_basestring(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, float):
        return _float(value)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def _mixed_keys(value: dict[Any, Any], level: int) -> str:
    """A dict whose keys are not all text, as json.dumps writes it (its keys made text, then sorted)."""
    parts = []
    for k, v in sorted(value.items()):
        parts.append(_INDENT[level + 1] + encode_basestring(str(k)) + ": " + indented(v, level + 1))
    return "{" + ",".join(parts) + _INDENT[level] + "}"


class _Indents(dict[int, str]):
    """A line break and the indent of a depth ("\\n" + two spaces a level), made once per depth."""

    def __missing__(self, level: int) -> str:
        self[level] = text = "\n" + "  " * level
        return text


_INDENT = _Indents()
_SHAPES: dict[tuple[object, ...], list[tuple[str, str]]] = {}  # (depth, *keys) → sorted (key, "indent key": )


def _float(value: float) -> str:
    if value != value:
        return "NaN"
    if value in (math.inf, -math.inf):
        return "Infinity" if value > 0 else "-Infinity"
    return float.__repr__(value)


# Exact types only: a subclass (a StrEnum, an IntEnum) takes indented's isinstance path, as json.dumps treats it.
_SCALARS: dict[type, Callable[[Any], str]] = {
    str: encode_basestring,
    type(None): lambda _: "null",
    bool: lambda v: "true" if v else "false",
    int: int.__repr__,
    float: lambda v: _float(v),
}


CSV_COLUMNS = (
    "key",
    "kind",
    "title",
    "authors",
    "url",
    "arxiv_id",
    "status",
    "priority",
    "rating",
    "tags",
    "venue",
    "published",
    "added_at",
    "finished_at",
    "note",
)


def csv_chunks(rows: Iterable[ExportRecord], bom: bool = False) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    if bom:
        buffer.write("\ufeff")
    writer.writerow(CSV_COLUMNS)
    for r in rows:
        writer.writerow(
            [
                csv_cell(c)
                for c in [
                    r["key"],
                    r["kind"],
                    r["title"],
                    "; ".join(a["name"] for a in r["authors"]),
                    r["url"],
                    r["arxiv_id"] or "",
                    r["status"],
                    r["priority"],
                    r["rating"] or "",
                    "; ".join(r["tags"]),
                    r["venue"] or "",
                    r["published"] or "",
                    r["added_at"],
                    r["finished_at"] or "",
                    r["notes"][0]["body"] if r["notes"] else "",
                ]
            ]
        )
        if buffer.tell() > _CHUNK:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


_CHUNK = 1 << 16  # characters gathered before a chunk is handed on


_BIB_SPECIAL = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
# A venue name with one of these words is a conference (its papers are @inproceedings), when no source said.
_CONFERENCE_WORDS = (
    "proceedings conference symposium workshop meeting iclr neurips nips icml cvpr iccv eccv acl emnlp naacl "
    "osdi sosp nsdi eurosys asplos isca hpca mlsys ppopp kdd aaai ijcai sigmod vldb"
)
CONFERENCE_WORDS = frozenset(_CONFERENCE_WORDS.split())


def bib_escape(text: str) -> str:
    """Text that LaTeX prints as it is (a regex finds the few special characters: a loop over every character
    cost most of a large export's time)."""
    return _BIB_SPECIAL_RE.sub(lambda m: _BIB_SPECIAL[m.group(0)], CONTROL.sub("", text))


def bib_url(url: str) -> str:
    """A URL whose braces, backslashes and spaces are percent-encoded, so the entry's braces stay balanced."""
    return _URL_UNSAFE_RE.sub(lambda m: _URL_UNSAFE[m.group(0)], url)


_URL_UNSAFE = {"{": "%7B", "}": "%7D", "\\": "%5C", " ": "%20", "\n": "%0A", "\r": "%0D", "\t": "%09"}
_URL_UNSAFE_RE = re.compile("|".join(map(re.escape, _URL_UNSAFE)))
_BIB_SPECIAL_RE = re.compile("|".join(map(re.escape, _BIB_SPECIAL)))


def bib_key(record: ExportRecord) -> str:
    """The stored citation key; for an item without one yet, the key it gets (`frantar2024marlin`, or from its
    ID while its metadata is unknown: `arxiv240811743`)."""
    from readlist.store.citekeys import arxiv_year, mint

    if record.get("citation_key"):
        return str(record["citation_key"])
    year = record.get("year") or arxiv_year(record.get("arxiv_id")) or _year(record)
    authors = [{"name": a["name"]} for a in record["authors"]]
    title = record.get("short_name") or record["title"]
    return mint(record["kind"], title, authors, int(year) if year else None, record["key"])


def _year(record: ExportRecord) -> str:
    return str(record.get("year") or (record.get("published") or "")[:4] or "")


# A work type (Crossref's words, as BibTeX import maps them: importer/bibfields.py) → its BibTeX entry type.
_ENTRY_OF_WORK = {
    "proceedings-article": "inproceedings",
    "journal-article": "article",
    "book": "book",
    "book-chapter": "incollection",
    "dissertation": "phdthesis",
    "report": "techreport",
}


def entry_type(record: ExportRecord) -> str:
    """@inproceedings / @article for published papers, @misc for preprints, @online for articles, @software."""
    if record["kind"] == Kind.REPO:
        return "software"
    if record["kind"] == Kind.ARTICLE:
        return "online"
    work_type, venue = record.get("work_type"), record.get("venue")
    if work_type in _ENTRY_OF_WORK:
        return _ENTRY_OF_WORK[work_type]
    if venue:
        words = set(re.findall(r"[a-z]+", venue.lower()))
        return "inproceedings" if words & CONFERENCE_WORDS else "article"
    return "misc"


def _fields(r: ExportRecord, kind: str) -> list[tuple[str, str]]:
    fields = [("title", "{" + bib_escape(r["title"]) + "}")]
    if r["authors"]:
        fields.append(("author", " and ".join(bib_escape(a["name"]) for a in r["authors"])))
    from readlist.store.citekeys import arxiv_year

    year = _year(r) or str(arxiv_year(r.get("arxiv_id")) or "")
    if year:
        fields.append(("year", year))
    venue_field = {
        "inproceedings": "booktitle",
        "incollection": "booktitle",
        "article": "journal",
        "phdthesis": "school",
        "techreport": "institution",
    }.get(kind)
    if venue_field and (venue := r.get("venue")):
        fields.append((venue_field, bib_escape(venue)))
    if kind == "online" and (site := r.get("site")):
        fields.append(("organization", bib_escape(site)))
    if kind == "software" and (description := (r.get("details") or {}).get("description")):
        fields.append(("note", bib_escape(str(description))))
    if arxiv_id := r.get("arxiv_id"):
        # As arXiv's own export does; a published paper keeps them too, so readers can find the free version.
        fields += [("eprint", arxiv_id), ("archivePrefix", "arXiv")]
        if category := r.get("primary_category"):
            fields.append(("primaryClass", category))
    if doi := r.get("doi"):
        fields.append(("doi", bib_escape(doi)))
    if r["url"]:  # an imported reference known only by its title has none
        fields.append(("url", bib_url(r["url"])))
    if r["tags"]:
        fields.append(("keywords", bib_escape(", ".join(r["tags"]))))
    if r.get("attachments"):  # Better BibTeX's form: paths joined by `;` (import reads it back)
        fields.append(("file", ";".join(a["path"].replace(";", "\\;") for a in r["attachments"])))
    return fields


def bibtex_chunks(
    rows: Iterable[ExportRecord], taken: set[str], minted: list[tuple[str, str]] | None = None
) -> Iterator[str]:
    """Entries one at a time; `taken`: the stored citation keys of the exported items (the others' keys are
    made beside them, and added to it); `minted` collects (citation key, item key) of keys made here."""
    from readlist.store.citekeys import unique_key

    separator = ""
    for r in rows:
        key = str(r["citation_key"]) if r.get("citation_key") else unique_key(bib_key(r), taken.__contains__)
        if not r.get("citation_key") and minted is not None:
            minted.append((key, r["key"]))
        taken.add(key)  # stable: rows come in key order, so the same library gives the same suffixes
        kind = entry_type(r)
        body = ",\n".join(f"  {name} = {{{value}}}" for name, value in _fields(r, kind))
        yield f"{separator}@{kind}{{{key},\n{body}\n}}\n"
        separator = "\n"


def chunks(
    fmt: str,
    rows: Iterable[ExportRecord],
    *,
    bom: bool = False,
    taken: set[str] | None = None,
    minted: list[tuple[str, str]] | None = None,
) -> Iterator[str]:
    """The export as pieces of text, written as they come (an export never holds all of itself); a BibTeX
    export adds the keys it made to `minted`, (citation key, item key)."""
    if fmt == "jsonl":
        return jsonl_chunks(rows)
    if fmt == "json":
        return json_chunks(rows)
    if fmt == "bibtex":
        return bibtex_chunks(rows, set() if taken is None else taken, minted)
    return csv_chunks(rows, bom=bom)


def render(fmt: str, rows: Sequence[ExportRecord], *, bom: bool = False) -> str:
    """The whole export as one text (small selections: a snapshot, the trash)."""
    taken = {str(r["citation_key"]) for r in rows if r.get("citation_key")}
    return "".join(chunks(fmt, rows, bom=bom, taken=taken))
