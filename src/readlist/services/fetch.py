"""Completes metadata: arXiv in chunks, other sources item by item; network first, then short writes (§6, §7)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from readlist import config
from readlist.domain import MetadataStatus
from readlist.net.arxiv import MAX_TRIES, ArxivClient, ChunkResult, OutOfTime, PaperMetadata, chunks
from readlist.net.works import Lookup
from readlist.store.write import Store

# `add` is interactive: offline, the user should get the prompt back in seconds, with the paper saved as pending.
ADD_TRIES = 1  # `add` does not retry: retries, backoff and Retry-After belong to `fetch`
Progress = Callable[[int, int], None]  # (papers done, requests sent)


@dataclass
class FetchReport:
    fetched: list[int] = field(default_factory=list)
    not_found: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    news: list[str] = field(default_factory=list)  # "#3 2408.11743: v1 → v2"
    errors: list[str] = field(default_factory=list)
    requests: int = 0
    unidentified: int = 0  # items with no arXiv ID, DOI or link: nothing to ask, so not a failed fetch
    stopped: str | None = None  # why the source was not asked for the rest (a long Retry-After, offline): said once


MIN_REQUEST_TIME = 0.2  # seconds: less than this left for a request is no time to ask


def client_for(store: Store, max_tries: int = MAX_TRIES, deadline: float | None = None) -> ArxivClient:
    """An arXiv client spaced by the library's shared booking; with `deadline` (monotonic, `add`'s budget), the
    wait for arXiv's turn counts against it and the request gets only the time left after that wait."""
    interval = config.arxiv_min_interval()
    booked = [0.0]

    def throttle() -> None:
        wait = store.reserve_slot("arxiv_next_request", interval)
        booked[0] = time.time() + max(wait, 0.0) + interval
        if deadline is not None:
            left = deadline - time.monotonic() - max(wait, 0.0)
            if left < MIN_REQUEST_TIME:
                raise OutOfTime(
                    f"arXiv's turn comes in {wait:.0f} s, past the time add waits",
                    "the papers stay pending; run readlist fetch later",
                )
            client.timeout = min(client.timeout, left)
        if wait > 0:
            time.sleep(wait)

    def unreachable() -> None:
        store.release_slot("arxiv_next_request", booked[0])

    client = ArxivClient(throttle, max_tries=max_tries, unreachable=unreachable)
    return client


def lookup(
    store: Store, arxiv_ids: list[str], timeout: float | None = None, deadline: float | None = None
) -> tuple[dict[str, PaperMetadata], ChunkResult]:
    """Network only (used by `add` after it saved): metadata for these IDs, and what went wrong; `deadline`
    bounds the wait for arXiv's turn and the request together."""
    client = client_for(store, max_tries=ADD_TRIES, deadline=deadline)
    if timeout is not None:
        client.timeout = max(0.2, min(client.timeout, timeout))
    merged = ChunkResult()
    for chunk in chunks(sorted(set(arxiv_ids))):
        result = client.fetch_chunk(chunk)
        merged.found.update(result.found)
        merged.not_found += result.not_found
        merged.failed += result.failed
        merged.error = merged.error or result.error
        merged.offline = merged.offline or result.offline
        if result.offline:  # the next chunk would not reach arXiv either
            break
    return merged.found, merged


def fetch(store: Store, targets: list[tuple[int, str]], progress: Progress | None = None) -> FetchReport:
    """Fetch in chunks of ≤100; each chunk is committed as it arrives, so an interrupted run resumes."""
    report = FetchReport()
    client = client_for(store)
    by_arxiv: dict[str, list[int]] = {}
    for item_id, arxiv_id in targets:
        by_arxiv.setdefault(arxiv_id, []).append(item_id)
    done = 0
    for chunk in chunks(list(by_arxiv)):
        result = client.fetch_chunk(chunk)
        report.requests = client.requests_sent
        _save_chunk(store, result, by_arxiv, report)
        done += len(chunk)
        if progress:
            progress(done, client.requests_sent)
        if result.stop or result.offline:  # asking again now would only be refused again
            left = list(by_arxiv)[done:]
            report.failed += left
            pending = len(set(report.failed))
            report.stopped = f"{result.error}; {pending} paper(s) left pending — run `readlist fetch` later"
            break
    return report


