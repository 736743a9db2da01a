"""CSL-JSON (Zotero/Better BibTeX "Export as CSL JSON", pandoc, Mendeley) → drafts."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path

from readlist.errors import InvalidInputError
from readlist.importer.entry import Parsed, identify, iso_date, published, split_tags
from readlist.importer.idscan import Identifiers, names_arxiv, scan
from readlist.store.records import ItemDraft, NoteDraft, SourceDraft
from readlist.text.names import full_name

_IDENTIFIER_FIELDS = ("DOI", "URL", "number", "note", "container-title", "archive_location", "publisher")
_NOT_IDENTIFIERS = frozenset({"title", "abstract", "author", "editor", "page", "id", "citation-key", "keyword"})
_IDENTITY_NOTE = re.compile(r"\s*arxiv:?\s*\S+(\s*\[[\w.\-]+\])?\s*", re.IGNORECASE)
_WEB_TYPES = frozenset({"webpage", "post-weblog", "post"})
_CITEKEY = re.compile(r"^[\w][\w:.+\-/]*$")
_CSL_TYPES = frozenset(
    {
        "article",
        "article-journal",
        "article-magazine",
        "article-newspaper",
        "paper-conference",
        "book",
        "chapter",
        "thesis",
        "report",
        "webpage",
        "post-weblog",
        "post",
        "manuscript",
        "dataset",
        "software",
        "speech",
        "document",
        "entry-encyclopedia",
        "motion_picture",
        "patent",
        "personal_communication",
        "review",
        "standard",
        "interview",
        "legal_case",
        "bill",
        "map",
    }
)


# Another tool's JSON: every record is read as `Mapping[str, object]` and each value checked where it is used,
# so a field of the wrong shape (a number for a name, a string for a list) reads as missing, never a crash.


_TOO_DEEP = object()  # JSON nested deeper than Python's parser goes: an error naming the file, never 0 items
_JSON_WORDS = frozenset("0123456789+-.eEtruefalsn,: \t\r\n")


def _records(text: str) -> list[object] | object | None:
    stripped = text.strip()
    if not stripped.startswith(("[", "{")):
        return None
    try:
        data: object = json.loads(stripped)
    except json.JSONDecodeError:
        return None
    except RecursionError:  # arrays or objects nested about a thousand deep or more
        return _TOO_DEEP if _balanced_json(stripped) else None
    if isinstance(data, dict):
        data = data.get("items") if isinstance(data.get("items"), list) else [data]
    return data if isinstance(data, list) else None


def _balanced_json(text: str) -> bool:
    """Whether `text` has JSON's shape (strings, brackets that pair up, literals) without recursing into it: a
    markdown note that starts with `[[[` is not JSON that is too deep."""
    closing = {"[": "]", "{": "}"}
    stack: list[str] = []
    at, end = 0, len(text)
    while at < end:
        char = text[at]
        if char == '"':
            at += 1
            while at < end and text[at] != '"':
                at += 2 if text[at] == "\\" else 1
            if at >= end:
                return False
        elif char in closing:
            stack.append(closing[char])
        elif char in "]}":
            if not stack or stack.pop() != char:
                return False
        elif char not in _JSON_WORDS:
            return False
        at += 1
    return not stack


def _objects(value: object) -> list[Mapping[str, object]]:
    """The JSON objects in a JSON array; empty when `value` is not an array."""
    return [entry for entry in value if isinstance(entry, dict)] if isinstance(value, list) else []


def matches(text: str) -> bool:
    """A JSON list of objects that carry CSL's `type` vocabulary and no readlist `key`."""
    rows = _records(text)
    if rows is _TOO_DEEP:
        return True  # claimed, so that to_drafts says why nothing can be read from it
    if not isinstance(rows, list) or not rows:
        return False
    objects = _objects(rows[:50])
    return bool(objects) and all(_is_csl_type(r.get("type")) and "key" not in r for r in objects)


def _is_csl_type(value: object) -> bool:
    return isinstance(value, str) and value in _CSL_TYPES


