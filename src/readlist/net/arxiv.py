"""Metadata from the arXiv API: validated IDs, batches of ≤100, polite spacing, timeouts and backoff .

HTTP goes through net/http.py (total deadline, size cap, proxies); here: Retry-After, no retry on 400, the 3-second
spacing shared across processes. The Atom response is parsed by
the standard XML parser against the documented arXiv Atom elements (no private API of another package).
"""

from __future__ import annotations

import contextlib
import random
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, cast

from readlist import config
from readlist.errors import NetworkError
from readlist.ids import find_arxiv_id_in_url, parse_arxiv_id
from readlist.net import latex

if TYPE_CHECKING:
    from readlist.net import http

CHUNK_SIZE = 100
MAX_TRIES = 4
MAX_BYTES = 20_000_000  # 100 entries with long abstracts are ~300 KB; anything near this is not an answer
ATOM = "{http://www.w3.org/2005/Atom}"
ARXIV = "{http://arxiv.org/schemas/atom}"
OPENSEARCH = "{http://a9.com/-/spec/opensearch/1.1/}"
RETRY_HINT = "try again later: readlist fetch"


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
    stop: bool = False  # arXiv asked us to wait longer than we do: ask nothing more now
    offline: bool = False  # the request never reached arXiv (unknown host, refused): the next would not either


class Unreachable(NetworkError):
    """DNS failure or a refused connection: offline or a wrong endpoint, not arXiv being busy."""


class WaitTooLong(NetworkError):
    """arXiv's Retry-After is longer than we wait (`http_max_wait`): stop asking, leave the rest pending."""


class OutOfTime(NetworkError):
    """arXiv has not answered for its whole budget in this command (`source_budget`, 2 × `arxiv_timeout`)."""


