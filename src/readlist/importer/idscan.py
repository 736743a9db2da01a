"""Every arXiv ID and DOI an exported entry carries, in whichever field its tool put it.

Google Scholar writes `journal = {arXiv preprint physics/0511201}`, DBLP `volume = {abs/2106.09685}`, `ee`,
`url = {https://doi.org/…}` and `\\_` inside DOIs, Zotero `Extra: arXiv: 2408.11743`, pubs and papis what
they were given. Fields are scanned in the order given (the dedicated ones first); the first find wins.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from readlist.ids import doi_in_url, find_arxiv_id_in_url, parse_arxiv_id

# Escapes BibTeX needs around identifiers (DBLP writes `10.1007/978-3-030-58452-8\_13`) and grouping braces.
_TEX_ESCAPE = re.compile(r"\\([_%&#$~])")
_TEX_URL = re.compile(r"\\url\s*(?=\{)")  # `howpublished = {\url{https://…}}`
_URL = re.compile(
    r"(?:https?://|(?<![\w.@/])(?:www\.)?(?:arxiv\.org|doi\.org|dx\.doi\.org|doi\.acm\.org)/)[^\s<>\"'{}]+",
    re.IGNORECASE,
)
_DOI = re.compile(r"(?<![\w/])10\.\d{4,9}/[^\s\"<>{}]+")
_DOI_SEGMENT = re.compile(r"/(10\.\d{4,9}/[^?#\s]+)")
_ARXIV_DOI = re.compile(r"^10\.48550/arxiv\.(.+)$", re.IGNORECASE)
# Old-style IDs name their archive (`hep-th/9901001v2`, `math.AG/0211159`): specific enough anywhere.
_OLD = re.compile(r"(?<![\w.\-])([a-z]+(?:-[a-z]+)?(?:\.[A-Za-z]{2})?/\d{7}(?:v\d+)?)(?![\w.])", re.IGNORECASE)
# New-style IDs (`2106.09685v2`) look like any decimal, so only where arXiv is named (in the field or the entry);
# DBLP's CoRR volume is `abs/2106.09685`.
_NEW = re.compile(r"(?:(?<=\babs/)|(?<![\w./\-]))(\d{4}\.\d{4,5}(?:v\d+)?)(?![\w.]|/)")
_NAMES_ARXIV = re.compile(r"\b(?:arxiv|corr)\b", re.IGNORECASE)
_DOI_PREFIX = re.compile(r"^\s*(?:doi\s*:?\s*)", re.IGNORECASE)
_TRAILING = ".,;:"
_MAY_HOLD_ID = re.compile(r"[./]\d{4}|\d{4}[./]")


@dataclass(frozen=True)
class Identifiers:
    arxiv: tuple[str, int | None] | None = None
    doi: str | None = None

    @property
    def arxiv_text(self) -> str | None:
        """The ID as `identify` takes it, with the version as written."""
        if self.arxiv is None:
            return None
        return self.arxiv[0] + (f"v{self.arxiv[1]}" if self.arxiv[1] else "")


def names_arxiv(value: str) -> bool:
    """`arXiv preprint …`, `CoRR`, `arXiv e-prints`: a preprint server standing where a venue goes."""
    return bool(_NAMES_ARXIV.search(value))


def untex(value: str) -> str:
    """`10.1007/978-3-030-58452-8\\_13` → `…8_13`; `\\url{…}`, `{\\_}` and grouping braces dropped."""
    return _TEX_ESCAPE.sub(r"\1", _TEX_URL.sub("", value)).replace("{", "").replace("}", "")


def _trim(doi: str) -> str:
    """A DOI as found in prose: trailing punctuation and an unopened `)` or `]` are not part of it."""
    doi = doi.rstrip(_TRAILING)
    while doi and doi[-1] in ")]" and doi.count(doi[-1]) > doi.count("(" if doi[-1] == ")" else "["):
        doi = doi[:-1].rstrip(_TRAILING)
    return doi


def _arxiv_in(text: str, *, named: bool) -> tuple[str, int | None] | None:
    for url in _URL.findall(text):
        found = find_arxiv_id_in_url(url if "://" in url else "https://" + url)
        if found:
            return found
    for doi in _DOI.findall(text):
        m = _ARXIV_DOI.match(_trim(doi))
        found = parse_arxiv_id(m.group(1)) if m else None
        if found:
            return found
    rest = _DOI.sub(" ", _URL.sub(" ", text))
    for pattern in (_OLD, _NEW) if named or _NAMES_ARXIV.search(rest) else (_OLD,):
        for m in pattern.finditer(rest):
            found = parse_arxiv_id(m.group(1))
            if found:
                return found
    return None


def _doi_in(text: str, *, whole: bool) -> str | None:
    if whole:  # a `doi` field: the value is the DOI, whatever it holds (`<`, `;` in old SICI DOIs)
        value = _DOI_PREFIX.sub("", text).strip()
        if value.startswith("10.") and "/" in value and " " not in value:
            return value
    for url in _URL.findall(text):
        found = doi_in_url(url if "://" in url else "https://" + url)
        if not found:  # a DOI as a path segment: Springer's `/chapter/10.1007/…`
            segment = _DOI_SEGMENT.search(urlsplit(url).path)
            found = segment.group(1) if segment else None
        if found:
            return _trim(unquote(found))
    m = _DOI.search(text)
    return _trim(m.group(0)) if m else None


def scan(fields: Sequence[tuple[str, str]], *, arxiv_fields: Iterable[str], doi_fields: Iterable[str]) -> Identifiers:
    """The first arXiv ID and the first DOI found, fields in the order given.

    `arxiv_fields` hold an ID as their whole value (`eprint`), `doi_fields` a DOI (`doi`); other fields are read
    as prose. A new-style ID counts in prose only when the entry names arXiv or CoRR somewhere."""
    # every identifier has four digits beside a dot or slash (`2106.`, `10.1145`, `/0112017`): a year, a date or a
    # title without them is skipped unread
    values = [(name, untex(value)) for name, value in fields if value and _MAY_HOLD_ID.search(value)]
    named_anywhere = any(_NAMES_ARXIV.search(value) for _, value in fields if value)
    arxiv_names, doi_names = set(arxiv_fields), set(doi_fields)
    arxiv: tuple[str, int | None] | None = None
    doi: str | None = None
    for name, value in values:
        if arxiv is None:
            whole = parse_arxiv_id(value) if name in arxiv_names else None
            arxiv = whole or _arxiv_in(value, named=named_anywhere or name in arxiv_names)
        if doi is None:
            found = _doi_in(value, whole=name in doi_names)
            if found and not _ARXIV_DOI.match(found):
                doi = found
    return Identifiers(arxiv, doi)
