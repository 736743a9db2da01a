"""A local PDF → what it is: arXiv ID or DOI from its file name, its metadata, or its first page (via pypdf)."""

from __future__ import annotations

import re
from pathlib import Path

from readlist.errors import InvalidInputError
from readlist.files import files_under
from readlist.ids import Reference, arxiv_reference, doi_reference, parse_arxiv_id
from readlist.importer.entry import identify

# An arXiv ID inside a longer text: `2408.11743v2.pdf`, `arXiv:2408.11743v2 [cs.LG] 26 Aug 2024` (the stamp
# arXiv prints down the first page's margin), `hep-th_9901001`.
_ARXIV_NEW = re.compile(r"(?<![\d.])(\d{4}\.\d{4,5})(v\d+)?(?![\d])")
_ARXIV_OLD = re.compile(r"\b([a-z]+(?:-[a-z]+)?)[/_](\d{7})(v\d+)?\b")
_ARXIV_STAMP = re.compile(r"arXiv:\s*(\d{4}\.\d{4,5}(?:v\d+)?|[a-z\-]+(?:\.[A-Z]{2})?/\d{7}(?:v\d+)?)", re.IGNORECASE)
_DOI = re.compile(r"\b(10\.\d{4,9}/[^\s\"<>]+)")


def pdf_files(path: Path) -> list[Path]:
    """A PDF file, or every PDF under a folder (sorted, so adds are reproducible)."""
    if path.is_dir():
        found = files_under(path, {".pdf"})
        if not found:
            raise InvalidInputError(f"no PDFs in {path}", "give a folder that holds .pdf files")
        return found
    with path.open("rb") as fh:
        if fh.read(5) != b"%PDF-":
            raise InvalidInputError(f"{path.name} is not a PDF", "add takes PDFs, arXiv IDs, DOIs and URLs")
    return [path]


def _arxiv_in(text: str, *, stamped: bool) -> Reference | None:
    """`stamped`: only an ID after `arXiv:` counts (free text is full of numbers like 2019.1234)."""
    if stamped:
        m = _ARXIV_STAMP.search(text)
        found = parse_arxiv_id(m.group(1)) if m else None
        return arxiv_reference(*found) if found else None
    for m in _ARXIV_NEW.finditer(text):
        found = parse_arxiv_id(m.group(1) + (m.group(2) or ""))
        if found:
            return arxiv_reference(*found)
    for m in _ARXIV_OLD.finditer(text):
        found = parse_arxiv_id(f"{m.group(1)}/{m.group(2)}{m.group(3) or ''}")
        if found:
            return arxiv_reference(*found)
    return None


def _doi_in(text: str) -> Reference | None:
    m = _DOI.search(text)
    return doi_reference(m.group(1).rstrip(".,;)]}")) if m else None


def identify_pdf(path: Path) -> tuple[Reference, str | None]:
    """The item a PDF is (and a title for it when one is found), without the network."""
    by_name = _arxiv_in(path.stem, stamped=False)
    if by_name:
        return by_name, None
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(path)
        fields = {str(k).lstrip("/").lower(): str(v) for k, v in (reader.metadata or {}).items() if v}
        first = reader.pages[0].extract_text() or "" if reader.pages else ""
    except (PdfReadError, OSError, ValueError, KeyError) as exc:
        raise InvalidInputError(f"cannot read {path.name}: {exc}", "is it a complete PDF?") from None
    title = fields.get("title") or None
    for text in (fields.get("doi", ""), fields.get("subject", ""), fields.get("keywords", ""), title or ""):
        ref = _arxiv_in(text, stamped=True) or _doi_in(text)
        if ref:
            return ref, title
    ref = _arxiv_in(first, stamped=True) or _doi_in(first)
    if ref:
        return ref, title
    if not title:
        title = next((line.strip() for line in first.splitlines() if len(line.strip()) > 8), path.stem)
    fallback = identify(arxiv=None, doi=None, url=None, title=title, paper=True)
    assert fallback is not None
    return fallback, title