def _save_chunk(store: Store, result: ChunkResult, by_arxiv: dict[str, list[int]], report: FetchReport) -> None:
    # the ORM only when there is something to write: `add` of a paper arXiv does not answer for never loads it
    from readlist.services.metadata import apply_metadata
    from readlist.store.models import Item
    from readlist.store.samework import join_same_work

    with store.session() as session:
        for arxiv_id, meta in result.found.items():
            for item_id in by_arxiv[arxiv_id]:
                item = session.get(Item, item_id)
                if item is None:
                    continue
                for line in apply_metadata(item, meta):
                    report.news.append(f"#{item_id} {arxiv_id}: {line}")
                session.info["touched"].add(item_id)
                session.flush()
                joined = join_same_work(session, item)  # arXiv named the DOI of a published version in the list
                report.fetched.append(joined.keeper.id or 0 if joined else item_id)
                if joined:
                    report.news.append(f"#{item_id} {arxiv_id}: {joined.said}")
        for arxiv_id in result.not_found:
            for item_id in by_arxiv[arxiv_id]:
                item = session.get(Item, item_id)
                if item is not None:
                    item.metadata_status = MetadataStatus.NOT_FOUND
            report.not_found.append(arxiv_id)
    report.failed += result.failed
    if result.error and result.error not in report.errors:
        report.errors.append(result.error)


SOURCE_WORKERS = 4  # different hosts in parallel; each host's own spacing is kept by net/http.py
WRITE_BATCH = 50


def fetch_sources(store: Store, targets: list[tuple[int, str, str]], progress: Progress | None = None) -> FetchReport:
    """Crossref, GitHub, OpenReview and web pages: asked in parallel; answers written in short batches as they
    arrive (one transaction per batch, not per item: a commit costs more than a lookup's write)."""
    from concurrent.futures import ThreadPoolExecutor, as_completed

    from readlist.net.transport import quiet_thread
    from readlist.net.works import Offline, source_for

    report = FetchReport()
    asked = [(item_id, key, url) for item_id, key, url in targets if source_for(key, url) is not None]
    report.unidentified, targets = len(targets) - len(asked), asked
    batch: list[tuple[int, str, Lookup]] = []
    last_write = time.monotonic()
    offline = Offline()  # a source found unreachable is not asked for the rest of its items
    with ThreadPoolExecutor(SOURCE_WORKERS, "readlist-fetch", quiet_thread) as pool:
        futures = {pool.submit(offline.lookup, key, url, tries=3): (item_id, key) for item_id, key, url in targets}
        for done, future in enumerate(as_completed(futures), start=1):
            item_id, key = futures[future]
            batch.append((item_id, key, found := future.result()))
            report.requests += found.sent
            if len(batch) >= WRITE_BATCH or time.monotonic() - last_write > 2.0 or done == len(futures):
                _save_lookups(store, batch, report)
                batch, last_write = [], time.monotonic()
            if progress:
                progress(done, report.requests)
    if said := offline.describe():
        report.errors.insert(0, said)
    return report


def _save_lookups(store: Store, batch: list[tuple[int, str, Lookup]], report: FetchReport) -> None:
    from readlist.services.metadata import apply_work
    from readlist.store.merge import save_text
    from readlist.store.models import Item
    from readlist.store.samework import join_same_work

    with store.session() as session:
        for item_id, key, found in batch:
            if found.warning and found.status != MetadataStatus.FETCHED and not found.offline:
                report.errors.append(found.warning)
            item = session.get(Item, item_id) if found.status != MetadataStatus.PENDING else None
            if item is None:
                report.failed += [key] if found.status == MetadataStatus.PENDING else []
                continue
            session.info["touched"].add(item_id)
            if found.status in (MetadataStatus.NOT_FOUND, MetadataStatus.FAILED) or found.meta is None:
                item.metadata_status = found.status
                (report.not_found if found.status == MetadataStatus.NOT_FOUND else report.failed).append(key)
                continue
            report.news += [f"#{item_id} {key}: {line}" for line in apply_work(item, found.meta)]
            if found.meta.text:
                save_text(session, item_id, found.meta.text, found.meta.url)
            session.flush()
            # A DOI added offline whose preprint is in the list (or the reverse): one work, one item.
            joined = join_same_work(session, item, doi=found.meta.doi, arxiv_id=found.meta.arxiv_id)
            if joined is not None:
                if joined.keeper is not item and found.meta.doi:
                    apply_work(joined.keeper, found.meta)  # the published version's record wins on the keeper
                report.news.append(f"#{item_id} {key}: {joined.said}")
            report.fetched.append(joined.keeper.id or 0 if joined else item_id)
            if found.warning:
                report.news.append(f"#{item_id}: {found.warning}")