class TransientError(Exception):
    """429, 503, a timeout or a dropped connection: worth another try after a pause."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def chunks(ids: list[str], size: int = CHUNK_SIZE) -> Iterable[list[str]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def _text(entry: ET.Element, tag: str) -> str:
    return " ".join((entry.findtext(tag) or "").split())


def _iso(value: str) -> str | None:
    try:
        stamp = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=UTC)
    return stamp.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _entry(entry: ET.Element) -> PaperMetadata:
    found = find_arxiv_id_in_url(_text(entry, f"{ATOM}id"))
    if not found:
        raise NetworkError(f"arXiv sent an entry without a usable ID ({_text(entry, f'{ATOM}id')!r})", RETRY_HINT)
    arxiv_id, version = found
    authors = []
    for author in entry.iter(f"{ATOM}author"):
        person = {"name": _text(author, f"{ATOM}name")}
        affiliations = [" ".join((a.text or "").split()) for a in author.iter(f"{ARXIV}affiliation")]
        if any(affiliations):
            person["affiliation"] = "; ".join(a for a in affiliations if a)
        if person["name"]:
            authors.append(person)
    pdf = next((link.get("href") for link in entry.iter(f"{ATOM}link") if link.get("title") == "pdf"), None)
    primary = entry.find(f"{ARXIV}primary_category")
    return PaperMetadata(
        arxiv_id=arxiv_id,
        version=version,
        title=latex.clean(_text(entry, f"{ATOM}title")),
        authors=authors,
        abstract=latex.clean(_text(entry, f"{ATOM}summary")),
        published=_iso(_text(entry, f"{ATOM}published")),
        updated=_iso(_text(entry, f"{ATOM}updated")),
        primary_category=primary.get("term") if primary is not None else None,
        categories=[c.get("term", "") for c in entry.iter(f"{ATOM}category") if c.get("term")],
        comment=latex.clean(_text(entry, f"{ARXIV}comment")) or None,
        journal_ref=latex.clean(_text(entry, f"{ARXIV}journal_ref")) or None,
        doi=_text(entry, f"{ARXIV}doi") or None,
        abs_url=f"https://arxiv.org/abs/{arxiv_id}",
        pdf_url=pdf or f"https://arxiv.org/pdf/{arxiv_id}" + (f"v{version}" if version else ""),
    )


def _feed(content: bytes) -> ET.Element:
    try:
        root = ET.fromstring(content)
    except ET.ParseError as exc:
        raise NetworkError(
            f"arXiv answered with something that is not an Atom feed (an error page or a cut-off response: {exc})",
            RETRY_HINT,
        ) from None
    if root.tag != f"{ATOM}feed" or root.find(f"{OPENSEARCH}totalResults") is None:
        raise NetworkError("arXiv answered with something that is not an Atom feed of its API", RETRY_HINT)
    return root


def parse_feed(content: bytes) -> list[PaperMetadata]:
    """An arXiv API answer → metadata. Anything but a well-formed arXiv API feed raises NetworkError."""
    root = _feed(content)
    entries = root.findall(f"{ATOM}entry")
    for entry in entries:
        if "/api/errors" in _text(entry, f"{ATOM}id"):
            raise NetworkError(f"arXiv refused the request: {_text(entry, f'{ATOM}summary')}", RETRY_HINT)
    return [_entry(e) for e in entries]


def _error_message(body: bytes) -> str:
    """arXiv explains a 400 in the <summary> of an error entry; read what parses, even from a cut-off body."""
    parser: ET.XMLPullParser[ET.Element] = ET.XMLPullParser(events=("end",))
    with contextlib.suppress(ET.ParseError):
        parser.feed(body)
        parser.close()
    with contextlib.suppress(ET.ParseError):
        events: Iterator[tuple[str, Any]] = iter(cast(Any, parser.read_events()))  # ("end", Element) only
        for _kind, element in events:
            if not isinstance(element, ET.Element):
                continue
            if element.tag.rpartition("}")[2] == "summary" and element.text and element.text.strip():
                return " ".join(element.text.split())
    return "bad request"


class ArxivClient:
    """One request at a time, spaced by `throttle` (shared across processes through the database)."""

    def __init__(
        self,
        throttle: Callable[[], None],
        sleep: Callable[[float], None] = time.sleep,
        max_tries: int = MAX_TRIES,
        unreachable: Callable[[], None] | None = None,
    ) -> None:
        self.max_tries = max_tries
        self.unreachable = unreachable  # told when a request never reached arXiv (offline), to free its slot
        self.endpoint = config.arxiv_endpoint()
        self.timeout = config.arxiv_timeout()
        self.backoff = config.arxiv_backoff()
        self.throttle = throttle
        self.sleep = sleep
        self.requests_sent = 0
        self._budget: http.Budget | None = None

    @property
    def budget(self) -> http.Budget:
        """arXiv's time in this command once it stops answering: made on first use, from the timeout then set."""
        if self._budget is None:
            from readlist.net import http

            self._budget = http.Budget(config.source_budget(self.timeout))
        return self._budget

    def _out_of_time(self) -> OutOfTime:
        return OutOfTime(
            f"arXiv has not answered for {self.budget.seconds:.0f} s; not asked again in this command",
            "the papers stay pending; run readlist fetch later",
        )

    def _get(self, ids: list[str]) -> bytes:
        """One request through the shared HTTP client: a total deadline (a server dripping bytes cannot hold
        `fetch` past it), the size cap, proxies and the User-Agent; arXiv's own spacing is `throttle`."""
        from readlist.net import http

        if self.budget.spent():
            raise self._out_of_time()
        self.throttle()
        self.requests_sent += 1
        params = {"id_list": ",".join(ids), "start": "0", "max_results": str(len(ids))}
        try:
            return http.get(
                self.endpoint, params=params, timeout=self.timeout, max_bytes=MAX_BYTES, budget=self.budget
            ).body
        except http.HttpError as exc:
            if exc.reason in ("dns", "refused"):
                # Offline or wrong endpoint: retrying cannot help, and the user is waiting (issue 12).
                if self.unreachable is not None:
                    self.unreachable()
                raise Unreachable(
                    f"cannot reach arXiv ({exc.message})", "the papers stay pending; run readlist fetch later"
                ) from None
            if exc.reason == "timeout" and not exc.sent:
                raise self._out_of_time() from None
            if exc.reason == "too_large":  # asking again would only download it again
                raise NetworkError(f"arXiv's answer is too large ({exc.message})", RETRY_HINT) from None
            if exc.reason != "status":
                raise TransientError(exc.message) from None
            if exc.status in (429, 500, 502, 503, 504):
                raise TransientError(f"HTTP {exc.status}", exc.retry_after) from None
            if exc.status == 400:
                raise NetworkError(
                    f"arXiv refused the request: {_error_message(exc.body)}",
                    "check the arXiv IDs (readlist show ID)",
                ) from None
            raise NetworkError(f"arXiv answered HTTP {exc.status}", RETRY_HINT) from None

    def _get_with_retries(self, ids: list[str]) -> bytes:
        max_wait = config.http_max_wait()
        for attempt in range(self.max_tries):
            try:
                return self._get(ids)
            except TransientError as exc:
                if exc.retry_after is not None and exc.retry_after > max_wait:
                    raise WaitTooLong(f"arXiv asks to wait {exc.retry_after:.0f} s", RETRY_HINT) from None
                if attempt == self.max_tries - 1:
                    after = f" after {self.max_tries} tries" if self.max_tries > 1 else ""
                    raise NetworkError(
                        f"arXiv did not answer{after} ({exc})",
                        "the papers stay pending; run readlist fetch later",
                    ) from None
                delay = exc.retry_after if exc.retry_after is not None else self.backoff * 2**attempt
                delay += random.uniform(0, self.backoff / 3)
                limit = self.budget.deadline()
                if limit is not None and time.monotonic() + delay >= limit:
                    raise NetworkError(
                        f"arXiv did not answer in {self.budget.seconds:.0f} s ({exc})",
                        "the papers stay pending; run readlist fetch later",
                    ) from None
                self.sleep(delay)
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
            result.stop = isinstance(exc, WaitTooLong | OutOfTime)
            result.offline = isinstance(exc, Unreachable)
            return result
        by_id = {p.arxiv_id: p for p in papers}
        for arxiv_id in valid:
            if arxiv_id in by_id:
                result.found[arxiv_id] = by_id[arxiv_id]
            else:
                result.not_found.append(arxiv_id)
        return result
