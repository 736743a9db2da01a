"""What the reference-manager formats share: identity from arXiv ID/DOI/URL/title, dates, tags, attached files."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

from readlist.domain import Kind
from readlist.ids import (
    Reference,
    arxiv_reference,
    doi_reference,
    find_arxiv_id_in_url,
    is_url,
    parse_arxiv_id,
    url_reference,
)
from readlist.store.records import ItemDraft

_TITLE_KEY = re.compile(r"[\W_]+")
_DATE = re.compile(r"^(\d{4})(?:[-/](\d{1,2})(?:[-/](\d{1,2}))?)?(?:[T ](\d{1,2}):(\d{2})(?::(\d{2}))?)?")


@dataclass
class Parsed:
    """One file's drafts, and the entries that could not be read (`line 12: …`), which were skipped; `notices`
    warn of entries that were read all the same (a repeated key)."""

    drafts: list[ItemDraft] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    skipped: int = 0
    notices: list[str] = field(default_factory=list)

    def skip(self, line: int | None, why: str) -> None:
        self.problems.append(f"line {line}: {why}" if line else why)
        self.skipped += 1


def identify(
    *,
    arxiv: str | None,
    doi: str | None,
    url: str | None,
    title: str | None,
    paper: bool,
) -> Reference | None:
    """The usual identity rules: arXiv ID, then DOI, then URL; a paper known only by its title gets a title key."""
    found = parse_arxiv_id(arxiv) if arxiv else None
    if found is None and url and is_url(url):
        found = find_arxiv_id_in_url(url)
    ref: Reference | None = None
    if found:
        ref = arxiv_reference(*found)
    elif doi:
        ref = doi_reference(doi)
    elif url and is_url(url):
        ref = url_reference(url)
        if paper and ref.kind == Kind.ARTICLE:
            ref = replace(ref, kind=Kind.PAPER)
    elif title:
        slug = _TITLE_KEY.sub(" ", title.casefold()).strip()
        if slug:
            ref = Reference(kind=Kind.PAPER if paper else Kind.ARTICLE, key=f"title:{slug}", url="")
    if ref is not None and doi and not ref.doi:
        ref = replace(ref, doi=doi)
    return ref


def iso_date(value: str | None) -> str | None:
    """`2023`, `2023-05`, `2023-05-01`, `2023-05-01 10:20:30` → `2023-05-01T10:20:30Z`-style text (UTC)."""
    if not value:
        return None
    m = _DATE.match(value.strip())
    if not m:
        return None
    year, month, day, hh, mm, ss = m.groups()
    try:
        stamp = datetime(
            int(year), int(month or 1), int(day or 1), int(hh or 0), int(mm or 0), int(ss or 0), tzinfo=UTC
        )
    except ValueError:
        return None
    return stamp.strftime("%Y-%m-%dT%H:%M:%SZ")


def published(year: str | None, month: str | None = None, day: str | None = None) -> str | None:
    """The work's date as the library stores it: `2023`, `2023-05` or `2023-05-01`."""
    if not year or not re.fullmatch(r"\d{4}", year.strip()):
        return None
    parts = [year.strip()]
    if month and month.strip().isdigit() and 1 <= int(month) <= 12:
        parts.append(f"{int(month):02d}")
        if day and day.strip().isdigit() and 1 <= int(day) <= 31:
            parts.append(f"{int(day):02d}")
    return "-".join(parts)


def split_tags(value: str | None) -> list[str]:
    """Keywords as reference managers write them: comma- or semicolon-separated."""
    if not value:
        return []
    return [t.strip() for t in re.split(r"[,;]", value) if t.strip()]


def existing_file(raw: str, base: Path) -> str | None:
    """A path as written in an export → an absolute path, if that file is on this machine."""
    raw = raw.strip()
    if not raw:
        return None
    path = Path(raw).expanduser()
    if not path.is_absolute():
        path = base / path
    try:
        return str(path.resolve()) if path.is_file() else None
    except OSError:
        return None
