"""Non-arXiv works: which source completes which item, and one lookup through the shared HTTP module.

Outcomes follow the issue: 404/410 → not_found (kept); 429/5xx/timeouts/unreachable → pending (`fetch`
retries); anything else that goes wrong → failed. Every failure is one warning line, never a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass
from http.client import HTTPException
from typing import TYPE_CHECKING
from urllib.parse import quote, urlsplit

from readlist.domain import MetadataStatus
from readlist.net import crossref, github, openreview, s2, webpage
from readlist.net.metadata import WorkMetadata

if TYPE_CHECKING:
    from readlist.net.http import Budget

FETCHED, NOT_FOUND, PENDING, FAILED = (
    MetadataStatus.FETCHED,
    MetadataStatus.NOT_FOUND,
    MetadataStatus.PENDING,
    MetadataStatus.FAILED,
)
_URL_SAFE = ":/?#[]@!$&'()*+,;=%~"  # a user's URL may hold spaces or CJK; percent-encode only those
_LABELS = {
    "crossref": "Crossref",
    "github": "GitHub",
    "openreview": "OpenReview",
    "webpage": "the page",
    "s2": "Semantic Scholar",
}


@dataclass
class Lookup:
    status: str  # fetched | not_found | pending | failed
    meta: WorkMetadata | None = None
    warning: str | None = None
    source: str = ""
    sent: bool = True  # False when the source's rate limit held the request back
    offline: str | None = None  # why the source could not be reached at all (unknown host, refused)


def source_for(key: str, url: str) -> str | None:
    """The source that knows about an item with this key; None for arXiv papers (the arXiv client's)."""
    if key.startswith("arxiv:"):
        return None
    if key.startswith("doi:"):
        return "crossref"
    if key.startswith("github:"):
        return "github"
    if openreview.note_id(url):
        return "openreview"
    if urlsplit(url).scheme in ("http", "https"):
        return "webpage"
    return None


def _failure(source: str, exc: Exception, what: str) -> Lookup:
    from readlist.net.http import HttpError

    label = _LABELS.get(source, source)
    if isinstance(exc, HttpError):
        status = exc.status
        if status in (404, 410):
            return Lookup(NOT_FOUND, warning=f"{label} does not know {what} (HTTP {status})", source=source)
        token = "; set GITHUB_TOKEN for a higher limit" if source == "github" and status in (403, 429) else ""
        if status in (403, 429) and exc.retry_after:
            warning = _rate_limited(label, exc.retry_after) + token
            return Lookup(PENDING, warning=warning, source=source, sent=exc.sent)
        if exc.transient or status == 429 or (status == 403 and source == "github"):
            offline = exc.message if exc.reason in ("dns", "refused") else None
            warning = f"{label} did not answer for {what} ({exc}){token}"
            return Lookup(PENDING, warning=warning, source=source, offline=offline)
        return Lookup(FAILED, warning=f"{label}: {what}: {exc}", source=source)
    return Lookup(FAILED, warning=f"{label} sent an answer for {what} that cannot be read ({exc})", source=source)


def where(source: str, url: str) -> str:
    """How a warning names where an item's metadata comes from: the service, or a web page's site."""
    return _LABELS[source] if source != "webpage" else urlsplit(url).hostname or url


def _timeout(timeout: float | None) -> float:
    from readlist import config

    return config.source_timeout() if timeout is None else timeout


class Offline:
    """Sources found unreachable (unknown host, refused) during one `add` or `fetch`: the next item of the same
    source is not asked — it would fail the same way — and the user hears about them in one line. Each source
    (a page's host) also has one time budget for the command: one that stalls costs it ≈ 2 × its timeout."""

    def __init__(self) -> None:
        self.places: dict[str, list[str]] = {}  # "Crossref", "arXiv", a page's host → [why, keys held back…]
        self.budgets: dict[str, Budget] = {}

    def budget(self, place: str) -> Budget:
        from readlist import config
        from readlist.net.http import Budget

        return self.budgets.setdefault(place, Budget(config.source_budget(config.source_timeout())))

    def lookup(self, key: str, url: str, *, tries: int = 1, timeout: float | None = None) -> Lookup:
        place = where(source_for(key, url) or "webpage", url)
        if place in self.places:
            self.places[place].append(key)
            return Lookup(PENDING, source=place, sent=False, offline=self.places[place][0])
        found = lookup(key, url, tries=tries, timeout=timeout, budget=self.budget(place))
        if found.offline:
            self.places.setdefault(place, [found.offline]).append(key)
        return found

    def held(self) -> int:
        return sum(len(keys) - 1 for keys in self.places.values())

    def describe(self) -> str | None:
        """`cannot reach Crossref, GitHub and arXiv (why)`, or None when everything was reachable. Many places (a
        web page's host each) are counted, with the first few named: `cannot reach 84 sources (Crossref, …`."""
        if not self.places:
            return None
        names = list(self.places)
        why = next(iter(self.places.values()))[0]
        if len(names) > NAMED_PLACES:
            shown = ", ".join(names[:NAMED_PLACES])
            return f"cannot reach {len(names)} sources ({shown} and {len(names) - NAMED_PLACES} more; {why})"
        named = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
        return f"cannot reach {named} ({why})"


NAMED_PLACES = 4  # offline, the hosts named in the one line that says so (the rest are counted)


def _rate_limited(label: str, seconds: float) -> str:
    """The same words for every item held back (so `fetch` says it once), with the clock time it ends."""
    from datetime import datetime, timedelta

    until = (datetime.now() + timedelta(seconds=seconds)).strftime("%H:%M")
    return f"{label}'s rate limit is used up until {until}"


def lookup(key: str, url: str, *, tries: int = 1, timeout: float | None = None, budget: Budget | None = None) -> Lookup:
    """Ask the item's source about it (`timeout` per try: config `source_timeout`; `budget`: the source's time in
    this command, else this call's own, 2 × timeout). Never raises for network or format trouble."""
    from functools import partial

    from readlist import config
    from readlist.net.http import Budget, HttpError
    from readlist.net.http import get as plain_get

    timeout = _timeout(timeout)
    budget = budget or Budget(config.source_budget(timeout))
    get = partial(plain_get, budget=budget)
    source = source_for(key, url)
    if source is None:
        return Lookup(FAILED, warning=f"no source knows about {url}")
    what = key.split(":", 1)[1] if source != "webpage" else url
    try:
        if source == "crossref":
            doi = key.split(":", 1)[1]
            meta = crossref.parse_work(get(crossref.work_url(doi), timeout=timeout, tries=tries).body)
        elif source == "github":
            owner, _, repo = key.split(":", 1)[1].partition("/")
            response = get(github.repo_url(owner, repo), headers=github.headers(), timeout=timeout, tries=tries)
            meta = github.parse_repo(response.body)
        elif source == "openreview":
            forum = openreview.note_id(url) or ""
            response = get(openreview.notes_url(), params={"id": forum}, timeout=timeout, tries=tries)
            found = openreview.parse_notes(response.body, forum)
            if found is None:
                return Lookup(NOT_FOUND, warning=f"OpenReview has no note {forum}", source=source)
            meta = found
        else:
            meta = _page(url, timeout=timeout, tries=tries, budget=budget)
    except (HttpError, ValueError, UnicodeError, OSError, HTTPException) as exc:
        return _failure(source, exc, what)
    warning = f"{url}: {'; '.join(meta.warnings)}" if meta.warnings else None
    return Lookup(FETCHED, meta, warning, source)


def _page(url: str, *, timeout: float, tries: int, budget: Budget) -> WorkMetadata:
    from readlist.net.http import get

    response = get(
        quote(url, safe=_URL_SAFE),
        headers={"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8"},
        accept="text/html,application/xhtml+xml;q=0.9,*/*;q=0.5",
        timeout=timeout,
        tries=tries,
        max_bytes=webpage.MAX_BYTES,
        budget=budget,
    )
    content_type = response.headers.get("content-type") or response.headers.get("Content-Type")
    truncated = len(response.body) >= webpage.MAX_BYTES
    return webpage.parse_page(response.body, response.url or url, content_type, truncated=truncated)


def published_versions(arxiv_ids: list[str], *, tries: int = 3, timeout: float | None = None) -> dict[str, Lookup]:
    """Semantic Scholar in batches: for each arXiv ID, its published DOI/venue/year if S2 knows one. All batches
    share one budget: a stalled S2 costs the command ≈ 2 × the timeout, not that per batch."""
    from readlist import config
    from readlist.net.http import Budget, HttpError, post

    timeout = _timeout(timeout)
    budget = Budget(config.source_budget(timeout))
    out: dict[str, Lookup] = {}
    for start in range(0, len(arxiv_ids), s2.BATCH_SIZE):
        chunk = arxiv_ids[start : start + s2.BATCH_SIZE]
        try:
            response = post(
                s2.batch_url(),
                params={"fields": s2.FIELDS},
                headers=s2.headers(),
                data=s2.batch_body(chunk),
                timeout=timeout,
                tries=tries,
                budget=budget,
            )
            found = s2.parse_batch(response.body, chunk)
        except (HttpError, ValueError) as exc:
            failure = _failure("s2", exc, f"{len(chunk)} paper(s)")
            out.update({arxiv_id: failure for arxiv_id in chunk})
            continue
        for arxiv_id in chunk:
            out[arxiv_id] = Lookup(FETCHED, found[arxiv_id], source="s2") if arxiv_id in found else Lookup(NOT_FOUND)
    return out
