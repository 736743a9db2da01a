"""BibTeX/BibLaTeX (Zotero, Better BibTeX, JabRef, papis, pubs, Google Scholar) → drafts, via bibtexparser v2."""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import TYPE_CHECKING

from readlist.importer.entry import Parsed

if TYPE_CHECKING:
    from bibtexparser.model import Entry

# The first thing in a BibTeX file (after `%` comments and blank lines) is an `@type{` or `@type(` block.
_FIRST_BLOCK = re.compile(r"\A(?:\s*%[^\n]*\n|\s*\n)*\s*@[A-Za-z]+\s*[{(]")
_MONTHS = {
    m: str(i)
    for i, m in enumerate(["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1)
}
# Crossref parents that are containers (a proceedings volume), not something one reads on its own.
_CONTAINER_TYPES = frozenset({"proceedings", "mvproceedings", "collection", "mvcollection", "book", "mvbook"})


def matches(text: str) -> bool:
    return bool(_FIRST_BLOCK.match(text[:20_000]))


def _split_concat(raw: str) -> list[str]:
    """`"Advances in " # nips # {2020}` → its parts, split at `#` outside braces and quotes."""
    if "#" not in raw:
        return [raw.strip()]
    parts, depth, quoted, start = [], 0, False, 0
    for i, ch in enumerate(raw):
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        elif ch == '"' and depth == 0 and (i == 0 or raw[i - 1] != "\\"):
            quoted = not quoted
        elif ch == "#" and depth == 0 and not quoted:
            parts.append(raw[start:i])
            start = i + 1
    parts.append(raw[start:])
    return [p.strip() for p in parts]


def evaluate(raw: str, macros: dict[str, str]) -> str:
    """A field's value as BibTeX computes it: braces and quotes removed, `@string` macros and `#` resolved."""
    out = []
    for part in _split_concat(raw.strip()):
        if len(part) >= 2 and ((part[0] == "{" and part[-1] == "}") or (part[0] == '"' and part[-1] == '"')):
            out.append(part[1:-1])
        elif part.isdigit():
            out.append(part)
        else:
            out.append(macros.get(part.lower(), _MONTHS.get(part.lower()[:3], part) if part.isalpha() else part))
    return "".join(out)


def _strings(library: object) -> dict[str, str]:
    macros: dict[str, str] = {}
    for block in getattr(library, "strings", []):  # in order: a macro may use the ones defined before it
        macros[block.key.lower()] = evaluate(str(block.value), macros)
    return macros


def _fields(entry: Entry, macros: dict[str, str]) -> dict[str, str]:
    fields: dict[str, str] = {}
    for f in entry.fields:
        value = evaluate(str(f.value), macros)
        if len(value.strip()) > len(fields.get(f.key.lower(), "").strip()):  # a repeated field: the fuller value
            fields[f.key.lower()] = value
    return fields


def _inherit(entries: list[tuple[Entry, dict[str, str]]]) -> set[str]:
    """Fill each `crossref` child's missing fields from its parent; returns the container parents' keys."""
    by_key = {entry.key.lower(): fields for entry, fields in reversed(entries) if entry.key.strip()}  # the first
    types = {entry.key.lower(): entry.entry_type.lower() for entry, _ in reversed(entries)}
    containers: set[str] = set()
    for _, fields in entries:
        parent_key = fields.get("crossref", "").strip().lower()
        parent = by_key.get(parent_key)
        if parent is None:
            continue
        if types[parent_key] in _CONTAINER_TYPES:
            containers.add(parent_key)
        if "title" in parent and "booktitle" not in fields:
            fields["booktitle"] = parent["title"]
        for name, value in parent.items():
            if name not in fields and name not in ("title", "crossref", "ids"):
                fields[name] = value
    return containers


def _failure(block: object) -> str:
    raw = str(getattr(block, "raw", "") or "").strip().splitlines()
    head = raw[0][:60] if raw else ""
    return f"malformed entry {head!r} (unbalanced braces or quotes?), skipped"


def to_drafts(text: str, path: str) -> Parsed:
    """Every readable entry becomes a draft; a malformed one is reported with its line and skipped."""
    from bibtexparser.entrypoint import parse_string

    from readlist.importer.bibfields import entry_draft

    logging.getLogger("bibtexparser").setLevel(logging.CRITICAL)  # failures are reported by us, once
    library = parse_string(text, parse_stack=[])
    parsed = Parsed()
    recovered: list[Entry] = []
    for block in library.failed_blocks:
        entry = getattr(block, "ignore_error_block", None)
        if type(block).__name__ == "DuplicateFieldKeyBlock" and entry is not None:
            # A repeated field (two `doi`s) is a slip, not a broken entry: keep the entry and the fuller value.
            keys = ", ".join(sorted(getattr(block, "duplicate_keys", set())))
            parsed.notices.append(
                f"line {(entry.start_line or 0) + 1}: {entry.key!r} repeats {keys}; kept the fuller value"
            )
            recovered.append(entry)
        elif type(block).__name__ == "DuplicateBlockKeyBlock" and entry is not None:
            # JabRef writes `@InBook{,` for every entry without a key: each is still an entry of its own.
            if entry.key.strip():
                parsed.notices.append(
                    f"line {(entry.start_line or 0) + 1}: key {entry.key!r} is used twice; "
                    "both entries are imported, the key stays with the first"
                )
            recovered.append(entry)
        else:
            parsed.skip((block.start_line or 0) + 1, _failure(block))
    macros = _strings(library)
    in_order = sorted([*library.entries, *recovered], key=lambda entry: entry.start_line or 0)
    entries = [(entry, _fields(entry, macros)) for entry in in_order]
    containers = _inherit(entries)
    base = Path(path).parent
    missing: list[str] = []  # attached PDFs the file names that are not on this machine (or are not PDFs)
    for entry, fields in entries:
        if entry.key.lower() in containers:
            continue
        line = (entry.start_line or 0) + 1
        key = entry.key.strip() or f"line {line}"  # how the source and messages name a keyless entry
        draft = entry_draft(entry.entry_type.lower(), key, fields, path=path, base=base, missing=missing)
        if isinstance(draft, str):
            parsed.skip(line, f"entry {key!r}: {draft}, skipped")
        else:
            draft.sources[0].line = line
            draft.citation_key = entry.key.strip() or None  # a keyless entry gets a key minted from its metadata
            parsed.drafts.append(draft)
    parsed.problems.sort(key=lambda p: int(p.split(":")[0].removeprefix("line ")) if p.startswith("line ") else 0)
    if missing:
        shown = ", ".join(missing[:3]) + (f" and {len(missing) - 3} more" if len(missing) > 3 else "")
        parsed.notices.append(
            f"{len(missing)} attachment(s) not found here or not PDFs: {shown}; the entries are imported without them"
        )
    return parsed
