"""Which importer reads a file: decided by its content (the extension only breaks ties), with clear refusals."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from readlist.errors import InvalidInputError
from readlist.importer import bibtex, bookmarks, csljson, csvfile
from readlist.importer.decode import utf16_without_bom
from readlist.importer.entry import Parsed

SUPPORTED = (
    "BibTeX (.bib from Zotero, Better BibTeX, JabRef, papis, pubs, Google Scholar), CSL-JSON, "
    "browser bookmarks (.html), CSV reading lists (Zotero, Pocket, Instapaper, Raindrop), "
    "readlist exports (.jsonl/.json) and markdown/text notes"
)
# Suffixes picked up when a folder is imported (files given by name are read whatever their suffix).
FOLDER_SUFFIXES = (
    *(".md", ".markdown", ".txt", ".mdown", ".mkd"),
    *(".jsonl", ".json", ".bib", ".bibtex", ".html", ".htm", ".csv"),
)

# Formats with an importer of their own: "does this text match me?" and "turn it into drafts".
READERS: dict[str, tuple[Callable[[str], bool], Callable[[str, str], Parsed]]] = {
    "CSL-JSON": (csljson.matches, csljson.to_drafts),
    "BibTeX": (bibtex.matches, bibtex.to_drafts),
    "bookmarks": (bookmarks.matches, bookmarks.to_drafts),
    "CSV": (csvfile.matches, csvfile.to_drafts),  # last: a sniffer is generous
}
_MAGIC = (
    (b"%PDF", "a PDF", "to add a paper from its PDF: readlist add FILE.pdf"),
    (b"PK\x03\x04", "a zip archive (.zip, .docx, .xlsx, .epub …)", "export it as BibTeX, CSL-JSON or markdown first"),
    (b"\x1f\x8b", "a gzip archive", "unpack it first"),
    (b"\xd0\xcf\x11\xe0", "an old Office document (.doc/.xls)", "save it as text or markdown first"),
    (b"{\\rtf", "an RTF document", "save it as text or markdown first"),
    (b"\x89PNG", "an image", "import reads lists of papers, not images"),
    (b"\xff\xd8\xff", "an image", "import reads lists of papers, not images"),
    (b"SQLite format 3\x00", "a database file", "to merge another library: readlist export there, import here"),
)
_HTML_PAGE = re.compile(r"\A\s*(?:<!doctype\s+html|<html|<\?xml)", re.IGNORECASE)


class UnsupportedFileError(InvalidInputError):
    """A file that no importer can read (a PDF, a zip, a Word document …)."""


def refuse(path: Path) -> None:
    """Raise for files that are plainly not lists of papers, before anything is parsed or written."""
    try:
        with path.open("rb") as fh:
            head = fh.read(4096)
    except OSError as exc:
        raise InvalidInputError(f"cannot read {path}: {exc.strerror}", "check the path and its permissions") from None
    for magic, what, hint in _MAGIC:
        if head.startswith(magic):
            raise UnsupportedFileError(
                f"{path.name} is {what}, which import cannot read", f"{hint}; import reads {SUPPORTED}"
            )
    utf16 = head.startswith((b"\xff\xfe", b"\xfe\xff")) or utf16_without_bom(head) is not None
    if b"\x00" in head and not utf16:  # NULs: binary unless UTF-16
        raise UnsupportedFileError(
            f"{path.name} is a binary file, which import cannot read", f"import reads {SUPPORTED}"
        )
    text = head.decode("utf-8", errors="ignore").lstrip("\ufeff")
    if _HTML_PAGE.match(text) and not bookmarks.matches(text):
        raise UnsupportedFileError(f"{path.name} is a web page, not a bookmark export", f"import reads {SUPPORTED}")


def detect(text: str) -> str | None:
    """The name of the format whose importer claims the text; None means markdown/text notes (or a readlist
    export, which the JSON path recognises)."""
    for name, (claims, _) in READERS.items():
        if claims(text):
            return name
    if _HTML_PAGE.match(text[:1000]):
        return "HTML page"
    return None


def read(fmt: str, text: str, path: str) -> Parsed:
    if fmt not in READERS:
        raise UnsupportedFileError(f"{Path(path).name} is an {fmt}, not a bookmark export", f"import reads {SUPPORTED}")
    return READERS[fmt][1](text, path)