def _date(value: object) -> tuple[str | None, str | None]:
    """CSL `{"date-parts": [[2023, 5, 1]]}` (or `{"raw": "2023-05-01"}`) → (published, ISO timestamp)."""
    if not isinstance(value, dict):
        return None, None
    date: Mapping[str, object] = value
    parts = date.get("date-parts")
    if isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0]:
        bits = [str(p) for p in parts[0][:3]]
        pub = published(*bits) if bits else None
        return pub, iso_date("-".join(b.zfill(2) for b in bits)) if pub else None
    raw = date.get("raw") or date.get("literal")
    if isinstance(raw, str):
        return published(raw[:4], raw[5:7] or None, raw[8:10] or None), iso_date(raw)
    return None, None


def _authors(people: object) -> list[dict[str, str]]:
    out = []
    for person in _objects(people):
        literal = person.get("literal")
        name = (
            literal
            if isinstance(literal, str) and literal
            else full_name(
                *(_part(person, k) for k in ("given", "family")),
                particle=_part(person, "non-dropping-particle"),
                suffix=_part(person, "suffix"),
            )
        )
        if name.strip():
            out.append({"name": " ".join(name.split())})
    return out


def _part(person: Mapping[str, object], name: str) -> str:
    value = person.get(name)
    return str(value) if isinstance(value, str | int) else ""


def _text(row: Mapping[str, object], name: str) -> str | None:
    value = row.get(name)
    if isinstance(value, int | float):
        return str(value)
    return " ".join(value.split()) if isinstance(value, str) and value.strip() else None


def _identifiers(row: Mapping[str, object]) -> Identifiers:
    """The DOI and arXiv ID wherever the record keeps them (`DOI`, `URL`, `number`, `note`, `container-title`…)."""
    names = [*_IDENTIFIER_FIELDS, *(k for k in row if k not in _IDENTIFIER_FIELDS and k not in _NOT_IDENTIFIERS)]
    pairs = [(name, value) for name in names if (value := _text(row, name))]
    return scan(pairs, arxiv_fields=(), doi_fields=("DOI",))


def _only_identity(note: str) -> bool:
    """Zotero's `arXiv: 2106.09685` note is the paper's identifier, not something the user wrote."""
    return bool(_IDENTITY_NOTE.fullmatch(note))


def record_draft(row: Mapping[str, object], path: str, index: int) -> ItemDraft | str:
    csl_type = str(row.get("type") or "")
    title = _text(row, "title")
    found = _identifiers(row)
    ref = identify(
        arxiv=found.arxiv_text,
        doi=found.doi,
        url=_text(row, "URL"),
        title=title,
        paper=csl_type not in _WEB_TYPES,
    )
    if ref is None:
        return "no title, URL, DOI or arXiv ID"
    raw_id = str(row.get("citation-key") or row.get("id") or "")
    key = raw_id if _CITEKEY.match(raw_id) and "/" not in raw_id and not raw_id.isdigit() else None
    pub, _ = _date(row.get("issued"))
    _, accessed = _date(row.get("accessed"))
    source = f"{path}#{key or index}"
    venue = _text(row, "container-title") or _text(row, "event-title")
    draft = ItemDraft(
        ref=ref,
        title=title,
        abstract=_text(row, "abstract"),
        authors=_authors(row.get("author") or row.get("editor")),
        published=pub,
        venue=None if venue and names_arxiv(venue) else venue,
        tags=split_tags(_text(row, "keyword")),
        notes=[NoteDraft(str(row["note"]).strip(), f"{source}:note")]
        if _text(row, "note") and not _only_identity(str(row["note"]))
        else [],
        sources=[SourceDraft(path, index + 1, key or f"#{index + 1}")],
        citation_key=key,
    )
    if pub:
        draft.extra["year"] = int(pub[:4])
    if accessed:
        draft.extra["added_at"] = accessed
    return draft


def to_drafts(text: str, path: str) -> Parsed:
    parsed = Parsed()
    rows = _records(text)
    if rows is _TOO_DEEP:
        raise InvalidInputError(
            f"{Path(path).name} nests arrays or objects too deeply to read (about 1,000 levels or more)",
            "CSL-JSON records nest a few levels: export the file again from its tool, or remove the nesting",
        )
    for index, row in enumerate(rows if isinstance(rows, list) else []):
        if not isinstance(row, dict):
            parsed.skip(None, f"record {index + 1} is not an object, skipped")
            continue
        draft = record_draft(row, path, index)
        if isinstance(draft, str):
            parsed.skip(None, f"record {index + 1} ({row.get('id', '?')}): {draft}, skipped")
        else:
            parsed.drafts.append(draft)
    return parsed
