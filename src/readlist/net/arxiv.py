"""Metadata from the arXiv API: validated IDs, batches of ≤100, polite spacing, timeouts and backoff (DESIGN §7).

HTTP is done here with urllib (explicit timeout, Retry-After, no retry on 400); the Atom response is parsed by
the `arxiv` package's own feed parser, so fields come out exactly as that package defines them.
"""

from __future__ import annotations

import email.utils
import random
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from readlist import config
from readlist.errors import NetworkError
from readlist.ids import find_arxiv_id_in_url, parse_arxiv_id
from readlist.net import latex

CHUNK_SIZE = 100
MAX_TRIES = 4
USER_AGENT = "readlist/0.1 (reading-list manager; one request per 3 s)"
ATOM_NS = b"http://www.w3.org/2005/Atom"


@dataclass
class PaperMetadata:
    arxiv_id: str
    version: int | None
    title: str
    authors: list[dict[str, str]]
    abstract: str
    published: str | None
    updated: str | None
    primary_category: str | None
    categories: list[str]
    comment: str | None
    journal_ref: str | None
    doi: str | None
    abs_url: str
    pdf_url: str


@dataclass
class ChunkResult:
    found: dict[str, PaperMetadata] = field(default_factory=dict)
    not_found: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    error: str | None = None


class TransientError(Exception):
    """429, 503, a timeout or a dropped connection: worth another try after a pause."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def chunks(ids: list[str], size: int = CHUNK_SIZE) -> Iterable[list[str]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def _iso(value: Any) -> str | None:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ") if value else None


def _metadata(result: Any) -> PaperMetadata | None:
    found = find_arxiv_id_in_url(result.entry_id)
    if not found:
        return None
    arxiv_id, version = found
    authors = []
    for author in result.authors:
        entry = {"name": author.name}
        if author.affiliation:
            entry["affiliation"] = "; ".join(author.affiliation)
        authors.append(entry)
    pdf = result.pdf_url or f"https://arxiv.org/pdf/{arxiv_id}" + (f"v{version}" if version else "")
    return PaperMetadata(
        arxiv_id=arxiv_id,
        version=version,
        title=latex.clean(result.title),
        authors=authors,
        abstract=latex.clean(result.summary),
        published=_iso(result.published),
        updated=_iso(result.updated),
        primary_category=result.primary_category or None,
        categories=list(result.categories),
        comment=latex.clean(result.comment) or None,
        journal_ref=latex.clean(result.journal_ref) or None,
        doi=result.doi or None,
        abs_url=f"https://arxiv.org/abs/{arxiv_id}",
        pdf_url=pdf,
    )


def parse_feed(content: bytes) -> list[PaperMetadata]:
    """An arXiv Atom response → metadata; anything that is not such a feed raises NetworkError."""
    from arxiv import _feed

    body = content.strip()
    if b"<feed" not in body[:2000] or ATOM_NS not in body[:2000] or not body.endswith(b"</feed>"):
        raise NetworkError(
            "arXiv answered with something that is not an Atom feed (an error page or a cut-off response)",
            "try again later: readlist fetch",
        )
    feed = _feed.parse(body)
    if feed.malformed:
        raise NetworkError(f"arXiv sent a malformed feed ({feed.error})", "try again later: readlist fetch")
    return [m for m in (_metadata(r) for r in feed.results) if m is not None]


def _retry_after(headers: Any) -> float | None:
    value = headers.get("Retry-After") if headers else None
    if not value:
        return None
    if value.strip().isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _error_message(body: bytes) -> str:
    """arXiv explains a 400 in the <summary> of an error entry."""
    import re

    m = re.search(rb"<summary[^>]*>(.*?)</summary>", body, re.S)
    return m.group(1).decode("utf-8", "replace").strip() if m else "bad request"


class ArxivClient:
    """One request at a time, spaced by `throttle` (shared across processes through the database)."""

    def __init__(
        self, throttle: Callable[[], None], sleep: Callable[[float], None] = time.sleep, max_tries: int = MAX_TRIES
    ) -> None:
        self.max_tries = max_tries
        self.endpoint = config.arxiv_endpoint()
        self.timeout = config.arxiv_timeout()
        self.backoff = config.arxiv_backoff()
        self.throttle = throttle
        self.sleep = sleep
        self.requests_sent = 0

    def _get(self, ids: list[str]) -> bytes:
        query = urlencode({"id_list": ",".join(ids), "start": 0, "max_results": len(ids)})
        request = urllib.request.Request(f"{self.endpoint}?{query}", headers={"User-Agent": USER_AGENT})
        self.throttle()
        self.requests_sent += 1
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return bytes(response.read())
        except urllib.error.HTTPError as exc:
            body = exc.read() if exc.fp else b""
            if exc.code in (429, 500, 502, 503, 504):
                raise TransientError(f"HTTP {exc.code}", _retry_after(exc.headers)) from None
            if exc.code == 400:
                raise NetworkError(
                    f"arXiv refused the request: {_error_message(body)}",
                    "check the arXiv IDs (readlist show ID)",
                ) from None
            raise NetworkError(f"arXiv answered HTTP {exc.code}", "try again later: readlist fetch") from None
        except (TimeoutError, urllib.error.URLError, ConnectionError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise TransientError(f"cannot reach arXiv ({reason})") from None

    def _get_with_retries(self, ids: list[str]) -> bytes:
        for attempt in range(MAX_TRIES):
            try:
                return self._get(ids)
            except TransientError as exc:
                if attempt == MAX_TRIES - 1:
                    raise NetworkError(
                        f"arXiv did not answer after {MAX_TRIES} tries: {exc}",
                        "the papers stay pending; run readlist fetch later",
                    ) from None
                delay = exc.retry_after if exc.retry_after is not None else self.backoff * 2**attempt
                self.sleep(min(delay, 120.0) + random.uniform(0, self.backoff / 3))
        raise AssertionError("unreachable")

    def fetch_chunk(self, ids: list[str]) -> ChunkResult:
        """One request for ≤100 valid IDs; results matched to IDs by ID, never by position."""
        result = ChunkResult()
        valid = [i for i in ids if parse_arxiv_id(i)]
        result.failed += [i for i in ids if not parse_arxiv_id(i)]
        if not valid:
            return result
        try:
            papers = parse_feed(self._get_with_retries(valid))
        except NetworkError as exc:
            result.failed += valid
            result.error = exc.message
            return result
        by_id = {p.arxiv_id: p for p in papers}
        for arxiv_id in valid:
            if arxiv_id in by_id:
                result.found[arxiv_id] = by_id[arxiv_id]
            else:
                result.not_found.append(arxiv_id)
        return result
