"""`pdf`: download an arXiv paper's PDF into the data dir, politely and once, and attach it to the item."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from readlist import config
from readlist.errors import InvalidInputError
from readlist.store.write import Store

ARXIV_SLOT = "arxiv_next_request"  # the same booking as the arXiv API: one request per 3 s to arXiv hosts


@dataclass
class PdfResult:
    item_id: int
    path: Path
    downloaded: bool  # False: the file was already there
    attached: bool  # False: it was already attached


def pdf_base_url() -> str:
    return os.environ.get("READLIST_ARXIV_PDF_URL", "https://arxiv.org/pdf").rstrip("/")


def pdf_dir(store: Store) -> Path:
    """PDFs live beside a library file, so a library and its papers move together (a shared library's stay on
    this machine, in the data dir)."""
    from readlist.store.backends import backend_for

    return backend_for(store.path).files_dir() / "pdfs"


def _version(value: object) -> int | None:
    """An arXiv version number, whatever an import wrote there: a file name is never built from other text."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value < 1000:
        return value
    if isinstance(value, str) and value.strip().isdecimal() and 0 < int(value.strip()) < 1000:
        return int(value.strip())
    return None


def _file_name(arxiv_id: str, version: int | None) -> str:
    return arxiv_id.replace("/", "_") + (f"v{version}" if version else "") + ".pdf"


def fetch_pdf(store: Store, ref: str) -> PdfResult:
    """Never holds a transaction while downloading; never downloads a file it already has."""
    from readlist.net.pdf import download

    with store.session() as session:
        item = store.get(session, ref)
        item_id, arxiv_id = item.id, item.arxiv_id
        version = _version(item.details.get("asked_version")) or item.arxiv_version  # the version the user added
    assert item_id is not None
    if not arxiv_id:
        raise InvalidInputError(
            f"#{item_id} is not an arXiv paper", "attach a PDF you have with: readlist add FILE.pdf"
        )
    dest = pdf_dir(store) / _file_name(arxiv_id, version)
    downloaded = False
    if not dest.is_file():
        import time

        wait = store.reserve_slot(ARXIV_SLOT, config.arxiv_min_interval())
        if wait > 0:
            time.sleep(wait)
        url = f"{pdf_base_url()}/{arxiv_id}" + (f"v{version}" if version else "")
        download(url, dest, timeout=config.pdf_timeout())
        downloaded = True
    attached = store.attach(str(item_id), [str(dest.resolve())])
    return PdfResult(item_id, dest, downloaded, attached)
