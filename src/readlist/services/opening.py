"""`open`: which page, PDF or code link stands for an item."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from readlist.domain import Kind
from readlist.errors import NotFoundError
from readlist.files import is_pdf


def arxiv_pdf_url(item: Mapping[str, Any]) -> str | None:
    if not item.get("arxiv_id"):
        return None
    number = (item.get("details") or {}).get("asked_version") or item.get("arxiv_version")
    version = f"v{number}" if number else ""
    return f"https://arxiv.org/pdf/{item['arxiv_id']}{version}"


def target(item: Mapping[str, Any], *, pdf: bool = False, code: bool = False) -> str:
    """The URL or local path to open: the page; with `pdf` the attached file, else the PDF link; with `code`
    the code link."""
    links = item.get("links") or []
    if code:
        found = next((lk["url"] for lk in links if lk["role"] == "code"), None)
        if found is None and item.get("kind") == Kind.REPO:
            found = item["url"]
        if found is None:
            raise NotFoundError(
                f"#{item['id']} has no code link", f"add one: readlist edit {item['id']} or open the page"
            )
        return str(found)
    if pdf:
        local = next((a["path"] for a in item.get("attachments") or [] if is_pdf(a["path"])), None)
        found = local or arxiv_pdf_url(item) or next((lk["url"] for lk in links if lk["role"] == "pdf"), None)
        if found is None and str(item.get("url", "")).lower().endswith(".pdf"):
            found = item["url"]
        if found is None:
            raise NotFoundError(f"#{item['id']} has no PDF", "attach one: readlist add FILE.pdf, or open the page")
        return str(found)
    if not item.get("url"):
        raise NotFoundError(f"#{item['id']} has no link", "it came from a reference without a URL or DOI")
    return str(item["url"])
